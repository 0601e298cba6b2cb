// The container tools end to end: the real tailops-gateway, called through the official MCP SDK client
// (which validates every structuredContent against the tool's outputSchema), on a private Docker engine
// (tests/fixtures/docker) reached two ways: a docker target (Engine API) and an ssh target (the sshd
// fixture's user running the docker CLI with connection.docker_host). Ground truth comes from the engine's
// own CLI: the busybox containers' log lines, their inspected states before and after start/stop/restart,
// the imported image. Dry runs change nothing; read-only tokens see no mutating tool; a policy rule makes
// stop_container wait for a human; hostile container names are refused before anything runs.
#include "dockerenginefixture.h"
#include "gatewayprocess.h"
#include "sdkclient.h"
#include "sshdfixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using Tailops::Testing::DockerEngineFixture;
using Tailops::Testing::SshdFixture;

class TestContainerTools : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void readOnlyTokenSeesNoMutatingTool();
    void listAndInspect_data();
    void listAndInspect();
    void logs_data();
    void logs();
    void images_data();
    void images();
    void dryRunChangesNothing_data();
    void dryRunChangesNothing();
    void stopStartRestart_data();
    void stopStartRestart();
    void stopWaitsForApproval();
    void injectionCorpus_data();
    void injectionCorpus();
    void httpTargetRefused();

private:
    QString state(const QString &container) const;
    QString startedAt(const QString &container) const;
    QJsonObject call(const QString &tool, const QJsonObject &arguments, int timeoutMs = 60000);

    QTemporaryDir m_dir { QDir::tempPath() + u"/tct-XXXXXX"_s };
    DockerEngineFixture m_engine;
    SshdFixture m_sshd;
    GatewayProcess m_gw;
    SdkClient m_client;
    QByteArray m_admin;
    QByteArray m_readonly;
    QString m_dockerHost;
};

void TestContainerTools::initTestCase()
{
    if (const QString missing = DockerEngineFixture::notInstalledReason(); !missing.isEmpty()) {
        QSKIP(qPrintable(missing));
    }
    if (auto started = m_engine.start(); !started) {
        QSKIP(qPrintable(started.error().message));
    }
    if (auto started = m_sshd.start(); !started) {
        QSKIP(qPrintable(u"no sshd here: "_s + started.error().message));
    }
    // The sshd fixture's login user must reach the engine's socket: traversable directories up to it and
    // a socket anyone may connect to (the fixture's own temp dir, removed with it).
    const QString socket = m_engine.socketPath();
    QVERIFY(::chmod(QFile::encodeName(socket).constData(), 0666) == 0);
    for (QString dir = QFileInfo(socket).absolutePath(); dir != u"/"_s && !dir.isEmpty(); dir = QFileInfo(dir).absolutePath()) {
        struct stat st {};
        QVERIFY(::stat(QFile::encodeName(dir).constData(), &st) == 0);
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), (st.st_mode & 07777) | 0011) == 0);
    }
    m_dockerHost = u"unix://"_s + socket;

    // Ground truth: one container that printed known lines and exited, one that runs until stopped
    // (sh as PID 1 exits on SIGTERM thanks to the trap, so stops are quick).
    QVERIFY(m_engine.run(u"printer"_s, { u"sh"_s, u"-c"_s, u"echo line1; echo line2; echo err1 >&2"_s }));
    QVERIFY(m_engine.wait(u"printer"_s));
    QVERIFY(m_engine.run(u"svc"_s, { u"sh"_s, u"-c"_s, u"trap 'exit 0' TERM; while :; do sleep 1; done"_s }));
    QTRY_COMPARE_WITH_TIMEOUT(state(u"svc"_s), u"running"_s, 15000);

    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, QStringLiteral("auth:\n"
        "  mode: token\n"
        "ssh:\n"
        "  known_hosts: %1\n"
        "limits:\n"
        "  observe: {rate: 1000/s, burst: 1000}\n"
        "  control: {rate: 1000/s, burst: 1000}\n"
        "  admin: {rate: 1000/s, burst: 1000}\n"
        "approvals:\n"
        "  timeout: 60s\n"
        "admin:\n"
        "  socket: %2/admin.sock\n").arg(m_sshd.knownHostsFile(), d).toUtf8()));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, QStringLiteral("version: \"1.0\"\n"
        "targets:\n"
        "  dock:\n"
        "    type: docker\n"
        "    connection: {socket_path: \"%1\"}\n"
        "    capabilities: [container:read, container:write]\n"
        "    constraints: {timeout: 60, concurrency: 4}\n"
        "  guarded:\n"
        "    type: docker\n"
        "    connection: {socket_path: \"%1\"}\n"
        "    capabilities: [container:read, container:write]\n"
        "  box:\n"
        "    type: remote\n"
        "    connection: {host: 127.0.0.1, port: %2, username: %3, key_path: \"%4\", timeout: 10, docker_host: \"%5\"}\n"
        "    capabilities: [container:read, container:write]\n"
        "    constraints: {timeout: 60, concurrency: 4}\n"
        "  web:\n"
        "    type: http\n"
        "    connection: {url: \"http://127.0.0.1:9/\"}\n"
        "    capabilities: [container:read, container:write]\n")
                                                        .arg(socket)
                                                        .arg(m_sshd.port())
                                                        .arg(m_sshd.userName(), m_sshd.clientKeyPath(), m_dockerHost)
                                                        .toUtf8()));
    QVERIFY(writeFile(d + u"/policy.yaml"_s, "version: \"1\"\n"
        "default: allow\n"
        "rules:\n"
        "  - name: guarded-stop\n"
        "    effect: require_approval\n"
        "    tools: [stop_container]\n"
        "    targets: [guarded]\n"));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"container-tools-secret-0123456789abcdef"_s;
    m_gw.auditPath = d + u"/audit.jsonl"_s;
    QVERIFY2(m_gw.start(), qPrintable(m_gw.errorString()));
    m_admin = mintToken(m_gw, { u"admin"_s });
    m_readonly = mintToken(m_gw, { u"readonly"_s });
    QVERIFY(!m_admin.isEmpty() && !m_readonly.isEmpty());
    QVERIFY2(m_client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_admin), qPrintable(m_client.errorString()));
}

