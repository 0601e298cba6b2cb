#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ApprovalsModel;

// Approvals: the calls waiting for a human with their exact arguments, target, caller, risk and a countdown
// to the timeout; Approve (Ctrl+Return), Deny (Ctrl+Delete; "remember" denies identical calls from now on)
// and Approve for N minutes (identical calls pass without asking for that long). The approver is recorded
// as "console (USER)".
class ApprovalsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApprovalsPanel)

public:
    explicit ApprovalsPanel(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~ApprovalsPanel() override;

    ApprovalsModel &model() { return *m_model; }
    // Selects approval ID (the tray opens one with it); false when it is not pending.
    bool showRequest(const QString &id);
    QString selectedRequest() const;
    QString detailsText() const;
    QString statusText() const;

    void setGrantMinutes(int minutes);
    void setRemember(bool remember);
    void setDenyReason(const QString &reason);

    // What the buttons do, on the selected request.
    bool approveSelected();
    bool approveSelectedFor();
    bool denySelected();

    static QString approverName(); // "console (USER)"

Q_SIGNALS:
    void requestDecided(const QString &id, bool approved);

private:
    void updateDetails();
    void updateButtons();
    void setStatus(const QString &text, bool error);

    Service::GatewayService &m_gateway;
    ApprovalsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_approveFor = nullptr;
    QSpinBox *m_minutes = nullptr;
    QPushButton *m_deny = nullptr;
    QCheckBox *m_remember = nullptr;
    QLineEdit *m_reason = nullptr;
};

} // namespace Tailops::Ui
