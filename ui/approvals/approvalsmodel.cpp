#include "approvalsmodel.h"

#include "mcp/server.h"

#include <QColor>
#include <QJsonDocument>

namespace Tailops::Ui {

namespace {

QString tierName(Mcp::Tier tier)
{
    switch (tier) {
    case Mcp::Tier::Observe:
        return QStringLiteral("observe");
    case Mcp::Tier::Control:
        return QStringLiteral("control");
    case Mcp::Tier::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

QString riskName(Mcp::Risk risk)
{
    switch (risk) {
    case Mcp::Risk::Low:
        return QStringLiteral("low");
    case Mcp::Risk::Moderate:
        return QStringLiteral("moderate");
    case Mcp::Risk::High:
        return QStringLiteral("high");
    case Mcp::Risk::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

} // namespace

ApprovalsModel::ApprovalsModel(Approvals::ApprovalBroker &broker, const Mcp::Server *server, QObject *parent)
    : QAbstractTableModel(parent)
    , m_broker(&broker)
    , m_server(server)
{
    m_rows = broker.pending();
    connect(&broker, &Approvals::ApprovalBroker::requested, this, &ApprovalsModel::onRequested);
    connect(&broker, &Approvals::ApprovalBroker::decided, this,
            [this](const QString &id, const Approvals::Decision &) { onDecided(id); });
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ApprovalsModel::tick);
    if (!m_rows.isEmpty()) {
        m_countdown.start();
    }
}

ApprovalsModel::~ApprovalsModel() = default;

void ApprovalsModel::onRequested(const Approvals::ApprovalRequest &request)
{
    if (rowOf(request.id) >= 0) {
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(request);
    endInsertRows();
    if (!m_countdown.isActive()) {
        m_countdown.start();
    }
}

void ApprovalsModel::onDecided(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0) {
        return;
    }
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    if (m_rows.isEmpty()) {
        m_countdown.stop();
    }
}

void ApprovalsModel::tick()
{
    if (m_rows.isEmpty()) {
        m_countdown.stop();
        return;
    }
    Q_EMIT dataChanged(index(0, RemainingColumn), index(int(m_rows.size() - 1), RemainingColumn),
                       { Qt::DisplayRole, RemainingSecondsRole, Qt::ForegroundRole });
    Q_EMIT ticked();
}

int ApprovalsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ApprovalsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ApprovalsModel::compactArguments(const QJsonObject &arguments)
{
    return QString::fromUtf8(QJsonDocument(arguments).toJson(QJsonDocument::Compact));
}

QString ApprovalsModel::riskText(const QString &tool) const
{
    const Mcp::Tool *t = m_server ? m_server->findTool(tool) : nullptr;
    return t ? QStringLiteral("%1 (%2)").arg(riskName(t->risk), tierName(t->tier)) : QString();
}

qint64 ApprovalsModel::remainingSeconds(int row) const
{
    if (row < 0 || row >= m_rows.size()) {
        return 0;
    }
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(m_rows.at(row).deadline);
    return ms <= 0 ? 0 : (ms + 999) / 1000;
}

QVariant ApprovalsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Approvals::ApprovalRequest &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return r.id;
        case CallerColumn:
            return r.caller;
        case ToolColumn:
            return r.tool;
        case TargetColumn:
            return r.target.isEmpty() ? QStringLiteral("-") : r.target;
        case ArgumentsColumn:
            return compactArguments(r.arguments);
        case RiskColumn: {
            const QString risk = riskText(r.tool);
            return risk.isEmpty() ? QStringLiteral("-") : risk;
        }
        case RuleColumn:
            return r.rule.isEmpty() ? QStringLiteral("-") : r.rule;
        case ReasonColumn:
            return r.reason;
        case RemainingColumn: {
            const qint64 left = remainingSeconds(index.row());
            return left >= 60 ? QStringLiteral("%1:%2").arg(left / 60).arg(left % 60, 2, 10, QLatin1Char('0'))
                              : QStringLiteral("%1 s").arg(left);
        }
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == ArgumentsColumn || index.column() == ReasonColumn) {
            return data(index, Qt::DisplayRole);
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == RemainingColumn && remainingSeconds(index.row()) <= 15) {
            return QColor(0xb3, 0x26, 0x1e);
        }
        return {};
    case ApprovalIdRole:
        return r.id;
    case ArgumentsRole:
        return r.arguments;
    case RemainingSecondsRole:
        return remainingSeconds(index.row());
    case DeadlineRole:
        return r.deadline;
    case RequestedRole:
        return r.requested;
    case RiskRole: {
        const Mcp::Tool *t = m_server ? m_server->findTool(r.tool) : nullptr;
        return t ? int(t->risk) : -1;
    }
    default:
        return {};
    }
}

QVariant ApprovalsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case IdColumn:
        return QStringLiteral("ID");
    case CallerColumn:
        return QStringLiteral("Caller");
    case ToolColumn:
        return QStringLiteral("Tool");
    case TargetColumn:
        return QStringLiteral("Target");
    case ArgumentsColumn:
        return QStringLiteral("Arguments");
    case RiskColumn:
        return QStringLiteral("Risk");
    case RuleColumn:
        return QStringLiteral("Rule");
    case ReasonColumn:
        return QStringLiteral("Reason");
    case RemainingColumn:
        return QStringLiteral("Time left");
    default:
        return {};
    }
}

int ApprovalsModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id) {
            return int(i);
        }
    }
    return -1;
}

std::optional<Approvals::ApprovalRequest> ApprovalsModel::request(int row) const
{
    return row >= 0 && row < m_rows.size() ? std::optional(m_rows.at(row)) : std::nullopt;
}

} // namespace Tailops::Ui
