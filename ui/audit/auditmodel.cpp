#include "audit/auditmodel.h"

#include "audit/auditfiles.h"
#include "audit/auditlog.h"

#include <QColor>
#include <QCoreApplication>
#include <QFile>
#include <QIcon>
#include <QJsonDocument>
#include <QPainter>
#include <QPixmap>
#include <QThreadPool>

#include <algorithm>

namespace Tailops::Ui {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype kFoldSearch = 2000; // rows searched back for a result's decision
constexpr qint64 kChunk = 64 * 1024;

// The last MAXLINES complete lines of FILE (without their newlines), oldest first.
QList<QByteArray> tailLines(const QString &file, qsizetype maxLines, QString &error)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        error = f.errorString();
        return {};
    }
    qint64 pos = f.size();
    QByteArray data;
    qsizetype newlines = 0;
    while (pos > 0 && newlines <= maxLines) {
        const qint64 n = std::min(kChunk, pos);
        pos -= n;
        if (!f.seek(pos)) {
            error = f.errorString();
            return {};
        }
        const QByteArray chunk = f.read(n);
        if (chunk.size() != n) {
            error = f.errorString();
            return {};
        }
        newlines += chunk.count('\n');
        data.prepend(chunk);
    }
    QList<QByteArray> lines = data.split('\n');
    lines.removeLast(); // after the last newline: empty, or a line still being written
    if (pos > 0 && !lines.isEmpty()) {
        lines.removeFirst(); // began before what was read
    }
    if (lines.size() > maxLines) {
        lines.remove(0, lines.size() - maxLines);
    }
    return lines;
}

// The newest MAXRECORDS records of the log at LOGPATH and its rotated files, oldest first.
QList<Audit::AuditRecord> readTail(const QString &logPath, qsizetype maxRecords, QString &error)
{
    const QStringList files = Audit::auditFiles(logPath);
    QList<Audit::AuditRecord> records;
    for (qsizetype i = files.size() - 1; i >= 0 && records.size() < maxRecords; --i) {
        QList<Audit::AuditRecord> fromFile;
        for (const QByteArray &line : tailLines(files.at(i), maxRecords - records.size(), error)) {
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (!doc.isObject()) {
                continue; // a torn or foreign line: Verify reports it
            }
            if (auto record = Audit::AuditRecord::fromJson(doc.object())) {
                fromFile.append(std::move(*record));
            }
        }
        fromFile.append(records);
        records = std::move(fromFile);
    }
    std::ranges::stable_sort(records, {}, &Audit::AuditRecord::recordId);
    return records;
}

QString callerOf(const Audit::AuditRecord &r)
{
    for (const QString *s : { &r.subject, &r.tailnetUser, &r.oauthSubject, &r.peer }) {
        if (!s->isEmpty()) {
            return *s;
        }
    }
    return r.event == Audit::Event::Startup || r.event == Audit::Event::Recovery ? u"gateway"_s : QString();
}

QString durationText(qint64 ms)
{
    if (ms < 1000) {
        return QCoreApplication::translate("Tailops::Ui::AuditModel", "%1 ms").arg(ms);
    }
    return QCoreApplication::translate("Tailops::Ui::AuditModel", "%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

QIcon dot(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(color.darker(130));
    p.setBrush(color);
    p.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    return QIcon(pixmap);
}

const QColor kDeniedColor(0xc0, 0x1c, 0x28);
const QColor kErrorColor(0xb3, 0x5c, 0x00);
const QColor kOkColor(0x26, 0xa2, 0x69);
const QColor kPendingColor(0x1c, 0x71, 0xd8);
const QColor kSystemColor(0x77, 0x76, 0x7b);

} // namespace

AuditModel::AuditModel(Audit::AuditLog *log, QObject *parent)
    : QAbstractTableModel(parent)
    , m_log(log)
{
    m_flush.setSingleShot(true);
    m_flush.setInterval(30);
    connect(&m_flush, &QTimer::timeout, this, &AuditModel::flushIncoming);
    if (m_log) {
        connect(m_log, &Audit::AuditLog::recordAppended, this, &AuditModel::onRecordAppended);
        startLoad();
    }
}

AuditModel::~AuditModel() = default;

QString AuditModel::logPath() const { return m_log ? m_log->path() : QString(); }

void AuditModel::startLoad()
{
    m_loading = true;
    const QString path = m_log->path();
    const qsizetype wanted = m_capacity;
    const QPointer<AuditModel> self(this);
    QThreadPool::globalInstance()->start([self, path, wanted] {
        QString error;
        QList<Audit::AuditRecord> records = readTail(path, wanted, error);
        // Delivered on the application's thread, where the model lives; SELF is checked there.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, records = std::move(records), error] {
                if (self) {
                    self->onLoaded(records, error);
                }
            },
            Qt::QueuedConnection);
    });
}

