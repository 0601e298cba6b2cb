#pragma once

#include "doctor/doctor.h"

#include <QAbstractTableModel>
#include <QList>

namespace Tailops::Ui {

// The doctor's checks as a table: one row per check (section, check, status with a green/amber/red/grey
// decoration, detail, fix). Rows are kept in the order they arrive; a result with a known id replaces its row.
class DiagnosticsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiagnosticsModel)

public:
    enum Column { SectionColumn, CheckColumn, StatusColumn, DetailColumn, FixColumn, ColumnCount };
    enum Role {
        StatusRole = Qt::UserRole + 1, // int(Doctor::Status)
        IdRole,
        FixRole,
        WhereRole,
        DurationRole,
    };

    explicit DiagnosticsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void clear();
    void addResult(const Doctor::CheckResult &result);
    void setResults(const QList<Doctor::CheckResult> &results);

    const QList<Doctor::CheckResult> &results() const { return m_results; }
    const Doctor::CheckResult *resultAt(int row) const;
    int rowOf(const QString &id) const; // -1 when absent
    Doctor::Summary summary() const { return Doctor::summarize(m_results); }
    // The same text as `tailops-gateway doctor`.
    QString report() const { return Doctor::formatReport(m_results); }

    static QColor statusColor(Doctor::Status status);

private:
    QList<Doctor::CheckResult> m_results;
};

} // namespace Tailops::Ui
