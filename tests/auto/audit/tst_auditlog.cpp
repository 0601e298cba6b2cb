// AuditLog: durable callbacks, group commit, redaction, the live ring, recovery after a crash (torn line,
// truncation), kill -9 while appending, and fail-closed behaviour when the disk is full.
#include "audit/auditfiles.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <atomic>
#include <csignal>
#include <sys/stat.h>

using namespace Tailops;
using namespace Tailops::Audit;

Q_DECLARE_METATYPE(Tailops::Audit::Durability)

class TestAuditLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void appendConfirmsInOrder_data();
    void appendConfirmsInOrder();
    void groupCommit();
    void fileModeAndHead();
    void redactsBeforeWriting();
    void liveRing();
    void recordIdsPersistAcrossRestarts();
    void tornLineRecovery();
    void truncationRecovery();
    void callbackContext();
    void refusedWhenNotOpen();
    void syslogForwarding();
    void killWhileAppending_data();
    void killWhileAppending();
    void diskFull();
};

namespace {

AuditRecord sample(int i)
{
    Auth::Caller caller;
    caller.transport = QStringLiteral("stdio");
    caller.agent = QStringLiteral("tester");
    return AuditRecord::makeDecision(caller, QString::number(i), QStringLiteral("list_targets"),
        QStringLiteral("local"), { { QStringLiteral("i"), i } }, Decision::Allow);
}

AuditLogOptions quiet(Durability durability = Durability::Group)
{
    AuditLogOptions o;
    o.durability = durability;
    o.startupRecord = false;
    return o;
}

QList<QJsonObject> readRecords(const QString &path)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.isEmpty()) {
                out.append(QJsonDocument::fromJson(line).object());
            }
        }
    }
    return out;
}

QString helper() { return QStringLiteral(AUDIT_HELPER); }

} // namespace

void TestAuditLog::initTestCase() { QVERIFY2(QFileInfo::exists(helper()), AUDIT_HELPER); }

void TestAuditLog::appendConfirmsInOrder_data()
{
    QTest::addColumn<Durability>("durability");
    QTest::newRow("fsync") << Durability::Fsync;
    QTest::newRow("group") << Durability::Group;
    QTest::newRow("none") << Durability::None;
}

void TestAuditLog::appendConfirmsInOrder()
{
    QFETCH(Durability, durability);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    AuditLog log(path, quiet(durability));
    QSignalSpy appended(&log, &AuditLog::recordAppended);
    QVERIFY(log.open());
    QList<qint64> confirmed;
    constexpr int n = 200;
    for (int i = 0; i < n; ++i) {
        const qint64 id = log.append(sample(i), this, [&confirmed, &path](const Core::Result<qint64> &r) {
            QVERIFY(r);
            // Durable means: on disk when the callback runs.
            QVERIFY(QFileInfo(path).size() > 0);
            confirmed.append(*r);
        });
        QCOMPARE(id, i + 1);
    }
    QTRY_COMPARE(confirmed.size(), n);
    for (int i = 0; i < n; ++i) {
        QCOMPARE(confirmed.at(i), i + 1);
    }
    QCOMPARE(appended.count(), n);
    QCOMPARE(appended.last().at(0).value<AuditRecord>().recordId, n);
    const AuditLogStats stats = log.stats();
    QCOMPARE(stats.records, quint64(n));
    if (durability == Durability::Fsync) {
        QCOMPARE(stats.syncs, quint64(n));
    } else if (durability == Durability::None) {
        QCOMPARE(stats.syncs, quint64(0));
    }
    log.close();
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QCOMPARE(report.records, n);
}

void TestAuditLog::groupCommit()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")), quiet(Durability::Group));
    QVERIFY(log.open());
    constexpr int n = 2000;
    int done = 0;
    for (int i = 0; i < n; ++i) {
        log.append(sample(i), this, [&done](const Core::Result<qint64> &r) { done += r ? 1 : 0; });
    }
    QVERIFY(log.flush());
    QTRY_COMPARE(done, n);
    const AuditLogStats stats = log.stats();
    QCOMPARE(stats.records, quint64(n));
    // Records that arrived while a sync was running were written and synced together.
    QVERIFY2(stats.syncs < quint64(n) / 4, qPrintable(QString::number(stats.syncs)));
    QCOMPARE(stats.writes, stats.syncs);
    qInfo("group commit: %d records in %llu syncs", n, static_cast<unsigned long long>(stats.syncs));
}

