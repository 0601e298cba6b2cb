// Fault injection through the real gateway, without a broken peer:
//  - a command whose output never ends (`yes`, approved run_command) on the local and the ssh target: the
//    call ends with the output cut at the target's max_output_bytes and marked, and the gateway's memory
//    stays bounded;
//  - targets.yaml and policy.yaml overwritten with garbage while calls run: the calls finish, the gateway
//    keeps the last good configuration (and says so in its log), keeps serving, and picks up a fixed file.
#include "faultsupport.h"
#include "sshdfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using namespace Faults;
using Tailops::Testing::SshdFixture;

namespace {

constexpr qint64 kMaxOutput = 4 * 1024 * 1024;
constexpr int kYesTimeoutS = 8;

const QByteArray kPolicy = "version: \"1\"\n"
                           "default: allow\n"
                           "rules:\n"
                           "  - name: no-netstat\n"
                           "    effect: deny\n"
                           "    tools: [get_network_status]\n";
const QByteArray kPolicyFixed = "version: \"1\"\n"
                                "default: allow\n"
                                "rules:\n"
                                "  - name: no-status\n"
                                "    effect: deny\n"
                                "    tools: [get_system_status]\n";

} // namespace

class TestFaultsLocal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void endlessOutput_data();
    void endlessOutput();
    void configReplacedByGarbage_data();
    void configReplacedByGarbage();

private:
    QString nextId(const QString &prefix) { return u"%1-%2"_s.arg(prefix).arg(++m_seq); }
    HttpResponse call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs = 60000,
                      qint64 *elapsed = nullptr);
    bool works(const QString &target, QString *why = nullptr);
    QByteArray targetsYaml(bool withExtra) const;
    bool writeConfig(const QString &name, const QByteArray &content, bool atomically);

    QTemporaryDir m_dir { QDir::tempPath() + u"/tfl-XXXXXX"_s };
    SshdFixture m_sshd;
    bool m_haveSsh = false;
    QString m_noSsh;
    FaultGateway m_gw;
    ProcStats m_baseline;
    QStringList m_answered;
    int m_seq = 0;
};

HttpResponse TestFaultsLocal::call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs, qint64 *elapsed)
{
    const QString id = nextId(prefix);
    const HttpResponse r = m_gw.call(id, tool, args, timeoutMs, elapsed);
    if (r.status != 0) {
        m_answered.append(id);
    }
    return r;
}

bool TestFaultsLocal::works(const QString &target, QString *why)
{
    const HttpResponse r = call(target, u"get_disk_usage"_s, { { u"target"_s, target }, { u"path"_s, u"/tmp"_s } }, 30000);
    if (why) {
        *why = brief(r);
    }
    return succeeded(r);
}

QByteArray TestFaultsLocal::targetsYaml(bool withExtra) const
{
    QByteArray y = QStringLiteral("version: \"1.0\"\n"
                                  "targets:\n"
                                  "  local:\n"
                                  "    type: local\n"
                                  "    capabilities: [system:read, network:read, file:read, system:admin]\n"
                                  "    constraints: {timeout: 30, concurrency: 64, max_output_bytes: %1}\n")
                       .arg(kMaxOutput)
                       .toUtf8();
    if (m_haveSsh) {
        y += QStringLiteral("  box:\n"
                            "    type: remote\n"
                            "    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: \"%3\", timeout: 5}\n"
                            "    capabilities: [system:read, network:read, file:read, system:admin]\n"
                            "    constraints: {timeout: 30, concurrency: 16, max_output_bytes: %4}\n")
                 .arg(m_sshd.port())
                 .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                 .arg(kMaxOutput)
                 .toUtf8();
    }
    if (withExtra) {
        y += "  extra:\n"
             "    type: local\n"
             "    capabilities: [system:read]\n";
    }
    return y;
}

bool TestFaultsLocal::writeConfig(const QString &name, const QByteArray &content, bool atomically)
{
    const QString path = m_dir.filePath(name);
    if (!atomically) {
        return writeFile(path, content); // truncated and rewritten in place
    }
    QSaveFile f(path); // a new file renamed over the old one, as editors do
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size() && f.commit();
}

