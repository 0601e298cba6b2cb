// bench_policy: PolicyEngine::decide() throughput and latency on one core.
//
// Generates a structured policy of --rules rules (default 1000): 10 global rules, then 27 rules per service
// role (3 environments x 9 rules: observe, files with path_prefixes, container logs and control with
// patterns and enums, diagnostics with ranges, restarts and admin tools needing approval, a neighbour
// team's read access, CI limits), the rest stale rules of retired roles that match no target. Generates
// --targets targets (default 5000; ids "<env>-r<role>-<n>", tags env/role/dc, a few quarantined and a few
// appliances with reduced capabilities), loads the policy through the real loader and builds --requests
// distinct requests (default 20000) with Request::make from tools that declare their tier and risk. The
// request mix aims at about 60 % allowed, 10 % require_approval, 25 % denied by a rule, a parameter
// constraint or the default, 5 % denied by the scope/capability gate, with constrained arguments on about
// a third of the requests.
//
// Every distinct request is decided once and classified from the Decision (effect, deciding rule and that
// rule's effect), then the timed loop cycles through them for --seconds seconds (default 3) and counts the
// effects of the decisions it made; a latency pass follows. Prints a Markdown table.
// Exit: 0 ok, 1 bad arguments or policy, 2 under 100,000 decisions/s, 3 degenerate or inconsistent mix.

#include "auth/caller.h"
#include "auth/scopes.h"
#include "mcp/tool.h"
#include "policy/policyengine.h"
#include "policy/policyloader.h"
#include "registry/target.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTextStream>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <sched.h>
#include <vector>

using namespace Tailops;
using namespace Tailops::Policy;
using CompiledPolicy = Tailops::Policy::Policy; // 'Policy' alone also names the namespace

