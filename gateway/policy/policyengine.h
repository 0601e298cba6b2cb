#pragma once

#include "policy.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

namespace Tailops::Auth {
struct Caller;
}
namespace Tailops::Mcp {
struct Tool;
}
namespace Tailops::Registry {
struct Target;
}

namespace Tailops::Policy {

// Everything decide() looks at. Build it once per tools/call (Request::make), not per rule.
struct Request
{
    // tool
    QString tool;
    QString scope; // required scope; empty = none (health_check)
    Tier tier = Tier::Admin;
    Risk risk = Risk::Critical;
    // target; targetId empty = the tool takes no target (only target-less rules, i.e. targets "*", match)
    QString targetId;
    QStringList targetTags;
    QStringList targetCapabilities;
    // caller
    QString agent;       // token agent claim
    QSet<QString> scopes; // expanded (token scopes, or Policy::grantedScopes for tailnet identities)
    QString user;        // tailnet login name, e.g. alice@example.com
    QStringList callerTags; // tailnet tags, e.g. tag:ops
    // arguments as validated against the tool's input schema
    QJsonObject arguments;

    // Fills the fields from the gateway's types. The tier and risk default to what the tool declares
    // risk is derived from the tool's annotations (read-only: low, destructive: high, else moderate)
    // unless given. `target` may be null for target-less tools.
    static Request make(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                        const QJsonObject &arguments, const QString &tailnetUser = {},
                        std::optional<Tier> tier = std::nullopt, std::optional<Risk> risk = std::nullopt);
};

struct Decision
{
    Effect effect = Effect::Deny;
    QString rule;   // the deciding rule, empty for the scope/capability gate and the default
    QString reason; // for the client and the audit
    qint64 approvalTimeoutSeconds = 0; // RequireApproval only

    bool allowed() const { return effect == Effect::Allow; }
};

// Decides tools/call requests against the current policy snapshot. decide() and visible() are const and
// thread-safe; setPolicy() swaps the snapshot atomically (requests in flight keep the old one).
class PolicyEngine
{
public:
    explicit PolicyEngine(PolicyPtr policy = Policy::denyAll());

    void setPolicy(PolicyPtr policy);
    PolicyPtr policy() const;

    Decision decide(const Request &request) const;
    static Decision decide(const Policy &policy, const Request &request);

    // Whether tools/list shows the tool to this caller. Listed iff the tool needs no scope or the caller
    // holds it, no deny rule matching the tool and the caller applies to every target (targets "*"), and
    // either the default is allow or some allow/require_approval rule matches the tool and the caller
    // for some target. Conservative in one direction only: a listed tool may still be refused for a
    // particular target (capabilities, target-specific rules, params); a hidden tool is refused everywhere.
    // Uses request.tool/scope/tier/risk and the caller fields; target and arguments are ignored.
    bool visible(const Request &request) const;
    static bool visible(const Policy &policy, const Request &request);

private:
    std::atomic<PolicyPtr> m_policy;
};

} // namespace Tailops::Policy