void TestFaultsLocal::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (auto started = m_sshd.start(); started) {
        m_haveSsh = true;
    } else {
        m_noSsh = u"no sshd here: "_s + started.error().message;
    }
    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, gatewayYaml(d, m_haveSsh ? m_sshd.knownHostsFile() : QString())));
    QVERIFY(writeConfig(u"targets.yaml"_s, targetsYaml(false), false));
    QVERIFY(writeConfig(u"policy.yaml"_s, kPolicy, false));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"faults-local-secret-0123456789abcdef012"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
    QVERIFY2(m_gw.open(), qPrintable(m_gw.openError()));
    QString why;
    QVERIFY2(works(u"local"_s, &why), qPrintable(why));
    if (m_haveSsh) {
        QVERIFY2(works(u"box"_s, &why), qPrintable(why));
    }
    QTest::qWait(500);
    m_baseline = procStats(m_gw.processId());
    qInfo("baseline: %s", qPrintable(m_baseline.toString()));
}

void TestFaultsLocal::cleanupTestCase()
{
    if (m_gw.state() != QProcess::NotRunning) {
        const QStringList problems = auditProblems(m_gw.auditPath, m_answered);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        // Strict now: the idle pool threads expire, nothing else may be left over.
        const ProcStats end = settle(m_gw.processId(), m_baseline, 1, 1);
        qInfo("end: baseline %s; now %s", qPrintable(m_baseline.toString()), qPrintable(end.toString()));
        QVERIFY2(end.threads <= m_baseline.threads + 1, qPrintable(end.toString()));
        QVERIFY2(end.sockets <= m_baseline.sockets + 1, qPrintable(end.toString() + u'\n' + socketDetails(m_gw.processId())));
    }
    m_gw.stop();
    m_sshd.stop();
}

void TestFaultsLocal::endlessOutput_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("local") << u"local"_s;
    QTest::newRow("ssh") << u"box"_s;
}

void TestFaultsLocal::endlessOutput()
{
    QFETCH(QString, target);
    if (target == u"box" && !m_haveSsh) {
        QSKIP(qPrintable(m_noSsh));
    }
    const qint64 pid = m_gw.processId();
    const ProcStats before = procStats(pid);
    const QString id = nextId(u"yes"_s);
    const auto endless = m_gw.callAsync(id, u"run_command"_s,
                                        { { u"target"_s, target }, { u"argv"_s, QJsonArray { u"yes"_s, u"tailops-fault"_s } },
                                          { u"timeout_seconds"_s, kYesTimeoutS } });
    QCOMPARE(m_gw.approveNext(), u"run_command"_s);
    QElapsedTimer sinceApproval;
    sinceApproval.start();
    qint64 peakRssKb = before.rssKb;
    const int boundMs = (kYesTimeoutS + 10) * 1000;
    const bool done = QTest::qWaitFor(
        [&] {
            peakRssKb = std::max(peakRssKb, procStats(pid).rssKb);
            return endless->isDone();
        },
        boundMs);
    QVERIFY2(done, qPrintable(u"no answer %1 ms after the approval"_s.arg(sinceApproval.elapsed())));
    const qint64 took = sinceApproval.elapsed();
    QVERIFY2(endless->isAnswered(), qPrintable(endless->error()));
    m_answered.append(id);
    const HttpResponse &r = endless->response();
    const QJsonObject s = r.rpc().value(u"result"_s).toObject().value(u"structuredContent"_s).toObject();
    const QString out = s.value(u"stdout"_s).toString();
    const QString marker = u"[tailops: output truncated at %1 bytes]"_s.arg(kMaxOutput);
    qInfo("%s: answer %lld ms after approval, exit %d, stdout %lld chars, ends with marker: %s; text: %s", qPrintable(target), took,
          s.value(u"exit_code"_s).toInt(), qint64(out.size()), out.trimmed().endsWith(marker) ? "yes" : "no",
          qPrintable(r.text().left(160).replace(u'\n', u' ')));
    QVERIFY2(!s.isEmpty(), qPrintable(brief(r)));
    QVERIFY2(out.trimmed().endsWith(marker), qPrintable(out.right(200)));
    QVERIFY2(out.size() <= kMaxOutput + marker.size() + 2, qPrintable(QString::number(out.size())));
    QVERIFY2(out.size() >= kMaxOutput, qPrintable(QString::number(out.size())));
    QVERIFY(out.startsWith(u"tailops-fault\ntailops-fault\n"_s));
    QVERIFY2(took < boundMs, qPrintable(QString::number(took)));

    // The audit log says so too.
    const QJsonObject result = auditRecord(m_gw.auditPath, id, u"result"_s);
    QVERIFY2(!result.isEmpty(), qPrintable(id));
    QCOMPARE(result.value(u"truncated"_s).toBool(), true);

    // Memory: bounded while it ran and after.
    const ProcStats after = settle(pid, m_baseline, kPoolThreads + 1, 1, 10000);
    qInfo("%s: rss before %lld KiB, peak %lld KiB, after %lld KiB; before %s; after %s", qPrintable(target), before.rssKb, peakRssKb,
          after.rssKb, qPrintable(before.toString()), qPrintable(after.toString()));
    // Under AddressSanitizer (scripts/test.sh's second run) RSS says nothing: its quarantine keeps up to 256 MiB
    // of freed memory and its shadow grows with it. The other checks still hold there.
    if (qEnvironmentVariableIsEmpty("ASAN_OPTIONS")) {
        QVERIFY2(peakRssKb - before.rssKb < 100 * 1024, qPrintable(QString::number(peakRssKb - before.rssKb)));
        QVERIFY2(after.rssKb - before.rssKb < 100 * 1024, qPrintable(QString::number(after.rssKb - before.rssKb)));
    }
    QVERIFY2(after.threads <= m_baseline.threads + kPoolThreads + 1, qPrintable(after.toString()));
    QVERIFY2(after.sockets <= m_baseline.sockets + 1, qPrintable(after.toString()));
    // No `yes` left running.
    QString why;
    QVERIFY2(works(u"local"_s, &why), qPrintable(why));
}

