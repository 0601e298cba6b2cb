#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;
class QTreeWidget;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ActivityStats;
class Sparkline;

// The Overview panel: is the gateway running (or is its audit failing, is it paused or read-only), where it
// listens, who is connected, calls per minute over the last half hour, pending approvals, targets up and down,
// and the latest denials. The counts that lead elsewhere are buttons: they emit the navigation signals.
class OverviewPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewPanel)

public:
    explicit OverviewPanel(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~OverviewPanel() override;

    ActivityStats &stats() const { return *m_stats; }

    // What the labels say (for tests and the tour).
    QString stateText() const;
    QString sessionsText() const;
    QString callRateText() const;
    QString approvalsText() const;
    QString targetsText() const;
    // Copies the listen URLs (one per line) to the clipboard.
    void copyListenUrls();

public Q_SLOTS:
    // From the connectivity runner: how many targets answered their last check.
    void setTargetCounts(int up, int down, int unknown);
    // Re-reads everything (the panel also follows the gateway's signals).
    void refresh();

Q_SIGNALS:
    void approvalsRequested();
    void targetsRequested();
    void auditRequested();

private:
    void refreshState();
    void refreshActivity();
    void refreshSessions();
    void refreshDenials();
    void refreshApprovals();
    void refreshTargets();

    Service::GatewayService &m_gateway;
    ActivityStats *m_stats = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_stateDetail = nullptr;
    QLabel *m_urls = nullptr;
    QPushButton *m_copyUrls = nullptr;
    QLabel *m_sessions = nullptr;
    QTableWidget *m_clients = nullptr;
    Sparkline *m_sparkline = nullptr;
    QLabel *m_callRate = nullptr;
    QLabel *m_callTotals = nullptr;
    QPushButton *m_approvals = nullptr;
    QPushButton *m_targets = nullptr;
    QTreeWidget *m_denials = nullptr;
    QPushButton *m_openAudit = nullptr;
    int m_up = 0;
    int m_down = 0;
    int m_unknown = -1; // -1: no report yet, count the registry's targets as unknown
};

} // namespace Tailops::Ui
