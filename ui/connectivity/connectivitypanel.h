#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ConnectivityModel;
class ConnectivityRunner;

// The Connectivity panel: run the checks of all, the selected or one target (button, context menu, double
// click), follow the progress, read the matrix of checks and, for each failure, its cause and its fix.
class ConnectivityPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectivityPanel)

public:
    ConnectivityPanel(Service::GatewayService &gateway, ConnectivityRunner &runner, QWidget *parent = nullptr);

    ConnectivityModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

    void runAll();
    void runSelected();
    void runTarget(const QString &id);
    bool selectTarget(const QString &id);
    QStringList selectedTargetIds() const;
    QString currentTargetId() const;
    // What the details pane shows: the current target's checks, or every failure when no target is current.
    QString detailsText() const;
    int progressValue() const;
    int progressMaximum() const;

private:
    void updateDetails();
    void updateProgress();
    void updateButtons();

    Service::GatewayService &m_gateway;
    ConnectivityRunner &m_runner;
    ConnectivityModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QTextBrowser *m_details = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_runAll = nullptr;
    QPushButton *m_runSelected = nullptr;
    QPushButton *m_runOne = nullptr;
    int m_batchTotal = 0;
    int m_batchDone = 0;
};

} // namespace Tailops::Ui
