// The hash chain: every kind of tampering is found, with the right record number; rotation keeps the chain.
#include "audit/auditfiles.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Tailops;
using namespace Tailops::Audit;

Q_DECLARE_METATYPE(Tailops::Audit::Breakage)

class TestAuditVerifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void intact();
    void tampering_data();
    void tampering();
    void noHeadAnchorsAtFirstRecord();
    void rotationBySizeKeepsChain();
    void tamperInRotatedFile();
    void missingRotatedFile();
    void retention();
    void rotationByAge();
};

namespace {

constexpr int kRecords = 10;

AuditRecord sample(int i, const QDateTime &t = {})
{
    AuditRecord r;
    r.event = i % 2 ? Event::Result : Event::Decision;
    r.subject = QStringLiteral("agent-%1").arg(i % 3);
    r.tool = QStringLiteral("tool-%1").arg(i);
    r.target = QStringLiteral("web%1").arg(i % 4);
    r.requestId = QString::number(i);
    r.args = { { QStringLiteral("n"), i }, { QStringLiteral("text"), QStringLiteral("some argument text %1").arg(i) } };
    if (r.event == Event::Decision) {
        r.decision = Decision::Allow;
    } else {
        r.resultStatus = QStringLiteral("success");
        r.durationMs = i;
    }
    r.timestamp = t;
    return r;
}

// Writes COUNT records (ids 1..COUNT) into DIR/audit.jsonl.
QString writeLog(
    const QString &dir, int count, AuditLogOptions options = {}, const QDateTime &start = {}, int secondsApart = 0)
{
    const QString path = dir + QStringLiteral("/audit.jsonl");
    options.startupRecord = false;
    AuditLog log(path, options);
    const auto opened = log.open();
    if (!opened) {
        qWarning() << opened.error().toString();
        return {};
    }
    for (int i = 1; i <= count; ++i) {
        log.append(sample(i, start.isValid() ? start.addSecs(qint64(i) * secondsApart) : QDateTime()));
    }
    log.flush();
    log.close();
    return path;
}

QList<QByteArray> readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty()) {
        lines.removeLast();
    }
    return lines;
}

void writeLines(const QString &path, const QList<QByteArray> &lines, bool finalNewline = true)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QByteArray all = lines.join('\n');
    if (finalNewline) {
        all.append('\n');
    }
    f.write(all);
}

QByteArray rehashed(const QByteArray &line, const QString &key, const QJsonValue &value)
{
    QJsonObject o = QJsonDocument::fromJson(line).object();
    o.insert(key, value);
    o.insert(QStringLiteral("hash"), hashOfJson(o));
    return canonicalJson(o);
}

} // namespace

void TestAuditVerifier::intact()
{
    QTemporaryDir dir;
    const QString path = writeLog(dir.path(), kRecords);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QCOMPARE(report.records, kRecords);
    QCOMPARE(report.summary(), QStringLiteral("OK: 10 records, chain intact"));
    QCOMPARE(readLines(path).size(), kRecords);
    // The first record starts at the genesis hash; each one carries the previous hash.
    const QList<QByteArray> lines = readLines(path);
    QString prev = genesisHash();
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value(u"prev_hash").toString(), prev);
        QCOMPARE(hashOfJson(o), o.value(u"hash").toString());
        QCOMPARE(canonicalJson(o), line); // lines are written in canonical form
        prev = o.value(u"hash").toString();
    }
}

void TestAuditVerifier::tampering_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<Breakage>("kind");
    QTest::addColumn<qint64>("record");

    QTest::newRow("edit a field") << "edit" << Breakage::Edited << qint64(5);
    QTest::newRow("edit a field and re-hash") << "edit-rehash" << Breakage::Edited << qint64(5);
    QTest::newRow("edit the first record and re-hash") << "edit-first-rehash" << Breakage::Edited << qint64(1);
    QTest::newRow("delete a line") << "delete" << Breakage::Removed << qint64(5);
    QTest::newRow("delete two lines") << "delete-two" << Breakage::Removed << qint64(5);
    QTest::newRow("delete the first line") << "delete-first" << Breakage::Removed << qint64(1);
    QTest::newRow("swap two lines") << "swap" << Breakage::Reordered << qint64(4);
    QTest::newRow("duplicate a line") << "duplicate" << Breakage::Reordered << qint64(5);
    QTest::newRow("truncate the newest records") << "truncate" << Breakage::TruncatedVsHead << qint64(8);
    QTest::newRow("torn last line") << "torn" << Breakage::TornLine << qint64(10);
    QTest::newRow("garbage line") << "garbage" << Breakage::Malformed << qint64(4);
    QTest::newRow("edit the head") << "head" << Breakage::Edited << qint64(10);
}

