#include "tailnetwhois.h"

#include "core/logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QLocalSocket>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <utility>

using namespace Qt::StringLiterals;

namespace Tailops::Auth {

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qsizetype kMaxFramingOverhead = 256 * 1024; // chunk-size lines of a chunked body
const QString kTaggedDevices = u"tagged-devices"_s;

// An IPv4-mapped IPv6 address as plain IPv4, without an IPv6 scope id.
QHostAddress normalized(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (isV4) {
            return QHostAddress(v4);
        }
        QHostAddress copy(address);
        copy.setScopeId(QString());
        return copy;
    }
    return address;
}

// A minimal HTTP/1.1 response reader for one response on a Connection: close socket.
struct HttpResponse
{
    int status = 0;
    QByteArray body;
};

struct ParseOutcome
{
    enum class State { NeedMore, Complete, Error };
    State state = State::NeedMore;
    HttpResponse response;
    QString error;
};

ParseOutcome needMore()
{
    return ParseOutcome {};
}

ParseOutcome parseError(QString error)
{
    ParseOutcome outcome;
    outcome.state = ParseOutcome::State::Error;
    outcome.error = std::move(error);
    return outcome;
}

ParseOutcome complete(int status, QByteArray body)
{
    ParseOutcome outcome;
    outcome.state = ParseOutcome::State::Complete;
    outcome.response.status = status;
    outcome.response.body = std::move(body);
    return outcome;
}

QString tooLarge(qint64 maxBody)
{
    return QStringLiteral("response too large (over %1 bytes)").arg(maxBody);
}

// Decodes a chunked body starting at pos (RFC 9112 section 7.1): size lines in hex with optional
// extensions, then trailer lines until an empty line.
ParseOutcome parseChunked(const QByteArray &data, qsizetype pos, bool eof, int status, qint64 maxBody)
{
    QByteArray body;
    for (;;) {
        const qsizetype lineEnd = data.indexOf("\r\n", pos);
        if (lineEnd < 0) {
            if (data.size() - pos > 1024) {
                return parseError(u"malformed chunked encoding: chunk size line too long"_s);
            }
            return eof ? parseError(u"truncated response: connection closed inside a chunked body"_s) : needMore();
        }
        QByteArray sizeText = data.mid(pos, lineEnd - pos);
        if (const qsizetype semicolon = sizeText.indexOf(';'); semicolon >= 0) {
            sizeText.truncate(semicolon);
        }
        sizeText = sizeText.trimmed();
        bool ok = false;
        const qulonglong size = sizeText.toULongLong(&ok, 16);
        if (!ok || sizeText.isEmpty() || sizeText.startsWith('+') || sizeText.startsWith('-')) {
            return parseError(u"malformed chunked encoding: bad chunk size"_s);
        }
        pos = lineEnd + 2;
        if (size == 0) {
            for (;;) { // trailer section
                const qsizetype trailerEnd = data.indexOf("\r\n", pos);
                if (trailerEnd < 0) {
                    return eof ? parseError(u"truncated response: connection closed inside the chunked trailer"_s) : needMore();
                }
                if (trailerEnd == pos) {
                    return complete(status, std::move(body));
                }
                pos = trailerEnd + 2;
            }
        }
        if (size > qulonglong(maxBody) || qint64(size) > maxBody - body.size()) {
            return parseError(tooLarge(maxBody));
        }
        const qsizetype chunk = qsizetype(size);
        if (data.size() - pos < chunk + 2) {
            return eof ? parseError(u"truncated response: connection closed inside a chunk"_s) : needMore();
        }
        body.append(data.constData() + pos, chunk);
        if (data.at(pos + chunk) != '\r' || data.at(pos + chunk + 1) != '\n') {
            return parseError(u"malformed chunked encoding: chunk not followed by CRLF"_s);
        }
        pos += chunk + 2;
    }
}

