#pragma once

#include <QSortFilterProxyModel>

namespace Tailops::Ui {

// What the Audit panel shows of an AuditModel: free-text search over every column (and the error, rule and
// approver), a decision filter and "errors only".
class AuditFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditFilterModel)

public:
    enum class DecisionFilter
    {
        Any,
        Allowed, // allowed or approved
        Denied, // denied by policy or by an approver, or timed out waiting for one
        Pending, // approval required
        System // startup and recovery records
    };
    Q_ENUM(DecisionFilter)

    explicit AuditFilterModel(QObject *parent = nullptr);

    // Case-insensitive; every whitespace-separated word must occur somewhere in the row.
    void setSearchText(const QString &text);
    QString searchText() const { return m_words.join(u' '); }
    void setDecisionFilter(DecisionFilter filter);
    DecisionFilter decisionFilter() const { return m_decision; }
    void setErrorsOnly(bool errorsOnly);
    bool errorsOnly() const { return m_errorsOnly; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    DecisionFilter m_decision = DecisionFilter::Any;
    bool m_errorsOnly = false;
};

} // namespace Tailops::Ui
