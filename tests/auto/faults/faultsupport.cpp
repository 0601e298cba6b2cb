#include "faultsupport.h"

#include "sdkclient.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace Faults {

QString ProcStats::toString() const
{
    return u"threads %1, sockets %2, rss %3 KiB"_s.arg(threads).arg(sockets).arg(rssKb);
}

ProcStats procStats(qint64 pid)
{
    ProcStats s;
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("Threads:")) {
                s.threads = line.mid(8).trimmed().toInt();
            } else if (line.startsWith("VmRSS:")) {
                s.rssKb = line.mid(6).trimmed().split(' ').value(0).toLongLong();
            }
        }
    }
    const QDir fds(u"/proc/%1/fd"_s.arg(pid));
    if (fds.exists()) {
        s.sockets = 0;
        for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System)) {
            char buffer[256] = {};
            const QByteArray path = QFile::encodeName(fds.filePath(fd));
            const ssize_t n = ::readlink(path.constData(), buffer, sizeof buffer - 1);
            if (n > 0 && QByteArray(buffer, n).startsWith("socket:[")) {
                ++s.sockets;
            }
        }
    }
    return s;
}

QString socketDetails(qint64 pid)
{
    QHash<QByteArray, QString> known;
    const auto hexAddress = [](const QByteArray &hex) {
        const QList<QByteArray> parts = hex.split(':');
        const QByteArray ip = parts.value(0);
        const int port = parts.value(1).toInt(nullptr, 16);
        if (ip.size() == 8) {
            const quint32 v = ip.toUInt(nullptr, 16);
            return u"%1.%2.%3.%4:%5"_s.arg(v & 0xff).arg((v >> 8) & 0xff).arg((v >> 16) & 0xff).arg(v >> 24).arg(port);
        }
        return u"[%1]:%2"_s.arg(QString::fromLatin1(ip)).arg(port);
    };
    for (const QString &table : { u"tcp"_s, u"tcp6"_s }) {
        QFile f(u"/proc/%1/net/%2"_s.arg(pid).arg(table));
        if (f.open(QIODevice::ReadOnly)) {
            const QList<QByteArray> lines = f.readAll().split('\n');
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QList<QByteArray> c = lines.at(i).simplified().split(' ');
                if (c.size() > 9) {
                    known.insert(c.at(9), u"%1 %2 -> %3 state %4"_s.arg(table, hexAddress(c.at(1)), hexAddress(c.at(2)), QString::fromLatin1(c.at(3))));
                }
            }
        }
    }
    QFile unixTable(u"/proc/%1/net/unix"_s.arg(pid));
    if (unixTable.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = unixTable.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> c = lines.at(i).simplified().split(' ');
            if (c.size() > 6) {
                known.insert(c.at(6), u"unix %1"_s.arg(QString::fromUtf8(c.value(7))));
            }
        }
    }
    QStringList out;
    const QDir fds(u"/proc/%1/fd"_s.arg(pid));
    for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System)) {
        char buffer[256] = {};
        const ssize_t n = ::readlink(QFile::encodeName(fds.filePath(fd)).constData(), buffer, sizeof buffer - 1);
        const QByteArray link(buffer, std::max<ssize_t>(n, 0));
        if (link.startsWith("socket:[")) {
            const QByteArray inode = link.mid(8, link.size() - 9);
            out.append(u"fd %1 %2: %3"_s.arg(fd, QString::fromLatin1(link), known.value(inode, u"?"_s)));
        }
    }
    return out.join(u'\n');
}

ProcStats settle(qint64 pid, const ProcStats &baseline, int slackThreads, int slackSockets, int timeoutMs)
{
    ProcStats now = procStats(pid);
    (void)QTest::qWaitFor(
        [&] {
            now = procStats(pid);
            return now.threads <= baseline.threads + slackThreads && now.sockets <= baseline.sockets + slackSockets;
        },
        timeoutMs);
    return now;
}

QByteArray gatewayYaml(const QString &dir, const QString &knownHosts, const QByteArray &extra)
{
    QByteArray y = "auth:\n  mode: token\n"
                   "limits:\n"
                   "  observe: {rate: 1000/s, burst: 1000}\n"
                   "  control: {rate: 1000/s, burst: 1000}\n"
                   "  admin: {rate: 1000/s, burst: 1000}\n"
                   "  concurrency: 1000\n"
                   "approvals:\n  timeout: 120s\n"
                   "admin:\n  socket: "
        + QFile::encodeName(dir) + "/admin.sock\n";
    if (!knownHosts.isEmpty()) {
        y += "ssh:\n  known_hosts: \"" + QFile::encodeName(knownHosts) + "\"\n";
    }
    return y + extra;
}

// --- calls ---

AsyncCall::AsyncCall(const Endpoint &to, const QList<QByteArray> &headers, const QString &id, const QString &tool,
                     const QJsonObject &arguments)
    : m_id(id)
{
    const QByteArray body = callBody(id, tool, arguments);
    QByteArray request = "POST /mcp HTTP/1.1\r\nHost: " + to.hostHeader() + "\r\n";
    for (const QByteArray &h : headers) {
        request += h + "\r\n";
    }
    request += "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    m_clock.start();
    QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { consume(false); });
    QObject::connect(&m_socket, &QTcpSocket::disconnected, &m_socket, [this] { consume(true); });
    QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &m_socket, [this](QAbstractSocket::SocketError) {
        if (!m_done) {
            m_error = m_socket.errorString();
            consume(true);
        }
    });
    m_socket.connectToHost(to.server, to.port);
    if (!m_socket.waitForConnected(10000)) {
        m_error = u"cannot connect: "_s + m_socket.errorString();
        m_done = true;
        m_doneAfterMs = m_clock.elapsed();
        return;
    }
    m_socket.write(request);
    m_socket.flush();
}

