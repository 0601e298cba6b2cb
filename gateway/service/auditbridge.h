#pragma once

#include "audit/auditlog.h"
#include "mcp/callauditor.h"

namespace Tailops::Service {

// Writes the protocol core's decisions and outcomes to the audit log.
class AuditBridge final : public Mcp::CallAuditor
{
public:
    explicit AuditBridge(Audit::AuditLog &log);

    void allowed(const Mcp::CallInfo &call, const QString &rule, const QObject *context,
                 std::function<void(const QString &error)> done) override;
    void denied(const Mcp::CallInfo &call, const QString &rule, const QString &reason, const QObject *context,
                std::function<void()> written) override;
    void finished(const Mcp::CallInfo &call, const Mcp::ToolResult &result, qint64 durationMs, const QObject *context,
                  std::function<void()> written) override;

private:
    Audit::AuditLog &m_log;
};

} // namespace Tailops::Service