namespace {

// ---- outcomes ------------------------------------------------------------------------------------------

enum class Outcome
{
    Allow,
    Approval,
    DenyRule,
    DenyParams,
    DenyDefault,
    DenyGate
};
constexpr int kOutcomes = 6;

int slot(Outcome o) { return static_cast<int>(o); }

// Deny by the scope/capability gate, by the default, by a deny rule, or by a granting rule's constraint.
Outcome classify(const CompiledPolicy &policy, const Request &r, const Decision &d)
{
    if (d.effect == Effect::Allow) {
        return Outcome::Allow;
    }
    if (d.effect == Effect::RequireApproval) {
        return Outcome::Approval;
    }
    if (d.rule.isEmpty()) {
        const bool gate = !r.scope.isEmpty()
            && (!r.scopes.contains(r.scope) || (!r.targetId.isEmpty() && !r.targetCapabilities.contains(r.scope)));
        return gate ? Outcome::DenyGate : Outcome::DenyDefault;
    }
    const Rule *rule = policy.rule(d.rule);
    return rule && rule->effect == Effect::Deny ? Outcome::DenyRule : Outcome::DenyParams;
}

enum ConstraintKind : unsigned
{
    PathPrefixes = 1,
    Enum = 2,
    Pattern = 4,
    Range = 8
};
constexpr int kConstraintKinds = 4;

unsigned kindsOf(const ParamConstraint &c)
{
    return (c.pathPrefixes.isEmpty() ? 0u : PathPrefixes) | (c.enumValues ? Enum : 0u) | (c.pattern ? Pattern : 0u)
        | (c.min || c.max ? Range : 0u);
}

// The constraint kinds the deciding rule checked on arguments the request carries: every constraint on a
// present argument when it granted, the violated constraint when it denied. 0 when none.
unsigned checkedKinds(const CompiledPolicy &policy, const Request &r, const Decision &d, Outcome outcome)
{
    const Rule *rule = d.rule.isEmpty() ? nullptr : policy.rule(d.rule);
    if (!rule) {
        return 0;
    }
    unsigned kinds = 0;
    for (const ParamConstraint &c : rule->params) {
        const QJsonValue value = r.arguments.value(c.name);
        if (outcome == Outcome::DenyParams) {
            if (c.violation(value)) {
                return kindsOf(c);
            }
        } else if ((outcome == Outcome::Allow || outcome == Outcome::Approval) && !value.isUndefined()) {
            kinds |= kindsOf(c);
        }
    }
    return kinds;
}

// ---- tools, as the gateway declares them ---------------------------------------------------------------

enum ToolId
{
    ListTargets,
    GetSystemStatus,
    GetTopProcesses,
    GetNetworkStatus,
    GetContainerList,
    InspectContainer,
    GetContainerLogs,
    ListFirewallRules,
    ReadFile,
    ListDirectory,
    PingHost,
    DnsLookup,
    Traceroute,
    ManageContainer,
    RestartService,
    RunCommand,
    InstallPackage,
    PullDockerImage,
    AddFirewallRule,
    ToolCount
};

struct ToolSpec
{
    ToolId id;
    const char *name;
    const char *scope;
    Mcp::Tier tier;
    Mcp::Risk risk;
};

constexpr ToolSpec kTools[] = {
    { ListTargets, "list_targets", "", Mcp::Tier::Observe, Mcp::Risk::Low },
    { GetSystemStatus, "get_system_status", "system:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { GetTopProcesses, "get_top_processes", "system:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { GetNetworkStatus, "get_network_status", "network:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { GetContainerList, "get_container_list", "container:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { InspectContainer, "inspect_container", "container:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { GetContainerLogs, "get_container_logs", "container:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { ListFirewallRules, "list_firewall_rules", "security:read", Mcp::Tier::Observe, Mcp::Risk::Low },
    { ReadFile, "read_file", "file:read", Mcp::Tier::Observe, Mcp::Risk::Moderate },
    { ListDirectory, "list_directory", "file:read", Mcp::Tier::Observe, Mcp::Risk::Moderate },
    { PingHost, "ping_host", "network:diag", Mcp::Tier::Control, Mcp::Risk::Moderate },
    { DnsLookup, "dns_lookup", "network:diag", Mcp::Tier::Control, Mcp::Risk::Moderate },
    { Traceroute, "traceroute", "network:diag", Mcp::Tier::Control, Mcp::Risk::Moderate },
    { ManageContainer, "manage_container", "container:write", Mcp::Tier::Control, Mcp::Risk::High },
    { RestartService, "restart_service", "system:admin", Mcp::Tier::Admin, Mcp::Risk::High },
    { RunCommand, "run_command", "system:admin", Mcp::Tier::Admin, Mcp::Risk::Critical },
    { InstallPackage, "install_package", "system:admin", Mcp::Tier::Admin, Mcp::Risk::Critical },
    { PullDockerImage, "pull_docker_image", "docker:admin", Mcp::Tier::Admin, Mcp::Risk::Critical },
    { AddFirewallRule, "add_firewall_rule", "security:write", Mcp::Tier::Control, Mcp::Risk::Critical },
};
static_assert(std::size(kTools) == ToolCount);

// ---- policy --------------------------------------------------------------------------------------------

constexpr int kTeams = 20;
constexpr int kEnvironments = 3;
const char *const kEnvNames[kEnvironments] = { "prod", "staging", "dev" };
constexpr int kRulesPerRoleEnv = 9;
constexpr int kRulesPerRole = kEnvironments * kRulesPerRoleEnv;

int ownerTeam(int role) { return role % kTeams; }

int neighbourTeam(int role) { return (role + 1) % kTeams; }

QByteArray roleTag(int role) { return "r" + QByteArray::number(role).rightJustified(3, '0'); }

QByteArray rule(const QByteArray &name, const char *effect, const QByteArray &tools, const QByteArray &rest)
{
    return "  - name: " + name + "\n    effect: " + effect + "\n    tools: " + tools + "\n" + rest;
}

// The nine rules of one role in one environment. Constrained granting rules come first so that they are
// the deciding rule (the lowest index) when they match.
QList<QByteArray> roleRules(int role, int env)
{
    const QByteArray r = roleTag(role);
    const QByteArray stem = QByteArray(kEnvNames[env]) + '-' + r;
    const QByteArray team = QByteArray::number(ownerTeam(role));
    const QByteArray next = QByteArray::number(neighbourTeam(role));
    const QByteArray hosts = "    targets: [\"" + stem + "-*\"]\n";
    const QByteArray owner
        = "    callers: [\"agent:agent-" + team + "\", \"agent:ci-" + team + "\", \"tag:tag:team-" + team + "\"]\n";
    const QByteArray ops = "    callers: [\"agent:agent-" + team + "\", \"tag:tag:team-" + team + "\"]\n";
    const QByteArray neighbour = "    callers: [\"agent:agent-" + next + "\", \"tag:tag:team-" + next + "\"]\n";
    const QByteArray container = "      container: {pattern: '" + r + "-[a-z0-9-]{1,40}'}\n";
    const bool prod = env == 0;
    const bool dev = env == 2;
    return {
        rule(stem + "-files", "allow", "[read_file, list_directory]",
            hosts + owner + "    params:\n" + "      path: {path_prefixes: [/var/log, /srv/app-" + r
                + ", /tmp], max_length: 512}\n" + "      max_bytes: {min: 1, max: 1048576}\n"),
        rule(stem + "-logs", "allow", "[get_container_logs]",
            hosts + owner + "    params:\n" + container + "      lines: {min: 1, max: 5000}\n"),
        rule(stem + "-containers", prod ? "require_approval" : "allow", "[manage_container]",
            hosts + owner + "    params:\n" + container
                + (prod ? "      action: {enum: [restart]}\n" : "      action: {enum: [start, stop, restart]}\n")),
        rule(stem + "-diag", "allow", "[ping_host, dns_lookup, traceroute]",
            hosts + ops
                + "    params:\n      count: {min: 1, max: 20}\n      host: {pattern: '[a-z0-9][a-z0-9.-]{0,252}'}\n"),
        rule(stem + "-restart", dev ? "allow" : "require_approval", "[restart_service]",
            hosts + ops + "    params:\n      service: {required: true, enum: [nginx, postgres, redis, app-" + r
                + "]}\n"),
        rule(stem + "-admin", "require_approval", "[run_command, install_package]",
            hosts + ops
                + "    risk: [high, critical]\n    approval_timeout: 10m\n"
                  "    params:\n      package: {pattern: '[a-z0-9][a-z0-9+.-]{0,99}'}\n"),
        rule(stem + "-observe", "allow", "[\"get_*\", \"list_*\", \"inspect_*\"]",
            hosts + owner + "    tier: observe\n"),
        rule(stem + "-neighbour-read", "allow", "[get_system_status, get_network_status, get_container_list]",
            hosts + neighbour + "    tier: observe\n"),
        rule(stem + "-ci-limits", "deny",
            prod ? "[manage_container, restart_service, run_command, install_package, pull_docker_image]"
                 : "[run_command, install_package]",
            hosts + "    callers: [\"agent:ci-" + team + "\"]\n"),
    };
}

const QList<QByteArray> &globalRules()
{
    static const QList<QByteArray> rules = {
        rule("quarantine", "deny", "[\"*\"]", "    targets: [\"tag:quarantine\"]\n"),
        rule("untrusted-agents", "deny", "[\"*\"]", "    callers: [\"agent:untrusted-*\"]\n"),
        rule("no-image-pulls-in-prod", "deny", "[pull_docker_image]", "    targets: [\"tag:env-prod\"]\n"),
        rule("no-firewall-changes-by-bots", "deny", "[add_firewall_rule]",
            "    callers: [\"agent:agent-*\", \"agent:ci-*\", \"agent:monitor\"]\n"),
        rule("discovery", "allow", "[list_targets]", ""),
        rule("monitoring", "allow", "[\"get_*\", \"list_*\"]", "    callers: [\"agent:monitor\"]\n    tier: observe\n"),
        rule("secops-read", "allow", "[\"get_*\", list_firewall_rules]",
            "    callers: [\"tag:tag:secops\"]\n    tier: observe\n"),
        rule("secops-firewall", "require_approval", "[add_firewall_rule]",
            "    callers: [\"tag:tag:secops\"]\n    params:\n      port: {required: true, min: 1, max: 65535}\n"
            "      proto: {enum: [tcp, udp]}\n"),
        rule("dev-image-pulls", "allow", "[pull_docker_image]",
            "    targets: [\"tag:env-dev\"]\n    callers: [\"agent:agent-*\"]\n    params:\n"
            "      image: {required: true, pattern: 'registry\\.example\\.com/[a-z0-9/-]+:[a-z0-9.-]+'}\n"),
        rule("critical-in-prod", "require_approval", "[\"*\"]",
            "    targets: [\"tag:env-prod\"]\n    risk: [critical]\n"),
    };
    return rules;
}

struct GeneratedPolicy
{
    QByteArray yaml;
    int roles = 0; // roles with targets and a full set of rules
    int staleRules = 0; // rules of retired roles (no target matches them)
};

GeneratedPolicy generatePolicy(int rules)
{
    GeneratedPolicy g;
    g.roles = std::max(1, int((rules - globalRules().size()) / kRulesPerRole));
    g.yaml = "version: \"1\"\ndefault: deny\napproval_timeout: 5m\n"
             "grants:\n"
             "  - callers: [\"tag:tag:team-*\"]\n    scopes: [readonly, network:diag, container:write]\n"
             "  - callers: [\"tag:tag:secops\"]\n    scopes: [readonly, security:write]\n"
             "rules:\n";
    int written = 0;
    for (const QByteArray &r : globalRules()) {
        g.yaml += r;
        ++written;
    }
    for (int role = 0; role < g.roles; ++role) {
        for (int env = 0; env < kEnvironments; ++env) {
            for (const QByteArray &r : roleRules(role, env)) {
                g.yaml += r;
                ++written;
            }
        }
    }
    for (int role = g.roles; written < rules; ++role) { // retired roles: same shape, no targets
        for (int env = 0; env < kEnvironments && written < rules; ++env) {
            for (const QByteArray &r : roleRules(role, env)) {
                if (written == rules) {
                    break;
                }
                g.yaml += r;
                ++written;
                ++g.staleRules;
            }
        }
    }
    return g;
}

// ---- targets and requests ------------------------------------------------------------------------------

struct BenchTarget
{
    enum Kind
    {
        Normal,
        Quarantined,
        Appliance
    };
    Registry::Target target;
    int role = 0;
    int env = 0;
    Kind kind = Normal;
};

std::vector<BenchTarget> generateTargets(int count, int roles, QRandomGenerator &rng)
{
    const QStringList allCaps = Auth::knownScopes();
    const QStringList applianceCaps = { QStringLiteral("system:read"), QStringLiteral("network:read") };
    std::vector<BenchTarget> out;
    out.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        BenchTarget t;
        t.role = rng.bounded(roles);
        const int e = rng.bounded(100);
        t.env = e < 30 ? 0 : (e < 55 ? 1 : 2);
        t.kind = i % 100 == 7 ? BenchTarget::Quarantined : (i % 25 == 3 ? BenchTarget::Appliance : BenchTarget::Normal);
        t.target.id = QStringLiteral("%1-%2-%3")
                          .arg(QLatin1StringView(kEnvNames[t.env]), QString::fromLatin1(roleTag(t.role)))
                          .arg(i, 5, 10, QChar(u'0'));
        t.target.tags = { QStringLiteral("env-") + QLatin1StringView(kEnvNames[t.env]),
            QStringLiteral("role-%1").arg(t.role), QStringLiteral("dc-%1").arg(rng.bounded(4)) };
        t.target.capabilities = allCaps;
        if (t.kind == BenchTarget::Quarantined) {
            t.target.tags.append(QStringLiteral("quarantine"));
        } else if (t.kind == BenchTarget::Appliance) {
            t.target.tags.append(QStringLiteral("appliance"));
            t.target.capabilities = applianceCaps;
        }
        out.push_back(std::move(t));
    }
    return out;
}

struct Generated
{
    Request request;
    Outcome intended;
};

// Builds requests by category; each category is constructed so that the policy above decides it one way.
class RequestMix
{
public:
    RequestMix(QRandomGenerator &rng, const CompiledPolicy &policy, const std::vector<BenchTarget> &targets)
        : m_rng(rng)
        , m_policy(policy)
        , m_targets(targets)
    {
        for (const ToolSpec &spec : kTools) {
            Mcp::Tool tool;
            tool.name = QString::fromLatin1(spec.name);
            tool.scope = QString::fromLatin1(spec.scope);
            tool.tier = spec.tier;
            tool.risk = spec.risk;
            tool.takesTarget = spec.id != ListTargets;
            m_tools.push_back(std::move(tool));
        }
        for (size_t i = 0; i < targets.size(); ++i) {
            switch (targets[i].kind) {
            case BenchTarget::Normal:
                m_normal[size_t(targets[i].env)].push_back(i);
                break;
            case BenchTarget::Quarantined:
                m_quarantined.push_back(i);
                break;
            case BenchTarget::Appliance:
                m_appliances.push_back(i);
                break;
            }
        }
        m_opsScopes = Auth::expandScopes({ QStringLiteral("readonly"), QStringLiteral("network:diag"),
            QStringLiteral("container:write"), QStringLiteral("system:admin"), QStringLiteral("docker:admin") });
        m_ciScopes = Auth::expandScopes(
            { QStringLiteral("readonly"), QStringLiteral("container:write"), QStringLiteral("system:admin") });
        m_readScopes = Auth::expandScopes({ QStringLiteral("readonly") });
    }

    bool usable() const
    {
        return !m_normal[0].empty() && !m_normal[1].empty() && !m_normal[2].empty() && !m_quarantined.empty()
            && !m_appliances.empty();
    }

    Generated next()
    {
        using Maker = Generated (RequestMix::*)();
        struct Category
        {
            int perMille;
            Maker make; // the comment says what decides the category
        };
        static constexpr Category categories[] = {
            // ~60 % allowed
            { 270, &RequestMix::ownerObserve }, // <env>-<role>-observe
            { 90, &RequestMix::ownerFiles }, // -files, path under path_prefixes
            { 60, &RequestMix::ownerLogs }, // -logs, container pattern, lines range
            { 60, &RequestMix::opsControl }, // -containers (staging, dev: enum) or -diag (range, pattern)
            { 40, &RequestMix::neighbourRead }, // -neighbour-read
            { 40, &RequestMix::monitorObserve }, // monitoring
            { 25, &RequestMix::discovery }, // discovery (no target, no scope)
            { 15, &RequestMix::devAdmin }, // dev -restart (service enum) or dev-image-pulls (pattern)
            // ~10 % require_approval
            { 45, &RequestMix::prodContainer }, // prod -containers, action enum [restart]
            { 30, &RequestMix::adminTool }, // -admin (and critical-in-prod)
            { 15, &RequestMix::restartNonDev }, // prod/staging -restart
            { 10, &RequestMix::secopsFirewall }, // secops-firewall
            // ~25 % denied by a rule, a constraint or the default
            { 70, &RequestMix::paramViolation }, // a granting rule's constraint
            { 60, &RequestMix::denyRule }, // -ci-limits, untrusted-agents, quarantine, no-image-pulls-in-prod
            { 120, &RequestMix::noRule }, // default: deny
            // ~5 % denied by the scope/capability gate
            { 30, &RequestMix::missingScope },
            { 20, &RequestMix::missingCapability },
        };
        static_assert([] {
            int sum = 0;
            for (const Category &c : categories) {
                sum += c.perMille;
            }
            return sum;
        }() == 1000);
        int pick = roll(1000);
        for (const Category &c : categories) {
            if ((pick -= c.perMille) < 0) {
                return (this->*c.make)();
            }
        }
        return noRule(); // not reached: the weights add up to 1000
    }

private:
    int roll(int n) { return m_rng.bounded(n); }
    template <typename T> T oneOf(const std::vector<T> &v) { return v[size_t(roll(int(v.size())))]; }
    template <typename T, size_t N> T oneOf(const T (&a)[N]) { return a[roll(int(N))]; } // also takes a braced list

    const BenchTarget &normalTarget(int env = -1)
    {
        if (env < 0) {
            const int e = roll(100);
            env = e < 30 ? 0 : (e < 55 ? 1 : 2);
        }
        return m_targets[oneOf(m_normal[size_t(env)])];
    }
    const BenchTarget &nonDevTarget() { return normalTarget(roll(2)); }
    const BenchTarget &stagingOrDevTarget() { return normalTarget(1 + roll(2)); }

    Auth::Caller agent(const QString &name, const QSet<QString> &scopes) const
    {
        Auth::Caller c;
        c.transport = QStringLiteral("http");
        c.agent = name;
        c.scopes = scopes;
        return c;
    }
    Auth::Caller tailnetUser(const QString &user, const QString &tag) const
    {
        Auth::Caller c; // as the gateway builds it from a tailnet whois answer
        c.transport = QStringLiteral("http");
        c.user = user;
        c.tailnetTags = { tag };
        c.agent = QStringLiteral("tailnet:") + user;
        c.scopes = m_policy.grantedScopes(c.user, c.tailnetTags);
        return c;
    }
    Auth::Caller opsAgent(int team) const { return agent(QStringLiteral("agent-%1").arg(team), m_opsScopes); }
    Auth::Caller ciAgent(int team) const { return agent(QStringLiteral("ci-%1").arg(team), m_ciScopes); }
    Auth::Caller teamUser(int team)
    {
        return tailnetUser(
            QStringLiteral("u%1@team%2.example.com").arg(roll(50)).arg(team), QStringLiteral("tag:team-%1").arg(team));
    }
    Auth::Caller ownerCaller(int team) // agent, CI bot or a person of the team
    {
        const int k = roll(100);
        return k < 55 ? opsAgent(team) : (k < 70 ? ciAgent(team) : teamUser(team));
    }
    Auth::Caller opsCaller(int team) { return roll(100) < 60 ? opsAgent(team) : teamUser(team); }

    Generated make(ToolId tool, const BenchTarget *t, const Auth::Caller &caller, QJsonObject args, Outcome intended)
    {
        if (t) {
            args.insert(QStringLiteral("target"), t->target.id);
        }
        return { Request::make(m_tools[size_t(tool)], t ? &t->target : nullptr, caller, args), intended };
    }

    QString role(const BenchTarget &t) const { return QString::fromLatin1(roleTag(t.role)); }
    QString containerName(const BenchTarget &t)
    {
        static const char *const kinds[] = { "web", "api", "worker", "cache" };
        return QStringLiteral("%1-%2-%3").arg(role(t), QLatin1StringView(oneOf(kinds))).arg(1 + roll(4));
    }

    // -- allowed
    Generated ownerObserve()
    {
        static const ToolId tools[] = { GetSystemStatus, GetTopProcesses, GetNetworkStatus, GetContainerList,
            InspectContainer, ListFirewallRules };
        const BenchTarget &t = normalTarget();
        const ToolId tool = oneOf(tools);
        QJsonObject args;
        if (tool == InspectContainer) {
            args.insert(QStringLiteral("container"), containerName(t));
        }
        return make(tool, &t, ownerCaller(ownerTeam(t.role)), args, Outcome::Allow);
    }
    Generated ownerFiles() { return files(true); }
    Generated files(bool good)
    {
        const BenchTarget &t = normalTarget();
        QString path;
        if (good) {
            static const char *const paths[] = { "/var/log/nginx/access.log", "/var/log/syslog",
                "/srv/app-%1/config/app.yml", "/tmp/build/../report.txt", "/var/log/./journal/system.journal" };
            path = QString::fromLatin1(oneOf(paths)).replace(QStringLiteral("%1"), role(t));
        } else {
            static const char *const paths[] = { "/etc/shadow", "/var/log/../../etc/passwd", "/srv/app-%1/secrets.env",
                "/tmpfoo/x", "var/log/syslog" };
            path = QString::fromLatin1(oneOf(paths))
                       .replace(QStringLiteral("%1"), QString::fromLatin1(roleTag(t.role + 1)));
        }
        QJsonObject args { { QStringLiteral("path"), path } };
        if (roll(3) == 0) {
            args.insert(QStringLiteral("max_bytes"), 65536);
        }
        return make(roll(4) ? ReadFile : ListDirectory, &t, ownerCaller(ownerTeam(t.role)), args,
            good ? Outcome::Allow : Outcome::DenyParams);
    }
    Generated ownerLogs() { return logs(true); }
    Generated logs(bool good)
    {
        const BenchTarget &t = normalTarget();
        QJsonObject args;
        if (good) {
            args.insert(QStringLiteral("container"), containerName(t));
            if (roll(2)) {
                args.insert(QStringLiteral("lines"), 1 + roll(5000));
            }
        } else if (roll(2)) {
            args.insert(QStringLiteral("container"),
                roll(2) ? QStringLiteral("Bad;Name")
                        : QString::fromLatin1(roleTag(t.role + 1)) + QStringLiteral("-db-1"));
        } else {
            args.insert(QStringLiteral("container"), containerName(t));
            args.insert(QStringLiteral("lines"), 20000);
        }
        return make(
            GetContainerLogs, &t, ownerCaller(ownerTeam(t.role)), args, good ? Outcome::Allow : Outcome::DenyParams);
    }
    Generated opsControl()
    {
        static const char *const actions[] = { "start", "stop", "restart" };
        const BenchTarget &t = stagingOrDevTarget();
        const Auth::Caller caller = opsCaller(ownerTeam(t.role));
        if (roll(2)) {
            return make(ManageContainer, &t, caller,
                { { QStringLiteral("container"), containerName(t) },
                    { QStringLiteral("action"), QLatin1StringView(oneOf(actions)) } },
                Outcome::Allow);
        }
        const ToolId tool = oneOf({ PingHost, DnsLookup, Traceroute });
        QJsonObject args { { QStringLiteral("host"), QStringLiteral("db-%1.internal").arg(roll(9)) } };
        if (tool == PingHost) {
            args.insert(QStringLiteral("count"), 1 + roll(20));
        }
        return make(tool, &t, caller, args, Outcome::Allow);
    }
    Generated neighbourRead()
    {
        const BenchTarget &t = normalTarget();
        const int team = neighbourTeam(t.role);
        return make(oneOf({ GetSystemStatus, GetNetworkStatus, GetContainerList }), &t,
            roll(2) ? opsAgent(team) : teamUser(team), {}, Outcome::Allow);
    }
    Generated monitorObserve()
    {
        const BenchTarget &t = normalTarget();
        return make(oneOf({ GetSystemStatus, GetTopProcesses, GetNetworkStatus, GetContainerList, ListFirewallRules }),
            &t, agent(QStringLiteral("monitor"), m_readScopes), {}, Outcome::Allow);
    }
    Generated discovery()
    {
        const int k = roll(3);
        const Auth::Caller caller = k == 0
            ? opsAgent(roll(kTeams))
            : (k == 1 ? teamUser(roll(kTeams)) : agent(QStringLiteral("monitor"), m_readScopes));
        return make(ListTargets, nullptr, caller, {}, Outcome::Allow);
    }
    Generated devAdmin()
    {
        static const char *const services[] = { "nginx", "postgres", "redis" };
        const BenchTarget &t = normalTarget(2);
        const Auth::Caller caller = opsAgent(ownerTeam(t.role));
        if (roll(2)) {
            return make(RestartService, &t, caller,
                { { QStringLiteral("service"), QLatin1StringView(oneOf(services)) } }, Outcome::Allow);
        }
        return make(PullDockerImage, &t, caller,
            { { QStringLiteral("image"),
                QStringLiteral("registry.example.com/team-%1/app:1.%2.0").arg(ownerTeam(t.role)).arg(roll(30)) } },
            Outcome::Allow);
    }

    // -- require_approval
    Generated prodContainer()
    {
        const BenchTarget &t = normalTarget(0);
        return make(ManageContainer, &t, opsCaller(ownerTeam(t.role)),
            { { QStringLiteral("container"), containerName(t) },
                { QStringLiteral("action"), QStringLiteral("restart") } },
            Outcome::Approval);
    }
    Generated adminTool()
    {
        const BenchTarget &t = normalTarget();
        const Auth::Caller caller = opsAgent(ownerTeam(t.role));
        if (roll(2)) {
            return make(RunCommand, &t, caller,
                { { QStringLiteral("argv"),
                    QJsonArray { QStringLiteral("systemctl"), QStringLiteral("status"), QStringLiteral("nginx") } } },
                Outcome::Approval);
        }
        return make(InstallPackage, &t, caller,
            { { QStringLiteral("package"), roll(2) ? QStringLiteral("htop") : QStringLiteral("libssl3") } },
            Outcome::Approval);
    }
    Generated restartNonDev()
    {
        const BenchTarget &t = nonDevTarget();
        return make(RestartService, &t, opsAgent(ownerTeam(t.role)),
            { { QStringLiteral("service"), roll(2) ? QStringLiteral("nginx") : QStringLiteral("app-") + role(t) } },
            Outcome::Approval);
    }
    Generated secopsFirewall()
    {
        const BenchTarget &t = normalTarget();
        return make(AddFirewallRule, &t,
            tailnetUser(QStringLiteral("s%1@sec.example.com").arg(roll(5)), QStringLiteral("tag:secops")),
            { { QStringLiteral("port"), roll(2) ? 443 : 8443 }, { QStringLiteral("proto"), QStringLiteral("tcp") } },
            Outcome::Approval);
    }

    // -- denied by a rule, a constraint or the default
    Generated paramViolation()
    {
        switch (roll(6)) {
        case 0:
        case 1:
            return files(false); // path_prefixes (and a relative path)
        case 2:
            return logs(false); // pattern or range
        case 3: {
            const BenchTarget &t = normalTarget(0); // prod only allows restarts
            return make(ManageContainer, &t, opsCaller(ownerTeam(t.role)),
                { { QStringLiteral("container"), containerName(t) },
                    { QStringLiteral("action"), QStringLiteral("stop") } },
                Outcome::DenyParams);
        }
        case 4: {
            const BenchTarget &t = stagingOrDevTarget();
            return make(PingHost, &t, opsCaller(ownerTeam(t.role)),
                { { QStringLiteral("host"), QStringLiteral("db-1.internal") }, { QStringLiteral("count"), 50 } },
                Outcome::DenyParams);
        }
        default: {
            const BenchTarget &t = normalTarget(2); // service not in the enum
            return make(RestartService, &t, opsAgent(ownerTeam(t.role)),
                { { QStringLiteral("service"), QStringLiteral("sshd") } }, Outcome::DenyParams);
        }
        }
    }
    Generated denyRule()
    {
        switch (roll(5)) {
        case 0: {
            const BenchTarget &t = normalTarget(0);
            return make(roll(2) ? ManageContainer : RestartService, &t, ciAgent(ownerTeam(t.role)),
                { { QStringLiteral("container"), containerName(t) },
                    { QStringLiteral("action"), QStringLiteral("restart") },
                    { QStringLiteral("service"), QStringLiteral("nginx") } },
                Outcome::DenyRule);
        }
        case 1: {
            const BenchTarget &t = stagingOrDevTarget();
            return make(RunCommand, &t, ciAgent(ownerTeam(t.role)),
                { { QStringLiteral("argv"), QJsonArray { QStringLiteral("make"), QStringLiteral("deploy") } } },
                Outcome::DenyRule);
        }
        case 2:
            return make(oneOf({ GetSystemStatus, GetContainerList, ListFirewallRules }), &normalTarget(),
                agent(QStringLiteral("untrusted-%1").arg(roll(5)), m_readScopes), {}, Outcome::DenyRule);
        case 3: {
            const BenchTarget &t = m_targets[oneOf(m_quarantined)];
            return make(
                oneOf({ GetSystemStatus, GetTopProcesses }), &t, ownerCaller(ownerTeam(t.role)), {}, Outcome::DenyRule);
        }
        default: {
            const BenchTarget &t = normalTarget(0);
            return make(PullDockerImage, &t, opsAgent(ownerTeam(t.role)),
                { { QStringLiteral("image"), QStringLiteral("registry.example.com/base/os:12.1") } },
                Outcome::DenyRule);
        }
        }
    }
    Generated noRule()
    {
        const BenchTarget &t = normalTarget();
        const int k = roll(100);
        if (k < 60) { // a team that neither owns nor neighbours the role
            int team = roll(kTeams);
            while (team == ownerTeam(t.role) || team == neighbourTeam(t.role)) {
                team = roll(kTeams);
            }
            return make(oneOf({ GetSystemStatus, GetTopProcesses, GetContainerList }), &t,
                roll(2) ? opsAgent(team) : teamUser(team), {}, Outcome::DenyDefault);
        }
        if (k < 85) { // the neighbour team only reads status
            const int team = neighbourTeam(t.role);
            return make(ReadFile, &t, opsAgent(team), { { QStringLiteral("path"), QStringLiteral("/var/log/syslog") } },
                Outcome::DenyDefault);
        }
        return make(InspectContainer, &t,
            agent(QStringLiteral("monitor"), m_readScopes), // monitoring covers get_* and list_* only
            { { QStringLiteral("container"), containerName(t) } }, Outcome::DenyDefault);
    }

    // -- denied by the scope/capability gate
    Generated missingScope()
    {
        const BenchTarget &t = normalTarget();
        switch (roll(3)) {
        case 0:
            return make(PingHost, &t, ciAgent(ownerTeam(t.role)),
                { { QStringLiteral("host"), QStringLiteral("db-1.internal") } },
                Outcome::DenyGate); // CI bots hold no network:diag
        case 1:
            return make(RestartService, &t, teamUser(ownerTeam(t.role)),
                { { QStringLiteral("service"), QStringLiteral("nginx") } },
                Outcome::DenyGate); // people are granted no system:admin
        default:
            return make(ManageContainer, &t, agent(QStringLiteral("monitor"), m_readScopes),
                { { QStringLiteral("container"), containerName(t) },
                    { QStringLiteral("action"), QStringLiteral("restart") } },
                Outcome::DenyGate);
        }
    }
    Generated missingCapability()
    {
        const BenchTarget &t = m_targets[oneOf(m_appliances)]; // system:read and network:read only
        if (roll(2)) {
            return make(GetContainerList, &t, opsAgent(ownerTeam(t.role)), {}, Outcome::DenyGate);
        }
        return make(ReadFile, &t, opsAgent(ownerTeam(t.role)),
            { { QStringLiteral("path"), QStringLiteral("/var/log/syslog") } }, Outcome::DenyGate);
    }

    QRandomGenerator &m_rng;
    const CompiledPolicy &m_policy;
    const std::vector<BenchTarget> &m_targets;
    std::vector<Mcp::Tool> m_tools;
    std::array<std::vector<size_t>, kEnvironments> m_normal;
    std::vector<size_t> m_quarantined;
    std::vector<size_t> m_appliances;
    QSet<QString> m_opsScopes;
    QSet<QString> m_ciScopes;
    QSet<QString> m_readScopes;
};

QString percent(qint64 part, qint64 whole)
{
    return QString::number(whole ? 100.0 * double(part) / double(whole) : 0.0, 'f', 1) + QStringLiteral(" %");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int rules = 1000;
    int targets = 5000;
    int requestCount = 20000;
    double seconds = 3.0;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); i += 2) {
        const QString value = i + 1 < args.size() ? args[i + 1] : QString();
        if (args[i] == u"--rules") {
            rules = value.toInt();
        } else if (args[i] == u"--targets") {
            targets = value.toInt();
        } else if (args[i] == u"--requests") {
            requestCount = value.toInt();
        } else if (args[i] == u"--seconds") {
            seconds = value.toDouble();
        } else {
            std::fprintf(stderr,
                "usage: bench_policy [--rules N (1000)] [--targets N (5000)] [--requests N (20000)] [--seconds S "
                "(3)]\n");
            return 1;
        }
    }
    const int minRules = int(globalRules().size()) + kRulesPerRole;
    if (rules < minRules || targets < 100 || requestCount < 1000 || !(seconds > 0)) {
        std::fprintf(stderr, "bench_policy: need --rules >= %d, --targets >= 100, --requests >= 1000, --seconds > 0\n",
            minRules);
        return 1;
    }

    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    const bool pinned = sched_setaffinity(0, sizeof(set), &set) == 0;

    QRandomGenerator rng(20240611);
    const GeneratedPolicy generated = generatePolicy(rules);
    Config::Diagnostics diagnostics;
    QElapsedTimer loadTimer;
    loadTimer.start();
    const auto policy = loadPolicy(generated.yaml, QStringLiteral("bench-policy.yaml"), diagnostics);
    const qint64 loadMs = loadTimer.elapsed();
    for (const auto &d : diagnostics) {
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    }
    if (!policy || !diagnostics.isEmpty() || (*policy)->rules().size() != rules) {
        std::fprintf(stderr, "bench_policy: the generated policy did not load cleanly\n");
        return 1;
    }
    const PolicyEngine engine(*policy);
    const CompiledPolicy &compiled = **policy;

    const std::vector<BenchTarget> targetList = generateTargets(targets, generated.roles, rng);
    RequestMix mix(rng, compiled, targetList);
    if (!mix.usable()) {
        std::fprintf(stderr, "bench_policy: too few targets to cover every environment and target kind\n");
        return 1;
    }
    std::vector<Request> requests;
    std::vector<Outcome> intended;
    requests.reserve(size_t(requestCount));
    intended.reserve(size_t(requestCount));
    for (int i = 0; i < requestCount; ++i) {
        Generated g = mix.next();
        requests.push_back(std::move(g.request));
        intended.push_back(g.intended);
    }

    // Check pass (also the warm-up): decide every distinct request once and classify the decision.
    std::array<qint64, kOutcomes> outcomes {};
    std::array<qint64, 3> effects {}; // by Effect
    std::array<qint64, kConstraintKinds> kindCounts {};
    std::vector<quint8> effectOf(requests.size());
    qint64 asGenerated = 0;
    qint64 constraintsPassed = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
        const Decision d = engine.decide(requests[i]);
        const Outcome o = classify(compiled, requests[i], d);
        outcomes[size_t(slot(o))]++;
        effects[size_t(d.effect)]++;
        effectOf[i] = quint8(d.effect);
        asGenerated += o == intended[i];
        if (const unsigned kinds = checkedKinds(compiled, requests[i], d, o)) {
            constraintsPassed += o != Outcome::DenyParams;
            for (int k = 0; k < kConstraintKinds; ++k) {
                kindCounts[size_t(k)] += (kinds >> k) & 1u;
            }
        }
    }
    const qint64 total = qint64(requests.size());
    const qint64 constraintsViolated = outcomes[size_t(slot(Outcome::DenyParams))];