void AsyncCall::consume(bool closed)
{
    if (m_done) {
        return;
    }
    m_data += m_socket.readAll();
    if (parseHttpResponse(m_data, closed, m_response)) {
        // An SSE stream ends with the answer to the request: wait for it (the stream closes after it).
        if (m_response.header("content-type").startsWith("text/event-stream") && m_response.rpc().isEmpty() && !closed) {
            m_response = {};
            return;
        }
        m_done = true;
    } else if (closed) {
        m_done = true;
        if (m_error.isEmpty()) {
            m_error = u"connection closed without a complete answer (%1 bytes)"_s.arg(m_data.size());
        }
    }
    if (m_done) {
        m_doneAfterMs = m_clock.elapsed();
        // We asked for Connection: close; QtHttpServer leaves it open after answering, so we hang up (a
        // connection the test held open would count as one of the gateway's sockets).
        QMetaObject::invokeMethod(&m_socket, [this] { m_socket.abort(); }, Qt::QueuedConnection);
    }
}

bool AsyncCall::wait(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_done; }, timeoutMs);
}

bool FaultGateway::open(int timeoutMs)
{
    m_openError.clear();
    if (!start({ u"127.0.0.1:0"_s }, timeoutMs)) {
        m_openError = errorString();
        return false;
    }
    if (token.isEmpty()) {
        token = mintToken(*this, { u"admin"_s }, u"faults"_s);
    }
    if (token.isEmpty()) {
        m_openError = u"cannot mint a token"_s;
        return false;
    }
    HttpResponse r;
    session = openSession(endpoint(), { bearer(token) }, u"faults"_s, &r);
    if (session.isEmpty()) {
        m_openError = u"no MCP session: %1 %2"_s.arg(r.status).arg(QString::fromUtf8(r.body.left(300)));
        return false;
    }
    return true;
}

QList<QByteArray> FaultGateway::headers() const
{
    return { bearer(token), "Mcp-Session-Id: " + session, "Mcp-Protocol-Version: 2025-11-25" };
}

std::unique_ptr<AsyncCall> FaultGateway::callAsync(const QString &id, const QString &tool, const QJsonObject &arguments)
{
    return std::make_unique<AsyncCall>(endpoint(), headers(), id, tool, arguments);
}

HttpResponse FaultGateway::call(const QString &id, const QString &tool, const QJsonObject &arguments, int timeoutMs, qint64 *elapsedMs)
{
    AsyncCall c(endpoint(), headers(), id, tool, arguments);
    c.wait(timeoutMs);
    if (elapsedMs) {
        *elapsedMs = c.elapsedMs();
    }
    return c.isAnswered() ? c.response() : HttpResponse {};
}

QString FaultGateway::approveNext(int timeoutMs)
{
    const QJsonObject pending = waitForApproval(*this, timeoutMs);
    if (pending.isEmpty()) {
        return {};
    }
    const auto [code, out] = cli({ u"approvals"_s, u"approve"_s, pending.value(u"id"_s).toString() });
    if (code != 0) {
        qWarning("approve failed: %s", out.constData());
        return {};
    }
    return pending.value(u"tool"_s).toString();
}

bool succeeded(const HttpResponse &r)
{
    const QJsonObject rpc = r.rpc();
    return r.status == 200 && rpc.contains(u"result"_s) && !r.isToolError();
}

QString brief(const HttpResponse &r, int max)
{
    if (r.status == 0) {
        return u"(no answer)"_s;
    }
    return u"[HTTP %1] "_s.arg(r.status) + r.text().left(max);
}

QStringList auditProblems(const QString &auditPath, const QStringList &ids, int waitMs)
{
    QStringList problems = auditProblemsNow(auditPath, ids);
    QElapsedTimer clock;
    clock.start();
    while (!problems.isEmpty() && clock.elapsed() < waitMs) {
        QTest::qWait(100);
        problems = auditProblemsNow(auditPath, ids);
    }
    return problems;
}

QStringList auditProblemsNow(const QString &auditPath, const QStringList &ids)
{
    QHash<QString, QList<QJsonObject>> byId;
    for (const QJsonObject &o : readAuditLog(auditPath)) {
        byId[o.value(u"request_id"_s).toString()].append(o);
    }
    QStringList problems;
    for (const QString &id : ids) {
        const QList<QJsonObject> records = byId.value(id);
        if (records.isEmpty()) {
            problems.append(u"%1: no audit record"_s.arg(id));
            continue;
        }
        bool ran = false;
        bool result = false;
        for (const QJsonObject &o : records) {
            const QString event = o.value(u"event"_s).toString();
            const QString decision = o.value(u"decision"_s).toString();
            ran = ran || (event == u"decision" && (decision == u"allow" || decision == u"approved"));
            result = result || event == u"result";
        }
        if (ran && !result) {
            problems.append(u"%1: allowed to run, but no result record"_s.arg(id));
        }
    }
    return problems;
}

std::pair<int, QByteArray> auditVerify(const QString &auditPath)
{
    QProcess p;
    p.start(GatewayProcess::binary(), { u"audit"_s, u"verify"_s, u"--path"_s, auditPath });
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(5000);
        return { -1, "timed out" };
    }
    return { p.exitCode(), p.readAllStandardOutput() + p.readAllStandardError() };
}

} // namespace Faults
