#include "firstrunwizard.h"

#include "config/gatewayconfig.h"
#include "registry/sshconfigimport.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMetaObject>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QCoreApplication>
#include <QThreadPool>
#include <QVBoxLayout>

namespace Tailops::Ui {

namespace {

// Pages only override QWizardPage's virtuals; the wizard holds the widgets and the state.
class FunctionPage final : public QWizardPage
{
public:
    FunctionPage(std::function<void()> init, std::function<bool()> complete, QWidget *parent)
        : QWizardPage(parent)
        , m_init(std::move(init))
        , m_complete(std::move(complete))
    {
    }
    void initializePage() override
    {
        if (m_init) {
            m_init();
        }
    }
    bool isComplete() const override { return m_complete ? m_complete() : true; }
    void changed() { Q_EMIT completeChanged(); }

private:
    std::function<void()> m_init;
    std::function<bool()> m_complete;
};

QString listenProblem(const QString &text)
{
    QString error;
    return Config::parseListenAddress(text.trimmed(), &error) ? QString() : error;
}

} // namespace

FirstRunWizard::FirstRunWizard(QWidget *parent)
    : QWizard(parent)
    , m_sshConfig(QDir::home().filePath(QStringLiteral(".ssh/config")))
    , m_home(QDir::homePath())
{
    setObjectName(QStringLiteral("firstRunWizard"));
    setWindowTitle(QStringLiteral("Set up TailOps"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnLastPage, true);

    // 1. Where.
    auto *welcome = new FunctionPage({}, [this] {
        return !m_dir->text().trimmed().isEmpty() && listenProblem(m_listen->text()).isEmpty()
            && !QFileInfo::exists(QDir(m_dir->text().trimmed()).filePath(QStringLiteral("gateway.yaml")));
    }, this);
    welcome->setTitle(QStringLiteral("Welcome to TailOps"));
    welcome->setSubTitle(QStringLiteral("TailOps lets AI agents operate your machines through MCP, with scoped tokens, "
                                        "policy, human approval and an audit log. Choose where its configuration lives "
                                        "and where it listens."));
    auto *form = new QFormLayout(welcome);
    auto *dirRow = new QHBoxLayout;
    m_dir = new QLineEdit(Config::defaultConfigDir(), welcome);
    m_dir->setObjectName(QStringLiteral("configDir"));
    auto *browse = new QPushButton(QStringLiteral("&Browse…"), welcome);
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, QStringLiteral("Configuration directory"), m_dir->text());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        connect(dialog, &QFileDialog::fileSelected, m_dir, &QLineEdit::setText);
        dialog->open();
    });
    dirRow->addWidget(m_dir, 1);
    dirRow->addWidget(browse);
    auto *dirLabel = new QLabel(QStringLiteral("&Configuration directory:"), welcome);
    dirLabel->setBuddy(m_dir);
    form->addRow(dirLabel, dirRow);
    m_listen = new QLineEdit(QStringLiteral("127.0.0.1:8080"), welcome);
    m_listen->setObjectName(QStringLiteral("listenAddress"));
    auto *listenLabel = new QLabel(QStringLiteral("&Listen on:"), welcome);
    listenLabel->setBuddy(m_listen);
    form->addRow(listenLabel, m_listen);
    auto *listenHint = new QLabel(QStringLiteral("Loopback is safest; add your tailnet address later in gateway.yaml to "
                                                 "serve the tailnet."),
                                  welcome);
    listenHint->setWordWrap(true);
    form->addRow(QString(), listenHint);
    m_listenError = new QLabel(welcome);
    m_listenError->setObjectName(QStringLiteral("welcomeError"));
    m_listenError->setWordWrap(true);
    m_listenError->setStyleSheet(QStringLiteral("color: #b3261e;"));
    form->addRow(QString(), m_listenError);
    const auto check = [this, welcome] {
        QString problem = listenProblem(m_listen->text());
        if (!problem.isEmpty()) {
            problem = QStringLiteral("Listen address: %1").arg(problem);
        } else if (m_dir->text().trimmed().isEmpty()) {
            problem = QStringLiteral("Choose a configuration directory.");
        } else if (QFileInfo::exists(QDir(m_dir->text().trimmed()).filePath(QStringLiteral("gateway.yaml")))) {
            problem = QStringLiteral("%1 already has a gateway.yaml: choose another directory, or start the console with "
                                     "--config-dir %1.")
                          .arg(m_dir->text().trimmed());
        }
        m_listenError->setText(problem);
        welcome->changed();
    };
    connect(m_dir, &QLineEdit::textChanged, this, check);
    connect(m_listen, &QLineEdit::textChanged, this, check);
    setPage(WelcomePage, welcome);

    // 2. SSH hosts.
    FunctionPage *ssh = nullptr;
    ssh = new FunctionPage([this] { loadSshHosts(); }, [this] { return m_sshLoaded; }, this);
    ssh->setTitle(QStringLiteral("Targets"));
    ssh->setSubTitle(QStringLiteral("The machine the gateway runs on is the target \"local\". Hosts from your SSH "
                                    "configuration can be added as read-only targets (host keys are checked against "
                                    "known_hosts; trust new ones in the Targets panel)."));
    auto *sshLayout = new QVBoxLayout(ssh);
    m_hostsStatus = new QLabel(ssh);
    m_hostsStatus->setObjectName(QStringLiteral("sshHostsStatus"));
    m_hostsStatus->setWordWrap(true);
    m_hosts = new QListWidget(ssh);
    m_hosts->setObjectName(QStringLiteral("sshHosts"));
    m_hosts->setAccessibleName(QStringLiteral("SSH hosts to add"));
    sshLayout->addWidget(m_hostsStatus);
    sshLayout->addWidget(m_hosts, 1);
    connect(this, &FirstRunWizard::sshHostsReady, ssh, [ssh] { ssh->changed(); });
    setPage(SshPage, ssh);

    // 3. First token.
    FunctionPage *token = nullptr;
    token = new FunctionPage({}, [this] { return !m_mint->isChecked() || !m_agent->text().trimmed().isEmpty(); }, this);
    token->setTitle(QStringLiteral("A first token"));
    token->setSubTitle(QStringLiteral("Agents authenticate with tokens. Mint a read-only one now for your first client; "
                                      "it is shown once on the next page. More tokens: the Tokens panel."));
    auto *tokenForm = new QFormLayout(token);
    m_mint = new QCheckBox(QStringLiteral("&Mint a read-only token"), token);
    m_mint->setObjectName(QStringLiteral("mintToken"));
    m_mint->setChecked(true);
    tokenForm->addRow(m_mint);
    m_agent = new QLineEdit(QStringLiteral("claude"), token);
    m_agent->setObjectName(QStringLiteral("firstTokenAgent"));
    auto *agentLabel = new QLabel(QStringLiteral("&Agent:"), token);
    agentLabel->setBuddy(m_agent);
    tokenForm->addRow(agentLabel, m_agent);
    m_ttl = new QComboBox(token);
    m_ttl->setObjectName(QStringLiteral("firstTokenTtl"));
    m_ttl->addItem(QStringLiteral("1 day"), qint64(86400));
    m_ttl->addItem(QStringLiteral("7 days"), qint64(7 * 86400));
    m_ttl->addItem(QStringLiteral("30 days"), qint64(30 * 86400));
    m_ttl->addItem(QStringLiteral("90 days"), qint64(90 * 86400));
    m_ttl->setCurrentIndex(2);
    auto *ttlLabel = new QLabel(QStringLiteral("&Lifetime:"), token);
    ttlLabel->setBuddy(m_ttl);
    tokenForm->addRow(ttlLabel, m_ttl);
    connect(m_mint, &QCheckBox::toggled, this, [this, token](bool on) {
        m_agent->setEnabled(on);
        m_ttl->setEnabled(on);
        token->changed();
    });
    connect(m_agent, &QLineEdit::textChanged, this, [token] { token->changed(); });
    token->setCommitPage(true);
    token->setButtonText(QWizard::CommitButton, QStringLiteral("&Create"));
    setPage(TokenPage, token);

    // 4. Done.
    FunctionPage *done = nullptr;
    done = new FunctionPage([this] { startCreating(); }, [this] { return m_result && m_result->has_value(); }, this);
    done->setTitle(QStringLiteral("Ready"));
    auto *doneLayout = new QVBoxLayout(done);
    m_doneStatus = new QLabel(QStringLiteral("Creating the configuration…"), done);
    m_doneStatus->setObjectName(QStringLiteral("doneStatus"));
    m_doneStatus->setWordWrap(true);
    m_doneStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    doneLayout->addWidget(m_doneStatus);
    auto *tokenRow = new QHBoxLayout;
    m_token = new QLineEdit(done);
    m_token->setObjectName(QStringLiteral("firstToken"));
    m_token->setReadOnly(true);
    m_token->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_token->setAccessibleName(QStringLiteral("Token"));
    auto *copy = new QPushButton(QStringLiteral("&Copy token"), done);
    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(m_token->text()); });
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(copy);
    doneLayout->addLayout(tokenRow);
    auto *ccLabel = new QLabel(QStringLiteral("Add it to Claude Code:"), done);
    doneLayout->addWidget(ccLabel);
    m_claudeCode = new QPlainTextEdit(done);
    m_claudeCode->setObjectName(QStringLiteral("claudeCodeLine"));
    m_claudeCode->setReadOnly(true);
    m_claudeCode->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_claudeCode->setMaximumHeight(80);
    doneLayout->addWidget(m_claudeCode);
    auto *copyLine = new QPushButton(QStringLiteral("Copy the &line"), done);
    connect(copyLine, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(m_claudeCode->toPlainText()); });
    doneLayout->addWidget(copyLine, 0, Qt::AlignRight);
    auto *retry = new QPushButton(QStringLiteral("&Try again"), done);
    retry->setObjectName(QStringLiteral("retryCreate"));
    retry->hide();
    doneLayout->addWidget(retry, 0, Qt::AlignLeft);
    doneLayout->addStretch(1);
    connect(retry, &QPushButton::clicked, this, [this, retry] {
        retry->hide();
        startCreating();
    });
    connect(this, &FirstRunWizard::creationFailed, retry, &QPushButton::show);
    connect(this, &FirstRunWizard::configCreated, done, [done] { done->changed(); });
    connect(this, &FirstRunWizard::creationFailed, done, [done] { done->changed(); });
    setPage(DonePage, done);
    setStartId(WelcomePage);
    check();
    resize(640, 480);
}

