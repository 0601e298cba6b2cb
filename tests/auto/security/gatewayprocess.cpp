#include "gatewayprocess.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace TestSupport {

QString urlHost(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
}

QByteArray Endpoint::hostHeader() const
{
    return urlHost(server).toLatin1() + ':' + QByteArray::number(port);
}

// --- responses ---

QByteArray HttpResponse::header(QByteArrayView name) const
{
    return headers.value(name.toByteArray().toLower());
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QJsonObject HttpResponse::rpc() const
{
    if (body.trimmed().startsWith('{')) {
        return QJsonDocument::fromJson(body).object();
    }
    QJsonObject last;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("data: ")) {
            const QJsonObject o = QJsonDocument::fromJson(line.mid(6)).object();
            if (o.contains(u"id"_s)) {
                last = o;
            }
        }
    }
    return last;
}

QString HttpResponse::text() const
{
    const QJsonObject o = rpc();
    if (o.contains(u"error"_s)) {
        return o.value(u"error"_s).toObject().value(u"message"_s).toString();
    }
    const QJsonObject result = o.value(u"result"_s).toObject();
    const QJsonArray content = result.value(u"content"_s).toArray();
    return content.isEmpty() ? QString::fromUtf8(body) : content.at(0).toObject().value(u"text"_s).toString();
}

bool HttpResponse::isToolError() const
{
    return rpc().value(u"result"_s).toObject().value(u"isError"_s).toBool();
}

int HttpResponse::rpcCode() const
{
    return rpc().value(u"error"_s).toObject().value(u"code"_s).toInt();
}

bool parseHttpResponse(const QByteArray &data, bool closed, HttpResponse &out)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0) {
        return false;
    }
    HttpResponse r;
    r.head = data.first(end);
    const QList<QByteArray> lines = r.head.split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0) {
            r.headers.insert(line.first(colon).trimmed().toLower(), line.sliced(colon + 1).trimmed());
        }
    }
    const QByteArray rest = data.sliced(end + 4);
    if (r.headers.contains("content-length")) {
        const qsizetype length = r.headers.value("content-length").toLongLong();
        if (rest.size() < length) {
            return false;
        }
        r.body = rest.first(length);
    } else if (r.headers.value("transfer-encoding").toLower() == "chunked") {
        qsizetype pos = 0;
        for (;;) {
            const qsizetype lineEnd = rest.indexOf("\r\n", pos);
            if (lineEnd < 0) {
                return false;
            }
            bool ok = false;
            const qsizetype size = rest.sliced(pos, lineEnd - pos).split(';').value(0).trimmed().toLongLong(&ok, 16);
            if (!ok) {
                return false;
            }
            if (size == 0) {
                break;
            }
            if (rest.size() < lineEnd + 2 + size + 2) {
                return false;
            }
            r.body += rest.sliced(lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
    } else if (!closed) {
        return false;
    } else {
        r.body = rest;
    }
    out = std::move(r);
    return true;
}

// --- requests ---

HttpRequest::HttpRequest(const Endpoint &to, const QByteArray &method, const QByteArray &path, const QList<QByteArray> &headers,
                         const QByteArray &body)
    : m_to(to)
{
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: " + to.hostHeader() + "\r\n";
    for (const QByteArray &h : headers) {
        request += h + "\r\n";
    }
    if (method == "POST") {
        request += "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n";
    }
    request += "Connection: close\r\n\r\n" + body;

    if (!to.source.isNull() && !m_socket.bind(to.source)) {
        qWarning("cannot bind to %s: %s", qPrintable(to.source.toString()), qPrintable(m_socket.errorString()));
        m_finished = true;
        return;
    }
    // Connected and written before returning: a request the test does not finish yet is at the gateway.
    m_socket.connectToHost(to.server, to.port);
    if (!m_socket.waitForConnected(10000)) {
        qWarning("connection to %s failed: %s", to.hostHeader().constData(), qPrintable(m_socket.errorString()));
        m_finished = true;
        return;
    }
    m_socket.write(request);
    m_socket.flush();
}

HttpResponse HttpRequest::finish(int timeoutMs)
{
    if (m_finished) {
        return {};
    }
    HttpResponse response;
    bool done = false;
    // True when there is nothing more to wait for.
    const auto consume = [&](bool closed) {
        m_data += m_socket.readAll();
        if (!done && parseHttpResponse(m_data, closed, response)) {
            done = true;
        }
        return done || closed;
    };
    if (!consume(m_socket.state() == QAbstractSocket::UnconnectedState)) {
        QEventLoop loop;
        QTimer timeout;
        timeout.setSingleShot(true);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, [&] {
            if (consume(false)) {
                loop.quit();
            }
        });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, [&] {
            consume(true);
            loop.quit();
        });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError error) {
            if (error == QAbstractSocket::RemoteHostClosedError) {
                consume(true);
            } else {
                qWarning("connection to %s failed: %s", m_to.hostHeader().constData(), qPrintable(m_socket.errorString()));
            }
            loop.quit();
        });
        QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
        timeout.start(timeoutMs);
        loop.exec();
    }
    m_finished = true;
    return done ? response : HttpResponse {};
}