    // Throughput: no per-call clock; counts the effects of the decisions it makes.
    qint64 n = 0;
    double perSecond = 0;
    std::array<qint64, 3> timedEffects {};
    {
        QElapsedTimer timer;
        timer.start();
        const qint64 budgetNs = qint64(seconds * 1e9);
        size_t i = 0;
        qint64 sink = 0;
        while (true) {
            for (int k = 0; k < 1024; ++k) {
                const Decision d = engine.decide(requests[i]);
                sink += d.reason.size();
                timedEffects[size_t(d.effect)]++;
                if (++i == requests.size()) {
                    i = 0;
                }
            }
            n += 1024;
            if (timer.nsecsElapsed() >= budgetNs) {
                break;
            }
        }
        perSecond = double(n) / (double(timer.nsecsElapsed()) / 1e9);
        if (sink == 42) {
            std::puts("");
        }
    }
    // The timed loop went through the requests in order from the first: its counts are known exactly.
    std::array<qint64, 3> expectedTimed {};
    for (size_t e = 0; e < 3; ++e) {
        expectedTimed[e] = (n / total) * effects[e];
    }
    for (qint64 j = 0; j < n % total; ++j) {
        expectedTimed[effectOf[size_t(j)]]++;
    }

    // Latency: a clock around every call.
    qint64 p50 = 0;
    qint64 p99 = 0;
    qint64 max = 0;
    {
        std::vector<qint64> samples;
        const int rounds = std::max(1, 200000 / requestCount);
        samples.reserve(requests.size() * size_t(rounds));
        for (int round = 0; round < rounds; ++round) {
            for (const Request &r : requests) {
                const auto a = std::chrono::steady_clock::now();
                const Decision d = engine.decide(r);
                const auto b = std::chrono::steady_clock::now();
                samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
                Q_UNUSED(d);
            }
        }
        std::sort(samples.begin(), samples.end());
        p50 = samples[samples.size() / 2];
        p99 = samples[samples.size() * 99 / 100];
        max = samples.back();
    }