FirstRunWizard::~FirstRunWizard()
{
    if (m_token) {
        m_token->clear();
    }
}

void FirstRunWizard::setConfigDir(const QString &dir)
{
    m_dir->setText(dir);
}

QString FirstRunWizard::configDir() const
{
    if (m_result && m_result->has_value()) {
        return (*m_result)->configDir;
    }
    return m_dir->text().trimmed();
}

void FirstRunWizard::setListenAddress(const QString &listen)
{
    m_listen->setText(listen);
}

QString FirstRunWizard::listenAddress() const
{
    return m_listen->text().trimmed();
}

void FirstRunWizard::setSshConfigFile(const QString &file, const QString &homeDir)
{
    m_sshConfig = file;
    if (!homeDir.isEmpty()) {
        m_home = homeDir;
    }
    m_sshLoaded = false;
}

QStringList FirstRunWizard::sshHosts() const
{
    QStringList out;
    for (int i = 0; i < m_hosts->count(); ++i) {
        out.append(m_hosts->item(i)->data(Qt::UserRole).toString());
    }
    return out;
}

void FirstRunWizard::setSshHostChecked(const QString &id, bool checked)
{
    for (int i = 0; i < m_hosts->count(); ++i) {
        if (m_hosts->item(i)->data(Qt::UserRole).toString() == id) {
            m_hosts->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
        }
    }
}

