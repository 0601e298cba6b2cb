#include "policy/glob.h"
#include "core/paths.h"
#include "policy/policyengine.h"
#include "policy/policyloader.h"

#include "auth/scopes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Tailops;
using namespace Tailops::Policy;

namespace {

const char *kPolicy = R"(version: "1"
default: deny
approval_timeout: 2m
grants:
  - callers: ["user:alice@example.com"]
    scopes: [readonly]
  - callers: ["tag:tag:ops", "tag:ci"]
    scopes: [system:admin, network:diag]
rules:
  - name: observe-all
    effect: allow
    tools: ["get_*", "list_*"]
    tier: observe
  - name: logs
    effect: allow
    tools: [read_file]
    params:
      path: {path_prefixes: [/var/log, /tmp/], max_length: 200, required: true}
  - name: no-secrets
    effect: deny
    tools: ["*_secrets*"]
  - name: ops-restart
    effect: allow
    tools: [restart_service]
    callers: ["tag:tag:ops", "user:*@example.com"]
    params:
      service: {enum: [nginx, postgres]}
  - name: web-containers
    effect: allow
    tools: [manage_container]
    targets: ["web-*", "tag:web"]
    params:
      name: {pattern: "[a-z][a-z0-9-]{0,30}"}
      timeout: {min: 1, max: 300}
  - name: untrusted-no-prod
    effect: deny
    tools: ["*"]
    targets: ["tag:prod"]
    callers: ["agent:untrusted-*"]
  - name: packages-approval
    effect: require_approval
    tools: [install_package, update_system_packages]
    callers: ["agent:claude-*"]
    approval_timeout: 10m
  - name: packages-allow
    effect: allow
    tools: [install_package]
    callers: ["*"]
  - name: ping
    effect: allow
    tools: ["p?ng_host"]
    params:
      count: {min: 1, max: 10}
  - name: fw-ceiling
    effect: allow
    tools: ["*_firewall_*"]
    tier: control
  - name: risky-approval
    effect: require_approval
    tools: [http_request_test]
    risk: [high, critical]
  - name: http-allow
    effect: allow
    tools: [http_request_test]
)";

QStringList splitList(const QString &text)
{
    return text.isEmpty() ? QStringList() : text.split(u',');
}

QJsonValue withNul(const QJsonValue &v)
{
    if (v.isString()) {
        return QJsonValue(QString(v.toString()).replace(QStringLiteral("<NUL>"), QString(QChar(u'\0'))));
    }
    return v;
}

PolicyPtr loadOrDie(const char *yaml)
{
    Config::Diagnostics diagnostics;
    auto policy = loadPolicy(QByteArray(yaml), QStringLiteral("policy.yaml"), diagnostics);
    for (const auto &d : diagnostics) {
        qWarning("%s", qPrintable(d.toString()));
    }
    return policy ? *policy : nullptr;
}

} // namespace

class TestPolicyEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_policy = loadOrDie(kPolicy);
        QVERIFY(m_policy);
        QCOMPARE(m_policy->rules().size(), 12);
    }

    void decisions_data();
    void decisions();
    void globs_data();
    void globs();
    void paths_data();
    void paths();
    void defaultAllow();
    void visibility();
    void grants();
    void swapSnapshot();

private:
    PolicyPtr m_policy;
};

