// AuditRecord: JSON keys (compatible with TailOpsMCP's audit.log), canonical form, hashing, default path.
#include "audit/auditfiles.h"
#include "audit/auditrecord.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Tailops;
using namespace Tailops::Audit;

class TestAuditRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decisionKeys();
    void resultKeys();
    void roundTrip();
    void canonicalForm_data();
    void canonicalForm();
    void hashCoversEveryField();
    void directSerializationMatchesJson_data();
    void directSerializationMatchesJson();
    void timestamp();
    void names();
    void defaultPath_data();
    void defaultPath();
    void rotatedNames();
};

namespace {

Auth::Caller caller()
{
    Auth::Caller c;
    c.transport = QStringLiteral("http");
    c.agent = QStringLiteral("claude");
    c.tokenHash = QStringLiteral("sha256:0123456789ab");
    c.peer = QStringLiteral("100.64.0.7:51234");
    return c;
}

} // namespace

void TestAuditRecord::decisionKeys()
{
    AuditRecord r = AuditRecord::makeDecision(caller(), QStringLiteral("7"), QStringLiteral("restart_service"),
        QStringLiteral("web01"), { { QStringLiteral("service"), QStringLiteral("nginx") } }, Decision::ApprovalRequired,
        QStringLiteral("prod-restarts"));
    r.timestamp = QDateTime(QDate(2025, 1, 31), QTime(12, 34, 56, 789), Qt::UTC);
    r.recordId = 42;
    r.prevHash = genesisHash();
    r.tailnetTags = QStringList { QStringLiteral("tag:ops") };
    const QJsonObject o = r.toJson();
    QCOMPARE(o.value(u"timestamp").toString(), QStringLiteral("2025-01-31T12:34:56.789Z"));
    QCOMPARE(o.value(u"record_id").toInteger(), 42);
    QCOMPARE(o.value(u"event").toString(), QStringLiteral("decision"));
    QCOMPARE(o.value(u"request_id").toString(), QStringLiteral("7"));
    QCOMPARE(o.value(u"transport").toString(), QStringLiteral("http"));
    QCOMPARE(o.value(u"subject").toString(), QStringLiteral("claude")); // TailOpsMCP's key for the agent
    QCOMPARE(o.value(u"token_hash").toString(), QStringLiteral("sha256:0123456789ab"));
    QCOMPARE(o.value(u"peer").toString(), QStringLiteral("100.64.0.7:51234"));
    QCOMPARE(o.value(u"tailnet_tags").toArray(), QJsonArray { QStringLiteral("tag:ops") });
    QCOMPARE(o.value(u"tool").toString(), QStringLiteral("restart_service"));
    QCOMPARE(o.value(u"target").toString(), QStringLiteral("web01"));
    QCOMPARE(o.value(u"args").toObject().value(u"service").toString(), QStringLiteral("nginx"));
    QCOMPARE(o.value(u"decision").toString(), QStringLiteral("approval-required"));
    QCOMPARE(o.value(u"rule").toString(), QStringLiteral("prod-restarts"));
    QCOMPARE(o.value(u"prev_hash").toString(), genesisHash());
    QVERIFY(!o.contains(u"result_status"));
    QVERIFY(!o.contains(u"hash")); // not set yet
}

