#pragma once

#include "doctor/doctor.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class DiagnosticsModel;

// Diagnostics: every check of the troubleshooting guide at a click (the same checks as `tailops-gateway doctor`),
// green/amber/red, with the fix of the selected check in a selectable details pane. The checks run on the
// global thread pool; results stream into the table as they arrive.
class DiagnosticsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiagnosticsPanel)

public:
    explicit DiagnosticsPanel(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~DiagnosticsPanel() override;

    DiagnosticsModel *model() const { return m_model; }
    bool isRunning() const { return m_running; }

    // Starts every check (or one section's); ignored while a run is in progress. Returns at once.
    void runAll();
    void runSection(Doctor::Section section);
    // Options the next runs use (timeouts, the audit verify cap); servedUrls is always the gateway's.
    void setOptions(const Doctor::Options &options) { m_options = options; }

    // Selects the row of check ID (e.g. "auth.secret"); false when there is none.
    bool selectCheck(const QString &id);
    QString detailsText() const;
    QString reportText() const; // what "Copy report" copies: the CLI's text report
    void copyReport();
    void copyFix();

Q_SIGNALS:
    void runStarted();
    void checkCompleted(const QString &id, int status);
    void runFinished(int failed, int warnings);

private:
    void start(const QList<Doctor::Section> &sections);
    void onResult(quint64 run, const Doctor::CheckResult &result);
    void onFinished(quint64 run);
    void updateDetails();
    void updateSummary();

    Service::GatewayService &m_gateway;
    DiagnosticsModel *m_model = nullptr;
    QPushButton *m_runAll = nullptr;
    QComboBox *m_section = nullptr;
    QPushButton *m_runSection = nullptr;
    QPushButton *m_copyReport = nullptr;
    QPushButton *m_copyFix = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_details = nullptr;
    Doctor::Options m_options;
    bool m_running = false;
    quint64 m_run = 0;
};

} // namespace Tailops::Ui
