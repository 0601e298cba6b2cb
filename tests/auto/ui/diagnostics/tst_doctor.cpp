// The doctor's checks against real temporary configurations: a healthy one passes, and each thing the
// troubleshooting guide names, broken on purpose, fails with a fix that names it.
#include "doctor/doctor.h"
#include "doctortestsupport.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTest>

#include <unistd.h>

using namespace Tailops;
using namespace Qt::StringLiterals;

namespace {

const Doctor::CheckResult *find(const QList<Doctor::CheckResult> &results, const QString &id)
{
    for (const auto &r : results) {
        if (r.id == id) {
            return &r;
        }
    }
    return nullptr;
}

QString dump(const QList<Doctor::CheckResult> &results)
{
    return Doctor::formatReport(results);
}

} // namespace

class tst_Doctor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void healthyConfigurationPasses();
    void brokenThingFails_data();
    void brokenThingFails();
    void progressStreamsEveryResult();
    void sectionsAndReport();
};

void tst_Doctor::initTestCase()
{
    // The secret must come from the file, not from the environment of whoever runs the tests.
    qunsetenv("TAILOPS_SHARED_SECRET");
    qunsetenv("SYSTEMMANAGER_SHARED_SECRET");
}

void tst_Doctor::healthyConfigurationPasses()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    const Config::GatewayConfig config = Doctor::loadConfig(dir.path());
    const auto results = Doctor::runChecks(config, { Doctor::Section::Configuration, Doctor::Section::Authentication,
                                                     Doctor::Section::Audit, Doctor::Section::Network });
    for (const QString &id : { u"config.directory"_s, u"config.gateway-yaml"_s, u"config.targets-yaml"_s, u"config.policy-yaml"_s,
                               u"auth.secret"_s, u"auth.tokens"_s, u"audit.directory"_s, u"audit.file"_s,
                               u"network.listen:127.0.0.1:0"_s }) {
        const auto *r = find(results, id);
        QVERIFY2(r, qPrintable(id + u" missing:\n"_s + dump(results)));
        QVERIFY2(r->status == Doctor::Status::Ok, qPrintable(id + u":\n"_s + dump(results)));
        QVERIFY(r->fix.isEmpty());
    }
    // Not used in token mode: skipped, never failed.
    QCOMPARE(find(results, u"auth.oauth-issuer"_s)->status, Doctor::Status::Skipped);
    QCOMPARE(Doctor::summarize(results).failed, 0);
}

void tst_Doctor::brokenThingFails_data()
{
    QTest::addColumn<QString>("breakage");
    QTest::addColumn<QString>("checkId");
    QTest::addColumn<QString>("fixNames"); // the fix must contain this ("%DIR%" is the config directory)

    QTest::newRow("secret mode 0644") << u"secret-0644"_s << u"auth.secret"_s << u"chmod 600 %DIR%/secret"_s;
    QTest::newRow("secret missing") << u"secret-missing"_s << u"auth.secret"_s << u"openssl rand -hex 32 > %DIR%/secret"_s;
    QTest::newRow("bad YAML in targets.yaml") << u"targets-yaml"_s << u"config.targets-yaml"_s << u"%DIR%/targets.yaml"_s;
    QTest::newRow("identity file mode 0644") << u"key-0644"_s << u"targets.ssh-key:web1"_s << u"chmod 600 %DIR%/id_web1"_s;
    QTest::newRow("identity file missing") << u"key-missing"_s << u"targets.ssh-key:web1"_s << u"%DIR%/id_web1"_s;
    QTest::newRow("audit dir not writable") << u"audit-dir"_s << u"audit.directory"_s << u"audit.path"_s;
    QTest::newRow("listen port taken") << u"port-taken"_s << u"network.listen:127.0.0.1:%PORT%"_s << u"pick another port"_s;
    QTest::newRow("docker socket missing") << u"docker-missing"_s << u"docker.socket:d1"_s << u"socket_path of d1"_s;
    QTest::newRow("docker socket is a regular file") << u"docker-file"_s << u"docker.socket:d1"_s << u"socket_path of d1"_s;
    QTest::newRow("oauth issuer refuses") << u"oauth-refused"_s << u"auth.oauth-issuer"_s << u"http://127.0.0.1:%PORT%"_s;
    QTest::newRow("host key not recorded") << u"host-unknown"_s << u"targets.known-hosts:web1"_s << u"tailops-gateway targets trust web1"_s;
}

