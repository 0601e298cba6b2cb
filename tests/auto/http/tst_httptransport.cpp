// The Streamable HTTP transport over real sockets: every refusal with its exact status and code, sessions,
// SSE, limits, slow clients and TLS.
#include "auth/authenticator.h"
#include "auth/hmactoken.h"
#include "config/gatewayconfig.h"
#include "http/httptransport.h"
#include "mcp/server.h"
#include "registry/targetregistry.h"
#include "tools/builtintools.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Tailops;

namespace {

const QByteArray kSecret = "test-secret-0123456789abcdef";

struct Reply
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool closed = false;
};

// Sends REQUEST as-is and reads one response (Content-Length, chunked, or until close).
Reply exchange(QTcpSocket &socket, const QByteArray &request, int timeoutMs = 5000)
{
    Reply r;
    socket.write(request);
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    qsizetype headerEnd = -1;
    while (timer.elapsed() < timeoutMs) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(100)) {
            if (socket.state() != QAbstractSocket::ConnectedState) {
                r.closed = true;
                data += socket.readAll();
                break;
            }
            continue;
        }
        data += socket.readAll();
        if (headerEnd < 0) {
            headerEnd = data.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                continue;
            }
            const QList<QByteArray> lines = data.left(headerEnd).split('\n');
            r.status = lines.value(0).split(' ').value(1).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                r.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
            }
        }
        const QByteArray body = data.mid(headerEnd + 4);
        if (r.headers.contains("content-length") && body.size() >= r.headers.value("content-length").toLongLong()) {
            r.body = body;
            return r;
        }
        if (r.headers.value("transfer-encoding") == "chunked" && body.endsWith("0\r\n\r\n")) {
            // de-chunk
            qsizetype pos = 0;
            while (pos < body.size()) {
                const qsizetype eol = body.indexOf("\r\n", pos);
                const int size = body.mid(pos, eol - pos).toInt(nullptr, 16);
                if (size == 0) {
                    break;
                }
                r.body += body.mid(eol + 2, size);
                pos = eol + 2 + size + 2;
            }
            return r;
        }
    }
    if (headerEnd >= 0) {
        r.body = data.mid(headerEnd + 4);
    } else if (r.status == 0 && data.startsWith("HTTP/1.1")) {
        r.status = data.split(' ').value(1).toInt();
    }
    return r;
}

int rpcCode(const Reply &r)
{
    return QJsonDocument::fromJson(r.body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt();
}

QByteArray initializeBody()
{
    return R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}})";
}

} // namespace

