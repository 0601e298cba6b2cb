#include "traycontroller.h"

#include "autostart.h"

#include "approvals/approvalbroker.h"
#include "audit/auditlog.h"
#include "service/gatewayservice.h"

#include <QAction>
#include <QFile>
#include <QCoreApplication>
#include <QMenu>
#include <QSystemTrayIcon>

namespace Tailops::Ui {

QString trayHealthName(TrayHealth health)
{
    switch (health) {
    case TrayHealth::Paused:
        return QStringLiteral("paused");
    case TrayHealth::ApprovalPending:
        return QStringLiteral("approval");
    case TrayHealth::Degraded:
        return QStringLiteral("degraded");
    case TrayHealth::Ok:
        break;
    }
    return QStringLiteral("ok");
}

TrayController::TrayController(Service::GatewayService &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_menu(new QMenu)
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_menu->addAction(tr("&Open console"), this, &TrayController::openConsoleRequested);
    m_approvalsMenu = m_menu->addMenu(tr("Pending &approvals"));
    m_approvalsMenu->setObjectName(QStringLiteral("trayApprovals"));
    m_menu->addSeparator();
    m_pause = m_menu->addAction(tr("&Pause gateway (refuse every call)"));
    m_pause->setCheckable(true);
    m_readOnly = m_menu->addAction(tr("&Read-only (refuse changes)"));
    m_readOnly->setCheckable(true);
    m_autostart = m_menu->addAction(tr("&Start at login"));
    m_autostart->setCheckable(true);
    m_autostart->setChecked(isAutostartEnabled());
    m_menu->addSeparator();
    m_menu->addAction(tr("&Quit"), this, &TrayController::quitRequested);

    auto &broker = m_gateway.approvals();
    connect(m_pause, &QAction::toggled, &broker, [&broker](bool on) { broker.setPaused(on); });
    connect(m_readOnly, &QAction::toggled, &broker, [&broker](bool on) { broker.setReadOnly(on); });
    connect(m_autostart, &QAction::toggled, this, [this](bool on) {
        const QString program = m_autostartProgram.isEmpty() ? QCoreApplication::applicationFilePath() : m_autostartProgram;
        if (auto done = setAutostartEnabled(on, program, m_autostartArguments); !done) {
            const QSignalBlocker block(m_autostart);
            m_autostart->setChecked(!on);
            Q_EMIT autostartFailed(done.error().toString());
        }
    });
    connect(&broker, &Approvals::ApprovalBroker::switchesChanged, this, &TrayController::refresh);
    connect(&broker, &Approvals::ApprovalBroker::decided, this, &TrayController::refresh);
    connect(&broker, &Approvals::ApprovalBroker::requested, this, [this](const Approvals::ApprovalRequest &r) {
        m_notifier.post(tr("approval requests"), tr("Approval needed: %1 on %2").arg(r.tool, r.target),
                        tr("%1 asks to run %2 on %3. Click to review.").arg(r.caller, r.tool, r.target), r.id);
        refresh();
    });
    if (auto *audit = m_gateway.audit()) {
        connect(audit, &Audit::AuditLog::failed, this, [this](const QString &reason) {
            setProblem(tr("audit log failed: %1 (tool calls are refused)").arg(reason));
        });
    }
    connect(&m_notifier, &Notifier::notificationReady, this, [this](const Notification &n) {
        m_lastApproval = n.approvalId;
        if (m_icon && m_icon->isVisible()) {
            m_icon->showMessage(n.title, n.body, icon(), 10000);
        }
        Q_EMIT notificationShown(n);
    });
    refresh();
}

TrayController::~TrayController()
{
    delete m_menu;
}

void TrayController::setAutostartCommand(const QString &program, const QStringList &arguments)
{
    m_autostartProgram = program;
    m_autostartArguments = arguments;
}

bool TrayController::show()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        return false;
    }
    if (!m_icon) {
        m_icon = new QSystemTrayIcon(icon(), this);
        m_icon->setContextMenu(m_menu);
        connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
                if (m_health == TrayHealth::ApprovalPending) {
                    Q_EMIT approvalRequested(QString());
                } else {
                    Q_EMIT openConsoleRequested();
                }
            }
        });
        connect(m_icon, &QSystemTrayIcon::messageClicked, this, &TrayController::activateLastNotification);
    }
    refresh();
    m_icon->show();
    return true;
}

