#include "policy/policyloader.h"

#include <QtTest>

using namespace Tailops;
using namespace Tailops::Policy;

namespace {

QString render(const Config::Diagnostics &diagnostics)
{
    QStringList lines;
    for (const auto &d : diagnostics) {
        lines.append(d.toString());
    }
    return lines.join(u'\n');
}

} // namespace

class TestPolicyLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badPolicies_data();
    void badPolicies();
    void allErrorsAtOnce();
    void warnings();
    void lenientSkipsBadAllowRules();
    void lenientNeverDropsDeny();
    void goodPolicy();
    void exampleFile();
    void missingFile();
};

void TestPolicyLoader::badPolicies_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected"); // a full "file:LINE:COL: message" prefix or fragment

    const QByteArray head = "version: \"1\"\nrules:\n";
    QTest::newRow("syntax error") << QByteArray("version: \"1\"\nrules:\n  - name: a\n    tools: [x\n")
                                  << QStringLiteral("policy.yaml:5:1: YAML syntax error");
    QTest::newRow("unknown effect") << head + "  - name: web\n    effect: permit\n    tools: [\"*\"]\n"
                                    << QStringLiteral("policy.yaml:4:13: rule 'web': unknown effect 'permit' (expected allow, deny or require_approval)");
    QTest::newRow("missing effect") << head + "  - name: web\n    tools: [\"*\"]\n"
                                    << QStringLiteral("policy.yaml:3:5: rule 'web': 'effect' is missing");
    QTest::newRow("missing tools") << head + "  - name: web\n    effect: allow\n"
                                   << QStringLiteral("policy.yaml:3:5: rule 'web': 'tools' is missing");
    QTest::newRow("empty tools") << head + "  - name: web\n    effect: allow\n    tools: []\n"
                                 << QStringLiteral("policy.yaml:5:12: rule 'web': tools must not be empty");
    QTest::newRow("bad glob class") << head + "  - name: web\n    effect: allow\n    tools: [\"get_*\", \"get_[ab]\"]\n"
                                    << QStringLiteral("policy.yaml:5:22: rule 'web': tools: bad glob 'get_[ab]': pattern 'get_[ab]' uses '['");
    QTest::newRow("bad glob space") << head + "  - name: web\n    effect: allow\n    tools: [x]\n    targets: [\"web 1\"]\n"
                                    << QStringLiteral("policy.yaml:6:15: rule 'web': targets: bad glob 'web 1'");
    QTest::newRow("bad caller glob") << head + "  - name: web\n    effect: allow\n    tools: [x]\n    callers: [\"user:{a,b}\"]\n"
                                     << QStringLiteral("policy.yaml:6:15: rule 'web': callers: bad glob 'user:{a,b}'");
    QTest::newRow("duplicate names") << head + "  - {name: a, effect: allow, tools: [x]}\n  - {name: a, effect: allow, tools: [y]}\n"
                                     << QStringLiteral("policy.yaml:4:12: rule 'a': duplicate name (first used at line 3)");
    QTest::newRow("missing name") << head + "  - {effect: allow, tools: [x]}\n"
                                  << QStringLiteral("policy.yaml:3:5: rule #1: 'name' is missing");
    QTest::newRow("rule not a map") << head + "  - just-a-string\n"
                                    << QStringLiteral("policy.yaml:3:5: rule #1 must be a map");
    QTest::newRow("bad regex") << head + "  - name: r\n    effect: allow\n    tools: [x]\n    params:\n      name: {pattern: \"[a-z\"}\n"
                               << QStringLiteral("policy.yaml:7:23: rule 'r': params.name.pattern is not a valid regular expression: missing terminating ] for character class at offset 4");
    QTest::newRow("huge regex") << head + "  - name: r\n    effect: allow\n    tools: [x]\n    params:\n      name:\n        pattern: \"" + QByteArray(501, 'a') + "\"\n"
                                << QStringLiteral("policy.yaml:8:18: rule 'r': params.name.pattern is 501 characters; the limit is 500");
    QTest::newRow("relative path prefix") << head + "  - name: p\n    effect: allow\n    tools: [x]\n    params:\n      path:\n        path_prefixes: [/var/log, tmp]\n"
                                          << QStringLiteral("policy.yaml:8:35: rule 'p': params.path.path_prefixes: bad path prefix 'tmp': path is not absolute");
    QTest::newRow("dotdot path prefix") << head + "  - name: p\n    effect: allow\n    tools: [x]\n    params:\n      path: {path_prefixes: [/var/log/../etc]}\n"
                                        << QStringLiteral("policy.yaml:7:30: rule 'p': params.path.path_prefixes: '/var/log/../etc' must not contain '..'");
    QTest::newRow("NUL path prefix") << head + "  - name: p\n    effect: allow\n    tools: [x]\n    params:\n      path: {path_prefixes: [\"/tmp\\0/x\"]}\n"
                                     << QStringLiteral("policy.yaml:7:30: rule 'p': params.path.path_prefixes: bad path prefix '/tmp\\0/x': path contains a NUL character");
    QTest::newRow("min above max") << head + "  - name: n\n    effect: allow\n    tools: [x]\n    params:\n      lines: {min: 10, max: 1}\n"
                                   << QStringLiteral("policy.yaml:7:20: rule 'n': params.lines: min (10) is greater than max (1)");
    QTest::newRow("min not a number") << head + "  - name: n\n    effect: allow\n    tools: [x]\n    params:\n      lines: {min: lots}\n"
                                      << QStringLiteral("policy.yaml:7:20: rule 'n': params.lines.min must be a number");
    QTest::newRow("negative max_length") << head + "  - name: n\n    effect: allow\n    tools: [x]\n    params:\n      s: {max_length: -1}\n"
                                         << QStringLiteral("policy.yaml:7:23: rule 'n': params.s.max_length must be between 0");
    QTest::newRow("params on deny") << head + "  - name: d\n    effect: deny\n    tools: [x]\n    params: {s: {max_length: 3}}\n"
                                    << QStringLiteral("policy.yaml:6:13: rule 'd': params have no meaning on a deny rule");
    QTest::newRow("unknown tier") << head + "  - name: t\n    effect: allow\n    tools: [x]\n    tier: superuser\n"
                                  << QStringLiteral("policy.yaml:6:11: rule 't': unknown tier 'superuser'");
    QTest::newRow("unknown risk") << head + "  - name: t\n    effect: allow\n    tools: [x]\n    risk: [extreme]\n"
                                  << QStringLiteral("policy.yaml:6:11: rule 't': unknown risk 'extreme'");
    QTest::newRow("bad approval timeout") << head + "  - name: t\n    effect: require_approval\n    tools: [x]\n    approval_timeout: soon\n"
                                          << QStringLiteral("policy.yaml:6:23: rule 't': approval_timeout");
    QTest::newRow("bad default") << QByteArray("version: \"1\"\ndefault: maybe\n")
                                 << QStringLiteral("policy.yaml:2:10: default must be deny or allow, not 'maybe'");
    QTest::newRow("bad version") << QByteArray("version: \"2\"\n")
                                 << QStringLiteral("policy.yaml:1:10: unsupported version '2'");
    QTest::newRow("rules not a list") << QByteArray("version: \"1\"\nrules: {a: b}\n")
                                      << QStringLiteral("policy.yaml:2:8: rules must be a list");
    QTest::newRow("grant unknown scope") << QByteArray("version: \"1\"\ngrants:\n  - callers: [\"user:a@b.c\"]\n    scopes: [root]\n")
                                         << QStringLiteral("policy.yaml:4:13: grant #1: unknown scope 'root'");
    QTest::newRow("grant agent caller") << QByteArray("version: \"1\"\ngrants:\n  - callers: [claude]\n    scopes: [readonly]\n")
                                        << QStringLiteral("policy.yaml:3:15: grant #1: callers: 'claude' must start with user: or tag:");
    QTest::newRow("binary") << QByteArray("version: \"1\"\n\0", 14) << QStringLiteral("policy.yaml: file contains binary data");
}