void TestAuditLog::fileModeAndHead()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/dir/audit.jsonl"));
    {
        AuditLog log(path, quiet());
        QVERIFY(log.open());
        for (int i = 0; i < 3; ++i) {
            log.append(sample(i));
        }
        QVERIFY(log.flush());
    }
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(::stat(QFile::encodeName(auditHeadPath(path)).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    const auto head = readAuditHead(auditHeadPath(path));
    QVERIFY(head && *head);
    QCOMPARE((*head)->recordId, 3);
    QCOMPARE((*head)->hash, readRecords(path).last().value(u"hash").toString());
    QCOMPARE((*head)->oldestRecordId, 1);
    QCOMPARE((*head)->oldestPrevHash, genesisHash());

    // A log file that others can read is tightened at open.
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    AuditLog log(path, quiet());
    const auto report = log.open();
    QVERIFY(report);
    QVERIFY(report->diagnostics.join(u' ').contains(u"0600"));
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
}

void TestAuditLog::redactsBeforeWriting()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    AuditLog log(path, quiet());
    QVERIFY(log.open());
    AuditRecord r = sample(1);
    r.args = { { QStringLiteral("password"), QStringLiteral("hunter2") },
        { QStringLiteral("command"), QStringLiteral("curl -H 'Authorization: Bearer s3cr3tT0k3nValue' x") } };
    r.error = QStringLiteral("clone of https://bot:gh-pass-99@git.example.com failed");
    log.append(r);
    QVERIFY(log.flush());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray content = f.readAll();
    QVERIFY(!content.contains("hunter2"));
    QVERIFY(!content.contains("s3cr3tT0k3nValue"));
    QVERIFY(!content.contains("gh-pass-99"));
    QVERIFY(content.contains("[REDACTED]"));
    QVERIFY(!log.records().constFirst().args.value(u"password").toString().contains(u"hunter2"));
}

void TestAuditLog::liveRing()
{
    QTemporaryDir dir;
    AuditLogOptions options = quiet();
    options.ringCapacity = 50;
    AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")), options);
    QSignalSpy appended(&log, &AuditLog::recordAppended);
    QVERIFY(log.open());
    for (int i = 0; i < 120; ++i) {
        log.append(sample(i));
    }
    QVERIFY(log.flush());
    QCOMPARE(log.lastRecordId(), 120);
    const QList<AuditRecord> all = log.records();
    QCOMPARE(all.size(), 50);
    QCOMPARE(all.first().recordId, 71);
    QCOMPARE(all.last().recordId, 120);
    const QList<AuditRecord> since = log.records(100);
    QCOMPARE(since.size(), 20);
    QCOMPARE(since.first().recordId, 101);
    QVERIFY(log.records(120).isEmpty());
    QTRY_COMPARE(appended.count(), 120);
    for (int i = 0; i < appended.count(); ++i) {
        QCOMPARE(appended.at(i).at(0).value<AuditRecord>().recordId, i + 1);
    }
}

void TestAuditLog::recordIdsPersistAcrossRestarts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    for (int round = 0; round < 3; ++round) {
        AuditLog log(path); // with startup records
        const auto report = log.open();
        QVERIFY(report);
        QCOMPARE(report->lastRecordId, qint64(round) * 6);
        for (int i = 0; i < 5; ++i) {
            log.append(sample(i));
        }
        QVERIFY(log.flush());
        QCOMPARE(log.lastRecordId(), qint64(round + 1) * 6);
    }
    const QList<QJsonObject> records = readRecords(path);
    QCOMPARE(records.size(), 18);
    QCOMPARE(records.at(6).value(u"event").toString(), QStringLiteral("startup"));
    QCOMPARE(records.at(6).value(u"record_id").toInteger(), 7);
    QCOMPARE(records.at(6).value(u"details").toObject().value(u"last_record_id").toInteger(), 6);
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
}

