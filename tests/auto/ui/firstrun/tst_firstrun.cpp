// First run: createInitialConfig writes a configuration the gateway loads without errors (private directory
// and secret, the local target, imported SSH hosts, a first read-only token that verifies), refuses to
// overwrite one; the wizard driven page by page offscreen creates the same files and shows the token once
// with its Claude Code line.
#include "firstrun/firstrunwizard.h"
#include "firstrun/initialconfig.h"

#include "auth/hmactoken.h"
#include "auth/secret.h"
#include "auth/tokenstore.h"
#include "config/gatewayconfig.h"
#include "registry/sshconfigimport.h"
#include "registry/targetsloader.h"

#include <QAbstractButton>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr QFileDevice::Permissions kOwnerRw = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

} // namespace

class TestFirstRun final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsAWorkingConfig();
    void importsSshHosts();
    void refusals_data();
    void refusals();
    void wizardCreatesTheSameFiles();

private:
    // Loads DIR as the gateway does: no errors, and the targets listed.
    static QStringList loadTargets(const QString &dir, Config::GatewayConfig *config);
};

QStringList TestFirstRun::loadTargets(const QString &dir, Config::GatewayConfig *config)
{
    Config::Diagnostics diagnostics;
    *config = Config::loadGatewayConfig(dir, diagnostics);
    for (const auto &d : std::as_const(diagnostics)) {
        if (d.isError()) {
            qWarning().noquote() << d.toString();
            return {};
        }
    }
    Config::Diagnostics targetDiagnostics;
    QFile file(config->targetsFile());
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const auto targets = Registry::parseTargets(file.readAll(), u"targets.yaml"_s, targetDiagnostics);
    QStringList ids;
    for (const auto &d : std::as_const(targetDiagnostics)) {
        if (d.isError()) {
            qWarning().noquote() << d.toString();
            return {};
        }
    }
    for (const Registry::Target &t : targets) {
        ids.append(t.id);
    }
    return ids;
}

void TestFirstRun::createsAWorkingConfig()
{
    QTemporaryDir tmp;
    Ui::InitialConfigOptions options;
    options.configDir = tmp.filePath(u"cfg/tailops"_s);
    options.listen = u"127.0.0.1:18080"_s;
    options.tokenAgent = u"first-agent"_s;
    const auto created = Ui::createInitialConfig(options);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));

    QCOMPARE(QFileInfo(options.configDir).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOther),
             QFileDevice::Permissions());
    QCOMPARE(QFileInfo(created->secretFile).permissions() & ~kOwnerRw & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::Permissions());
    QVERIFY(created->createdFiles.contains(created->gatewayFile));

    Config::GatewayConfig config;
    const QStringList targets = loadTargets(options.configDir, &config);
    QCOMPARE(targets, QStringList { u"local"_s });
    QCOMPARE(config.listen.size(), 1);
    QCOMPARE(config.listen.first().port, quint16(18080));
    QCOMPARE(created->mcpUrl, QUrl(u"http://127.0.0.1:18080/mcp"_s));

    // The token verifies with the secret the gateway loads, is read-only, and is in the registry.
    QVERIFY(created->token);
    const auto secret = Auth::loadSharedSecret(config.secretFile);
    QVERIFY2(secret, qPrintable(secret ? QString() : secret.error().message));
    const auto claims = Auth::verifyToken(created->token->token, *secret, QDateTime::currentDateTimeUtc());
    QVERIFY(claims);
    QCOMPARE(claims->agent, u"first-agent"_s);
    QCOMPARE(claims->scopes, QStringList { u"readonly"_s });
    QVERIFY(claims->expiry.isValid());
    const auto records = Auth::TokenStore(config.tokensPath()).records();
    QVERIFY(records);
    QVERIFY(std::any_of(records->cbegin(), records->cend(), [&](const Auth::TokenRecord &r) { return r.id == claims->id; }));
    QCOMPARE(created->claudeCodeCommand,
             u"claude mcp add --transport http tailops http://127.0.0.1:18080/mcp --header \"Authorization: Bearer %1\""_s
                 .arg(QString::fromLatin1(created->token->token)));
}

void TestFirstRun::importsSshHosts()
{
    QTemporaryDir tmp;
    const QString home = tmp.filePath(u"home"_s);
    writeFile(home + u"/.ssh/config"_s, "Host web1\n  HostName 10.0.0.5\n  User ops\n  Port 2222\n\nHost db\n  HostName db.lan\n\nHost *.wild\n  User x\n");
    Config::Diagnostics diagnostics;
    const auto hosts = Registry::importSshConfig(home + u"/.ssh/config"_s, home, diagnostics);
    QCOMPARE(hosts.size(), 2);
    Ui::InitialConfigOptions options;
    options.configDir = tmp.filePath(u"cfg"_s);
    options.sshTargets = hosts;
    options.mintToken = false;
    const auto created = Ui::createInitialConfig(options);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
    QVERIFY(!created->token);
    QCOMPARE(created->importedTargets, (QStringList { u"web1"_s, u"db"_s }));
    Config::GatewayConfig config;
    QStringList targets = loadTargets(options.configDir, &config);
    targets.sort();
    QCOMPARE(targets, (QStringList { u"db"_s, u"local"_s, u"web1"_s }));
}

