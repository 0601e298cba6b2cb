#pragma once

#include "audit/auditrecord.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <optional>

namespace Tailops::Audit {
class AuditLog;
}

namespace Tailops::Ui {

// The audit log as a table, newest last: a bounded ring of rows (the oldest are dropped), filled first from
// the tail of the log's files (read off the GUI thread), then live from AuditLog::recordAppended. Record ids
// keep the seam free of duplicates. A tool call's result record is folded into the row of its decision, so
// one call is one row: time, caller, tool, target, decision, duration, result.
class AuditModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditModel)

public:
    static constexpr int kDefaultCapacity = 10000;

    enum Column
    {
        TimeColumn,
        CallerColumn,
        ToolColumn,
        TargetColumn,
        DecisionColumn,
        DurationColumn,
        ResultColumn,
        ColumnCount
    };

    // What a row's decision amounts to (for filters and colours).
    enum class Category
    {
        Allowed, // allow, approved
        Denied, // deny, denied by an approver, timed out waiting for one
        Pending, // approval-required
        Result, // a result whose decision is not in the ring
        System // startup, recovery
    };
    Q_ENUM(Category)

    enum Role
    {
        RecordJsonRole = Qt::UserRole + 1, // QJsonObject: the redacted decision (or only) record, as logged
        ResultJsonRole, // QJsonObject: the redacted result record folded into the row (empty when none yet)
        RecordIdRole, // qint64: the row's first record_id
        CategoryRole, // int: Category
        IsErrorRole, // bool: the call ran and failed
        SearchTextRole, // QString: every column's text and the error, for free-text search
        SortRole // numbers for time (record id) and duration, text elsewhere
    };

    // LOG may be null (audit off): the model stays empty. The initial fill starts at once.
    explicit AuditModel(Audit::AuditLog *log, QObject *parent = nullptr);
    ~AuditModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Rows kept; lowering it drops the oldest rows at once.
    void setCapacity(int rows);
    int capacity() const { return m_capacity; }

    bool isLoading() const { return m_loading; }
    QString loadError() const { return m_loadError; }
    qint64 lastRecordId() const { return m_lastId; }
    QString logPath() const;

    // The row's records (decision or only record; the folded result record).
    Audit::AuditRecord record(int row) const;
    std::optional<Audit::AuditRecord> resultRecord(int row) const;
    // Pretty JSON of the row's record(s), for the details pane.
    QString detailsText(int row) const;

    static QString decisionText(const Audit::AuditRecord &record);
    static Category categoryOf(const Audit::AuditRecord &record);

Q_SIGNALS:
    // The initial fill from the files is in (RECORDS read; ERROR non-empty when they could not be read).
    void loaded(int records, const QString &error);

private:
    struct Row
    {
        Audit::AuditRecord record;
        std::optional<Audit::AuditRecord> result;
    };

    void startLoad();
    void onLoaded(const QList<Audit::AuditRecord> &records, const QString &error);
    void onRecordAppended(const Audit::AuditRecord &record);
    void flushIncoming();
    void apply(const QList<Audit::AuditRecord> &records);
    // The row of RESULT's decision in ROWS (searched back from the newest), or -1.
    static qsizetype findDecisionFor(const Audit::AuditRecord &result, const std::deque<Row> &rows);
    void trimTo(int rows);

    QPointer<Audit::AuditLog> m_log;
    std::deque<Row> m_rows;
    int m_capacity = kDefaultCapacity;
    qint64 m_lastId = 0;
    bool m_loading = false;
    QString m_loadError;
    QList<Audit::AuditRecord> m_incoming; // live records, applied in batches (and held back while loading)
    QTimer m_flush;
    mutable QList<QIcon> m_icons; // denied, error, pending, system, ok (made on first use)
};

} // namespace Tailops::Ui
