#include "adminserver.h"

#include "approvalbroker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace Tailops::Approvals {

namespace {

constexpr qint64 kReadBufferBytes = 4 * AdminServer::kMaxLineBytes;
constexpr qint64 kMaxUnsentBytes = 4 * 1024 * 1024; // a client that does not read its answers is dropped
constexpr int kProbeTimeoutMs = 1000;
constexpr qsizetype kMaxReasonChars = 1000;

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

std::optional<uid_t> peerUid(qintptr fd)
{
    ucred credentials {};
    socklen_t length = sizeof credentials;
    if (fd < 0 || ::getsockopt(int(fd), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0
        || length != sizeof credentials) {
        return std::nullopt;
    }
    return credentials.uid;
}

QJsonObject failure(const QString &message)
{
    return QJsonObject { { QStringLiteral("ok"), false }, { QStringLiteral("error"), message } };
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

QJsonObject requestJson(const ApprovalRequest &r, const QDateTime &now)
{
    return QJsonObject {
        { QStringLiteral("id"), r.id },
        { QStringLiteral("caller"), r.caller },
        { QStringLiteral("tool"), r.tool },
        { QStringLiteral("target"), r.target },
        { QStringLiteral("arguments"), r.arguments },
        { QStringLiteral("binding"), QString::fromLatin1(r.binding) },
        { QStringLiteral("rule"), r.rule },
        { QStringLiteral("reason"), r.reason },
        { QStringLiteral("requested"), iso(r.requested) },
        { QStringLiteral("deadline"), iso(r.deadline) },
        { QStringLiteral("age_seconds"), r.requested.secsTo(now) },
        { QStringLiteral("seconds_left"), std::max<qint64>(now.secsTo(r.deadline), 0) },
    };
}

QJsonObject grantJson(const Grant &g)
{
    return QJsonObject {
        { QStringLiteral("binding"), QString::fromLatin1(g.binding) },
        { QStringLiteral("caller"), g.caller },
        { QStringLiteral("tool"), g.tool },
        { QStringLiteral("target"), g.target },
        { QStringLiteral("approver"), g.approver },
        { QStringLiteral("granted"), iso(g.granted) },
        { QStringLiteral("expires"), iso(g.expires) },
        { QStringLiteral("seconds_left"), std::max<qint64>(g.expiry.remainingTime() / 1000, 0) },
    };
}

QJsonObject denialJson(const RememberedDenial &d)
{
    return QJsonObject {
        { QStringLiteral("binding"), QString::fromLatin1(d.binding) },
        { QStringLiteral("caller"), d.caller },
        { QStringLiteral("tool"), d.tool },
        { QStringLiteral("target"), d.target },
        { QStringLiteral("approver"), d.approver },
        { QStringLiteral("reason"), d.reason },
        { QStringLiteral("denied"), iso(d.denied) },
    };
}

// A non-empty string field NAME of REQUEST.
Core::Result<QString> stringField(const QJsonObject &request, const QString &name)
{
    const QJsonValue v = request.value(name);
    if (v.isUndefined() || v.isNull() || (v.isString() && v.toString().isEmpty())) {
        return Core::fail(QStringLiteral("missing '%1'").arg(name));
    }
    if (!v.isString()) {
        return Core::fail(QStringLiteral("'%1' must be a string").arg(name));
    }
    return v.toString();
}

// An optional boolean field NAME of REQUEST (FALLBACK when absent).
Core::Result<bool> boolField(const QJsonObject &request, const QString &name, std::optional<bool> fallback)
{
    const QJsonValue v = request.value(name);
    if (v.isUndefined() && fallback) {
        return *fallback;
    }
    if (v.isUndefined()) {
        return Core::fail(QStringLiteral("missing '%1' (true or false)").arg(name));
    }
    if (!v.isBool()) {
        return Core::fail(QStringLiteral("'%1' must be true or false").arg(name));
    }
    return v.toBool();
}

} // namespace

AdminServer::AdminServer(ApprovalBroker *broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
{
}

AdminServer::~AdminServer()
{
    close();
}

bool AdminServer::isListening() const
{
    return m_server && m_server->isListening();
}

Core::Result<QString> AdminServer::listen(const QString &path)
{
    if (isListening()) {
        return Core::fail(QStringLiteral("the admin socket is already listening on %1").arg(m_path));
    }
    if (path.isEmpty()) {
        return Core::fail(QStringLiteral("no admin socket path"));
    }
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QByteArray file = QFile::encodeName(absolute);
    if (size_t(file.size()) >= sizeof(sockaddr_un {}.sun_path)) {
        return Core::fail(QStringLiteral("the admin socket path is too long (%1 bytes, at most %2): %3")
                              .arg(file.size())
                              .arg(sizeof(sockaddr_un {}.sun_path) - 1)
                              .arg(absolute));
    }

    // The directory: ours, and nobody else may create or replace files in it.
    const QString dir = QFileInfo(absolute).path();
    const QByteArray dirName = QFile::encodeName(dir);
    struct stat st
    {
    };
    if (::lstat(dirName.constData(), &st) != 0) {
        if (errno != ENOENT) {
            return Core::fail(QStringLiteral("cannot inspect %1: %2").arg(dir, errnoText()));
        }
        const QString parent = QFileInfo(dir).path();
        if (!QDir().mkpath(parent)) {
            return Core::fail(QStringLiteral("cannot create the directory %1").arg(parent));
        }
        if (::mkdir(dirName.constData(), 0700) != 0 && errno != EEXIST) {
            return Core::fail(QStringLiteral("cannot create the directory %1: %2").arg(dir, errnoText()));
        }
        if (::lstat(dirName.constData(), &st) != 0) {
            return Core::fail(QStringLiteral("cannot inspect %1: %2").arg(dir, errnoText()));
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        return Core::fail(QStringLiteral("%1 is not a directory (it must hold the admin socket)").arg(dir));
    }
    if (st.st_uid != ::geteuid()) {
        return Core::fail(QStringLiteral("refusing the admin socket directory %1: it belongs to uid %2, not to this "
                                         "user (uid %3); set admin.socket to a path in a directory of yours")
                              .arg(dir)
                              .arg(st.st_uid)
                              .arg(::geteuid()));
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return Core::fail(QStringLiteral("refusing the admin socket directory %1: it is writable by group or others "
                                         "(mode %2); chmod 700 it or set admin.socket elsewhere")
                              .arg(dir)
                              .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0')));
    }

    // A socket file left behind: replaced only when nothing answers on it.
    if (::lstat(file.constData(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return Core::fail(QStringLiteral("%1 exists and is not a socket; remove it or set admin.socket elsewhere")
                                  .arg(absolute));
        }
        QLocalSocket probe;
        probe.connectToServer(absolute);
        if (probe.waitForConnected(kProbeTimeoutMs)) {
            probe.abort();
            return Core::fail(QStringLiteral("another gateway is already listening on %1").arg(absolute));
        }
        if (::unlink(file.constData()) != 0 && errno != ENOENT) {
            return Core::fail(QStringLiteral("cannot remove the stale admin socket %1: %2").arg(absolute, errnoText()));
        }
        qCInfo(lcApprovals).noquote() << "replaced a stale admin socket at" << absolute;
    } else if (errno != ENOENT) {
        return Core::fail(QStringLiteral("cannot inspect %1: %2").arg(absolute, errnoText()));
    }

    auto *server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server->listen(absolute)) {
        const QString error = server->errorString();
        delete server;
        return Core::fail(QStringLiteral("cannot listen on %1: %2").arg(absolute, error));
    }
    if (::chmod(file.constData(), 0600) != 0) {
        const QString error = errnoText();
        server->close();
        delete server;
        return Core::fail(QStringLiteral("cannot make %1 private (chmod 600): %2").arg(absolute, error));
    }
    m_server = server;
    m_path = absolute;
    connect(m_server, &QLocalServer::newConnection, this, &AdminServer::acceptConnections);
    qCInfo(lcApprovals).noquote() << "admin socket:" << absolute;
    return absolute;
}

void AdminServer::close()
{
    const QList<QLocalSocket *> sockets = m_clients.keys();
    m_clients.clear();
    for (QLocalSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    if (m_server) {
        m_server->close(); // removes the socket file
        delete m_server;
        m_server = nullptr;
    }
}

void AdminServer::acceptConnections()
{
    while (m_server && m_server->hasPendingConnections()) {
        QLocalSocket *socket = m_server->nextPendingConnection();
        if (!socket) {
            break;
        }
        const std::optional<uid_t> uid = peerUid(socket->socketDescriptor());
        if (!uid || (*uid != ::geteuid() && *uid != 0)) {
            qCWarning(lcApprovals).noquote()
                << "admin socket: dropped a connection from"
                << (uid ? QStringLiteral("uid %1").arg(*uid) : QStringLiteral("an unknown peer"));
            socket->abort();
            socket->deleteLater();
            continue;
        }
        connect(socket, &QLocalSocket::disconnected, this, [this, socket] {
            m_clients.remove(socket);
            socket->deleteLater();
        });
        if (m_clients.size() >= kMaxClients) {
            refuseAndClose(socket, QStringLiteral("too many admin connections (%1); try again").arg(kMaxClients));
            continue;
        }
        socket->setReadBufferSize(kReadBufferBytes);
        Client client;
        client.approver = QStringLiteral("admin-socket (uid %1)").arg(*uid);
        m_clients.insert(socket, client);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readClient(socket); });
        if (socket->bytesAvailable() > 0) {
            readClient(socket);
        }
    }
}

void AdminServer::readClient(QLocalSocket *socket)
{
    for (;;) {
        auto it = m_clients.find(socket);
        if (it == m_clients.end()) {
            return;
        }
        if (it->closing) {
            socket->readAll(); // answered and closing: ignore the rest
            return;
        }
        it->buffer += socket->readAll();
        const qsizetype newline = it->buffer.indexOf('\n');
        if (newline < 0 ? it->buffer.size() > kMaxLineBytes : newline > kMaxLineBytes) {
            refuseAndClose(socket, QStringLiteral("request line over %1 bytes").arg(kMaxLineBytes));
            return;
        }
        if (newline < 0) {
            return;
        }
        const QByteArray line = it->buffer.left(newline);
        it->buffer.remove(0, newline + 1);
        const QString approver = it->approver;
        if (!line.trimmed().isEmpty()) {
            send(socket, handleLine(line, approver));
        }
    }
}

void AdminServer::send(QLocalSocket *socket, const QJsonObject &answer)
{
    socket->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
    if (socket->bytesToWrite() > kMaxUnsentBytes) {
        qCWarning(lcApprovals) << "admin socket: dropped a client that does not read its answers";
        m_clients.remove(socket);
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void AdminServer::refuseAndClose(QLocalSocket *socket, const QString &error)
{
    if (auto it = m_clients.find(socket); it != m_clients.end()) {
        it->closing = true;
        it->buffer.clear();
    }
    socket->write(QJsonDocument(failure(error)).toJson(QJsonDocument::Compact) + '\n');
    socket->disconnectFromServer(); // after the answer is written; disconnected() deletes it
}

QJsonObject AdminServer::handleLine(const QByteArray &line, const QString &approver)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError) {
        return failure(QStringLiteral("bad JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    }
    if (!doc.isObject()) {
        return failure(QStringLiteral("bad request: expected a JSON object like {\"cmd\":\"list\"}"));
    }
    return execute(doc.object(), approver);
}

const QHash<QString, AdminServer::Handler> &AdminServer::handlers()
{
    static const QHash<QString, Handler> table {
        { QStringLiteral("list"), &AdminServer::cmdList },
        { QStringLiteral("status"), &AdminServer::cmdStatus },
        { QStringLiteral("approve"), &AdminServer::cmdApprove },
        { QStringLiteral("deny"), &AdminServer::cmdDeny },
        { QStringLiteral("pause"), &AdminServer::cmdPause },
        { QStringLiteral("resume"), &AdminServer::cmdResume },
        { QStringLiteral("read_only"), &AdminServer::cmdReadOnly },
        { QStringLiteral("revoke_grant"), &AdminServer::cmdRevokeGrant },
        { QStringLiteral("forget"), &AdminServer::cmdForget },
    };
    return table;
}

QJsonObject AdminServer::execute(const QJsonObject &request, const QString &approver)
{
    const QJsonValue cmd = request.value(QStringLiteral("cmd"));
    if (cmd.isUndefined()) {
        return failure(QStringLiteral("missing 'cmd'"));
    }
    if (!cmd.isString()) {
        return failure(QStringLiteral("'cmd' must be a string"));
    }
    const QString name = cmd.toString();
    const auto handler = handlers().constFind(name);
    if (handler == handlers().cend()) {
        QStringList known = handlers().keys();
        known.sort();
        return failure(QStringLiteral("unknown cmd '%1' (known: %2)").arg(name, known.join(QStringLiteral(", "))));
    }
    if (!m_broker) {
        return failure(QStringLiteral("the approval broker is gone (the gateway is shutting down)"));
    }
    const QJsonObject answer = (this->*(*handler))(request, approver);
    const bool ok = answer.value(QStringLiteral("ok")).toBool();
    if (name != u"list" && name != u"status") {
        qCInfo(lcApprovals).noquote() << "admin socket:" << name << "by" << approver << (ok ? "ok" : "refused");
    }
    Q_EMIT commandHandled(name, approver, ok);
    return answer;
}

QJsonObject AdminServer::switches() const
{
    return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("paused"), m_broker->isPaused() },
        { QStringLiteral("read_only"), m_broker->isReadOnly() } };
}

QJsonObject AdminServer::cmdList(const QJsonObject &, const QString &)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray pending;
    const QList<ApprovalRequest> requests = m_broker->pending();
    for (const ApprovalRequest &r : requests) {
        pending.append(requestJson(r, now));
    }
    QJsonArray grants;
    const QList<Grant> active = m_broker->grants();
    for (const Grant &g : active) {
        grants.append(grantJson(g));
    }
    QJsonArray denials;
    const QList<RememberedDenial> remembered = m_broker->rememberedDenials();
    for (const RememberedDenial &d : remembered) {
        denials.append(denialJson(d));
    }
    QJsonObject answer = switches();
    answer.insert(QStringLiteral("now"), iso(now));
    answer.insert(QStringLiteral("pending"), pending);
    answer.insert(QStringLiteral("grants"), grants);
    answer.insert(QStringLiteral("denials"), denials);
    return answer;
}

QJsonObject AdminServer::cmdStatus(const QJsonObject &, const QString &)
{
    QJsonObject answer = switches();
    answer.insert(QStringLiteral("pending_count"), qint64(m_broker->pending().size()));
    answer.insert(QStringLiteral("grant_count"), qint64(m_broker->grants().size()));
    answer.insert(QStringLiteral("socket"), m_path);
    answer.insert(QStringLiteral("pid"), qint64(::getpid()));
    return answer;
}

QJsonObject AdminServer::cmdApprove(const QJsonObject &request, const QString &approver)
{
    const auto id = stringField(request, QStringLiteral("id"));
    if (!id) {
        return failure(id.error().message);
    }
    qint64 seconds = 0;
    if (const QJsonValue v = request.value(QStringLiteral("for_seconds")); !v.isUndefined() && !v.isNull()) {
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d != std::floor(d) || d > 1e12) {
            return failure(QStringLiteral("'for_seconds' must be a whole number of seconds, 0 or more"));
        }
        seconds = qint64(d);
    }
    if (const auto done = m_broker->approve(*id, seconds, approver); !done) {
        return failure(done.error().message);
    }
    QJsonObject answer { { QStringLiteral("ok"), true }, { QStringLiteral("id"), *id },
        { QStringLiteral("decision"), outcomeName(Outcome::Approved) } };
    if (seconds > 0) {
        answer.insert(QStringLiteral("grant"), QStringLiteral("granted for %1").arg(humanDuration(seconds)));
    }
    return answer;
}

QJsonObject AdminServer::cmdDeny(const QJsonObject &request, const QString &approver)
{
    const auto id = stringField(request, QStringLiteral("id"));
    if (!id) {
        return failure(id.error().message);
    }
    const auto remember = boolField(request, QStringLiteral("remember"), false);
    if (!remember) {
        return failure(remember.error().message);
    }
    QString reason;
    if (const QJsonValue v = request.value(QStringLiteral("reason")); !v.isUndefined() && !v.isNull()) {
        if (!v.isString()) {
            return failure(QStringLiteral("'reason' must be a string"));
        }
        reason = v.toString();
        if (reason.size() > kMaxReasonChars) {
            return failure(QStringLiteral("'reason' is longer than %1 characters").arg(kMaxReasonChars));
        }
    }
    if (const auto done = m_broker->deny(*id, *remember, approver, reason); !done) {
        return failure(done.error().message);
    }
    return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("id"), *id },
        { QStringLiteral("decision"), outcomeName(Outcome::Denied) }, { QStringLiteral("remembered"), *remember } };
}

QJsonObject AdminServer::cmdPause(const QJsonObject &, const QString &)
{
    m_broker->setPaused(true);
    return switches();
}

QJsonObject AdminServer::cmdResume(const QJsonObject &, const QString &)
{
    m_broker->setPaused(false);
    return switches();
}

QJsonObject AdminServer::cmdReadOnly(const QJsonObject &request, const QString &)
{
    const auto on = boolField(request, QStringLiteral("on"), std::nullopt);
    if (!on) {
        return failure(on.error().message);
    }
    m_broker->setReadOnly(*on);
    return switches();
}

QJsonObject AdminServer::cmdRevokeGrant(const QJsonObject &request, const QString &)
{
    const auto binding = stringField(request, QStringLiteral("binding"));
    if (!binding) {
        return failure(binding.error().message);
    }
    if (const auto done = m_broker->revokeGrant(binding->toLatin1()); !done) {
        return failure(done.error().message);
    }
    return QJsonObject { { QStringLiteral("ok"), true } };
}

QJsonObject AdminServer::cmdForget(const QJsonObject &request, const QString &)
{
    const auto binding = stringField(request, QStringLiteral("binding"));
    if (!binding) {
        return failure(binding.error().message);
    }
    if (const auto done = m_broker->forget(binding->toLatin1()); !done) {
        return failure(done.error().message);
    }
    return QJsonObject { { QStringLiteral("ok"), true } };
}

} // namespace Tailops::Approvals
