// Fault injection on the audit log, through the real gateway: its disk fills up while it serves, either as
// a file-size limit (RLIMIT_FSIZE set on the running gateway: writes fail with EFBIG) or as a full tmpfs
// (ENOSPC). Calls must then be refused with a clear error instead of running unaudited, the gateway must
// not crash or hang, and every call answered before has its records. When space returns, the running
// gateway's behaviour is reported (the design fails closed until the log is reopened); after a restart on
// the same files calls work again and `tailops-gateway audit verify` passes.
#include "faultsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QScopeGuard>
#include <QTest>

#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using namespace Faults;

class TestFaultsAudit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void auditDiskFull_data();
    void auditDiskFull();
    void cleanup();

private:
    QString m_mounted;
};

void TestFaultsAudit::cleanup()
{
    if (!m_mounted.isEmpty()) {
        ::umount2(QFile::encodeName(m_mounted).constData(), MNT_DETACH);
        m_mounted.clear();
    }
}

void TestFaultsAudit::auditDiskFull_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("file-size limit (EFBIG)") << u"fsize"_s;
    QTest::newRow("tmpfs full (ENOSPC)") << u"tmpfs"_s;
}

void TestFaultsAudit::auditDiskFull()
{
    QFETCH(QString, how);
    QTemporaryDir dir(QDir::tempPath() + u"/tfa-XXXXXX"_s);
    QVERIFY(dir.isValid());
    const QString d = dir.path();
    QString auditDir = d + u"/audit"_s;
    QVERIFY(QDir().mkpath(auditDir));
    if (how == u"tmpfs") {
        if (geteuid() != 0) {
            QSKIP("needs root to mount a tmpfs");
        }
        if (::mount("tmpfs", QFile::encodeName(auditDir).constData(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") != 0) {
            QSKIP(qPrintable(u"cannot mount a tmpfs: "_s + QString::fromLocal8Bit(strerror(errno))));
        }
        m_mounted = auditDir;
    }
    // Unmounted before the temporary directory is removed (cleanup() catches a failure before this line).
    const auto unmount = qScopeGuard([this] { cleanup(); });
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, gatewayYaml(d, {})));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, "version: \"1.0\"\n"
                                              "targets:\n"
                                              "  local:\n"
                                              "    type: local\n"
                                              "    capabilities: [system:read, file:read]\n"
                                              "    constraints: {timeout: 30, concurrency: 16}\n"));
    FaultGateway gw;
    gw.configDir = d;
    gw.sharedSecret = u"faults-audit-secret-0123456789abcdef012"_s;
    gw.auditPath = auditDir + u"/audit.jsonl"_s;
    QVERIFY2(gw.open(), qPrintable(gw.openError()));
    const qint64 pid = gw.processId();
    const QJsonObject args { { u"target"_s, u"local"_s }, { u"path"_s, u"/tmp"_s } };
    QStringList answered; // calls that ran and were answered
    int seq = 0;
    const auto nextId = [&] { return u"audit-%1-%2"_s.arg(how).arg(++seq); };
    for (int i = 0; i < 3; ++i) {
        const QString id = nextId();
        const HttpResponse r = gw.call(id, u"get_disk_usage"_s, args);
        QVERIFY2(succeeded(r), qPrintable(brief(r)));
        answered.append(id);
    }
    QTest::qWait(300);
    const ProcStats baseline = procStats(pid);

    // The disk fills up.
    QFile filler(auditDir + u"/filler"_s);
    if (how == u"fsize") {
        const qint64 size = QFileInfo(gw.auditPath).size();
        rlimit limit {};
        QVERIFY(::prlimit(pid_t(pid), RLIMIT_FSIZE, nullptr, &limit) == 0);
        limit.rlim_cur = rlim_t(size); // the soft limit only: it can be raised again without privileges
        QVERIFY2(::prlimit(pid_t(pid), RLIMIT_FSIZE, &limit, nullptr) == 0, strerror(errno));
    } else {
        QVERIFY(filler.open(QIODevice::WriteOnly));
        const QByteArray block(4096, 'x');
        while (filler.write(block) == block.size() && filler.flush()) {
        }
        filler.close();
        QVERIFY(QFileInfo(filler).size() > 0);
    }
    const qint64 sizeAtFull = QFileInfo(gw.auditPath).size();

    // Calls are refused, clearly and quickly; the gateway stays up.
    QStringList refusedIds;
    std::vector<std::unique_ptr<AsyncCall>> calls;
    for (int i = 0; i < 5; ++i) {
        calls.push_back(gw.callAsync(nextId(), u"get_disk_usage"_s, args));
    }
    for (const auto &c : calls) {
        QVERIFY2(c->wait(20000), qPrintable(c->id()));
        QVERIFY2(c->isAnswered(), qPrintable(c->id() + u": "_s + c->error()));
        const HttpResponse &r = c->response();
        qInfo("%s: %lld ms: %s", qPrintable(c->id()), c->elapsedMs(), qPrintable(brief(r)));
        if (succeeded(r)) {
            answered.append(c->id()); // its records fitted (must be in the log)
            continue;
        }
        QVERIFY2(r.text().contains(u"Refusing to act unaudited"_s), qPrintable(brief(r)));
        refusedIds.append(c->id());
    }
    QVERIFY2(!refusedIds.isEmpty(), "no call was refused although the audit log cannot be written");
    QVERIFY(gw.state() == QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(gw.log().contains("AUDIT LOG FAILED"), 5000);
    qInfo("gateway log: %s", qPrintable(QString::fromUtf8(gw.log().mid(gw.log().indexOf("AUDIT LOG FAILED") - 40, 400))));
    qInfo("audit log: %lld bytes when the disk filled up, %lld bytes now", sizeAtFull, QFileInfo(gw.auditPath).size());
    const ProcStats full = settle(pid, baseline, 1, 1);
    qInfo("disk full: before %s; after %s", qPrintable(baseline.toString()), qPrintable(full.toString()));
    QVERIFY2(full.threads <= baseline.threads + 1, qPrintable(full.toString()));
    QVERIFY2(full.sockets <= baseline.sockets + 1, qPrintable(full.toString()));

    // Space returns while it runs.
    if (how == u"fsize") {
        rlimit limit {};
        QVERIFY(::prlimit(pid_t(pid), RLIMIT_FSIZE, nullptr, &limit) == 0);
        limit.rlim_cur = limit.rlim_max;
        QVERIFY2(::prlimit(pid_t(pid), RLIMIT_FSIZE, &limit, nullptr) == 0, strerror(errno));
    } else {
        QVERIFY(filler.remove());
    }
    QTest::qWait(500);
    const QString againId = nextId();
    const HttpResponse again = gw.call(againId, u"get_disk_usage"_s, args);
    QVERIFY2(again.status != 0, "no answer after space returned");
    if (succeeded(again)) {
        qInfo("after space returned, the running gateway serves again: %s", qPrintable(brief(again, 120)));
        answered.append(againId);
    } else {
        qInfo("after space returned, the running gateway still refuses (fails closed until restarted): %s", qPrintable(brief(again)));
        QVERIFY2(again.text().contains(u"Refusing to act unaudited"_s), qPrintable(brief(again)));
    }
    QStringList problems = auditProblems(gw.auditPath, answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

    // A restart on the same files: the log is repaired if need be, calls work, the chain verifies.
    gw.stop();
    QVERIFY2(gw.exitStatus() == QProcess::NormalExit, "the gateway did not stop cleanly");
    QVERIFY2(gw.open(), qPrintable(gw.openError()));
    const QString afterRestart = nextId();
    const HttpResponse r = gw.call(afterRestart, u"get_disk_usage"_s, args);
    QVERIFY2(succeeded(r), qPrintable(brief(r)));
    answered.append(afterRestart);
    problems = auditProblems(gw.auditPath, answered);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    for (const QString &id : std::as_const(refusedIds)) {
        QVERIFY2(auditRecord(gw.auditPath, id, u"result"_s).isEmpty(), qPrintable(id)); // refused calls never ran
    }
    gw.stop();
    const auto [code, out] = auditVerify(gw.auditPath);
    qInfo("audit verify: %s", out.trimmed().constData());
    QVERIFY2(code == 0, out.constData());
}

QTEST_GUILESS_MAIN(TestFaultsAudit)
#include "tst_faults_audit.moc"
