#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ApprovalsPanel;
class ConnectivityRunner;
class MainWindow;
class OverviewPanel;
class TrayController;

// The console as one object: the window with every panel, the tray, and the shared connectivity runner,
// all over one in-process GatewayService. app/console/main.cpp, the screenshot tour and bench/ui_latency
// construct exactly this.
class Console final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Console)

public:
    explicit Console(Service::GatewayService &gateway, QObject *parent = nullptr);
    ~Console() override;

    MainWindow &window() { return *m_window; }
    TrayController &tray() { return *m_tray; }
    ConnectivityRunner &connectivity() { return *m_runner; }

    // Shows the tray icon when there is a tray (then closing the window hides it), and the window unless
    // MINIMIZED and the tray is there to bring it back. Checks the targets once.
    void show(bool minimized);
    void setGatewayError(const QString &error);

    // Arguments of a later launch (SingleInstance::activated): brings the window up, then
    // --show PANEL, --approval ID, --tour DIR (screenshots of every panel, then quit).
    void handleArguments(const QStringList &arguments);
    void showApproval(const QString &id);

Q_SIGNALS:
    void quitRequested();

private:
    void updateTargetCounts();
    void runTour(const QString &directory);

    Service::GatewayService &m_gateway;
    ConnectivityRunner *m_runner = nullptr;
    MainWindow *m_window = nullptr;
    TrayController *m_tray = nullptr;
    OverviewPanel *m_overview = nullptr;
    ApprovalsPanel *m_approvals = nullptr;
};

} // namespace Tailops::Ui
