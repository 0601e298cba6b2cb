#pragma once

#include "auth/caller.h"
#include "callauditor.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace Tailops::Registry {
struct Target;
}

namespace Tailops::Mcp {

struct Tool;

// What the gate says about one tools/call.
struct GateVerdict
{
    enum class Kind {
        Allow,
        Deny,            // "Operation not permitted for target: ..." (a tool result with isError)
        RequireApproval, // wait for a human (Session asks requestApproval)
        Limited,         // rate limit, quota or concurrency cap: HTTP 429 + Retry-After, an MCP error on stdio
    };
    Kind kind = Kind::Deny;
    QString rule;   // for the audit: "scope", "capabilities", "host_tags", "policy:NAME", "default", "paused", ...
    QString reason; // for the client; never contains a secret
    qint64 retryAfterSeconds = 0;      // Limited
    qint64 approvalTimeoutSeconds = 0; // RequireApproval
};

// The authorization gate between a validated tools/call and the tool: scopes x target capabilities x
// policy, switches (pause, read-only), rate limits and quotas, approvals. Implemented in gateway/service
// over the policy engine, the rate limiter and the approval broker; lives on the event-loop thread.
class CallGate
{
public:
    virtual ~CallGate() = default;

    // Whether tools/list shows the tool to this caller (a hidden tool is refused everywhere).
    virtual bool visible(const Tool &tool, const Auth::Caller &caller) const = 0;

    // Decides one call. Allow and RequireApproval take one of the caller's concurrency slots: the session
    // gives it back with release() exactly once when the call ends (or is refused later).
    virtual GateVerdict decide(const Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                               const QJsonObject &arguments) = 0;
    virtual void release(const Auth::Caller &caller) = 0;
    // The policy decision alone (no switches, limits or approvals) for changed arguments, from any thread:
    // the refusal reason, or nullopt when the policy would let them through.
    virtual std::optional<QString> recheck(const Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                           const QJsonObject &arguments) const = 0;

    // A nested call (fleet_run) from any thread: scope, host tags, capabilities, protected paths, file rules
    // and the policy; approval cannot be asked from inside another call, so a call needing it is refused.
    // The refusal, or nullopt.
    virtual std::optional<QString> authorize(const Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                             const QJsonObject &arguments) const = 0;

    // Asks a human. progress(message) may be called while waiting; done(approved, rule, reason) exactly
    // once on CONTEXT's thread. Returns an id for cancelApproval().
    // Just before an allowed call runs (after a wait for a human or for the audit record): the switches
    // and the policy again, since either may have changed. The refusal, or nullopt.
    virtual std::optional<GateVerdict> beforeRun(const Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                                 const QJsonObject &arguments) const = 0;

    virtual QString requestApproval(const CallInfo &call, const GateVerdict &verdict, const QObject *context,
                                    std::function<void(const QString &message, double elapsed, double total)> progress,
                                    std::function<void(bool approved, const QString &rule, const QString &reason)> done)
        = 0;
    virtual void cancelApproval(const QString &id) = 0;
};

} // namespace Tailops::Mcp
