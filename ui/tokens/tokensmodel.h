#pragma once

#include "auth/tokenstore.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QTimer>

namespace Tailops::Ui {

// The token registry as a table: every record of tokens.json (oldest first) with its last use from
// tokens-usage.json. Both files are read off the GUI thread, on refresh() and every refresh interval; rows
// keep their place across refreshes (new tokens are appended, changed ones updated in place).
class TokensModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokensModel)

public:
    static constexpr int kDefaultRefreshMs = 10000;

    enum Column
    {
        IdColumn,
        AgentColumn,
        ScopesColumn,
        HostTagsColumn,
        IssuedColumn,
        ExpiresColumn,
        StatusColumn,
        LastUseColumn,
        UsesColumn,
        ColumnCount
    };

    enum Role
    {
        TokenIdRole = Qt::UserRole + 1, // QString: the id (jti), or the hash for a revocation-only record
        HashRole,                       // QString: sha256:...
        StatusRole,                     // QString: active, expired, revoked
        LastUsedRole,                   // QDateTime (invalid: never)
        SortRole                        // times as numbers, text elsewhere
    };

    // TOKENSPATH: the registry (GatewayConfig::tokensPath()). The first read starts at once.
    explicit TokensModel(QString tokensPath, QObject *parent = nullptr);
    ~TokensModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const QString &tokensPath() const { return m_path; }
    // Rereads the registry in the background; refreshed() follows. A refresh asked for while one runs is
    // run after it.
    void refresh();
    bool isLoading() const { return m_loading; }
    // 0 stops the periodic refresh.
    void setRefreshInterval(int ms);
    int refreshInterval() const { return m_timer.interval(); }
    // Why the last read failed (empty: it worked). The rows of the last good read stay.
    QString error() const { return m_error; }

    int rowOf(const QString &id) const;
    std::optional<Auth::TokenRecord> record(int row) const;
    std::optional<Auth::TokenUsage> usage(int row) const;

    // "5 min ago from 127.0.0.1", "never".
    static QString describeLastUse(const std::optional<Auth::TokenUsage> &usage, const QDateTime &now);
    // "45 s", "5 min", "3 h", "2 days".
    static QString describeSpan(qint64 seconds);

Q_SIGNALS:
    void refreshed();

private:
    struct Row
    {
        Auth::TokenRecord record;
        std::optional<Auth::TokenUsage> usage;
    };
    struct Snapshot
    {
        QList<Auth::TokenRecord> records;
        QHash<QString, Auth::TokenUsage> usage;
        QString error;
    };

    void apply(const Snapshot &snapshot);
    static QString keyOf(const Auth::TokenRecord &r) { return r.id.isEmpty() ? r.hash : r.id; }
    QString displayText(const Row &row, int column) const;

    QString m_path;
    QList<Row> m_rows;
    QDateTime m_now;
    QTimer m_timer;
    QString m_error;
    bool m_loading = false;
    bool m_again = false;
};

} // namespace Tailops::Ui
