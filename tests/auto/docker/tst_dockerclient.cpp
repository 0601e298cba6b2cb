// Exec::DockerClient against a real Docker Engine API: a private dockerd from Debian's docker.io (or podman's
// API service as a fallback) started by tests/fixtures/docker, with a busybox image imported from busybox-static.
// Skips when no engine is installed (TAILOPS_REQUIRE_DOCKER=1 turns that into a failure).

#include "dockerenginefixture.h"
#include "exec/docker/dockerclient.h"
#include "exec/executor.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using Tailops::Exec::DockerClient;
using Tailops::Exec::DockerClientOptions;
using Tailops::Exec::DockerTls;
using Tailops::Testing::DockerEngineFixture;

namespace {

const QString kLogs = u"tailops-logs"_s; // printed line1, err1 (stderr), then line2 half a second later
const QString kTty = u"tailops-tty"_s; // the same with a TTY
const QString kBig = u"tailops-big"_s; // seq 1 20000
const QString kSvc = u"tailops-svc"_s; // sleep 300, for start/stop/restart

bool hasName(const QJsonArray &containers, const QString &name)
{
    for (const QJsonValue &c : containers) {
        if (c.toObject().value(u"Names"_s).toArray().contains(QJsonValue(u'/' + name))) {
            return true;
        }
    }
    return false;
}

QJsonObject byName(const QJsonArray &containers, const QString &name)
{
    for (const QJsonValue &c : containers) {
        if (c.toObject().value(u"Names"_s).toArray().contains(QJsonValue(u'/' + name))) {
            return c.toObject();
        }
    }
    return {};
}

} // namespace

class TestDockerClient : public QObject
{
    Q_OBJECT

    std::unique_ptr<DockerEngineFixture> m_engine;
    std::unique_ptr<DockerClient> m_client;

    DockerClientOptions socketOptions() const
    {
        DockerClientOptions o;
        o.socketPath = m_engine->socketPath();
        o.connectTimeoutMs = 5000;
        o.timeoutMs = 15000;
        return o;
    }

    QJsonObject inspectState(const QString &name)
    {
        const auto r = m_client->inspectContainer(name);
        return r ? r->value(u"State"_s).toObject() : QJsonObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString missing = DockerEngineFixture::notInstalledReason();
        if (!missing.isEmpty()) {
            if (qEnvironmentVariableIntValue("TAILOPS_REQUIRE_DOCKER") != 0) {
                QFAIL(qPrintable(missing));
            }
            QSKIP(qPrintable(missing));
        }
        if (geteuid() != 0) {
            QSKIP("the Docker fixture starts its own dockerd and needs root");
        }
        DockerEngineFixture::Options options;
        options.tcpTls = true;
        m_engine = std::make_unique<DockerEngineFixture>(options);
        QElapsedTimer timer;
        timer.start();
        const auto started = m_engine->start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        qInfo("engine: %s on %s, started and image imported in %lld ms", qPrintable(m_engine->engineName()),
            qPrintable(m_engine->socketPath()), timer.elapsed());
        if (!m_engine->fallbackReason().isEmpty()) {
            qInfo("dockerd was not used: %s", qPrintable(m_engine->fallbackReason()));
        }

        const auto logs
            = m_engine->run(kLogs, { u"sh"_s, u"-c"_s, u"echo line1; echo err1 >&2; sleep 0.5; echo line2"_s },
                { u"--label"_s, u"tailops.test=logs"_s });
        QVERIFY2(logs, logs ? "" : qPrintable(logs.error().message));
        const auto tty = m_engine->run(kTty, { u"sh"_s, u"-c"_s, u"echo tty-out; echo tty-err >&2"_s }, { u"-t"_s });
        QVERIFY2(tty, tty ? "" : qPrintable(tty.error().message));
        const auto big = m_engine->run(kBig, { u"seq"_s, u"1"_s, u"20000"_s });
        QVERIFY2(big, big ? "" : qPrintable(big.error().message));
        const auto svc = m_engine->run(kSvc, { u"sleep"_s, u"300"_s });
        QVERIFY2(svc, svc ? "" : qPrintable(svc.error().message));
        for (const QString &name : { kLogs, kTty, kBig }) {
            const auto code = m_engine->wait(name);
            QVERIFY2(code, code ? "" : qPrintable(code.error().message));
            QCOMPARE(*code, 0);
        }
        m_client = std::make_unique<DockerClient>(socketOptions());
        qInfo("fixture ready after %lld ms", timer.elapsed());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        if (m_engine) {
            m_engine->stop();
        }
    }

    void ping()
    {
        const auto r = m_client->ping();
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QCOMPARE(*r, u"OK"_s);
    }