void TestContainerTools::cleanupTestCase()
{
    m_client.stop();
    m_gw.stop();
    m_sshd.stop();
    m_engine.stop();
}

QString TestContainerTools::state(const QString &container) const
{
    const auto out = m_engine.cli({ u"inspect"_s, u"--format"_s, u"{{.State.Status}}"_s, container });
    return out ? *out : u"error: "_s + out.error().message;
}

QString TestContainerTools::startedAt(const QString &container) const
{
    const auto out = m_engine.cli({ u"inspect"_s, u"--format"_s, u"{{.State.StartedAt}}"_s, container });
    return out ? *out : QString();
}

QJsonObject TestContainerTools::call(const QString &tool, const QJsonObject &arguments, int timeoutMs)
{
    return m_client.call(tool, arguments, timeoutMs);
}

static void targets()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("backend");
    QTest::newRow("docker target (Engine API)") << u"dock"_s << u"engine-api"_s;
    QTest::newRow("ssh target (docker CLI)") << u"box"_s << u"docker-cli"_s;
}

void TestContainerTools::readOnlyTokenSeesNoMutatingTool()
{
    SdkClient ro;
    QVERIFY2(ro.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_readonly), qPrintable(ro.errorString()));
    QStringList names;
    for (const QJsonValue &t : ro.listTools()) {
        names.append(t.toObject().value(u"name"_s).toString());
    }
    for (const QString &read : { u"get_container_list"_s, u"inspect_container"_s, u"get_container_logs"_s, u"list_docker_images"_s }) {
        QVERIFY2(names.contains(read), qPrintable(names.join(u',')));
    }
    for (const QString &write : { u"start_container"_s, u"stop_container"_s, u"restart_container"_s, u"manage_container"_s }) {
        QVERIFY2(!names.contains(write), qPrintable(write));
        QJsonObject args { { u"target"_s, u"dock"_s }, { u"container"_s, u"svc"_s } };
        if (write == u"manage_container") {
            args.insert(u"action"_s, u"stop"_s);
        }
        const QJsonObject answer = ro.call(write, args);
        QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
        QVERIFY2(SdkClient::text(answer).contains(u"container:write"_s), qPrintable(SdkClient::text(answer)));
    }
    QCOMPARE(state(u"svc"_s), u"running"_s);

    // The full token sees them, with truthful annotations and the control tier's scope.
    const QJsonArray all = m_client.listTools();
    int found = 0;
    for (const QJsonValue &v : all) {
        const QJsonObject t = v.toObject();
        const QString name = t.value(u"name"_s).toString();
        if (name == u"start_container" || name == u"stop_container" || name == u"restart_container") {
            ++found;
            QCOMPARE(t.value(u"annotations"_s).toObject().value(u"readOnlyHint"_s).toBool(), false);
            QVERIFY(t.value(u"inputSchema"_s).toObject().value(u"properties"_s).toObject().contains(u"dry_run"_s));
        }
    }
    QCOMPARE(found, 3);
}