void TestPolicyEngine::decisions_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<QString>("risk");
    QTest::addColumn<QString>("target");     // id; "" = no target
    QTest::addColumn<QString>("targetTags"); // comma-separated
    QTest::addColumn<QString>("caps");       // "*" = every scope
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("callerTags");
    QTest::addColumn<QString>("scopes"); // token scopes before expansion
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("effect");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("reason"); // fragment

    const QString S = QStringLiteral("system:read");
    const QString O = QStringLiteral("observe");
    const QString C = QStringLiteral("control");
    const QString A = QStringLiteral("admin");
    const QString low = QStringLiteral("low");
    const QString all = QStringLiteral("*");
    const QString web1 = QStringLiteral("web-1");
    const QString web = QStringLiteral("web");
    const QString claude = QStringLiteral("claude-code");
    const QString allow = QStringLiteral("allow");
    const QString deny = QStringLiteral("deny");
    const QString approve = QStringLiteral("require_approval");
    const QString none;
    const QString admin = QStringLiteral("admin");
    const QString defaultDeny = QStringLiteral("(default: deny)");

    auto row = [&](const char *name, const QString &tool, const QString &scope, const QString &tier, const QString &risk,
                   const QString &target, const QString &tags, const QString &caps, const QString &agent,
                   const QString &user, const QString &ctags, const QString &scopes, const char *args,
                   const QString &effect, const QString &rule, const QString &reason) {
        QTest::newRow(name) << tool << scope << tier << risk << target << tags << caps << agent << user << ctags << scopes
                            << QByteArray(args) << effect << rule << reason;
    };
    const QString rf = QStringLiteral("read_file");
    const QString fr = QStringLiteral("file:read");
    const QString mc = QStringLiteral("manage_container");
    const QString cw = QStringLiteral("container:write");
    const QString rs = QStringLiteral("restart_service");
    const QString sa = QStringLiteral("system:admin");
    const QString ip = QStringLiteral("install_package");
    const QString nd = QStringLiteral("network:diag");
    const QString gs = QStringLiteral("get_system_status");
    const QString ops = QStringLiteral("tag:ops");

    // scopes x capabilities
    row("observe allowed", gs, S, O, low, web1, web, all, claude, none, none, admin, "{}", allow, QStringLiteral("observe-all"), QStringLiteral("allowed by policy rule"));
    row("caller lacks scope", gs, S, O, low, web1, web, all, claude, none, none, QStringLiteral("container:read"), "{}", deny, none, QStringLiteral("Operation not permitted for target: the caller lacks scope 'system:read'"));
    row("target lacks capability", gs, S, O, low, web1, web, QStringLiteral("container:read"), claude, none, none, admin, "{}", deny, none, QStringLiteral("Operation not permitted for target: target 'web-1' lacks capability 'system:read'"));
    row("readonly meta scope", QStringLiteral("list_containers"), QStringLiteral("container:read"), O, low, web1, web, all, claude, none, none, QStringLiteral("readonly"), "{}", allow, QStringLiteral("observe-all"), none);
    row("no scope needed", QStringLiteral("health_check"), none, O, low, web1, web, QStringLiteral("system:read"), claude, none, none, QStringLiteral("system:read"), "{}", deny, none, defaultDeny);
    // tiers and default
    row("tier above ceiling", QStringLiteral("get_reboot"), S, C, low, web1, web, all, claude, none, none, admin, "{}", deny, none, defaultDeny);
    row("unknown tool default deny", QStringLiteral("frobnicate"), S, O, low, web1, web, all, claude, none, none, admin, "{}", deny, none, defaultDeny);
    // deny wins
    row("deny rule alone", QStringLiteral("scan_secrets_in_file"), QStringLiteral("security:scan"), C, low, web1, web, all, claude, none, none, admin, "{}", deny, QStringLiteral("no-secrets"), QStringLiteral("denied by policy rule 'no-secrets'"));
    row("deny wins over allow", QStringLiteral("get_secrets_inventory"), S, O, low, web1, web, all, claude, none, none, admin, "{}", deny, QStringLiteral("no-secrets"), none);
    row("untrusted agent on prod", gs, S, O, low, QStringLiteral("prod-1"), QStringLiteral("prod,db"), all, QStringLiteral("untrusted-bot"), none, none, admin, "{}", deny, QStringLiteral("untrusted-no-prod"), none);
    row("trusted agent on prod", gs, S, O, low, QStringLiteral("prod-1"), QStringLiteral("prod,db"), all, claude, none, none, admin, "{}", allow, QStringLiteral("observe-all"), none);
    row("untrusted agent off prod", gs, S, O, low, web1, web, all, QStringLiteral("untrusted-bot"), none, none, admin, "{}", allow, QStringLiteral("observe-all"), none);
    // path prefixes by component
    row("path under prefix", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/syslog"})", allow, QStringLiteral("logs"), none);
    row("path equals prefix", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log"})", allow, QStringLiteral("logs"), none);
    row("path sibling /var/logfoo", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/logfoo/x"})", deny, QStringLiteral("logs"), QStringLiteral("is not under path_prefixes"));
    row("prefix with trailing slash", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/tmp/x"})", allow, QStringLiteral("logs"), none);
    row("/tmpfoo is not /tmp", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/tmpfoo"})", deny, QStringLiteral("logs"), QStringLiteral("(/tmpfoo) is not under"));
    row("dotdot escapes", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/../../etc/shadow"})", deny, QStringLiteral("logs"), QStringLiteral("(/etc/shadow) is not under"));
    row("dotdot stays inside", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/nginx/../syslog"})", allow, QStringLiteral("logs"), none);
    row("dot component", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/tmp/./x"})", allow, QStringLiteral("logs"), none);
    row("trailing slash on value", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/nginx/"})", allow, QStringLiteral("logs"), none);
    row("double slashes", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"//var//log//x"})", allow, QStringLiteral("logs"), none);
    row("dotdot above root", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/../../tmp/x"})", allow, QStringLiteral("logs"), none);
    row("NUL refused", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/x<NUL>/../../etc/passwd"})", deny, QStringLiteral("logs"), QStringLiteral("NUL"));
    row("relative path", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"var/log/x"})", deny, QStringLiteral("logs"), QStringLiteral("not absolute"));
    row("required missing", rf, fr, O, low, web1, web, all, claude, none, none, admin, "{}", deny, QStringLiteral("logs"), QStringLiteral("argument 'path' is required"));
    row("max_length", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":"/var/log/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})", deny, QStringLiteral("logs"), QStringLiteral("max_length is 200"));
    row("path not a string", rf, fr, O, low, web1, web, all, claude, none, none, admin, R"({"path":5})", deny, QStringLiteral("logs"), QStringLiteral("must be a path string"));
    // callers: tailnet tags and users
    row("tailnet tag caller", rs, sa, A, low, web1, web, all, QStringLiteral("tailnet"), none, ops, admin, R"({"service":"nginx"})", allow, QStringLiteral("ops-restart"), none);
    row("tailnet user glob", rs, sa, A, low, web1, web, all, QStringLiteral("tailnet"), QStringLiteral("bob@example.com"), none, admin, R"({"service":"postgres"})", allow, QStringLiteral("ops-restart"), none);
    row("user outside domain", rs, sa, A, low, web1, web, all, QStringLiteral("tailnet"), QStringLiteral("bob@evil.com"), none, admin, R"({"service":"nginx"})", deny, none, defaultDeny);
    row("agent is not a tag", rs, sa, A, low, web1, web, all, QStringLiteral("tag:ops"), none, none, admin, R"({"service":"nginx"})", deny, none, defaultDeny);
    row("enum violation", rs, sa, A, low, web1, web, all, QStringLiteral("tailnet"), none, ops, admin, R"({"service":"apache"})", deny, QStringLiteral("ops-restart"), QStringLiteral("argument 'service' is not one of the allowed values (enum: nginx, postgres)"));
    // targets: ids, tags
    row("target id glob", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"app-1","timeout":30})", allow, QStringLiteral("web-containers"), none);
    row("target tag", mc, cw, C, low, QStringLiteral("db-1"), QStringLiteral("db,web"), all, claude, none, none, admin, R"({"name":"app-1"})", allow, QStringLiteral("web-containers"), none);
    row("target neither", mc, cw, C, low, QStringLiteral("db-1"), QStringLiteral("db"), all, claude, none, none, admin, R"({"name":"app-1"})", deny, none, defaultDeny);
    row("target-less call skips target rules", mc, cw, C, low, none, none, none, claude, none, none, admin, R"({"name":"app-1"})", deny, none, defaultDeny);
    row("target-less observe", gs, S, O, low, none, none, none, claude, none, none, admin, "{}", allow, QStringLiteral("observe-all"), none);
    // pattern, min, max
    row("pattern uppercase", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"App"})", deny, QStringLiteral("web-containers"), QStringLiteral("does not match pattern"));
    row("pattern injection", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"a; rm -rf /"})", deny, QStringLiteral("web-containers"), QStringLiteral("argument 'name' does not match"));
    row("pattern is anchored", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"ok\nBAD"})", deny, QStringLiteral("web-containers"), QStringLiteral("pattern"));
    row("min", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"a","timeout":0})", deny, QStringLiteral("web-containers"), QStringLiteral("min is 1"));
    row("max", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"a","timeout":301})", deny, QStringLiteral("web-containers"), QStringLiteral("max is 300"));
    row("number as string", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"a","timeout":"30"})", deny, QStringLiteral("web-containers"), QStringLiteral("must be a number"));
    row("max boundary", mc, cw, C, low, web1, none, all, claude, none, none, admin, R"({"name":"a","timeout":300})", allow, QStringLiteral("web-containers"), none);
    // require_approval
    row("approval for claude", ip, sa, A, QStringLiteral("critical"), web1, web, all, claude, none, none, admin, R"({})", approve, QStringLiteral("packages-approval"), QStringLiteral("requires approval"));
    row("approval beats allow only for matches", ip, sa, A, QStringLiteral("critical"), web1, web, all, QStringLiteral("ci-bot"), none, none, admin, R"({})", allow, QStringLiteral("packages-allow"), none);
    row("approval rule without allow", QStringLiteral("update_system_packages"), sa, A, QStringLiteral("critical"), web1, web, all, QStringLiteral("ci-bot"), none, none, admin, R"({})", deny, none, defaultDeny);
    row("approval by risk", QStringLiteral("http_request_test"), nd, C, QStringLiteral("high"), web1, web, all, claude, none, none, admin, R"({})", approve, QStringLiteral("risky-approval"), none);
    row("risk below filter", QStringLiteral("http_request_test"), nd, C, QStringLiteral("moderate"), web1, web, all, claude, none, none, admin, R"({})", allow, QStringLiteral("http-allow"), none);
    // globs
    row("question mark glob", QStringLiteral("ping_host"), nd, C, low, web1, web, all, claude, none, none, admin, R"({"count":5})", allow, QStringLiteral("ping"), none);
    row("question mark other", QStringLiteral("pong_host"), nd, C, low, web1, web, all, claude, none, none, admin, R"({"count":11})", deny, QStringLiteral("ping"), QStringLiteral("max is 10"));
    row("question mark is one char", QStringLiteral("piing_host"), nd, C, low, web1, web, all, claude, none, none, admin, R"({})", deny, none, defaultDeny);
    row("infix glob within ceiling", QStringLiteral("add_firewall_rule"), QStringLiteral("security:write"), C, low, web1, web, all, claude, none, none, admin, R"({})", allow, QStringLiteral("fw-ceiling"), none);
    row("infix glob above ceiling", QStringLiteral("add_firewall_rule"), QStringLiteral("security:write"), A, low, web1, web, all, claude, none, none, admin, R"({})", deny, none, defaultDeny);
}

