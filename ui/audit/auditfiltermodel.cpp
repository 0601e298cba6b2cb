#include "audit/auditfiltermodel.h"

#include "audit/auditmodel.h"

namespace Tailops::Ui {

AuditFilterModel::AuditFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AuditModel::SortRole);
}

void AuditFilterModel::setSearchText(const QString &text)
{
    const QStringList words = text.split(u' ', Qt::SkipEmptyParts);
    if (words == m_words) {
        return;
    }
    m_words = words;
    invalidateRowsFilter();
}

void AuditFilterModel::setDecisionFilter(DecisionFilter filter)
{
    if (filter == m_decision) {
        return;
    }
    m_decision = filter;
    invalidateRowsFilter();
}

void AuditFilterModel::setErrorsOnly(bool errorsOnly)
{
    if (errorsOnly == m_errorsOnly) {
        return;
    }
    m_errorsOnly = errorsOnly;
    invalidateRowsFilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_errorsOnly && !index.data(AuditModel::IsErrorRole).toBool()) {
        return false;
    }
    if (m_decision != DecisionFilter::Any) {
        const auto category = AuditModel::Category(index.data(AuditModel::CategoryRole).toInt());
        const bool keep = [&] {
            switch (m_decision) {
            case DecisionFilter::Allowed:
                return category == AuditModel::Category::Allowed;
            case DecisionFilter::Denied:
                return category == AuditModel::Category::Denied;
            case DecisionFilter::Pending:
                return category == AuditModel::Category::Pending;
            case DecisionFilter::System:
                return category == AuditModel::Category::System;
            case DecisionFilter::Any:
                break;
            }
            return true;
        }();
        if (!keep) {
            return false;
        }
    }
    if (m_words.isEmpty()) {
        return true;
    }
    const QString haystack = index.data(AuditModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

} // namespace Tailops::Ui
