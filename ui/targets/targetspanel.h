#pragma once

#include "config/diagnostic.h"
#include "core/result.h"
#include "registry/targetsfile.h"

#include <QSet>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ConnectivityRunner;
class HostKeyDialog;
class SshImportDialog;
class TargetEditDialog;
class TargetsModel;

// The Targets panel: the registry with each target's status, latency and last check; add, edit and remove
// targets (validated as typed), import hosts from ~/.ssh/config, trust an SSH host key. Changes are written to
// targets.yaml (FILE.bak kept, atomic replace), then the gateway reloads it; the loader's findings show inline.
class TargetsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetsPanel)

public:
    TargetsPanel(Service::GatewayService &gateway, ConnectivityRunner &runner, QWidget *parent = nullptr);

    TargetsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QString selectedTargetId() const;
    bool selectTarget(const QString &id);

    // Writes CHANGES to targets.yaml off the GUI thread (one save at a time, in order), then reloads the
    // gateway's targets and selects SELECT; ends in targetsSaved() or saveFailed(). Errors and the loader's
    // findings show in the panel (diagnosticsText()).
    void applyChanges(const QList<Registry::TargetChange> &changes, const QString &select = {});
    void removeTarget(const QString &id);
    bool isSaving() const { return m_saving; }
    QString diagnosticsText() const;

    // Dialogs open window-modal without a nested event loop (QDialog::open); accepting applies them. Tests and
    // the screenshot tour drive them through the returned pointer.
    TargetEditDialog *openAddDialog();
    TargetEditDialog *openEditDialog(const QString &id);
    SshImportDialog *openImportDialog(const QString &sshConfigFile = {});
    HostKeyDialog *openTrustDialog(const QString &id); // fetches the key right away

Q_SIGNALS:
    void targetsSaved();
    void saveFailed(const QString &error);

private:
    void showDiagnostics(const Config::Diagnostics &diagnostics, const QString &error = {});
    void updateButtons();
    void confirmRemove();
    QSet<QString> targetIds() const;
    void startNextSave();
    void finishSave(const Core::Result<void> &written, const QString &file, const QString &select);

    struct PendingSave
    {
        QList<Registry::TargetChange> changes;
        QString select;
    };
    QList<PendingSave> m_saves;
    bool m_saving = false;

    Service::GatewayService &m_gateway;
    ConnectivityRunner &m_runner;
    TargetsModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_fileLabel = nullptr;
    QLabel *m_diagnostics = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_import = nullptr;
    QPushButton *m_trust = nullptr;
    QPushButton *m_check = nullptr;
    QPushButton *m_checkAll = nullptr;
};

} // namespace Tailops::Ui