void TestPolicyEngine::decisions()
{
    QFETCH(QString, tool);
    QFETCH(QString, scope);
    QFETCH(QString, tier);
    QFETCH(QString, risk);
    QFETCH(QString, target);
    QFETCH(QString, targetTags);
    QFETCH(QString, caps);
    QFETCH(QString, agent);
    QFETCH(QString, user);
    QFETCH(QString, callerTags);
    QFETCH(QString, scopes);
    QFETCH(QByteArray, args);
    QFETCH(QString, effect);
    QFETCH(QString, rule);
    QFETCH(QString, reason);

    Request r;
    r.tool = tool;
    r.scope = scope;
    r.tier = *tierFromName(tier);
    r.risk = *riskFromName(risk);
    r.targetId = target;
    r.targetTags = splitList(targetTags);
    r.targetCapabilities = caps == u"*" ? Auth::knownScopes() : splitList(caps);
    r.agent = agent;
    r.user = user;
    r.callerTags = splitList(callerTags);
    r.scopes = Auth::expandScopes(splitList(scopes));
    QJsonParseError error {};
    const QJsonObject parsed = QJsonDocument::fromJson(args, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
        r.arguments.insert(it.key(), withNul(it.value()));
    }

    const PolicyEngine engine(m_policy);
    const Decision d = engine.decide(r);
    QCOMPARE(effectName(d.effect), effect);
    QCOMPARE(d.rule, rule);
    QVERIFY2(d.reason.contains(reason), qPrintable(d.reason));
    if (d.effect == Effect::RequireApproval) {
        QCOMPARE(d.approvalTimeoutSeconds, rule == u"packages-approval" ? 600 : 120);
    }
}

