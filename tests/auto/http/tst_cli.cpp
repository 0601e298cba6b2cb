// tailops-gateway's command line and stdio transport, through the real binary (QProcess; each process is
// stopped by the test).
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString gateway()
{
    return qEnvironmentVariable("TAILOPS_GATEWAY");
}

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
        const QByteArray &input = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(gateway(), args);
    if (!p.waitForStarted(5000)) {
        return {};
    }
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
    }
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

void write(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

QProcessEnvironment envWithSecret()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), QStringLiteral("cli-test-secret-0123456789"));
    env.remove(QStringLiteral("TAILOPS_TOKEN"));
    return env;
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(gateway()), "TAILOPS_GATEWAY must name the tailops-gateway binary"); }

    void checkConfigReportsEveryProblem()
    {
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("targets.yaml")), "version: \"1\"\n"
                                                            "targets:\n"
                                                            "  good:\n"
                                                            "    type: local\n"
                                                            "  web:\n"
                                                            "    type: remote\n"
                                                            "    connection:\n"
                                                            "      executor: ssh\n"
                                                            "      port: 99999\n"
                                                            "  box:\n"
                                                            "    connection:\n"
                                                            "      executor: telepathy\n");
        const Run r = run({ QStringLiteral("check-config"), QStringLiteral("--config-dir"), dir.path() }, envWithSecret());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("targets.yaml:9:13: target 'web': connection.port must be between 1 and 65535")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("target 'web': an ssh target needs connection.host")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("targets.yaml:12:17: target 'box': unknown executor 'telepathy'")), qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("valid targets: good")));
        QVERIFY(r.out.contains(QStringLiteral("configuration has errors")));
    }

    void checkConfigAcceptsDefaults()
    {
        QTemporaryDir dir;
        const Run r = run({ QStringLiteral("check-config"), QStringLiteral("--config-dir"), dir.path() }, envWithSecret());
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("valid targets: local")));
        QVERIFY(r.out.contains(QStringLiteral("shared secret: OK")));
    }

    void serveRefusesBadGatewayYaml()
    {
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("gateway.yaml")), "listen: [\"127.0.0.1:0\"]\nhttp:\n  max_request_bytes: lots\n");
        const Run r = run({ QStringLiteral("serve"), QStringLiteral("--config-dir"), dir.path() }, envWithSecret());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("gateway.yaml:3:22: http.max_request_bytes must be a whole number")), qPrintable(r.err));
    }

    void serveNeedsASecret()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("TAILOPS_SHARED_SECRET"));
        env.remove(QStringLiteral("SYSTEMMANAGER_SHARED_SECRET"));
        const Run r = run({ QStringLiteral("serve"), QStringLiteral("--config-dir"), dir.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") }, env);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("no shared secret")));
    }

    void mintRefusesBadInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no agent") << QStringList { QStringLiteral("--scopes"), QStringLiteral("readonly") } << QStringLiteral("--agent NAME is required");
        QTest::newRow("unknown scope") << QStringList { QStringLiteral("--agent"), QStringLiteral("a"), QStringLiteral("--scopes"), QStringLiteral("system:read,root:all") }
                                       << QStringLiteral("unknown scope 'root:all'");
        QTest::newRow("bad ttl") << QStringList { QStringLiteral("--agent"), QStringLiteral("a"), QStringLiteral("--scopes"), QStringLiteral("readonly"), QStringLiteral("--ttl"), QStringLiteral("soon") }
                                 << QStringLiteral("is not a duration");
        QTest::newRow("ttl too long") << QStringList { QStringLiteral("--agent"), QStringLiteral("a"), QStringLiteral("--scopes"), QStringLiteral("readonly"), QStringLiteral("--ttl"), QStringLiteral("400d") }
                                      << QStringLiteral("exceeds the maximum");
    }

    void mintRefusesBadInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const Run r = run(QStringList { QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--config-dir"), dir.path() } + args, envWithSecret());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void mintPrintsOnlyTheToken()
    {
        QTemporaryDir dir;
        const Run r = run({ QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--config-dir"), dir.path(), QStringLiteral("--agent"),
                            QStringLiteral("claude"), QStringLiteral("--scopes"), QStringLiteral("system:read,network:read") },
                          envWithSecret());
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]+\\.[0-9a-f]{64}\\n$")).match(r.out).hasMatch());
    }

    void stdioSpeaksNewlineDelimitedJson()
    {
        QTemporaryDir dir;
        const QByteArray input = "this is not json\n"
                                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n"
                                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                                 "\n"
                                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"get_system_status\"}}\r\n"
                                 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}";
        const Run r = run({ QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), dir.path() }, envWithSecret(), input);
        QCOMPARE(r.exitCode, 0); // EOF ends the process cleanly, after the call in flight answered
        const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QHash<int, QJsonObject> byId;
        for (const QString &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
            QVERIFY2(!o.isEmpty(), qPrintable(line)); // stdout carries only JSON-RPC
            byId.insert(o.value(QStringLiteral("id")).isNull() ? 0 : o.value(QStringLiteral("id")).toInt(), o);
        }
        QCOMPARE(byId.value(0).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), -32700);
        QCOMPARE(byId.value(1).value(QStringLiteral("result")).toObject().value(QStringLiteral("protocolVersion")).toString(), QStringLiteral("2025-06-18"));
        QVERIFY(byId.value(2).value(QStringLiteral("result")).toObject().value(QStringLiteral("structuredContent")).toObject().contains(QStringLiteral("cpu_count")));
        QCOMPARE(byId.value(3).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), -32601);
        QVERIFY(r.err.contains(QStringLiteral("bad message on stdin")));
    }

    void stdioWithTokenGetsItsScopes()
    {
        QTemporaryDir dir;
        const Run mint = run({ QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--config-dir"), dir.path(), QStringLiteral("--agent"),
                               QStringLiteral("net-only"), QStringLiteral("--scopes"), QStringLiteral("network:read") },
                             envWithSecret());
        QProcessEnvironment env = envWithSecret();
        env.insert(QStringLiteral("TAILOPS_TOKEN"), mint.out.trimmed());
        const QByteArray input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n"
                                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n";
        const Run r = run({ QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), dir.path() }, env, input);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("\"name\":\"list_targets\"")));
        QVERIFY(r.out.contains(QStringLiteral("\"name\":\"get_network_status\"")));
        QVERIFY(!r.out.contains(QStringLiteral("\"name\":\"get_system_status\""))); // needs system:read, which the token lacks
        env.insert(QStringLiteral("TAILOPS_TOKEN"), QStringLiteral("forged.token"));
        const Run bad = run({ QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), dir.path() }, env, input);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("TAILOPS_TOKEN: invalid token signature")));
    }

    void stdioRateLimitIsAnMcpError()
    {
        // Over stdio there is no HTTP status: a refused call is the JSON-RPC error -32029 with data.retryAfter.
        QTemporaryDir dir;
        write(dir.path() + QStringLiteral("/gateway.yaml"),
              QByteArray("limits:\n  observe: {rate: 1/h, burst: 2}\nadmin:\n  socket: ") + dir.path().toUtf8() + "/a.sock\n");
        QByteArray input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n";
        for (int id = 2; id <= 4; ++id) {
            input += "{\"jsonrpc\":\"2.0\",\"id\":" + QByteArray::number(id)
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"list_targets\"}}\n";
        }
        const Run r = run({ QStringLiteral("serve"), QStringLiteral("--stdio"), QStringLiteral("--config-dir"), dir.path() },
                          envWithSecret(), input);
        QCOMPARE(r.exitCode, 0);
        QHash<int, QJsonObject> byId;
        for (const QString &line : r.out.split(u'\n', Qt::SkipEmptyParts)) {
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
            byId.insert(o.value(QStringLiteral("id")).toInt(), o);
        }
        QVERIFY(byId.value(2).contains(QStringLiteral("result")));
        QVERIFY(byId.value(3).contains(QStringLiteral("result")));
        const QJsonObject error = byId.value(4).value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("code")).toInt(), -32029);
        QVERIFY2(error.value(QStringLiteral("message")).toString().contains(QStringLiteral("Rate limit exceeded for observe-tier tools")),
                 qPrintable(r.out));
        QCOMPARE(error.value(QStringLiteral("data")).toObject().value(QStringLiteral("retryAfter")).toInt(), 3600);
    }

    void httpTargetsAreChecked()
    {
        QTemporaryDir serveDir;
        QProcess server;
        server.setProcessEnvironment(envWithSecret());
        server.start(gateway(), { QStringLiteral("serve"), QStringLiteral("--config-dir"), serveDir.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
        QVERIFY(server.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += server.readAllStandardError()).contains("listening on http://127.0.0.1:"), 5000);
        const QString port = QString::fromLatin1(err.mid(err.indexOf("127.0.0.1:") + 10).split('/').value(0));
        QTcpServer closed; // a port that is certainly not listening once this is closed
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 deadPort = closed.serverPort();
        closed.close();

        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("targets.yaml")),
              QStringLiteral("targets:\n"
                             "  api: {type: http, connection: {executor: http, url: \"http://127.0.0.1:%1/health\"}}\n"
                             "  missing: {type: http, connection: {executor: http, url: \"http://127.0.0.1:%1/nope\"}}\n"
                             "  down: {type: http, connection: {executor: http, url: \"http://127.0.0.1:%2/\"}}\n")
                  .arg(port)
                  .arg(deadPort)
                  .toUtf8());
        const Run r = run({ QStringLiteral("targets"), QStringLiteral("test"), QStringLiteral("--config-dir"), dir.path() }, envWithSecret());
        server.terminate();
        server.waitForFinished(5000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("api (http): OK")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("[ ok ] http: HTTP 200")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("[FAIL] http: HTTP 404")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("down (http): FAILED")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("cause: nothing listens on http://127.0.0.1:%1/").arg(deadPort)), qPrintable(r.out));
    }

    void serveStopsOnSigterm()
    {
        QTemporaryDir dir;
        QProcess p;
        p.setProcessEnvironment(envWithSecret());
        p.start(gateway(), { QStringLiteral("serve"), QStringLiteral("--config-dir"), dir.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("listening on http://127.0.0.1:"), 5000);
        p.terminate();
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
