#pragma once

#include "auth/caller.h"
#include "callauditor.h"
#include "jsonrpc.h"
#include "tool.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>

#include <memory>
#include <optional>

namespace Tailops::Mcp {

class Server;

// Where the messages caused by one incoming request go: notifications related to it (progress, log
// messages), then exactly one response, or abandon() when the request was cancelled. Implemented by each
// transport; used on the session's thread only.
class Outbox
{
public:
    virtual ~Outbox() = default;
    virtual void notify(const QJsonObject &notification) = 0;
    virtual void respond(const QJsonObject &response) = 0;
    virtual void abandon() = 0;
    // The request was refused by a rate limit, quota or concurrency cap. HTTP answers 429 with Retry-After
    // (when nothing was streamed yet); the default just sends the JSON-RPC error.
    virtual void limited(qint64 retryAfterSeconds, const QJsonObject &errorResponse)
    {
        Q_UNUSED(retryAfterSeconds);
        respond(errorResponse);
    }
    // The caller lacks SCOPE for the tool. HTTP with OAuth answers 403 insufficient_scope so the client can
    // ask for it (step-up); the default sends the tool error result.
    virtual void insufficientScope(const QString &scope, const QJsonObject &toolErrorResponse)
    {
        Q_UNUSED(scope);
        respond(toolErrorResponse);
    }
};

using OutboxPtr = std::shared_ptr<Outbox>;

// One MCP session: lifecycle, negotiated version, log level, requests in flight. Methods dispatch from an
// explicit table; blocking tools run on the server's pool and answer on this object's thread.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    Session(Server &server, Auth::Caller caller, QObject *parent = nullptr);
    ~Session() override;

    void handle(const Message &message, const OutboxPtr &outbox);

    // Notifications unrelated to any request (e.g. logging outside a call); dropped when unset.
    void setUnsolicitedSink(std::function<void(const QJsonObject &)> sink);

    bool isInitialized() const { return m_initialized; }
    QString protocolVersion() const { return m_protocolVersion; }
    QString clientName() const { return m_clientName; }
    const Auth::Caller &caller() const { return m_caller; }
    // The caller as authenticated for the request about to be handled: every HTTP request carries its own
    // token, and the session acts with that token's scopes (a session is never a capability of its own).
    void setCaller(Auth::Caller caller) { m_caller = std::move(caller); }
    qsizetype inFlight() const { return m_calls.size() + m_pending.size() + m_answering; }

    // Cancels every call in flight (the session is closing).
    void cancelAll();

Q_SIGNALS:
    void drained(); // no call in flight any more

private:
    struct Call;
    using RequestHandler = void (Session::*)(const Message &, const OutboxPtr &);
    using NotificationHandler = void (Session::*)(const Message &);
    static const QHash<QString, RequestHandler> &requestTable();
    static const QHash<QString, NotificationHandler> &notificationTable();

    void onInitialize(const Message &m, const OutboxPtr &out);
    void onPing(const Message &m, const OutboxPtr &out);
    void onToolsList(const Message &m, const OutboxPtr &out);
    void onToolsCall(const Message &m, const OutboxPtr &out);
    void onResourcesList(const Message &m, const OutboxPtr &out);
    void onResourceTemplatesList(const Message &m, const OutboxPtr &out);
    void onResourcesRead(const Message &m, const OutboxPtr &out);
    void onPromptsList(const Message &m, const OutboxPtr &out);
    void onPromptsGet(const Message &m, const OutboxPtr &out);
    void onLoggingSetLevel(const Message &m, const OutboxPtr &out);

    void onInitialized(const Message &m);
    void onCancelled(const Message &m);

    struct Pending; // a call waiting for its approval or its audit record
    void proceed(const Tool &tool, ToolContext context, const Message &m, const OutboxPtr &out, const CallInfo &info,
                 const QString &rule);
    void dropPending(const QString &key, bool abandon);
    void startCall(const Tool &tool, ToolContext context, const Message &m, const OutboxPtr &out, const CallInfo &info);
    void runOnPool(const std::shared_ptr<Call> &call, const Tool &tool, ToolContext context);
    // Hands a record to the auditor (RECORD) and runs ANSWER once it is durable; at once without an auditor.
    void answerAfterRecord(const std::function<void(CallAuditor &, std::function<void()> written)> &record,
                           std::function<void()> answer);
    static ToolResult runNested(Server &server, const Registry::TargetSetPtr &targets, const Auth::Caller &caller,
                                const CancelFlag &cancelled, const QString &outer, const QString &name,
                                const QString &targetId, QJsonObject arguments);
    void finishCall(const std::shared_ptr<Call> &call, const ToolResult &result);
    void releaseSlot(const std::shared_ptr<Call> &call);
    void sendProgress(const std::shared_ptr<Call> &call, double progress, double total, const QString &message);
    void sendLog(LogLevel level, const QString &text, const OutboxPtr &out);

    std::optional<qsizetype> decodeCursor(const QJsonObject &params, const QString &kind, const OutboxPtr &out,
                                          const QJsonValue &id);
    QString encodeCursor(const QString &kind, qsizetype offset) const;

    Server &m_server;
    Auth::Caller m_caller;
    bool m_initialized = false;
    bool m_clientReady = false;
    QString m_protocolVersion;
    QString m_clientName;
    std::optional<LogLevel> m_logLevel;
    QHash<QString, std::shared_ptr<Call>> m_calls;
    QHash<QString, std::shared_ptr<Pending>> m_pending; // calls waiting for approval or their decision record
    std::function<void(const QJsonObject &)> m_unsolicited;
    qsizetype m_answering = 0; // answers waiting for their audit record
};

QString logLevelName(LogLevel level);
std::optional<LogLevel> logLevelFromName(const QString &name);

} // namespace Tailops::Mcp