bool TrayController::isVisible() const
{
    return m_icon && m_icon->isVisible();
}

void TrayController::activateLastNotification()
{
    Q_EMIT approvalRequested(m_lastApproval);
}

void TrayController::setProblem(const QString &problem)
{
    if (problem != m_problem) {
        if (!problem.isEmpty()) {
            m_notifier.post(tr("problems"), tr("TailOps gateway degraded"), problem);
        }
        m_problem = problem;
        refresh();
    }
}

void TrayController::setTargetsDown(int down)
{
    if (down != m_targetsDown) {
        if (down > m_targetsDown) {
            m_notifier.post(tr("problems"), tr("%n target(s) unreachable", nullptr, down),
                            tr("See the Connectivity panel for the cause and the fix."));
        }
        m_targetsDown = down;
        refresh();
    }
}

QIcon TrayController::icon() const
{
    const QString file = QStringLiteral(":/icons/tray-%1.svg").arg(trayHealthName(m_health));
    return QIcon(QFile::exists(file) ? file : QStringLiteral(":/icons/tailops.svg"));
}

QString TrayController::toolTip() const
{
    const auto &broker = m_gateway.approvals();
    QStringList lines { tr("TailOps gateway") };
    switch (m_health) {
    case TrayHealth::Paused:
        lines.append(tr("Paused: every tool call is refused"));
        break;
    case TrayHealth::ApprovalPending:
        lines.append(tr("%n approval(s) waiting", nullptr, int(broker.pending().size())));
        break;
    case TrayHealth::Degraded:
        if (!m_problem.isEmpty()) {
            lines.append(m_problem);
        }
        if (m_targetsDown > 0) {
            lines.append(tr("%n target(s) unreachable", nullptr, m_targetsDown));
        }
        break;
    case TrayHealth::Ok:
        lines.append(tr("Running"));
        break;
    }
    if (broker.isReadOnly()) {
        lines.append(tr("Read-only"));
    }
    return lines.join(u'\n');
}

void TrayController::refresh()
{
    const auto &broker = m_gateway.approvals();
    {
        const QSignalBlocker a(m_pause);
        const QSignalBlocker b(m_readOnly);
        m_pause->setChecked(broker.isPaused());
        m_readOnly->setChecked(broker.isReadOnly());
    }
    TrayHealth health = TrayHealth::Ok;
    if (broker.isPaused()) {
        health = TrayHealth::Paused;
    } else if (!broker.pending().isEmpty()) {
        health = TrayHealth::ApprovalPending;
    } else if (!m_problem.isEmpty() || m_targetsDown > 0) {
        health = TrayHealth::Degraded;
    }
    const bool changed = health != m_health;
    m_health = health;
    rebuildApprovalsMenu();
    if (m_icon) {
        m_icon->setIcon(icon());
        m_icon->setToolTip(toolTip());
    }
    if (changed) {
        Q_EMIT healthChanged(m_health);
    }
}

void TrayController::rebuildApprovalsMenu()
{
    m_approvalsMenu->clear();
    const auto pending = m_gateway.approvals().pending();
    m_approvalsMenu->setTitle(pending.isEmpty() ? tr("No pending approvals") : tr("Pending &approvals (%1)").arg(pending.size()));
    m_approvalsMenu->setEnabled(!pending.isEmpty());
    for (const auto &r : pending) {
        const QString id = r.id;
        m_approvalsMenu->addAction(tr("%1 on %2 (%3)").arg(r.tool, r.target, r.caller), this,
                                   [this, id] { Q_EMIT approvalRequested(id); });
    }
}

} // namespace Tailops::Ui