void TestPolicyEngine::globs_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");
    QTest::newRow("star") << QStringLiteral("*") << QStringLiteral("anything") << true;
    QTest::newRow("star empty") << QStringLiteral("*") << QString() << true;
    QTest::newRow("literal") << QStringLiteral("get_x") << QStringLiteral("get_x") << true;
    QTest::newRow("literal differs") << QStringLiteral("get_x") << QStringLiteral("get_xy") << false;
    QTest::newRow("prefix") << QStringLiteral("get_*") << QStringLiteral("get_") << true;
    QTest::newRow("prefix miss") << QStringLiteral("get_*") << QStringLiteral("set_x") << false;
    QTest::newRow("suffix") << QStringLiteral("*_status") << QStringLiteral("get_status") << true;
    QTest::newRow("infix") << QStringLiteral("a*b*c") << QStringLiteral("axxbyyc") << true;
    QTest::newRow("infix backtrack") << QStringLiteral("a*bc") << QStringLiteral("abcbc") << true;
    QTest::newRow("infix miss") << QStringLiteral("a*b*c") << QStringLiteral("axxbyy") << false;
    QTest::newRow("question") << QStringLiteral("w?b-*") << QStringLiteral("web-1") << true;
    QTest::newRow("question needs one") << QStringLiteral("w?b") << QStringLiteral("wb") << false;
    QTest::newRow("double star") << QStringLiteral("a**") << QStringLiteral("abc") << true;
    QTest::newRow("case sensitive") << QStringLiteral("Web-*") << QStringLiteral("web-1") << false;
}