void FirstRunWizard::setMintToken(bool mint)
{
    m_mint->setChecked(mint);
}

void FirstRunWizard::setTokenAgent(const QString &agent)
{
    m_agent->setText(agent);
}

QString FirstRunWizard::tokenText() const
{
    return m_token->text();
}

QString FirstRunWizard::claudeCodeLine() const
{
    return m_claudeCode->toPlainText();
}

void FirstRunWizard::loadSshHosts()
{
    if (m_sshLoaded || m_sshLoading) {
        return;
    }
    m_sshLoading = true;
    m_hosts->clear();
    m_hostsStatus->setText(QStringLiteral("Reading %1…").arg(m_sshConfig));
    QPointer<FirstRunWizard> self(this);
    QThreadPool::globalInstance()->start([self, file = m_sshConfig, home = m_home] {
        Config::Diagnostics diagnostics;
        QList<Registry::Target> targets;
        const bool exists = QFileInfo::exists(file);
        if (exists) {
            targets = Registry::importSshConfig(file, home, diagnostics);
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, targets, exists, file] {
                if (!self) {
                    return;
                }
                self->m_sshTargets = targets;
                for (const Registry::Target &t : targets) {
                    const QString where = t.username.isEmpty() ? t.host : QString(t.username + u'@' + t.host);
                    auto *item = new QListWidgetItem(QStringLiteral("%1  (%2:%3)").arg(t.id, where).arg(t.port > 0 ? t.port : 22),
                                                     self->m_hosts);
                    item->setData(Qt::UserRole, t.id);
                    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
                    item->setCheckState(Qt::Unchecked);
                }
                self->m_hostsStatus->setText(
                    !exists ? QStringLiteral("No SSH configuration at %1: only the local target is set up. Add hosts later "
                                             "in the Targets panel.")
                                  .arg(file)
                    : targets.isEmpty() ? QStringLiteral("%1 names no hosts to import.").arg(file)
                                        : QStringLiteral("Check the hosts to add as targets (from %1):").arg(file));
                self->m_sshLoading = false;
                self->m_sshLoaded = true;
                Q_EMIT self->sshHostsReady();
            },
            Qt::QueuedConnection);
    });
}

