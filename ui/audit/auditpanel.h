#pragma once

#include "audit/auditexport.h"
#include "audit/auditverifier.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class AuditFilterModel;
class AuditModel;

// The Audit panel: the live audit stream (time, caller, tool, target, decision, duration, result) with search,
// a decision filter and "errors only"; the selected record's redacted JSON; Verify chain and Export, both run
// off the GUI thread. The table follows new rows until the user scrolls up, and again once back at the bottom.
class AuditPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditPanel)

public:
    explicit AuditPanel(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~AuditPanel() override;

    AuditModel *model() const { return m_model; }
    AuditFilterModel *filterModel() const { return m_filter; }
    QTableView *table() const { return m_table; }

    // Selects the visible row ROW (the details pane follows); false when there is no such row.
    bool selectRow(int row);
    // Whether new rows scroll the table to the bottom (false while the user looks further up).
    bool isFollowing() const { return m_following; }

    bool isBusy() const { return m_busy; }
    // Verifies the chain of LOGPATH's files (default: the gateway's log) off the GUI thread; verifyFinished follows.
    void verifyChain(const QString &logPath = {});
    Audit::VerifyReport lastVerifyReport() const { return m_lastReport; }
    // Exports every record of the log and its rotated files to PATH, off the GUI thread; exportFinished follows.
    void exportTo(const QString &path, Audit::ExportFormat format);

Q_SIGNALS:
    void verifyFinished(bool ok, const QString &summary);
    void exportFinished(bool ok, qint64 records, const QString &message);

private:
    void onSelectionChanged();
    void onVerified(const Audit::VerifyReport &report);
    void chooseExportFile();
    void setBusy(bool busy);
    void showStatus(const QString &text, bool error);
    void updateCount();

    Service::GatewayService &m_gateway;
    AuditModel *m_model = nullptr;
    AuditFilterModel *m_filter = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_decision = nullptr;
    QCheckBox *m_errorsOnly = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QPushButton *m_verify = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_status = nullptr;
    Audit::VerifyReport m_lastReport;
    bool m_following = true;
    bool m_busy = false;
};

} // namespace Tailops::Ui
