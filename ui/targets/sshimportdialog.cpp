#include "sshimportdialog.h"

#include "registry/sshconfigimport.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Tailops::Ui {

SshImportDialog::SshImportDialog(const QString &file, const QSet<QString> &existingIds, QWidget *parent)
    : QDialog(parent)
    , m_existing(existingIds)
{
    setObjectName(QStringLiteral("sshImportDialog"));
    setWindowTitle(tr("Import from SSH config"));
    const QString home = QDir::homePath();
    const QString path = file.isEmpty() ? home + QStringLiteral("/.ssh/config") : file;
    m_candidates = Registry::importSshConfig(path, home, m_diagnostics);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Hosts in %1 that can become SSH targets (read-only capabilities, tag \"ssh-config\"). "
                                "Check each host key afterwards with Trust host key.")
                                 .arg(path.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("hostsList"));
    for (const Registry::Target &t : std::as_const(m_candidates)) {
        const QString where = QStringLiteral("%1%2:%3")
                                  .arg(t.username.isEmpty() ? QString() : t.username + u'@', t.host)
                                  .arg(t.port > 0 ? t.port : 22);
        auto *item = new QListWidgetItem(QStringLiteral("%1  —  %2").arg(t.id, where), m_list);
        item->setData(Qt::UserRole, t.id);
        if (m_existing.contains(t.id)) {
            item->setFlags(Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Unchecked);
            item->setToolTip(tr("Already a target"));
            item->setText(item->text() + tr("  (already a target)"));
        } else {
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Checked);
        }
    }
    connect(m_list, &QListWidget::itemChanged, this, &SshImportDialog::updateOk);
    layout->addWidget(m_list, 1);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("importMessage"));
    m_message->setWordWrap(true);
    QStringList notes;
    for (const auto &d : std::as_const(m_diagnostics)) {
        notes.append(d.toString());
    }
    if (m_candidates.isEmpty()) {
        notes.append(tr("No host to import in %1 (wildcard patterns are skipped).").arg(path));
    }
    m_message->setText(notes.join(u'\n'));
    m_message->setVisible(!notes.isEmpty());
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    auto *ok = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    ok->setObjectName(QStringLiteral("importButton"));
    m_ok = ok;
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    updateOk();
}

QStringList SshImportDialog::availableIds() const
{
    QStringList ids;
    for (const auto &t : m_candidates) {
        if (!m_existing.contains(t.id)) {
            ids.append(t.id);
        }
    }
    return ids;
}

void SshImportDialog::setChecked(const QString &id, bool checked)
{
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        if (item->data(Qt::UserRole).toString() == id && (item->flags() & Qt::ItemIsEnabled)) {
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
        }
    }
}

QList<Registry::Target> SshImportDialog::chosen() const
{
    QList<Registry::Target> out;
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem *item = m_list->item(i);
        if ((item->flags() & Qt::ItemIsEnabled) && item->checkState() == Qt::Checked) {
            out.append(m_candidates.at(i));
        }
    }
    return out;
}

void SshImportDialog::updateOk()
{
    m_ok->setEnabled(!chosen().isEmpty());
}

} // namespace Tailops::Ui