void TestAuditVerifier::tampering()
{
    QFETCH(QString, how);
    QFETCH(Breakage, kind);
    QFETCH(qint64, record);
    QTemporaryDir dir;
    const QString path = writeLog(dir.path(), kRecords);
    QList<QByteArray> lines = readLines(path);
    QCOMPARE(lines.size(), kRecords);
    bool newline = true;
    if (how == u"edit") {
        lines[4].replace("\"tool\":\"tool-5\"", "\"tool\":\"tool-X\"");
    } else if (how == u"edit-rehash") {
        lines[4] = rehashed(lines[4], QStringLiteral("subject"), QStringLiteral("mallory"));
    } else if (how == u"edit-first-rehash") {
        lines[0] = rehashed(lines[0], QStringLiteral("tool"), QStringLiteral("rm"));
    } else if (how == u"delete") {
        lines.removeAt(4);
    } else if (how == u"delete-two") {
        lines.remove(4, 2);
    } else if (how == u"delete-first") {
        lines.removeFirst();
    } else if (how == u"swap") {
        lines.swapItemsAt(3, 4);
    } else if (how == u"duplicate") {
        lines.insert(7, lines.at(4));
    } else if (how == u"truncate") {
        lines.resize(7);
    } else if (how == u"torn") {
        lines.last().chop(20);
        newline = false;
    } else if (how == u"garbage") {
        lines.insert(3, "this is not a record");
    } else if (how == u"head") {
        QFile head(auditHeadPath(path));
        QVERIFY(head.open(QIODevice::ReadOnly));
        QJsonObject o = QJsonDocument::fromJson(head.readAll()).object();
        head.close();
        QCOMPARE(o.value(u"record_id").toInteger(), kRecords);
        o.insert(QStringLiteral("hash"), QString(64, u'f'));
        QVERIFY(head.open(QIODevice::WriteOnly | QIODevice::Truncate));
        head.write(QJsonDocument(o).toJson());
    }
    writeLines(path, lines, newline);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY(!report.ok);
    QVERIFY2(report.kind == kind, qPrintable(report.message));
    QCOMPARE(report.brokenRecord, record);
    QVERIFY(report.summary().startsWith(u"BROKEN: record "));
    QVERIFY2(report.message.contains(QStringLiteral("record %1").arg(record)), qPrintable(report.message));
    qInfo().noquote() << report.summary();
}

void TestAuditVerifier::noHeadAnchorsAtFirstRecord()
{
    QTemporaryDir dir;
    const QString path = writeLog(dir.path(), kRecords);
    QList<QByteArray> lines = readLines(path);
    lines.remove(0, 3);
    writeLines(path, lines);
    // Without the head, a log that starts later is accepted as anchored there, with a note.
    const VerifyReport report = verifyAudit({ path });
    QVERIFY2(report.ok, qPrintable(report.message));
    QCOMPARE(report.records, kRecords - 3);
    QVERIFY(report.notes.join(u' ').contains(u"anchored at record 4"));
    // With it, the missing start is found.
    const VerifyReport withHead = verifyAudit({ path }, auditHeadPath(path));
    QVERIFY(!withHead.ok);
    QCOMPARE(withHead.kind, Breakage::Removed);
    QCOMPARE(withHead.brokenRecord, 1);
}