    // The mix must be meaningful: every class present, none dominating, constraints both passed and violated.
    const auto count = [&outcomes](Outcome o) { return outcomes[size_t(slot(o))]; };
    const qint64 allowed = count(Outcome::Allow);
    const qint64 approvals = count(Outcome::Approval);
    const qint64 deniedByPolicy = count(Outcome::DenyRule) + count(Outcome::DenyParams) + count(Outcome::DenyDefault);
    const qint64 gate = count(Outcome::DenyGate);
    QStringList problems;
    if (allowed == 0) {
        problems << QStringLiteral("nothing was allowed");
    }
    for (const qint64 c : { allowed, approvals, deniedByPolicy, gate }) {
        if (c == 0 || c * 10 > total * 9) {
            problems << QStringLiteral("degenerate mix (a class is empty or above 90 %)");
            break;
        }
    }
    if (constraintsPassed == 0 || constraintsViolated == 0
        || std::any_of(kindCounts.begin(), kindCounts.end(), [](qint64 c) { return c == 0; })) {
        problems << QStringLiteral("parameter constraints not exercised (passed, violated and every kind)");
    }
    if (timedEffects != expectedTimed) {
        problems << QStringLiteral("the timed run's decisions differ from the check pass");
    }
    const bool mixOk = problems.isEmpty();
    const bool fast = perSecond > 100000;

