// The HTTP request path into the transport, end to end: raw bytes are written to a real HttpTransport
// (GuardedServer's connection guard -> QtHttpServer's parser -> Host / Origin / Accept / Content-Type /
// bearer token / Mcp-Session-Id checks -> JSON-RPC dispatch in Mcp::Server) listening on 127.0.0.1 in
// this process, with token authentication and one cheap tool. The input is one connection's bytes;
// "@TOKEN@" is replaced by a valid bearer token and "@SESSION@" by the id of a live session, so the
// fuzzer gets past authentication and session lookup. The client half-closes after writing and the
// harness runs the event loop until the server closes the connection (or 3 s pass).
// (hostOnly / acceptsAll / originAllowed / the connection guard are file-local or private: this is the
// only way to reach them.)
// Invariants: whatever comes back starts with an HTTP/1.1 status line and is never a 5xx; the server
// keeps answering a valid request afterwards (a ping every 256 inputs; a new session when an input closed
// ours with DELETE).
#include "auth/authenticator.h"
#include "auth/hmactoken.h"
#include "config/gatewayconfig.h"
#include "fuzz_support.h"
#include "http/httptransport.h"
#include "mcp/server.h"
#include "registry/targetregistry.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTcpSocket>

#include <sys/socket.h>

using namespace Tailops;

namespace {

const QByteArray kSecret = "fuzz-http-secret-0123456789abcdef";

struct Gateway
{
    std::unique_ptr<Registry::TargetRegistry> registry;
    std::unique_ptr<Mcp::Server> server;
    std::unique_ptr<Auth::TokenAuthenticator> auth;
    std::unique_ptr<Http::HttpTransport> transport;
    quint16 port = 0;
    QByteArray token;
    QByteArray session;
};

// True once REPLY holds a complete response (Content-Length body, or a chunked body's last chunk).
bool complete(const QByteArray &reply)
{
    const qsizetype end = reply.indexOf("\r\n\r\n");
    if (end < 0) {
        return false;
    }
    for (const QByteArray &line : reply.left(end).split('\n')) {
        const QByteArray l = line.toLower();
        if (l.startsWith("content-length:")) {
            return reply.size() - end - 4 >= line.mid(15).trimmed().toLongLong();
        }
        if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
            return reply.endsWith("0\r\n\r\n");
        }
    }
    return false;
}

// Sends BYTES on a fresh connection and collects what comes back until a response is complete, the
// server closes, or nothing happened for IDLEMS; then half-closes (the server drops the connection on
// EOF) and drains. An SSE stream is cut after the idle time.
QByteArray exchange(quint16 port, const QByteArray &bytes, int idleMs = 25, int timeoutMs = 3000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000)) {
        std::fprintf(stderr, "fuzz_http: cannot connect to the transport\n");
        std::abort();
    }
    socket.write(bytes);
    while (socket.bytesToWrite() > 0 && socket.waitForBytesWritten(1000)) {
    }
    QByteArray reply;
    QElapsedTimer timer, idle;
    timer.start();
    idle.start();
    bool halfClosed = false;
    while (timer.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
        if (socket.bytesAvailable() > 0 || socket.waitForReadyRead(1)) {
            reply += socket.readAll();
            idle.restart();
        }
        if (socket.state() != QAbstractSocket::ConnectedState) {
            reply += socket.readAll();
            break;
        }
        if (complete(reply)) {
            break;
        }
        if (!halfClosed && idle.elapsed() > idleMs) {
            ::shutdown(int(socket.socketDescriptor()), SHUT_WR);
            halfClosed = true;
        }
    }
    socket.abort();
    QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
    return reply;
}