    void version()
    {
        const auto r = m_client->version();
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(!r->value(u"Version"_s).toString().isEmpty());
        QCOMPARE(r->value(u"Os"_s).toString(), u"linux"_s);
        QVERIFY(!r->value(u"Arch"_s).toString().isEmpty());
        const QString api = r->value(u"ApiVersion"_s).toString();
        QVERIFY2(api.startsWith(u"1."_s), qPrintable(api));
        qInfo("Version %s, ApiVersion %s", qPrintable(r->value(u"Version"_s).toString()), qPrintable(api));
    }

    void listContainers()
    {
        const auto running = m_client->listContainers(false);
        QVERIFY2(running, running ? "" : qPrintable(running.error().message));
        QVERIFY(hasName(*running, kSvc));
        QVERIFY(!hasName(*running, kLogs));

        const auto all = m_client->listContainers(true);
        QVERIFY2(all, all ? "" : qPrintable(all.error().message));
        for (const QString &name : { kLogs, kTty, kBig, kSvc }) {
            QVERIFY2(hasName(*all, name), qPrintable(name));
        }
        const QJsonObject logs = byName(*all, kLogs);
        QCOMPARE(logs.value(u"State"_s).toString(), u"exited"_s);
        QVERIFY2(logs.value(u"Status"_s).toString().startsWith(u"Exited (0)"_s),
            qPrintable(logs.value(u"Status"_s).toString()));
        QVERIFY(logs.value(u"Image"_s).toString().endsWith(m_engine->image()));
        QVERIFY(logs.value(u"Id"_s).toString().size() >= 12);
        QCOMPARE(logs.value(u"Labels"_s).toObject().value(u"tailops.test"_s).toString(), u"logs"_s);
        QCOMPARE(byName(*all, kSvc).value(u"State"_s).toString(), u"running"_s);
    }

    void inspect()
    {
        const auto byNameResult = m_client->inspectContainer(kLogs);
        QVERIFY2(byNameResult, byNameResult ? "" : qPrintable(byNameResult.error().message));
        QCOMPARE(byNameResult->value(u"Name"_s).toString(), u'/' + kLogs);
        const QJsonObject state = byNameResult->value(u"State"_s).toObject();
        QCOMPARE(state.value(u"Status"_s).toString(), u"exited"_s);
        QCOMPARE(state.value(u"ExitCode"_s).toInt(-1), 0);
        QCOMPARE(byNameResult->value(u"Config"_s).toObject().value(u"Tty"_s).toBool(true), false);

        // by short id, and by the name as listed ("/name")
        const QString id = byNameResult->value(u"Id"_s).toString();
        const auto byId = m_client->inspectContainer(id.left(12));
        QVERIFY2(byId, byId ? "" : qPrintable(byId.error().message));
        QCOMPARE(byId->value(u"Id"_s).toString(), id);
        const auto bySlashName = m_client->inspectContainer(u'/' + kLogs);
        QVERIFY(bySlashName);
        QCOMPARE(bySlashName->value(u"Id"_s).toString(), id);
    }

    void logsSeparateStreams()
    {
        const auto r = m_client->containerLogs(kLogs);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QCOMPARE(r->stdoutText, u"line1\nline2\n"_s);
        QCOMPARE(r->stderrText, u"err1\n"_s);
        QVERIFY(!r->tty);
        QVERIFY(!r->truncated);
        QVERIFY(!r->incomplete);
    }

    void logsTail()
    {
        const auto last = m_client->containerLogs(kLogs, 1);
        QVERIFY2(last, last ? "" : qPrintable(last.error().message));
        QCOMPARE(last->stdoutText, u"line2\n"_s);
        QCOMPARE(last->stderrText, QString());

        const auto none = m_client->containerLogs(kLogs, 0);
        QVERIFY(none);
        QCOMPARE(none->stdoutText, QString());
        QCOMPARE(none->stderrText, QString());
    }

    void logsSinceAndTimestamps()
    {
        const auto stamped = m_client->containerLogs(kLogs, -1, {}, true);
        QVERIFY2(stamped, stamped ? "" : qPrintable(stamped.error().message));
        const QStringList lines = stamped->stdoutText.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(1).endsWith(u" line2"_s), qPrintable(lines.at(1)));
        QVERIFY(stamped->stderrText.endsWith(u" err1\n"_s));
        const QString line2At = lines.at(1).section(u' ', 0, 0); // RFC 3339 with nanoseconds
        QVERIFY2(line2At.contains(u'T'), qPrintable(line2At));

        // since the exact time of line2 (nanoseconds kept): line2 only; line1 and err1 came 0.5 s earlier
        const auto fromLine2 = m_client->containerLogs(kLogs, -1, line2At);
        QVERIFY2(fromLine2, fromLine2 ? "" : qPrintable(fromLine2.error().message));
        QCOMPARE(fromLine2->stdoutText, u"line2\n"_s);
        QCOMPARE(fromLine2->stderrText, QString());