void TestAuditLog::tornLineRecovery()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    {
        AuditLog log(path, quiet());
        QVERIFY(log.open());
        for (int i = 0; i < 5; ++i) {
            log.append(sample(i));
        }
        QVERIFY(log.flush());
    }
    const QByteArray torn = R"({"args":{"i":5},"decision":"allow","event":"decis)";
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write(torn);
    }
    QCOMPARE(verifyAuditLog(path).kind, Breakage::TornLine);

    AuditLog log(path, quiet());
    const auto report = log.open();
    QVERIFY(report);
    QVERIFY(report->recovered);
    QVERIFY2(report->diagnostics.join(u' ').contains(u"torn last line"), qPrintable(report->diagnostics.join(u' ')));
    QCOMPARE(report->lastRecordId, 5);
    log.append(sample(6));
    QVERIFY(log.flush());
    log.close();
    const QList<QJsonObject> records = readRecords(path);
    QCOMPARE(records.size(), 7);
    const QJsonObject recovery = records.at(5);
    QCOMPARE(recovery.value(u"event").toString(), QStringLiteral("recovery"));
    QCOMPARE(recovery.value(u"record_id").toInteger(), 6);
    QCOMPARE(recovery.value(u"details").toObject().value(u"torn_bytes").toInteger(), torn.size());
    QCOMPARE(recovery.value(u"details").toObject().value(u"torn_sha256").toString(), sha256Hex(torn));
    const VerifyReport verified = verifyAuditLog(path);
    QVERIFY2(verified.ok, qPrintable(verified.message));
    QCOMPARE(verified.records, 7);
}

void TestAuditLog::truncationRecovery()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    {
        AuditLog log(path, quiet());
        QVERIFY(log.open());
        for (int i = 0; i < 10; ++i) {
            log.append(sample(i));
        }
        QVERIFY(log.flush());
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = f.readAll().split('\n');
    f.close();
    lines.resize(7);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(lines.join('\n') + '\n');
    f.close();
    QCOMPARE(verifyAuditLog(path).kind, Breakage::TruncatedVsHead);

    AuditLog log(path, quiet());
    const auto report = log.open();
    QVERIFY(report);
    QVERIFY(report->recovered);
    QVERIFY2(report->diagnostics.join(u' ').contains(u"records 8-10 are missing"),
        qPrintable(report->diagnostics.join(u' ')));
    QVERIFY(log.flush());
    log.close();
    const QList<QJsonObject> records = readRecords(path);
    QCOMPARE(records.size(), 8);
    // Record ids are never reused: the recovery record is 11 and declares 8-10 missing.
    const QJsonObject recovery = records.last();
    QCOMPARE(recovery.value(u"record_id").toInteger(), 11);
    QCOMPARE(recovery.value(u"details").toObject().value(u"missing_from").toInteger(), 8);
    QCOMPARE(recovery.value(u"details").toObject().value(u"missing_to").toInteger(), 10);
    const VerifyReport verified = verifyAuditLog(path);
    QVERIFY2(verified.ok, qPrintable(verified.message));
    QVERIFY(verified.notes.join(u' ').contains(u"records 8-10 missing"));
}

void TestAuditLog::callbackContext()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")), quiet());
    QVERIFY(log.open());

    // A context destroyed before the record is durable: no callback.
    bool called = false;
    auto *gone = new QObject;
    log.append(sample(1), gone, [&called](const Core::Result<qint64> &) { called = true; });
    delete gone;
    QVERIFY(log.flush());
    QTest::qWait(50);
    QVERIFY(!called);

    // A context on another thread: the callback runs there.
    QThread thread;
    auto *worker = new QObject;
    worker->moveToThread(&thread);
    thread.start();
    std::atomic<QThread *> ranOn { nullptr };
    log.append(sample(2), worker, [&ranOn](const Core::Result<qint64> &r) {
        if (r) {
            ranOn = QThread::currentThread();
        }
    });
    QTRY_VERIFY(ranOn.load() != nullptr);
    QCOMPARE(ranOn.load(), &thread);
    QMetaObject::invokeMethod(
        worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();

    // Without a context: on the log's thread.
    QThread *plain = nullptr;
    log.append(sample(3), nullptr, [&plain](const Core::Result<qint64> &) { plain = QThread::currentThread(); });
    QTRY_VERIFY(plain != nullptr);
    QCOMPARE(plain, QThread::currentThread());
}

void TestAuditLog::refusedWhenNotOpen()
{
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")), quiet());
    std::optional<Core::Result<qint64>> result;
    QCOMPARE(log.append(sample(1), this, [&result](const Core::Result<qint64> &r) { result = r; }), 0);
    QTRY_VERIFY(result.has_value());
    QVERIFY(!*result);
    QVERIFY(result->error().message.contains(u"not open"));
}

void TestAuditLog::syslogForwarding()
{
    QTemporaryDir dir;
    AuditLogOptions options = quiet();
    options.syslog = true;
    AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")), options);
    QVERIFY(log.open());
    bool ok = false;
    log.append(sample(1), this, [&ok](const Core::Result<qint64> &r) { ok = bool(r); });
    QTRY_VERIFY(ok);
}