void AuditModel::onLoaded(const QList<Audit::AuditRecord> &records, const QString &error)
{
    m_loading = false;
    m_loadError = error;
    apply(records);
    flushIncoming(); // what arrived meanwhile; the ids drop what the files already had
    Q_EMIT loaded(int(records.size()), error);
}

void AuditModel::onRecordAppended(const Audit::AuditRecord &record)
{
    m_incoming.append(record);
    if (!m_loading && !m_flush.isActive()) {
        m_flush.start();
    }
}

void AuditModel::flushIncoming()
{
    if (m_loading || m_incoming.isEmpty()) {
        return;
    }
    apply(std::exchange(m_incoming, {}));
}

qsizetype AuditModel::findDecisionFor(const Audit::AuditRecord &result, const std::deque<Row> &rows)
{
    const qsizetype stop = std::max<qsizetype>(0, qsizetype(rows.size()) - kFoldSearch);
    for (qsizetype i = qsizetype(rows.size()) - 1; i >= stop; --i) {
        const Row &row = rows[size_t(i)];
        const Audit::AuditRecord &d = row.record;
        if (!row.result && d.event == Audit::Event::Decision && categoryOf(d) == Category::Allowed
            && d.requestId == result.requestId && d.tool == result.tool && d.target == result.target
            && d.subject == result.subject && d.tokenHash == result.tokenHash && d.peer == result.peer) {
            return i;
        }
    }
    return -1;
}

void AuditModel::apply(const QList<Audit::AuditRecord> &records)
{
    std::deque<Row> added;
    int firstChanged = -1;
    int lastChanged = -1;
    for (const Audit::AuditRecord &record : records) {
        if (record.recordId <= m_lastId) {
            continue; // already in the ring (the seam between the files and the live signal)
        }
        m_lastId = record.recordId;
        if (record.event == Audit::Event::Result) {
            if (const qsizetype i = findDecisionFor(record, added); i >= 0) {
                added[size_t(i)].result = record;
                continue;
            }
            if (const qsizetype i = findDecisionFor(record, m_rows); i >= 0) {
                m_rows[size_t(i)].result = record;
                firstChanged = firstChanged < 0 ? int(i) : std::min(firstChanged, int(i));
                lastChanged = std::max(lastChanged, int(i));
                continue;
            }
        }
        added.push_back(Row { record, std::nullopt });
    }
    if (firstChanged >= 0) {
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    }
    if (added.empty()) {
        return;
    }
    while (qsizetype(added.size()) > m_capacity) {
        added.pop_front();
    }
    trimTo(m_capacity - int(added.size()));
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    std::move(added.begin(), added.end(), std::back_inserter(m_rows));
    endInsertRows();
}

void AuditModel::trimTo(int rows)
{
    const int excess = int(m_rows.size()) - std::max(0, rows);
    if (excess <= 0) {
        return;
    }
    beginRemoveRows({}, 0, excess - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + excess);
    endRemoveRows();
}

void AuditModel::setCapacity(int rows)
{
    m_capacity = std::max(1, rows);
    trimTo(m_capacity);
}

int AuditModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int AuditModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString AuditModel::decisionText(const Audit::AuditRecord &record)
{
    switch (record.event) {
    case Audit::Event::Startup:
        return tr("startup");
    case Audit::Event::Recovery:
        return tr("recovery");
    case Audit::Event::Result:
        return tr("result");
    case Audit::Event::Decision:
        break;
    }
    switch (record.decision) {
    case Audit::Decision::Allow:
        return tr("allowed");
    case Audit::Decision::Deny:
        return tr("denied");
    case Audit::Decision::ApprovalRequired:
        return tr("approval required");
    case Audit::Decision::Approved:
        return tr("approved");
    case Audit::Decision::Denied:
        return tr("denied by approver");
    case Audit::Decision::TimedOut:
        return tr("approval timed out");
    case Audit::Decision::None:
        break;
    }
    return {};
}

AuditModel::Category AuditModel::categoryOf(const Audit::AuditRecord &record)
{
    switch (record.event) {
    case Audit::Event::Startup:
    case Audit::Event::Recovery:
        return Category::System;
    case Audit::Event::Result:
        return Category::Result;
    case Audit::Event::Decision:
        break;
    }
    switch (record.decision) {
    case Audit::Decision::Deny:
    case Audit::Decision::Denied:
    case Audit::Decision::TimedOut:
        return Category::Denied;
    case Audit::Decision::ApprovalRequired:
        return Category::Pending;
    case Audit::Decision::Allow:
    case Audit::Decision::Approved:
    case Audit::Decision::None:
        break;
    }
    return Category::Allowed;
}

