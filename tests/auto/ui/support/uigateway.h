#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace Tailops::Service {
class GatewayService;
}

class QNetworkReply;

namespace Tailops::Tests {

// The whole gateway in the test process, as the console runs it: a temporary config directory (gateway.yaml
// listening on 127.0.0.1 port 0, a secret, targets.yaml, optional policy.yaml, the token registry and the audit
// log inside it), targets loaded, the audit log open and Streamable HTTP started.
class UiGateway final
{
    Q_DISABLE_COPY_MOVE(UiGateway)

public:
    struct Options
    {
        QByteArray targetsYaml = "targets:\n  local:\n    type: local\n    tags: [local]\n";
        QByteArray policyYaml;       // empty: no policy.yaml
        QByteArray gatewayYamlExtra; // appended to gateway.yaml (top-level keys other than listen/auth/audit)
    };

    UiGateway();
    ~UiGateway();

    bool start(const Options &options);
    bool start() { return start(Options {}); }
    QString error() const { return m_error; }

    Service::GatewayService &gateway() { return *m_gateway; }
    QString configDir() const { return m_dir.path(); }
    QUrl mcpUrl() const;
    // Mints a token (2 h) with SCOPES for AGENT, recorded in the token registry as `token mint` does.
    QByteArray mint(const QStringList &scopes, const QString &agent = QStringLiteral("test-agent"));

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::GatewayService> m_gateway;
    QString m_error;
};

// One tools/call in flight (startCallTool): finished() once the answer (JSON or SSE) is in.
class PendingCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PendingCall)

public:
    PendingCall(QNetworkReply *reply, int id, QObject *parent);
    ~PendingCall() override;

    bool isFinished() const { return m_finished; }
    // The JSON-RPC response (result or error); {"transport_error": ...} when HTTP failed.
    QJsonObject result() const { return m_result; }
    int httpStatus() const { return m_status; }
    // Waits (the event loop keeps running) until finished or TIMEOUTMS pass.
    bool wait(int timeoutMs = 10000);

Q_SIGNALS:
    void finished();

private:
    void onFinished();

    QPointer<QNetworkReply> m_reply;
    int m_id = 0;
    bool m_finished = false;
    int m_status = 0;
    QJsonObject m_result;
};

// A minimal MCP Streamable HTTP client for in-process tests (the official SDK client is used by the tool tests).
class McpHttpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpHttpClient)

public:
    McpHttpClient(QUrl url, QByteArray token, QObject *parent = nullptr);

    // initialize + notifications/initialized; false when refused (lastStatus() has the HTTP status).
    bool initialize(const QString &clientName = QStringLiteral("tailops-ui-test"));
    QString sessionId() const { return QString::fromLatin1(m_session); }
    int lastStatus() const { return m_lastStatus; }

    // Sends one request and waits for its response (the event loop keeps running).
    QJsonObject request(const QString &method, const QJsonObject &params = {}, int timeoutMs = 10000);
    QJsonObject callTool(const QString &tool, const QJsonObject &arguments, int timeoutMs = 10000);
    PendingCall *startRequest(const QString &method, const QJsonObject &params);
    PendingCall *startCallTool(const QString &tool, const QJsonObject &arguments);
    // DELETE on the session.
    bool close(int timeoutMs = 5000);

    // result.isError or a JSON-RPC error.
    static bool isError(const QJsonObject &response);
    // result.content[0].text, or error.message.
    static QString text(const QJsonObject &response);

private:
    QNetworkReply *post(const QJsonObject &message);

    QNetworkAccessManager m_nam;
    QUrl m_url;
    QByteArray m_token;
    QByteArray m_session;
    int m_nextId = 1;
    int m_lastStatus = 0;
};

} // namespace Tailops::Tests