ParseOutcome parseHttpResponse(const QByteArray &data, bool eof, qint64 maxBody)
{
    const qsizetype headerEnd = data.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (data.size() > kMaxHeaderBytes) {
            return parseError(u"response headers too large"_s);
        }
        return eof ? parseError(data.isEmpty() ? u"connection closed without a response"_s
                                               : u"truncated response: connection closed inside the headers"_s)
                   : needMore();
    }
    if (headerEnd > kMaxHeaderBytes) {
        return parseError(u"response headers too large"_s);
    }

    const QList<QByteArray> lines = data.first(headerEnd).split('\n');
    const QByteArray statusLine = lines.first().trimmed();
    // "HTTP/1.1 200 OK"
    const QList<QByteArray> statusParts = statusLine.split(' ');
    bool statusOk = false;
    const int status = statusParts.size() >= 2 ? statusParts.at(1).toInt(&statusOk) : 0;
    if (!statusLine.startsWith("HTTP/1.") || !statusOk || status < 100 || status > 999) {
        return parseError(u"malformed response: bad status line"_s);
    }

    bool chunked = false;
    qint64 contentLength = -1;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            return parseError(u"malformed response: bad header line"_s);
        }
        const QByteArray name = line.first(colon).trimmed().toLower();
        const QByteArray value = line.sliced(colon + 1).trimmed();
        if (name == "transfer-encoding") {
            // The last coding decides the framing; tailscaled (Go net/http) only ever sends "chunked".
            const QList<QByteArray> codings = value.toLower().split(',');
            chunked = codings.last().trimmed() == "chunked";
        } else if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || (contentLength >= 0 && contentLength != length)) {
                return parseError(u"malformed response: bad Content-Length"_s);
            }
            contentLength = length;
        }
    }

    const qsizetype bodyStart = headerEnd + 4;
    if (status < 200 || status == 204 || status == 304) {
        return complete(status, {});
    }
    if (chunked) {
        return parseChunked(data, bodyStart, eof, status, maxBody);
    }
    const qsizetype available = data.size() - bodyStart;
    if (contentLength >= 0) {
        if (contentLength > maxBody) {
            return parseError(tooLarge(maxBody));
        }
        if (available < contentLength) {
            return eof ? parseError(u"truncated response: connection closed before Content-Length bytes"_s) : needMore();
        }
        return complete(status, data.mid(bodyStart, qsizetype(contentLength)));
    }
    // No framing: the body runs until the server closes the connection.
    if (available > maxBody) {
        return parseError(tooLarge(maxBody));
    }
    return eof ? complete(status, data.sliced(bodyStart)) : needMore();
}

} // namespace

bool isTailnetAddress(const QHostAddress &address)
{
    static const QHostAddress cgnat(quint32(0x64400000)); // 100.64.0.0
    static const QHostAddress ula(u"fd7a:115c:a1e0::"_s);
    const QHostAddress a = normalized(address);
    switch (a.protocol()) {
    case QAbstractSocket::IPv4Protocol:
        return a.isInSubnet(cgnat, 10);
    case QAbstractSocket::IPv6Protocol:
        return a.isInSubnet(ula, 48);
    default:
        return false;
    }
}

struct TailnetWhois::Pending
{
    struct Waiter
    {
        QPointer<const QObject> context;
        Done done;
    };

    QString key; // the normalized address as text
    QHostAddress address;
    quint16 port = 0;
    QLocalSocket *socket = nullptr;
    QTimer *timer = nullptr;
    QByteArray buffer;
    bool connected = false;
    bool finished = false;
    QList<Waiter> waiters;
};

TailnetWhois::TailnetWhois(QString socketPath, QObject *parent)
    : QObject(parent)
    , m_socketPath(std::move(socketPath))
{
}

TailnetWhois::~TailnetWhois()
{
    // Lookups still waiting get their one answer (queued: the callers' contexts decide whether it runs).
    const auto pending = m_pending.values();
    m_pending.clear();
    for (const auto &p : pending) {
        p->finished = true;
        if (p->socket) {
            QObject::disconnect(p->socket, nullptr, this, nullptr);
        }
        for (const auto &waiter : std::as_const(p->waiters)) {
            deliver(waiter.context, waiter.done, Core::fail(u"tailnet whois cancelled: the gateway is shutting down"_s));
        }
    }
}

void TailnetWhois::deliver(const QObject *context, const Done &done, Core::Result<TailnetIdentity> result)
{
    if (!context || !done) {
        return;
    }
    // const_cast only to name the receiver of a queued call; the context object is not modified.
    QMetaObject::invokeMethod(
        const_cast<QObject *>(context),
        [done, result = std::move(result)]() mutable { done(std::move(result)); },
        Qt::QueuedConnection);
}