Audit::AuditRecord AuditModel::record(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].record : Audit::AuditRecord {};
}

std::optional<Audit::AuditRecord> AuditModel::resultRecord(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].result : std::nullopt;
}

QString AuditModel::detailsText(int row) const
{
    if (row < 0 || row >= int(m_rows.size())) {
        return {};
    }
    const Row &r = m_rows[size_t(row)];
    QString text = QString::fromUtf8(QJsonDocument(r.record.toJson()).toJson(QJsonDocument::Indented));
    if (r.result) {
        text += u"\n"_s + tr("Result record:") + u"\n"_s
            + QString::fromUtf8(QJsonDocument(r.result->toJson()).toJson(QJsonDocument::Indented));
    }
    return text;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row &row = m_rows[size_t(index.row())];
    const Audit::AuditRecord &r = row.record;
    const Audit::AuditRecord *outcome = row.result ? &*row.result : (r.event == Audit::Event::Result ? &r : nullptr);
    const Category category = categoryOf(r);
    const bool isError = outcome && !outcome->resultStatus.isEmpty() && !outcome->isSuccess();
    const auto text = [&](int column) -> QString {
        switch (column) {
        case TimeColumn:
            return r.timestamp.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case CallerColumn:
            return callerOf(r);
        case ToolColumn:
            return r.tool;
        case TargetColumn:
            return r.target;
        case DecisionColumn:
            return decisionText(r);
        case DurationColumn:
            return outcome && outcome->durationMs ? durationText(*outcome->durationMs) : QString();
        case ResultColumn:
            if (outcome && !outcome->resultStatus.isEmpty()) {
                return outcome->isSuccess() ? tr("ok") : tr("error");
            }
            return category == Category::Denied ? tr("refused") : QString();
        default:
            return {};
        }
    };
    switch (role) {
    case Qt::DisplayRole:
        return text(index.column());
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn) {
            return Audit::formatTimestamp(r.timestamp);
        }
        if (!r.error.isEmpty() || (outcome && !outcome->error.isEmpty())) {
            return outcome && !outcome->error.isEmpty() ? outcome->error : r.error;
        }
        return text(index.column());
    case Qt::ForegroundRole:
        if (category == Category::Denied) {
            return kDeniedColor;
        }
        if (isError) {
            return kErrorColor;
        }
        if (category == Category::System) {
            return kSystemColor;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() != DecisionColumn) {
            return {};
        }
        if (m_icons.isEmpty()) {
            m_icons = { dot(kDeniedColor), dot(kErrorColor), dot(kPendingColor), dot(kSystemColor), dot(kOkColor) };
        }
        if (category == Category::Denied) {
            return m_icons.at(0);
        }
        if (isError) {
            return m_icons.at(1);
        }
        if (category == Category::Pending) {
            return m_icons.at(2);
        }
        return category == Category::System ? m_icons.at(3) : m_icons.at(4);
    case Qt::TextAlignmentRole:
        return index.column() == DurationColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case RecordJsonRole:
        return r.toJson();
    case ResultJsonRole:
        return row.result ? row.result->toJson() : QJsonObject();
    case RecordIdRole:
        return r.recordId;
    case CategoryRole:
        return int(category);
    case IsErrorRole:
        return isError;
    case SearchTextRole: {
        QStringList parts;
        for (int c = 0; c < ColumnCount; ++c) {
            parts.append(text(c));
        }
        parts << r.error << r.rule << r.approver << r.requestId << r.tailnetNode;
        if (row.result) {
            parts << row.result->error;
        }
        return parts.join(u'\n');
    }
    case SortRole:
        if (index.column() == TimeColumn) {
            return r.recordId;
        }
        if (index.column() == DurationColumn) {
            return outcome && outcome->durationMs ? *outcome->durationMs : qint64(-1);
        }
        return text(index.column());
    default:
        return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case CallerColumn:
        return tr("Caller");
    case ToolColumn:
        return tr("Tool");
    case TargetColumn:
        return tr("Target");
    case DecisionColumn:
        return tr("Decision");
    case DurationColumn:
        return tr("Duration");
    case ResultColumn:
        return tr("Result");
    default:
        return {};
    }
}

QHash<int, QByteArray> AuditModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(RecordJsonRole, "recordJson");
    names.insert(ResultJsonRole, "resultJson");
    names.insert(RecordIdRole, "recordId");
    names.insert(CategoryRole, "category");
    names.insert(IsErrorRole, "isError");
    return names;
}

} // namespace Tailops::Ui
