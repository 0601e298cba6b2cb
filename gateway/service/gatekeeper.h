#pragma once

#include "core/paths.h"
#include "mcp/callgate.h"
#include "policy/policyengine.h"
#include "policy/ratelimiter.h"

#include <QHash>

#include <functional>

namespace Tailops::Approvals {
class ApprovalBroker;
}
namespace Tailops::Registry {
class TargetRegistry;
}

namespace Tailops::Service {

// The gateway's Mcp::CallGate, in this order: the kill switch (paused), the read-only switch, the token's
// host_tags, the policy engine (scopes x target capabilities x policy.yaml rules), then rate limits,
// quotas and the caller's concurrency cap. require_approval decisions go to the approval broker, bound to
// the caller, tool, target and arguments. Lives on the event-loop thread.
class Gatekeeper final : public Mcp::CallGate
{
public:
    Gatekeeper(Policy::PolicyEngine &policy, Policy::RateLimiter &limiter, Approvals::ApprovalBroker &broker,
               qint64 defaultApprovalTimeoutSeconds);

    bool visible(const Mcp::Tool &tool, const Auth::Caller &caller) const override;
    Mcp::GateVerdict decide(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                            const QJsonObject &arguments) override;
    void release(const Auth::Caller &caller) override;
    std::optional<Mcp::GateVerdict> beforeRun(const Mcp::Tool &tool, const Registry::Target *target,
                                              const Auth::Caller &caller, const QJsonObject &arguments) const override;

    // Paths on the gateway's own machine no policy can open to path arguments (its secret, token registry,
    // configuration, audit log, admin socket, ~/.ssh, /proc): checked on local targets after normalisation
    // and again after symlinks are resolved.
    void setProtectedPaths(QStringList paths);
    // Path arguments on every target: refused when they match DENY (or lie below a match), and, when ALLOW
    // is not empty, unless they lie under one of its prefixes. Checked again after symlinks are resolved.
    void setFileRules(Core::PathPatterns deny, QStringList allow);
    // For tools acting on a list of targets: where the ids are resolved.
    void setRegistry(const Registry::TargetRegistry *registry) { m_registry = registry; }
    std::optional<QString> recheck(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                   const QJsonObject &arguments) const override;
    std::optional<QString> authorize(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                     const QJsonObject &arguments) const override;
    QString requestApproval(const Mcp::CallInfo &call, const Mcp::GateVerdict &verdict, const QObject *context,
                            std::function<void(const QString &, double, double)> progress,
                            std::function<void(bool, const QString &, const QString &)> done) override;
    void cancelApproval(const QString &id) override;

private:
    Policy::PolicyEngine &m_policy;
    Policy::RateLimiter &m_limiter;
    Approvals::ApprovalBroker &m_broker;
    std::optional<Mcp::GateVerdict> checkTarget(const Mcp::Tool &tool, const Registry::Target &target,
                                                const Auth::Caller &caller, const QJsonObject &arguments) const;
    std::optional<QString> protectedPath(const Mcp::Tool &tool, const Registry::Target *target,
                                         const QJsonObject &arguments) const;
    std::optional<QString> fileRule(const Mcp::Tool &tool, const Registry::Target *target, const QJsonObject &arguments) const;

    qint64 m_defaultApprovalTimeout;
    QStringList m_protected;
    Core::PathPatterns m_fileDeny;
    QStringList m_fileAllow;
    const Registry::TargetRegistry *m_registry = nullptr;
};

} // namespace Tailops::Service
