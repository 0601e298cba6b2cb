// A Docker target through the real tailops-gateway and a real Docker Engine API: the connectivity checks
// pass, then the daemon dies and the same check fails in bounded time with its cause and fix.
#include "dockerenginefixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using Tailops::Testing::DockerEngineFixture;

namespace {

std::pair<int, QJsonObject> testTarget(const QString &configDir)
{
    QProcess p;
    p.start(qEnvironmentVariable("TAILOPS_GATEWAY"), { QStringLiteral("targets"), QStringLiteral("test"), QStringLiteral("dock"),
                                                       QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("5"),
                                                       QStringLiteral("--config-dir"), configDir });
    p.waitForFinished(60000);
    const QJsonObject report = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("results")).toArray().at(0).toObject();
    return { p.exitCode(), report };
}

} // namespace

class TestDockerGateway final : public QObject
{
    Q_OBJECT

private:
    DockerEngineFixture m_engine;
    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        if (auto started = m_engine.start(); !started) {
            QSKIP(qPrintable(started.error().message));
        }
        QFile targets(m_config.filePath(QStringLiteral("targets.yaml")));
        QVERIFY(targets.open(QIODevice::WriteOnly));
        targets.write(QStringLiteral("targets:\n  dock:\n    type: docker\n    connection: {executor: docker, socket_path: \"%1\"}\n"
                                     "    capabilities: [container:read]\n")
                          .arg(m_engine.socketPath())
                          .toUtf8());
    }

    void containerToolsReadTheTruth()
    {
        const auto ran = m_engine.run(QStringLiteral("logger"), { QStringLiteral("sh"), QStringLiteral("-c"),
                                                                  QStringLiteral("echo line1; echo err1 >&2; echo line2") });
        QVERIFY2(ran.has_value(), ran ? "" : qPrintable(ran.error().message));
        QCOMPARE(m_engine.wait(QStringLiteral("logger")).value_or(-1), 0);

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), QStringLiteral("docker-e2e-secret-0123456789"));
        QProcess mint;
        mint.setProcessEnvironment(env);
        mint.start(qEnvironmentVariable("TAILOPS_GATEWAY"), { QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--agent"),
                                                              QStringLiteral("ops"), QStringLiteral("--scopes"), QStringLiteral("container:read") });
        QVERIFY(mint.waitForFinished(10000));
        env.insert(QStringLiteral("TAILOPS_TOKEN"), QString::fromLatin1(mint.readAllStandardOutput().trimmed()));
        env.insert(QStringLiteral("TAILOPS_AUDIT_LOG"), m_config.filePath(QStringLiteral("audit.jsonl")));
        const QByteArray input =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"get_container_list\",\"arguments\":{\"target\":\"dock\"}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"inspect_container\",\"arguments\":{\"target\":\"dock\",\"container\":\"logger\"}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"get_container_logs\",\"arguments\":{\"target\":\"dock\",\"container\":\"logger\",\"lines\":10}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"get_container_logs\",\"arguments\":{\"target\":\"dock\",\"container\":\"../../etc\"}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"get_container_logs\",\"arguments\":{\"target\":\"dock\",\"container\":\"nosuch\"}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"get_container_list\",\"arguments\":{\"target\":\"local\"}}}\n";
        QProcess gateway;
        gateway.setProcessEnvironment(env);
        gateway.start(qEnvironmentVariable("TAILOPS_GATEWAY"), { QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), m_config.path() });
        QVERIFY(gateway.waitForStarted(5000));
        gateway.write(input);
        gateway.closeWriteChannel();
        QVERIFY(gateway.waitForFinished(60000));
        QHash<int, QJsonObject> byId;
        for (const QByteArray &line : gateway.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (!o.isEmpty()) {
                byId.insert(o.value(QStringLiteral("id")).toInt(), o);
            }
        }
        const auto result = [&](int id) { return byId.value(id).value(QStringLiteral("result")).toObject(); };
        bool listed = false;
        for (const auto &c : result(2).value(QStringLiteral("structuredContent")).toObject().value(QStringLiteral("containers")).toArray()) {
            listed = listed || (c.toObject().value(QStringLiteral("name")).toString() == u"logger" && c.toObject().value(QStringLiteral("state")).toString() == u"exited");
        }
        QVERIFY2(listed, QJsonDocument(byId.value(2)).toJson().constData());
        const QJsonObject inspected = result(3).value(QStringLiteral("structuredContent")).toObject().value(QStringLiteral("container")).toObject();
        QCOMPARE(inspected.value(QStringLiteral("image")).toString(), m_engine.image());
        QCOMPARE(inspected.value(QStringLiteral("exit_code")).toInt(), 0);
        const QJsonObject logs = result(4).value(QStringLiteral("structuredContent")).toObject();
        QCOMPARE(logs.value(QStringLiteral("stdout")).toString(), QStringLiteral("line1\nline2\n"));
        QCOMPARE(logs.value(QStringLiteral("stderr")).toString(), QStringLiteral("err1\n"));
        QCOMPARE(byId.value(5).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), -32602); // refused before any request
        QVERIFY(result(6).value(QStringLiteral("isError")).toBool());
        QVERIFY(result(6).value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("No such container")));
        QVERIFY(result(7).value(QStringLiteral("isError")).toBool()); // this registry has no "local" target
    }

    void reachableThenStopped()
    {
        auto [code, report] = testTarget(m_config.path());
        QCOMPARE(code, 0);
        QVERIFY(report.value(QStringLiteral("ok")).toBool());
        const QJsonArray checks = report.value(QStringLiteral("checks")).toArray();
        QCOMPARE(checks.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("docker-ping"));
        QVERIFY(checks.at(1).toObject().value(QStringLiteral("detail")).toString().contains(QStringLiteral("API 1.")));

        m_engine.killDaemon();
        QElapsedTimer t;
        t.start();
        std::tie(code, report) = testTarget(m_config.path());
        QVERIFY(t.elapsed() < 20000);
        QCOMPARE(code, 1);
        const QJsonObject failed = report.value(QStringLiteral("checks")).toArray().last().toObject();
        QVERIFY(!failed.value(QStringLiteral("ok")).toBool());
        QVERIFY2(!failed.value(QStringLiteral("fix")).toString().isEmpty(), QJsonDocument(report).toJson().constData());
        QVERIFY2(failed.value(QStringLiteral("fix")).toString().contains(QStringLiteral("docker")), QJsonDocument(report).toJson().constData());
    }
};

QTEST_GUILESS_MAIN(TestDockerGateway)
#include "tst_dockergateway.moc"
