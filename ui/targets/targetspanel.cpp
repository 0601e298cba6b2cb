#include "targetspanel.h"

#include "connectivity/connectivityrunner.h"
#include "hostkeydialog.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"
#include "sshimportdialog.h"
#include "targeteditdialog.h"
#include "targetsmodel.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QThreadPool>
#include <QTime>
#include <QVBoxLayout>

#include <algorithm>

namespace Tailops::Ui {

TargetsPanel::TargetsPanel(Service::GatewayService &gateway, ConnectivityRunner &runner, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_runner(runner)
{
    setObjectName(QStringLiteral("targetsPanel"));
    m_model = new TargetsModel(m_gateway.registry(), &m_runner, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TargetsModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    const auto button = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    m_add = button(QStringLiteral("addButton"), tr("&Add…"), tr("Add a target to targets.yaml"));
    m_edit = button(QStringLiteral("editButton"), tr("&Edit…"), tr("Edit the selected target"));
    m_remove = button(QStringLiteral("removeButton"), tr("&Remove"), tr("Remove the selected target from targets.yaml"));
    m_import = button(QStringLiteral("importButton"), tr("&Import from SSH config…"), tr("Add hosts from ~/.ssh/config"));
    m_trust = button(QStringLiteral("trustButton"), tr("Trust &host key…"),
                     tr("Show the selected SSH target's host key and record it in known_hosts"));
    m_check = button(QStringLiteral("checkButton"), tr("&Check selected"), tr("Run the connectivity checks of the selected target"));
    m_checkAll = button(QStringLiteral("checkAllButton"), tr("Check a&ll"), tr("Run the connectivity checks of every target"));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : { m_add, m_edit, m_remove, m_import, m_trust }) {
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    buttons->addWidget(m_check);
    buttons->addWidget(m_checkAll);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("filterEdit"));
    m_filter->setPlaceholderText(tr("Filter by id, host, tag…"));
    m_filter->setClearButtonEnabled(true);
    auto *filterLabel = new QLabel(tr("&Filter:"), this);
    filterLabel->setBuddy(m_filter);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(filterLabel);
    filterRow->addWidget(m_filter, 1);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("targetsView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TargetsModel::IdColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    const auto action = [this](const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, m_view);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        m_view->addAction(a);
        return a;
    };
    action(tr("Edit…"), QKeySequence(Qt::Key_Return), [this] { openEditDialog(selectedTargetId()); });
    action(tr("Remove"), QKeySequence::Delete, [this] { confirmRemove(); });
    action(tr("Check"), {}, [this] { m_runner.run({ selectedTargetId() }); });
    action(tr("Trust host key…"), {}, [this] { openTrustDialog(selectedTargetId()); });
    connect(m_view, &QTableView::doubleClicked, this, [this] { openEditDialog(selectedTargetId()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TargetsPanel::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TargetsPanel::updateButtons);

    m_fileLabel = new QLabel(this);
    m_fileLabel->setObjectName(QStringLiteral("fileLabel"));
    m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fileLabel->setText(tr("Targets file: %1").arg(m_gateway.config().targetsFile()));
    m_diagnostics = new QLabel(this);
    m_diagnostics->setObjectName(QStringLiteral("diagnosticsLabel"));
    m_diagnostics->setWordWrap(true);
    m_diagnostics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_diagnostics->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(filterRow);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_diagnostics);
    layout->addWidget(m_fileLabel);

    connect(m_add, &QPushButton::clicked, this, [this] { openAddDialog(); });
    connect(m_edit, &QPushButton::clicked, this, [this] { openEditDialog(selectedTargetId()); });
    connect(m_remove, &QPushButton::clicked, this, &TargetsPanel::confirmRemove);
    connect(m_import, &QPushButton::clicked, this, [this] { openImportDialog(); });
    connect(m_trust, &QPushButton::clicked, this, [this] { openTrustDialog(selectedTargetId()); });
    connect(m_check, &QPushButton::clicked, this, [this] {
        QStringList ids;
        for (const QModelIndex &row : m_view->selectionModel()->selectedRows()) {
            ids.append(row.data(TargetsModel::TargetIdRole).toString());
        }
        if (!ids.isEmpty()) {
            m_runner.run(ids);
        }
    });
    connect(m_checkAll, &QPushButton::clicked, this, [this] { m_runner.run(); });
    connect(&m_gateway, &Service::GatewayService::targetsReloaded, this,
            [this](const Config::Diagnostics &diagnostics) { showDiagnostics(diagnostics); });
    setTabOrder(m_add, m_edit);
    setTabOrder(m_edit, m_remove);
    setTabOrder(m_remove, m_import);
    setTabOrder(m_import, m_trust);
    setTabOrder(m_trust, m_check);
    setTabOrder(m_check, m_checkAll);
    setTabOrder(m_checkAll, m_filter);
    setTabOrder(m_filter, m_view);
    updateButtons();
}

QSet<QString> TargetsPanel::targetIds() const
{
    QSet<QString> ids;
    for (const auto &t : m_gateway.registry().snapshot()->targets()) {
        ids.insert(t.id);
    }
    return ids;
}

QString TargetsPanel::selectedTargetId() const
{
    const QModelIndex current = m_view->currentIndex();
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const QModelIndex index = !rows.isEmpty() ? rows.constFirst() : current;
    return index.isValid() ? index.data(TargetsModel::TargetIdRole).toString() : QString();
}

bool TargetsPanel::selectTarget(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        return false;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
        return false;
    }
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

void TargetsPanel::updateButtons()
{
    const QString id = selectedTargetId();
    const auto targets = m_gateway.registry().snapshot();
    const Registry::Target *t = id.isEmpty() ? nullptr : targets->find(id);
    m_edit->setEnabled(t != nullptr);
    m_remove->setEnabled(t != nullptr);
    m_check->setEnabled(t != nullptr);
    m_trust->setEnabled(t && t->executor == Registry::Executor::Ssh);
}

void TargetsPanel::showDiagnostics(const Config::Diagnostics &diagnostics, const QString &error)
{
    QStringList lines;
    if (!error.isEmpty()) {
        lines.append(error);
    }
    for (const auto &d : diagnostics) {
        lines.append(d.toString());
    }
    m_diagnostics->setText(lines.join(u'\n'));
    const bool bad = !error.isEmpty() || Config::hasErrors(diagnostics);
    m_diagnostics->setStyleSheet(bad ? QStringLiteral("color: #b71c1c;") : QStringLiteral("color: #9a6700;"));
    m_diagnostics->setVisible(!lines.isEmpty());
}

QString TargetsPanel::diagnosticsText() const
{
    return m_diagnostics->text();
}

void TargetsPanel::applyChanges(const QList<Registry::TargetChange> &changes, const QString &select)
{
    m_saves.append({ changes, select });
    if (!m_saving) {
        startNextSave();
    }
}

void TargetsPanel::startNextSave()
{
    if (m_saves.isEmpty()) {
        return;
    }
    const PendingSave save = m_saves.takeFirst();
    const QString file = m_gateway.config().targetsFile();
    QList<Registry::TargetChange> effective = save.changes;
    if (!QFile::exists(file)) {
        // No file yet: the registry holds the built-in local target. Write it out with the changes applied, so
        // the first edit does not make the local target disappear.
        QList<Registry::Target> targets = m_gateway.registry().snapshot()->targets();
        for (const Registry::TargetChange &c : save.changes) {
            if (c.id.isEmpty()) {
                if (c.target) {
                    targets.append(*c.target);
                }
                continue;
            }
            const auto it = std::find_if(targets.begin(), targets.end(), [&](const Registry::Target &t) { return t.id == c.id; });
            if (it == targets.end()) {
                finishSave(Core::fail(tr("target '%1' does not exist").arg(c.id)), file, {});
                return;
            }
            if (c.target) {
                *it = *c.target;
            } else {
                targets.erase(it);
            }
        }
        effective.clear();
        for (const Registry::Target &t : std::as_const(targets)) {
            effective.append({ QString(), t });
        }
    }
    m_saving = true;
    QPointer<TargetsPanel> self(this);
    QThreadPool::globalInstance()->start([self, file, effective, select = save.select] {
        QDir().mkpath(QFileInfo(file).absolutePath());
        const Core::Result<void> written = Registry::changeTargets(file, effective); // reads, writes, syncs
        QMetaObject::invokeMethod(
            qApp, [self, written, file, select] {
                if (self) {
                    self->finishSave(written, file, select);
                }
            },
            Qt::QueuedConnection);
    });
}

void TargetsPanel::finishSave(const Core::Result<void> &written, const QString &file, const QString &select)
{
    m_saving = false;
    if (!written) {
        showDiagnostics({}, tr("Not saved: %1").arg(written.error().message));
        Q_EMIT saveFailed(written.error().message);
    } else {
        m_gateway.reloadTargets(); // targetsReloaded shows the loader's findings
        m_fileLabel->setText(tr("Targets file: %1 (saved %2; previous version in %3.bak)")
                                 .arg(file, QLocale().toString(QTime::currentTime(), QLocale::ShortFormat), QFileInfo(file).fileName()));
        if (!select.isEmpty()) {
            selectTarget(select);
        }
        Q_EMIT targetsSaved();
    }
    startNextSave();
}

void TargetsPanel::removeTarget(const QString &id)
{
    applyChanges({ Registry::TargetChange { id, std::nullopt } });
}

void TargetsPanel::confirmRemove()
{
    const QString id = selectedTargetId();
    if (id.isEmpty()) {
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove target"),
                                tr("Remove target '%1' from targets.yaml? A backup is kept in targets.yaml.bak.").arg(id),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::accepted, this, [this, id] { removeTarget(id); });
    box->open();
}

TargetEditDialog *TargetsPanel::openAddDialog()
{
    auto *dialog = new TargetEditDialog(targetIds(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const auto t = dialog->target()) {
            applyChanges({ Registry::TargetChange { QString(), *t } }, t->id);
        }
    });
    dialog->open();
    return dialog;
}

TargetEditDialog *TargetsPanel::openEditDialog(const QString &id)
{
    const auto targets = m_gateway.registry().snapshot();
    const Registry::Target *t = targets->find(id);
    if (!t) {
        return nullptr;
    }
    auto *dialog = new TargetEditDialog(targetIds(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setTarget(*t);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const auto edited = dialog->target()) {
            applyChanges({ Registry::TargetChange { dialog->originalId(), *edited } }, edited->id);
        }
    });
    dialog->open();
    return dialog;
}

SshImportDialog *TargetsPanel::openImportDialog(const QString &sshConfigFile)
{
    auto *dialog = new SshImportDialog(sshConfigFile, targetIds(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QList<Registry::TargetChange> changes;
        for (const Registry::Target &t : dialog->chosen()) {
            changes.append({ QString(), t });
        }
        if (!changes.isEmpty()) {
            applyChanges(changes);
        }
    });
    dialog->open();
    return dialog;
}

HostKeyDialog *TargetsPanel::openTrustDialog(const QString &id)
{
    const auto targets = m_gateway.registry().snapshot();
    const Registry::Target *t = targets->find(id);
    if (!t || t->executor != Registry::Executor::Ssh) {
        return nullptr;
    }
    Exec::SshOptions ssh;
    ssh.knownHostsFile = m_gateway.config().knownHostsFile;
    auto *dialog = new HostKeyDialog(*t, ssh, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &HostKeyDialog::trusted, this, [this, id] { m_runner.run({ id }); });
    dialog->open();
    dialog->fetch();
    return dialog;
}

} // namespace Tailops::Ui