void TestAuditRecord::resultKeys()
{
    AuditRecord d = AuditRecord::makeDecision(
        caller(), QStringLiteral("7"), QStringLiteral("get_logs"), QStringLiteral("web01"), {}, Decision::Allow);
    d.dryRun = true;
    AuditRecord r = AuditRecord::makeResult(d, false, 125, QStringLiteral("exit status 3"));
    r.exitCode = 3;
    r.bytes = 2048;
    r.truncated = true;
    const QJsonObject o = r.toJson();
    QCOMPARE(o.value(u"event").toString(), QStringLiteral("result"));
    QCOMPARE(o.value(u"result_status").toString(), QStringLiteral("error")); // TailOpsMCP's key and values
    QCOMPARE(o.value(u"duration_ms").toInteger(), 125);
    QCOMPARE(o.value(u"exit_code").toInteger(), 3);
    QCOMPARE(o.value(u"bytes").toInteger(), 2048);
    QCOMPARE(o.value(u"truncated").toBool(), true);
    QCOMPARE(o.value(u"dry_run").toBool(), true);
    QCOMPARE(o.value(u"error").toString(), QStringLiteral("exit status 3"));
    QCOMPARE(o.value(u"subject").toString(), QStringLiteral("claude"));
    QCOMPARE(o.value(u"request_id").toString(), QStringLiteral("7"));
    QVERIFY(!o.contains(u"decision"));
    QVERIFY(!o.contains(u"args"));
    QCOMPARE(
        AuditRecord::makeResult(d, true, 1).toJson().value(u"result_status").toString(), QStringLiteral("success"));
}

void TestAuditRecord::roundTrip()
{
    AuditRecord r = AuditRecord::makeDecision(caller(), QStringLiteral("x"), QStringLiteral("t"), QStringLiteral("g"),
        { { QStringLiteral("a"), 1 } }, Decision::Denied, QStringLiteral("r"));
    r.timestamp = QDateTime::currentDateTimeUtc();
    r.recordId = 3;
    r.approver = QStringLiteral("alice");
    r.tailnetUser = QStringLiteral("bob@example.com");
    r.tailnetNode = QStringLiteral("laptop");
    r.oauthSubject = QStringLiteral("sub-1");
    r.exitCode = 0;
    r.details = { { QStringLiteral("k"), QStringLiteral("v") } };
    r.prevHash = genesisHash();
    r.hash = r.computeHash();
    const auto back = AuditRecord::fromJson(QJsonDocument::fromJson(r.toLine()).object());
    QVERIFY(back);
    QCOMPARE(back->toLine(), r.toLine());
    QCOMPARE(back->computeHash(), r.hash);
    QCOMPARE(back->decision, Decision::Denied);
    QCOMPARE(back->approver, QStringLiteral("alice"));
    QCOMPARE(hashOfJson(QJsonDocument::fromJson(r.toLine()).object()), r.hash);

    QVERIFY(!AuditRecord::fromJson(QJsonObject { { QStringLiteral("event"), QStringLiteral("bogus") } }));
}

void TestAuditRecord::canonicalForm_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("canonical");
    QTest::newRow("sorted keys") << QByteArray(R"({"b":1,"a":2,"A":3})") << QByteArray(R"({"A":3,"a":2,"b":1})");
    QTest::newRow("nested") << QByteArray(R"({"z":{"y":[1,{"b":true,"a":null}]}})")
                            << QByteArray(R"({"z":{"y":[1,{"a":null,"b":true}]}})");
    QTest::newRow("escapes") << QByteArray("{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 e\\u00e9 /\"}")
                             << QByteArray("{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 e\xc3\xa9 /\"}");
    QTest::newRow("numbers") << QByteArray(R"({"i":12,"n":-3,"f":1.5,"big":9007199254740993,"e":1e300,"w":2.0})")
                             << QByteArray(R"({"big":9007199254740993,"e":1e+300,"f":1.5,"i":12,"n":-3,"w":2})");
    QTest::newRow("empty") << QByteArray("{}") << QByteArray("{}");
}

void TestAuditRecord::canonicalForm()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, canonical);
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    QCOMPARE(canonicalJson(o), canonical);
    // Idempotent: parsing the canonical form gives the canonical form again.
    QCOMPARE(canonicalJson(QJsonDocument::fromJson(canonical).object()), canonical);
}

