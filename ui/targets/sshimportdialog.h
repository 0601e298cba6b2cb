#pragma once

#include "config/diagnostic.h"
#include "registry/target.h"

#include <QDialog>
#include <QSet>

class QLabel;
class QListWidget;

namespace Tailops::Ui {

// Lists the hosts of an ssh config file that can become targets, each with a checkbox; hosts whose id is
// already a target are shown disabled.
class SshImportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SshImportDialog)

public:
    // Reads FILE (default ~/.ssh/config) with Registry::importSshConfig.
    SshImportDialog(const QString &file, const QSet<QString> &existingIds, QWidget *parent = nullptr);

    const QList<Registry::Target> &candidates() const { return m_candidates; }
    const Config::Diagnostics &diagnostics() const { return m_diagnostics; }
    QStringList availableIds() const; // importable (not present yet)
    void setChecked(const QString &id, bool checked);
    QList<Registry::Target> chosen() const; // checked and enabled

private:
    void updateOk();

    QList<Registry::Target> m_candidates;
    Config::Diagnostics m_diagnostics;
    QSet<QString> m_existing;
    QListWidget *m_list = nullptr;
    QLabel *m_message = nullptr;
    QWidget *m_ok = nullptr;
};

} // namespace Tailops::Ui
