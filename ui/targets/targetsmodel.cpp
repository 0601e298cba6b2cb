#include "targetsmodel.h"

#include "connectivity/connectivityrunner.h"
#include "registry/targetregistry.h"

#include <QColor>
#include <QIcon>
#include <QLocale>

#include <limits>

namespace Tailops::Ui {

TargetsModel::TargetsModel(Registry::TargetRegistry &registry, ConnectivityRunner *runner, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(registry)
    , m_runner(runner)
{
    m_targets = m_registry.snapshot()->targets();
    connect(&m_registry, &Registry::TargetRegistry::targetsChanged, this, &TargetsModel::reload);
    if (m_runner) {
        connect(m_runner, &ConnectivityRunner::started, this, [this](const QStringList &ids) {
            for (const QString &id : ids) {
                refreshRow(id);
            }
        });
        connect(m_runner, &ConnectivityRunner::reportReady, this,
                [this](const Connectivity::TargetReport &report) { refreshRow(report.target); });
    }
}

void TargetsModel::reload()
{
    beginResetModel();
    m_targets = m_registry.snapshot()->targets();
    endResetModel();
}

void TargetsModel::refreshRow(const QString &targetId)
{
    const int row = rowOf(targetId);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

int TargetsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_targets.size());
}

int TargetsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Registry::Target *TargetsModel::targetAt(int row) const
{
    return row >= 0 && row < m_targets.size() ? &m_targets.at(row) : nullptr;
}

int TargetsModel::rowOf(const QString &targetId) const
{
    for (qsizetype i = 0; i < m_targets.size(); ++i) {
        if (m_targets.at(i).id == targetId) {
            return int(i);
        }
    }
    return -1;
}

TargetsModel::Status TargetsModel::status(const QString &targetId) const
{
    if (!m_runner) {
        return Status::Unknown;
    }
    if (m_runner->isChecking(targetId)) {
        return Status::Checking;
    }
    const auto report = m_runner->report(targetId);
    if (!report) {
        return Status::Unknown;
    }
    return report->ok ? Status::Up : Status::Down;
}

QString TargetsModel::statusName(Status status)
{
    switch (status) {
    case Status::Unknown:
        return tr("unknown");
    case Status::Checking:
        return tr("checking");
    case Status::Up:
        return tr("up");
    case Status::Down:
        return tr("down");
    }
    return {};
}

QString TargetsModel::endpoint(const Registry::Target &t)
{
    switch (t.executor) {
    case Registry::Executor::Local:
        return tr("this machine");
    case Registry::Executor::Ssh:
        return QStringLiteral("%1%2:%3")
            .arg(t.username.isEmpty() ? QString() : t.username + u'@', t.host)
            .arg(t.port > 0 ? t.port : 22);
    case Registry::Executor::Docker:
        return !t.socketPath.isEmpty() ? t.socketPath : !t.url.isEmpty() ? t.url : t.host;
    case Registry::Executor::Http:
        return t.url;
    }
    return {};
}

QVariant TargetsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Registry::Target &t = m_targets.at(index.row());
    const Status st = status(t.id);
    const auto report = m_runner ? m_runner->report(t.id) : std::nullopt;
    const QDateTime checked = m_runner ? m_runner->checkedAt(t.id) : QDateTime();
    if (role == TargetIdRole) {
        return t.id;
    }
    if (role == StatusRole) {
        return int(st);
    }
    const int column = index.column();
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
        case IdColumn:
            return t.id;
        case TypeColumn:
            return t.type == Registry::executorName(t.executor)
                ? t.type
                : QStringLiteral("%1 (%2)").arg(t.type, Registry::executorName(t.executor));
        case EndpointColumn:
            return endpoint(t);
        case TagsColumn:
            return t.tags.join(QStringLiteral(", "));
        case CapabilitiesColumn:
            return t.capabilities.join(QStringLiteral(", "));
        case StatusColumn:
            return role == SortRole ? QVariant(int(st)) : QVariant(statusName(st));
        case LatencyColumn:
            if (role == SortRole) {
                return report && report->latencyMs >= 0 ? report->latencyMs : std::numeric_limits<qint64>::max();
            }
            return report && report->latencyMs >= 0 ? tr("%1 ms").arg(report->latencyMs) : QString();
        case LastCheckColumn:
            if (role == SortRole) {
                return checked.isValid() ? checked.toMSecsSinceEpoch() : qint64(0);
            }
            return checked.isValid() ? QLocale().toString(checked.time(), QLocale::ShortFormat) : tr("never");
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == StatusColumn) {
        switch (st) {
        case Status::Up:
            return QIcon(QStringLiteral(":/icons/status-ok.svg"));
        case Status::Down:
            return QIcon(QStringLiteral(":/icons/status-failed.svg"));
        case Status::Checking:
            return QIcon(QStringLiteral(":/icons/status-warning.svg"));
        case Status::Unknown:
            return QIcon(QStringLiteral(":/icons/status-unknown.svg"));
        }
    }
    if (role == Qt::ForegroundRole && column == StatusColumn) {
        switch (st) {
        case Status::Up:
            return QColor(0x1b, 0x7f, 0x3b);
        case Status::Down:
            return QColor(0xb7, 0x1c, 0x1c);
        case Status::Checking:
            return QColor(0x9a, 0x67, 0x00);
        case Status::Unknown:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (column == StatusColumn && report) {
            QStringList lines;
            for (const auto &c : report->checks) {
                lines.append(c.ok ? tr("%1: ok").arg(c.name) : tr("%1: %2 (fix: %3)").arg(c.name, c.cause, c.fix));
            }
            return lines.join(u'\n');
        }
        if (column == IdColumn && !t.description.isEmpty()) {
            return t.description;
        }
    }
    if (role == Qt::TextAlignmentRole && column == LatencyColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant TargetsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case IdColumn:
        return tr("Id");
    case TypeColumn:
        return tr("Type");
    case EndpointColumn:
        return tr("Host / endpoint");
    case TagsColumn:
        return tr("Tags");
    case CapabilitiesColumn:
        return tr("Capabilities");
    case StatusColumn:
        return tr("Status");
    case LatencyColumn:
        return tr("Latency");
    case LastCheckColumn:
        return tr("Last check");
    default:
        return {};
    }
}

} // namespace Tailops::Ui