void TestPolicyLoader::badPolicies()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    Config::Diagnostics diagnostics;
    const auto policy = loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics);
    QVERIFY(!policy);
    const QString all = render(diagnostics);
    QVERIFY2(all.contains(expected), qPrintable(all));
}

void TestPolicyLoader::allErrorsAtOnce()
{
    const QByteArray yaml = "version: \"1\"\n"
                            "rules:\n"
                            "  - {name: a, effect: permit, tools: [x]}\n"
                            "  - {name: b, effect: allow, tools: [\"x[\"]}\n"
                            "  - {name: c, effect: allow, tools: [x], params: {p: {pattern: \"(\"}}}\n"
                            "  - {name: a, effect: allow, tools: [x]}\n";
    Config::Diagnostics diagnostics;
    QVERIFY(!loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics));
    QCOMPARE(diagnostics.size(), 4);
    QCOMPARE(diagnostics[0].line, 3);
    QCOMPARE(diagnostics[1].line, 4);
    QCOMPARE(diagnostics[2].line, 5);
    QCOMPARE(diagnostics[3].line, 6);
}

void TestPolicyLoader::warnings()
{
    const QByteArray yaml = "version: \"1\"\n"
                            "colour: blue\n"
                            "rules:\n"
                            "  - name: a\n"
                            "    effect: allow\n"
                            "    tool: [x]\n"
                            "    tools: [x]\n"
                            "    approval_timeout: 5m\n";
    Config::Diagnostics diagnostics;
    const auto policy = loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics);
    QVERIFY2(policy, qPrintable(render(diagnostics)));
    const QString all = render(diagnostics);
    QVERIFY2(all.contains(QStringLiteral("policy.yaml:2:1: warning: the policy: unknown key 'colour' (ignored)")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("policy.yaml:6:5: warning: rule 'a': unknown key 'tool' (ignored)")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("policy.yaml:8:23: warning: rule 'a': approval_timeout only matters")), qPrintable(all));
}