class TestHttpTransport final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Registry::TargetRegistry> m_registry;
    std::unique_ptr<Mcp::Server> m_server;
    std::unique_ptr<Auth::TokenAuthenticator> m_auth;
    std::unique_ptr<Http::HttpTransport> m_transport;
    quint16 m_port = 0;
    QByteArray m_token;
    QByteArray m_otherToken;
    QByteArray m_session;

    QByteArray post(const QByteArray &body, const QList<QByteArray> &extraHeaders = {}, bool withAuth = true,
                    bool withSession = true, const QByteArray &host = {})
    {
        QByteArray r = "POST /mcp HTTP/1.1\r\nHost: " + (host.isEmpty() ? "127.0.0.1:" + QByteArray::number(m_port) : host)
            + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
        if (withAuth) {
            r += "Authorization: Bearer " + m_token + "\r\n";
        }
        if (withSession && !m_session.isEmpty()) {
            r += "Mcp-Session-Id: " + m_session + "\r\n";
        }
        for (const QByteArray &h : extraHeaders) {
            r += h + "\r\n";
        }
        return r + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

    Reply send(const QByteArray &raw, int timeoutMs = 5000)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(2000)) {
            return {};
        }
        return exchange(socket, raw, timeoutMs);
    }

    Reply sendAsync(const QByteArray &raw, int timeoutMs = 5000)
    {
        // The server runs on this thread: pump its events while waiting.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        for (int i = 0; i < 200 && socket.state() != QAbstractSocket::ConnectedState; ++i) {
            QTest::qWait(10);
        }
        socket.write(raw);
        QByteArray data;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            QTest::qWait(10);
            data += socket.readAll();
            const qsizetype end = data.indexOf("\r\n\r\n");
            if (end >= 0 && (data.contains("Content-Length:") ? data.size() >= end + 4 + data.mid(data.indexOf("Content-Length:") + 15, 12).trimmed().split('\r').value(0).toInt()
                                                              : data.endsWith("0\r\n\r\n"))) {
                break;
            }
            if (socket.state() != QAbstractSocket::ConnectedState) {
                break;
            }
        }
        Reply r;
        r.closed = socket.state() != QAbstractSocket::ConnectedState;
        const qsizetype end = data.indexOf("\r\n\r\n");
        const QList<QByteArray> lines = data.left(end).split('\n');
        r.status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            r.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
        }
        r.body = end >= 0 ? data.mid(end + 4) : QByteArray();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_registry = std::make_unique<Registry::TargetRegistry>();
        m_server = std::make_unique<Mcp::Server>(*m_registry);
        Tools::registerBuiltinTools(*m_server);
        Mcp::Tool slow; // answers after its client may have gone
        slow.name = QStringLiteral("slow_tool");
        slow.description = QStringLiteral("sleeps 300 ms");
        slow.inputSchema = QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } };
        slow.takesTarget = false;
        slow.run = [](const Mcp::ToolContext &) {
            QThread::msleep(300);
            Mcp::ToolResult r;
            r.text = QStringLiteral("done");
            return r;
        };
        QVERIFY(m_server->addTool(slow));
        m_auth = std::make_unique<Auth::TokenAuthenticator>(kSecret);
        Config::GatewayConfig config;
        QString error;
        config.listen = { *Config::parseListenAddress(QStringLiteral("127.0.0.1:0"), &error) };
        config.maxRequestBytes = 64 * 1024;
        config.headerTimeoutSeconds = 1;
        config.allowedHosts = { QStringLiteral("gateway.example.ts.net") };
        config.allowedOrigins = { QStringLiteral("https://console.example.ts.net") };
        m_transport = std::make_unique<Http::HttpTransport>(*m_server, config, m_auth.get());
        const auto urls = m_transport->listen();
        QVERIFY2(urls.has_value(), qPrintable(urls ? QString() : urls.error().toString()));
        m_port = quint16(urls->first().port());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_token = Auth::mintToken({ QStringLiteral("agent-a"), { QStringLiteral("admin") }, {}, 3600 }, kSecret, now);
        m_otherToken = Auth::mintToken({ QStringLiteral("agent-b"), { QStringLiteral("admin") }, {}, 3600 }, kSecret, now);
        const Reply init = sendAsync(post(initializeBody(), {}, true, false));
        QCOMPARE(init.status, 200);
        m_session = init.headers.value("mcp-session-id");
        QCOMPARE(m_session.size(), 32);
        for (char c : m_session) {
            QVERIFY(c >= 0x21 && c <= 0x7e); // visible ASCII
        }
        const Reply initialized = sendAsync(post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
        QCOMPARE(initialized.status, 202);
        QVERIFY(initialized.body.isEmpty());
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::addColumn<QByteArray>("fragment");

        const QByteArray list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
        QTest::newRow("no token") << post(list, {}, false) << 401 << 0 << QByteArray("missing token");
        QByteArray noAuth = post(list, {}, false);
        QTest::newRow("wrong scheme") << post(list, { "Authorization: Basic dXNlcjpwYXNz" }, false) << 401 << 0 << QByteArray("missing token");
        QTest::newRow("garbage token") << post(list, { "Authorization: Bearer not-a-token" }, false) << 401 << 0 << QByteArray("malformed token");
        const QByteArray forged = m_token.left(m_token.indexOf('.')) + '.' + QByteArray(64, 'a');
        QTest::newRow("forged signature") << post(list, { "Authorization: Bearer " + forged }, false) << 401 << 0 << QByteArray("invalid token signature");
        const QByteArray expired = Auth::mintToken({ QStringLiteral("old"), { QStringLiteral("admin") }, {}, 1 }, kSecret,
                                                   QDateTime::currentDateTimeUtc().addSecs(-10));
        QTest::newRow("expired token") << post(list, { "Authorization: Bearer " + expired }, false) << 401 << 0 << QByteArray("token expired");
        const QByteArray otherSecret = Auth::mintToken({ QStringLiteral("x"), { QStringLiteral("admin") }, {}, 60 }, "another-secret-0123456789",
                                                       QDateTime::currentDateTimeUtc());
        QTest::newRow("other secret") << post(list, { "Authorization: Bearer " + otherSecret }, false) << 401 << 0 << QByteArray("invalid token signature");
        QTest::newRow("foreign host") << post(initializeBody(), {}, true, false, "evil.example.com") << 403 << -32000 << QByteArray("evil.example.com");
        QTest::newRow("foreign host with port") << post(list, {}, true, true, "evil.example.com:8080") << 403 << -32000 << QByteArray("not allowed");
        QTest::newRow("foreign origin") << post(list, { "Origin: http://evil.example.com" }) << 403 << -32000 << QByteArray("Origin");
        QTest::newRow("null origin") << post(list, { "Origin: null" }) << 403 << -32000 << QByteArray("Origin");
        QTest::newRow("wrong content type") << QByteArray(post(list).replace("Content-Type: application/json", "Content-Type: text/plain")) << 415 << -32000 << QByteArray("Content-Type");
        QTest::newRow("no SSE in accept") << QByteArray(post(list).replace("Accept: application/json, text/event-stream", "Accept: application/json")) << 406 << -32000 << QByteArray("Not Acceptable");
        QTest::newRow("malformed JSON") << post("{\"jsonrpc\":\"2.0\",") << 400 << -32700 << QByteArray("Parse error");
        QTest::newRow("batch") << post("[" + list + "]") << 400 << -32600 << QByteArray("batch");
        QTest::newRow("not an object") << post("42") << 400 << -32600 << QByteArray("Invalid Request");
        QTest::newRow("no jsonrpc") << post(R"({"id":3,"method":"ping"})") << 400 << -32600 << QByteArray("jsonrpc");
        QTest::newRow("null id") << post(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << 400 << -32600 << QByteArray("id");
        QTest::newRow("params array") << post(R"({"jsonrpc":"2.0","id":3,"method":"ping","params":[1]})") << 400 << -32602 << QByteArray("params");
        QTest::newRow("bad protocol version") << post(list, { "MCP-Protocol-Version: 1999-01-01" }) << 400 << -32000 << QByteArray("Unsupported protocol version");
        QTest::newRow("missing session") << post(list, {}, true, false) << 400 << -32000 << QByteArray("Mcp-Session-Id");
        QTest::newRow("unknown session") << QByteArray(post(list, { "Mcp-Session-Id: 0123456789abcdef0123456789abcdef" }, true, false)) << 404 << -32001 << QByteArray("Session not found");
        QTest::newRow("initialize with session") << post(initializeBody()) << 400 << -32600 << QByteArray("initialize");
        QTest::newRow("put") << QByteArray("PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n") << 405 << -32000 << QByteArray("Method not allowed");
        QTest::newRow("unknown path") << QByteArray("GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 404 << 0 << QByteArray("not found");
        QTest::newRow("too large by header") << QByteArray("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{") << 413 << -32000 << QByteArray("too large");
        QTest::newRow("headers too large") << QByteArray("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + QByteArray(20000, 'x') + "\r\n\r\n") << 431 << -32000 << QByteArray("headers");
        QTest::newRow("bad content length") << QByteArray("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n") << 400 << -32000 << QByteArray("Content-Length");
        QTest::newRow("get without sse accept") << QByteArray("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nAuthorization: Bearer " + m_token + "\r\n\r\n") << 406 << -32000 << QByteArray("text/event-stream");
        Q_UNUSED(noAuth)
    }

    void refusals()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(int, code);
        QFETCH(QByteArray, fragment);
        const Reply r = sendAsync(request);
        QCOMPARE(r.status, status);
        if (code != 0) {
            QCOMPARE(rpcCode(r), code);
        }
        QVERIFY2(r.body.contains(fragment), r.body.constData());
        if (status == 401) {
            QVERIFY(r.headers.value("www-authenticate").startsWith("Bearer"));
            QVERIFY(!r.body.contains(m_token.left(20))); // the token is never echoed
        }
        if (status == 405) {
            QCOMPARE(r.headers.value("allow"), QByteArray("GET, POST, DELETE"));
        }
        // The server is still alive after each refusal.
        QCOMPARE(sendAsync("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status, 200);
    }

    void allowedHostsAndOrigins()
    {
        const QByteArray list = R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})";
        QCOMPARE(sendAsync(post(list, {}, true, true, "localhost:" + QByteArray::number(m_port))).status, 200);
        QCOMPARE(sendAsync(post(list, {}, true, true, "gateway.example.ts.net")).status, 200);
        QCOMPARE(sendAsync(post(list, { "Origin: http://127.0.0.1:" + QByteArray::number(m_port) })).status, 200);
        QCOMPARE(sendAsync(post(list, { "Origin: https://console.example.ts.net" })).status, 200);
    }

    void sessionBelongsToItsAgent()
    {
        QByteArray r = post(R"({"jsonrpc":"2.0","id":8,"method":"tools/list"})");
        r.replace(QByteArray("Bearer " + m_token), QByteArray("Bearer " + m_otherToken));
        const Reply reply = sendAsync(r);
        QCOMPARE(reply.status, 404);
        QCOMPARE(rpcCode(reply), -32001);
    }

    void progressStreamsAsSse()
    {
        const Reply r = sendAsync(post(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_system_status","_meta":{"progressToken":"t9"}}})"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), QByteArray("text/event-stream"));
        QCOMPARE(r.headers.value("mcp-session-id"), m_session);
        const qsizetype progress = r.body.indexOf("notifications/progress");
        const qsizetype result = r.body.indexOf("\"id\":9");
        QVERIFY(progress > 0);
        QVERIFY(result > progress); // progress events come before the response, on the same stream
        QCOMPARE(r.body.count("event: message"), 5);
    }

    void quickCallsAnswerJson()
    {
        const Reply r = sendAsync(post(R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"list_targets","arguments":{}}})"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(o.value(QStringLiteral("id")).toInt(), 10);
        QVERIFY(o.value(QStringLiteral("result")).toObject().contains(QStringLiteral("structuredContent")));
    }

    // Regression (bench/load): a client that closes its connection while its call runs must not crash the
    // gateway when the answer is ready (the responder's socket pointer dangles by then).
    void clientGoneBeforeAnswer()
    {
        for (int i = 0; i < 3; ++i) {
            QTcpSocket gone;
            gone.connectToHost(QHostAddress::LocalHost, m_port);
            QVERIFY(gone.waitForConnected(2000));
            gone.write(post(R"({"jsonrpc":"2.0","id":"gone","method":"tools/call","params":{"name":"slow_tool","arguments":{}}})"));
            QVERIFY(gone.waitForBytesWritten(2000));
            QTest::qWait(50);
            gone.setSocketOption(QAbstractSocket::LowDelayOption, 1);
            gone.abort(); // gone before the answer
        }
        QTest::qWait(700); // the answers are ready and find no client
        const Reply after = sendAsync(post(R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"list_targets","arguments":{}}})"));
        QCOMPARE(after.status, 200);
    }

    void standaloneStreamIsSingle()
    {
        QTcpSocket first;
        first.connectToHost(QHostAddress::LocalHost, m_port);
        QTRY_VERIFY(first.state() == QAbstractSocket::ConnectedState);
        const QByteArray get = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + m_token
            + "\r\nMcp-Session-Id: " + m_session + "\r\n\r\n";
        first.write(get);
        QTRY_VERIFY_WITH_TIMEOUT(first.peek(4096).contains("stream open"), 3000);
        QVERIFY(first.peek(4096).contains("text/event-stream"));
        const Reply second = sendAsync(get);
        QCOMPARE(second.status, 409);
    }

    void slowHeadersAreCut()
    {
        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, m_port);
        QTRY_VERIFY(slow.state() == QAbstractSocket::ConnectedState);
        slow.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // never finishes its headers
        // Others are served meanwhile.
        QCOMPARE(sendAsync("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(slow.state() != QAbstractSocket::ConnectedState, 4000);
        QVERIFY(slow.readAll().startsWith("HTTP/1.1 408"));
    }

    void deleteEndsSession()
    {
        const Reply init = sendAsync(post(initializeBody(), {}, true, false));
        const QByteArray id = init.headers.value("mcp-session-id");
        QVERIFY(!id.isEmpty());
        const QByteArray del = "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_token + "\r\nMcp-Session-Id: " + id + "\r\n\r\n";
        QCOMPARE(sendAsync(del).status, 200);
        QCOMPARE(sendAsync(del).status, 404);
        QByteArray after = post(R"({"jsonrpc":"2.0","id":11,"method":"ping"})", { "Mcp-Session-Id: " + id }, true, false);
        QCOMPARE(sendAsync(after).status, 404);
    }

    void keepAliveServesSeveralRequests()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QTRY_VERIFY(socket.state() == QAbstractSocket::ConnectedState);
        for (int i = 0; i < 3; ++i) {
            socket.write(post(R"({"jsonrpc":"2.0","id":12,"method":"ping"})"));
            QTRY_VERIFY_WITH_TIMEOUT(socket.peek(8192).contains("\"result\":{}"), 3000);
            socket.readAll();
        }
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }

    void noAuthOnlyOnLoopback()
    {
        Config::GatewayConfig config;
        QString error;
        config.listen = { *Config::parseListenAddress(QStringLiteral("0.0.0.0:0"), &error) };
        Http::HttpTransport open(*m_server, config, nullptr);
        const auto result = open.listen();
        QVERIFY(!result.has_value());
        QVERIFY(result.error().message.contains(QStringLiteral("without authentication")));
    }

    void tlsServesHttps()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("tls.crt"));
        const QString key = dir.filePath(QStringLiteral("tls.key"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                                                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                                                   QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                                                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1") });
        if (!openssl.waitForFinished(20000) || openssl.exitCode() != 0) {
            QSKIP("openssl command not available");
        }
        Config::GatewayConfig config;
        QString error;
        config.listen = { *Config::parseListenAddress(QStringLiteral("127.0.0.1:0"), &error) };
        config.tlsCertificate = cert;
        config.tlsKey = key;
        Http::HttpTransport tls(*m_server, config, m_auth.get());
        const auto urls = tls.listen();
        QVERIFY(urls.has_value());
        QCOMPARE(urls->first().scheme(), QStringLiteral("https"));
        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(urls->first().port()));
        QTRY_VERIFY_WITH_TIMEOUT(socket.isEncrypted(), 5000);
        socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(socket.peek(4096).contains("\"status\":\"ok\""), 5000);
        QVERIFY(socket.readAll().startsWith("HTTP/1.1 200"));
    }
};

QTEST_GUILESS_MAIN(TestHttpTransport)
#include "tst_httptransport.moc"
