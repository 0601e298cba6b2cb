// tailops-gateway audit verify / export / tail / redact-test, run through the helper's "cli" mode.
#include "audit/auditfiles.h"
#include "audit/auditlog.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace Tailops;
using namespace Tailops::Audit;

class TestAuditCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void verify();
    void verifyFiles();
    void exportJsonl_data();
    void exportJsonl();
    void exportCsv();
    void tail();
    void tailFollow();
    void redactTest_data();
    void redactTest();
    void usageErrors_data();
    void usageErrors();

private:
    struct Run
    {
        int code = -1;
        QString out;
        QString err;
    };
    Run run(const QStringList &args, const QByteArray &input = {});
    QTemporaryDir m_dir;
    QString m_log;
};

namespace {

AuditRecord sample(int i)
{
    AuditRecord r;
    r.subject = i % 2 ? QStringLiteral("alice") : QStringLiteral("bob");
    r.tool = i % 3 ? QStringLiteral("get_logs") : QStringLiteral("restart_service");
    r.target = i < 5 ? QStringLiteral("web01") : QStringLiteral("db01");
    r.requestId = QString::number(i);
    r.event = Event::Decision;
    r.decision = Decision::Allow;
    r.args = { { QStringLiteral("note"), QStringLiteral("=SUM(A1:A2), \"quoted\"") } };
    r.timestamp = QDateTime(QDate(2025, 1, 1 + i), QTime(12, 0), Qt::UTC);
    return r;
}

} // namespace

TestAuditCommands::Run TestAuditCommands::run(const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.start(QStringLiteral(AUDIT_HELPER), QStringList { QStringLiteral("cli") } + args);
    if (!p.waitForStarted()) {
        return {};
    }
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
        QString::fromUtf8(p.readAllStandardError()) };
}

void TestAuditCommands::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_log = m_dir.filePath(QStringLiteral("audit.jsonl"));
    AuditLogOptions options;
    options.startupRecord = false;
    AuditLog log(m_log, options);
    QVERIFY(log.open());
    for (int i = 0; i < 10; ++i) {
        log.append(sample(i));
    }
    QVERIFY(log.flush());
}

void TestAuditCommands::verify()
{
    const Run ok = run({ QStringLiteral("verify"), QStringLiteral("--path"), m_log });
    QCOMPARE(ok.code, 0);
    QCOMPARE(ok.out.trimmed(), QStringLiteral("OK: 10 records, chain intact"));

    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("audit.jsonl"));
    QVERIFY(QFile::copy(m_log, copy));
    QVERIFY(QFile::copy(auditHeadPath(m_log), auditHeadPath(copy)));
    QFile f(copy);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray all = f.readAll();
    all.replace("\"subject\":\"bob\",\"target\":\"web01\",\"timestamp\":\"2025-01-03",
        "\"subject\":\"eve\",\"target\":\"web01\",\"timestamp\":\"2025-01-03");
    f.seek(0);
    f.write(all);
    f.resize(all.size());
    f.close();
    const Run broken = run({ QStringLiteral("verify"), QStringLiteral("--path"), copy });
    QCOMPARE(broken.code, 1);
    QVERIFY2(broken.out.startsWith(u"BROKEN: record 3 (audit.jsonl line 3): edited"), qPrintable(broken.out));

    const Run missing
        = run({ QStringLiteral("verify"), QStringLiteral("--path"), dir.filePath(QStringLiteral("none.jsonl")) });
    QCOMPARE(missing.code, 1);
    QVERIFY(missing.err.contains(u"no audit log"));
}

