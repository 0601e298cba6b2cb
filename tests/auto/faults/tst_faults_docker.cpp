// Fault injection on a docker target, through the real gateway: the Docker daemon SIGKILLed while a
// stop_container request is in flight (a container whose PID 1 ignores SIGTERM, stopped with a 30 s grace
// period, so the request waits at the daemon). The caller gets a clear error within a bound, later calls to
// the dead daemon fail fast, the local target keeps answering, the gateway's threads and sockets come back
// to where they were, and every answered call is in the audit log.
#include "dockerenginefixture.h"
#include "faultsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using namespace Faults;
using Tailops::Testing::DockerEngineFixture;

namespace {
constexpr int kDockTimeoutS = 10;
}

class TestFaultsDocker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void dockerdKilledMidRequest();

private:
    QString nextId(const QString &prefix) { return u"%1-%2"_s.arg(prefix).arg(++m_seq); }
    HttpResponse call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs = 60000,
                      qint64 *elapsed = nullptr);
    bool localWorks(QString *why = nullptr);
    QString state(const QString &container) const;

    QTemporaryDir m_dir { QDir::tempPath() + u"/tfd-XXXXXX"_s };
    DockerEngineFixture m_engine;
    FaultGateway m_gw;
    QStringList m_answered;
    int m_seq = 0;
};

HttpResponse TestFaultsDocker::call(const QString &prefix, const QString &tool, const QJsonObject &args, int timeoutMs, qint64 *elapsed)
{
    const QString id = nextId(prefix);
    const HttpResponse r = m_gw.call(id, tool, args, timeoutMs, elapsed);
    if (r.status != 0) {
        m_answered.append(id);
    }
    return r;
}

bool TestFaultsDocker::localWorks(QString *why)
{
    const HttpResponse r = call(u"local"_s, u"get_disk_usage"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } }, 30000);
    if (why) {
        *why = brief(r);
    }
    return succeeded(r);
}

QString TestFaultsDocker::state(const QString &container) const
{
    const auto out = m_engine.cli({ u"inspect"_s, u"--format"_s, u"{{.State.Status}}"_s, container });
    return out ? *out : u"error: "_s + out.error().message;
}

void TestFaultsDocker::initTestCase()
{
    if (geteuid() != 0) {
        QSKIP("needs root (a private dockerd)");
    }
    if (const QString missing = DockerEngineFixture::notInstalledReason(); !missing.isEmpty()) {
        QSKIP(qPrintable(missing));
    }
    if (auto started = m_engine.start(); !started) {
        QSKIP(qPrintable(started.error().message));
    }
    // PID 1 ignores SIGTERM: a stop waits the whole grace period before the daemon SIGKILLs it.
    QVERIFY(m_engine.run(u"stubborn"_s, { u"sh"_s, u"-c"_s, u"trap '' TERM; sleep 3600"_s }));
    QTRY_COMPARE_WITH_TIMEOUT(state(u"stubborn"_s), u"running"_s, 15000);

    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, gatewayYaml(d, {})));
    QVERIFY(writeFile(d + u"/targets.yaml"_s,
                      QStringLiteral("version: \"1.0\"\n"
                                     "targets:\n"
                                     "  local:\n"
                                     "    type: local\n"
                                     "    capabilities: [system:read, file:read]\n"
                                     "    constraints: {timeout: 30, concurrency: 16}\n"
                                     "  dock:\n"
                                     "    type: docker\n"
                                     "    connection: {socket_path: \"%1\", timeout: 5}\n"
                                     "    capabilities: [container:read, container:write]\n"
                                     "    constraints: {timeout: %2, concurrency: 4}\n")
                          .arg(m_engine.socketPath())
                          .arg(kDockTimeoutS)
                          .toUtf8()));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"faults-docker-secret-0123456789abcdef01"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
    QVERIFY2(m_gw.open(), qPrintable(m_gw.openError()));
}

void TestFaultsDocker::cleanupTestCase()
{
    m_gw.stop();
    m_engine.stop();
}