void TestAuditRecord::hashCoversEveryField()
{
    AuditRecord r = AuditRecord::makeDecision(
        caller(), QStringLiteral("1"), QStringLiteral("t"), QStringLiteral("g"), {}, Decision::Allow);
    r.timestamp = QDateTime::currentDateTimeUtc();
    r.recordId = 1;
    r.prevHash = genesisHash();
    const QString h = r.computeHash();
    QCOMPARE(h.size(), 64);
    QCOMPARE(sha256Hex(canonicalJson(r.toJson(false))), h);
    AuditRecord changed = r;
    changed.subject = QStringLiteral("mallory");
    QVERIFY(changed.computeHash() != h);
    changed = r;
    changed.prevHash = QString(64, u'1');
    QVERIFY(changed.computeHash() != h);
    changed = r;
    changed.recordId = 2;
    QVERIFY(changed.computeHash() != h);
}

void TestAuditRecord::directSerializationMatchesJson_data()
{
    QTest::addColumn<AuditRecord>("record");
    AuditRecord minimal;
    minimal.timestamp = QDateTime::currentDateTimeUtc();
    minimal.recordId = 1;
    minimal.prevHash = genesisHash();
    QTest::newRow("minimal") << minimal;
    AuditRecord full = AuditRecord::makeDecision(caller(), QStringLiteral("req-\"1\""), QStringLiteral("run"),
        QStringLiteral("w\u00e9b\n01\t"),
        { { QStringLiteral("z"), 1.25 }, { QStringLiteral("a"), QJsonArray { 1, QStringLiteral("x") } } },
        Decision::TimedOut, QStringLiteral("rule \\ 1"));
    full.timestamp = QDateTime(QDate(1999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
    full.recordId = 9007199254740993;
    full.tailnetUser = QStringLiteral("\u00fcser@example.com");
    full.tailnetNode = QStringLiteral("node");
    full.tailnetTags = { QStringLiteral("tag:a"), QStringLiteral("tag:\"b\"") };
    full.oauthSubject = QStringLiteral("sub");
    full.approver = QStringLiteral("alice");
    full.durationMs = 0;
    full.resultStatus = QStringLiteral("success");
    full.exitCode = -1;
    full.bytes = 1 << 20;
    full.truncated = false;
    full.error = QString(QChar(1)) + QStringLiteral("\u2028 emoji \U0001F600");
    full.dryRun = true;
    full.details = { { QStringLiteral("k"), QJsonValue::Null } };
    full.prevHash = genesisHash();
    full.hash = QString(64, u'a');
    QTest::newRow("every field") << full;
    AuditRecord recovery;
    recovery.event = Event::Recovery;
    recovery.timestamp = QDateTime::currentDateTimeUtc();
    recovery.recordId = 5;
    recovery.details = { { QStringLiteral("torn_bytes"), 17 } };
    QTest::newRow("recovery") << recovery;
}

void TestAuditRecord::directSerializationMatchesJson()
{
    QFETCH(AuditRecord, record);
    QCOMPARE(record.canonicalBytes(false), canonicalJson(record.toJson(false)));
    QCOMPARE(record.canonicalBytes(true), canonicalJson(record.toJson(true)));
    qsizetype at = -1;
    QByteArray line = record.canonicalBytes(false, &at);
    if (!record.hash.isEmpty()) {
        line.insert(at, QByteArrayLiteral(",\"hash\":\"") + record.hash.toLatin1() + '"');
        QCOMPARE(line, record.toLine());
    }
}

void TestAuditRecord::timestamp()
{
    const QDateTime t(QDate(2024, 2, 29), QTime(23, 59, 59, 7), Qt::UTC);
    QCOMPARE(formatTimestamp(t), QStringLiteral("2024-02-29T23:59:59.007Z"));
    QCOMPARE(parseTimestamp(QStringLiteral("2024-02-29T23:59:59.007Z")), t);
    QCOMPARE(parseTimestamp(QStringLiteral("2024-03-01T00:59:59.007+01:00")), t);
    QCOMPARE(parseTimestamp(QStringLiteral("2024-02-29T23:59:59Z")),
        QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59), Qt::UTC));
    QVERIFY(!parseTimestamp(QStringLiteral("yesterday")).isValid());
}

