// The official MCP TypeScript SDK client (@modelcontextprotocol/sdk, pinned by tests/interop/package-lock.json)
// driven from a QtTest: tests/interop/mcp_driver.mjs runs on node, connects to the gateway over Streamable HTTP
// and serves requests written to its stdin as JSON lines. The SDK validates every tool result's
// structuredContent against the tool's outputSchema; a mismatch comes back as an error.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QString>

#include <functional>

namespace TestSupport {

class GatewayProcess;

// `tailops-gateway token mint` against GATEWAY's configuration (same secret and data dir): the token, or
// empty when minting failed.
QByteArray mintToken(const GatewayProcess &gateway, const QStringList &scopes, const QString &agent = QStringLiteral("tool-tests"));

// Waits until the gateway lists a pending approval (tailops-gateway approvals list --json) and returns it
// ({id, tool, target, arguments, ...}); empty when none came within TIMEOUTMS.
QJsonObject waitForApproval(const GatewayProcess &gateway, int timeoutMs = 15000);

class SdkClient
{
public:
    SdkClient() = default;
    ~SdkClient();
    Q_DISABLE_COPY_MOVE(SdkClient)

    // Starts node with the driver and connects to URL (http://127.0.0.1:PORT/mcp) with TOKEN as bearer
    // (none when empty). False, with errorString(), when node, the driver or the connection fails.
    bool start(const QString &url, const QByteArray &token, int timeoutMs = 30000);
    QString errorString() const { return m_error; }
    void stop(); // closes the session and ends node (by its PID)

    // A tools/call through Client.callTool. The answer is either
    //   { "result": CallToolResult }  (isError true for tool errors), or
    //   { "error": { "code": N, "message": "..." } }  (JSON-RPC errors, output-schema violations, timeouts).
    QJsonObject call(const QString &tool, const QJsonObject &arguments = {}, int timeoutMs = 60000);
    // The same without waiting: an id for wait() (an approval can be given meanwhile).
    int callAsync(const QString &tool, const QJsonObject &arguments = {});
    QJsonObject wait(int id, int timeoutMs = 60000);

    // Every tool the caller sees (all pages of tools/list), the raw tools/list JSON text of them, and other
    // requests: "readResource" {uri}, "listResources", "listPrompts", "getPrompt" {name, arguments}.
    QJsonArray listTools(int timeoutMs = 30000);
    QJsonObject request(const QString &op, const QJsonObject &params = {}, int timeoutMs = 30000);

    // Helpers on a call answer.
    static bool isToolError(const QJsonObject &answer);        // result.isError
    static QString text(const QJsonObject &answer);            // first text content, or error.message
    static QJsonObject structured(const QJsonObject &answer);  // result.structuredContent

private:
    int send(const QString &op, const QJsonObject &params);
    bool pump(int timeoutMs, const std::function<bool()> &done);
    void readLines();

    QProcess m_node;
    QByteArray m_buffer;
    QHash<int, QJsonObject> m_answers;
    QString m_error;
    int m_nextId = 1;
};

} // namespace TestSupport