void TestPolicyEngine::globs()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);
    const auto glob = Glob::compile(pattern);
    QVERIFY(glob);
    QCOMPARE(glob->matches(text), matches);
}

void TestPolicyEngine::paths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("normalised"); // "" = refused
    QTest::newRow("plain") << QStringLiteral("/var/log") << QStringLiteral("/var/log");
    QTest::newRow("trailing") << QStringLiteral("/var/log/") << QStringLiteral("/var/log");
    QTest::newRow("dot") << QStringLiteral("/tmp/./x") << QStringLiteral("/tmp/x");
    QTest::newRow("dotdot") << QStringLiteral("/var/log/../../etc/shadow") << QStringLiteral("/etc/shadow");
    QTest::newRow("above root") << QStringLiteral("/../..") << QStringLiteral("/");
    QTest::newRow("dots in names") << QStringLiteral("/a/..b/...") << QStringLiteral("/a/..b/...");
    QTest::newRow("relative") << QStringLiteral("tmp") << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("nul") << (QStringLiteral("/tmp/") + QChar(u'\0')) << QString();
}

void TestPolicyEngine::paths()
{
    QFETCH(QString, path);
    QFETCH(QString, normalised);
    const auto result = Core::normalizePath(path);
    QCOMPARE(result.has_value(), !normalised.isEmpty());
    if (result) {
        QCOMPARE(*result, normalised);
    }
    QVERIFY(Core::isUnderPrefix(u"/tmp", u"/tmp"));
    QVERIFY(Core::isUnderPrefix(u"/tmp/x", u"/tmp"));
    QVERIFY(!Core::isUnderPrefix(u"/tmpfoo", u"/tmp"));
    QVERIFY(Core::isUnderPrefix(u"/anything", u"/"));
}