HttpResponse httpRequest(const Endpoint &to, const QByteArray &method, const QByteArray &path, const QList<QByteArray> &headers,
                         const QByteArray &body)
{
    return HttpRequest(to, method, path, headers, body).finish();
}

// --- MCP ---

QByteArray bearer(const QByteArray &token)
{
    return "Authorization: Bearer " + token;
}

QByteArray rpcBody(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    return QJsonDocument(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method }, { u"params"_s, params } })
        .toJson(QJsonDocument::Compact);
}

QByteArray initializeBody(const QString &clientName)
{
    return rpcBody(0, u"initialize"_s,
                   QJsonObject { { u"protocolVersion"_s, u"2025-11-25"_s },
                                 { u"capabilities"_s, QJsonObject {} },
                                 { u"clientInfo"_s, QJsonObject { { u"name"_s, clientName }, { u"version"_s, u"1"_s } } } });
}

QByteArray callBody(const QJsonValue &id, const QString &tool, const QJsonObject &arguments, const QJsonValue &progressToken)
{
    QJsonObject params { { u"name"_s, tool }, { u"arguments"_s, arguments } };
    if (!progressToken.isNull()) {
        params.insert(u"_meta"_s, QJsonObject { { u"progressToken"_s, progressToken } });
    }
    return rpcBody(id, u"tools/call"_s, params);
}

QByteArray openSession(const Endpoint &to, const QList<QByteArray> &headers, const QString &clientName, HttpResponse *response)
{
    const HttpResponse r = httpRequest(to, "POST", "/mcp", headers, initializeBody(clientName));
    if (response) {
        *response = r;
    }
    if (r.status != 200 || !r.rpc().value(u"result"_s).isObject()) {
        return {};
    }
    return r.header("mcp-session-id");
}

// --- files ---

QList<QJsonObject> readAuditLog(const QString &path)
{
    QFile f(path);
    QList<QJsonObject> out;
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (const QJsonObject o = QJsonDocument::fromJson(line).object(); !o.isEmpty()) {
                out.append(o);
            }
        }
    }
    return out;
}

QJsonObject auditRecord(const QString &path, const QString &requestId, const QString &event, const QString &subject)
{
    for (const QJsonObject &o : readAuditLog(path)) {
        if (o.value(u"request_id"_s).toString() == requestId && o.value(u"event"_s).toString() == event
            && (subject.isEmpty() || o.value(u"subject"_s).toString() == subject)) {
            return o;
        }
    }
    return {};
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

// --- the gateway ---

GatewayProcess::GatewayProcess()
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process, [this] { m_log += m_process.readAllStandardError(); });
}

GatewayProcess::~GatewayProcess()
{
    stop();
}

QString GatewayProcess::binary()
{
    return qEnvironmentVariable("TAILOPS_GATEWAY");
}

QProcessEnvironment GatewayProcess::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (sharedSecret.isEmpty()) {
        env.remove(u"TAILOPS_SHARED_SECRET"_s);
    } else {
        env.insert(u"TAILOPS_SHARED_SECRET"_s, sharedSecret);
    }
    if (!auditPath.isEmpty()) {
        env.insert(u"TAILOPS_AUDIT_LOG"_s, auditPath);
    }
    return env;
}

bool GatewayProcess::start(const QStringList &listen, int timeoutMs)
{
    m_log.clear();
    m_error.clear();
    QStringList args { u"serve"_s, u"--config-dir"_s, configDir };
    for (const QString &address : listen) {
        args << u"--listen"_s << address;
    }
    m_process.setProcessEnvironment(environment());
    m_process.start(binary(), args);
    if (!m_process.waitForStarted(10000)) {
        m_error = u"%1 did not start: %2"_s.arg(binary(), m_process.errorString());
        return false;
    }
    const qsizetype expected = listen.size();
    const auto listening = [this, expected] { return m_log.count("listening on ") >= expected; };
    if (QTest::qWaitFor([&] { return listening() || m_process.state() == QProcess::NotRunning; }, timeoutMs) && listening()) {
        return true;
    }
    m_error = (m_process.state() == QProcess::NotRunning ? u"the gateway exited:\n"_s
                                                        : u"the gateway is not listening after %1 ms:\n"_s.arg(timeoutMs))
        + QString::fromUtf8(m_log);
    return false;
}

quint16 GatewayProcess::port(const QHostAddress &address) const
{
    const QRegularExpression re(u"listening on http://"_s + QRegularExpression::escape(urlHost(address)) + u":(\\d+)/mcp"_s);
    return quint16(re.match(QString::fromUtf8(m_log)).captured(1).toUInt());
}

Endpoint GatewayProcess::endpoint(const QHostAddress &address) const
{
    return { address, port(address) };
}

std::pair<int, QByteArray> GatewayProcess::cli(const QStringList &args, int timeoutMs) const
{
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(binary(), args + QStringList { u"--config-dir"_s, configDir });
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return { -1, p.readAllStandardOutput() + p.readAllStandardError() };
    }
    return { p.exitCode(), p.readAllStandardOutput() + p.readAllStandardError() };
}

void GatewayProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning) {
        return;
    }
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace TestSupport
