#pragma once

// policy.yaml: rules on top of token scopes and target capabilities.
//
//   version: "1"                 # "1" or "1.0"
//   default: deny                # deny (the default) | allow; used when no rule matches
//   approval_timeout: 5m         # default wait for require_approval rules (default: approvals.timeout, 120 s)
//   grants:                      # scopes for tailnet identities (they carry no token)
//     - callers: ["user:alice@example.com", "tag:tag:ops"]
//       scopes: [readonly, container:write]
//   rules:
//     - name: logs-readonly      # required, unique
//       description: free text   # optional
//       effect: allow            # allow | deny | require_approval (required)
//       tools: ["get_*", "read_file"]      # required, globs ('*' any run, '?' one char)
//       targets: ["web-*", "tag:web"]      # optional, default any. id glob, or "tag:<glob>" on target tags
//       callers: ["agent:claude-*", "user:*@example.com", "tag:tag:ops", "ci-bot"]
//                                # optional, default any. "agent:<glob>" or a bare glob: the token's agent;
//                                # "user:<glob>": tailnet login; "tag:<glob>": tailnet tag of the caller
//                                # ("tag:tag:ops"; the shorthand "tag:ops" means the same tag)
//       tier: control            # optional ceiling: the rule applies to tools whose tier <= this
//                                # (observe < control < admin). Absent: every tier.
//       risk: [high, critical]   # optional: only tools of these risks (low, moderate, high, critical)
//       params:                  # optional; not allowed on deny rules
//         path:
//           required: false      # an absent argument passes unless required
//           path_prefixes: [/var/log, /tmp]   # by component after lexical normalisation; NUL refused
//           max_length: 1024     # characters of a string, items of an array
//         lines: {min: 1, max: 5000}          # the argument must be a number
//         service: {enum: [nginx, postgres]}
//         name: {pattern: "[a-z][a-z0-9-]{0,62}"}  # anchored; at most 500 characters
//       approval_timeout: 10m    # optional, require_approval rules only
//
// Decision (PolicyEngine::decide): the tool's scope must be in the caller's scopes AND in the target's
// capabilities, otherwise Deny. Then among the rules matching tool, target, caller, tier and risk:
// any deny rule -> Deny; any matching allow/require_approval rule whose params are violated -> Deny
// (constraints of all matching rules apply together); any require_approval -> RequireApproval; any allow
// -> Allow; no match -> `default`. Unknown keys are warned about. A rule with errors is reported and,
// in lenient loading only, skipped (a broken deny rule always fails the load).

#include "glob.h"
#include "mcp/tool.h"
#include "paramconstraint.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>

namespace Tailops::Policy {

enum class Effect { Allow, Deny, RequireApproval };
using Tier = Mcp::Tier;
using Risk = Mcp::Risk;

QString effectName(Effect effect);
QString tierName(Tier tier);
QString riskName(Risk risk);
std::optional<Effect> effectFromName(QStringView name);
std::optional<Tier> tierFromName(QStringView name);
std::optional<Risk> riskFromName(QStringView name);

// The tier a scope implies when a tool declares none: *:read -> observe, *:admin -> admin, else control.
Tier tierForScope(QStringView scope);

struct Rule
{
    QString name;
    QString description;
    Effect effect = Effect::Deny;
    GlobSet tools;
    GlobSet targetIds;
    GlobSet targetTags;
    bool anyTarget = true;
    GlobSet callerAgents;
    GlobSet callerUsers;
    GlobSet callerTags;
    bool anyCaller = true;
    std::optional<Tier> tier; // ceiling
    unsigned riskMask = 0xf;  // bit per Risk
    QList<ParamConstraint> params;
    qint64 approvalTimeoutSeconds = 0; // 0: the policy's default
    int line = 0;
};

struct Grant
{
    GlobSet users;
    GlobSet tags;
    QStringList scopes; // as written; expanded by Policy::grantedScopes
    int line = 0;
};

// A compiled, immutable policy. Share it as PolicyPtr; reloads build a new one.
class Policy
{
public:
    Policy(Effect defaultEffect, qint64 approvalTimeoutSeconds, QList<Rule> rules, QList<Grant> grants);

    // Deny-by-default policy with no rules (what the gateway runs when no policy.yaml exists is the
    // caller's choice: permissive() keeps plain scopes x capabilities).
    static std::shared_ptr<const Policy> denyAll();
    static std::shared_ptr<const Policy> permissive();

    Effect defaultEffect() const { return m_default; }
    qint64 approvalTimeoutSeconds() const { return m_approvalTimeout; }
    const QList<Rule> &rules() const { return m_rules; }
    const QList<Grant> &grants() const { return m_grants; }
    const Rule *rule(const QString &name) const;

    // The expanded scopes granted to a tailnet identity (login name and/or tags) by `grants:`.
    QSet<QString> grantedScopes(const QString &user, const QStringList &tags) const;

    // Calls fn(ruleIndex, needsToolCheck) for every rule whose tool globs may match `tool` (a rule may
    // come more than once); rules not reachable from `tool` are never visited. Does not allocate.
    template<typename Fn>
    void forEachCandidate(const QString &tool, Fn &&fn) const;

private:
    void buildIndex();

    Effect m_default;
    qint64 m_approvalTimeout;
    QList<Rule> m_rules;
    QList<Grant> m_grants;
    QHash<QString, qsizetype> m_byName;

    // Tool index: rules reachable by exact name, by literal prefix of a glob, or always.
    QHash<QString, QList<int>> m_exactTools;
    QHash<QString, QList<int>> m_prefixTools;
    QList<qsizetype> m_prefixLengths; // distinct lengths of m_prefixTools keys, ascending
    QList<int> m_anyTool;             // rules with tools: ["*"] (no check needed)
    QHash<QString, QList<int>> m_suffixTools; // globs starting with a wildcard, by literal suffix
    QList<qsizetype> m_suffixLengths;
    QList<int> m_unprefixedTool;      // globs with wildcards at both ends (full check needed)
};

using PolicyPtr = std::shared_ptr<const Policy>;

template<typename Fn>
void Policy::forEachCandidate(const QString &tool, Fn &&fn) const
{
    for (const int i : m_anyTool) {
        fn(i, false);
    }
    if (const auto it = m_exactTools.constFind(tool); it != m_exactTools.cend()) {
        for (const int i : *it) {
            fn(i, false);
        }
    }
    for (const qsizetype length : m_prefixLengths) {
        if (length > tool.size()) {
            break;
        }
        const QString key = QString::fromRawData(tool.constData(), length); // no copy
        if (const auto it = m_prefixTools.constFind(key); it != m_prefixTools.cend()) {
            for (const int i : *it) {
                fn(i, true);
            }
        }
    }
    for (const qsizetype length : m_suffixLengths) {
        if (length > tool.size()) {
            break;
        }
        const QString key = QString::fromRawData(tool.constData() + (tool.size() - length), length); // no copy
        if (const auto it = m_suffixTools.constFind(key); it != m_suffixTools.cend()) {
            for (const int i : *it) {
                fn(i, true);
            }
        }
    }
    for (const int i : m_unprefixedTool) {
        fn(i, true);
    }
}

} // namespace Tailops::Policy