        const auto future = m_client->containerLogs(kLogs, -1, u"2100-01-01T00:00:00Z"_s);
        QVERIFY(future);
        QCOMPARE(future->stdoutText, QString());

        const auto lastHour = m_client->containerLogs(kLogs, -1, u"1h"_s);
        QVERIFY(lastHour);
        QCOMPARE(lastHour->stdoutText, u"line1\nline2\n"_s);

        const auto bad = m_client->containerLogs(kLogs, -1, u"last tuesday"_s);
        QVERIFY(!bad);
        QVERIFY(bad.error().message.startsWith(u"Invalid since value"_s));
    }

    void logsOfTtyContainer()
    {
        const auto r = m_client->containerLogs(kTty);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(r->tty);
        QCOMPARE(r->stdoutText, u"tty-out\r\ntty-err\r\n"_s); // one raw stream, as the terminal saw it
        QCOMPARE(r->stderrText, QString());
    }

    void logsOutputCap()
    {
        auto options = socketOptions();
        options.maxOutputBytes = 1000;
        DockerClient capped(options);
        const auto r = capped.containerLogs(kBig);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(r->truncated);
        const QString marker = QString::fromUtf8(Tailops::Exec::truncationMarker(1000));
        QVERIFY(r->stdoutText.startsWith(u"1\n2\n3\n"_s));
        QVERIFY(r->stdoutText.endsWith(marker));
        QCOMPARE(r->stdoutText.size(), 1000 + marker.size());

        const auto whole = m_client->containerLogs(kBig);
        QVERIFY(whole);
        QVERIFY(!whole->truncated);
        QVERIFY(whole->stdoutText.endsWith(u"\n19999\n20000\n"_s));
    }

    void stopStartRestart()
    {
        QCOMPARE(inspectState(kSvc).value(u"Running"_s).toBool(), true);

        const auto stopped = m_client->stopContainer(kSvc, 0);
        QVERIFY2(stopped, stopped ? "" : qPrintable(stopped.error().message));
        QVERIFY(stopped->changed);
        QCOMPARE(inspectState(kSvc).value(u"Running"_s).toBool(true), false);
        QCOMPARE(inspectState(kSvc).value(u"Status"_s).toString(), u"exited"_s);

        const auto again = m_client->stopContainer(kSvc, 0);
        QVERIFY2(again, again ? "" : qPrintable(again.error().message));
        QVERIFY(!again->changed);
        QCOMPARE(again->note, u"container already stopped"_s);

        const auto started = m_client->startContainer(kSvc);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        QVERIFY(started->changed);
        QCOMPARE(inspectState(kSvc).value(u"Running"_s).toBool(), true);

        const auto startedAgain = m_client->startContainer(kSvc);
        QVERIFY2(startedAgain, startedAgain ? "" : qPrintable(startedAgain.error().message));
        QVERIFY(!startedAgain->changed);
        QCOMPARE(startedAgain->note, u"container already started"_s);

        const QString startedAt = inspectState(kSvc).value(u"StartedAt"_s).toString();
        const auto restarted = m_client->restartContainer(kSvc, 0);
        QVERIFY2(restarted, restarted ? "" : qPrintable(restarted.error().message));
        QVERIFY(restarted->changed);
        const QJsonObject after = inspectState(kSvc);
        QCOMPARE(after.value(u"Running"_s).toBool(), true);
        QVERIFY(after.value(u"StartedAt"_s).toString() != startedAt);
    }

    void listImages()
    {
        const auto r = m_client->listImages();
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        bool found = false;
        for (const QJsonValue &image : *r) {
            for (const QJsonValue &tag : image.toObject().value(u"RepoTags"_s).toArray()) {
                found = found || tag.toString().endsWith(m_engine->image());
            }
        }
        QVERIFY2(found, "the imported busybox image is not listed");
    }

    void unknownContainer()
    {
        const auto inspected = m_client->inspectContainer(u"tailops-no-such-thing"_s);
        QVERIFY(!inspected);
        const QString message = inspected.error().message;
        QVERIFY2(message.contains(u"No such container"_s, Qt::CaseInsensitive), qPrintable(message));
        QVERIFY2(message.contains(u"tailops-no-such-thing"_s), qPrintable(message));
        QVERIFY2(message.endsWith(u"(HTTP 404)"_s), qPrintable(message));
        for (const auto &error : { m_client->containerLogs(u"tailops-no-such-thing"_s).error(),
                 m_client->startContainer(u"tailops-no-such-thing"_s).error(),
                 m_client->stopContainer(u"tailops-no-such-thing"_s, 0).error(),
                 m_client->restartContainer(u"tailops-no-such-thing"_s, 0).error() }) {
            QVERIFY2(error.message.contains(u"No such container"_s, Qt::CaseInsensitive), qPrintable(error.message));
        }
    }

    void invalidNames()
    {
        for (const QString &ref : { u"../x"_s, u"a b"_s, u"x/../../version"_s, u"x?all=1"_s, QString() }) {
            const auto r = m_client->inspectContainer(ref);
            QVERIFY(!r);
            QVERIFY2(r.error().message.startsWith(u"Invalid container name or id"_s), qPrintable(r.error().message));
        }
    }

    void tlsClientCertificate()
    {
        if (m_engine->tcpEndpoint().isEmpty()) {
            QSKIP("this engine has no TLS endpoint (podman's API service has none)");
        }
        DockerClientOptions options;
        options.endpoint = m_engine->tcpEndpoint();
        options.tls = DockerTls { m_engine->caFile(), m_engine->clientCertFile(), m_engine->clientKeyFile() };
        options.connectTimeoutMs = 5000;
        options.timeoutMs = 15000;
        DockerClient tls(options);
        QVERIFY(tls.describeEndpoint().startsWith(u"https://127.0.0.1:"_s));
        const auto pong = tls.ping();
        QVERIFY2(pong, pong ? "" : qPrintable(pong.error().message));
        const auto all = tls.listContainers(true);
        QVERIFY2(all, all ? "" : qPrintable(all.error().message));
        QVERIFY(hasName(*all, kLogs));
        const auto logs = tls.containerLogs(kLogs);
        QVERIFY2(logs, logs ? "" : qPrintable(logs.error().message));
        QCOMPARE(logs->stderrText, u"err1\n"_s);

        // https:// spelled out
        auto https = options;
        https.endpoint.replace(u"tcp://"_s, u"https://"_s);
        QVERIFY(DockerClient(https).ping());

        // no client certificate: the daemon refuses the handshake
        auto noCert = options;
        noCert.tls.certFile.clear();
        noCert.tls.keyFile.clear();
        const auto refused = DockerClient(noCert).ping();
        QVERIFY(!refused);
        qInfo("without a client certificate: %s", qPrintable(refused.error().message));
        QVERIFY2(refused.error().message.startsWith(u"TLS error with Docker at https://127.0.0.1:"_s),
            qPrintable(refused.error().message));

        // the server's certificate is not signed by a CA we trust
        auto untrusted = options;
        untrusted.tls.caFile = m_engine->clientCertFile();
        const auto unverified = DockerClient(untrusted).ping();
        QVERIFY(!unverified);
        QVERIFY2(unverified.error().message.startsWith(u"TLS error"_s), qPrintable(unverified.error().message));

        // plain HTTP to the TLS port: the daemon's own 400 answer
        auto plain = options;
        plain.tls = {};
        const auto http = DockerClient(plain).ping();
        QVERIFY(!http);
        QVERIFY2(http.error().message.endsWith(u"(HTTP 400)"_s), qPrintable(http.error().message));
    }

    void concurrentCalls()
    {
        // One client shared by worker threads.
        std::atomic_int failures { 0 };
        std::mutex mutex;
        QString firstError;
        std::vector<std::thread> threads;
        for (int t = 0; t < 6; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 5; ++i) {
                    const auto list = m_client->listContainers(true);
                    const auto logs = m_client->containerLogs(kLogs);
                    QString error;
                    if (!list || !hasName(*list, kLogs)) {
                        error = list ? u"container missing"_s : list.error().message;
                    } else if (!logs || logs->stdoutText != u"line1\nline2\n"_s) {
                        error = logs ? logs->stdoutText : logs.error().message;
                    }
                    if (!error.isEmpty()) {
                        ++failures;
                        const std::lock_guard lock(mutex);
                        firstError = firstError.isEmpty() ? error : firstError;
                    }
                }
            });
        }
        for (auto &thread : threads) {
            thread.join();
        }
        QVERIFY2(failures == 0, qPrintable(firstError));
    }

    // Last: the daemon is gone afterwards.
    void stoppedDaemon()
    {
        m_engine->killDaemon();
        QVERIFY(!m_engine->isRunning());
        QElapsedTimer timer;
        timer.start();
        const auto r = m_client->ping();
        QVERIFY(!r);
        qInfo("after the daemon died: %s", qPrintable(r.error().message));
        const QString message = r.error().message;
        QVERIFY2(message == u"Connection refused on "_s + m_engine->socketPath() + u" (is dockerd running?)"_s
                || message == u"Docker socket "_s + m_engine->socketPath() + u" not found (is dockerd running?)"_s,
            qPrintable(message));
        const auto list = m_client->listContainers(true);
        QVERIFY(!list);
        QCOMPARE(list.error().message, message);
        QVERIFY(timer.elapsed() < 2000);
    }
};

QTEST_GUILESS_MAIN(TestDockerClient)
#include "tst_dockerclient.moc"