void TestAuditRecord::names()
{
    for (const Decision d : { Decision::Allow, Decision::Deny, Decision::ApprovalRequired, Decision::Approved,
             Decision::Denied, Decision::TimedOut }) {
        QCOMPARE(decisionFromName(decisionName(d)), d);
    }
    QCOMPARE(decisionName(Decision::TimedOut), QStringLiteral("timed-out"));
    QCOMPARE(decisionName(Decision::ApprovalRequired), QStringLiteral("approval-required"));
    for (const Event e : { Event::Decision, Event::Result, Event::Recovery, Event::Startup }) {
        QCOMPARE(eventFromName(eventName(e)), e);
    }
}

void TestAuditRecord::defaultPath_data()
{
    QTest::addColumn<QString>("tailops");
    QTest::addColumn<QString>("systemmanager");
    QTest::addColumn<QString>("logsDirectory");
    QTest::addColumn<QString>("xdgDataHome");
    QTest::addColumn<QString>("expected");
    QTest::newRow("TAILOPS_AUDIT_LOG") << "/a/t.jsonl"
                                       << "/b/s.log"
                                       << "/var/log/tailops"
                                       << "/x"
                                       << "/a/t.jsonl";
    QTest::newRow("SYSTEMMANAGER_AUDIT_LOG") << ""
                                             << "/b/s.log"
                                             << "/var/log/tailops"
                                             << "/x"
                                             << "/b/s.log";
    QTest::newRow("LOGS_DIRECTORY") << ""
                                    << ""
                                    << "/var/log/tailops"
                                    << "/x"
                                    << "/var/log/tailops/audit.jsonl";
    QTest::newRow("LOGS_DIRECTORY list") << ""
                                         << ""
                                         << "/var/log/a:/var/log/b"
                                         << "/x"
                                         << "/var/log/a/audit.jsonl";
    QTest::newRow("XDG_DATA_HOME") << ""
                                   << ""
                                   << ""
                                   << "/x"
                                   << "/x/tailops/audit.jsonl";
    QTest::newRow("home") << ""
                          << ""
                          << ""
                          << "" << QString(QDir::homePath() + QStringLiteral("/.local/share/tailops/audit.jsonl"));
}

void TestAuditRecord::defaultPath()
{
    QFETCH(QString, tailops);
    QFETCH(QString, systemmanager);
    QFETCH(QString, logsDirectory);
    QFETCH(QString, xdgDataHome);
    QFETCH(QString, expected);
    const auto set = [](const char *name, const QString &value) {
        if (value.isEmpty()) {
            qunsetenv(name);
        } else {
            qputenv(name, value.toUtf8());
        }
    };
    set("TAILOPS_AUDIT_LOG", tailops);
    set("SYSTEMMANAGER_AUDIT_LOG", systemmanager);
    set("LOGS_DIRECTORY", logsDirectory);
    set("XDG_DATA_HOME", xdgDataHome);
    QCOMPARE(defaultAuditPath(), expected);
}

void TestAuditRecord::rotatedNames()
{
    const QString log = QStringLiteral("/var/log/tailops/audit.jsonl");
    QCOMPARE(rotatedAuditPath(log, 4711), QStringLiteral("/var/log/tailops/audit.jsonl.000000004711"));
    QCOMPARE(rotatedFirstId(rotatedAuditPath(log, 4711), log), 4711);
    QVERIFY(!rotatedFirstId(auditHeadPath(log), log));
    QCOMPARE(activeAuditPath(rotatedAuditPath(log, 12)), log);
    QCOMPARE(activeAuditPath(log), log);
}

QTEST_GUILESS_MAIN(TestAuditRecord)
#include "tst_auditrecord.moc"
