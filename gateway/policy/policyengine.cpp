#include "policyengine.h"

#include "auth/caller.h"
#include "mcp/tool.h"
#include "registry/target.h"

#include <QVarLengthArray>

#include <climits>

namespace Tailops::Policy {

namespace {

bool targetMatches(const Rule &rule, const Request &r)
{
    if (rule.anyTarget) {
        return true;
    }
    if (r.targetId.isEmpty()) {
        return false;
    }
    return rule.targetIds.matches(r.targetId) || rule.targetTags.matchesAny(r.targetTags);
}

bool callerMatches(const Rule &rule, const Request &r)
{
    if (rule.anyCaller) {
        return true;
    }
    return (!r.agent.isEmpty() && rule.callerAgents.matches(r.agent))
        || (!r.user.isEmpty() && rule.callerUsers.matches(r.user)) || rule.callerTags.matchesAny(r.callerTags);
}

bool toolAttributesMatch(const Rule &rule, const Request &r)
{
    if (rule.tier && static_cast<int>(r.tier) > static_cast<int>(*rule.tier)) {
        return false;
    }
    return (rule.riskMask & (1u << static_cast<unsigned>(r.risk))) != 0;
}

Decision deny(QString rule, QString reason)
{
    return Decision { Effect::Deny, std::move(rule), std::move(reason), 0 };
}

} // namespace

Request Request::make(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                      const QJsonObject &arguments, const QString &tailnetUser, std::optional<Tier> tier,
                      std::optional<Risk> risk)
{
    Request r;
    r.tool = tool.name;
    r.scope = tool.scope;
    r.tier = tier.value_or(tool.tier);
    r.risk = risk.value_or(tool.risk);
    if (target) {
        r.targetId = target->id;
        r.targetTags = target->tags;
        r.targetCapabilities = target->capabilities;
    }
    r.agent = caller.agent;
    r.scopes = caller.scopes;
    r.user = tailnetUser.isEmpty() ? caller.user : tailnetUser;
    r.callerTags = caller.tailnetTags;
    r.arguments = arguments;
    return r;
}

PolicyEngine::PolicyEngine(PolicyPtr policy)
    : m_policy(policy ? std::move(policy) : Policy::denyAll())
{
}

void PolicyEngine::setPolicy(PolicyPtr policy)
{
    m_policy.store(policy ? std::move(policy) : Policy::denyAll());
}

PolicyPtr PolicyEngine::policy() const
{
    return m_policy.load();
}

Decision PolicyEngine::decide(const Request &request) const
{
    const PolicyPtr snapshot = m_policy.load();
    return decide(*snapshot, request);
}

bool PolicyEngine::visible(const Request &request) const
{
    const PolicyPtr snapshot = m_policy.load();
    return visible(*snapshot, request);
}

Decision PolicyEngine::decide(const Policy &policy, const Request &r)
{
    // 1. Effective permission starts with scopes x capabilities (the original's gate).
    if (!r.scope.isEmpty()) {
        if (!r.scopes.contains(r.scope)) {
            return deny({}, QStringLiteral("Operation not permitted for target: the caller lacks scope '%1' for tool '%2'")
                                .arg(r.scope, r.tool));
        }
        if (!r.targetId.isEmpty() && !r.targetCapabilities.contains(r.scope)) {
            return deny({}, QStringLiteral("Operation not permitted for target: target '%1' lacks capability '%2' for tool '%3'")
                                .arg(r.targetId, r.scope, r.tool));
        }
    }

    // 2. Matching rules, reached through the tool index only.
    int denyIndex = INT_MAX;
    QVarLengthArray<int, 32> granting; // matching allow / require_approval rules
    const QList<Rule> &rules = policy.rules();
    policy.forEachCandidate(r.tool, [&](int i, bool needsToolCheck) {
        if (i >= denyIndex) {
            return;
        }
        const Rule &rule = rules[i];
        if (needsToolCheck && !rule.tools.matches(r.tool)) {
            return;
        }
        if (!toolAttributesMatch(rule, r) || !callerMatches(rule, r) || !targetMatches(rule, r)) {
            return;
        }
        if (rule.effect == Effect::Deny) {
            denyIndex = i;
        } else {
            granting.append(i);
        }
    });
    if (denyIndex != INT_MAX) {
        const Rule &rule = rules[denyIndex];
        return deny(rule.name, QStringLiteral("denied by policy rule '%1'").arg(rule.name));
    }

    // 3. Constraints of every matching granting rule apply; the first violation (in file order) denies.
    std::sort(granting.begin(), granting.end());
    int approvalIndex = INT_MAX;
    int allowIndex = INT_MAX;
    int previous = -1;
    for (const int i : granting) {
        if (i == previous) {
            continue;
        }
        previous = i;
        const Rule &rule = rules[i];
        for (const ParamConstraint &constraint : rule.params) {
            if (auto bad = constraint.violation(r.arguments.value(constraint.name))) {
                return deny(rule.name, QStringLiteral("policy rule '%1': %2").arg(rule.name, *bad));
            }
        }
        if (rule.effect == Effect::RequireApproval) {
            approvalIndex = std::min(approvalIndex, i);
        } else {
            allowIndex = std::min(allowIndex, i);
        }
    }
    if (approvalIndex != INT_MAX) {
        const Rule &rule = rules[approvalIndex];
        return Decision { Effect::RequireApproval, rule.name,
                          QStringLiteral("policy rule '%1' requires approval").arg(rule.name),
                          rule.approvalTimeoutSeconds > 0 ? rule.approvalTimeoutSeconds : policy.approvalTimeoutSeconds() };
    }
    if (allowIndex != INT_MAX) {
        const Rule &rule = rules[allowIndex];
        return Decision { Effect::Allow, rule.name, QStringLiteral("allowed by policy rule '%1'").arg(rule.name), 0 };
    }
    if (policy.defaultEffect() == Effect::Allow) {
        return Decision { Effect::Allow, {}, QStringLiteral("allowed by the policy default"), 0 };
    }
    return deny({}, QStringLiteral("no policy rule allows tool '%1' on target '%2' (default: deny)")
                        .arg(r.tool, r.targetId.isEmpty() ? QStringLiteral("-") : r.targetId));
}

bool PolicyEngine::visible(const Policy &policy, const Request &r)
{
    if (!r.scope.isEmpty() && !r.scopes.contains(r.scope)) {
        return false;
    }
    bool deniedEverywhere = false;
    bool someGrant = false;
    const QList<Rule> &rules = policy.rules();
    policy.forEachCandidate(r.tool, [&](int i, bool needsToolCheck) {
        const Rule &rule = rules[i];
        if ((needsToolCheck && !rule.tools.matches(r.tool)) || !toolAttributesMatch(rule, r) || !callerMatches(rule, r)) {
            return;
        }
        if (rule.effect == Effect::Deny) {
            deniedEverywhere = deniedEverywhere || rule.anyTarget;
        } else {
            someGrant = true;
        }
    });
    if (deniedEverywhere) {
        return false;
    }
    return someGrant || policy.defaultEffect() == Effect::Allow;
}

} // namespace Tailops::Policy
