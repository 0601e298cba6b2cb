#include "connectivitymodel.h"

#include "connectivityrunner.h"
#include "registry/targetregistry.h"

#include <QColor>
#include <QIcon>

#include <algorithm>

namespace Tailops::Ui {

namespace {

// Columns follow the order checks run in; names never seen before go last.
int checkRank(const QString &name)
{
    static const QStringList order { QStringLiteral("tcp"), QStringLiteral("host-key"), QStringLiteral("ssh-auth"),
                                     QStringLiteral("sudo"), QStringLiteral("exec"), QStringLiteral("docker-socket"),
                                     QStringLiteral("docker-ping"), QStringLiteral("docker-version"), QStringLiteral("http"),
                                     QStringLiteral("tls-expiry") };
    const qsizetype i = order.indexOf(name);
    return i < 0 ? int(order.size()) : int(i);
}

const Connectivity::Check *findCheck(const Connectivity::TargetReport &report, const QString &name)
{
    for (const auto &c : report.checks) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

} // namespace

ConnectivityModel::ConnectivityModel(Registry::TargetRegistry &registry, ConnectivityRunner &runner, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(registry)
    , m_runner(runner)
{
    for (const auto &t : m_registry.snapshot()->targets()) {
        m_targets.append(t.id);
        if (const auto r = m_runner.report(t.id)) {
            for (const auto &c : r->checks) {
                if (!m_checks.contains(c.name)) {
                    m_checks.append(c.name);
                }
            }
        }
    }
    std::stable_sort(m_checks.begin(), m_checks.end(), [](const QString &a, const QString &b) { return checkRank(a) < checkRank(b); });
    connect(&m_registry, &Registry::TargetRegistry::targetsChanged, this, &ConnectivityModel::reload);
    connect(&m_runner, &ConnectivityRunner::started, this, [this](const QStringList &ids) {
        for (const QString &id : ids) {
            refreshRow(id);
        }
    });
    connect(&m_runner, &ConnectivityRunner::reportReady, this, [this](const Connectivity::TargetReport &report) {
        QStringList names;
        for (const auto &c : report.checks) {
            names.append(c.name);
        }
        addChecks(names);
        refreshRow(report.target);
    });
}

void ConnectivityModel::reload()
{
    QStringList ids;
    for (const auto &t : m_registry.snapshot()->targets()) {
        ids.append(t.id);
    }
    if (ids == m_targets) {
        if (!m_targets.isEmpty()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        }
        return;
    }
    beginResetModel();
    m_targets = ids;
    endResetModel();
}

void ConnectivityModel::addChecks(const QStringList &names)
{
    for (const QString &name : names) {
        if (m_checks.contains(name)) {
            continue;
        }
        // Insert at its place in the canonical order.
        qsizetype at = m_checks.size();
        for (qsizetype i = 0; i < m_checks.size(); ++i) {
            if (checkRank(m_checks.at(i)) > checkRank(name)) {
                at = i;
                break;
            }
        }
        const int column = FirstCheckColumn + int(at);
        beginInsertColumns({}, column, column);
        m_checks.insert(at, name);
        endInsertColumns();
    }
}

void ConnectivityModel::refreshRow(const QString &targetId)
{
    const int row = rowOf(targetId);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
    }
}

int ConnectivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_targets.size());
}

int ConnectivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FirstCheckColumn + int(m_checks.size());
}

QString ConnectivityModel::targetAt(int row) const
{
    return m_targets.value(row);
}

int ConnectivityModel::rowOf(const QString &targetId) const
{
    return int(m_targets.indexOf(targetId));
}

int ConnectivityModel::columnOf(const QString &checkName) const
{
    const qsizetype i = m_checks.indexOf(checkName);
    return i < 0 ? -1 : FirstCheckColumn + int(i);
}