    QTextStream out(stdout);
    out << "### PolicyEngine::decide() — " << rules << " rules, " << targets << " targets, " << total
        << " distinct requests" << (pinned ? ", pinned to CPU 0" : ", not pinned") << "\n\n";
    out << "| metric | value |\n|---|---|\n";
    out << "| rules | " << rules << " (" << globalRules().size() << " global, " << generated.roles
        << " roles × 3 environments × 9, " << generated.staleRules << " stale) |\n";
    out << "| targets | " << targets << " (1 % quarantined, 4 % appliances with reduced capabilities) |\n";
    out << "| policy load + compile (" << generated.yaml.size() / 1024 << " KiB YAML) | " << loadMs << " ms |\n";
    out << "| decisions/s (one core, " << seconds << " s) | " << qint64(perSecond) << " |\n";
    out << "| ns per decision (mean) | " << qint64(1e9 / perSecond) << " |\n";
    out << "| ns per decision p50 / p99 / max | " << p50 << " / " << p99 << " / " << max << " |\n";
    out << "| mix: allowed (aim ~60 %) | " << percent(allowed, total) << " (" << allowed << ") |\n";
    out << "| mix: require_approval (aim ~10 %) | " << percent(approvals, total) << " (" << approvals << ") |\n";
    out << "| mix: denied by a rule, constraint or default (aim ~25 %) | " << percent(deniedByPolicy, total)
        << " (deny rule " << percent(count(Outcome::DenyRule), total) << ", constraint "
        << percent(count(Outcome::DenyParams), total) << ", default " << percent(count(Outcome::DenyDefault), total)
        << ") |\n";
    out << "| mix: denied by scope/capability (aim ~5 %) | " << percent(gate, total) << " (" << gate << ") |\n";
    out << "| decided as the generator intended | " << percent(asGenerated, total) << " |\n";
    out << "| constraints checked by the deciding rule | " << percent(constraintsPassed + constraintsViolated, total)
        << " (passed " << percent(constraintsPassed, total) << ", violated " << percent(constraintsViolated, total)
        << "; path_prefixes " << percent(kindCounts[0], total) << ", enum " << percent(kindCounts[1], total)
        << ", pattern " << percent(kindCounts[2], total) << ", min/max " << percent(kindCounts[3], total) << ") |\n";
    out << "| timed run: allow / deny / require_approval | " << timedEffects[size_t(Effect::Allow)] << " / "
        << timedEffects[size_t(Effect::Deny)] << " / " << timedEffects[size_t(Effect::RequireApproval)] << " of " << n
        << " |\n";
    out << "| mix check | "
        << (mixOk ? QStringLiteral("ok") : QStringLiteral("FAILED: ") + problems.join(QStringLiteral("; "))) << " |\n";
    out << "| target: > 100,000 decisions/s | " << (fast ? "met" : "NOT met") << " |\n";
    out.flush();
    if (!mixOk) {
        std::fprintf(stderr, "bench_policy: %s\n", qPrintable(problems.join(QStringLiteral("; "))));
        return 3;
    }
    return fast ? 0 : 2;
}