void TailnetWhois::lookup(const QHostAddress &address, quint16 port, const QObject *context, Done done)
{
    if (!context) {
        context = this;
    }
    const QHostAddress peer = normalized(address);
    if (!isTailnetAddress(peer)) {
        deliver(context, done, Core::fail(QStringLiteral("not a tailnet address: %1").arg(peer.toString())));
        return;
    }
    const QString key = peer.toString();

    if (const auto cached = m_cache.constFind(key); cached != m_cache.cend()) {
        if (cached->expires > std::chrono::steady_clock::now()) {
            deliver(context, done, cached->identity);
            return;
        }
        m_cache.erase(cached);
    }

    if (const auto running = m_pending.constFind(key); running != m_pending.cend()) {
        (*running)->waiters.append({ QPointer<const QObject>(context), std::move(done) });
        return;
    }

    auto pending = std::make_shared<Pending>();
    pending->key = key;
    pending->address = peer;
    pending->port = port;
    pending->waiters.append({ QPointer<const QObject>(context), std::move(done) });
    m_pending.insert(key, pending);
    startRequest(pending); // may finish at once (socket missing): the answer is still delivered queued
}

void TailnetWhois::startRequest(const std::shared_ptr<Pending> &pending)
{
    auto *socket = new QLocalSocket(this);
    pending->socket = socket;
    pending->timer = new QTimer(socket);
    pending->timer->setSingleShot(true);

    connect(pending->timer, &QTimer::timeout, this, [this, pending] {
        finish(pending, Core::fail(QStringLiteral("tailscaled whois for %1: no answer within %2 ms")
                                       .arg(pending->key)
                                       .arg(m_timeout.count())));
    });
    connect(socket, &QLocalSocket::connected, this, [this, pending] {
        if (pending->finished) {
            return;
        }
        pending->connected = true;
        const QString addr = pending->address.protocol() == QAbstractSocket::IPv6Protocol
            ? QStringLiteral("[%1]:%2").arg(pending->key).arg(pending->port)
            : QStringLiteral("%1:%2").arg(pending->key).arg(pending->port);
        const QByteArray request = "GET /localapi/v0/whois?addr=" + QUrl::toPercentEncoding(addr)
            + " HTTP/1.1\r\n"
              "Host: local-tailscaled.sock\r\n"
              "User-Agent: tailops-gateway/" TAILOPS_VERSION "\r\n"
              "Accept: application/json\r\n"
              "Connection: close\r\n"
              "\r\n";
        pending->socket->write(request);
    });
    connect(socket, &QLocalSocket::readyRead, this, [this, pending] { onReadable(pending); });
    connect(socket, &QLocalSocket::disconnected, this, [this, pending] { onReadable(pending); });
    connect(socket, &QLocalSocket::errorOccurred, this, [this, pending](QLocalSocket::LocalSocketError error) {
        if (pending->finished) {
            return;
        }
        if (error == QLocalSocket::PeerClosedError) {
            onReadable(pending); // end of the response (Connection: close)
            return;
        }
        const QString why = pending->socket->errorString();
        if (!pending->connected) {
            finish(pending, Core::fail(QStringLiteral("tailscaled LocalAPI not reachable at %1: %2").arg(m_socketPath, why)));
        } else {
            finish(pending, Core::fail(QStringLiteral("tailscaled whois for %1: connection to %2 failed: %3")
                                           .arg(pending->key, m_socketPath, why)));
        }
    });

    pending->timer->start(m_timeout);
    socket->connectToServer(m_socketPath);
}

void TailnetWhois::onReadable(const std::shared_ptr<Pending> &pending)
{
    if (pending->finished) {
        return;
    }
    QLocalSocket *socket = pending->socket;
    pending->buffer.append(socket->readAll());
    const bool eof = socket->state() == QLocalSocket::UnconnectedState;

    const qint64 limit = m_maxResponseBytes + kMaxHeaderBytes + kMaxFramingOverhead;
    if (pending->buffer.size() > limit) {
        finish(pending, Core::fail(QStringLiteral("tailscaled whois for %1: %2").arg(pending->key, tooLarge(m_maxResponseBytes))));
        return;
    }

    const ParseOutcome outcome = parseHttpResponse(pending->buffer, eof, m_maxResponseBytes);
    switch (outcome.state) {
    case ParseOutcome::State::NeedMore:
        return;
    case ParseOutcome::State::Error:
        finish(pending, Core::fail(QStringLiteral("tailscaled whois for %1: %2").arg(pending->key, outcome.error)));
        return;
    case ParseOutcome::State::Complete:
        break;
    }

    const HttpResponse &response = outcome.response;
    if (response.status != 200) {
        QString text = QString::fromUtf8(response.body.left(800)).simplified();
        if (text.size() > 200) {
            text.truncate(200);
        }
        finish(pending, Core::fail(QStringLiteral("tailscaled whois for %1: %2 %3").arg(pending->key).arg(response.status).arg(text).trimmed()));
        return;
    }
    finish(pending, parseWhoisResponse(response.body, pending->address));
}