ConnectivityModel::CellState ConnectivityModel::state(const QString &targetId, const QString &checkName) const
{
    if (m_runner.isChecking(targetId)) {
        return CellState::Checking;
    }
    const auto report = m_runner.report(targetId);
    if (!report) {
        return CellState::NotRun;
    }
    if (checkName.isEmpty()) {
        return report->ok ? CellState::Ok : CellState::Failed;
    }
    const Connectivity::Check *c = findCheck(*report, checkName);
    if (!c) {
        return CellState::NotRun;
    }
    return c->ok ? CellState::Ok : CellState::Failed;
}

QVariant ConnectivityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const QString id = m_targets.at(index.row());
    const int column = index.column();
    const QString checkName = column >= FirstCheckColumn ? m_checks.at(column - FirstCheckColumn) : QString();
    if (role == TargetIdRole) {
        return id;
    }
    if (role == CheckNameRole) {
        return checkName;
    }
    if (column == TargetColumn) {
        return role == Qt::DisplayRole ? QVariant(id) : QVariant();
    }
    const CellState st = state(id, checkName);
    if (role == StateRole) {
        return int(st);
    }
    const auto report = m_runner.report(id);
    const Connectivity::Check *check = report && !checkName.isEmpty() ? findCheck(*report, checkName) : nullptr;
    const qint64 latency = column == ResultColumn ? (report ? report->latencyMs : -1) : (check ? check->latencyMs : -1);
    switch (role) {
    case Qt::DisplayRole: {
        QString text;
        switch (st) {
        case CellState::NotRun:
            text = tr("not run");
            break;
        case CellState::Checking:
            text = tr("checking…");
            break;
        case CellState::Ok:
            text = tr("ok");
            break;
        case CellState::Failed:
            text = tr("failed");
            break;
        }
        if (latency >= 0 && (st == CellState::Ok || st == CellState::Failed)) {
            text += tr(" · %1 ms").arg(latency);
        }
        return text;
    }
    case Qt::DecorationRole:
        if (column == ResultColumn || st == CellState::Ok || st == CellState::Failed) {
            switch (st) {
            case CellState::Ok:
                return QIcon(QStringLiteral(":/icons/status-ok.svg"));
            case CellState::Failed:
                return QIcon(QStringLiteral(":/icons/status-failed.svg"));
            case CellState::Checking:
                return QIcon(QStringLiteral(":/icons/status-warning.svg"));
            case CellState::NotRun:
                return QIcon(QStringLiteral(":/icons/status-unknown.svg"));
            }
        }
        return {};
    case Qt::BackgroundRole:
        switch (st) {
        case CellState::Ok:
            return QColor(0xe3, 0xf4, 0xe8);
        case CellState::Failed:
            return QColor(0xfb, 0xe3, 0xe3);
        default:
            return {};
        }
    case Qt::ForegroundRole:
        switch (st) {
        case CellState::Ok:
            return QColor(0x1b, 0x5e, 0x20);
        case CellState::Failed:
            return QColor(0xb7, 0x1c, 0x1c);
        default:
            return QColor(0x61, 0x61, 0x61);
        }
    case Qt::ToolTipRole: {
        if (!report) {
            return {};
        }
        QList<const Connectivity::Check *> shown;
        if (check) {
            shown.append(check);
        } else if (column == ResultColumn) {
            for (const auto &c : report->checks) {
                if (!c.ok) {
                    shown.append(&c);
                }
            }
        }
        QStringList lines;
        for (const Connectivity::Check *c : std::as_const(shown)) {
            lines.append(QStringLiteral("%1: %2").arg(c->name, c->detail));
            if (!c->ok) {
                lines.append(tr("Cause: %1").arg(c->cause));
                lines.append(tr("Fix: %1").arg(c->fix));
            }
        }
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
    }
    default:
        return {};
    }
}

QVariant ConnectivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    if (section == TargetColumn) {
        return tr("Target");
    }
    if (section == ResultColumn) {
        return tr("Result");
    }
    return m_checks.value(section - FirstCheckColumn);
}

} // namespace Tailops::Ui
