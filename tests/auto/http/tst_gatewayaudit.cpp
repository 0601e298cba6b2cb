// The audit trail end to end, through the real tailops-gateway: every call and every refusal is
// recorded, secrets never reach the file, and a SIGKILL during a burst loses no answered call.
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

namespace {

const QString kSecret = QStringLiteral("audit-e2e-secret-0123456789");

struct Gateway
{
    QProcess process;
    quint16 port = 0;
    QByteArray err;
};

bool start(Gateway &g, const QString &configDir, const QString &auditPath, qint64 fileSizeLimit = 0)
{
    if (fileSizeLimit > 0) {
        // A full disk, as the gateway sees it: writes past the limit fail with EFBIG.
        g.process.setChildProcessModifier([fileSizeLimit] {
            ::signal(SIGXFSZ, SIG_IGN);
            const struct rlimit limit { rlim_t(fileSizeLimit), rlim_t(fileSizeLimit) };
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), kSecret);
    env.insert(QStringLiteral("TAILOPS_AUDIT_LOG"), auditPath);
    g.process.setProcessEnvironment(env);
    g.process.start(qEnvironmentVariable("TAILOPS_GATEWAY"),
                    { QStringLiteral("serve"), QStringLiteral("--config-dir"), configDir, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    if (!g.process.waitForStarted(5000)) {
        return false;
    }
    QElapsedTimer t;
    t.start();
    static const QRegularExpression re(QStringLiteral("listening on http://127.0.0.1:(\\d+)/mcp"));
    while (t.elapsed() < 10000) {
        g.process.waitForReadyRead(100);
        g.err += g.process.readAllStandardError();
        const auto m = re.match(QString::fromUtf8(g.err));
        if (m.hasMatch()) {
            g.port = quint16(m.captured(1).toUInt());
            return true;
        }
    }
    return false;
}

QByteArray token(const QString &scopes)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TAILOPS_SHARED_SECRET"), kSecret);
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("TAILOPS_GATEWAY"), { QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--agent"),
                                                       QStringLiteral("auditor"), QStringLiteral("--scopes"), scopes });
    p.waitForFinished(10000);
    return p.readAllStandardOutput().trimmed();
}

// One POST on its own connection; returns status and body (the server is another process: blocking is fine).
std::pair<int, QByteArray> post(quint16 port, const QByteArray &tok, const QByteArray &session, const QByteArray &body)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(3000)) {
        return { 0, {} };
    }
    QByteArray req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                     "Authorization: Bearer " + tok + "\r\n";
    if (!session.isEmpty()) {
        req += "Mcp-Session-Id: " + session + "\r\n";
    }
    req += "Connection: close\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    s.write(req);
    QByteArray data;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000 && s.state() == QAbstractSocket::ConnectedState) {
        if (s.waitForReadyRead(100)) {
            data += s.readAll();
            const qsizetype end = data.indexOf("\r\n\r\n");
            const qsizetype cl = data.indexOf("Content-Length: ");
            if (end > 0 && cl > 0 && data.size() >= end + 4 + data.mid(cl + 16, 10).split('\r').value(0).toInt()) {
                break;
            }
        }
    }
    data += s.readAll();
    return { data.mid(9, 3).toInt(), data.mid(data.indexOf("\r\n\r\n") + 4) };
}

QByteArray initialize(quint16 port, const QByteArray &tok)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    s.waitForConnected(3000);
    const QByteArray body = R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})";
    s.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            "Authorization: Bearer " + tok + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray data;
    while (!data.contains("\r\n\r\n") && s.waitForReadyRead(3000)) {
        data += s.readAll();
    }
    const auto m = QRegularExpression(QStringLiteral("Mcp-Session-Id: (\\w+)"), QRegularExpression::CaseInsensitiveOption).match(QString::fromLatin1(data));
    return m.captured(1).toLatin1();
}

QList<QJsonObject> readAudit(const QString &path)
{
    QFile f(path);
    QList<QJsonObject> out;
    if (!f.open(QIODevice::ReadOnly)) {
        return out;
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty()) {
            out.append(o);
        }
    }
    return out;
}

int verify(const QString &path, QString *output)
{
    QProcess p;
    p.start(qEnvironmentVariable("TAILOPS_GATEWAY"), { QStringLiteral("audit"), QStringLiteral("verify"), path });
    p.waitForFinished(20000);
    *output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitCode();
}

