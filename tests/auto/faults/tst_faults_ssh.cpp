// Fault injection on ssh targets, through the real gateway: sshd killed while a command runs on it (and
// restarted: the pooled session reconnects), and an "sshd" that accepts TCP and never says a word. Each
// time the caller gets a clear error within a bound, the local target keeps answering, the gateway's
// threads and sockets come back to where they were, and every answered call is in the audit log.
#include "faultsupport.h"
#include "sshdfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QPointer>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using namespace Faults;
using Tailops::Testing::SshdFixture;

namespace {

constexpr int kBoxConnectTimeoutS = 5;
constexpr int kMuteConnectTimeoutS = 3;

QByteArray cmdline(pid_t pid)
{
    QFile f(u"/proc/%1/cmdline"_s.arg(pid));
    return f.open(QIODevice::ReadOnly) ? f.readAll().replace('\0', ' ').trimmed() : QByteArray();
}

} // namespace

class TestFaultsSsh : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sshdKilledMidCall();
    void sshdThatNeverAnswers();

private:
    QString nextId(const QString &prefix) { return u"%1-%2"_s.arg(prefix).arg(++m_seq); }
    HttpResponse call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs = 60000,
                      qint64 *elapsed = nullptr);
    bool localWorks(QString *why = nullptr);

    QTemporaryDir m_dir { QDir::tempPath() + u"/tfs-XXXXXX"_s };
    SshdFixture m_sshd;
    QTcpServer m_silent;
    QList<QPointer<QTcpSocket>> m_silentPeers;
    FaultGateway m_gw;
    ProcStats m_baseline;
    QStringList m_answered;
    int m_seq = 0;
};

HttpResponse TestFaultsSsh::call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs, qint64 *elapsed)
{
    const QString id = nextId(prefix);
    const HttpResponse r = m_gw.call(id, tool, args, timeoutMs, elapsed);
    if (r.status != 0) {
        m_answered.append(id);
    }
    return r;
}

bool TestFaultsSsh::localWorks(QString *why)
{
    const HttpResponse r = call(u"local"_s, u"get_disk_usage"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } }, 30000);
    if (why) {
        *why = brief(r);
    }
    return succeeded(r);
}

void TestFaultsSsh::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (auto started = m_sshd.start(); !started) {
        QSKIP(qPrintable(u"no sshd here: "_s + started.error().message));
    }
    // Accepts, keeps the connection open, never writes a byte (no SSH banner).
    QVERIFY(m_silent.listen(QHostAddress::LocalHost, 0));
    connect(&m_silent, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_silent.nextPendingConnection()) {
            m_silentPeers.append(s);
        }
    });

    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, gatewayYaml(d, m_sshd.knownHostsFile())));
    QVERIFY(writeFile(d + u"/targets.yaml"_s,
                      QStringLiteral("version: \"1.0\"\n"
                                     "targets:\n"
                                     "  local:\n"
                                     "    type: local\n"
                                     "    capabilities: [system:read, network:read, file:read, system:admin]\n"
                                     "    constraints: {timeout: 30, concurrency: 16}\n"
                                     "  box:\n"
                                     "    type: remote\n"
                                     "    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: \"%3\", timeout: %4}\n"
                                     "    capabilities: [system:read, file:read, system:admin]\n"
                                     "    constraints: {timeout: 30, concurrency: 8}\n"
                                     "  mute:\n"
                                     "    type: remote\n"
                                     "    connection: {executor: ssh, host: 127.0.0.1, port: %5, username: %2, key_path: \"%3\", timeout: %6}\n"
                                     "    capabilities: [system:read, file:read]\n"
                                     "    constraints: {timeout: 30, concurrency: 8}\n")
                          .arg(m_sshd.port())
                          .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                          .arg(kBoxConnectTimeoutS)
                          .arg(m_silent.serverPort())
                          .arg(kMuteConnectTimeoutS)
                          .toUtf8()));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"faults-ssh-secret-0123456789abcdef0123"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
    QVERIFY2(m_gw.open(), qPrintable(m_gw.openError()));

    // Warm up: both working targets used once (the box session is pooled), then the baseline.
    QString why;
    QVERIFY2(localWorks(&why), qPrintable(why));
    const HttpResponse box = call(u"warm"_s, u"get_disk_usage"_s, { { u"target"_s, u"box"_s }, { u"path"_s, u"/tmp"_s } });
    QVERIFY2(succeeded(box), qPrintable(brief(box)));
    QTest::qWait(500);
    m_baseline = procStats(m_gw.processId());
    qInfo("baseline: %s\n%s", qPrintable(m_baseline.toString()), qPrintable(socketDetails(m_gw.processId())));
}

