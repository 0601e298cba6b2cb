// TargetsPanel end to end on an in-process gateway: adding and editing through the dialog writes targets.yaml
// (backup kept, other targets' text untouched) and the registry reloads it; invalid input is refused at the named
// field; hosts import from an ssh config file; an SSH target's host key is unknown until trusted through the
// panel's trust flow, which writes known_hosts, after which the connectivity check passes (real sshd fixture).
#include "connectivity/connectivityrunner.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"
#include "sshdfixture.h"
#include "targets/hostkeydialog.h"
#include "targets/sshimportdialog.h"
#include "targets/targeteditdialog.h"
#include "targets/targetsmodel.h"
#include "targets/targetspanel.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QPushButton *okButton(QDialog *dialog)
{
    auto *box = dialog->findChild<QDialogButtonBox *>(u"buttons"_s);
    return box ? box->button(QDialogButtonBox::Ok) : nullptr;
}

} // namespace

class TestTargetsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void addThroughDialog();
    void invalidInput_data();
    void invalidInput();
    void editKeepsOtherTargets();
    void removeTarget();
    void importSshConfig();
    void trustHostKey();

private:
    const Registry::Target *target(const QString &id);

    Testing::SshdFixture m_sshd;
    QTemporaryDir m_home;
    Tests::UiGateway m_gw;
    QString m_knownHosts;
    QString m_file;
    Registry::TargetSetPtr m_snapshot;
    std::unique_ptr<Ui::ConnectivityRunner> m_runner;
    std::unique_ptr<Ui::TargetsPanel> m_panel;
};

const Registry::Target *TestTargetsPanel::target(const QString &id)
{
    m_snapshot = m_gw.gateway().registry().snapshot();
    return m_snapshot->find(id);
}

void TestTargetsPanel::initTestCase()
{
    if (auto started = m_sshd.start(); !started) {
        QFAIL(qPrintable(started.error().message));
    }
    QVERIFY(m_home.isValid());
    m_knownHosts = m_home.filePath(u"known_hosts"_s); // starts absent: every host key is unknown
    Tests::UiGateway::Options options;
    options.targetsYaml = "# hand-written\n"
                          "targets:\n"
                          "  local:\n"
                          "    type: local\n"
                          "    capabilities: [system:read]  # only reads\n"
                          "  web:\n"
                          "    type: remote\n"
                          "    connection: {host: web.example.net, port: 2222, username: deploy}\n"
                          "    metadata: {tags: [web]}\n";
    options.gatewayYamlExtra = u"ssh:\n  known_hosts: \"%1\"\n"_s.arg(m_knownHosts).toUtf8();
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_file = m_gw.gateway().config().targetsFile();
    m_runner = std::make_unique<Ui::ConnectivityRunner>(m_gw.gateway());
    m_runner->setCheckTimeout(std::chrono::seconds(5));
    m_panel = std::make_unique<Ui::TargetsPanel>(m_gw.gateway(), *m_runner);
    m_panel->resize(1000, 600);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestTargetsPanel::cleanupTestCase()
{
    m_panel.reset();
    m_runner.reset();
    m_sshd.stop();
}

void TestTargetsPanel::addThroughDialog()
{
    QAbstractItemModelTester tester(m_panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QByteArray before = readAll(m_file);
    QPointer<Ui::TargetEditDialog> dialog = m_panel->openAddDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(!okButton(dialog)->isEnabled()); // no id, no host yet
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"idEdit"_s), u"db-1"_s);
    dialog->setField(u"executor"_s, u"ssh"_s);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"hostEdit"_s), u"10.0.0.5"_s);
    dialog->setField(u"port"_s, u"2200"_s);
    dialog->setField(u"username"_s, u"ops"_s);
    dialog->setField(u"tags"_s, u"db, primary"_s);
    QVERIFY2(dialog->isValid(), qPrintable(dialog->invalidFields().join(u',')));
    QVERIFY(okButton(dialog)->isEnabled());
    QSignalSpy saved(m_panel.get(), &Ui::TargetsPanel::targetsSaved);
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QVERIFY(saved.wait()); // written off the GUI thread

    // targets.yaml got the target, the backup is the previous file, the other targets are as written.
    QCOMPARE(readAll(m_file + u".bak"_s), before);
    const QByteArray after = readAll(m_file);
    QVERIFY(after.startsWith(before.left(before.size() - 1)));
    QVERIFY(after.contains("db-1:"));
    // The registry reloaded it and the table shows it.
    const Registry::Target *t = target(u"db-1"_s);
    QVERIFY(t);
    QCOMPARE(t->executor, Registry::Executor::Ssh);
    QCOMPARE(t->host, u"10.0.0.5"_s);
    QCOMPARE(t->port, 2200);
    QCOMPARE(t->username, u"ops"_s);
    QCOMPARE(t->tags, (QStringList { u"db"_s, u"primary"_s }));
    QVERIFY(m_panel->model()->rowOf(u"db-1"_s) >= 0);
    QCOMPARE(m_panel->selectedTargetId(), u"db-1"_s);
    QVERIFY(m_panel->diagnosticsText().isEmpty());
    QTRY_VERIFY(!dialog); // closed and deleted
}

