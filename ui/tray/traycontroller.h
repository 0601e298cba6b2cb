#pragma once

#include "notifier.h"

#include <QIcon>
#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

// What the tray icon shows, most urgent first.
enum class TrayHealth { Paused, ApprovalPending, Degraded, Ok };
QString trayHealthName(TrayHealth health); // "paused", "approval", "degraded", "ok"

// The system tray: an icon showing the gateway's health, a menu (open console, pending approvals, pause =
// kill switch, read-only, start at login, quit) and rate-limited notifications for approval requests and
// problems; clicking an approval notification opens that approval.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)

public:
    explicit TrayController(Service::GatewayService &gateway, QObject *parent = nullptr);
    ~TrayController() override;

    TrayHealth health() const { return m_health; }
    QString toolTip() const;
    QIcon icon() const;

    // Why the gateway is degraded (startup problem, audit failure); empty clears it.
    void setProblem(const QString &problem);
    // Targets whose last connectivity check failed.
    void setTargetsDown(int down);

    // Shows the icon when a tray exists; false when there is none (no tray host).
    bool show();
    bool isVisible() const;

    QMenu *menu() const { return m_menu; }
    QAction *pauseAction() const { return m_pause; }
    QAction *readOnlyAction() const { return m_readOnly; }
    QAction *autostartAction() const { return m_autostart; }
    Notifier &notifier() { return m_notifier; }
    // Opens what the last notification was about (what a click on it does).
    void activateLastNotification();

    // The program and arguments the autostart entry runs.
    void setAutostartCommand(const QString &program, const QStringList &arguments);

Q_SIGNALS:
    void healthChanged(Tailops::Ui::TrayHealth health);
    void openConsoleRequested();
    void approvalRequested(const QString &approvalId); // empty: the approvals panel
    void quitRequested();
    void notificationShown(const Tailops::Ui::Notification &notification);
    void autostartFailed(const QString &error);

private:
    void refresh();
    void rebuildApprovalsMenu();

    Service::GatewayService &m_gateway;
    Notifier m_notifier;
    QMenu *m_menu = nullptr;
    QMenu *m_approvalsMenu = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_readOnly = nullptr;
    QAction *m_autostart = nullptr;
    QSystemTrayIcon *m_icon = nullptr;
    TrayHealth m_health = TrayHealth::Ok;
    QString m_problem;
    int m_targetsDown = 0;
    QString m_lastApproval;
    QString m_autostartProgram;
    QStringList m_autostartArguments;
};

} // namespace Tailops::Ui
