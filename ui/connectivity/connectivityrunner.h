#pragma once

#include "connectivity/connectivitychecker.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <optional>

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

// Runs connectivity checks of the gateway's targets off the GUI thread (in parallel, on a pool of its own) and
// keeps the latest report of each target. Shared by the Targets and Connectivity panels, the overview and the tray.
class ConnectivityRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectivityRunner)

public:
    explicit ConnectivityRunner(Service::GatewayService &gateway, QObject *parent = nullptr);
    ~ConnectivityRunner() override;

    // Checks TARGETIDS (empty: every target); ids already being checked or not in the registry are skipped.
    void run(const QStringList &targetIds = {});
    bool isRunning() const { return !m_inFlight.isEmpty(); }
    bool isChecking(const QString &targetId) const { return m_inFlight.contains(targetId); }

    std::optional<Connectivity::TargetReport> report(const QString &targetId) const;
    QDateTime checkedAt(const QString &targetId) const;
    int upCount() const;   // among checked targets still in the registry
    int downCount() const;

    // Re-checks every target every INTERVAL (0: off, the default).
    void setInterval(std::chrono::seconds interval);
    std::chrono::seconds interval() const { return m_interval; }
    // Time allowed to each check (default 10 s).
    void setCheckTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    std::chrono::milliseconds checkTimeout() const { return m_timeout; }

Q_SIGNALS:
    void started(const QStringList &ids);
    void reportReady(const Tailops::Connectivity::TargetReport &report);
    void finished();

private:
    void onReport(const Connectivity::TargetReport &report);
    void onTargetsChanged();

    Service::GatewayService &m_gateway;
    QHash<QString, Connectivity::TargetReport> m_reports;
    QHash<QString, QDateTime> m_checkedAt;
    QSet<QString> m_inFlight;
    QTimer m_timer;
    std::chrono::seconds m_interval { 0 };
    std::chrono::milliseconds m_timeout { 10000 };
};

} // namespace Tailops::Ui