void TestTargetsPanel::invalidInput_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("host with a shell metacharacter") << u"host"_s << u"a;b"_s << u"not a valid host name"_s;
    QTest::newRow("host like an option") << u"host"_s << u"-oProxyCommand=x"_s << u"not a valid host name"_s;
    QTest::newRow("host with a space") << u"host"_s << u"a b"_s << u"not a valid host name"_s;
    QTest::newRow("port out of range") << u"port"_s << u"70000"_s << u"1 to 65535"_s;
    QTest::newRow("port not a number") << u"port"_s << u"ssh"_s << u"1 to 65535"_s;
    QTest::newRow("duplicate id") << u"id"_s << u"web"_s << u"already exists"_s;
    QTest::newRow("bad id") << u"id"_s << u"bad id!"_s << u"letters, digits"_s;
    QTest::newRow("missing key file") << u"keyPath"_s << u"/nonexistent/id_ed25519"_s << u"does not exist"_s;
    QTest::newRow("user name with @") << u"username"_s << u"a@b"_s << u"not a valid user name"_s;
}

void TestTargetsPanel::invalidInput()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    const QByteArray before = readAll(m_file);
    QPointer<Ui::TargetEditDialog> dialog = m_panel->openAddDialog();
    dialog->setField(u"id"_s, u"fresh"_s);
    dialog->setField(u"executor"_s, u"ssh"_s);
    dialog->setField(u"host"_s, u"fresh.example.net"_s);
    QVERIFY2(dialog->isValid(), qPrintable(dialog->invalidFields().join(u',')));
    dialog->setField(field, value);
    QCOMPARE(dialog->invalidFields(), QStringList { field });
    QVERIFY2(dialog->errorFor(field).contains(message), qPrintable(dialog->errorFor(field)));
    auto *label = dialog->findChild<QLabel *>(field + u"Error"_s);
    QVERIFY(label);
    QVERIFY(label->isVisible());
    QCOMPARE(label->text(), dialog->errorFor(field));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(!dialog->target());
    dialog->accept(); // even if forced, nothing is written by the panel
    QCOMPARE(readAll(m_file), before);
    QVERIFY(!target(u"fresh"_s));
    QTRY_VERIFY(!dialog);
}

