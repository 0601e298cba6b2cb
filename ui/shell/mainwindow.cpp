#include "mainwindow.h"

#include "approvals/approvalbroker.h"
#include "http/httptransport.h"
#include "service/gatewayservice.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

namespace Tailops::Ui {

MainWindow::MainWindow(Service::GatewayService &gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("TailOps Console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/tailops.svg")));

    auto *splitter = new QSplitter(this);
    m_sidebar = new QListWidget(splitter);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setAccessibleName(tr("Panels"));
    m_sidebar->setIconSize(QSize(20, 20));
    m_sidebar->setSpacing(2);
    m_sidebar->setMaximumWidth(220);
    m_sidebar->setMinimumWidth(150);
    m_stack = new QStackedWidget(splitter);
    m_stack->setObjectName(QStringLiteral("panels"));
    splitter->addWidget(m_sidebar);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("gatewayStatus"));
    statusBar()->addWidget(m_status, 1);

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= m_ids.size()) {
            return;
        }
        m_stack->setCurrentIndex(row);
        Q_EMIT panelChanged(m_ids.at(row));
    });
    for (int i = 0; i < 9; ++i) {
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(shortcut, &QShortcut::activated, this, [this, i] {
            if (i < m_ids.size()) {
                m_sidebar->setCurrentRow(i);
            }
        });
    }
    auto *focusSidebar = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_0), this);
    connect(focusSidebar, &QShortcut::activated, m_sidebar, [this] { m_sidebar->setFocus(Qt::ShortcutFocusReason); });

    connect(&m_gateway.approvals(), &Approvals::ApprovalBroker::switchesChanged, this, &MainWindow::refreshStatus);
    connect(&m_gateway.approvals(), &Approvals::ApprovalBroker::requested, this, &MainWindow::refreshStatus);
    connect(&m_gateway.approvals(), &Approvals::ApprovalBroker::decided, this, &MainWindow::refreshStatus);
    resize(1100, 700);
    refreshStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::addPanel(const QString &id, const QString &title, const QIcon &icon, QWidget *panel)
{
    m_ids.append(id);
    m_panels.insert(id, panel);
    auto *item = new QListWidgetItem(icon, title, m_sidebar);
    item->setData(Qt::UserRole, id);
    item->setToolTip(tr("%1 (Ctrl+%2)").arg(title).arg(m_ids.size()));
    m_stack->addWidget(panel);
    if (m_sidebar->currentRow() < 0) {
        m_sidebar->setCurrentRow(0);
    }
}

QString MainWindow::currentPanel() const
{
    const int row = m_sidebar->currentRow();
    return row >= 0 && row < m_ids.size() ? m_ids.at(row) : QString();
}

bool MainWindow::showPanel(const QString &id)
{
    const int row = int(m_ids.indexOf(id));
    if (row < 0) {
        return false;
    }
    m_sidebar->setCurrentRow(row);
    return true;
}

void MainWindow::bringToFront()
{
    if (isMinimized()) {
        setWindowState(windowState() & ~Qt::WindowMinimized);
    }
    show();
    raise();
    activateWindow();
}

void MainWindow::restoreSettings()
{
    const QSettings settings;
    if (const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray(); !geometry.isEmpty()) {
        restoreGeometry(geometry);
    }
    if (const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray(); !state.isEmpty()) {
        restoreState(state);
    }
    showPanel(settings.value(QStringLiteral("window/panel")).toString());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/panel"), currentPanel());
}

void MainWindow::setGatewayError(const QString &error)
{
    m_error = error;
    refreshStatus();
}

void MainWindow::refreshStatus()
{
    QStringList parts;
    if (!m_error.isEmpty()) {
        parts.append(tr("Gateway problem: %1").arg(m_error.section(u'\n', 0, 0)));
    } else {
        parts.append(tr("Gateway running"));
    }
    const auto &broker = m_gateway.approvals();
    if (broker.isPaused()) {
        parts.append(tr("PAUSED: every tool call is refused"));
    }
    if (broker.isReadOnly()) {
        parts.append(tr("read-only"));
    }
    if (const auto pending = broker.pending().size(); pending > 0) {
        parts.append(tr("%n approval(s) waiting", nullptr, int(pending)));
    }
    m_status->setText(parts.join(QStringLiteral("  ·  ")));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    if (m_closeToTray) {
        hide();
        event->ignore();
        Q_EMIT hiddenToTray();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace Tailops::Ui
