// `tailops-gateway doctor`, the real binary: JSON that parses, exit code 0 on a healthy configuration, 1 when a
// check fails, 2 on a usage error; the text report shows the failure with its fix indented under it.
#include "doctortestsupport.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_DoctorCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exitCodes_data();
    void exitCodes();
    void textReport();
    void brokenConfigShownWithAnySection();

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run doctor(const QStringList &args);

    QString m_gateway;
};

void tst_DoctorCli::initTestCase()
{
    m_gateway = qEnvironmentVariable("TAILOPS_GATEWAY");
    QVERIFY2(QFileInfo::exists(m_gateway), "TAILOPS_GATEWAY names the tailops-gateway binary (set by tailops_add_test)");
}

tst_DoctorCli::Run tst_DoctorCli::doctor(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"TAILOPS_SHARED_SECRET"_s);
    env.remove(u"SYSTEMMANAGER_SHARED_SECRET"_s);
    p.setProcessEnvironment(env);
    p.start(m_gateway, QStringList { u"doctor"_s } + args);
    Run run;
    if (!p.waitForStarted(10000)) {
        return run;
    }
    if (!p.waitForFinished(60000)) {
        p.kill(); // by its PID, through QProcess
        p.waitForFinished(5000);
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

void tst_DoctorCli::exitCodes_data()
{
    QTest::addColumn<bool>("breakSecret");
    QTest::addColumn<int>("expectedExit");
    QTest::newRow("healthy") << false << 0;
    QTest::newRow("secret readable by others") << true << 1;
}

void tst_DoctorCli::exitCodes()
{
    QFETCH(bool, breakSecret);
    QFETCH(int, expectedExit);
    QTemporaryDir dir;
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    if (breakSecret) {
        QVERIFY(QFile::setPermissions(dir.path() + u"/secret"_s, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    }
    const Run run = doctor({ u"--config-dir"_s, dir.path(), u"--json"_s, u"--section"_s, u"configuration"_s, u"--section"_s,
                             u"authentication"_s, u"--section"_s, u"audit"_s });
    QVERIFY2(run.exitCode == expectedExit, qPrintable(QString::fromUtf8(run.out + run.err)));
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(doc.isObject(), qPrintable(error.errorString() + u": "_s + QString::fromUtf8(run.out)));
    const QJsonObject report = doc.object();
    QCOMPARE(report.value(u"ok"_s).toBool(), !breakSecret);
    QCOMPARE(report.value(u"config_dir"_s).toString(), dir.path());
    bool sawSecret = false;
    for (const QJsonValue &v : report.value(u"checks"_s).toArray()) {
        const QJsonObject c = v.toObject();
        const QString section = c.value(u"section"_s).toString();
        QVERIFY2(section == u"Configuration" || section == u"Authentication" || section == u"Audit", qPrintable(section));
        if (c.value(u"id"_s).toString() == u"auth.secret") {
            sawSecret = true;
            QCOMPARE(c.value(u"status"_s).toString(), breakSecret ? u"failed"_s : u"ok"_s);
            if (breakSecret) {
                QCOMPARE(c.value(u"fix"_s).toString(), u"chmod 600 "_s + dir.path() + u"/secret"_s);
            }
        }
    }
    QVERIFY(sawSecret);
    QCOMPARE(report.value(u"summary"_s).toObject().value(u"failed"_s).toInt(), breakSecret ? 1 : 0);
}

void tst_DoctorCli::textReport()
{
    QTemporaryDir dir;
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    QVERIFY(QFile::remove(dir.path() + u"/secret"_s));
    const Run run = doctor({ u"--config-dir"_s, dir.path(), u"--section"_s, u"auth"_s });
    QCOMPARE(run.exitCode, 1);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.startsWith(u"Authentication\n"_s), qPrintable(out));
    QVERIFY2(out.contains(u"  FAIL  Shared secret"_s), qPrintable(out));
    QVERIFY2(out.contains(u"\n        fix: (umask 077 && openssl rand -hex 32 > "_s + dir.path() + u"/secret)"_s), qPrintable(out));
    QVERIFY2(out.contains(u"1 failed"_s), qPrintable(out));

    QCOMPARE(doctor({ u"--section"_s, u"bogus"_s }).exitCode, 2);
    QCOMPARE(doctor({ u"--no-such-option"_s }).exitCode, 2);
    QCOMPARE(doctor({ u"--timeout"_s, u"0"_s }).exitCode, 2);
}

// A broken gateway.yaml is reported even when only another section is asked for: the others would check
// defaults in its place.
void tst_DoctorCli::brokenConfigShownWithAnySection()
{
    QTemporaryDir dir;
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    QFile f(dir.path() + u"/gateway.yaml"_s);
    QVERIFY(f.open(QIODevice::Append));
    f.write("listen: [: nonsense\n");
    f.close();
    const Run run = doctor({ u"--config-dir"_s, dir.path(), u"--section"_s, u"network"_s });
    QCOMPARE(run.exitCode, 1);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.startsWith(u"Configuration\n"_s), qPrintable(out));
    QVERIFY2(out.contains(u"FAIL  gateway.yaml"_s), qPrintable(out));
}

QTEST_GUILESS_MAIN(tst_DoctorCli)
#include "tst_doctorcli.moc"