QByteArray post(const Gateway &g, const QByteArray &body, bool withSession)
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + g.token
        + "\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        + (withSession ? QByteArray("Mcp-Session-Id: " + g.session + "\r\nMCP-Protocol-Version: 2025-11-25\r\n")
                       : QByteArray())
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Opens a session (initialize + notifications/initialized) and remembers its id.
void openSession(Gateway &g)
{
    g.session.clear();
    const QByteArray init = exchange(
        g.port,
        post(g,
             R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})",
             false), 1000);
    for (const QByteArray &line : init.split('\n')) {
        if (line.toLower().startsWith("mcp-session-id:")) {
            g.session = line.mid(15).trimmed();
        }
    }
    if (g.session.isEmpty()) {
        std::fprintf(stderr, "fuzz_http: initialize failed:\n%s\n", init.constData());
        std::abort();
    }
    exchange(g.port, post(g, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", true), 1000);
}

Gateway *gateway()
{
    static Gateway *g = [] {
        auto *gw = new Gateway;
        gw->registry = std::make_unique<Registry::TargetRegistry>();
        gw->server = std::make_unique<Mcp::Server>(*gw->registry);
        Mcp::Tool echo;
        echo.name = QStringLiteral("echo_path");
        echo.description = QStringLiteral("Echoes a normalised path");
        echo.scope = QStringLiteral("readonly");
        echo.takesTarget = false;
        echo.blocking = false;
        echo.pathArguments = { QStringLiteral("path") };
        echo.inputSchema = QJsonDocument::fromJson(
            R"({"type":"object","properties":{"path":{"type":"string"},"n":{"type":"integer","minimum":0,"maximum":9}},"required":["path"],"additionalProperties":false})")
                               .object();
        echo.run = [](const Mcp::ToolContext &ctx) {
            Mcp::ToolResult r;
            r.text = ctx.arguments.value(QStringLiteral("path")).toString();
            return r;
        };
        gw->server->addTool(echo);
        gw->auth = std::make_unique<Auth::TokenAuthenticator>(kSecret);
        Config::GatewayConfig config;
        QString error;
        config.listen = { *Config::parseListenAddress(QStringLiteral("127.0.0.1:0"), &error) };
        config.maxRequestBytes = 64 * 1024;
        config.maxHeaderBytes = 8 * 1024;
        config.headerTimeoutSeconds = 2;
        config.maxSessions = 1000000; // 503 "too many sessions" is a deliberate refusal, not a finding
        config.sessionTimeoutSeconds = 120;
        config.sseAfterMs = 200;
        config.allowedHosts = { QStringLiteral("gateway.example.ts.net") };
        config.allowedOrigins = { QStringLiteral("https://console.example.ts.net") };
        gw->transport = std::make_unique<Http::HttpTransport>(*gw->server, config, gw->auth.get());
        const auto urls = gw->transport->listen();
        if (!urls) {
            std::fprintf(stderr, "fuzz_http: listen failed: %s\n", qPrintable(urls.error().toString()));
            std::abort();
        }
        gw->port = quint16(urls->first().port());
        if (qEnvironmentVariableIsSet("FUZZ_HTTP_DEBUG")) {
            qInstallMessageHandler(nullptr);
            QLoggingCategory::setFilterRules(QStringLiteral("*=true"));
        }
        gw->token = Auth::mintToken({ QStringLiteral("fuzzer"), { QStringLiteral("admin") }, {}, 30 * 86400 }, kSecret,
                                    QDateTime::currentDateTimeUtc());
        openSession(*gw);
        return gw;
    }();
    return g;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    gateway();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 96 * 1024) {
        return -1;
    }
    Gateway *g = gateway();
    QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    bytes.replace("@TOKEN@", g->token);
    bytes.replace("@SESSION@", g->session);
    const QByteArray reply = exchange(g->port, bytes);
    static const bool print = qEnvironmentVariableIsSet("FUZZ_HTTP_PRINT");
    if (print) {
        std::fprintf(stderr, "---- reply:\n%s\n", reply.left(1000).constData());
    }
    if (!reply.isEmpty()) {
        FUZZ_CHECK(reply.startsWith("HTTP/1.1 "), QString::fromLatin1(reply.left(300)));
        const int status = reply.mid(9, 3).toInt();
        FUZZ_CHECK(status >= 100 && status < 500, QString::fromLatin1(reply.left(600)));
    }
    static int count = 0;
    if (++count % 256 == 0) {
        QByteArray ping = exchange(g->port, post(*g, R"({"jsonrpc":"2.0","id":"p","method":"ping"})", true), 1000);
        if (ping.startsWith("HTTP/1.1 404")) { // an input closed the session (DELETE): open another
            openSession(*g);
            ping = exchange(g->port, post(*g, R"({"jsonrpc":"2.0","id":"p","method":"ping"})", true), 1000);
        }
        FUZZ_CHECK(ping.startsWith("HTTP/1.1 200"), QString::fromLatin1(ping.left(600)));
    }
    return 0;
}
