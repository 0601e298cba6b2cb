// An SSH target end to end through the real tailops-gateway and a real sshd on 127.0.0.1: connectivity
// test with cause and fix, host-key trust, then MCP tools running over the pooled session.
#include "sshdfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using Tailops::Testing::SshdFixture;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run gateway(const QStringList &args, const QByteArray &input = {}, const QProcessEnvironment &extra = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), QStringLiteral("ssh-e2e-secret-0123456789"));
    for (const QString &k : extra.keys()) {
        env.insert(k, extra.value(k));
    }
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("TAILOPS_GATEWAY"), args);
    p.waitForStarted(5000);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

} // namespace

class TestSshGateway final : public QObject
{
    Q_OBJECT

private:
    SshdFixture m_sshd;
    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        if (auto started = m_sshd.start(); !started) {
            QSKIP(qPrintable(QStringLiteral("no sshd here: %1").arg(started.error().message)));
        }
        QFile targets(m_config.filePath(QStringLiteral("targets.yaml")));
        QVERIFY(targets.open(QIODevice::WriteOnly));
        targets.write(QStringLiteral("targets:\n"
                                     "  web:\n"
                                     "    type: remote\n"
                                     "    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: \"%3\", timeout: 5}\n"
                                     "    capabilities: [system:read, network:read]\n"
                                     "    constraints: {timeout: 20, concurrency: 2}\n"
                                     "    metadata: {tags: [web]}\n")
                          .arg(m_sshd.port())
                          .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                          .toUtf8());
        targets.close();
        QFile config(m_config.filePath(QStringLiteral("gateway.yaml")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("ssh:\n  known_hosts: known_hosts\n"); // starts empty: the host key is unknown
    }

    void unknownKeyThenTrust()
    {
        const Run first = gateway({ QStringLiteral("targets"), QStringLiteral("test"), QStringLiteral("web"), QStringLiteral("--config-dir"), m_config.path() });
        QCOMPARE(first.exitCode, 1);
        QVERIFY2(first.out.contains(QStringLiteral("[ ok ] tcp")), qPrintable(first.out));
        QVERIFY2(first.out.contains(QStringLiteral("unknown host key")), qPrintable(first.out));
        QVERIFY(first.out.contains(m_sshd.hostKeyFingerprint()));
        QVERIFY(first.out.contains(QStringLiteral("tailops-gateway targets trust web")));

        const Run trust = gateway({ QStringLiteral("targets"), QStringLiteral("trust"), QStringLiteral("web"), QStringLiteral("--yes"),
                                    QStringLiteral("--config-dir"), m_config.path() });
        QCOMPARE(trust.exitCode, 0);
        QVERIFY2(trust.out.contains(QStringLiteral("recorded %1").arg(m_sshd.hostKeyFingerprint())), qPrintable(trust.out + trust.err));

        const Run json = gateway({ QStringLiteral("targets"), QStringLiteral("test"), QStringLiteral("web"), QStringLiteral("--json"),
                                   QStringLiteral("--config-dir"), m_config.path() });
        QCOMPARE(json.exitCode, 0);
        const QJsonObject report = QJsonDocument::fromJson(json.out.toUtf8()).object().value(QStringLiteral("results")).toArray().at(0).toObject();
        QVERIFY(report.value(QStringLiteral("ok")).toBool());
        QStringList names;
        for (const auto &c : report.value(QStringLiteral("checks")).toArray()) {
            names.append(c.toObject().value(QStringLiteral("name")).toString());
        }
        QCOMPARE(names, (QStringList { QStringLiteral("tcp"), QStringLiteral("host-key"), QStringLiteral("ssh-auth") }));
    }

    void toolsRunOverSsh()
    {
        const Run mint = gateway({ QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--agent"), QStringLiteral("ops"),
                                   QStringLiteral("--scopes"), QStringLiteral("admin") });
        QProcessEnvironment env;
        env.insert(QStringLiteral("TAILOPS_TOKEN"), mint.out.trimmed());
        env.insert(QStringLiteral("TAILOPS_AUDIT_LOG"), m_config.filePath(QStringLiteral("audit.jsonl")));
        const QByteArray input =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"get_system_status\",\"arguments\":{\"target\":\"web\"}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"test_connectivity\",\"arguments\":{\"targets\":[\"web\"]}}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"get_system_status\",\"arguments\":{\"target\":\"web\"}}}\n";
        const Run r = gateway({ QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), m_config.path() }, input, env);
        QCOMPARE(r.exitCode, 0);
        QHash<int, QJsonObject> byId;
        for (const QString &line : r.out.split(u'\n', Qt::SkipEmptyParts)) {
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
            byId.insert(o.value(QStringLiteral("id")).toInt(), o.value(QStringLiteral("result")).toObject());
        }
        for (int id : { 2, 4 }) {
            const QJsonObject status = byId.value(id).value(QStringLiteral("structuredContent")).toObject();
            QVERIFY2(!byId.value(id).value(QStringLiteral("isError")).toBool(), qPrintable(r.out + r.err));
            QCOMPARE(status.value(QStringLiteral("target")).toString(), QStringLiteral("web"));
            QCOMPARE(status.value(QStringLiteral("cpu_count")).toInt(), QThread::idealThreadCount()); // same machine
            QVERIFY(status.value(QStringLiteral("memory")).toObject().value(QStringLiteral("total_bytes")).toDouble() > 0);
            bool root = false;
            for (const auto &d : status.value(QStringLiteral("disks")).toArray()) {
                root = root || d.toObject().value(QStringLiteral("mount")).toString() == u"/";
            }
            QVERIFY(root);
        }
        const QJsonObject connectivity = byId.value(3).value(QStringLiteral("structuredContent")).toObject();
        QVERIFY(connectivity.value(QStringLiteral("results")).toArray().at(0).toObject().value(QStringLiteral("ok")).toBool());
    }
};

QTEST_GUILESS_MAIN(TestSshGateway)
#include "tst_sshgateway.moc"
