#include "diagnosticsmodel.h"

#include <QColor>

namespace Tailops::Ui {

using namespace Qt::StringLiterals;

DiagnosticsModel::DiagnosticsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int DiagnosticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

int DiagnosticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor DiagnosticsModel::statusColor(Doctor::Status status)
{
    switch (status) {
    case Doctor::Status::Ok:
        return QColor(0x2e, 0x9d, 0x4f); // green
    case Doctor::Status::Warning:
        return QColor(0xd9, 0x8e, 0x04); // amber
    case Doctor::Status::Failed:
        return QColor(0xc6, 0x28, 0x28); // red
    case Doctor::Status::Skipped:
        return QColor(0x9e, 0x9e, 0x9e); // grey
    }
    return {};
}

QVariant DiagnosticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Doctor::CheckResult &r = m_results.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SectionColumn:
            return Doctor::sectionName(r.section);
        case CheckColumn:
            return r.title;
        case StatusColumn:
            return Doctor::statusMark(r.status);
        case DetailColumn:
            return QString(r.detail.section(u'\n', 0, 0) + (r.detail.contains(u'\n') ? u" …"_s : QString()));
        case FixColumn:
            return r.status == Doctor::Status::Ok ? QString() : r.fix;
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() == StatusColumn) {
            return statusColor(r.status);
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip = r.detail;
        if (!r.fix.isEmpty() && r.status != Doctor::Status::Ok) {
            tip += u"\nfix: "_s + r.fix;
        }
        return tip;
    }
    case Qt::AccessibleTextRole:
        return QStringLiteral("%1: %2").arg(r.title, Doctor::statusName(r.status));
    case StatusRole:
        return int(r.status);
    case IdRole:
        return r.id;
    case FixRole:
        return r.fix;
    case WhereRole:
        return r.where;
    case DurationRole:
        return r.durationMs;
    default:
        return {};
    }
}

QVariant DiagnosticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case SectionColumn:
        return tr("Section");
    case CheckColumn:
        return tr("Check");
    case StatusColumn:
        return tr("Status");
    case DetailColumn:
        return tr("Detail");
    case FixColumn:
        return tr("Fix");
    default:
        return {};
    }
}

void DiagnosticsModel::clear()
{
    if (m_results.isEmpty()) {
        return;
    }
    beginResetModel();
    m_results.clear();
    endResetModel();
}

void DiagnosticsModel::addResult(const Doctor::CheckResult &result)
{
    const int row = rowOf(result.id);
    if (row >= 0) {
        m_results[row] = result;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int at = int(m_results.size());
    beginInsertRows({}, at, at);
    m_results.append(result);
    endInsertRows();
}

void DiagnosticsModel::setResults(const QList<Doctor::CheckResult> &results)
{
    beginResetModel();
    m_results = results;
    endResetModel();
}

const Doctor::CheckResult *DiagnosticsModel::resultAt(int row) const
{
    return row >= 0 && row < m_results.size() ? &m_results.at(row) : nullptr;
}

int DiagnosticsModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_results.size(); ++i) {
        if (m_results.at(i).id == id) {
            return int(i);
        }
    }
    return -1;
}

} // namespace Tailops::Ui