void TestAuditCommands::verifyFiles()
{
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("audit.jsonl"));
    QVERIFY(QFile::copy(m_log, copy));
    QVERIFY(QFile::copy(auditHeadPath(m_log), auditHeadPath(copy)));
    QFile f(copy);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QList<QByteArray> lines = f.readAll().split('\n');
    lines.resize(8); // 8 records + "" -> 8 lines after join
    f.seek(0);
    const QByteArray text = lines.join('\n') + '\n';
    f.write(text);
    f.resize(text.size());
    f.close();
    // Explicit files: the head next to them is used...
    const Run withHead = run({ QStringLiteral("verify"), copy });
    QCOMPARE(withHead.code, 1);
    QVERIFY2(withHead.out.contains(u"record 9: truncated"), qPrintable(withHead.out));
    // ...unless --no-head.
    const Run noHead = run({ QStringLiteral("verify"), QStringLiteral("--no-head"), copy });
    QCOMPARE(noHead.code, 0);
    QCOMPARE(noHead.out.trimmed(), QStringLiteral("OK: 8 records, chain intact"));
}

void TestAuditCommands::exportJsonl_data()
{
    QTest::addColumn<QStringList>("filter");
    QTest::addColumn<int>("count");
    QTest::newRow("all") << QStringList {} << 10;
    QTest::newRow("tool") << QStringList { QStringLiteral("--tool"), QStringLiteral("restart_service") } << 4;
    QTest::newRow("target") << QStringList { QStringLiteral("--target"), QStringLiteral("db01") } << 5;
    QTest::newRow("caller") << QStringList { QStringLiteral("--caller"), QStringLiteral("alice") } << 5;
    QTest::newRow("since") << QStringList { QStringLiteral("--since"), QStringLiteral("2025-01-05") } << 6;
    QTest::newRow("until") << QStringList { QStringLiteral("--until"), QStringLiteral("2025-01-03T12:00:00Z") } << 2;
    QTest::newRow("window") << QStringList { QStringLiteral("--since"), QStringLiteral("2025-01-02"),
        QStringLiteral("--until"), QStringLiteral("2025-01-06") }
                            << 4;
    QTest::newRow("combined") << QStringList { QStringLiteral("--caller"), QStringLiteral("bob"),
        QStringLiteral("--target"), QStringLiteral("web01") }
                              << 3;
    QTest::newRow("relative since") << QStringList { QStringLiteral("--since"), QStringLiteral("1h") } << 0;
}

void TestAuditCommands::exportJsonl()
{
    QFETCH(QStringList, filter);
    QFETCH(int, count);
    const Run r = run(QStringList { QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                          QStringLiteral("--path"), m_log }
        + filter);
    QCOMPARE(r.code, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), count);
    for (const QString &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QCOMPARE(hashOfJson(o), o.value(u"hash").toString()); // exported lines keep their hashes
    }
}

