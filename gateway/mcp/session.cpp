#include "session.h"

#include "core/logging.h"
#include "hygiene.h"
#include "schema.h"
#include "server.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

namespace Tailops::Mcp {

namespace {

const char *const kLevelNames[] = { "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency" };

RpcError invalidParams(const QString &message, QJsonValue data = {})
{
    return RpcError { ErrorCode::InvalidParams, message, std::move(data) };
}

QJsonObject toolResultJson(const ToolResult &r)
{
    QJsonObject o { { QStringLiteral("content"),
                      QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                                 { QStringLiteral("text"), r.text } } } } };
    if (!r.structured.isEmpty()) {
        o.insert(QStringLiteral("structuredContent"), r.structured);
    }
    if (r.isError) {
        o.insert(QStringLiteral("isError"), true);
    }
    return o;
}

} // namespace

QString logLevelName(LogLevel level)
{
    return QString::fromLatin1(kLevelNames[int(level)]);
}

std::optional<LogLevel> logLevelFromName(const QString &name)
{
    for (int i = 0; i < int(std::size(kLevelNames)); ++i) {
        if (name == QLatin1StringView(kLevelNames[i])) {
            return LogLevel(i);
        }
    }
    return std::nullopt;
}

struct Session::Call
{
    Session *session = nullptr;
    OutboxPtr outbox;
    QJsonValue id;
    QString key;
    QJsonValue progressToken;
    double lastProgress = -1;
    CancelFlag cancelled = std::make_shared<std::atomic_bool>(false);
    QString tool;
    QString target;
    QElapsedTimer timer;
    CallInfo info;
    bool finished = false;
    Exec::ConcurrencyLimiter::Ticket ticket = 0; // queued for a slot of the target
    bool holdsSlot = false;
    bool holdsGate = false; // the gate's concurrency slot for this caller
};

