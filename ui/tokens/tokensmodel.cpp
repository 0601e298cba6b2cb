#include "tokensmodel.h"

#include <QMetaObject>
#include <QPointer>
#include <QCoreApplication>
#include <QThreadPool>

#include <cstdlib>

namespace Tailops::Ui {

TokensModel::TokensModel(QString tokensPath, QObject *parent)
    : QAbstractTableModel(parent)
    , m_path(std::move(tokensPath))
    , m_now(QDateTime::currentDateTimeUtc())
{
    m_timer.setInterval(kDefaultRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &TokensModel::refresh);
    m_timer.start();
    refresh();
}

TokensModel::~TokensModel() = default;

void TokensModel::setRefreshInterval(int ms)
{
    if (ms <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(ms);
}

void TokensModel::refresh()
{
    if (m_loading) {
        m_again = true;
        return;
    }
    m_loading = true;
    QPointer<TokensModel> self(this);
    QThreadPool::globalInstance()->start([self, path = m_path] {
        Snapshot s;
        const Auth::TokenStore store(path);
        if (auto records = store.records()) {
            s.records = *records;
        } else {
            s.error = records.error().toString();
        }
        if (auto usage = store.usage()) {
            s.usage = *usage;
        } else if (s.error.isEmpty()) {
            s.error = QStringLiteral("last use unknown: %1").arg(usage.error().toString());
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, s = std::move(s)] {
                if (self) {
                    self->apply(s);
                }
            },
            Qt::QueuedConnection);
    });
}

void TokensModel::apply(const Snapshot &snapshot)
{
    m_loading = false;
    m_now = QDateTime::currentDateTimeUtc();
    m_error = snapshot.error;
    const bool recordsFailed = !snapshot.error.isEmpty() && !snapshot.error.startsWith(u"last use unknown");
    if (!recordsFailed) {
        QList<Row> rows;
        rows.reserve(snapshot.records.size());
        for (const Auth::TokenRecord &r : snapshot.records) {
            const auto it = snapshot.usage.constFind(r.hash);
            rows.append({ r, it == snapshot.usage.cend() ? std::nullopt : std::optional(*it) });
        }
        // Same rows in the same order, maybe with new ones at the end: update in place and append.
        bool prefix = rows.size() >= m_rows.size();
        for (qsizetype i = 0; prefix && i < m_rows.size(); ++i) {
            prefix = keyOf(m_rows.at(i).record) == keyOf(rows.at(i).record);
        }
        if (prefix) {
            const qsizetype old = m_rows.size();
            for (qsizetype i = 0; i < old; ++i) {
                m_rows[i] = rows.at(i);
            }
            if (old > 0) {
                Q_EMIT dataChanged(index(0, 0), index(int(old - 1), ColumnCount - 1));
            }
            if (rows.size() > old) {
                beginInsertRows({}, int(old), int(rows.size() - 1));
                for (qsizetype i = old; i < rows.size(); ++i) {
                    m_rows.append(rows.at(i));
                }
                endInsertRows();
            }
        } else {
            beginResetModel();
            m_rows = std::move(rows);
            endResetModel();
        }
    }
    Q_EMIT refreshed();
    if (m_again) {
        m_again = false;
        refresh();
    }
}

int TokensModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TokensModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TokensModel::describeSpan(qint64 seconds)
{
    seconds = std::llabs(seconds);
    if (seconds < 60) {
        return QStringLiteral("%1 s").arg(seconds);
    }
    if (seconds < 3600) {
        return QStringLiteral("%1 min").arg(seconds / 60);
    }
    if (seconds < 2 * 86400) {
        return QStringLiteral("%1 h").arg(seconds / 3600);
    }
    return QStringLiteral("%1 days").arg(seconds / 86400);
}

QString TokensModel::describeLastUse(const std::optional<Auth::TokenUsage> &usage, const QDateTime &now)
{
    if (!usage || !usage->lastUsed.isValid()) {
        return QStringLiteral("never");
    }
    const qint64 delta = std::max<qint64>(0, usage->lastUsed.secsTo(now));
    const QString ago = delta < 5 ? QStringLiteral("just now") : QString(describeSpan(delta) + QStringLiteral(" ago"));
    return usage->lastPeer.isEmpty() ? ago : QString(ago + QStringLiteral(" from ") + usage->lastPeer);
}

QString TokensModel::displayText(const Row &row, int column) const
{
    const Auth::TokenRecord &r = row.record;
    switch (column) {
    case IdColumn:
        return keyOf(r);
    case AgentColumn:
        return r.agent.isEmpty() ? QStringLiteral("-") : r.agent;
    case ScopesColumn:
        return r.scopes.isEmpty() ? QStringLiteral("-") : r.scopes.join(QStringLiteral(", "));
    case HostTagsColumn:
        return r.hostTags.isEmpty() ? QStringLiteral("any") : r.hostTags.join(QStringLiteral(", "));
    case IssuedColumn:
        return r.issuedAt.isValid() ? QLocale().toString(r.issuedAt.toLocalTime(), QLocale::ShortFormat) : QStringLiteral("-");
    case ExpiresColumn: {
        if (r.isRevoked()) {
            return QStringLiteral("-");
        }
        if (!r.expiry.isValid()) {
            return QStringLiteral("never");
        }
        const qint64 left = m_now.secsTo(r.expiry);
        return left >= 0 ? QString(QStringLiteral("in ") + describeSpan(left))
                         : QString(describeSpan(left) + QStringLiteral(" ago"));
    }
    case StatusColumn:
        return Auth::tokenStatusName(Auth::tokenStatus(r, m_now));
    case LastUseColumn:
        return describeLastUse(row.usage, m_now);
    case UsesColumn:
        return QString::number(row.usage ? row.usage->uses : 0);
    default:
        return {};
    }
}

QVariant TokensModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row &row = m_rows.at(index.row());
    const Auth::TokenRecord &r = row.record;
    switch (role) {
    case Qt::DisplayRole:
        return displayText(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn && r.isRevoked()) {
            return r.revokedReason.isEmpty()
                ? QStringLiteral("revoked %1").arg(QLocale().toString(r.revokedAt.toLocalTime(), QLocale::ShortFormat))
                : QStringLiteral("revoked %1: %2").arg(QLocale().toString(r.revokedAt.toLocalTime(), QLocale::ShortFormat),
                                                      r.revokedReason);
        }
        if (index.column() == ExpiresColumn && r.expiry.isValid()) {
            return QLocale().toString(r.expiry.toLocalTime(), QLocale::LongFormat);
        }
        if (index.column() == IdColumn) {
            return r.hash;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == UsesColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case TokenIdRole:
        return keyOf(r);
    case HashRole:
        return r.hash;
    case StatusRole:
        return Auth::tokenStatusName(Auth::tokenStatus(r, m_now));
    case LastUsedRole:
        return row.usage ? row.usage->lastUsed : QDateTime();
    case SortRole:
        switch (index.column()) {
        case IssuedColumn:
            return r.issuedAt.isValid() ? r.issuedAt.toMSecsSinceEpoch() : qint64(0);
        case ExpiresColumn:
            return r.expiry.isValid() ? r.expiry.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max();
        case LastUseColumn:
            return row.usage && row.usage->lastUsed.isValid() ? row.usage->lastUsed.toMSecsSinceEpoch() : qint64(0);
        case UsesColumn:
            return row.usage ? row.usage->uses : qint64(0);
        default:
            return displayText(row, index.column());
        }
    default:
        return {};
    }
}

QVariant TokensModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case IdColumn:
        return QStringLiteral("ID");
    case AgentColumn:
        return QStringLiteral("Agent");
    case ScopesColumn:
        return QStringLiteral("Scopes");
    case HostTagsColumn:
        return QStringLiteral("Host tags");
    case IssuedColumn:
        return QStringLiteral("Issued");
    case ExpiresColumn:
        return QStringLiteral("Expires");
    case StatusColumn:
        return QStringLiteral("Status");
    case LastUseColumn:
        return QStringLiteral("Last use");
    case UsesColumn:
        return QStringLiteral("Uses");
    default:
        return {};
    }
}

int TokensModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (keyOf(m_rows.at(i).record) == id || m_rows.at(i).record.hash == id) {
            return int(i);
        }
    }
    return -1;
}

std::optional<Auth::TokenRecord> TokensModel::record(int row) const
{
    return row >= 0 && row < m_rows.size() ? std::optional(m_rows.at(row).record) : std::nullopt;
}

std::optional<Auth::TokenUsage> TokensModel::usage(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).usage : std::nullopt;
}

} // namespace Tailops::Ui