void TestFirstRun::refusals_data()
{
    QTest::addColumn<QString>("listen");
    QTest::addColumn<bool>("existing");
    QTest::addColumn<QString>("where");
    QTest::newRow("bad listen") << u"nowhere"_s << false << u"listen"_s;
    QTest::newRow("existing gateway.yaml") << u"127.0.0.1:8080"_s << true << u"config_dir"_s;
}

void TestFirstRun::refusals()
{
    QFETCH(QString, listen);
    QFETCH(bool, existing);
    QFETCH(QString, where);
    QTemporaryDir tmp;
    if (existing) {
        writeFile(tmp.filePath(u"gateway.yaml"_s), "listen: [\"127.0.0.1:9999\"]\n");
    }
    Ui::InitialConfigOptions options;
    options.configDir = tmp.path();
    options.listen = listen;
    const auto created = Ui::createInitialConfig(options);
    QVERIFY(!created);
    QCOMPARE(created.error().where, where);
    QVERIFY(!QFile::exists(tmp.filePath(u"secret"_s)));
    if (existing) {
        QFile f(tmp.filePath(u"gateway.yaml"_s));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("listen: [\"127.0.0.1:9999\"]\n")); // untouched
    }
}

void TestFirstRun::wizardCreatesTheSameFiles()
{
    QTemporaryDir tmp;
    const QString home = tmp.filePath(u"home"_s);
    writeFile(home + u"/.ssh/config"_s, "Host lab1\n  HostName 192.168.1.7\n  User pi\n\nHost lab2\n  HostName 192.168.1.8\n");
    const QString dir = tmp.filePath(u"wizard-config"_s);

    Ui::FirstRunWizard wizard;
    wizard.setSshConfigFile(home + u"/.ssh/config"_s, home);
    wizard.show();
    QCOMPARE(wizard.currentId(), int(Ui::FirstRunWizard::WelcomePage));
    auto *next = wizard.button(QWizard::NextButton);
    wizard.setListenAddress(u"not an address"_s);
    wizard.setConfigDir(dir);
    QVERIFY(!next->isEnabled()); // inline refusal
    wizard.setListenAddress(u"127.0.0.1:18181"_s);
    QVERIFY(next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QCOMPARE(wizard.currentId(), int(Ui::FirstRunWizard::SshPage));

    QTRY_VERIFY_WITH_TIMEOUT(wizard.sshHostsLoaded(), 5000);
    QCOMPARE(wizard.sshHosts(), (QStringList { u"lab1"_s, u"lab2"_s }));
    wizard.setSshHostChecked(u"lab2"_s, true);
    QVERIFY(next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QCOMPARE(wizard.currentId(), int(Ui::FirstRunWizard::TokenPage));

    wizard.setTokenAgent(u"wizard-agent"_s);
    QSignalSpy created(&wizard, &Ui::FirstRunWizard::configCreated);
    QTest::mouseClick(wizard.button(QWizard::CommitButton), Qt::LeftButton);
    QCOMPARE(wizard.currentId(), int(Ui::FirstRunWizard::DonePage));
    QVERIFY(created.wait(10000));
    QVERIFY(wizard.result() && wizard.result()->has_value());
    QTRY_VERIFY(wizard.button(QWizard::FinishButton)->isEnabled());

    // The same files as createInitialConfig, with the checked host only.
    Config::GatewayConfig config;
    QStringList targets = loadTargets(dir, &config);
    targets.sort();
    QCOMPARE(targets, (QStringList { u"lab2"_s, u"local"_s }));
    QCOMPARE(config.listen.first().port, quint16(18181));
    QFile gatewayYaml(dir + u"/gateway.yaml"_s);
    QVERIFY(gatewayYaml.open(QIODevice::ReadOnly));
    QCOMPARE(gatewayYaml.readAll(), Ui::initialGatewayYaml(u"127.0.0.1:18181"_s));

    const QByteArray token = wizard.tokenText().toLatin1();
    const auto secret = Auth::loadSharedSecret(config.secretFile);
    QVERIFY(secret);
    const auto claims = Auth::verifyToken(token, *secret, QDateTime::currentDateTimeUtc());
    QVERIFY(claims);
    QCOMPARE(claims->agent, u"wizard-agent"_s);
    QCOMPARE(claims->scopes, QStringList { u"readonly"_s });
    QVERIFY(wizard.claudeCodeLine().startsWith(u"claude mcp add --transport http tailops http://127.0.0.1:18181/mcp"_s));
    QVERIFY(wizard.claudeCodeLine().contains(QString::fromLatin1(token)));

    QSignalSpy accepted(&wizard, &QDialog::accepted);
    QTest::mouseClick(wizard.button(QWizard::FinishButton), Qt::LeftButton);
    QCOMPARE(accepted.size(), 1);
    QCOMPARE(wizard.configDir(), QDir::cleanPath(dir));
}

QTEST_MAIN(TestFirstRun)
#include "tst_firstrun.moc"