void TestContainerTools::listAndInspect_data()
{
    targets();
}

void TestContainerTools::listAndInspect()
{
    QFETCH(QString, target);
    QFETCH(QString, backend);
    const QJsonObject list = call(u"get_container_list"_s, { { u"target"_s, target } });
    QVERIFY2(!SdkClient::isToolError(list) && !list.contains(u"error"_s), qPrintable(SdkClient::text(list)));
    const QJsonObject s = SdkClient::structured(list);
    QCOMPARE(s.value(u"backend"_s).toString(), backend);
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &v : s.value(u"containers"_s).toArray()) {
        byName.insert(v.toObject().value(u"name"_s).toString(), v.toObject());
    }
    QVERIFY2(byName.contains(u"printer"_s) && byName.contains(u"svc"_s), QJsonDocument(s).toJson().constData());
    QCOMPARE(byName.value(u"printer"_s).value(u"state"_s).toString(), state(u"printer"_s));
    QCOMPARE(byName.value(u"svc"_s).value(u"state"_s).toString(), state(u"svc"_s));
    QCOMPARE(byName.value(u"svc"_s).value(u"image"_s).toString(), m_engine.image());
    const auto id = m_engine.cli({ u"inspect"_s, u"--format"_s, u"{{.Id}}"_s, u"svc"_s });
    QVERIFY(id);
    QCOMPARE(byName.value(u"svc"_s).value(u"id"_s).toString(), id->left(12));

    const QJsonObject inspected = call(u"inspect_container"_s, { { u"target"_s, target }, { u"container"_s, u"printer"_s } });
    QVERIFY2(!SdkClient::isToolError(inspected) && !inspected.contains(u"error"_s), qPrintable(SdkClient::text(inspected)));
    const QJsonObject c = SdkClient::structured(inspected).value(u"container"_s).toObject();
    QCOMPARE(c.value(u"name"_s).toString(), u"printer"_s);
    QCOMPARE(c.value(u"image"_s).toString(), m_engine.image());
    QCOMPARE(c.value(u"state"_s).toString(), u"exited"_s);
    QCOMPARE(c.value(u"exit_code"_s).toInt(), 0);
    QCOMPARE(c.value(u"started_at"_s).toString(), startedAt(u"printer"_s));

    const QJsonObject missing = call(u"inspect_container"_s, { { u"target"_s, target }, { u"container"_s, u"nosuch"_s } });
    QVERIFY(SdkClient::isToolError(missing));
    QVERIFY2(SdkClient::text(missing).contains(u"No such container"_s, Qt::CaseInsensitive), qPrintable(SdkClient::text(missing)));
}

void TestContainerTools::logs_data()
{
    targets();
}