void tst_Doctor::brokenThingFails()
{
    QFETCH(QString, breakage);
    QFETCH(QString, checkId);
    QFETCH(QString, fixNames);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path();
    DoctorTest::Layout layout;
    QTcpServer taken;
    quint16 port = 0;
    QString expectedInDetail;
    const QByteArray d = QFile::encodeName(dir);
    const QByteArray sshTarget = "targets:\n  web1:\n    type: remote\n    connection:\n      executor: ssh\n      host: 127.0.0.1\n"
                                 "      port: 2\n      username: ops\n      key_path: " + d + "/id_web1\n    capabilities: [system:read]\n";
    const QByteArray dockerTarget = "targets:\n  d1:\n    type: docker\n    connection:\n      executor: docker\n      socket_path: " + d
        + "/docker.sock\n    capabilities: [container:read]\n";
    QList<Doctor::Section> sections = Doctor::allSections();
    sections.removeAll(Doctor::Section::System); // nothing to break there; keeps the test quick

    if (breakage == u"audit-dir" && ::geteuid() == 0) {
        // root writes through 0500: use a place nobody can create files in.
        layout.auditPath = u"/proc/tailops-doctor-test/audit.jsonl"_s;
    }
    if (breakage == u"port-taken") {
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        port = taken.serverPort();
        layout.listen = QStringLiteral("127.0.0.1:%1").arg(port);
        expectedInDetail = QStringLiteral("pid %1").arg(QCoreApplication::applicationPid());
    }
    if (breakage == u"oauth-refused") {
        QTcpServer probe; // a loopback port that nothing listens on once closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
        probe.close();
        layout.authMode = "oauth";
        layout.authExtra = "  oauth:\n    issuer: http://127.0.0.1:" + QByteArray::number(port) + "\n    resource: http://127.0.0.1:8080/mcp\n";
    }
    QVERIFY(DoctorTest::writeHealthy(dir, layout));
    checkId.replace(u"%PORT%"_s, QString::number(port));
    fixNames.replace(u"%DIR%"_s, dir).replace(u"%PORT%"_s, QString::number(port));

    if (breakage == u"secret-0644") {
        QVERIFY(QFile::setPermissions(dir + u"/secret"_s, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    } else if (breakage == u"secret-missing") {
        QVERIFY(QFile::remove(dir + u"/secret"_s));
    } else if (breakage == u"targets-yaml") {
        QVERIFY(DoctorTest::writeFile(dir + u"/targets.yaml"_s, "targets:\n  web1:\n    type: remote\n    connection: [unclosed\n"));
        expectedInDetail = u"targets.yaml:"_s;
    } else if (breakage == u"key-0644" || breakage == u"key-missing" || breakage == u"host-unknown") {
        QVERIFY(DoctorTest::writeFile(dir + u"/targets.yaml"_s, sshTarget));
        if (breakage != u"key-missing") {
            QVERIFY(DoctorTest::writeFile(dir + u"/id_web1"_s, "-----BEGIN OPENSSH PRIVATE KEY-----\n",
                                          breakage == u"key-0644" ? QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther
                                                                  : QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        }
        if (breakage == u"host-unknown") {
            // Another host is recorded (also in hashed form); web1's is not.
            QVERIFY(DoctorTest::writeFile(dir + u"/known_hosts"_s,
                                          "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE\n"
                                          "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAA\n"));
        }
    } else if (breakage == u"audit-dir" && ::geteuid() != 0) {
        QVERIFY(QFile::setPermissions(dir + u"/audit"_s, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    } else if (breakage == u"docker-missing" || breakage == u"docker-file") {
        QVERIFY(DoctorTest::writeFile(dir + u"/targets.yaml"_s, dockerTarget));
        if (breakage == u"docker-file") {
            QVERIFY(DoctorTest::writeFile(dir + u"/docker.sock"_s, "not a socket\n"));
            expectedInDetail = u"not a socket"_s;
        } else {
            expectedInDetail = u"does not exist"_s;
        }
    }

    const Config::GatewayConfig config = Doctor::loadConfig(dir);
    Doctor::Options options;
    options.timeoutMs = 2000;
    const auto results = Doctor::runChecks(config, sections, options);
    QFile::setPermissions(dir + u"/audit"_s, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    const auto *r = find(results, checkId);
    QVERIFY2(r, qPrintable(checkId + u" missing:\n"_s + dump(results)));
    QVERIFY2(r->status == Doctor::Status::Failed, qPrintable(dump(results)));
    QVERIFY2(r->fix.contains(fixNames), qPrintable(u"fix: "_s + r->fix + u"\nexpected: "_s + fixNames));
    if (!expectedInDetail.isEmpty()) {
        QVERIFY2(r->detail.contains(expectedInDetail), qPrintable(r->detail));
    }
    if (breakage == u"targets-yaml") {
        // file:line:col
        QVERIFY2(r->detail.contains(QRegularExpression(u"targets\\.yaml:\\d+:\\d+: "_s)), qPrintable(r->detail));
    }
    // Everything else about the healthy base stays fine: one broken thing, one red row (plus what depends on it).
    if (!breakage.startsWith(u"secret-"_s) && breakage != u"oauth-refused") {
        QCOMPARE(find(results, u"auth.secret"_s)->status, Doctor::Status::Ok);
    }
    QCOMPARE(find(results, u"config.gateway-yaml"_s)->status, Doctor::Status::Ok);
}

void tst_Doctor::progressStreamsEveryResult()
{
    QTemporaryDir dir;
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    QList<Doctor::CheckResult> streamed;
    Doctor::Options options;
    options.progress = [&](const Doctor::CheckResult &r) { streamed.append(r); };
    const auto results = Doctor::runChecks(Doctor::loadConfig(dir.path()), options);
    QCOMPARE(streamed.size(), results.size());
    QSet<QString> ids;
    QSet<int> sections;
    for (const auto &r : results) {
        QVERIFY2(!ids.contains(r.id), qPrintable(u"duplicate id "_s + r.id));
        ids.insert(r.id);
        sections.insert(int(r.section));
        QVERIFY(!r.title.isEmpty());
        QVERIFY2(r.status == Doctor::Status::Ok || !r.fix.isEmpty() || r.status == Doctor::Status::Skipped, qPrintable(r.id));
        QVERIFY(r.durationMs >= 0);
    }
    QCOMPARE(sections.size(), Doctor::allSections().size()); // every section says something
}

void tst_Doctor::sectionsAndReport()
{
    QVERIFY(Doctor::sectionFromName(u"Docker"_s) == Doctor::Section::Docker);
    QVERIFY(Doctor::sectionFromName(u"auth"_s) == Doctor::Section::Authentication);
    QVERIFY(!Doctor::sectionFromName(u"nope"_s));

    QTemporaryDir dir;
    QVERIFY(DoctorTest::writeHealthy(dir.path()));
    QVERIFY(QFile::setPermissions(dir.path() + u"/secret"_s, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const auto results = Doctor::runSection(Doctor::loadConfig(dir.path()), Doctor::Section::Authentication);
    for (const auto &r : results) {
        QCOMPARE(r.section, Doctor::Section::Authentication);
    }
    const QString report = Doctor::formatReport(results);
    QVERIFY(report.startsWith(u"Authentication\n"_s));
    QVERIFY2(report.contains(u"  FAIL  Shared secret"_s), qPrintable(report));
    QVERIFY2(report.contains(u"        fix: chmod 600 "_s), qPrintable(report));
    QVERIFY2(report.contains(u"1 failed"_s), qPrintable(report));
    const QJsonObject json = Doctor::reportToJson(results);
    QCOMPARE(json.value(u"ok"_s).toBool(), false);
    QCOMPARE(json.value(u"summary"_s).toObject().value(u"failed"_s).toInt(), 1);
}

QTEST_GUILESS_MAIN(tst_Doctor)
#include "tst_doctor.moc"
