#include "policy.h"

#include "auth/scopes.h"

#include <algorithm>

namespace Tailops::Policy {

QString effectName(Effect effect)
{
    switch (effect) {
    case Effect::Allow:
        return QStringLiteral("allow");
    case Effect::Deny:
        return QStringLiteral("deny");
    case Effect::RequireApproval:
        return QStringLiteral("require_approval");
    }
    return {};
}

QString tierName(Tier tier)
{
    switch (tier) {
    case Tier::Observe:
        return QStringLiteral("observe");
    case Tier::Control:
        return QStringLiteral("control");
    case Tier::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

QString riskName(Risk risk)
{
    switch (risk) {
    case Risk::Low:
        return QStringLiteral("low");
    case Risk::Moderate:
        return QStringLiteral("moderate");
    case Risk::High:
        return QStringLiteral("high");
    case Risk::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

std::optional<Effect> effectFromName(QStringView name)
{
    if (name == u"allow") {
        return Effect::Allow;
    }
    if (name == u"deny") {
        return Effect::Deny;
    }
    if (name == u"require_approval") {
        return Effect::RequireApproval;
    }
    return std::nullopt;
}

std::optional<Tier> tierFromName(QStringView name)
{
    if (name == u"observe") {
        return Tier::Observe;
    }
    if (name == u"control") {
        return Tier::Control;
    }
    if (name == u"admin") {
        return Tier::Admin;
    }
    return std::nullopt;
}

std::optional<Risk> riskFromName(QStringView name)
{
    if (name == u"low") {
        return Risk::Low;
    }
    if (name == u"moderate") {
        return Risk::Moderate;
    }
    if (name == u"high") {
        return Risk::High;
    }
    if (name == u"critical") {
        return Risk::Critical;
    }
    return std::nullopt;
}

Tier tierForScope(QStringView scope)
{
    if (scope.isEmpty() || scope.endsWith(u":read")) {
        return Tier::Observe;
    }
    if (scope.endsWith(u":admin") || scope == u"admin") {
        return Tier::Admin;
    }
    return Tier::Control;
}

Policy::Policy(Effect defaultEffect, qint64 approvalTimeoutSeconds, QList<Rule> rules, QList<Grant> grants)
    : m_default(defaultEffect)
    , m_approvalTimeout(approvalTimeoutSeconds)
    , m_rules(std::move(rules))
    , m_grants(std::move(grants))
{
    buildIndex();
}

std::shared_ptr<const Policy> Policy::denyAll()
{
    return std::make_shared<const Policy>(Effect::Deny, 0, QList<Rule>(), QList<Grant>());
}

std::shared_ptr<const Policy> Policy::permissive()
{
    return std::make_shared<const Policy>(Effect::Allow, 0, QList<Rule>(), QList<Grant>());
}

const Rule *Policy::rule(const QString &name) const
{
    const auto it = m_byName.constFind(name);
    return it == m_byName.cend() ? nullptr : &m_rules[*it];
}

QSet<QString> Policy::grantedScopes(const QString &user, const QStringList &tags) const
{
    QStringList scopes;
    for (const Grant &grant : m_grants) {
        if ((!user.isEmpty() && grant.users.matches(user)) || grant.tags.matchesAny(tags)) {
            scopes += grant.scopes;
        }
    }
    return Auth::expandScopes(scopes);
}

void Policy::buildIndex()
{
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        const Rule &rule = m_rules[i];
        m_byName.insert(rule.name, i);
        const int index = static_cast<int>(i);
        if (rule.tools.matchesEverything()) {
            m_anyTool.append(index);
            continue;
        }
        for (const Glob &glob : rule.tools.globs()) {
            if (glob.isLiteral()) {
                auto &bucket = m_exactTools[glob.pattern()];
                if (bucket.isEmpty() || bucket.constLast() != index) {
                    bucket.append(index);
                }
            } else if (glob.literalPrefix().isEmpty()) {
                const QString suffix = glob.literalSuffix();
                if (suffix.isEmpty()) {
                    if (m_unprefixedTool.isEmpty() || m_unprefixedTool.constLast() != index) {
                        m_unprefixedTool.append(index);
                    }
                } else {
                    auto &bucket = m_suffixTools[suffix];
                    if (bucket.isEmpty() || bucket.constLast() != index) {
                        bucket.append(index);
                    }
                    if (!m_suffixLengths.contains(suffix.size())) {
                        m_suffixLengths.append(suffix.size());
                    }
                }
            } else {
                auto &bucket = m_prefixTools[glob.literalPrefix()];
                if (bucket.isEmpty() || bucket.constLast() != index) {
                    bucket.append(index);
                }
                if (!m_prefixLengths.contains(glob.literalPrefix().size())) {
                    m_prefixLengths.append(glob.literalPrefix().size());
                }
            }
        }
    }
    std::sort(m_prefixLengths.begin(), m_prefixLengths.end());
    std::sort(m_suffixLengths.begin(), m_suffixLengths.end());
}

} // namespace Tailops::Policy
