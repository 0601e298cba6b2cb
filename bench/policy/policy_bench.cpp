// bench_policy: PolicyEngine::decide() throughput and latency on one core.
// Generates a policy with --rules rules (default 1000) and --targets targets (default 5000, with tags),
// loads it through the real loader, then decides a realistic request mix for --seconds seconds and prints
// a Markdown table. Target: over 100,000 decisions/s on one core.

#include "policy/policyengine.h"
#include "policy/policyloader.h"

#include "auth/scopes.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTextStream>

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace Tailops;
using namespace Tailops::Policy;

namespace {

struct ToolSpec
{
    const char *name;
    const char *scope;
    Tier tier;
    Risk risk;
};

const ToolSpec kTools[] = {
    { "get_system_status", "system:read", Tier::Observe, Risk::Low },
    { "get_top_processes", "system:read", Tier::Observe, Risk::Low },
    { "check_system_updates", "system:read", Tier::Observe, Risk::Low },
    { "get_network_status", "network:read", Tier::Observe, Risk::Low },
    { "get_network_io_counters", "network:read", Tier::Observe, Risk::Low },
    { "get_container_list", "container:read", Tier::Observe, Risk::Low },
    { "list_docker_images", "container:read", Tier::Observe, Risk::Low },
    { "get_docker_networks", "container:read", Tier::Observe, Risk::Low },
    { "get_container_logs", "container:read", Tier::Observe, Risk::Low },
    { "get_firewall_status", "security:read", Tier::Observe, Risk::Low },
    { "list_firewall_rules", "security:read", Tier::Observe, Risk::Low },
    { "read_file", "file:read", Tier::Observe, Risk::High },
    { "list_directory", "file:read", Tier::Observe, Risk::Moderate },
    { "ping_host", "network:diag", Tier::Control, Risk::Moderate },
    { "dns_lookup", "network:diag", Tier::Control, Risk::Moderate },
    { "traceroute", "network:diag", Tier::Control, Risk::Moderate },
    { "http_request_test", "network:diag", Tier::Control, Risk::High },
    { "manage_container", "container:write", Tier::Control, Risk::High },
    { "start_container", "container:write", Tier::Control, Risk::High },
    { "stop_container", "container:write", Tier::Control, Risk::High },
    { "restart_service", "system:admin", Tier::Admin, Risk::High },
    { "install_package", "system:admin", Tier::Admin, Risk::Critical },
    { "update_system_packages", "system:admin", Tier::Admin, Risk::Critical },
    { "pull_docker_image", "docker:admin", Tier::Admin, Risk::Critical },
    { "add_firewall_rule", "security:write", Tier::Control, Risk::Critical },
    { "scan_secrets_in_file", "security:scan", Tier::Control, Risk::Moderate },
};
constexpr int kToolCount = int(std::size(kTools));

QString toolGlob(QRandomGenerator &rng, bool deny)
{
    const int kind = deny ? rng.bounded(60) : rng.bounded(100); // deny rules name tools exactly
    const QString name = QString::fromLatin1(kTools[rng.bounded(kToolCount)].name);
    if (kind < 60) {
        return name;
    }
    if (kind < 85) {
        return name.left(std::max<qsizetype>(3, name.indexOf(u'_') + 1)) + u'*';
    }
    if (kind < 95) {
        return u'*' + name.mid(name.lastIndexOf(u'_'));
    }
    return QStringLiteral("*");
}

QByteArray generatePolicy(int rules, QRandomGenerator &rng)
{
    QByteArray y = "version: \"1\"\ndefault: deny\nrules:\n";
    for (int i = 0; i < rules; ++i) {
        const int e = rng.bounded(100);
        const char *effect = e < 75 ? "allow" : (e < 92 ? "deny" : "require_approval");
        y += "  - name: rule-" + QByteArray::number(i) + "\n    effect: " + effect + "\n    tools: [";
        const int tools = 1 + rng.bounded(3);
        for (int t = 0; t < tools; ++t) {
            y += (t ? ", \"" : "\"") + toolGlob(rng, e >= 75 && e < 92).toUtf8() + '"';
        }
        y += "]\n";
        // Most rules are scoped to some targets and callers.
        const int tk = (e >= 75 && e < 92) ? rng.bounded(80) : rng.bounded(100); // deny rules always scoped
        if (tk < 40) {
            y += "    targets: [\"tag:env-" + QByteArray::number(rng.bounded(10)) + "\", \"tag:role-" + QByteArray::number(rng.bounded(40)) + "\"]\n";
        } else if (tk < 80) {
            y += "    targets: [\"host-" + QByteArray::number(rng.bounded(50)) + "*\"]\n";
        }
        const int ck = rng.bounded(100);
        if (ck < 50) {
            y += "    callers: [\"agent:agent-" + QByteArray::number(rng.bounded(20)) + "\", \"tag:tag:team-" + QByteArray::number(rng.bounded(8)) + "\"]\n";
        } else if (ck < 70) {
            y += "    callers: [\"user:*@team" + QByteArray::number(rng.bounded(5)) + ".example.com\"]\n";
        }
        if (rng.bounded(100) < 20) {
            y += "    tier: " + QByteArray(rng.bounded(2) ? "control" : "observe") + "\n";
        }
        if (qstrcmp(effect, "deny") != 0 && rng.bounded(100) < 30) {
            y += "    params:\n"
                 "      path: {path_prefixes: [/var/log, /tmp, /srv/app-" + QByteArray::number(rng.bounded(9)) + "], max_length: 512}\n"
                 "      count: {min: 1, max: 100}\n"
                 "      name: {pattern: \"[a-z][a-z0-9-]{0,62}\"}\n";
        }
    }
    return y;
}

struct Stats
{
    double perSecond = 0;
    qint64 p50 = 0;
    qint64 p99 = 0;
    qint64 max = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int rules = 1000;
    int targets = 5000;
    double seconds = 3.0;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--rules") {
            rules = args[i + 1].toInt();
        } else if (args[i] == u"--targets") {
            targets = args[i + 1].toInt();
        } else if (args[i] == u"--seconds") {
            seconds = args[i + 1].toDouble();
        }
    }

    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    const bool pinned = sched_setaffinity(0, sizeof(set), &set) == 0;

    QRandomGenerator rng(20240611);
    const QByteArray yaml = generatePolicy(rules, rng);
    Config::Diagnostics diagnostics;
    QElapsedTimer loadTimer;
    loadTimer.start();
    const auto policy = loadPolicy(yaml, QStringLiteral("bench-policy.yaml"), diagnostics);
    const qint64 loadMs = loadTimer.elapsed();
    if (!policy) {
        for (const auto &d : diagnostics) {
            std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
        }
        return 1;
    }
    const PolicyEngine engine(*policy);

    // Targets: ids host-N, 3 tags each, capabilities mostly everything.
    struct T { QString id; QStringList tags; QStringList caps; };
    std::vector<T> targetList;
    targetList.reserve(targets);
    const QStringList allCaps = Auth::knownScopes();
    for (int i = 0; i < targets; ++i) {
        T t;
        t.id = QStringLiteral("host-%1").arg(i);
        t.tags = { QStringLiteral("env-%1").arg(rng.bounded(10)), QStringLiteral("role-%1").arg(rng.bounded(40)),
                   QStringLiteral("dc-%1").arg(rng.bounded(4)) };
        t.caps = rng.bounded(100) < 90 ? allCaps : QStringList { QStringLiteral("system:read"), QStringLiteral("network:read") };
        targetList.push_back(std::move(t));
    }

    // A realistic mix: mostly observe tools, some control, few admin; 20 agents and some tailnet users.
    std::vector<Request> requests;
    const int requestCount = 20000;
    requests.reserve(requestCount);
    const QSet<QString> adminScopes = Auth::expandScopes({ QStringLiteral("admin") });
    const QSet<QString> readScopes = Auth::expandScopes({ QStringLiteral("readonly") });
    for (int i = 0; i < requestCount; ++i) {
        const int pick = rng.bounded(100);
        const int toolIndex = pick < 70 ? rng.bounded(13) : (pick < 92 ? 13 + rng.bounded(7) : 20 + rng.bounded(kToolCount - 20));
        const ToolSpec &spec = kTools[toolIndex];
        const T &t = targetList[rng.bounded(targets)];
        Request r;
        r.tool = QString::fromLatin1(spec.name);
        r.scope = QString::fromLatin1(spec.scope);
        r.tier = spec.tier;
        r.risk = spec.risk;
        r.targetId = t.id;
        r.targetTags = t.tags;
        r.targetCapabilities = t.caps;
        if (rng.bounded(100) < 80) {
            r.agent = QStringLiteral("agent-%1").arg(rng.bounded(20));
            r.scopes = rng.bounded(100) < 60 ? adminScopes : readScopes;
        } else {
            r.agent = QStringLiteral("tailnet");
            r.user = QStringLiteral("user%1@team%2.example.com").arg(rng.bounded(100)).arg(rng.bounded(5));
            r.callerTags = { QStringLiteral("tag:team-%1").arg(rng.bounded(8)) };
            r.scopes = adminScopes;
        }
        if (spec.name == QByteArrayView("read_file") || spec.name == QByteArrayView("list_directory")) {
            static const char *paths[] = { "/var/log/syslog", "/tmp/x/../y", "/etc/shadow", "/var/log/../../etc/passwd", "/srv/app-3/config.yml" };
            r.arguments.insert(QStringLiteral("path"), QString::fromLatin1(paths[rng.bounded(5)]));
        } else if (spec.name == QByteArrayView("ping_host")) {
            r.arguments.insert(QStringLiteral("count"), rng.bounded(120));
        } else if (r.tool.contains(u"container")) {
            r.arguments.insert(QStringLiteral("name"), rng.bounded(10) ? QStringLiteral("web-app-2") : QStringLiteral("Bad;Name"));
        }
        requests.push_back(std::move(r));
    }

    // Warm-up, then throughput (no per-call clock), then latency (clock around every call).
    qint64 counts[3] = { 0, 0, 0 };
    for (const Request &r : requests) {
        counts[static_cast<int>(engine.decide(r).effect)]++;
    }
    Stats s;
    {
        QElapsedTimer timer;
        timer.start();
        qint64 n = 0;
        const qint64 budgetNs = qint64(seconds * 1e9);
        size_t i = 0;
        qint64 sink = 0;
        while (true) {
            for (int k = 0; k < 1024; ++k) {
                sink += engine.decide(requests[i]).reason.size();
                if (++i == requests.size()) {
                    i = 0;
                }
            }
            n += 1024;
            if (timer.nsecsElapsed() >= budgetNs) {
                break;
            }
        }
        s.perSecond = double(n) / (double(timer.nsecsElapsed()) / 1e9);
        if (sink == 42) {
            std::puts("");
        }
    }
    {
        std::vector<qint64> samples;
        samples.reserve(size_t(requests.size()) * 10);
        for (int round = 0; round < 10; ++round) {
            for (const Request &r : requests) {
                const auto a = std::chrono::steady_clock::now();
                const Decision d = engine.decide(r);
                const auto b = std::chrono::steady_clock::now();
                samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
                Q_UNUSED(d);
            }
        }
        std::sort(samples.begin(), samples.end());
        s.p50 = samples[samples.size() / 2];
        s.p99 = samples[samples.size() * 99 / 100];
        s.max = samples.back();
    }

    QTextStream out(stdout);
    out << "### PolicyEngine::decide() — " << rules << " rules, " << targets << " targets, "
        << requests.size() << " distinct requests" << (pinned ? ", pinned to CPU 0" : ", not pinned") << "\n\n";
    out << "| metric | value |\n|---|---|\n";
    out << "| policy load + compile (" << yaml.size() / 1024 << " KiB YAML) | " << loadMs << " ms |\n";
    out << "| decisions/s (one core, " << seconds << " s) | " << qint64(s.perSecond) << " |\n";
    out << "| ns per decision p50 | " << s.p50 << " |\n";
    out << "| ns per decision p99 | " << s.p99 << " |\n";
    out << "| ns per decision max | " << s.max << " |\n";
    out << "| mix: allow / deny / require_approval | " << counts[0] << " / " << counts[1] << " / " << counts[2] << " |\n";
    out << "| target: > 100,000 decisions/s | " << (s.perSecond > 100000 ? "met" : "NOT met") << " |\n";
    out.flush();
    return s.perSecond > 100000 ? 0 : 2;
}