void TestPolicyEngine::defaultAllow()
{
    const PolicyPtr policy = loadOrDie("version: \"1\"\ndefault: allow\nrules:\n  - {name: d, effect: deny, tools: [reboot]}\n");
    QVERIFY(policy);
    Request r;
    r.tool = QStringLiteral("anything");
    r.scope = QStringLiteral("system:read");
    r.scopes = { r.scope };
    r.targetId = QStringLiteral("t");
    r.targetCapabilities = { r.scope };
    QCOMPARE(PolicyEngine::decide(*policy, r).effect, Effect::Allow);
    r.targetCapabilities.clear(); // the default never widens scopes x capabilities
    QCOMPARE(PolicyEngine::decide(*policy, r).effect, Effect::Deny);
    r.targetCapabilities = { r.scope };
    r.tool = QStringLiteral("reboot");
    QCOMPARE(PolicyEngine::decide(*policy, r).rule, QStringLiteral("d"));
    // Without a file: denyAll denies, permissive keeps scopes x capabilities.
    r.tool = QStringLiteral("x");
    QCOMPARE(PolicyEngine::decide(*Tailops::Policy::Policy::denyAll(), r).effect, Effect::Deny);
    QCOMPARE(PolicyEngine::decide(*Tailops::Policy::Policy::permissive(), r).effect, Effect::Allow);
}

void TestPolicyEngine::visibility()
{
    const PolicyEngine engine(m_policy);
    Request r;
    r.agent = QStringLiteral("claude-code");
    r.scopes = Auth::expandScopes({ QStringLiteral("admin") });
    r.tier = Tier::Observe;
    r.risk = Risk::Low;
    r.tool = QStringLiteral("get_system_status");
    r.scope = QStringLiteral("system:read");
    QVERIFY(engine.visible(r));
    r.scopes = Auth::expandScopes({ QStringLiteral("container:read") });
    QVERIFY(!engine.visible(r)); // lacks the scope
    r.scopes = Auth::expandScopes({ QStringLiteral("admin") });
    r.tool = QStringLiteral("get_secrets");
    QVERIFY(!engine.visible(r)); // denied for every target
    r.tool = QStringLiteral("manage_container");
    r.scope = QStringLiteral("container:write");
    r.tier = Tier::Control;
    QVERIFY(engine.visible(r)); // allowed on some targets
    r.agent = QStringLiteral("untrusted-bot");
    r.tool = QStringLiteral("get_system_status");
    r.scope = QStringLiteral("system:read");
    r.tier = Tier::Observe;
    QVERIFY(engine.visible(r)); // denied on prod only
    r.tool = QStringLiteral("restart_service");
    r.scope = QStringLiteral("system:admin");
    QVERIFY(!engine.visible(r)); // no rule for this caller, default deny
}

void TestPolicyEngine::grants()
{
    QCOMPARE(m_policy->grantedScopes(QStringLiteral("alice@example.com"), {}),
             Auth::expandScopes({ QStringLiteral("readonly") }));
    QCOMPARE(m_policy->grantedScopes(QString(), { QStringLiteral("tag:ops") }),
             Auth::expandScopes({ QStringLiteral("system:admin"), QStringLiteral("network:diag") }));
    QCOMPARE(m_policy->grantedScopes(QString(), { QStringLiteral("tag:ci") }).size(), 2); // shorthand "tag:ci"
    QVERIFY(m_policy->grantedScopes(QStringLiteral("mallory@example.com"), { QStringLiteral("tag:dev") }).isEmpty());
}

void TestPolicyEngine::swapSnapshot()
{
    PolicyEngine engine; // deny-all until a policy is set
    Request r;
    r.tool = QStringLiteral("get_system_status");
    r.tier = Tier::Observe;
    QCOMPARE(engine.decide(r).effect, Effect::Deny);
    engine.setPolicy(m_policy);
    QCOMPARE(engine.decide(r).effect, Effect::Allow);
    const PolicyPtr held = engine.policy();
    engine.setPolicy(Tailops::Policy::Policy::denyAll());
    QCOMPARE(PolicyEngine::decide(*held, r).effect, Effect::Allow); // an old snapshot stays valid
    QCOMPARE(engine.decide(r).effect, Effect::Deny);
}

QTEST_GUILESS_MAIN(TestPolicyEngine)
#include "tst_policyengine.moc"
