#pragma once

#include "exec/ssh/sshexecutor.h"
#include "registry/target.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPushButton;

namespace Tailops::Ui {

// Shows an SSH target's host key (SHA256 fingerprint, key type, known/unknown/changed against known_hosts) and
// records it in known_hosts when the user trusts it. Fetching and trusting run off the GUI thread.
class HostKeyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostKeyDialog)

public:
    HostKeyDialog(Registry::Target target, Exec::SshOptions options, QWidget *parent = nullptr);

    const Registry::Target &target() const { return m_target; }
    void fetch();
    // Records the key shown (refused by the core if another key shows up now, or if it changed).
    void trust();
    bool isBusy() const { return m_busy; }
    const std::optional<Exec::HostKeyInfo> &info() const { return m_info; }
    QString message() const;

Q_SIGNALS:
    void fetched();
    void trusted();
    void failed(const QString &message);

private:
    void showInfo();
    void showError(const QString &message);

    Registry::Target m_target;
    Exec::SshOptions m_options;
    std::optional<Exec::HostKeyInfo> m_info;
    bool m_busy = false;
    QLabel *m_hostLabel = nullptr;
    QLabel *m_typeLabel = nullptr;
    QLabel *m_fingerprintLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_trustButton = nullptr;
};

} // namespace Tailops::Ui