QByteArray call(int id, const QString &tool, const QJsonObject &args)
{
    return QJsonDocument(QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                                       { QStringLiteral("id"), id },
                                       { QStringLiteral("method"), QStringLiteral("tools/call") },
                                       { QStringLiteral("params"), QJsonObject { { QStringLiteral("name"), tool }, { QStringLiteral("arguments"), args } } } })
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestGatewayAudit final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCallAndRefusalIsRecorded()
    {
        QTemporaryDir dir;
        const QString audit = dir.filePath(QStringLiteral("audit.jsonl"));
        Gateway g;
        QVERIFY2(start(g, dir.path(), audit), g.err.constData());
        const QByteArray admin = token(QStringLiteral("admin"));
        const QByteArray netOnly = token(QStringLiteral("network:read"));
        const QByteArray session = initialize(g.port, admin);
        QVERIFY(!session.isEmpty());
        QCOMPARE(post(g.port, admin, session, call(1, QStringLiteral("get_system_status"), {})).first, 200);
        // Refusals: unknown target, invalid arguments (with a password-looking argument), unknown tool.
        post(g.port, admin, session, call(2, QStringLiteral("get_system_status"), { { QStringLiteral("target"), QStringLiteral("nowhere") } }));
        post(g.port, admin, session, call(3, QStringLiteral("list_targets"), { { QStringLiteral("password"), QStringLiteral("hunter2-super-secret") } }));
        post(g.port, admin, session, call(4, QStringLiteral("format_disk"), {}));
        const QByteArray netSession = initialize(g.port, netOnly);
        post(g.port, netOnly, netSession, call(5, QStringLiteral("get_system_status"), {}));
        g.process.terminate();
        QVERIFY(g.process.waitForFinished(5000));

        const QList<QJsonObject> records = readAudit(audit);
        const auto find = [&](const QString &requestId, const QString &event) {
            for (const auto &r : records) {
                if (r.value(QStringLiteral("request_id")).toString() == requestId && r.value(QStringLiteral("event")).toString() == event) {
                    return r;
                }
            }
            return QJsonObject {};
        };
        QCOMPARE(find(QStringLiteral("1"), QStringLiteral("decision")).value(QStringLiteral("decision")).toString(), QStringLiteral("allow"));
        QCOMPARE(find(QStringLiteral("1"), QStringLiteral("result")).value(QStringLiteral("result_status")).toString(), QStringLiteral("success"));
        QCOMPARE(find(QStringLiteral("1"), QStringLiteral("decision")).value(QStringLiteral("subject")).toString(), QStringLiteral("auditor"));
        for (const QString &id : { QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4"), QStringLiteral("5") }) {
            const QJsonObject d = find(id, QStringLiteral("decision"));
            QVERIFY2(d.value(QStringLiteral("decision")).toString() == u"deny", qPrintable(id));
            QVERIFY(!d.value(QStringLiteral("error")).toString().isEmpty());
            QVERIFY(find(id, QStringLiteral("result")).isEmpty()); // nothing ran
        }
        QVERIFY(find(QStringLiteral("5"), QStringLiteral("decision")).value(QStringLiteral("rule")).toString() == u"scope");
        QFile f(audit);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QVERIFY(!content.contains(admin));
        QVERIFY(!content.contains(admin.left(admin.indexOf('.'))));
        QVERIFY(!content.contains("hunter2-super-secret"));
        QVERIFY(QFile::permissions(audit) == (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser));
        QString out;
        QCOMPARE(verify(audit, &out), 0);
        QVERIFY2(out.contains(QStringLiteral("chain intact")), qPrintable(out));
    }

    void fullDiskFailsClosed()
    {
        QTemporaryDir dir;
        const QString audit = dir.filePath(QStringLiteral("audit.jsonl"));
        Gateway g;
        QVERIFY2(start(g, dir.path(), audit, 16 * 1024), g.err.constData());
        const QByteArray admin = token(QStringLiteral("admin"));
        const QByteArray session = initialize(g.port, admin);
        int succeeded = 0;
        QByteArray refusal;
        for (int id = 1; id < 200 && refusal.isEmpty(); ++id) {
            const auto [status, body] = post(g.port, admin, session, call(id, QStringLiteral("list_targets"), {}));
            QCOMPARE(status, 200);
            if (body.contains("\"isError\":true")) {
                refusal = body;
            } else {
                ++succeeded;
            }
        }
        QVERIFY2(!refusal.isEmpty(), "calls kept running although the audit log could not grow");
        QVERIFY(succeeded > 3);
        QVERIFY2(refusal.contains("Refusing to act unaudited"), refusal.constData());
        // Still refused afterwards, loudly logged, and the process is alive.
        const auto [status, body] = post(g.port, admin, session, call(999, QStringLiteral("list_targets"), {}));
        QCOMPARE(status, 200);
        QVERIFY(body.contains("Refusing to act unaudited"));
        g.process.waitForReadyRead(200);
        g.err += g.process.readAllStandardError();
        QVERIFY2(g.err.contains("AUDIT LOG FAILED"), g.err.constData());
        QCOMPARE(g.process.state(), QProcess::Running);
        g.process.terminate();
        QVERIFY(g.process.waitForFinished(5000));
    }

    void killDuringBurstLosesNoAnsweredCall()
    {
        QTemporaryDir dir;
        const QString audit = dir.filePath(QStringLiteral("audit.jsonl"));
        Gateway g;
        QVERIFY2(start(g, dir.path(), audit), g.err.constData());
        const QByteArray admin = token(QStringLiteral("admin"));
        const QByteArray session = initialize(g.port, admin);
        QList<int> answered;
        std::atomic_bool stop { false };
        std::thread killer([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(400));
            ::kill(pid_t(g.process.processId()), SIGKILL);
            stop = true;
        });
        for (int id = 100; id < 100000 && !stop; ++id) {
            const auto [status, body] = post(g.port, admin, session, call(id, QStringLiteral("list_targets"), {}));
            if (status == 200 && body.contains("\"result\"")) {
                answered.append(id);
            }
        }
        killer.join();
        g.process.waitForFinished(5000);
        QVERIFY(answered.size() > 5);

        // Restart: the log is recovered (a torn line sealed) and the chain verifies.
        Gateway again;
        QVERIFY2(start(again, dir.path(), audit), again.err.constData());
        again.process.terminate();
        again.process.waitForFinished(5000);
        QString out;
        QCOMPARE(verify(audit, &out), 0);
        QSet<QString> decided;
        for (const auto &r : readAudit(audit)) {
            if (r.value(QStringLiteral("event")).toString() == u"decision") {
                decided.insert(r.value(QStringLiteral("request_id")).toString());
            }
        }
        for (int id : answered) {
            QVERIFY2(decided.contains(QString::number(id)), qPrintable(QStringLiteral("answered call %1 has no decision record").arg(id)));
        }
    }
};

QTEST_GUILESS_MAIN(TestGatewayAudit)
#include "tst_gatewayaudit.moc"
