#pragma once

#include "initialconfig.h"

#include <QWizard>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace Tailops::Ui {

// The first run: where the configuration goes and where the gateway listens, which ~/.ssh/config hosts to
// add as targets, whether to mint a first read-only token; then createInitialConfig() runs off the GUI
// thread and the last page shows the token once with its Claude Code line. main() shows it when
// DIR/gateway.yaml is missing; accepted() means the configuration is in configDir().
class FirstRunWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FirstRunWizard)

public:
    enum PageId { WelcomePage, SshPage, TokenPage, DonePage };

    explicit FirstRunWizard(QWidget *parent = nullptr);
    ~FirstRunWizard() override;

    void setConfigDir(const QString &dir);
    QString configDir() const;
    void setListenAddress(const QString &listen);
    QString listenAddress() const;
    // The ssh config to offer hosts from (default ~/.ssh/config); read off the GUI thread when the page opens.
    void setSshConfigFile(const QString &file, const QString &homeDir = {});
    // Hosts offered (ids) and which of them are checked.
    QStringList sshHosts() const;
    void setSshHostChecked(const QString &id, bool checked);
    bool sshHostsLoaded() const { return m_sshLoaded; }
    void setMintToken(bool mint);
    void setTokenAgent(const QString &agent);

    bool isCreating() const { return m_creating; }
    // The outcome once creation finished (error: shown on the last page; Back leads to the first page).
    const std::optional<Core::Result<InitialConfig>> &result() const { return m_result; }
    QString tokenText() const;
    QString claudeCodeLine() const;

    // Collected into createInitialConfig()'s options.
    InitialConfigOptions options() const;

Q_SIGNALS:
    void configCreated(const QString &configDir);
    void creationFailed(const QString &error);
    void sshHostsReady();

private:
    friend class FirstRunDonePage;
    void loadSshHosts();
    void startCreating();
    void onCreated(const Core::Result<InitialConfig> &result);

    QLineEdit *m_dir = nullptr;
    QLineEdit *m_listen = nullptr;
    QLabel *m_listenError = nullptr;
    QListWidget *m_hosts = nullptr;
    QLabel *m_hostsStatus = nullptr;
    QCheckBox *m_mint = nullptr;
    QLineEdit *m_agent = nullptr;
    QComboBox *m_ttl = nullptr;
    QLabel *m_doneStatus = nullptr;
    QLineEdit *m_token = nullptr;
    QPlainTextEdit *m_claudeCode = nullptr;

    QString m_sshConfig;
    QString m_home;
    QList<Registry::Target> m_sshTargets;
    bool m_sshLoaded = false;
    bool m_sshLoading = false;
    bool m_creating = false;
    std::optional<Core::Result<InitialConfig>> m_result;
};

} // namespace Tailops::Ui