void TestFaultsSsh::cleanupTestCase()
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
    for (const auto &s : std::as_const(m_silentPeers)) {
        delete s.data();
    }
    m_silent.close();
}

void TestFaultsSsh::sshdKilledMidCall()
{
    // A command that runs for two minutes on the ssh target (run_command waits for a human first).
    const QString id = nextId(u"ssh-kill"_s);
    const auto running = m_gw.callAsync(id, u"run_command"_s,
                                        { { u"target"_s, u"box"_s }, { u"argv"_s, QJsonArray { u"sleep"_s, u"120"_s } }, { u"timeout_seconds"_s, 120 } });
    QCOMPARE(m_gw.approveNext(), u"run_command"_s);
    const auto sleeping = [this] {
        for (const pid_t pid : SshdFixture::descendants(m_sshd.pid())) {
            if (cmdline(pid).startsWith("sleep 120")) {
                return true;
            }
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(sleeping(), 20000);
    QVERIFY(!running->isDone());

    // Meanwhile the local target answers.
    QString why;
    QVERIFY2(localWorks(&why), qPrintable(why));
    QVERIFY(!running->isDone());

    QElapsedTimer sinceKill;
    sinceKill.start();
    m_sshd.stop();
    const int boundMs = (kBoxConnectTimeoutS + 10) * 1000;
    QVERIFY2(running->wait(boundMs), qPrintable(u"no answer %1 ms after sshd was killed"_s.arg(sinceKill.elapsed())));
    const qint64 toError = sinceKill.elapsed();
    QVERIFY2(running->isAnswered(), qPrintable(running->error()));
    m_answered.append(id);
    const HttpResponse &r = running->response();
    qInfo("sshd killed mid-call: answer after %lld ms: %s", toError, qPrintable(brief(r)));
    QVERIFY2(!succeeded(r), qPrintable(brief(r)));
    QVERIFY2(r.text().contains(u"127.0.0.1:%1"_s.arg(m_sshd.port())), qPrintable(brief(r)));
    QVERIFY2(r.text().contains(u"lost"_s), qPrintable(brief(r)));

    // sshd down: the local target still answers, the ssh target fails fast and clearly.
    QVERIFY2(localWorks(&why), qPrintable(why));
    qint64 downMs = 0;
    const HttpResponse down = call(u"ssh-down"_s, u"get_disk_usage"_s, { { u"target"_s, u"box"_s }, { u"path"_s, u"/tmp"_s } }, boundMs + 5000, &downMs);
    qInfo("call while sshd is down: %lld ms: %s", downMs, qPrintable(brief(down)));
    QVERIFY2(down.status != 0 && !succeeded(down), qPrintable(brief(down)));
    QVERIFY2(downMs < boundMs, qPrintable(QString::number(downMs)));
    QVERIFY2(down.text().contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(brief(down)));

    // sshd back (same port, same host key): the next call reconnects and succeeds.
    const auto restarted = m_sshd.restart();
    QVERIFY2(restarted, restarted ? "" : qPrintable(restarted.error().message));
    const HttpResponse back = call(u"ssh-back"_s, u"get_disk_usage"_s, { { u"target"_s, u"box"_s }, { u"path"_s, u"/tmp"_s } });
    QVERIFY2(succeeded(back), qPrintable(brief(back)));
    QVERIFY2(localWorks(&why), qPrintable(why));

    const ProcStats after = settle(m_gw.processId(), m_baseline, kPoolThreads + 1, 1, 10000);
    qInfo("sshd killed: before %s; after %s", qPrintable(m_baseline.toString()), qPrintable(after.toString()));
    QVERIFY2(after.threads <= m_baseline.threads + kPoolThreads + 1, qPrintable(after.toString()));
    QVERIFY2(after.sockets <= m_baseline.sockets + 1, qPrintable(after.toString() + u'\n' + socketDetails(m_gw.processId())));
    const QStringList problems = auditProblems(m_gw.auditPath, m_answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void TestFaultsSsh::sshdThatNeverAnswers()
{
    // Three calls to the silent server at once, and the local target meanwhile.
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<AsyncCall>> mute;
    for (int i = 0; i < 3; ++i) {
        mute.push_back(m_gw.callAsync(nextId(u"mute"_s), u"get_disk_usage"_s, { { u"target"_s, u"mute"_s }, { u"path"_s, u"/tmp"_s } }));
    }
    QString why;
    QVERIFY2(localWorks(&why), qPrintable(why));
    const bool localDuring = std::none_of(mute.cbegin(), mute.cend(), [](const auto &c) { return c->isDone(); });
    qInfo("local call answered while the mute calls were pending: %s", localDuring ? "yes" : "no");
    QTRY_VERIFY_WITH_TIMEOUT(m_silentPeers.size() >= 1, 10000); // the gateway did connect

    const int boundMs = (kMuteConnectTimeoutS + 10) * 1000;
    for (const auto &c : mute) {
        QVERIFY2(c->wait(boundMs - int(clock.elapsed()) + 1000), qPrintable(u"%1: no answer after %2 ms"_s.arg(c->id()).arg(clock.elapsed())));
        QVERIFY2(c->isAnswered(), qPrintable(c->error()));
        m_answered.append(c->id());
        const HttpResponse &r = c->response();
        qInfo("%s: %lld ms: %s", qPrintable(c->id()), c->elapsedMs(), qPrintable(brief(r)));
        QVERIFY2(!succeeded(r), qPrintable(brief(r)));
        QVERIFY2(c->elapsedMs() < boundMs, qPrintable(QString::number(c->elapsedMs())));
        QVERIFY2(c->elapsedMs() >= kMuteConnectTimeoutS * 1000 - 500, qPrintable(QString::number(c->elapsedMs())));
        QVERIFY2(r.text().contains(u"timeout"_s, Qt::CaseInsensitive), qPrintable(brief(r)));
        // The target is named ("... on mute: Connection timeout"); the host:port the executor attaches as the
        // error's context does not reach the caller.
        QVERIFY2(r.text().contains(u"on mute"_s), qPrintable(brief(r)));
    }
    // The other targets were not held up and still work.
    QVERIFY2(localWorks(&why), qPrintable(why));
    const HttpResponse box = call(u"box-after-mute"_s, u"get_disk_usage"_s, { { u"target"_s, u"box"_s }, { u"path"_s, u"/tmp"_s } });
    QVERIFY2(succeeded(box), qPrintable(brief(box)));

    // The gateway hung up on the silent server: no half-open connection left behind on either side.
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(m_silentPeers.cbegin(), m_silentPeers.cend(),
                                         [](const QPointer<QTcpSocket> &s) { return !s || s->state() != QAbstractSocket::ConnectedState; }),
                             10000);
    const ProcStats after = settle(m_gw.processId(), m_baseline, kPoolThreads + 1, 1, 10000);
    qInfo("silent sshd: %lld connection(s) accepted; before %s; after %s", qint64(m_silentPeers.size()),
          qPrintable(m_baseline.toString()), qPrintable(after.toString()));
    QVERIFY2(after.threads <= m_baseline.threads + kPoolThreads + 1, qPrintable(after.toString()));
    QVERIFY2(after.sockets <= m_baseline.sockets + 1, qPrintable(after.toString() + u'\n' + socketDetails(m_gw.processId())));
    const QStringList problems = auditProblems(m_gw.auditPath, m_answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestFaultsSsh)
#include "tst_faults_ssh.moc"
