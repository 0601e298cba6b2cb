#pragma once

#include <QHash>
#include <QMainWindow>
#include <QUrl>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

// The console's main window: a sidebar of panels (keyboard: Ctrl+1..9, arrows in the sidebar) beside the
// current panel, and a status bar with the gateway's state. Geometry, state and the last panel are kept in
// QSettings. With close-to-tray on, closing the window hides it; the tray brings it back.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds PANEL (reparented) under ID in the sidebar, in the order of the calls.
    void addPanel(const QString &id, const QString &title, const QIcon &icon, QWidget *panel);
    QStringList panelIds() const { return m_ids; }
    QWidget *panel(const QString &id) const { return m_panels.value(id); }
    QString currentPanel() const;
    // Selects panel ID (unknown ids are ignored); returns whether it exists.
    bool showPanel(const QString &id);
    // Shows, raises and activates the window (from the tray or a second launch).
    void bringToFront();

    // Restores geometry and the last panel from QSettings; call after the panels are added.
    void restoreSettings();
    void setCloseToTray(bool enabled) { m_closeToTray = enabled; }
    bool closeToTray() const { return m_closeToTray; }

    void setGatewayError(const QString &error);
    QString gatewayError() const { return m_error; }

Q_SIGNALS:
    void panelChanged(const QString &id);
    // The window was closed while close-to-tray is on: it is hidden, the gateway keeps running.
    void hiddenToTray();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void saveSettings() const;
    void refreshStatus();

    Service::GatewayService &m_gateway;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_status = nullptr;
    QStringList m_ids;
    QHash<QString, QWidget *> m_panels;
    QString m_error;
    bool m_closeToTray = false;
};

} // namespace Tailops::Ui
