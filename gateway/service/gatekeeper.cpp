#include "gatekeeper.h"

#include "approvals/approvalbroker.h"
#include "core/paths.h"
#include "registry/targetregistry.h"

#include <QJsonArray>
#include "mcp/tool.h"
#include "registry/target.h"

namespace Tailops::Service {

namespace {

const QString kNotPermitted = QStringLiteral("Operation not permitted for target");

Mcp::GateVerdict deny(const QString &rule, const QString &reason)
{
    return { Mcp::GateVerdict::Kind::Deny, rule,
             reason.startsWith(kNotPermitted) ? reason : QString(kNotPermitted + QStringLiteral(": ") + reason), 0, 0 };
}

} // namespace

Gatekeeper::Gatekeeper(Policy::PolicyEngine &policy, Policy::RateLimiter &limiter, Approvals::ApprovalBroker &broker,
                       qint64 defaultApprovalTimeoutSeconds)
    : m_policy(policy)
    , m_limiter(limiter)
    , m_broker(broker)
    , m_defaultApprovalTimeout(defaultApprovalTimeoutSeconds)
{
}

bool Gatekeeper::visible(const Mcp::Tool &tool, const Auth::Caller &caller) const
{
    if (m_broker.isReadOnly() && !tool.annotations.readOnly) {
        return false;
    }
    return m_policy.visible(Policy::Request::make(tool, nullptr, caller, {}));
}

void Gatekeeper::setProtectedPaths(QStringList paths)
{
    m_protected.clear();
    for (const QString &p : std::as_const(paths)) {
        if (const auto n = Core::normalizePath(p); n && !p.isEmpty()) {
            m_protected.append(*n);
        }
    }
}

namespace {

// The path arguments' values (a string, or an array of strings).
QStringList pathValues(const Mcp::Tool &tool, const QJsonObject &arguments)
{
    QStringList paths;
    for (const QString &name : tool.pathArguments) {
        const QJsonValue v = arguments.value(name);
        if (v.isString()) {
            paths.append(v.toString());
        } else {
            const QJsonArray items = v.toArray();
            for (const QJsonValue &item : items) {
                paths.append(item.toString());
            }
        }
    }
    return paths;
}

} // namespace

void Gatekeeper::setFileRules(Core::PathPatterns deny, QStringList allow)
{
    m_fileDeny = std::move(deny);
    m_fileAllow = std::move(allow);
}

std::optional<QString> Gatekeeper::fileRule(const Mcp::Tool &tool, const Registry::Target *target,
                                            const QJsonObject &arguments) const
{
    if (!target) {
        return std::nullopt;
    }
    for (const QString &path : pathValues(tool, arguments)) {
        if (const QString pattern = m_fileDeny.match(path); !pattern.isEmpty()) {
            return QStringLiteral("%1 on '%2' matches the file deny list (%3); secrets stay closed to tools "
                                  "(files.deny / files.deny_secrets in gateway.yaml)")
                .arg(path, target->id, pattern);
        }
        if (!m_fileAllow.isEmpty()
            && std::none_of(m_fileAllow.cbegin(), m_fileAllow.cend(),
                            [&path](const QString &prefix) { return Core::isUnderPrefix(path, prefix); })) {
            return QStringLiteral("%1 on '%2' is outside the allowed directories (%3; files.allow in gateway.yaml)")
                .arg(path, target->id, m_fileAllow.join(QStringLiteral(", ")));
        }
    }
    return std::nullopt;
}

std::optional<QString> Gatekeeper::protectedPath(const Mcp::Tool &tool, const Registry::Target *target,
                                                 const QJsonObject &arguments) const
{
    if (!target || target->executor != Registry::Executor::Local) {
        return std::nullopt;
    }
    for (const QString &path : pathValues(tool, arguments)) {
        for (const QString &prefix : m_protected) {
            // A directory holding one (/tmp) may be listed: listings and searches ask again for each entry.
            if (Core::isUnderPrefix(path, prefix)) {
                return QStringLiteral("%1 is (or is in) the gateway's own %2, which no tool may open on '%3'")
                    .arg(path, prefix, target->id);
            }
        }
    }
    return std::nullopt;
}

// Everything about one target except the policy: host tags, scope and capability, protected paths.
std::optional<Mcp::GateVerdict> Gatekeeper::checkTarget(const Mcp::Tool &tool, const Registry::Target &target,
                                                        const Auth::Caller &caller, const QJsonObject &arguments) const
{
    if (!caller.hostTags.isEmpty()) {
        const bool tagged = std::any_of(caller.hostTags.cbegin(), caller.hostTags.cend(),
                                        [&target](const QString &tag) { return target.tags.contains(tag); });
        if (!tagged) {
            return deny(QStringLiteral("host_tags"), QStringLiteral("'%1' carries none of this token's host tags (%2)")
                                                         .arg(target.id, caller.hostTags.join(QStringLiteral(", "))));
        }
    }
    if (!tool.scope.isEmpty() && !target.capabilities.contains(tool.scope)) {
        return deny(QStringLiteral("capabilities"), QStringLiteral("'%1' does not allow %2 (its capabilities lack %3)")
                                                        .arg(target.id, tool.name, tool.scope));
    }
    if (const auto reason = protectedPath(tool, &target, arguments)) {
        return deny(QStringLiteral("protected-path"), *reason);
    }
    if (const auto reason = fileRule(tool, &target, arguments)) {
        return deny(QStringLiteral("file-rules"), *reason);
    }
    return std::nullopt;
}

Mcp::GateVerdict Gatekeeper::decide(const Mcp::Tool &tool, const Registry::Target *target, const Auth::Caller &caller,
                                    const QJsonObject &arguments)
{
    if (m_broker.isPaused()) {
        return deny(QStringLiteral("paused"), QStringLiteral("the gateway is paused by its operator (kill switch); "
                                                             "nothing runs until it is resumed (tailops-gateway resume)"));
    }
    if (m_broker.isReadOnly() && !tool.annotations.readOnly) {
        return deny(QStringLiteral("read-only"), QStringLiteral("%1 changes things and the gateway is in read-only mode "
                                                                "(tailops-gateway read-only off)")
                                                     .arg(tool.name));
    }
    // The original's gate first, with its own audit rule names (the policy engine checks them again).
    if (!tool.scope.isEmpty() && !caller.hasScope(tool.scope)) {
        return deny(QStringLiteral("scope"), QStringLiteral("%1 needs the %2 scope, which this caller does not have")
                                                 .arg(tool.name, tool.scope));
    }
    if (target) {
        if (auto refused = checkTarget(tool, *target, caller, arguments)) {
            return *refused;
        }
    }
    Policy::Decision decision = m_policy.decide(Policy::Request::make(tool, target, caller, arguments));
    // A tool acting on several targets is judged for each of them: the strictest decision wins.
    if (!tool.targetListArgument.isEmpty() && m_registry && decision.effect != Policy::Effect::Deny) {
        const auto snapshot = m_registry->snapshot();
        QStringList ids;
        const QJsonArray listed = arguments.value(tool.targetListArgument).toArray();
        for (const QJsonValue &v : listed) {
            ids.append(v.toString());
        }
        if (ids.isEmpty()) {
            for (const Registry::Target &t : snapshot->targets()) {
                ids.append(t.id);
            }
        }
        for (const QString &id : std::as_const(ids)) {
            const Registry::Target *t = snapshot->find(id);
            if (!t) {
                continue; // the tool reports unknown ids itself
            }
            if (auto refused = checkTarget(tool, *t, caller, arguments)) {
                return *refused;
            }
            const Policy::Decision each = m_policy.decide(Policy::Request::make(tool, t, caller, arguments));
            if (each.effect == Policy::Effect::Deny
                || (each.effect == Policy::Effect::RequireApproval && decision.effect == Policy::Effect::Allow)) {
                decision = each;
            }
            if (decision.effect == Policy::Effect::Deny) {
                break;
            }
        }
    }
    const QString rule = decision.rule.isEmpty() ? QStringLiteral("gate") : QString(QStringLiteral("policy:") + decision.rule);
    if (decision.effect == Policy::Effect::Deny) {
        return deny(decision.rule.isEmpty() ? QStringLiteral("default") : rule, decision.reason);
    }
    const auto admitted = m_limiter.admit(caller.identity(), tool.tier);
    if (!admitted.admitted) {
        return { Mcp::GateVerdict::Kind::Limited, admitted.rule, admitted.reason, admitted.retryAfterSeconds, 0 };
    }
    if (decision.effect == Policy::Effect::RequireApproval) {
        return { Mcp::GateVerdict::Kind::RequireApproval, rule, decision.reason, 0,
                 decision.approvalTimeoutSeconds > 0 ? decision.approvalTimeoutSeconds : m_defaultApprovalTimeout };
    }
    if (tool.approvalRequired && !arguments.value(QStringLiteral("dry_run")).toBool(false)) {
        return { Mcp::GateVerdict::Kind::RequireApproval, QStringLiteral("tool:approval-required"),
                 QStringLiteral("%1 always needs a human's approval").arg(tool.name), 0, m_defaultApprovalTimeout };
    }
    return { Mcp::GateVerdict::Kind::Allow, decision.rule.isEmpty() ? QStringLiteral("default") : rule, QString(), 0, 0 };
}

std::optional<Mcp::GateVerdict> Gatekeeper::beforeRun(const Mcp::Tool &tool, const Registry::Target *target,
                                                      const Auth::Caller &caller, const QJsonObject &arguments) const
{
    if (m_broker.isPaused()) {
        return deny(QStringLiteral("paused"), QStringLiteral("the gateway was paused by its operator (kill switch)"));
    }
    if (m_broker.isReadOnly() && !tool.annotations.readOnly) {
        return deny(QStringLiteral("read-only"), QStringLiteral("%1 changes things and the gateway is now in read-only mode")
                                                     .arg(tool.name));
    }
    if (const auto refused = recheck(tool, target, caller, arguments)) {
        return deny(QStringLiteral("policy-changed"), *refused);
    }
    return std::nullopt;
}

void Gatekeeper::release(const Auth::Caller &caller)
{
    m_limiter.release(caller.identity());
}

std::optional<QString> Gatekeeper::recheck(const Mcp::Tool &tool, const Registry::Target *target,
                                          const Auth::Caller &caller, const QJsonObject &arguments) const
{
    if (const auto reason = protectedPath(tool, target, arguments)) {
        return reason;
    }
    if (const auto reason = fileRule(tool, target, arguments)) {
        return reason;
    }
    const Policy::Decision decision = m_policy.decide(Policy::Request::make(tool, target, caller, arguments));
    if (decision.effect == Policy::Effect::Deny) {
        return decision.reason;
    }
    return std::nullopt;
}

std::optional<QString> Gatekeeper::authorize(const Mcp::Tool &tool, const Registry::Target *target,
                                            const Auth::Caller &caller, const QJsonObject &arguments) const
{
    if (!tool.scope.isEmpty() && !caller.hasScope(tool.scope)) {
        return QStringLiteral("%1 needs the %2 scope, which this caller does not have").arg(tool.name, tool.scope);
    }
    if (target) {
        if (const auto refused = checkTarget(tool, *target, caller, arguments)) {
            return refused->reason;
        }
    }
    const Policy::Decision decision = m_policy.decide(Policy::Request::make(tool, target, caller, arguments));
    if (decision.effect == Policy::Effect::Deny) {
        return decision.reason;
    }
    if (decision.effect == Policy::Effect::RequireApproval
        || (tool.approvalRequired && !arguments.value(QStringLiteral("dry_run")).toBool(false))) {
        return QStringLiteral("%1 on '%2' needs a human's approval; call it directly")
            .arg(tool.name, target ? target->id : QString());
    }
    return std::nullopt;
}

QString Gatekeeper::requestApproval(const Mcp::CallInfo &call, const Mcp::GateVerdict &verdict, const QObject *context,
                                    std::function<void(const QString &, double, double)> progress,
                                    std::function<void(bool, const QString &, const QString &)> done)
{
    Approvals::ApprovalRequest request;
    request.caller = call.caller.user.isEmpty() ? call.caller.agent : call.caller.user;
    request.tool = call.tool;
    request.target = call.target;
    // The human sees exactly what would run (the admin socket is owner-only): redacting it could hide
    // the payload behind "[REDACTED]" (the audit log still redacts).
    request.arguments = call.arguments;
    request.binding = Approvals::ApprovalBroker::bindingHash(call.caller.identity(), call.tool, call.target, call.arguments);
    request.rule = verdict.rule;
    request.reason = verdict.reason;
    const QString tool = call.tool;
    return m_broker.request(
        std::move(request), verdict.approvalTimeoutSeconds, context,
        [progress = std::move(progress)](const QString &message, qint64 elapsed, qint64 total) {
            progress(message, double(elapsed), double(total));
        },
        [done = std::move(done), tool](const Approvals::Decision &d) {
            using Outcome = Approvals::Outcome;
            const QString by = d.approver.isEmpty() ? QString() : QString(QStringLiteral(" by ") + d.approver);
            switch (d.outcome) {
            case Outcome::Approved:
                done(true, QString(QStringLiteral("approval") + by), QString());
                return;
            case Outcome::Denied:
                done(false, QString(QStringLiteral("approval-denied") + by),
                     QString(kNotPermitted + QStringLiteral(": the approver denied %1").arg(tool)
                             + (d.reason.isEmpty() ? QString() : QString(QStringLiteral(" (") + d.reason + u')'))));
                return;
            case Outcome::TimedOut:
                done(false, QStringLiteral("approval-timeout"),
                     QString(kNotPermitted + QStringLiteral(": no approver decided on %1 in time; denied").arg(tool)));
                return;
            case Outcome::Paused:
                done(false, QStringLiteral("paused"),
                     QString(kNotPermitted + QStringLiteral(": the gateway was paused by its operator (kill switch)")));
                return;
            case Outcome::Cancelled:
                done(false, QStringLiteral("cancelled"), QStringLiteral("cancelled"));
                return;
            }
        });
}

void Gatekeeper::cancelApproval(const QString &id)
{
    m_broker.cancel(id);
}

} // namespace Tailops::Service