void TestFaultsLocal::configReplacedByGarbage_data()
{
    QTest::addColumn<QByteArray>("targetsGarbage");
    QTest::addColumn<QByteArray>("policyGarbage");
    QTest::addColumn<bool>("atomically");
    QTest::addColumn<bool>("policyKept"); // false: the garbage is a valid policy (empty: deny everything)
    QByteArray binary;
    for (int i = 0; i < 4096; ++i) {
        binary.append(char((i * 131 + 7) % 256));
    }
    QTest::newRow("binary, rewritten in place") << binary << binary << false << true;
    QTest::newRow("binary, renamed over") << binary << binary << true << true;
    const QByteArray syntax("version: \"1.0\"\ntargets: {local: [type: local\n  ]]]: :\n\t- x");
    QTest::newRow("YAML syntax error") << syntax << syntax << false << true;
    const QByteArray shape("version: 7\ntargets: 42\nrules: nope\ndefault: maybe\n");
    QTest::newRow("wrong shape") << shape << shape << true << true;
    // Cut off while being written: the first target without its type, the first rule without its effect.
    QTest::newRow("half-written") << QByteArray("version: \"1.0\"\ntargets:\n  local:\n    capabilities: [system:rea")
                                  << kPolicy.left(kPolicy.indexOf("effect") + 3) << false << true;
    // An empty policy.yaml is a valid policy: no rules, default deny (documented in config/policy.yaml).
    // It replaces the one in force (unlike a deleted file, which keeps it): every call is refused.
    QTest::newRow("empty") << QByteArray() << QByteArray() << false << false;
}

