// Fault injection on the gateway itself: SIGKILL while a burst of 50 concurrent calls is being answered,
// then a restart on the same configuration and audit log. Every call answered before the kill has its
// audit records (decision and result), `tailops-gateway audit verify` passes after the restart, and the
// restarted gateway serves.
#include "faultsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using namespace Faults;

class TestFaultsKill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void killedDuringBurst_data();
    void killedDuringBurst();

private:
    QTemporaryDir m_dir { QDir::tempPath() + u"/tfk-XXXXXX"_s };
    FaultGateway m_gw;
    int m_round = 0;
};

void TestFaultsKill::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, gatewayYaml(d, {})));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, "version: \"1.0\"\n"
                                              "targets:\n"
                                              "  local:\n"
                                              "    type: local\n"
                                              "    capabilities: [system:read, file:read]\n"
                                              "    constraints: {timeout: 30, concurrency: 64}\n"));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"faults-kill-secret-0123456789abcdef0123"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
}

void TestFaultsKill::cleanupTestCase()
{
    m_gw.stop();
}

void TestFaultsKill::killedDuringBurst_data()
{
    QTest::addColumn<int>("killAfter"); // answers received before the kill
    QTest::newRow("after the first answer") << 1;
    QTest::newRow("after 10 answers") << 10;
    QTest::newRow("after 40 answers") << 40;
}

void TestFaultsKill::killedDuringBurst()
{
    QFETCH(int, killAfter);
    // A few rounds: the window in which an answer is out but its result record is not yet written is short.
    constexpr int kRounds = 3;
    constexpr int kCalls = 50;
    QStringList problems;
    int answeredTotal = 0;
    for (int round = 0; round < kRounds; ++round) {
        ++m_round;
        QVERIFY2(m_gw.open(), qPrintable(m_gw.openError()));
        const HttpResponse warm = m_gw.call(u"warm-%1"_s.arg(m_round), u"get_disk_usage"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } });
        QVERIFY2(succeeded(warm), qPrintable(brief(warm)));
        const qint64 pid = m_gw.processId();

        std::vector<std::unique_ptr<AsyncCall>> calls;
        for (int i = 0; i < kCalls; ++i) {
            calls.push_back(m_gw.callAsync(u"kill%1-%2"_s.arg(m_round).arg(i), u"get_disk_usage"_s,
                                           { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } }));
        }
        const auto answeredCount = [&] {
            return std::count_if(calls.cbegin(), calls.cend(), [](const auto &c) { return c->isAnswered(); });
        };
        QVERIFY2(QTest::qWaitFor([&] { return answeredCount() >= killAfter; }, 60000),
                 qPrintable(u"only %1 answers"_s.arg(answeredCount())));
        QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
        QVERIFY(m_gw.waitForFinished(10000));
        QCOMPARE(m_gw.exitStatus(), QProcess::CrashExit);

        // Every connection ends: answered before the kill, or cut by it.
        for (const auto &c : calls) {
            QVERIFY2(c->wait(15000), qPrintable(c->id()));
        }
        QStringList answered;
        for (const auto &c : calls) {
            if (c->isAnswered()) {
                QVERIFY2(succeeded(c->response()), qPrintable(c->id() + u": "_s + brief(c->response())));
                answered.append(c->id());
            }
        }
        answeredTotal += int(answered.size());
        const QStringList missing = auditProblemsNow(m_gw.auditPath, answered); // the writer is dead: nothing more comes
        qInfo("round %d: killed after %d answer(s) seen; %lld of %d calls answered; %lld without all their records", m_round,
              killAfter, qint64(answered.size()), kCalls, qint64(missing.size()));
        problems += missing;

        // The restart repairs what the kill left and serves.
        QVERIFY2(m_gw.open(), qPrintable(m_gw.openError()));
        const QString afterId = u"after-%1"_s.arg(m_round);
        const HttpResponse after = m_gw.call(afterId, u"get_disk_usage"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } });
        QVERIFY2(succeeded(after), qPrintable(brief(after)));
        QVERIFY2(auditProblems(m_gw.auditPath, { afterId }).isEmpty(), qPrintable(afterId));
        m_gw.stop();
        const auto [code, out] = auditVerify(m_gw.auditPath);
        qInfo("audit verify: %s", out.trimmed().constData());
        QVERIFY2(code == 0, out.constData());
    }
    // Every answered call has its decision (written before the tool ran) and its result record.
    QVERIFY2(problems.isEmpty(), qPrintable(u"%1 of %2 answered calls lack records:\n"_s.arg(problems.size()).arg(answeredTotal)
                                            + problems.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestFaultsKill)
#include "tst_faults_kill.moc"