void TestAuditCommands::exportCsv()
{
    const QString output = m_dir.filePath(QStringLiteral("export.csv"));
    const Run r
        = run({ QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--tool"),
            QStringLiteral("get_logs"), QStringLiteral("--path"), m_log, QStringLiteral("--output"), output });
    QCOMPARE(r.code, 0);
    QVERIFY(r.err.contains(u"exported 6 records"));
    QFile f(output);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 1 + 6 + 1);
    QVERIFY(lines.first().startsWith("timestamp,record_id,event,request_id,transport,subject,"));
    QVERIFY(lines.at(1).startsWith("2025-01-02T12:00:00.000Z,2,decision,1,,alice,"));
    // args with a formula and quotes: JSON, quoted, escaped; not run by a spreadsheet (starts with '{').
    QVERIFY2(lines.at(1).contains(R"("{""note"":""=SUM(A1:A2), \""quoted\""""}")"), lines.at(1).constData());
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(output).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);

    const Run bad = run({ QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("xml"),
        QStringLiteral("--path"), m_log });
    QCOMPARE(bad.code, 2);
    const Run badTime = run({ QStringLiteral("export"), QStringLiteral("--since"), QStringLiteral("last tuesday"),
        QStringLiteral("--path"), m_log });
    QCOMPARE(badTime.code, 2);
    QVERIFY(badTime.err.contains(u"--since"));
}

void TestAuditCommands::tail()
{
    const Run r
        = run({ QStringLiteral("tail"), QStringLiteral("-n"), QStringLiteral("3"), QStringLiteral("--path"), m_log });
    QCOMPARE(r.code, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(
        lines.first().startsWith(u"2025-01-08T12:00:00.000Z #8 decision allow caller=alice tool=get_logs target=db01"),
        qPrintable(lines.first()));
    const Run json = run({ QStringLiteral("tail"), QStringLiteral("--json"), QStringLiteral("--path"), m_log });
    QCOMPARE(json.code, 0);
    const QStringList jsonLines = json.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(jsonLines.size(), 10);
    QCOMPARE(QJsonDocument::fromJson(jsonLines.last().toUtf8()).object().value(u"record_id").toInteger(), 10);
}

void TestAuditCommands::tailFollow()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    AuditLogOptions options;
    options.startupRecord = false;
    options.maxFileBytes = 1500; // rotates while followed
    AuditLog log(path, options);
    QVERIFY(log.open());
    log.append(sample(0));
    QVERIFY(log.flush());

    QProcess p;
    p.start(QStringLiteral(AUDIT_HELPER),
        { QStringLiteral("cli"), QStringLiteral("tail"), QStringLiteral("-f"), QStringLiteral("--json"),
            QStringLiteral("--path"), path });
    QVERIFY(p.waitForStarted());
    QByteArray seen;
    QTRY_VERIFY((seen += p.readAllStandardOutput()).count('\n') >= 1);
    for (int i = 1; i < 12; ++i) {
        log.append(sample(i));
        QVERIFY(log.flush());
        QTest::qWait(30);
    }
    QVERIFY(auditFiles(path).size() > 2);
    QTRY_VERIFY_WITH_TIMEOUT((seen += p.readAllStandardOutput()).count('\n') >= 12, 10000);
    p.kill();
    p.waitForFinished();
    const QList<QByteArray> lines = seen.trimmed().split('\n');
    QCOMPARE(lines.size(), 12);
    for (int i = 0; i < lines.size(); ++i) {
        QCOMPARE(QJsonDocument::fromJson(lines.at(i)).object().value(u"record_id").toInteger(), i + 1);
    }
}

void TestAuditCommands::redactTest_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("text") << QByteArray("login with --password hunter2 to db01.example.com\n")
                          << QByteArray("login with --password [REDACTED] to db01.example.com\n");
    QTest::newRow("json") << QByteArray(R"({"token":"abc","path":"/etc/hosts","url":"https://u:p4ss@h/x"})")
                          << QByteArray(R"({"path":"/etc/hosts","token":"[REDACTED]","url":"https://u:[REDACTED]@h/x"})"
                                        "\n");
    QTest::newRow("plain") << QByteArray("nothing to see\n") << QByteArray("nothing to see\n");
}

void TestAuditCommands::redactTest()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const Run r = run({ QStringLiteral("redact-test") }, input);
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out.toUtf8(), expected);

    const Run extra = run(
        { QStringLiteral("redact-test"), QStringLiteral("--pattern"), QStringLiteral("ACME-\\d+") }, "id ACME-42\n");
    QCOMPARE(extra.out, QStringLiteral("id [REDACTED]\n"));
}

void TestAuditCommands::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::newRow("nothing") << QStringList {} << 2;
    QTest::newRow("unknown") << QStringList { QStringLiteral("frobnicate") } << 2;
    QTest::newRow("bad option") << QStringList { QStringLiteral("verify"), QStringLiteral("--bogus") } << 2;
    QTest::newRow("bad -n") << QStringList { QStringLiteral("tail"), QStringLiteral("-n"), QStringLiteral("x") } << 2;
    QTest::newRow("help") << QStringList { QStringLiteral("export"), QStringLiteral("--help") } << 0;
}

void TestAuditCommands::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QCOMPARE(run(args).code, code);
}

QTEST_GUILESS_MAIN(TestAuditCommands)
#include "tst_auditcommands.moc"
