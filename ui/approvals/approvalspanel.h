#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTimer;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class ApprovalsModel;

// Approvals: the calls waiting for a human with their exact arguments, target, caller, risk and a countdown
// to the timeout; Approve (Ctrl+Return), Deny (Ctrl+Delete; "remember" denies identical calls from now on)
// and Approve for N minutes (identical calls pass without asking for that long). The approver is recorded
// as "console (USER)". A request the panel selects by itself (one that just arrived) can be approved only after
// kArmDelayMs, and when the shown request is decided elsewhere or times out nothing else is selected in its
// place: a click meant for one request never approves another.
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
    static constexpr int kArmDelayMs = 1000;
    bool isArmed() const { return m_armed; }

Q_SIGNALS:
    void requestDecided(const QString &id, bool approved);

private:
    bool approve(int grantMinutes); // 0: this call only
    void selectRow(const QString &id);
    void arm(bool armed);
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
    QTimer *m_armTimer = nullptr;
    bool m_armed = true;
    bool m_removing = false; // between rowsAboutToBeRemoved and rowsRemoved
    QString m_shown;       // the request in the details pane
    QString m_decidedHere; // the last request this panel decided
};

} // namespace Tailops::Ui