void TestFaultsLocal::configReplacedByGarbage()
{
    QFETCH(QByteArray, targetsGarbage);
    QFETCH(QByteArray, policyGarbage);
    QFETCH(bool, atomically);
    QFETCH(bool, policyKept);
    QElapsedTimer rowClock;
    rowClock.start();
    const QStringList targets = m_haveSsh ? QStringList { u"local"_s, u"box"_s } : QStringList { u"local"_s };
    const auto netstatRefused = [this] {
        const HttpResponse r = call(u"netstat"_s, u"get_network_status"_s, { { u"target"_s, u"local"_s } });
        return r.text().contains(u"no-netstat"_s);
    };
    QVERIFY(netstatRefused()); // the policy in force

    // A long call (sleep 3, approved) and a burst in flight when the files turn to garbage.
    const QString longId = nextId(u"long"_s);
    const auto longCall = m_gw.callAsync(longId, u"run_command"_s, { { u"target"_s, targets.last() }, { u"argv"_s, QJsonArray { u"sleep"_s, u"3"_s } } });
    QCOMPARE(m_gw.approveNext(), u"run_command"_s);
    std::vector<std::unique_ptr<AsyncCall>> burst;
    const auto fire = [&](int n) {
        for (int i = 0; i < n; ++i) {
            const QString target = targets.at(i % targets.size());
            burst.push_back(m_gw.callAsync(nextId(u"burst"_s), u"get_disk_usage"_s, { { u"target"_s, target }, { u"path"_s, u"/tmp"_s } }));
        }
    };
    fire(10);
    const qsizetype logMark = m_gw.log().size();
    QVERIFY(writeConfig(u"targets.yaml"_s, targetsGarbage, atomically));
    QVERIFY(writeConfig(u"policy.yaml"_s, policyGarbage, atomically));
    fire(10);
    // Both reloads were tried and refused (the debounce is 250 ms).
    const auto logSince = [&] { return QString::fromUtf8(m_gw.log().mid(logMark)); };
    QTRY_VERIFY2_WITH_TIMEOUT(logSince().contains(u"keeping the previous targets"_s), qPrintable(logSince()), 10000);
    if (policyKept) {
        QTRY_VERIFY2_WITH_TIMEOUT(logSince().contains(u"keeping the policy in force"_s), qPrintable(logSince()), 10000);
    } else {
        QTRY_VERIFY2_WITH_TIMEOUT(logSince().contains(u"policy.yaml loaded: 0 rule(s), default deny"_s), qPrintable(logSince()), 10000);
    }
    qInfo("%lld ms: reloads refused", rowClock.elapsed());
    fire(10);

    // Everything that was running or sent meanwhile finishes normally.
    QVERIFY2(longCall->wait(30000), "the long call did not finish");
    QVERIFY2(longCall->isAnswered(), qPrintable(longCall->error()));
    m_answered.append(longId);
    QVERIFY2(succeeded(longCall->response()), qPrintable(brief(longCall->response())));
    for (const auto &c : burst) {
        QVERIFY2(c->wait(30000), qPrintable(c->id()));
        QVERIFY2(c->isAnswered(), qPrintable(c->id() + u": "_s + c->error()));
        m_answered.append(c->id());
        const bool ok = succeeded(c->response());
        QVERIFY2(ok || (!policyKept && c->response().text().contains(u"(default: deny)"_s)),
                 qPrintable(c->id() + u": "_s + brief(c->response())));
    }
    qInfo("%lld ms: calls finished", rowClock.elapsed());
    // The last good targets are in force, and the last good policy (or, empty, deny everything).
    QString why;
    for (const QString &t : targets) {
        if (policyKept) {
            QVERIFY2(works(t, &why), qPrintable(why));
        } else {
            QVERIFY(!works(t, &why));
            QVERIFY2(why.contains(u"no policy rule allows tool 'get_disk_usage' on target '%1' (default: deny)"_s.arg(t)), qPrintable(why));
        }
    }
    if (policyKept) {
        QVERIFY(netstatRefused());
    }
    QVERIFY(m_gw.state() == QProcess::Running);
    qInfo("log after the garbage:\n%s", qPrintable(logSince().trimmed()));

    // Fixed files are picked up: a new target appears, the new policy applies.
    QVERIFY(writeConfig(u"targets.yaml"_s, targetsYaml(true), atomically));
    QVERIFY(writeConfig(u"policy.yaml"_s, kPolicyFixed, atomically));
    qInfo("%lld ms: checked the last good configuration", rowClock.elapsed());
    QTRY_VERIFY2_WITH_TIMEOUT(works(u"extra"_s, &why), qPrintable(why), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!netstatRefused(), 10000);
    const HttpResponse status = call(u"status"_s, u"get_system_status"_s, { { u"target"_s, u"local"_s } });
    QVERIFY2(status.text().contains(u"no-status"_s), qPrintable(brief(status)));

    // Back to the starting point for the next row.
    QVERIFY(writeConfig(u"targets.yaml"_s, targetsYaml(false), false));
    QVERIFY(writeConfig(u"policy.yaml"_s, kPolicy, false));
    QTRY_VERIFY_WITH_TIMEOUT(!works(u"extra"_s), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(netstatRefused(), 10000);

    qInfo("%lld ms: fixed files picked up and restored", rowClock.elapsed());
    const ProcStats after = settle(m_gw.processId(), m_baseline, kPoolThreads + 1, 1, 10000);
    qInfo("config garbage: before %s; after %s", qPrintable(m_baseline.toString()), qPrintable(after.toString()));
    QVERIFY2(after.threads <= m_baseline.threads + kPoolThreads + 1, qPrintable(after.toString()));
    QVERIFY2(after.sockets <= m_baseline.sockets + 1, qPrintable(after.toString()));
    const QStringList problems = auditProblems(m_gw.auditPath, m_answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    qInfo("%lld ms: row done", rowClock.elapsed());
}

QTEST_GUILESS_MAIN(TestFaultsLocal)
#include "tst_faults_local.moc"
