#pragma once

#include "mcp/callgate.h"
#include "policy/policyengine.h"
#include "policy/ratelimiter.h"

#include <QHash>

#include <functional>

namespace Tailops::Approvals {
class ApprovalBroker;
}

namespace Tailops::Service {

// The gateway's Mcp::CallGate, in this order: the kill switch (paused), the read-only switch, the token's
// host_tags, the policy engine (scopes x target capabilities x policy.yaml rules), then rate limits,
// quotas and the caller's concurrency cap. require_approval decisions go to the approval broker, bound to
// the caller, tool, target and arguments. Lives on the event-loop thread.
class Gatekeeper final : public Mcp::CallGate
{
public:
    using Redact = std::function<QJsonObject(const QJsonObject &)>;

    Gatekeeper(Policy::PolicyEngine &policy, Policy::RateLimiter &limiter, Approvals::ApprovalBroker &broker,
               qint64 defaultApprovalTimeoutSeconds, Redact redact = {});

    bool visible(const Mcp::Tool &tool, const Auth::Caller &caller) const override;
    Mcp::GateVerdict decide(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                            const QJsonObject &arguments) override;
    void release(const Auth::Caller &caller) override;
    std::optional<QString> recheck(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                   const QJsonObject &arguments) const override;
    QString requestApproval(const Mcp::CallInfo &call, const Mcp::GateVerdict &verdict, const QObject *context,
                            std::function<void(const QString &, double, double)> progress,
                            std::function<void(bool, const QString &, const QString &)> done) override;
    void cancelApproval(const QString &id) override;

private:
    Policy::PolicyEngine &m_policy;
    Policy::RateLimiter &m_limiter;
    Approvals::ApprovalBroker &m_broker;
    qint64 m_defaultApprovalTimeout;
    Redact m_redact;
};

} // namespace Tailops::Service