void TestPolicyLoader::lenientSkipsBadAllowRules()
{
    const QByteArray yaml = "version: \"1\"\nrules:\n"
                            "  - {name: good, effect: allow, tools: [x]}\n"
                            "  - {name: bad, effect: allow, tools: [\"x[\"]}\n"
                            "  - {name: also-good, effect: deny, tools: [y]}\n";
    Config::Diagnostics diagnostics;
    QVERIFY(!loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics, LoadMode::Strict));
    diagnostics.clear();
    const auto policy = loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics, LoadMode::Lenient);
    QVERIFY(policy);
    QCOMPARE((*policy)->rules().size(), 2);
    QVERIFY((*policy)->rule(QStringLiteral("good")));
    QVERIFY(!(*policy)->rule(QStringLiteral("bad")));
    QVERIFY(Config::hasErrors(diagnostics)); // still reported
}

void TestPolicyLoader::lenientNeverDropsDeny()
{
    for (const QByteArray &rule : { QByteArray("  - {name: d, effect: deny, tools: [\"x[\"]}\n"),
                                    QByteArray("  - {name: d, effect: dney, tools: [x]}\n"),
                                    QByteArray("  - {name: d, tools: [x]}\n") }) {
        Config::Diagnostics diagnostics;
        QVERIFY(!loadPolicy("version: \"1\"\nrules:\n" + rule, QStringLiteral("policy.yaml"), diagnostics, LoadMode::Lenient));
    }
}

void TestPolicyLoader::goodPolicy()
{
    const QByteArray yaml = "version: \"1.0\"\n"
                            "default: allow\n"
                            "approval_timeout: 90s\n"
                            "rules:\n"
                            "  - name: a\n"
                            "    description: all observe tools\n"
                            "    effect: require_approval\n"
                            "    tools: [\"get_*\", status]\n"
                            "    targets: [\"web-*\", \"tag:prod\"]\n"
                            "    callers: [\"agent:claude-*\", \"user:*@example.com\", \"tag:tag:ops\", ci]\n"
                            "    tier: control\n"
                            "    risk: [low, moderate]\n"
                            "    params:\n"
                            "      path: {path_prefixes: [/var/log/, /tmp], max_length: 100, required: true}\n"
                            "      n: {min: 1, max: 5, enum: [1, 2, 3]}\n"
                            "      name: {pattern: \"[a-z]+\"}\n"
                            "    approval_timeout: 1m\n";
    Config::Diagnostics diagnostics;
    const auto policy = loadPolicy(yaml, QStringLiteral("policy.yaml"), diagnostics);
    QVERIFY2(policy, qPrintable(render(diagnostics)));
    QVERIFY2(diagnostics.isEmpty(), qPrintable(render(diagnostics)));
    const PolicyPtr p = *policy;
    QCOMPARE(p->defaultEffect(), Effect::Allow);
    QCOMPARE(p->approvalTimeoutSeconds(), 90);
    const Rule *rule = p->rule(QStringLiteral("a"));
    QVERIFY(rule);
    QCOMPARE(rule->effect, Effect::RequireApproval);
    QCOMPARE(rule->line, 5);
    QCOMPARE(rule->approvalTimeoutSeconds, 60);
    QCOMPARE(rule->tier, Tier::Control);
    QCOMPARE(rule->params.size(), 3);
    QCOMPARE(rule->params[0].pathPrefixes, (QStringList { QStringLiteral("/var/log"), QStringLiteral("/tmp") }));
    QVERIFY(!rule->anyTarget);
    QVERIFY(!rule->anyCaller);
    QVERIFY(rule->callerTags.matches(u"tag:ops"));
}

void TestPolicyLoader::exampleFile()
{
    const QString path = QStringLiteral(TAILOPS_SOURCE_DIR "/config/policy.yaml");
    if (!QFile::exists(path)) {
        QSKIP("no example policy.yaml");
    }
    Config::Diagnostics diagnostics;
    const auto policy = loadPolicyFile(path, diagnostics);
    QVERIFY2(policy, qPrintable(render(diagnostics)));
}

void TestPolicyLoader::missingFile()
{
    Config::Diagnostics diagnostics;
    QVERIFY(!loadPolicyFile(QStringLiteral("/nonexistent/policy.yaml"), diagnostics));
    QCOMPARE(diagnostics.size(), 1);
}

QTEST_GUILESS_MAIN(TestPolicyLoader)
#include "tst_policyloader.moc"