InitialConfigOptions FirstRunWizard::options() const
{
    InitialConfigOptions o;
    o.configDir = m_dir->text().trimmed();
    o.listen = m_listen->text().trimmed();
    for (int i = 0; i < m_hosts->count(); ++i) {
        if (m_hosts->item(i)->checkState() != Qt::Checked) {
            continue;
        }
        const QString id = m_hosts->item(i)->data(Qt::UserRole).toString();
        for (const Registry::Target &t : m_sshTargets) {
            if (t.id == id) {
                o.sshTargets.append(t);
            }
        }
    }
    o.mintToken = m_mint->isChecked();
    o.tokenAgent = m_agent->text().trimmed();
    o.tokenTtlSeconds = m_ttl->currentData().toLongLong();
    return o;
}

void FirstRunWizard::startCreating()
{
    if (m_creating || (m_result && m_result->has_value())) {
        return;
    }
    m_creating = true;
    m_result.reset();
    m_doneStatus->setText(QStringLiteral("Creating the configuration…"));
    QPointer<FirstRunWizard> self(this);
    QThreadPool::globalInstance()->start([self, options = options()] {
        auto result = createInitialConfig(options);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, result = std::move(result)] {
                if (self) {
                    self->onCreated(result);
                }
            },
            Qt::QueuedConnection);
    });
}

void FirstRunWizard::onCreated(const Core::Result<InitialConfig> &result)
{
    m_creating = false;
    m_result = result;
    if (!result) {
        m_doneStatus->setText(QStringLiteral("<b>Setup failed:</b> %1").arg(result.error().toString().toHtmlEscaped()));
        m_doneStatus->setStyleSheet(QStringLiteral("color: #b3261e;"));
        Q_EMIT creationFailed(result.error().toString());
        return;
    }
    m_doneStatus->setStyleSheet(QString());
    QString text = QStringLiteral("The configuration is in <b>%1</b>; the gateway will listen on <b>%2</b>.")
                       .arg(result->configDir.toHtmlEscaped(), result->mcpUrl.toString().toHtmlEscaped());
    if (!result->importedTargets.isEmpty()) {
        text += QStringLiteral(" Targets added from SSH: %1.").arg(result->importedTargets.join(QStringLiteral(", ")).toHtmlEscaped());
    }
    if (result->token) {
        text += QStringLiteral("<br><b>Copy the token now: it is shown only once.</b>");
        m_token->setText(QString::fromLatin1(result->token->token));
        m_claudeCode->setPlainText(result->claudeCodeCommand);
    } else {
        m_token->setEnabled(false);
        m_claudeCode->setPlainText(QStringLiteral("Mint a token in the Tokens panel to connect a client."));
    }
    m_doneStatus->setText(text);
    Q_EMIT configCreated(result->configDir);
}

} // namespace Tailops::Ui
