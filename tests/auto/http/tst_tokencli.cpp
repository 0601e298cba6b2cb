// tailops-gateway token mint | list | revoke through the real binary ($TAILOPS_GATEWAY), each run with its own
// configuration directory and XDG_DATA_HOME (where the token registry lives by default).
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

class Home
{
public:
    Home()
    {
        QDir(m_dir.path()).mkpath(QStringLiteral("config"));
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), QStringLiteral("token-cli-test-secret-0123456789"));
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        m_env.remove(QStringLiteral("SYSTEMMANAGER_SHARED_SECRET"));
    }

    QString configDir() const { return m_dir.filePath(QStringLiteral("config")); }
    QString registryDir() const { return m_dir.filePath(QStringLiteral("data/tailops")); }
    QString registry() const { return m_dir.filePath(QStringLiteral("data/tailops/tokens.json")); }

    void writeGatewayYaml(const QByteArray &yaml) const
    {
        QFile f(QDir(configDir()).filePath(QStringLiteral("gateway.yaml")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(yaml);
    }

    QStringList tokenArgs(const QString &command, const QStringList &args) const
    {
        return QStringList { QStringLiteral("token"), command, QStringLiteral("--config-dir"), configDir() } + args;
    }

    std::unique_ptr<QProcess> start(const QString &command, const QStringList &args) const
    {
        return startGateway(tokenArgs(command, args));
    }

    std::unique_ptr<QProcess> startGateway(const QStringList &args) const
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_env);
        p->start(qEnvironmentVariable("TAILOPS_GATEWAY"), args);
        return p;
    }

    Run run(const QString &command, const QStringList &args = {}) const
    {
        const auto p = start(command, args);
        if (!p->waitForStarted(5000)) {
            return {};
        }
        p->closeWriteChannel();
        if (!p->waitForFinished(15000)) {
            p->kill();
            p->waitForFinished();
        }
        return { p->exitCode(), QString::fromUtf8(p->readAllStandardOutput()), QString::fromUtf8(p->readAllStandardError()) };
    }

    // Mints a token; returns it (empty on failure).
    QByteArray mint(const QString &agent, const QStringList &extra = {}) const
    {
        const Run r = run(QStringLiteral("mint"), QStringList { QStringLiteral("--agent"), agent, QStringLiteral("--scopes"),
                                                                QStringLiteral("system:read,network:read") } + extra);
        return r.exitCode == 0 ? r.out.trimmed().toLatin1() : QByteArray();
    }

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
};

QString hashOf(const QByteArray &token)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex().left(12));
}

// Neither the token nor either half of it appears in TEXT.
bool absent(const QString &text, const QByteArray &token)
{
    const QList<QByteArray> parts = token.split('.');
    return std::none_of(parts.cbegin(), parts.cend(), [&](const QByteArray &p) { return text.contains(QString::fromLatin1(p)); });
}

QJsonArray listJson(const Home &home, bool all)
{
    const Run r = home.run(QStringLiteral("list"), all ? QStringList { QStringLiteral("--json"), QStringLiteral("--all") }
                                                       : QStringList { QStringLiteral("--json") });
    if (r.exitCode != 0) {
        qWarning("%s", qPrintable(r.err));
    }
    return QJsonDocument::fromJson(r.out.toUtf8()).array();
}

struct Reply
{
    int status = 0;
    QByteArray body;
};

// POST /mcp initialize with TOKEN to the gateway on PORT (one connection per request).
Reply postInitialize(quint16 port, const QByteArray &token)
{
    const QByteArray body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})";
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(3000)) {
        return {};
    }
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                 + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                   "Connection: close\r\nAuthorization: Bearer "
                 + token + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QByteArray head = data.left(end).toLower();
            const qsizetype cl = head.indexOf("content-length:");
            if (cl >= 0 && data.size() >= end + 4 + head.mid(cl + 15).split('\r').value(0).trimmed().toInt()) {
                break;
            }
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0) {
            break;
        }
        socket.waitForReadyRead(100);
        data += socket.readAll();
    }
    const qsizetype end = data.indexOf("\r\n\r\n");
    return { data.split(' ').value(1).toInt(), end >= 0 ? data.mid(end + 4) : QByteArray() };
}