void TestAuditVerifier::rotationBySizeKeepsChain()
{
    QTemporaryDir dir;
    AuditLogOptions options;
    options.maxFileBytes = 2000;
    options.keepFiles = 0;
    const QString path = writeLog(dir.path(), 60, options);
    const QStringList files = auditFiles(path);
    QVERIFY2(files.size() >= 10, qPrintable(files.join(u' ')));
    QCOMPARE(files.last(), path);
    QString prevLast;
    qint64 total = 0;
    for (const QString &file : files) {
        QVERIFY(QFileInfo(file).size() <= options.maxFileBytes);
        const QList<QByteArray> lines = readLines(file);
        QVERIFY(!lines.isEmpty());
        const QJsonObject first = QJsonDocument::fromJson(lines.first()).object();
        if (file != path) {
            QCOMPARE(rotatedFirstId(file, path), first.value(u"record_id").toInteger());
        }
        if (!prevLast.isEmpty()) {
            QCOMPARE(first.value(u"prev_hash").toString(), prevLast); // the chain crosses the files
        }
        prevLast = QJsonDocument::fromJson(lines.last()).object().value(u"hash").toString();
        total += lines.size();
    }
    QCOMPARE(total, 60);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QCOMPARE(report.records, 60);

    // Reopening continues the chain in the active file.
    {
        AuditLog log(path, options);
        QVERIFY(log.open());
        log.append(sample(61));
        log.flush();
    }
    const VerifyReport again = verifyAuditLog(path);
    QVERIFY2(again.ok, qPrintable(again.message));
    QCOMPARE(again.records, 62); // + startup record
}

void TestAuditVerifier::tamperInRotatedFile()
{
    QTemporaryDir dir;
    AuditLogOptions options;
    options.maxFileBytes = 2000;
    options.keepFiles = 0;
    const QString path = writeLog(dir.path(), 40, options);
    const QStringList files = auditFiles(path);
    QVERIFY(files.size() >= 4);
    const QString victim = files.at(2);
    QList<QByteArray> lines = readLines(victim);
    const qint64 id = QJsonDocument::fromJson(lines.at(1)).object().value(u"record_id").toInteger();
    lines[1] = rehashed(lines[1], QStringLiteral("target"), QStringLiteral("elsewhere"));
    writeLines(victim, lines);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY(!report.ok);
    QCOMPARE(report.kind, Breakage::Edited);
    QCOMPARE(report.brokenRecord, id);
}

void TestAuditVerifier::missingRotatedFile()
{
    QTemporaryDir dir;
    AuditLogOptions options;
    options.maxFileBytes = 2000;
    options.keepFiles = 0;
    const QString path = writeLog(dir.path(), 40, options);
    const QStringList files = auditFiles(path);
    QVERIFY(files.size() >= 4);
    const qint64 firstMissing = *rotatedFirstId(files.at(1), path);
    QVERIFY(QFile::remove(files.at(1)));
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY(!report.ok);
    QCOMPARE(report.kind, Breakage::Removed);
    QCOMPARE(report.brokenRecord, firstMissing);
}

void TestAuditVerifier::retention()
{
    QTemporaryDir dir;
    AuditLogOptions options;
    options.maxFileBytes = 2000;
    options.keepFiles = 3;
    const QString path = writeLog(dir.path(), 60, options);
    const QStringList files = auditFiles(path);
    QCOMPARE(files.size(), 4); // 3 rotated + the active one
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QVERIFY(report.records < 60);
    // Deleting the oldest kept file is not retention: the head's anchor names its first record.
    const qint64 oldest = *rotatedFirstId(files.first(), path);
    QVERIFY(QFile::remove(files.first()));
    const VerifyReport broken = verifyAuditLog(path);
    QVERIFY(!broken.ok);
    QCOMPARE(broken.kind, Breakage::Removed);
    QCOMPARE(broken.brokenRecord, oldest);
}

void TestAuditVerifier::rotationByAge()
{
    QTemporaryDir dir;
    AuditLogOptions options;
    options.maxFileBytes = 0;
    options.maxFileAgeSeconds = 3600;
    options.keepFiles = 0;
    const QDateTime start(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    // One record every 25 minutes: a new file when the first record of the current one is an hour old.
    const QString path = writeLog(dir.path(), 10, options, start, 25 * 60);
    const QStringList files = auditFiles(path);
    QCOMPARE(files.size(), 4); // records 1-3 | 4-6 | 7-9 | 10 (record i is at i * 25 min)
    QCOMPARE(*rotatedFirstId(files.at(1), path), 4);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QCOMPARE(report.records, 10);
}

QTEST_GUILESS_MAIN(TestAuditVerifier)
#include "tst_auditverifier.moc"