void TestAuditLog::killWhileAppending_data()
{
    QTest::addColumn<QString>("durability");
    QTest::newRow("group") << "group";
    QTest::newRow("fsync") << "fsync";
}

void TestAuditLog::killWhileAppending()
{
    QFETCH(QString, durability);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    QProcess child;
    child.start(helper(), { QStringLiteral("loop"), path, durability, QStringLiteral("32") });
    QVERIFY(child.waitForStarted());
    QSet<qint64> confirmed;
    QByteArray pending;
    const auto collect = [&] {
        pending += child.readAllStandardOutput();
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(nl);
            pending.remove(0, nl + 1);
            bool ok = false;
            const qint64 id = line.toLongLong(&ok);
            QVERIFY2(ok, line.constData());
            confirmed.insert(id);
        }
    };
    QElapsedTimer timer;
    timer.start();
    while (confirmed.size() < 400 && timer.elapsed() < 60000) {
        child.waitForReadyRead(1000);
        collect();
    }
    QVERIFY2(confirmed.size() >= 400, qPrintable(QString::number(confirmed.size())));
    ::kill(pid_t(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    collect(); // ids printed before the kill were confirmed too

    // Every confirmed id is in the file.
    QSet<qint64> inFile;
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty()) {
            inFile.insert(o.value(u"record_id").toInteger());
        }
    }
    for (const qint64 id : std::as_const(confirmed)) {
        QVERIFY2(inFile.contains(id), qPrintable(QStringLiteral("confirmed record %1 is not in the file").arg(id)));
    }
    qInfo("%s: %lld confirmed, %lld in the file", qPrintable(durability), qint64(confirmed.size()),
        qint64(inFile.size()));

    // After recovery (torn line removed if the kill cut one) the chain verifies.
    {
        AuditLog log(path);
        const auto report = log.open();
        QVERIFY(report);
        QVERIFY(log.flush());
    }
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    QVERIFY(report.records >= confirmed.size());
}

void TestAuditLog::diskFull()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    constexpr qint64 limit = 64 * 1024;
    QProcess child;
    child.start(helper(), { QStringLiteral("diskfull"), path, QString::number(limit) });
    QVERIFY(child.waitForFinished(60000));
    const QString output = QString::fromUtf8(child.readAllStandardOutput());
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
        qPrintable(output + QString::fromUtf8(child.readAllStandardError())));
    const QStringList lines = output.split(u'\n', Qt::SkipEmptyParts);
    auto find = [&lines](const QString &prefix) {
        for (const QString &l : lines) {
            if (l.startsWith(prefix)) {
                return l.mid(prefix.size());
            }
        }
        return QString();
    };
    qInfo().noquote() << output;
    // The failed() signal came, with the reason.
    QVERIFY2(find(QStringLiteral("failed-signal: ")).contains(u"File too large"), qPrintable(output));
    // Some records fitted, then the append that did not fit reported a clear error...
    QVERIFY(find(QStringLiteral("confirmed: ")).toInt() > 50);
    QVERIFY2(find(QStringLiteral("error: ")).contains(u"audit record not written: write: File too large"),
        qPrintable(output));
    QVERIFY(find(QStringLiteral("error: ")).contains(u"File too large"));
    // ...and every later one was refused (fail closed) until reopen().
    QVERIFY2(find(QStringLiteral("refused: ")).contains(u"unavailable"), qPrintable(output));
    QCOMPARE(find(QStringLiteral("reopen: ")), QStringLiteral("ok"));
    QVERIFY(find(QStringLiteral("after-reopen: ")).toLongLong() > 0);

    // The failed record was taken back: nothing half-written, the chain verifies, the reopen is recorded.
    const VerifyReport report = verifyAuditLog(path);
    QVERIFY2(report.ok, qPrintable(report.message));
    const QList<QJsonObject> records = readRecords(path);
    QCOMPARE(records.size(), find(QStringLiteral("confirmed: ")).toInt() + 3); // + startup, recovery, after-reopen
    const QJsonObject recovery = records.at(records.size() - 2);
    QCOMPARE(recovery.value(u"event").toString(), QStringLiteral("recovery"));
    QVERIFY(recovery.value(u"details").toObject().value(u"failure").toString().contains(u"File too large"));
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