void TestFaultsDocker::dockerdKilledMidRequest()
{
    QString why;
    QVERIFY2(localWorks(&why), qPrintable(why));
    const HttpResponse list = call(u"warm"_s, u"get_container_list"_s, { { u"target"_s, u"dock"_s }, { u"all"_s, true } });
    QVERIFY2(succeeded(list), qPrintable(brief(list)));
    QTest::qWait(500);
    const ProcStats baseline = procStats(m_gw.processId());
    qInfo("engine %s; baseline %s", qPrintable(m_engine.engineName()), qPrintable(baseline.toString()));

    const QString id = nextId(u"docker-stop"_s);
    const auto stopping = m_gw.callAsync(id, u"stop_container"_s,
                                         { { u"target"_s, u"dock"_s }, { u"container"_s, u"stubborn"_s }, { u"timeout"_s, 30 } });
    QTest::qWait(3000); // the stop request waits at the daemon (grace period 30 s)
    QVERIFY2(!stopping->isDone(), qPrintable(brief(stopping->response())));
    QCOMPARE(state(u"stubborn"_s), u"running"_s);
    QVERIFY2(localWorks(&why), qPrintable(why));
    QVERIFY(!stopping->isDone());

    // The daemon dies as in a crash: SIGKILL by its PID, the socket file stays behind.
    QElapsedTimer sinceKill;
    QFile pidFile(m_engine.dir() + u"/dockerd.pid"_s);
    if (m_engine.engine() == DockerEngineFixture::Engine::Dockerd && pidFile.open(QIODevice::ReadOnly)) {
        const pid_t pid = pid_t(pidFile.readAll().trimmed().toInt());
        QVERIFY(pid > 1);
        sinceKill.start();
        QVERIFY(::kill(pid, SIGKILL) == 0);
    } else {
        sinceKill.start();
        m_engine.killDaemon(); // podman: removes the containers first, then SIGKILLs the API service
    }
    const int boundMs = (kDockTimeoutS + 10) * 1000;
    QVERIFY2(stopping->wait(boundMs), qPrintable(u"no answer %1 ms after the daemon was killed"_s.arg(sinceKill.elapsed())));
    const qint64 toError = sinceKill.elapsed();
    QVERIFY2(stopping->isAnswered(), qPrintable(stopping->error()));
    m_answered.append(id);
    const HttpResponse &r = stopping->response();
    qInfo("dockerd killed mid-request: answer after %lld ms: %s", toError, qPrintable(brief(r)));
    QVERIFY2(!succeeded(r), qPrintable(brief(r)));
    QVERIFY2(r.text().contains(u"Docker"_s), qPrintable(brief(r)));

    // The dead daemon: later calls fail fast and clearly; the local target is unaffected.
    qint64 deadMs = 0;
    const HttpResponse dead = call(u"docker-dead"_s, u"get_container_list"_s, { { u"target"_s, u"dock"_s } }, boundMs + 5000, &deadMs);
    qInfo("call to the dead daemon: %lld ms: %s", deadMs, qPrintable(brief(dead)));
    QVERIFY2(dead.status != 0 && !succeeded(dead), qPrintable(brief(dead)));
    QVERIFY2(deadMs < boundMs, qPrintable(QString::number(deadMs)));
    QVERIFY2(dead.text().contains(u"Connection refused on "_s + m_engine.socketPath()), qPrintable(brief(dead)));
    QVERIFY2(localWorks(&why), qPrintable(why));

    const ProcStats after = settle(m_gw.processId(), baseline, 1, 0);
    qInfo("dockerd killed: before %s; after %s", qPrintable(baseline.toString()), qPrintable(after.toString()));
    QVERIFY2(after.threads <= baseline.threads + 1, qPrintable(after.toString()));
    QVERIFY2(after.sockets <= baseline.sockets, qPrintable(after.toString()));
    const QStringList problems = auditProblems(m_gw.auditPath, m_answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestFaultsDocker)
#include "tst_faults_docker.moc"
