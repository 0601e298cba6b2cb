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