void TestTargetsPanel::editKeepsOtherTargets()
{
    QPointer<Ui::TargetEditDialog> dialog = m_panel->openEditDialog(u"web"_s);
    QVERIFY(dialog);
    QVERIFY(dialog->isEditing());
    QCOMPARE(dialog->findChild<QLineEdit *>(u"hostEdit"_s)->text(), u"web.example.net"_s);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"portEdit"_s)->text(), u"2222"_s);
    QVERIFY(dialog->isValid()); // its own id is not a duplicate
    dialog->setField(u"port"_s, u"2022"_s);
    dialog->setField(u"description"_s, u"front end"_s);
    QSignalSpy saved(m_panel.get(), &Ui::TargetsPanel::targetsSaved);
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QVERIFY(saved.wait()); // written off the GUI thread
    const QByteArray text = readAll(m_file);
    QVERIFY(text.contains("    capabilities: [system:read]  # only reads\n")); // untouched target, comment kept
    QVERIFY(text.startsWith("# hand-written\n"));
    const Registry::Target *t = target(u"web"_s);
    QVERIFY(t);
    QCOMPARE(t->port, 2022);
    QCOMPARE(t->description, u"front end"_s);
    QCOMPARE(t->tags, QStringList { u"web"_s });
    const int row = m_panel->model()->rowOf(u"web"_s);
    QCOMPARE(m_panel->model()->index(row, Ui::TargetsModel::EndpointColumn).data().toString(), u"deploy@web.example.net:2022"_s);
}

void TestTargetsPanel::removeTarget()
{
    QVERIFY(target(u"db-1"_s));
    QSignalSpy saved(m_panel.get(), &Ui::TargetsPanel::targetsSaved);
    QSignalSpy failed(m_panel.get(), &Ui::TargetsPanel::saveFailed);
    m_panel->removeTarget(u"db-1"_s);
    QVERIFY(m_panel->isSaving());
    QVERIFY(saved.wait());
    QVERIFY(!target(u"db-1"_s));
    QVERIFY(!readAll(m_file).contains("db-1"));
    QCOMPARE(m_panel->model()->rowOf(u"db-1"_s), -1);
    // Removing it again is refused, shown inline, and writes nothing.
    const QByteArray before = readAll(m_file);
    m_panel->removeTarget(u"db-1"_s);
    QVERIFY(failed.wait());
    QCOMPARE(saved.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(u"db-1"_s), qPrintable(failed.first().first().toString()));
    QVERIFY2(m_panel->diagnosticsText().contains(u"db-1"_s), qPrintable(m_panel->diagnosticsText()));
    QCOMPARE(readAll(m_file), before);
}

void TestTargetsPanel::importSshConfig()
{
    const QString config = m_home.filePath(u"ssh_config"_s);
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("Host build\n  HostName build.example.net\n  Port 2201\n\n"
            "Host cache\n  HostName 10.0.0.9\n  User redis\n\n"
            "Host web\n  HostName other.example.net\n\n"
            "Host *.internal\n  User x\n\n"
            "Host *\n  User admin\n");
    f.close();
    QPointer<Ui::SshImportDialog> dialog = m_panel->openImportDialog(config);
    QVERIFY(dialog);
    QCOMPARE(dialog->candidates().size(), 3);
    QCOMPARE(dialog->availableIds(), (QStringList { u"build"_s, u"cache"_s })); // "web" exists: disabled
    QCOMPARE(dialog->chosen().size(), 2);
    dialog->setChecked(u"web"_s, true); // disabled: stays out
    QCOMPARE(dialog->chosen().size(), 2);
    QSignalSpy saved(m_panel.get(), &Ui::TargetsPanel::targetsSaved);
    dialog->accept();
    QVERIFY(saved.wait());
    const Registry::Target *build = target(u"build"_s);
    QVERIFY(build);
    QCOMPARE(build->host, u"build.example.net"_s);
    QCOMPARE(build->port, 2201);
    QCOMPARE(build->username, u"admin"_s);
    QVERIFY(build->tags.contains(u"ssh-config"_s));
    const Registry::Target *cache = target(u"cache"_s);
    QVERIFY(cache);
    QCOMPARE(cache->username, u"redis"_s);
    QCOMPARE(target(u"web"_s)->host, u"web.example.net"_s); // the existing target is left alone
    QVERIFY(m_panel->model()->rowOf(u"cache"_s) >= 0);
}

