#pragma once

#include "approvals/approvalbroker.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>
#include <QTimer>

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Ui {

// The calls waiting for a human, oldest first, following the broker's requested/decided signals. The
// remaining time counts down every second. Risk and tier come from the tool's declaration when a server is
// given.
class ApprovalsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApprovalsModel)

public:
    enum Column
    {
        IdColumn,
        CallerColumn,
        ToolColumn,
        TargetColumn,
        ArgumentsColumn,
        RiskColumn,
        RuleColumn,
        ReasonColumn,
        RemainingColumn,
        ColumnCount
    };

    enum Role
    {
        ApprovalIdRole = Qt::UserRole + 1, // QString
        ArgumentsRole,                     // QJsonObject: exactly as the call has them
        RemainingSecondsRole,              // qint64
        DeadlineRole,                      // QDateTime
        RequestedRole,                     // QDateTime
        RiskRole                           // int: Mcp::Risk, -1 unknown
    };

    explicit ApprovalsModel(Approvals::ApprovalBroker &broker, const Mcp::Server *server = nullptr,
                            QObject *parent = nullptr);
    ~ApprovalsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int rowOf(const QString &id) const;
    std::optional<Approvals::ApprovalRequest> request(int row) const;
    // Seconds until the request of ROW times out (0 once it passed).
    qint64 remainingSeconds(int row) const;
    // "high (admin)", "low (observe)"; empty when the tool is unknown.
    QString riskText(const QString &tool) const;
    // Compact JSON with keys in order: exactly the arguments the call carries.
    static QString compactArguments(const QJsonObject &arguments);

Q_SIGNALS:
    // Once a second while something is pending, after the countdown column changed.
    void ticked();

private:
    void onRequested(const Approvals::ApprovalRequest &request);
    void onDecided(const QString &id);
    void tick();

    QPointer<Approvals::ApprovalBroker> m_broker;
    const Mcp::Server *m_server = nullptr;
    QList<Approvals::ApprovalRequest> m_rows;
    QTimer m_countdown;
};

} // namespace Tailops::Ui
