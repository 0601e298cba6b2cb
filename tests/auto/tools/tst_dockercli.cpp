// The docker CLI side of the container tools without a daemon: the exact argv arrays (one argument per
// element, "--" before every container reference, the Go template as one argument), the since
// conversion, the parsers of the CLI's JSON lines, the shared summaries of API and CLI answers, the dry-run
// request line of the Engine API client, and connection.docker_host in targets.yaml.
#include "exec/docker/dockercli.h"
#include "exec/docker/dockerclient.h"
#include "registry/targetsloader.h"

#include <QJsonDocument>
#include <QTest>

using namespace Tailops;
using namespace Tailops::Exec;
using namespace Qt::StringLiterals;

class TestDockerCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void argv()
    {
        const QString h = u"unix:///run/user/1000/docker.sock"_s;
        QCOMPARE(DockerCli::psArgv({}, true),
                 (QStringList { u"docker"_s, u"ps"_s, u"-a"_s, u"--no-trunc"_s, u"--format"_s, u"{{json .}}"_s }));
        QCOMPARE(DockerCli::psArgv(h, false),
                 (QStringList { u"docker"_s, u"-H"_s, h, u"ps"_s, u"--no-trunc"_s, u"--format"_s, u"{{json .}}"_s }));
        QCOMPARE(DockerCli::inspectArgv(h, u"web"_s),
                 (QStringList { u"docker"_s, u"-H"_s, h, u"inspect"_s, u"--type"_s, u"container"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::logsArgv({}, u"web"_s, 50, u"600s"_s),
                 (QStringList { u"docker"_s, u"logs"_s, u"--tail"_s, u"50"_s, u"--since"_s, u"600s"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::logsArgv({}, u"web"_s, -1, {}),
                 (QStringList { u"docker"_s, u"logs"_s, u"--tail"_s, u"all"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::actionArgv({}, u"stop"_s, u"web"_s, 10),
                 (QStringList { u"docker"_s, u"stop"_s, u"-t"_s, u"10"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::actionArgv({}, u"restart"_s, u"web"_s, -1), (QStringList { u"docker"_s, u"restart"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::actionArgv(h, u"start"_s, u"web"_s, 5), (QStringList { u"docker"_s, u"-H"_s, h, u"start"_s, u"--"_s, u"web"_s }));
        QCOMPARE(DockerCli::imagesArgv({}),
                 (QStringList { u"docker"_s, u"images"_s, u"--no-trunc"_s, u"--format"_s, u"{{json .}}"_s }));
    }

    void since()
    {
        const qint64 now = 1'700'000'000'000;
        QCOMPARE(*DockerCli::sinceArgument(u"10m"_s, now), u"600s"_s);
        QCOMPARE(*DockerCli::sinceArgument(u"1h30m"_s, now), u"5400s"_s);
        QCOMPARE(*DockerCli::sinceArgument(u"2d"_s, now), u"172800s"_s); // Go durations have no days
        QCOMPARE(*DockerCli::sinceArgument(u"1500ms"_s, now), u"1500ms"_s);
        QCOMPARE(*DockerCli::sinceArgument(u"1700000000.5"_s, now), u"1700000000.5"_s);
        QCOMPARE(*DockerCli::sinceArgument(u"2024-05-01T12:00:00Z"_s, now), u"1714564800"_s);
        QVERIFY(DockerCli::sinceArgument(QString(), now)->isEmpty());
        QVERIFY(!DockerCli::sinceArgument(u"yesterday; id"_s, now));
        QVERIFY(!DockerCli::sinceArgument(u"--help"_s, now));
    }

    void jsonLines()
    {
        // docker ps --no-trunc --format '{{json .}}' (CLI 20.10 and 28)
        const QByteArray ps =
            "{\"Command\":\"\\\"sh -c 'echo hi'\\\"\",\"CreatedAt\":\"2024-05-01 12:00:00 +0000 UTC\",\"ID\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"Image\":\"tailops-test/busybox:1\",\"Labels\":\"\",\"LocalVolumes\":\"0\",\"Mounts\":\"\",\"Names\":\"web\",\"Networks\":\"none\",\"Ports\":\"\",\"RunningFor\":\"2 minutes ago\",\"Size\":\"0B\",\"State\":\"running\",\"Status\":\"Up 2 minutes\"}"
            "\n"
            "{\"ID\":\"fedcba9876543210\",\"Image\":\"busybox\",\"Names\":\"old,alias\",\"Status\":\"Exited (0) 3 hours ago\"}"
            "\n\n";
        const auto lines = DockerCli::parseJsonLines(ps);
        QVERIFY(lines);
        QCOMPARE(lines->size(), 2);
        const QJsonObject web = ContainerJson::fromCliListItem(lines->at(0).toObject());
        QCOMPARE(web.value(u"id"_s).toString(), u"0123456789ab"_s);
        QCOMPARE(web.value(u"name"_s).toString(), u"web"_s);
        QCOMPARE(web.value(u"state"_s).toString(), u"running"_s);
        QCOMPARE(web.value(u"status"_s).toString(), u"Up 2 minutes"_s);
        const QJsonObject old = ContainerJson::fromCliListItem(lines->at(1).toObject());
        QCOMPARE(old.value(u"name"_s).toString(), u"old"_s);
        QCOMPARE(old.value(u"state"_s).toString(), u"exited"_s); // no State field: read from Status

        QVERIFY(!DockerCli::parseJsonLines("{\"a\":1}\nnot json\n"));
        QVERIFY(DockerCli::parseJsonLines("")->isEmpty());
    }

    void inspect()
    {
        const QByteArray out = "[{\"Id\":\"0123456789abcdef0123\",\"Name\":\"/web\",\"RestartCount\":2,\"Created\":\"2024-05-01T12:00:00Z\",\n"
            "            \"State\":{\"Status\":\"exited\",\"ExitCode\":3,\"Pid\":0,\"StartedAt\":\"a\",\"FinishedAt\":\"b\"},\n"
            "            \"Config\":{\"Image\":\"tailops-test/busybox:1\",\"Cmd\":[\"sh\",\"-c\",\"exit 3\"],\"Labels\":{\"k\":\"v\"}}}]";
        const auto info = DockerCli::parseInspect(out);
        QVERIFY(info);
        const QJsonObject s = ContainerJson::inspectSummary(*info);
        QCOMPARE(s.value(u"name"_s).toString(), u"web"_s);
        QCOMPARE(s.value(u"id"_s).toString(), u"0123456789ab"_s);
        QCOMPARE(s.value(u"state"_s).toString(), u"exited"_s);
        QCOMPARE(s.value(u"exit_code"_s).toInt(), 3);
        QCOMPARE(s.value(u"restart_count"_s).toInt(), 2);
        QCOMPARE(s.value(u"image"_s).toString(), u"tailops-test/busybox:1"_s);
        QVERIFY(!DockerCli::parseInspect("[]"));
        QVERIFY(!DockerCli::parseInspect("Error: No such container"));
    }

    void images()
    {
        const QByteArray cli =
            "{\"Containers\":\"N/A\",\"CreatedAt\":\"2024-05-01 14:00:00 +0200 CEST\",\"CreatedSince\":\"2 days ago\",\"Digest\":\"\\u003cnone\\u003e\",\"ID\":\"sha256:abcdef0123456789abcdef\",\"Repository\":\"tailops-test/busybox\",\"SharedSize\":\"N/A\",\"Size\":\"1.2MB\",\"Tag\":\"1\",\"UniqueSize\":\"N/A\",\"VirtualSize\":\"1.2MB\"}"
            "\n"
            "{\"ID\":\"sha256:99990000aaaabbbb\",\"Repository\":\"\\u003cnone\\u003e\",\"Tag\":\"\\u003cnone\\u003e\",\"CreatedAt\":\"x\",\"Size\":\"5MB\"}";
        const auto lines = DockerCli::parseJsonLines(cli);
        QVERIFY(lines);
        const QJsonObject a = ContainerJson::fromCliImage(lines->at(0).toObject());
        QCOMPARE(a.value(u"id"_s).toString(), u"abcdef012345"_s);
        QCOMPARE(a.value(u"repo_tags"_s).toArray(), QJsonArray { u"tailops-test/busybox:1"_s });
        QCOMPARE(a.value(u"created"_s).toString(), u"2024-05-01T12:00:00Z"_s);
        QCOMPARE(a.value(u"size"_s).toString(), u"1.2MB"_s);
        QVERIFY(ContainerJson::fromCliImage(lines->at(1).toObject()).value(u"repo_tags"_s).toArray().isEmpty());

        const QJsonObject api = ContainerJson::fromApiImage(QJsonDocument::fromJson(
            "{\"Id\":\"sha256:abcdef0123456789\",\"RepoTags\":[\"tailops-test/busybox:1\",\"<none>:<none>\"],\"Created\":1714564800,\"Size\":1234}").object());
        QCOMPARE(api.value(u"id"_s).toString(), u"abcdef012345"_s);
        QCOMPARE(api.value(u"repo_tags"_s).toArray(), QJsonArray { u"tailops-test/busybox:1"_s });
        QCOMPARE(api.value(u"created"_s).toString(), u"2024-05-01T12:00:00Z"_s);
        QCOMPARE(api.value(u"size_bytes"_s).toInteger(), 1234);
    }

    void apiRequestLine()
    {
        DockerClientOptions o;
        o.socketPath = u"/nonexistent.sock"_s;
        const DockerClient c(o);
        QCOMPARE(c.actionRequest(u"stop"_s, u"web"_s, 10), u"POST /v1.41/containers/web/stop?t=10"_s);
        QCOMPARE(c.actionRequest(u"restart"_s, u"/web"_s), u"POST /v1.41/containers/web/restart"_s);
        QCOMPARE(c.actionRequest(u"start"_s, u"web"_s, 10), u"POST /v1.41/containers/web/start"_s);
    }

    void dockerHostKey_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("host");  // expected Target::dockerHost when accepted
        QTest::addColumn<QString>("error"); // part of the error when refused
        const QByteArray ssh = "targets:\n  box:\n    type: remote\n    connection: {host: 10.0.0.1, username: ops, docker_host: ";
        QTest::newRow("unix") << QByteArray(ssh + "\"unix:///run/user/1000/docker.sock\"}\n") << u"unix:///run/user/1000/docker.sock"_s << QString();
        QTest::newRow("tcp") << QByteArray(ssh + "\"tcp://127.0.0.1:2375\"}\n") << u"tcp://127.0.0.1:2375"_s << QString();
        QTest::newRow("ssh") << QByteArray(ssh + "\"ssh://me@host\"}\n") << u"ssh://me@host"_s << QString();
        QTest::newRow("scheme") << QByteArray(ssh + "\"/run/docker.sock\"}\n") << QString()
                                << u"connection.docker_host '/run/docker.sock' must start with unix://, tcp:// or ssh://"_s;
        QTest::newRow("space") << QByteArray(ssh + "\"unix:///a b\"}\n") << QString() << u"is not a valid Docker endpoint"_s;
        QTest::newRow("empty path") << QByteArray(ssh + "\"unix://\"}\n") << QString() << u"is not a valid Docker endpoint"_s;
        QTest::newRow("docker target") << QByteArray("targets:\n  d:\n    type: docker\n    connection: {socket_path: /x.sock, docker_host: \"unix:///y\"}\n")
                                       << QString() << u"connection.docker_host is for ssh and local targets"_s;
    }
    void dockerHostKey()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, host);
        QFETCH(QString, error);
        Config::Diagnostics diags;
        const QList<Registry::Target> targets = Registry::parseTargets(yaml, u"targets.yaml"_s, diags);
        QStringList messages;
        for (const auto &d : std::as_const(diags)) {
            messages.append(d.toString());
        }
        if (error.isEmpty()) {
            QVERIFY2(!Config::hasErrors(diags), qPrintable(messages.join(u'\n')));
            QCOMPARE(targets.size(), 1);
            QCOMPARE(targets.at(0).dockerHost, host);
            QVERIFY(!Registry::targetToJson(targets.at(0)).contains(u"docker_host"_s));
        } else {
            QVERIFY(targets.isEmpty());
            QVERIFY2(messages.join(u'\n').contains(error), qPrintable(messages.join(u'\n')));
            QVERIFY2(messages.join(u'\n').startsWith(u"targets.yaml:"_s), qPrintable(messages.join(u'\n')));
        }
    }
};

QTEST_GUILESS_MAIN(TestDockerCli)
#include "tst_dockercli.moc"