// The table row of ID.
QString rowOf(const QString &table, const QString &id)
{
    const QStringList lines = table.split(u'\n');
    const auto it = std::find_if(lines.cbegin(), lines.cend(), [&](const QString &l) { return l.startsWith(id); });
    return it == lines.cend() ? QString() : *it;
}

} // namespace

class TestTokenCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(qEnvironmentVariable("TAILOPS_GATEWAY")), "TAILOPS_GATEWAY must name the tailops-gateway binary");
    }

    void mintListRevoke()
    {
        Home home;
        const Run minted = home.run(QStringLiteral("mint"), { QStringLiteral("--agent"), QStringLiteral("ci-bot"), QStringLiteral("--scopes"),
                                                              QStringLiteral("system:read, network:read"), QStringLiteral("--host-tags"),
                                                              QStringLiteral("web,prod") });
        QCOMPARE(minted.exitCode, 0);
        const QByteArray token = minted.out.trimmed().toLatin1();
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]+\\.[0-9a-f]{64}$")).match(QString::fromLatin1(token)).hasMatch());
        QVERIFY2(absent(minted.err, token), qPrintable(minted.err));

        // The registry: one record, owner-only, without the token.
        QVERIFY(QFile::exists(home.registry()));
        QCOMPARE(QFile::permissions(home.registry()) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(QFile::permissions(home.registryDir()) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile file(home.registry());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString stored = QString::fromUtf8(file.readAll());
        QVERIFY2(absent(stored, token), qPrintable(stored));
        QVERIFY(stored.contains(hashOf(token)));

        QJsonArray records = listJson(home, false);
        QCOMPARE(records.size(), 1);
        const QJsonObject record = records.first().toObject();
        const QString id = record.value(QStringLiteral("id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(id).hasMatch());
        QVERIFY2(minted.err.contains(id), qPrintable(minted.err)); // mint tells the id
        QCOMPARE(record.value(QStringLiteral("agent")).toString(), QStringLiteral("ci-bot"));
        QCOMPARE(record.value(QStringLiteral("scopes")).toArray(), (QJsonArray { QStringLiteral("system:read"), QStringLiteral("network:read") }));
        QCOMPARE(record.value(QStringLiteral("host_tags")).toArray(), (QJsonArray { QStringLiteral("web"), QStringLiteral("prod") }));
        QCOMPARE(record.value(QStringLiteral("hash")).toString(), hashOf(token));
        QCOMPARE(record.value(QStringLiteral("status")).toString(), QStringLiteral("active"));
        QVERIFY(record.value(QStringLiteral("last_used")).isNull());
        const QDateTime issued = QDateTime::fromString(record.value(QStringLiteral("issued_at")).toString(), Qt::ISODateWithMs);
        const QDateTime expiry = QDateTime::fromString(record.value(QStringLiteral("expiry")).toString(), Qt::ISODateWithMs);
        QCOMPARE(issued.secsTo(expiry), 8 * 3600); // --ttl default
        QVERIFY(qAbs(issued.secsTo(QDateTime::currentDateTimeUtc())) < 60);

        const Run table = home.run(QStringLiteral("list"));
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(absent(table.out + table.err, token), qPrintable(table.out));
        QVERIFY(table.out.startsWith(QStringLiteral("ID ")));
        for (const QString &column : { QStringLiteral("AGENT"), QStringLiteral("SCOPES"), QStringLiteral("ISSUED"), QStringLiteral("EXPIRES"),
                                       QStringLiteral("LAST USED"), QStringLiteral("STATUS") }) {
            QVERIFY2(table.out.section(u'\n', 0, 0).contains(column), qPrintable(table.out));
        }
        const QString row = rowOf(table.out, id);
        QVERIFY2(QRegularExpression(QStringLiteral("ci-bot +system:read,network:read +\\d+s ago +in 7h +never +active$")).match(row).hasMatch(),
                 qPrintable(table.out));

        const Run revoked = home.run(QStringLiteral("revoke"), { id, QStringLiteral("--reason"), QStringLiteral("leaked in a CI log") });
        QCOMPARE(revoked.exitCode, 0);
        QVERIFY2(revoked.out.contains(QStringLiteral("revoked token %1 of ci-bot").arg(id)), qPrintable(revoked.out));

        // Hidden by default, shown with --all.
        const Run after = home.run(QStringLiteral("list"));
        QCOMPARE(after.exitCode, 0);
        QVERIFY2(!after.out.contains(id), qPrintable(after.out));
        QVERIFY(after.out.contains(QStringLiteral("no active tokens")));
        const Run all = home.run(QStringLiteral("list"), { QStringLiteral("--all") });
        QVERIFY2(QRegularExpression(QStringLiteral("ci-bot .* never +revoked$")).match(rowOf(all.out, id)).hasMatch(), qPrintable(all.out));
        records = listJson(home, true);
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("revoked"));
        QCOMPARE(records.first().toObject().value(QStringLiteral("revoked_reason")).toString(), QStringLiteral("leaked in a CI log"));

        // Revoking again changes nothing.
        const Run again = home.run(QStringLiteral("revoke"), { id });
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains(QStringLiteral("already revoked")), qPrintable(again.out));
        QCOMPARE(listJson(home, true).first().toObject().value(QStringLiteral("revoked_reason")).toString(), QStringLiteral("leaked in a CI log"));

        file.close();
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(absent(QString::fromUtf8(file.readAll()), token));
    }

    void revokeUnknownId()
    {
        Home home;
        QVERIFY(!home.mint(QStringLiteral("someone")).isEmpty());
        const Run r = home.run(QStringLiteral("revoke"), { QStringLiteral("feedfacefeedface") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no token with id 'feedfacefeedface' (see: tailops-gateway token list --all)")), qPrintable(r.err));
        QCOMPARE(listJson(home, true).size(), 1);
    }

    void revokeByHash()
    {
        Home home;
        const QByteArray token = home.mint(QStringLiteral("by-hash"));
        QVERIFY(!token.isEmpty());
        Run r = home.run(QStringLiteral("revoke"), { hashOf(token) });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(listJson(home, true).first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("revoked"));

        // A token of the original TailOpsMCP (never minted here): a revocation-only record.
        const QString original = hashOf("an-original-tailopsmcp-token");
        r = home.run(QStringLiteral("revoke"), { original, QStringLiteral("--reason"), QStringLiteral("retired") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("not minted here")), qPrintable(r.out));
        const QJsonArray records = listJson(home, true);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records.at(1).toObject().value(QStringLiteral("hash")).toString(), original);
        QCOMPARE(records.at(1).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("revoked"));
        const Run all = home.run(QStringLiteral("list"), { QStringLiteral("--all") });
        QVERIFY2(rowOf(all.out, original).endsWith(QStringLiteral("revoked")), qPrintable(all.out));

        r = home.run(QStringLiteral("revoke"), { QStringLiteral("sha256:xyz") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("is not a token hash")));
        r = home.run(QStringLiteral("revoke"), {});
        QCOMPARE(r.exitCode, 2);
    }

    void mintRefusals_data()
    {
        QTest::addColumn<QByteArray>("gatewayYaml");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString agent = QStringLiteral("--agent");
        const QString scopes = QStringLiteral("--scopes");
        QTest::newRow("no expiry while required") << QByteArray() << QStringList { agent, QStringLiteral("a"), scopes, QStringLiteral("readonly"), QStringLiteral("--no-expiry") }
                                                  << QStringLiteral("--no-expiry is refused while auth.require_expiry is on");
        QTest::newRow("no expiry with ttl") << QByteArray("auth:\n  require_expiry: false\n")
                                            << QStringList { agent, QStringLiteral("a"), scopes, QStringLiteral("readonly"), QStringLiteral("--no-expiry"), QStringLiteral("--ttl"), QStringLiteral("1h") }
                                            << QStringLiteral("--ttl and --no-expiry exclude each other");
        QTest::newRow("ttl above max") << QByteArray("auth:\n  max_token_ttl: 1h\n")
                                       << QStringList { agent, QStringLiteral("a"), scopes, QStringLiteral("readonly"), QStringLiteral("--ttl"), QStringLiteral("2h") }
                                       << QStringLiteral("--ttl exceeds the maximum of 1h (auth.max_token_ttl)");
        QTest::newRow("unknown scope") << QByteArray()
                                       << QStringList { agent, QStringLiteral("a"), scopes, QStringLiteral("system:read,root:all") }
                                       << QStringLiteral("unknown scope 'root:all' (known: ");
        QTest::newRow("bad gateway.yaml") << QByteArray("auth:\n  require_expiry: sometimes\n")
                                          << QStringList { agent, QStringLiteral("a"), scopes, QStringLiteral("readonly") }
                                          << QStringLiteral("fix the errors in gateway.yaml first");
    }

    void mintRefusals()
    {
        QFETCH(QByteArray, gatewayYaml);
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        Home home;
        if (!gatewayYaml.isEmpty()) {
            home.writeGatewayYaml(gatewayYaml);
        }
        const Run r = home.run(QStringLiteral("mint"), args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(home.registry()));
    }

    void noExpiryWhenAllowed()
    {
        Home home;
        home.writeGatewayYaml("auth:\n  require_expiry: false\n");
        const QByteArray token = home.mint(QStringLiteral("forever"), { QStringLiteral("--no-expiry") });
        QVERIFY(!token.isEmpty());
        const QJsonArray records = listJson(home, false);
        QCOMPARE(records.size(), 1);
        QVERIFY(records.first().toObject().value(QStringLiteral("expiry")).isNull());
        const Run table = home.run(QStringLiteral("list"));
        QVERIFY2(QRegularExpression(QStringLiteral("forever .* never +never +active$"))
                     .match(rowOf(table.out, records.first().toObject().value(QStringLiteral("id")).toString()))
                     .hasMatch(),
                 qPrintable(table.out));
    }

    void tokensFileFromGatewayYaml()
    {
        Home home;
        home.writeGatewayYaml("auth:\n  tokens_file: registry/tokens.json\n");
        QVERIFY(!home.mint(QStringLiteral("elsewhere")).isEmpty());
        QVERIFY(!QFile::exists(home.registry()));
        QVERIFY(QFile::exists(QDir(home.configDir()).filePath(QStringLiteral("registry/tokens.json"))));
        QCOMPARE(listJson(home, false).size(), 1);
    }

    void corruptRegistryIsReported()
    {
        Home home;
        QVERIFY(QDir().mkpath(home.registryDir()));
        QFile f(home.registry());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ not json");
        f.close();
        const Run list = home.run(QStringLiteral("list"));
        QCOMPARE(list.exitCode, 1);
        QVERIFY2(list.err.contains(home.registry() + QStringLiteral(": invalid JSON at offset")), qPrintable(list.err));
        const Run mint = home.run(QStringLiteral("mint"), { QStringLiteral("--agent"), QStringLiteral("a"), QStringLiteral("--scopes"), QStringLiteral("readonly") });
        QCOMPARE(mint.exitCode, 1);
        QVERIFY(mint.out.isEmpty()); // no token handed out that the registry does not know
        QVERIFY2(mint.err.contains(QStringLiteral("cannot record the token in the registry: ") + home.registry()), qPrintable(mint.err));
    }

    void concurrentMintsKeepEveryRecord()
    {
        Home home;
        constexpr int kProcesses = 6;
        std::vector<std::unique_ptr<QProcess>> processes;
        for (int i = 0; i < kProcesses; ++i) {
            processes.push_back(home.start(QStringLiteral("mint"), { QStringLiteral("--agent"), QStringLiteral("agent-%1").arg(i),
                                                                     QStringLiteral("--scopes"), QStringLiteral("readonly") }));
        }
        QSet<QString> tokens;
        for (const auto &p : processes) {
            QVERIFY(p->waitForFinished(20000));
            QCOMPARE(p->exitCode(), 0);
            tokens.insert(QString::fromLatin1(p->readAllStandardOutput().trimmed()));
        }
        QCOMPARE(tokens.size(), kProcesses);
        const QJsonArray records = listJson(home, true);
        QCOMPARE(records.size(), kProcesses);
        QSet<QString> hashes;
        for (const QJsonValue &r : records) {
            hashes.insert(r.toObject().value(QStringLiteral("hash")).toString());
        }
        for (const QString &t : std::as_const(tokens)) {
            QVERIFY(hashes.contains(hashOf(t.toLatin1())));
        }
        QCOMPARE(QDir(home.registryDir()).entryList(QDir::Files), QStringList { QStringLiteral("tokens.json") });
    }

    void runningGatewayRefusesRevokedToken()
    {
        Home home;
        const QByteArray revoked = home.mint(QStringLiteral("to-revoke"));
        const QByteArray kept = home.mint(QStringLiteral("to-keep"));
        QVERIFY(!revoked.isEmpty() && !kept.isEmpty());
        const QString id = listJson(home, false).first().toObject().value(QStringLiteral("id")).toString();

        const auto server = home.startGateway({ QStringLiteral("serve"), QStringLiteral("--config-dir"), home.configDir(),
                                                QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
        QVERIFY(server->waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += server->readAllStandardError()).contains("listening on http://127.0.0.1:"), 10000);
        const quint16 port = err.mid(err.indexOf("127.0.0.1:") + 10).split('/').value(0).toUShort();
        QVERIFY(port != 0);

        Reply r = postInitialize(port, revoked); // accepted, and cached by the gateway
        QCOMPARE(r.status, 200);
        QCOMPARE(postInitialize(port, revoked).status, 200);

        const Run revoke = home.run(QStringLiteral("revoke"), { id });
        QCOMPARE(revoke.exitCode, 0);
        QElapsedTimer sinceRevoke;
        sinceRevoke.start();
        do {
            r = postInitialize(port, revoked);
        } while (r.status != 401 && sinceRevoke.elapsed() < 1000);
        QCOMPARE(r.status, 401);
        QVERIFY2(r.body.contains("token revoked"), r.body.constData());
        QVERIFY(!r.body.contains(revoked.left(revoked.indexOf('.'))));
        QCOMPARE(postInitialize(port, kept).status, 200); // other tokens are unaffected

        server->terminate();
        QVERIFY(server->waitForFinished(10000));
        err += server->readAllStandardError();
        QVERIFY2(absent(QString::fromUtf8(err), revoked), err.constData());

        // Usage written on shutdown: two uses of the revoked token, one of the kept one, from 127.0.0.1.
        QHash<QString, QJsonObject> byAgent;
        for (const QJsonValue &v : listJson(home, true)) {
            byAgent.insert(v.toObject().value(QStringLiteral("agent")).toString(), v.toObject());
        }
        QCOMPARE(byAgent.value(QStringLiteral("to-revoke")).value(QStringLiteral("uses")).toInt(), 2);
        QCOMPARE(byAgent.value(QStringLiteral("to-keep")).value(QStringLiteral("uses")).toInt(), 1);
        QCOMPARE(byAgent.value(QStringLiteral("to-keep")).value(QStringLiteral("last_peer")).toString(), QStringLiteral("127.0.0.1"));
        const Run table = home.run(QStringLiteral("list"));
        const QString keptId = byAgent.value(QStringLiteral("to-keep")).value(QStringLiteral("id")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral(" \\d+s ago from 127\\.0\\.0\\.1 +active$")).match(rowOf(table.out, keptId)).hasMatch(),
                 qPrintable(table.out));
    }

    void unknownSubcommand()
    {
        Home home;
        const Run r = home.run(QStringLiteral("frobnicate"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("unknown command 'frobnicate'")));
    }
};

QTEST_GUILESS_MAIN(TestTokenCli)

#include "tst_tokencli.moc"
