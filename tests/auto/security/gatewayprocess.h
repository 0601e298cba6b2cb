// Scaffolding shared by the security integration tests (tst_securitygate, tst_oauthgateway,
// tst_tailnetgateway): the real tailops-gateway binary (TAILOPS_GATEWAY) as a child process, raw HTTP/1.1
// requests to it over QTcpSocket, the MCP request bodies they carry, and the JSONL audit log it writes.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTcpSocket>

#include <utility>

namespace TestSupport {

// How an address appears in a URL or a Host header: IPv6 in brackets.
QString urlHost(const QHostAddress &address);

// Where a request goes and where it comes from.
struct Endpoint
{
    Endpoint(const QHostAddress &serverAddress, quint16 serverPort, const QHostAddress &sourceAddress = {})
        : server(serverAddress), port(serverPort), source(sourceAddress)
    {
    }
    static Endpoint loopback(quint16 port) { return { QHostAddress(QHostAddress::LocalHost), port }; }

    QHostAddress server;
    quint16 port = 0;
    QHostAddress source; // when set, bound before connecting: the peer address the gateway sees

    QByteArray hostHeader() const; // HOST:PORT
};

struct HttpResponse
{
    int status = 0;                        // 0: no (complete) answer
    QByteArray head;                       // the status line and the header lines, as received
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;                       // chunked framing removed

    QByteArray header(QByteArrayView name) const; // any case; empty when absent
    QJsonObject json() const;                     // the body as a JSON object

    // JSON-RPC: the message answering the request (the body, or the last SSE event carrying an id), its
    // error message or first text content (else the whole body), whether it is a tool error result, and
    // its JSON-RPC error code (0 when none).
    QJsonObject rpc() const;
    QString text() const;
    bool isToolError() const;
    int rpcCode() const;
};

// Parses one HTTP/1.1 response; false while more bytes are needed. The body ends at its Content-Length
// or the last chunk (QtHttpServer keeps the connection open); without either, when the server closes.
bool parseHttpResponse(const QByteArray &data, bool closed, HttpResponse &out);

// One request on its own connection, written when constructed; finish() waits for the answer with the
// event loop running (a fake service living in the test process must be able to answer the gateway
// meanwhile). A request left unfinished may wait at the gateway (an approval) while the test acts.
class HttpRequest
{
public:
    HttpRequest(const Endpoint &to, const QByteArray &method, const QByteArray &path, const QList<QByteArray> &headers,
                const QByteArray &body = {});
    Q_DISABLE_COPY_MOVE(HttpRequest)

    HttpResponse finish(int timeoutMs = 20000);

private:
    Endpoint m_to;
    QTcpSocket m_socket;
    QByteArray m_data;
    bool m_finished = false; // answered once, or failed
};

HttpResponse httpRequest(const Endpoint &to, const QByteArray &method, const QByteArray &path, const QList<QByteArray> &headers,
                         const QByteArray &body = {});

// MCP over the requests above.
QByteArray bearer(const QByteArray &token); // the Authorization header line
QByteArray rpcBody(const QJsonValue &id, const QString &method, const QJsonObject &params = {});
QByteArray initializeBody(const QString &clientName);
QByteArray callBody(const QJsonValue &id, const QString &tool, const QJsonObject &arguments = {},
                    const QJsonValue &progressToken = {}); // null: no _meta.progressToken
// POST /mcp initialize; the session id, empty unless answered 200 with a result (the response goes to
// *response when given).
QByteArray openSession(const Endpoint &to, const QList<QByteArray> &headers, const QString &clientName,
                       HttpResponse *response = nullptr);

// The JSONL audit log: every record, and the first with this request id and event (and subject, if given).
QList<QJsonObject> readAuditLog(const QString &path);
QJsonObject auditRecord(const QString &path, const QString &requestId, const QString &event, const QString &subject = {});

bool writeFile(const QString &path, const QByteArray &content);

// `tailops-gateway serve` on a configuration directory. Its stderr is collected into log() whenever the
// event loop runs; stopped (terminate, then kill) when destroyed.
class GatewayProcess
{
public:
    GatewayProcess();
    ~GatewayProcess();
    Q_DISABLE_COPY_MOVE(GatewayProcess)

    QString configDir;
    QString auditPath;    // TAILOPS_AUDIT_LOG (left as inherited when empty)
    QString sharedSecret; // TAILOPS_SHARED_SECRET (removed from the environment when empty)

    static QString binary(); // $TAILOPS_GATEWAY
    QProcessEnvironment environment() const;

    // Starts it listening on each address and waits for one "listening on http://HOST:PORT/mcp" line per
    // address; false (see errorString()) when it does not start or does not get that far.
    bool start(const QStringList &listen = { QStringLiteral("127.0.0.1:0") }, int timeoutMs = 20000);
    QString errorString() const { return m_error; }
    const QByteArray &log() const { return m_log; } // stderr so far

    // The port it reported listening on at this address (0: none); that address and port.
    quint16 port(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost)) const;
    Endpoint endpoint(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost)) const;

    // Runs `tailops-gateway ARGS --config-dir DIR` with the same environment: exit code (-1 if it did not
    // finish), stdout followed by stderr.
    std::pair<int, QByteArray> cli(const QStringList &args, int timeoutMs = 20000) const;

    void stop(); // terminate; kill when it does not finish within 10 s
    void terminate() { m_process.terminate(); }
    bool waitForFinished(int msecs) { return m_process.waitForFinished(msecs); }
    QProcess::ProcessState state() const { return m_process.state(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    qint64 processId() const { return m_process.processId(); }

private:
    QProcess m_process;
    QByteArray m_log;
    QString m_error;
};

} // namespace TestSupport