void TestTargetsPanel::trustHostKey()
{
    // Add the sshd fixture through the panel, with its client key.
    QPointer<Ui::TargetEditDialog> edit = m_panel->openAddDialog();
    edit->setField(u"id"_s, u"sshd"_s);
    edit->setField(u"executor"_s, u"ssh"_s);
    edit->setField(u"host"_s, m_sshd.host());
    edit->setField(u"port"_s, QString::number(m_sshd.port()));
    edit->setField(u"username"_s, m_sshd.userName());
    edit->setField(u"keyPath"_s, m_sshd.clientKeyPath());
    QVERIFY2(edit->isValid(), qPrintable(edit->invalidFields().join(u',')));
    QSignalSpy saved(m_panel.get(), &Ui::TargetsPanel::targetsSaved);
    edit->accept();
    QVERIFY(saved.wait());
    QVERIFY(target(u"sshd"_s));

    // The host key is unknown: the check fails at host-key, with the cause and the fix.
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    m_runner->run({ u"sshd"_s });
    QVERIFY(finished.wait(20000));
    auto report = m_runner->report(u"sshd"_s);
    QVERIFY(report && !report->ok);
    QCOMPARE(report->checks.constLast().name, u"host-key"_s);
    QVERIFY2(report->checks.constLast().cause.contains(u"not recorded"_s), qPrintable(report->checks.constLast().cause));
    const int row = m_panel->model()->rowOf(u"sshd"_s);
    QCOMPARE(m_panel->model()->index(row, Ui::TargetsModel::StatusColumn).data().toString(), u"down"_s);

    // Trust flow: the dialog fetches the key off the GUI thread and shows its fingerprint and status.
    QVERIFY(m_panel->selectTarget(u"sshd"_s));
    QVERIFY(m_panel->findChild<QPushButton *>(u"trustButton"_s)->isEnabled());
    QPointer<Ui::HostKeyDialog> dialog = m_panel->openTrustDialog(u"sshd"_s);
    QVERIFY(dialog);
    QVERIFY(dialog->isBusy());
    QSignalSpy fetched(dialog.data(), &Ui::HostKeyDialog::fetched);
    QVERIFY(fetched.wait(15000));
    QVERIFY(dialog->info());
    QCOMPARE(dialog->info()->fingerprint, m_sshd.hostKeyFingerprint());
    QCOMPARE(dialog->info()->status, Exec::HostKeyStatus::Unknown);
    QCOMPARE(dialog->findChild<QLabel *>(u"fingerprintLabel"_s)->text(), m_sshd.hostKeyFingerprint());
    QCOMPARE(dialog->findChild<QLabel *>(u"keyStatusLabel"_s)->text(), u"unknown"_s);
    QCOMPARE(dialog->findChild<QLabel *>(u"keyTypeLabel"_s)->text(), u"ssh-ed25519"_s);
    auto *trust = dialog->findChild<QPushButton *>(u"trustKeyButton"_s);
    QVERIFY(trust->isEnabled());
    QVERIFY(!QFile::exists(m_knownHosts));

    QSignalSpy trusted(dialog.data(), &Ui::HostKeyDialog::trusted);
    finished.clear();
    QTest::mouseClick(trust, Qt::LeftButton);
    QVERIFY(trusted.wait(15000));
    QCOMPARE(dialog->findChild<QLabel *>(u"keyStatusLabel"_s)->text(), u"known"_s);
    // known_hosts now holds the fixture's host key.
    const QString publicKey = m_sshd.hostPublicKey().section(u' ', 0, 1);
    QVERIFY2(QString::fromUtf8(readAll(m_knownHosts)).contains(publicKey), readAll(m_knownHosts).constData());
    // The panel re-checks the target after trusting: now every check passes.
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 20000);
    report = m_runner->report(u"sshd"_s);
    QVERIFY(report);
    QVERIFY2(report->ok, qPrintable(report->checks.constLast().detail));
    QCOMPARE(m_panel->model()->index(m_panel->model()->rowOf(u"sshd"_s), Ui::TargetsModel::StatusColumn).data().toString(), u"up"_s);
    dialog->close();
}

QTEST_MAIN(TestTargetsPanel)
#include "tst_targetspanel.moc"
