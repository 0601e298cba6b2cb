#include "auditbridge.h"

#include "core/logging.h"
#include "mcp/tool.h"

namespace Tailops::Service {

AuditBridge::AuditBridge(Audit::AuditLog &log)
    : m_log(log)
{
}

void AuditBridge::allowed(const Mcp::CallInfo &call, const QString &rule, const QObject *context,
                          std::function<void(const QString &error)> done)
{
    Audit::AuditRecord record = Audit::AuditRecord::makeDecision(call.caller, call.requestId, call.tool, call.target,
                                                                 call.arguments, Audit::Decision::Allow, rule);
    m_log.append(std::move(record), context, [done = std::move(done)](const Core::Result<qint64> &written) {
        done(written ? QString() : written.error().message);
    });
}

void AuditBridge::denied(const Mcp::CallInfo &call, const QString &rule, const QString &reason, const QObject *context,
                         std::function<void()> written)
{
    Audit::AuditRecord record = Audit::AuditRecord::makeDecision(call.caller, call.requestId, call.tool, call.target,
                                                                 call.arguments, Audit::Decision::Deny, rule);
    record.error = reason;
    m_log.append(std::move(record), context, [written = std::move(written)](const Core::Result<qint64> &) { written(); });
}

void AuditBridge::finished(const Mcp::CallInfo &call, const Mcp::ToolResult &result, qint64 durationMs,
                           const QObject *context, std::function<void()> written)
{
    Audit::AuditRecord decision = Audit::AuditRecord::makeDecision(call.caller, call.requestId, call.tool, call.target,
                                                                   {}, Audit::Decision::Allow);
    Audit::AuditRecord record = Audit::AuditRecord::makeResult(decision, !result.isError, durationMs,
                                                               result.isError ? result.text.left(500) : QString());
    record.exitCode = result.exitCode;
    record.bytes = result.bytes ? result.bytes : std::optional<qint64>(result.text.toUtf8().size());
    record.truncated = result.truncated;
    m_log.append(std::move(record), context, [written = std::move(written)](const Core::Result<qint64> &) { written(); });
}

} // namespace Tailops::Service