Session::Session(Server &server, Auth::Caller caller, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_caller(std::move(caller))
{
}

Session::~Session()
{
    cancelAll();
}

void Session::setUnsolicitedSink(std::function<void(const QJsonObject &)> sink)
{
    m_unsolicited = std::move(sink);
}

const QHash<QString, Session::RequestHandler> &Session::requestTable()
{
    static const QHash<QString, RequestHandler> table {
        { QStringLiteral("initialize"), &Session::onInitialize },
        { QStringLiteral("ping"), &Session::onPing },
        { QStringLiteral("tools/list"), &Session::onToolsList },
        { QStringLiteral("tools/call"), &Session::onToolsCall },
        { QStringLiteral("resources/list"), &Session::onResourcesList },
        { QStringLiteral("resources/templates/list"), &Session::onResourceTemplatesList },
        { QStringLiteral("resources/read"), &Session::onResourcesRead },
        { QStringLiteral("prompts/list"), &Session::onPromptsList },
        { QStringLiteral("prompts/get"), &Session::onPromptsGet },
        { QStringLiteral("logging/setLevel"), &Session::onLoggingSetLevel },
    };
    return table;
}

const QHash<QString, Session::NotificationHandler> &Session::notificationTable()
{
    static const QHash<QString, NotificationHandler> table {
        { QStringLiteral("notifications/initialized"), &Session::onInitialized },
        { QStringLiteral("notifications/cancelled"), &Session::onCancelled },
    };
    return table;
}

void Session::handle(const Message &message, const OutboxPtr &outbox)
{
    switch (message.kind) {
    case Message::Kind::Invalid:
        if (!message.id.isUndefined()) {
            outbox->respond(makeError(message.id, message.error));
        }
        return;
    case Message::Kind::Response:
        return; // this server sends no requests, so there is nothing to match
    case Message::Kind::Notification:
        if (const auto it = notificationTable().constFind(message.method); it != notificationTable().cend()) {
            (this->*(*it))(message);
        } // unknown notifications are ignored, as JSON-RPC requires
        return;
    case Message::Kind::Request:
        break;
    }
    const auto it = requestTable().constFind(message.method);
    if (it == requestTable().cend()) {
        outbox->respond(makeError(message.id, RpcError { ErrorCode::MethodNotFound,
                                                         QStringLiteral("Method not found: %1").arg(message.method) }));
        return;
    }
    if (!m_initialized && message.method != u"initialize" && message.method != u"ping") {
        outbox->respond(makeError(message.id, RpcError { ErrorCode::InvalidRequest,
                                                         QStringLiteral("Server not initialized: send initialize "
                                                                        "first") }));
        return;
    }
    if (m_calls.contains(idKey(message.id)) || m_pending.contains(idKey(message.id))) {
        outbox->respond(makeError(message.id, RpcError { ErrorCode::InvalidRequest,
                                                         QStringLiteral("Request id is already in use by a request "
                                                                        "in flight") }));
        return;
    }
    (this->*(*it))(message, outbox);
}

void Session::onInitialize(const Message &m, const OutboxPtr &out)
{
    if (m_initialized) {
        out->respond(makeError(m.id, RpcError { ErrorCode::InvalidRequest, QStringLiteral("Server already initialized") }));
        return;
    }
    const QJsonValue requested = m.params.value(QStringLiteral("protocolVersion"));
    if (!requested.isString()) {
        out->respond(makeError(m.id, invalidParams(QStringLiteral("initialize: 'protocolVersion' (string) is required"))));
        return;
    }
    const QString version = supportedProtocolVersions().contains(requested.toString()) ? requested.toString()
                                                                                       : latestProtocolVersion();
    m_initialized = true;
    m_protocolVersion = version;
    m_clientName = m.params.value(QStringLiteral("clientInfo")).toObject().value(QStringLiteral("name")).toString();
    const QJsonObject capabilities {
        { QStringLiteral("tools"), QJsonObject { { QStringLiteral("listChanged"), false } } },
        { QStringLiteral("resources"), QJsonObject { { QStringLiteral("listChanged"), false } } },
        { QStringLiteral("prompts"), QJsonObject { { QStringLiteral("listChanged"), false } } },
        { QStringLiteral("logging"), QJsonObject {} },
    };
    out->respond(makeResult(m.id, QJsonObject { { QStringLiteral("protocolVersion"), version },
                                                { QStringLiteral("capabilities"), capabilities },
                                                { QStringLiteral("serverInfo"), m_server.serverInfo() },
                                                { QStringLiteral("instructions"), m_server.instructions() } }));
}

void Session::onInitialized(const Message &)
{
    m_clientReady = true;
}

void Session::onPing(const Message &m, const OutboxPtr &out)
{
    out->respond(makeResult(m.id, QJsonObject {}));
}

QString Session::encodeCursor(const QString &kind, qsizetype offset) const
{
    return QString::fromLatin1((kind + u':' + QString::number(offset)).toUtf8().toBase64(
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<qsizetype> Session::decodeCursor(const QJsonObject &params, const QString &kind, const OutboxPtr &out,
                                                const QJsonValue &id)
{
    const QJsonValue cursor = params.value(QStringLiteral("cursor"));
    if (cursor.isUndefined() || cursor.isNull()) {
        return 0;
    }
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toString().toLatin1(),
                                                        QByteArray::Base64UrlEncoding
                                                            | QByteArray::AbortOnBase64DecodingErrors);
    const QString text = decoded ? QString::fromUtf8(*decoded) : QString();
    bool ok = false;
    const qsizetype offset = text.startsWith(kind + u':') ? text.mid(kind.size() + 1).toLongLong(&ok) : -1;
    if (!cursor.isString() || !ok || offset < 0) {
        out->respond(makeError(id, invalidParams(QStringLiteral("Invalid cursor"))));
        return std::nullopt;
    }
    return offset;
}

void Session::onToolsList(const Message &m, const OutboxPtr &out)
{
    const auto offset = decodeCursor(m.params, QStringLiteral("tools"), out, m.id);
    if (!offset) {
        return;
    }
    const QList<const Tool *> visible = m_server.visibleTools(m_caller);
    QJsonArray tools;
    const qsizetype end = std::min<qsizetype>(visible.size(), *offset + m_server.pageSize());
    for (qsizetype i = *offset; i < end; ++i) {
        tools.append(m_server.toolJson(*visible.at(i)));
    }
    QJsonObject result { { QStringLiteral("tools"), tools } };
    if (end < visible.size()) {
        result.insert(QStringLiteral("nextCursor"), encodeCursor(QStringLiteral("tools"), end));
    }
    out->respond(makeResult(m.id, result));
}

struct Session::Pending
{
    OutboxPtr outbox;
    Auth::Caller caller;    // whose concurrency slot is held
    QString approvalId;     // set while a human is asked
    bool holdsGate = false; // the gate's concurrency slot for this caller
};

void Session::onToolsCall(const Message &m, const OutboxPtr &out)
{
    const QJsonValue name = m.params.value(QStringLiteral("name"));
    QJsonObject arguments = m.params.value(QStringLiteral("arguments")).toObject();
    CallInfo info { m_caller, m.id.isString() ? m.id.toString() : QString::number(qint64(m.id.toDouble())),
                    name.toString().left(128), arguments.value(QStringLiteral("target")).toString(QStringLiteral("local")).left(64),
                    arguments };
    CallGate *gate = m_server.gate();
    // Every refusal is answered and recorded the same way; none reaches a tool or an executor.
    // The answer goes out once the refusal's record is durable.
    const auto recordDenied = [this, &info](const QString &rule, const QString &reason, std::function<void()> answer) {
        answerAfterRecord([this, info, rule, reason](CallAuditor &a, std::function<void()> written) {
                              a.denied(info, rule, reason, this, std::move(written));
                          },
                          std::move(answer));
    };
    const auto refuseProtocol = [&](const QString &rule, const QString &message) {
        recordDenied(rule, message, [out, id = m.id, message] { out->respond(makeError(id, invalidParams(message))); });
    };
    const auto refuseTool = [&](const QString &rule, const QString &message) {
        recordDenied(rule, message,
                     [out, id = m.id, message] { out->respond(makeResult(id, toolResultJson(ToolResult::error(message)))); });
    };

    if (!name.isString()) {
        refuseProtocol(QStringLiteral("protocol"), QStringLiteral("tools/call: 'name' (string) is required"));
        return;
    }
    const Tool *tool = m_server.findTool(name.toString());
    if (!tool) {
        refuseProtocol(QStringLiteral("protocol"), QStringLiteral("Unknown tool: %1").arg(name.toString().left(128)));
        return;
    }
    const QJsonValue args = m.params.value(QStringLiteral("arguments"));
    if (!args.isUndefined() && !args.isNull() && !args.isObject()) {
        refuseProtocol(QStringLiteral("protocol"), QStringLiteral("tools/call: 'arguments' must be an object"));
        return;
    }
    if (const auto problem = validateJson(arguments, tool->inputSchema)) {
        refuseProtocol(QStringLiteral("protocol"), QStringLiteral("Invalid arguments for tool %1: %2").arg(tool->name, *problem));
        return;
    }
    if (const auto problem = checkArguments(*tool, arguments)) {
        refuseProtocol(QStringLiteral("hygiene"), QStringLiteral("Invalid arguments for tool %1: %2").arg(tool->name, *problem));
        return;
    }
    info.arguments = arguments; // normalised paths
    if (!tool->takesTarget) {
        info.target.clear();
    }
    ToolContext ctx;
    ctx.arguments = arguments;
    ctx.caller = m_caller;
    ctx.targets = m_server.registry().snapshot();
    if (tool->takesTarget) {
        ctx.target = ctx.targets->find(info.target);
        if (!ctx.target) {
            refuseTool(QStringLiteral("registry"), QStringLiteral("Target not found in registry: '%1' (call list_targets "
                                                                  "for the ids)")
                                                       .arg(info.target));
            return;
        }
    }

    GateVerdict verdict;
    if (gate) {
        verdict = gate->decide(*tool, ctx.target, m_caller, arguments);
    } else if (!tool->scope.isEmpty() && !m_caller.hasScope(tool->scope)) {
        verdict = { GateVerdict::Kind::Deny, QStringLiteral("scope"),
                    QStringLiteral("Operation not permitted for target: %1 needs the %2 scope, which this caller does "
                                   "not have")
                        .arg(tool->name, tool->scope),
                    0, 0 };
    } else if (ctx.target && !tool->scope.isEmpty() && !ctx.target->capabilities.contains(tool->scope)) {
        verdict = { GateVerdict::Kind::Deny, QStringLiteral("capabilities"),
                    QStringLiteral("Operation not permitted for target: '%1' does not allow %2 (its capabilities lack %3)")
                        .arg(ctx.target->id, tool->name, tool->scope),
                    0, 0 };
    } else {
        verdict = { GateVerdict::Kind::Allow, QStringLiteral("scopes+capabilities"), QString(), 0, 0 };
    }

    switch (verdict.kind) {
    case GateVerdict::Kind::Deny:
        if (verdict.rule == u"scope") {
            recordDenied(verdict.rule, verdict.reason, [out, scope = tool->scope, id = m.id, reason = verdict.reason] {
                out->insufficientScope(scope, makeResult(id, toolResultJson(ToolResult::error(reason))));
            });
            return;
        }
        refuseTool(verdict.rule, verdict.reason);
        return;
    case GateVerdict::Kind::Limited:
        recordDenied(verdict.rule, verdict.reason, [out, id = m.id, verdict] {
            out->limited(verdict.retryAfterSeconds,
                         makeError(id, RpcError { ErrorCode::RateLimited, verdict.reason,
                                                  QJsonObject { { QStringLiteral("retryAfter"), verdict.retryAfterSeconds } } }));
        });
        return;
    case GateVerdict::Kind::Allow:
        proceed(*tool, std::move(ctx), m, out, info, verdict.rule);
        return;
    case GateVerdict::Kind::RequireApproval:
        break;
    }

    // A human decides; the call waits (with progress) and holds its caller's concurrency slot.
    const QString key = idKey(m.id);
    auto pending = std::make_shared<Pending>();
    pending->outbox = out;
    pending->caller = info.caller;
    pending->holdsGate = true;
    m_pending.insert(key, pending);
    const QJsonValue progressToken = m.params.value(QStringLiteral("_meta")).toObject().value(QStringLiteral("progressToken"));
    const std::weak_ptr<Pending> weak = pending;
    sendLog(LogLevel::Notice, QStringLiteral("%1 on %2 needs approval: %3").arg(tool->name, info.target, verdict.reason), out);
    pending->approvalId = gate->requestApproval(
        info, verdict, this,
        [this, weak, progressToken](const QString &message, double elapsed, double total) {
            const auto p = weak.lock();
            if (!p || progressToken.isUndefined() || progressToken.isNull()) {
                return;
            }
            p->outbox->notify(makeNotification(QStringLiteral("notifications/progress"),
                                               QJsonObject { { QStringLiteral("progressToken"), progressToken },
                                                             { QStringLiteral("progress"), elapsed },
                                                             { QStringLiteral("total"), total },
                                                             { QStringLiteral("message"), message } }));
        },
        [this, weak, key, tool = *tool, ctx = std::move(ctx), m, out, info](bool approved, QString rule,
                                                                             QString reason) mutable {
            const auto p = weak.lock();
            if (!p || m_pending.value(key) != p) {
                return; // cancelled meanwhile
            }
            p->approvalId.clear();
            // The wait may have been long: the switches and the policy are asked again before anything runs.
            std::optional<GateVerdict> changed;
            if (approved && m_server.gate()) {
                changed = m_server.gate()->beforeRun(tool, ctx.target, info.caller, ctx.arguments);
            }
            if (changed) {
                approved = false;
                rule = changed->rule;
                reason = changed->reason;
            }
            if (!approved) {
                dropPending(key, false);
                answerAfterRecord([this, info, rule, reason](CallAuditor &a, std::function<void()> written) {
                                      a.denied(info, rule, reason, this, std::move(written));
                                  },
                                  [out, id = m.id, reason] { out->respond(makeResult(id, toolResultJson(ToolResult::error(reason)))); });
                if (inFlight() == 0) {
                    Q_EMIT drained();
                }
                return;
            }
            p->holdsGate = false; // handed on to the call
            m_pending.remove(key);
            proceed(tool, std::move(ctx), m, out, info, rule);
        });
}

void Session::dropPending(const QString &key, bool abandon)
{
    const std::shared_ptr<Pending> p = m_pending.take(key);
    if (!p) {
        return;
    }
    if (!p->approvalId.isEmpty() && m_server.gate()) {
        m_server.gate()->cancelApproval(std::exchange(p->approvalId, QString()));
    }
    if (p->holdsGate && m_server.gate()) {
        p->holdsGate = false;
        m_server.gate()->release(p->caller);
    }
    if (abandon) {
        p->outbox->abandon();
    }
}

// The call is allowed (by the gate, a grant or a human): its decision goes to the audit log first, and
// only once that record is durable does the tool run. The gate's slot is released when the call ends.
void Session::proceed(const Tool &tool, ToolContext ctx, const Message &m, const OutboxPtr &out, const CallInfo &info,
                      const QString &rule)
{
    CallAuditor *auditor = m_server.auditor();
    if (!auditor) {
        startCall(tool, std::move(ctx), m, out, info);
        return;
    }
    const QString key = idKey(m.id);
    auto pending = std::make_shared<Pending>();
    pending->outbox = out;
    pending->caller = info.caller;
    pending->holdsGate = m_server.gate() != nullptr;
    m_pending.insert(key, pending);
    const std::weak_ptr<Pending> weak = pending;
    auditor->allowed(info, rule, this,
                     [this, weak, key, tool, ctx = std::move(ctx), m, out, info](const QString &error) mutable {
                         const auto p = weak.lock();
                         if (!p || m_pending.value(key) != p) {
                             return; // cancelled while the decision was being written
                         }
                         if (!error.isEmpty()) {
                             dropPending(key, false);
                             out->respond(makeResult(m.id, toolResultJson(ToolResult::error(
                                                              QStringLiteral("Refusing to act unaudited: the audit log "
                                                                             "cannot be written (%1)")
                                                                  .arg(error)))));
                             if (inFlight() == 0) {
                                 Q_EMIT drained();
                             }
                             return;
                         }
                         p->holdsGate = false; // handed on to the call
                         m_pending.remove(key);
                         startCall(tool, std::move(ctx), m, out, info);
                     });
}

void Session::startCall(const Tool &tool, ToolContext ctx, const Message &m, const OutboxPtr &out, const CallInfo &info)
{
    auto call = std::make_shared<Call>();
    call->info = info;
    call->session = this;
    call->outbox = out;
    call->id = m.id;
    call->key = idKey(m.id);
    call->progressToken = m.params.value(QStringLiteral("_meta")).toObject().value(QStringLiteral("progressToken"));
    call->tool = tool.name;
    call->target = ctx.target ? ctx.target->id : QString();
    call->timer.start();
    call->holdsGate = m_server.gate() != nullptr;
    ctx.cancelled = call->cancelled;
    m_calls.insert(call->key, call);

    // Hooks may be called from a worker thread: they only post to the server's thread, where the weak
    // pointer is checked.
    const std::weak_ptr<Call> weak = call;
    Server *server = &m_server;
    ctx.progress = [weak, server](double progress, double total, const QString &message) {
        QMetaObject::invokeMethod(
            server,
            [weak, progress, total, message] {
                if (auto c = weak.lock(); c && !c->finished) {
                    c->session->sendProgress(c, progress, total, message);
                }
            },
            Qt::QueuedConnection);
    };
    ctx.log = [weak, server](LogLevel level, const QString &text) {
        QMetaObject::invokeMethod(
            server,
            [weak, level, text] {
                if (auto c = weak.lock(); c && !c->finished) {
                    c->session->sendLog(level, text, c->outbox);
                }
            },
            Qt::QueuedConnection);
    };
    if (CallGate *gate = m_server.gate()) {
        // Runs on a worker thread: the gate's recheck only reads the policy snapshot. The tool is copied and
        // the registry snapshot held, so the target pointer stays valid for as long as the call runs.
        ctx.recheck = [gate, tool = std::make_shared<const Tool>(tool), targets = ctx.targets, target = ctx.target,
                       caller = info.caller](const QJsonObject &arguments) {
            return gate->recheck(*tool, target, caller, arguments);
        };
    }
    ctx.callTool = [server = &m_server, targets = ctx.targets, caller = info.caller, cancelled = ctx.cancelled,
                    outer = tool.name](const QString &name, const QString &targetId, const QJsonObject &arguments) {
        return runNested(*server, targets, caller, cancelled, outer, name, targetId, arguments);
    };
    sendLog(LogLevel::Debug, QStringLiteral("%1 on %2: started").arg(tool.name, call->target), out);

    if (!tool.blocking) {
        finishCall(call, tool.run(ctx));
        return;
    }
    if (ctx.target && m_server.executors()) {
        auto executor = m_server.executors()->executorFor(*ctx.target);
        if (!executor) {
            finishCall(call, ToolResult::error(QStringLiteral("%1 on %2: %3").arg(tool.name, ctx.target->id, executor.error().message)));
            return;
        }
        ctx.executor = *executor;
    }
    if (!ctx.target) {
        runOnPool(call, tool, std::move(ctx));
        return;
    }
    // Per-target concurrency: wait for a slot without holding a worker thread.
    QString busy;
    const int limit = ctx.target->concurrency;
    const auto ticket = m_server.limiter().acquire(
        call->target, limit,
        [this, weak, tool = tool, ctx]() mutable {
            auto c = weak.lock();
            if (!c || c->finished) {
                m_server.limiter().release(ctx.target->id);
                return;
            }
            c->holdsSlot = true;
            c->ticket = 0;
            runOnPool(c, tool, std::move(ctx));
        },
        &busy);
    if (ticket == 0) {
        finishCall(call, ToolResult::error(busy));
        return;
    }
    if (!call->holdsSlot && !call->finished) {
        call->ticket = ticket;
    }
}

void Session::answerAfterRecord(const std::function<void(CallAuditor &, std::function<void()>)> &record,
                                std::function<void()> answer)
{
    CallAuditor *auditor = m_server.auditor();
    if (!auditor) {
        answer();
        return;
    }
    ++m_answering;
    record(*auditor, [this, answer = std::move(answer)] {
        --m_answering;
        answer();
        if (inFlight() == 0) {
            Q_EMIT drained();
        }
    });
}

// A read-only tool called by another tool (fleet_run) on a worker thread, with the checks of a direct call.
// The tool catalog is fixed once sessions exist, and the gate's authorize() and the executor cache are
// thread-safe.
ToolResult Session::runNested(Server &server, const Registry::TargetSetPtr &targets, const Auth::Caller &caller,
                              const CancelFlag &cancelled, const QString &outer, const QString &name,
                              const QString &targetId, QJsonObject arguments)
{
    const Tool *tool = server.findTool(name);
    if (!tool) {
        return ToolResult::error(QStringLiteral("%1: unknown tool '%2'").arg(outer, name));
    }
    if (!tool->annotations.readOnly || !tool->takesTarget || !tool->blocking) {
        return ToolResult::error(QStringLiteral("%1 runs read-only tools that take a target; %2 is not one").arg(outer, name));
    }
    arguments.insert(QStringLiteral("target"), targetId);
    if (const auto problem = validateJson(arguments, tool->inputSchema)) {
        return ToolResult::error(QStringLiteral("Invalid arguments for tool %1: %2").arg(name, *problem));
    }
    if (const auto problem = checkArguments(*tool, arguments)) {
        return ToolResult::error(QStringLiteral("Invalid arguments for tool %1: %2").arg(name, *problem));
    }
    ToolContext ctx;
    ctx.arguments = arguments;
    ctx.caller = caller;
    ctx.targets = targets;
    ctx.target = targets->find(targetId);
    if (!ctx.target) {
        return ToolResult::error(QStringLiteral("Target not found in registry: '%1'").arg(targetId));
    }
    if (CallGate *gate = server.gate()) {
        if (const auto refused = gate->authorize(*tool, ctx.target, caller, arguments)) {
            return ToolResult::error(refused->startsWith(QStringLiteral("Operation not permitted"))
                                         ? *refused
                                         : QString(QStringLiteral("Operation not permitted for target: ") + *refused));
        }
        ctx.recheck = [gate, tool, target = ctx.target, caller](const QJsonObject &changed) {
            return gate->recheck(*tool, target, caller, changed);
        };
    } else if (!tool->scope.isEmpty() && (!caller.hasScope(tool->scope) || !ctx.target->capabilities.contains(tool->scope))) {
        return ToolResult::error(QStringLiteral("Operation not permitted for target: %1 needs %2 on '%3'")
                                     .arg(name, tool->scope, targetId));
    }
    ctx.cancelled = cancelled;
    if (ctx.isCancelled()) {
        return ToolResult::error(QStringLiteral("cancelled"));
    }
    ctx.progress = [](double, double, const QString &) {};
    ctx.log = [](LogLevel, const QString &) {};
    if (server.executors()) {
        auto executor = server.executors()->executorFor(*ctx.target);
        if (!executor) {
            return ToolResult::error(QStringLiteral("%1 on %2: %3").arg(name, targetId, executor.error().message));
        }
        ctx.executor = *executor;
    }
    return tool->run(ctx);
}

void Session::runOnPool(const std::shared_ptr<Call> &call, const Tool &tool, ToolContext ctx)
{
    const std::weak_ptr<Call> weak = call;
    Server *server = &m_server;
    if (ctx.target) {
        const qint64 timeoutMs = ctx.target->timeoutSeconds * 1000;
        QTimer::singleShot(std::chrono::milliseconds(timeoutMs), this, [weak, timeoutMs, this] {
            if (auto c = weak.lock(); c && !c->finished) {
                c->cancelled->store(true);
                finishCall(c, ToolResult::error(QStringLiteral("%1 on %2 timed out after %3 s (the target's "
                                                               "constraints.timeout)")
                                                    .arg(c->tool, c->target)
                                                    .arg(timeoutMs / 1000)));
            }
        });
    }
    auto run = tool.run;
    m_server.pool().start([run, ctx, weak, server] {
        ToolResult result = run(ctx);
        QMetaObject::invokeMethod(
            server,
            [weak, result = std::move(result)] {
                if (auto c = weak.lock(); c && !c->finished) {
                    c->session->finishCall(c, result);
                }
            },
            Qt::QueuedConnection);
    });
}

void Session::releaseSlot(const std::shared_ptr<Call> &call)
{
    if (call->holdsGate) {
        call->holdsGate = false;
        if (m_server.gate()) {
            m_server.gate()->release(call->info.caller);
        }
    }
    if (call->holdsSlot) {
        call->holdsSlot = false;
        m_server.limiter().release(call->target);
    } else if (call->ticket != 0) {
        m_server.limiter().withdraw(call->target, call->ticket);
        call->ticket = 0;
    }
}

void Session::finishCall(const std::shared_ptr<Call> &call, const ToolResult &result)
{
    call->finished = true;
    releaseSlot(call);
    const qint64 ms = call->timer.elapsed();
    sendLog(result.isError ? LogLevel::Warning : LogLevel::Info,
            QStringLiteral("%1 on %2: %3 in %4 ms").arg(call->tool, call->target,
                                                       result.isError ? QStringLiteral("failed") : QStringLiteral("done"))
                .arg(ms),
            call->outbox);
    answerAfterRecord([this, info = call->info, result, ms](CallAuditor &a, std::function<void()> written) {
                          a.finished(info, result, ms, this, std::move(written));
                      },
                      [outbox = call->outbox, id = call->id, result] { outbox->respond(makeResult(id, toolResultJson(result))); });
    m_calls.remove(call->key);
    Q_EMIT m_server.toolCallFinished(call->tool, call->target, m_caller.agent, result.isError, ms);
    if (inFlight() == 0) {
        Q_EMIT drained();
    }
}

void Session::sendProgress(const std::shared_ptr<Call> &call, double progress, double total, const QString &message)
{
    if (call->progressToken.isUndefined() || call->progressToken.isNull() || progress <= call->lastProgress) {
        return;
    }
    call->lastProgress = progress;
    QJsonObject params { { QStringLiteral("progressToken"), call->progressToken },
                         { QStringLiteral("progress"), progress } };
    if (total > 0) {
        params.insert(QStringLiteral("total"), total);
    }
    if (!message.isEmpty()) {
        params.insert(QStringLiteral("message"), message);
    }
    call->outbox->notify(makeNotification(QStringLiteral("notifications/progress"), params));
}

void Session::sendLog(LogLevel level, const QString &text, const OutboxPtr &out)
{
    if (!m_logLevel || level < *m_logLevel) {
        return;
    }
    const QJsonObject note = makeNotification(QStringLiteral("notifications/message"),
                                              QJsonObject { { QStringLiteral("level"), logLevelName(level) },
                                                            { QStringLiteral("logger"), QStringLiteral("tailops") },
                                                            { QStringLiteral("data"), text } });
    if (out) {
        out->notify(note);
    } else if (m_unsolicited) {
        m_unsolicited(note);
    }
}

void Session::onCancelled(const Message &m)
{
    const QJsonValue requestId = m.params.value(QStringLiteral("requestId"));
    if (!requestId.isString() && !requestId.isDouble()) {
        return;
    }
    if (m_pending.contains(idKey(requestId))) {
        dropPending(idKey(requestId), true);
        if (inFlight() == 0) {
            Q_EMIT drained();
        }
        return; // its decision record was still being written: the call will not start
    }
    const auto it = m_calls.find(idKey(requestId));
    if (it == m_calls.end()) {
        return; // unknown or finished: ignore, as the spec allows
    }
    const std::shared_ptr<Call> call = *it;
    call->finished = true;
    call->cancelled->store(true);
    releaseSlot(call);
    m_calls.erase(it);
    qCInfo(Core::lcMcp).noquote() << "cancelled" << call->tool << "on" << call->target << "for" << m_caller.agent
                                  << "reason:" << m.params.value(QStringLiteral("reason")).toString().left(200);
    answerAfterRecord([this, info = call->info, ms = call->timer.elapsed()](CallAuditor &a, std::function<void()> written) {
                          a.finished(info, ToolResult::error(QStringLiteral("cancelled by the client")), ms, this,
                                     std::move(written));
                      },
                      [outbox = call->outbox] { outbox->abandon(); });
    if (inFlight() == 0) {
        Q_EMIT drained();
    }
}

void Session::cancelAll()
{
    const QStringList pendingKeys = m_pending.keys();
    for (const QString &key : pendingKeys) {
        dropPending(key, true);
    }
    const auto calls = m_calls;
    m_calls.clear();
    for (const auto &call : calls) {
        call->finished = true;
        call->cancelled->store(true);
        releaseSlot(call);
        call->outbox->abandon();
    }
}

void Session::onResourcesList(const Message &m, const OutboxPtr &out)
{
    const auto offset = decodeCursor(m.params, QStringLiteral("resources"), out, m.id);
    if (!offset) {
        return;
    }
    const auto targets = m_server.registry().snapshot();
    QJsonArray all { QJsonObject { { QStringLiteral("uri"), QStringLiteral("tailops://targets") },
                                   { QStringLiteral("name"), QStringLiteral("targets") },
                                   { QStringLiteral("title"), QStringLiteral("All targets") },
                                   { QStringLiteral("description"), QStringLiteral("The target registry: ids, types, "
                                                                                   "executors, capabilities, tags") },
                                   { QStringLiteral("mimeType"), QStringLiteral("application/json") } } };
    for (const auto &t : targets->targets()) {
        all.append(QJsonObject { { QStringLiteral("uri"), QString(QStringLiteral("tailops://targets/") + t.id) },
                                 { QStringLiteral("name"), t.id },
                                 { QStringLiteral("description"),
                                   t.description.isEmpty()
                                       ? QStringLiteral("Target %1 (%2)").arg(t.id, Registry::executorName(t.executor))
                                       : t.description },
                                 { QStringLiteral("mimeType"), QStringLiteral("application/json") } });
    }
    QJsonArray page;
    const qsizetype end = std::min<qsizetype>(all.size(), *offset + m_server.pageSize());
    for (qsizetype i = *offset; i < end; ++i) {
        page.append(all.at(i));
    }
    QJsonObject result { { QStringLiteral("resources"), page } };
    if (end < all.size()) {
        result.insert(QStringLiteral("nextCursor"), encodeCursor(QStringLiteral("resources"), end));
    }
    out->respond(makeResult(m.id, result));
}

void Session::onResourceTemplatesList(const Message &m, const OutboxPtr &out)
{
    out->respond(makeResult(
        m.id, QJsonObject { { QStringLiteral("resourceTemplates"),
                              QJsonArray { QJsonObject { { QStringLiteral("uriTemplate"),
                                                           QStringLiteral("tailops://targets/{id}") },
                                                         { QStringLiteral("name"), QStringLiteral("target") },
                                                         { QStringLiteral("description"),
                                                           QStringLiteral("One target's settings and tags") },
                                                         { QStringLiteral("mimeType"),
                                                           QStringLiteral("application/json") } } } } }));
}

void Session::onResourcesRead(const Message &m, const OutboxPtr &out)
{
    const QJsonValue uri = m.params.value(QStringLiteral("uri"));
    if (!uri.isString()) {
        out->respond(makeError(m.id, invalidParams(QStringLiteral("resources/read: 'uri' (string) is required"))));
        return;
    }
    const auto targets = m_server.registry().snapshot();
    QJsonDocument doc;
    const QString u = uri.toString();
    if (u == u"tailops://targets") {
        QJsonArray list;
        for (const auto &t : targets->targets()) {
            list.append(Registry::targetToJson(t));
        }
        doc = QJsonDocument(QJsonObject { { QStringLiteral("targets"), list } });
    } else if (u.startsWith(u"tailops://targets/")) {
        if (const auto *t = targets->find(u.mid(18))) {
            doc = QJsonDocument(Registry::targetToJson(*t));
        }
    }
    if (doc.isNull()) {
        out->respond(makeError(m.id, RpcError { ErrorCode::ResourceNotFound, QStringLiteral("Resource not found"),
                                                QJsonObject { { QStringLiteral("uri"), u.left(256) } } }));
        return;
    }
    out->respond(makeResult(
        m.id, QJsonObject { { QStringLiteral("contents"),
                              QJsonArray { QJsonObject {
                                  { QStringLiteral("uri"), u },
                                  { QStringLiteral("mimeType"), QStringLiteral("application/json") },
                                  { QStringLiteral("text"), QString::fromUtf8(doc.toJson(QJsonDocument::Indented)) } } } } }));
}

void Session::onPromptsList(const Message &m, const OutboxPtr &out)
{
    QJsonArray prompts;
    for (const Prompt &p : m_server.prompts()) {
        QJsonArray args;
        for (const auto &a : p.arguments) {
            args.append(QJsonObject { { QStringLiteral("name"), a.name },
                                      { QStringLiteral("description"), a.description },
                                      { QStringLiteral("required"), a.required } });
        }
        prompts.append(QJsonObject { { QStringLiteral("name"), p.name },
                                     { QStringLiteral("title"), p.title },
                                     { QStringLiteral("description"), p.description },
                                     { QStringLiteral("arguments"), args } });
    }
    out->respond(makeResult(m.id, QJsonObject { { QStringLiteral("prompts"), prompts } }));
}

void Session::onPromptsGet(const Message &m, const OutboxPtr &out)
{
    const QString name = m.params.value(QStringLiteral("name")).toString();
    const Prompt *prompt = m_server.findPrompt(name);
    if (!prompt) {
        out->respond(makeError(m.id, invalidParams(QStringLiteral("Unknown prompt: %1").arg(name.left(128)))));
        return;
    }
    const QJsonValue argsValue = m.params.value(QStringLiteral("arguments"));
    if (!argsValue.isUndefined() && !argsValue.isObject()) {
        out->respond(makeError(m.id, invalidParams(QStringLiteral("prompts/get: 'arguments' must be an object"))));
        return;
    }
    const QJsonObject args = argsValue.toObject();
    for (const auto &a : prompt->arguments) {
        const QJsonValue v = args.value(a.name);
        if (a.required && (!v.isString() || v.toString().isEmpty())) {
            out->respond(makeError(m.id, invalidParams(QStringLiteral("Prompt %1 needs the argument '%2'").arg(name, a.name))));
            return;
        }
        if (!v.isUndefined() && !v.isString()) {
            out->respond(makeError(m.id, invalidParams(QStringLiteral("Prompt argument '%1' must be a string").arg(a.name))));
            return;
        }
    }
    const QJsonObject message { { QStringLiteral("role"), QStringLiteral("user") },
                                { QStringLiteral("content"), QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                                                          { QStringLiteral("text"), prompt->render(args) } } } };
    out->respond(makeResult(m.id, QJsonObject { { QStringLiteral("description"), prompt->description },
                                                { QStringLiteral("messages"), QJsonArray { message } } }));
}

void Session::onLoggingSetLevel(const Message &m, const OutboxPtr &out)
{
    const auto level = logLevelFromName(m.params.value(QStringLiteral("level")).toString());
    if (!level) {
        out->respond(makeError(m.id, invalidParams(QStringLiteral("logging/setLevel: 'level' must be one of debug, "
                                                                  "info, notice, warning, error, critical, alert, "
                                                                  "emergency"))));
        return;
    }
    m_logLevel = level;
    out->respond(makeResult(m.id, QJsonObject {}));
}

} // namespace Tailops::Mcp