void TailnetWhois::finish(const std::shared_ptr<Pending> &pending, Core::Result<TailnetIdentity> result)
{
    if (pending->finished) {
        return;
    }
    pending->finished = true;
    pending->timer->stop();
    QObject::disconnect(pending->socket, nullptr, this, nullptr);
    QObject::disconnect(pending->timer, nullptr, this, nullptr);
    pending->socket->abort();
    pending->socket->deleteLater(); // may be inside one of its signals
    pending->socket = nullptr;
    pending->timer = nullptr;

    if (const auto it = m_pending.constFind(pending->key); it != m_pending.cend() && *it == pending) {
        m_pending.erase(it);
    }
    if (result) {
        remember(pending->key, *result);
    } else {
        qCDebug(Core::lcAuth, "%s", qUtf8Printable(result.error().toString()));
    }
    const auto waiters = std::exchange(pending->waiters, {});
    for (const auto &waiter : waiters) {
        deliver(waiter.context, waiter.done, result);
    }
}

void TailnetWhois::remember(const QString &key, const TailnetIdentity &identity)
{
    if (m_cacheTtl.count() <= 0 || m_cacheCapacity <= 0) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (m_cache.size() >= m_cacheCapacity && !m_cache.contains(key)) {
        for (auto it = m_cache.begin(); it != m_cache.end();) {
            it = it->expires <= now ? m_cache.erase(it) : std::next(it);
        }
    }
    while (m_cache.size() >= m_cacheCapacity && !m_cache.contains(key)) {
        auto oldest = m_cache.begin();
        for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
            if (it->expires < oldest->expires) {
                oldest = it;
            }
        }
        m_cache.erase(oldest);
    }
    m_cache.insert(key, CacheEntry { identity, now + m_cacheTtl });
}

Core::Result<TailnetIdentity> TailnetWhois::parseWhoisResponse(const QByteArray &json, const QHostAddress &address)
{
    const QHostAddress peer = normalized(address);
    const QString what = QStringLiteral("tailscaled whois for %1").arg(peer.toString());
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return Core::fail(QStringLiteral("%1: malformed JSON response: %2 at offset %3").arg(what, error.errorString()).arg(error.offset));
    }
    if (!document.isObject()) {
        return Core::fail(QStringLiteral("%1: malformed response: not a JSON object").arg(what));
    }
    const QJsonObject root = document.object();
    const QJsonValue nodeValue = root.value(u"Node"_s);
    if (!nodeValue.isObject()) {
        return Core::fail(QStringLiteral("%1: malformed response: no \"Node\" object").arg(what));
    }
    const QJsonObject node = nodeValue.toObject();
    const QJsonObject profile = root.value(u"UserProfile"_s).toObject();

    TailnetIdentity identity;
    identity.address = peer;
    identity.node = node.value(u"Name"_s).toString();
    while (identity.node.endsWith(u'.')) {
        identity.node.chop(1);
    }
    identity.nodeId = node.value(u"StableID"_s).toString();
    if (identity.nodeId.isEmpty()) {
        const QJsonValue id = node.value(u"ID"_s);
        if (id.isDouble()) {
            identity.nodeId = QString::number(id.toInteger());
        } else {
            identity.nodeId = id.toString();
        }
    }
    const QJsonArray tags = node.value(u"Tags"_s).toArray();
    for (const QJsonValue &tag : tags) {
        if (tag.isString() && !tag.toString().isEmpty()) {
            identity.tags.append(tag.toString());
        }
    }
    // A tagged node is owned by its tags: tailscale reports the placeholder profile "tagged-devices".
    const QString login = profile.value(u"LoginName"_s).toString();
    if (identity.tags.isEmpty() && login != kTaggedDevices) {
        identity.user = login;
        identity.displayName = profile.value(u"DisplayName"_s).toString();
    }

    if (identity.node.isEmpty() && identity.nodeId.isEmpty()) {
        return Core::fail(QStringLiteral("%1: malformed response: the node has neither a name nor an id").arg(what));
    }
    if (identity.user.isEmpty() && identity.tags.isEmpty()) {
        return Core::fail(QStringLiteral("%1: the node has neither a user nor tags").arg(what));
    }
    return identity;
}

} // namespace Tailops::Auth