void TestContainerTools::logs()
{
    QFETCH(QString, target);
    QFETCH(QString, backend);
    const QJsonObject answer = call(u"get_container_logs"_s, { { u"target"_s, target }, { u"container"_s, u"printer"_s } });
    QVERIFY2(!SdkClient::isToolError(answer) && !answer.contains(u"error"_s), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    QCOMPARE(s.value(u"backend"_s).toString(), backend);
    QCOMPARE(s.value(u"stdout"_s).toString(), u"line1\nline2\n"_s);
    QCOMPARE(s.value(u"stderr"_s).toString(), u"err1\n"_s);
    QCOMPARE(s.value(u"truncated"_s).toBool(), false);
    const QString text = SdkClient::text(answer);
    QVERIFY2(text.contains(u"<<<untrusted stdout of container printer>>>\nline1\nline2\n"_s), qPrintable(text));
    QVERIFY2(text.contains(u"<<<untrusted stderr of container printer>>>\nerr1\n"_s), qPrintable(text));

    const QJsonObject tail = call(u"get_container_logs"_s, { { u"target"_s, target }, { u"container"_s, u"printer"_s }, { u"lines"_s, 1 } });
    const QJsonObject t = SdkClient::structured(tail);
    QVERIFY2(t.value(u"stdout"_s).toString().count(u'\n') + t.value(u"stderr"_s).toString().count(u'\n') == 1,
             QJsonDocument(t).toJson().constData());
    // Lines from the future: none.
    const QJsonObject none = call(u"get_container_logs"_s, { { u"target"_s, target }, { u"container"_s, u"printer"_s }, { u"since"_s, u"1s"_s } });
    QVERIFY2(!SdkClient::isToolError(none), qPrintable(SdkClient::text(none)));
    QCOMPARE(SdkClient::structured(none).value(u"stdout"_s).toString(), QString());
}

void TestContainerTools::images_data()
{
    targets();
}

void TestContainerTools::images()
{
    QFETCH(QString, target);
    QFETCH(QString, backend);
    const QJsonObject answer = call(u"list_docker_images"_s, { { u"target"_s, target } });
    QVERIFY2(!SdkClient::isToolError(answer) && !answer.contains(u"error"_s), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    QCOMPARE(s.value(u"backend"_s).toString(), backend);
    const auto imageId = m_engine.cli({ u"image"_s, u"inspect"_s, u"--format"_s, u"{{.Id}}"_s, m_engine.image() });
    QVERIFY(imageId);
    bool found = false;
    for (const QJsonValue &v : s.value(u"images"_s).toArray()) {
        const QJsonObject i = v.toObject();
        if (i.value(u"repo_tags"_s).toArray().contains(m_engine.image())) {
            found = true;
            QCOMPARE(i.value(u"id"_s).toString(), QString(*imageId).remove(u"sha256:"_s).left(12));
        }
    }
    QVERIFY2(found, QJsonDocument(s).toJson().constData());
}

void TestContainerTools::dryRunChangesNothing_data()
{
    targets();
}

void TestContainerTools::dryRunChangesNothing()
{
    QFETCH(QString, target);
    QFETCH(QString, backend);
    QCOMPARE(state(u"svc"_s), u"running"_s);
    const QString started = startedAt(u"svc"_s);
    for (const QString &tool : { u"stop_container"_s, u"restart_container"_s }) {
        const QJsonObject answer = call(tool, { { u"target"_s, target }, { u"container"_s, u"svc"_s }, { u"dry_run"_s, true }, { u"timeout"_s, 10 } });
        QVERIFY2(!SdkClient::isToolError(answer) && !answer.contains(u"error"_s), qPrintable(SdkClient::text(answer)));
        const QJsonObject s = SdkClient::structured(answer);
        QCOMPARE(s.value(u"dry_run"_s).toBool(), true);
        QCOMPARE(s.value(u"changed"_s).toBool(), false);
        QCOMPARE(s.value(u"state_before"_s).toString(), u"running"_s);
        const QString verb = tool.section(u'_', 0, 0);
        if (backend == u"engine-api") {
            QCOMPARE(s.value(u"request"_s).toString(), u"POST /v1.41/containers/svc/%1?t=10"_s.arg(verb));
            QVERIFY(s.value(u"would_run"_s).toArray().isEmpty());
            QVERIFY2(SdkClient::text(answer).contains(u"POST /v1.41/containers/svc/%1?t=10"_s.arg(verb)), qPrintable(SdkClient::text(answer)));
        } else {
            const QJsonArray argv { u"docker"_s, u"-H"_s, m_dockerHost, verb, u"-t"_s, u"10"_s, u"--"_s, u"svc"_s };
            QCOMPARE(s.value(u"would_run"_s).toArray(), QJsonArray { argv });
        }
    }
    const QJsonObject start = call(u"start_container"_s, { { u"target"_s, target }, { u"container"_s, u"printer"_s }, { u"dry_run"_s, true } });
    QVERIFY2(!SdkClient::isToolError(start), qPrintable(SdkClient::text(start)));
    QCOMPARE(SdkClient::structured(start).value(u"state_before"_s).toString(), u"exited"_s);
    const QJsonObject manage = call(u"manage_container"_s, { { u"target"_s, target }, { u"container"_s, u"svc"_s },
                                                             { u"action"_s, u"stop"_s }, { u"dry_run"_s, true } });
    QVERIFY2(!SdkClient::isToolError(manage) && !manage.contains(u"error"_s), qPrintable(SdkClient::text(manage)));
    QCOMPARE(SdkClient::structured(manage).value(u"dry_run"_s).toBool(), true);
    // Nothing changed.
    QCOMPARE(state(u"svc"_s), u"running"_s);
    QCOMPARE(startedAt(u"svc"_s), started);
    QCOMPARE(state(u"printer"_s), u"exited"_s);
}

void TestContainerTools::stopStartRestart_data()
{
    targets();
}

void TestContainerTools::stopStartRestart()
{
    QFETCH(QString, target);
    QCOMPARE(state(u"svc"_s), u"running"_s);
    QJsonObject r = call(u"stop_container"_s, { { u"target"_s, target }, { u"container"_s, u"svc"_s }, { u"timeout"_s, 5 } });
    QVERIFY2(!SdkClient::isToolError(r) && !r.contains(u"error"_s), qPrintable(SdkClient::text(r)));
    QCOMPARE(state(u"svc"_s), u"exited"_s);
    QCOMPARE(SdkClient::structured(r).value(u"changed"_s).toBool(), true);
    QCOMPARE(SdkClient::structured(r).value(u"state_before"_s).toString(), u"running"_s);
    QCOMPARE(SdkClient::structured(r).value(u"state_after"_s).toString(), u"exited"_s);

    r = call(u"stop_container"_s, { { u"target"_s, target }, { u"container"_s, u"svc"_s } });
    QVERIFY2(!SdkClient::isToolError(r), qPrintable(SdkClient::text(r)));
    QCOMPARE(SdkClient::structured(r).value(u"changed"_s).toBool(), false);
    QCOMPARE(SdkClient::structured(r).value(u"note"_s).toString(), u"container already stopped"_s);

    r = call(u"start_container"_s, { { u"target"_s, target }, { u"container"_s, u"svc"_s } });
    QVERIFY2(!SdkClient::isToolError(r) && !r.contains(u"error"_s), qPrintable(SdkClient::text(r)));
    QCOMPARE(state(u"svc"_s), u"running"_s);
    QCOMPARE(SdkClient::structured(r).value(u"state_after"_s).toString(), u"running"_s);

    const QString before = startedAt(u"svc"_s);
    QTest::qWait(1100); // StartedAt has nanoseconds, but make the difference obvious
    r = call(u"restart_container"_s, { { u"target"_s, target }, { u"container"_s, u"svc"_s }, { u"timeout"_s, 5 } });
    QVERIFY2(!SdkClient::isToolError(r) && !r.contains(u"error"_s), qPrintable(SdkClient::text(r)));
    QCOMPARE(state(u"svc"_s), u"running"_s);
    QVERIFY2(startedAt(u"svc"_s) != before, qPrintable(before));
    QCOMPARE(SdkClient::structured(r).value(u"changed"_s).toBool(), true);
}

void TestContainerTools::stopWaitsForApproval()
{
    QCOMPARE(state(u"svc"_s), u"running"_s);
    const int id = m_client.callAsync(u"stop_container"_s, { { u"target"_s, u"guarded"_s }, { u"container"_s, u"svc"_s }, { u"timeout"_s, 5 } });
    const QJsonObject pending = waitForApproval(m_gw);
    QVERIFY2(!pending.isEmpty(), m_gw.log().right(2000).constData());
    QCOMPARE(pending.value(u"tool"_s).toString(), u"stop_container"_s);
    QTest::qWait(500);
    QCOMPARE(state(u"svc"_s), u"running"_s); // nothing ran while waiting
    const auto [code, out] = m_gw.cli({ u"approvals"_s, u"approve"_s, pending.value(u"id"_s).toString() });
    QVERIFY2(code == 0, out.constData());
    const QJsonObject done = m_client.wait(id, 60000);
    QVERIFY2(!SdkClient::isToolError(done) && !done.contains(u"error"_s), qPrintable(SdkClient::text(done)));
    QCOMPARE(state(u"svc"_s), u"exited"_s);
    // Started again for the tests that follow; the unguarded target needs no approval.
    const QJsonObject start = call(u"start_container"_s, { { u"target"_s, u"dock"_s }, { u"container"_s, u"svc"_s } });
    QVERIFY2(!SdkClient::isToolError(start), qPrintable(SdkClient::text(start)));
    QCOMPARE(state(u"svc"_s), u"running"_s);
}

void TestContainerTools::injectionCorpus_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("container");
    const QList<std::pair<const char *, QString>> names {
        { "semicolon", u"svc; rm -rf /"_s },
        { "substitution", u"$(id)"_s },
        { "backticks", u"`id`"_s },
        { "option", u"--output=/x"_s },
        { "short option", u"-a"_s },
        { "traversal", u"../../etc/shadow"_s },
        { "absolute", u"/etc/shadow"_s },
        { "nul", QString(u"svc"_s + QChar(0) + u"x"_s) },
        { "newline", u"svc\nrm -rf /"_s },
        { "space", u"svc other"_s },
        { "query", u"svc/stop?t=0"_s },
        { "megabyte", QString(1024 * 1024 - 1024, u'a') }, // just under the HTTP request limit: the gate sees it
        { "empty", QString() },
    };
    for (const QString &target : { u"dock"_s, u"box"_s }) {
        for (const QString &tool : { u"stop_container"_s, u"restart_container"_s, u"start_container"_s, u"inspect_container"_s,
                                     u"get_container_logs"_s, u"manage_container"_s }) {
            for (const auto &[label, name] : names) {
                QTest::addRow("%s %s %s", qPrintable(target), qPrintable(tool), label) << target << tool << name;
            }
        }
    }
}

void TestContainerTools::injectionCorpus()
{
    QFETCH(QString, target);
    QFETCH(QString, tool);
    QFETCH(QString, container);
    QJsonObject args { { u"target"_s, target }, { u"container"_s, container } };
    if (tool == u"manage_container") {
        args.insert(u"action"_s, u"stop"_s);
    }
    const QJsonObject answer = call(tool, args);
    QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer), QJsonDocument(answer).toJson().left(400).constData());
    const QString text = SdkClient::text(answer);
    // Refused by the schema or argument hygiene, naming the argument; never by docker.
    QVERIFY2(text.contains(u"container"_s) || text.contains(u"argument"_s), qPrintable(text.left(300)));
    QVERIFY2(!text.contains(u"docker"_s, Qt::CaseInsensitive) && !text.contains(u"No such"_s), qPrintable(text.left(300)));
    QVERIFY(!text.contains(u"uid="_s));
}

void TestContainerTools::httpTargetRefused()
{
    const QJsonObject answer = call(u"get_container_list"_s, { { u"target"_s, u"web"_s } });
    QVERIFY(SdkClient::isToolError(answer));
    QVERIFY2(SdkClient::text(answer).contains(u"'web' is a http target"_s), qPrintable(SdkClient::text(answer)));
    // After the whole corpus, the containers are as they were.
    QCOMPARE(state(u"svc"_s), u"running"_s);
    QCOMPARE(state(u"printer"_s), u"exited"_s);
    QVERIFY(QFileInfo::exists(u"/etc/shadow"_s));
}

QTEST_GUILESS_MAIN(TestContainerTools)
#include "tst_containertools.moc"
