#pragma once

#include "auth/caller.h"

#include <QJsonObject>
#include <QObject>

#include <functional>

namespace Tailops::Mcp {

struct ToolResult;

// What the audit needs to know about one tools/call.
struct CallInfo
{
    Auth::Caller caller;
    QString requestId;
    QString tool;
    QString target;
    QJsonObject arguments;
};

// The audit trail as the protocol core sees it (implemented over Audit::AuditLog in gateway/service).
// allowed() must confirm durability before the call runs; a refusal or a failed write means the call
// does not run (fail closed).
class CallAuditor
{
public:
    virtual ~CallAuditor() = default;

    // Records an allow decision; DONE(error) runs on CONTEXT's thread once the record is durable (empty
    // error) or could not be written.
    virtual void allowed(const CallInfo &call, const QString &rule, const QObject *context,
                         std::function<void(const QString &error)> done) = 0;
    // Records a refusal (not permitted, unknown target or tool, invalid arguments, busy...), and the
    // outcome of a call that ran (or was cancelled or timed out). WRITTEN runs on CONTEXT's thread once the
    // record is durable or could not be written: the caller is answered only then, so no answered call
    // lacks its record, even when the gateway is killed right after answering.
    virtual void denied(const CallInfo &call, const QString &rule, const QString &reason, const QObject *context,
                        std::function<void()> written) = 0;
    virtual void finished(const CallInfo &call, const ToolResult &result, qint64 durationMs, const QObject *context,
                          std::function<void()> written) = 0;
};

} // namespace Tailops::Mcp
