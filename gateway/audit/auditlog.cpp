#include "auditlog.h"

#include "auditfiles.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSysInfo>
#include <QThread>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

namespace Tailops::Audit {

Q_LOGGING_CATEGORY(lcAudit, "tailops.audit", QtInfoMsg)

namespace {

constexpr qint64 kChunk = 64 * 1024;
constexpr auto kHeadInterval = std::chrono::milliseconds(20);

QString errnoText(int error = errno) { return QString::fromLocal8Bit(std::strerror(error)); }

bool preadAll(int fd, char *data, qint64 size, qint64 offset)
{
    qint64 done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, data + done, size_t(size - done), offset + done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += n;
    }
    return true;
}

std::optional<QJsonObject> parseRecordLine(const QByteArray &line)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("record_id")).toInteger(0) < 1) {
        return std::nullopt;
    }
    return o;
}

// The end of a log file: where the last complete line ends, what follows it (a torn line), and the last
// line that parses as a record.
struct FileTail
{
    qint64 size = 0;
    qint64 completeEnd = 0;
    qint64 tornBytes = 0;
    QString tornSha256;
    std::optional<QJsonObject> lastRecord;
    bool lastLineUnparseable = false;
    std::optional<QJsonObject> firstRecord;
};

Core::Result<FileTail> readTail(int fd, const QString &name)
{
    FileTail tail;
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        return Core::fail(QStringLiteral("cannot stat: %1").arg(errnoText()), name);
    }
    tail.size = st.st_size;
    // The last newline.
    qint64 pos = tail.size;
    qint64 lastNewline = -1;
    QByteArray buf;
    while (pos > 0 && lastNewline < 0) {
        const qint64 start = std::max<qint64>(0, pos - kChunk);
        buf.resize(pos - start);
        if (!preadAll(fd, buf.data(), buf.size(), start)) {
            return Core::fail(QStringLiteral("cannot read: %1").arg(errnoText()), name);
        }
        const qsizetype i = buf.lastIndexOf('\n');
        if (i >= 0) {
            lastNewline = start + i;
        }
        pos = start;
    }
    tail.completeEnd = lastNewline + 1;
    tail.tornBytes = tail.size - tail.completeEnd;
    if (tail.tornBytes > 0) {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (qint64 off = tail.completeEnd; off < tail.size; off += kChunk) {
            buf.resize(std::min(kChunk, tail.size - off));
            if (!preadAll(fd, buf.data(), buf.size(), off)) {
                return Core::fail(QStringLiteral("cannot read: %1").arg(errnoText()), name);
            }
            hash.addData(buf);
        }
        tail.tornSha256 = QString::fromLatin1(hash.result().toHex());
    }
    if (tail.completeEnd == 0) {
        return tail;
    }
    // The last parseable line, reading backwards in growing windows.
    for (qint64 window = 1024 * 1024;; window *= 4) {
        const qint64 start = std::max<qint64>(0, tail.completeEnd - window);
        buf.resize(tail.completeEnd - start);
        if (!preadAll(fd, buf.data(), buf.size(), start)) {
            return Core::fail(QStringLiteral("cannot read: %1").arg(errnoText()), name);
        }
        QList<QByteArray> lines = buf.split('\n');
        lines.removeLast(); // empty: the text ends with a newline
        if (start > 0 && !lines.isEmpty()) {
            lines.removeFirst(); // partial
        }
        for (qsizetype i = lines.size() - 1; i >= 0; --i) {
            if (auto o = parseRecordLine(lines.at(i))) {
                tail.lastRecord = std::move(o);
                tail.lastLineUnparseable = i != lines.size() - 1;
                break;
            }
        }
        if (tail.lastRecord || start == 0) {
            tail.lastLineUnparseable = tail.lastLineUnparseable || !tail.lastRecord;
            break;
        }
    }
    // The first line.
    for (qint64 window = kChunk;; window *= 4) {
        const qint64 len = std::min(window, tail.completeEnd);
        buf.resize(len);
        if (!preadAll(fd, buf.data(), len, 0)) {
            return Core::fail(QStringLiteral("cannot read: %1").arg(errnoText()), name);
        }
        const qsizetype nl = buf.indexOf('\n');
        if (nl >= 0) {
            tail.firstRecord = parseRecordLine(buf.left(nl));
            break;
        }
        if (len == tail.completeEnd) {
            break;
        }
    }
    return tail;
}

Core::Result<FileTail> readTailOf(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Core::fail(QStringLiteral("cannot open: %1").arg(errnoText()), path);
    }
    auto tail = readTail(fd, path);
    ::close(fd);
    return tail;
}

bool syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

QString durabilityName(Durability durability)
{
    switch (durability) {
    case Durability::Fsync:
        return QStringLiteral("fsync");
    case Durability::Group:
        return QStringLiteral("group");
    case Durability::None:
        return QStringLiteral("none");
    }
    return {};
}

std::optional<Durability> durabilityFromName(const QString &name)
{
    for (const Durability d : { Durability::Fsync, Durability::Group, Durability::None }) {
        if (name == durabilityName(d)) {
            return d;
        }
    }
    return std::nullopt;
}

AuditLog::AuditLog(QString path, AuditLogOptions options, QObject *parent)
    : QObject(parent)
    , m_path(QFileInfo(path).absoluteFilePath())
    , m_options(std::move(options))
{
    if (auto r = Redactor::create(m_options.redaction)) {
        m_redactor = std::move(*r);
    } else {
        qCWarning(lcAudit).noquote() << r.error().toString() << "- using the default redaction rules";
    }
    m_lastHash = genesisHash();
}

AuditLog::~AuditLog() { close(); }

QString AuditLog::headPath() const { return auditHeadPath(m_path); }

bool AuditLog::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return m_open;
}

bool AuditLog::isFailed() const
{
    std::lock_guard lock(m_mutex);
    return m_failed;
}

QString AuditLog::failureReason() const
{
    std::lock_guard lock(m_mutex);
    return m_failureReason;
}

qint64 AuditLog::lastRecordId() const
{
    std::lock_guard lock(m_ringMutex);
    return m_ringLastId;
}

AuditLogStats AuditLog::stats() const
{
    std::lock_guard lock(m_statsMutex);
    return m_stats;
}

QList<AuditRecord> AuditLog::records(qint64 sinceId) const
{
    std::lock_guard lock(m_ringMutex);
    const auto first = std::upper_bound(
        m_ring.cbegin(), m_ring.cend(), sinceId, [](qint64 id, const AuditRecord &r) { return id < r.recordId; });
    QList<AuditRecord> out;
    out.reserve(std::distance(first, m_ring.cend()));
    for (auto it = first; it != m_ring.cend(); ++it) {
        out.append(*it);
    }
    return out;
}

// Called with m_ioMutex held and no writer activity: (re)opens the active file and puts the chain state
// in line with what is on disk.
Core::Result<void> AuditLog::recoverFiles(OpenReport &report, QList<AuditRecord> &recoveryRecords)
{
    const QFileInfo info(m_path);
    const QString dirPath = info.absolutePath();
    if (!QFileInfo::exists(dirPath)) {
        if (!QDir().mkpath(dirPath)) {
            return Core::fail(QStringLiteral("cannot create the audit log directory"), dirPath);
        }
        QFile::setPermissions(dirPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    const bool existed = info.exists();
    const QByteArray name = QFile::encodeName(m_path);
    m_fd = ::open(name.constData(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        return Core::fail(QStringLiteral("cannot open the audit log: %1").arg(errnoText()), m_path);
    }
    struct stat st
    {
    };
    if (::fstat(m_fd, &st) == 0 && (st.st_mode & 077) != 0) {
        if (::fchmod(m_fd, 0600) == 0) {
            report.diagnostics.append(QStringLiteral("%1: permissions were %2, tightened to 0600")
                                          .arg(m_path)
                                          .arg(st.st_mode & 0777, 4, 8, QLatin1Char('0')));
        }
    }
    if (!existed && m_options.durability != Durability::None) {
        syncDirectory(dirPath);
    }

    auto tail = readTail(m_fd, m_path);
    if (!tail) {
        ::close(m_fd);
        m_fd = -1;
        return std::unexpected(tail.error());
    }
    QJsonObject details;
    QStringList reasons;
    QStringList problems;
    if (tail->tornBytes > 0) {
        const QString message = QStringLiteral("torn last line in %1: %2 bytes after offset %3 (an unconfirmed "
                                               "record cut by a crash) removed")
                                    .arg(info.fileName())
                                    .arg(tail->tornBytes)
                                    .arg(tail->completeEnd);
        report.diagnostics.append(message);
        problems.append(message);
        if (::ftruncate(m_fd, tail->completeEnd) != 0 || ::fdatasync(m_fd) != 0) {
            const QString reason = errnoText();
            ::close(m_fd);
            m_fd = -1;
            return Core::fail(QStringLiteral("cannot remove the torn last line: %1").arg(reason), m_path);
        }
        reasons.append(QStringLiteral("torn-line"));
        details.insert(QStringLiteral("file"), info.fileName());
        details.insert(QStringLiteral("torn_offset"), tail->completeEnd);
        details.insert(QStringLiteral("torn_bytes"), tail->tornBytes);
        details.insert(QStringLiteral("torn_sha256"), tail->tornSha256);
    }
    if (tail->lastLineUnparseable) {
        report.diagnostics.append(
            QStringLiteral("%1: the last line is not a valid record (run audit verify)").arg(info.fileName()));
    }
    m_fileSize = tail->completeEnd;
    m_fileFirstId = 0;
    m_fileFirstTime = QDateTime();
    if (tail->firstRecord) {
        m_fileFirstId = tail->firstRecord->value(QStringLiteral("record_id")).toInteger();
        m_fileFirstTime = parseTimestamp(tail->firstRecord->value(QStringLiteral("timestamp")).toString());
    } else if (m_fileSize > 0) {
        m_fileFirstId = 1; // unparseable first line: rotate under a name that still sorts first
        m_fileFirstTime = QDateTime::currentDateTimeUtc();
    }

    // The last record: in the active file, else in the newest rotated file.
    std::optional<QJsonObject> last = tail->lastRecord;
    const QStringList files = auditFiles(m_path);
    if (!last) {
        for (qsizetype i = files.size() - 1; i >= 0 && !last; --i) {
            if (files.at(i) == m_path) {
                continue;
            }
            if (auto t = readTailOf(files.at(i))) {
                last = t->lastRecord;
            }
        }
    }
    qint64 lastId = 0;
    QString lastHash = genesisHash();
    if (last) {
        lastId = last->value(QStringLiteral("record_id")).toInteger();
        lastHash = last->value(QStringLiteral("hash")).toString();
        if (lastHash.size() != 64) {
            lastHash = hashOfJson(*last);
        }
    }
    report.lastRecordId = lastId;

    // The head: detects records removed from the end.
    qint64 nextId = lastId + 1;
    m_anchorId = 0;
    m_anchorPrevHash.clear();
    const auto head = readAuditHead(headPath());
    if (!head) {
        report.diagnostics.append(head.error().toString());
    } else if (*head) {
        const AuditHead &h = **head;
        if (h.recordId > lastId) {
            const QString message = QStringLiteral("audit log truncated: %1 records record %2 but the log ends at "
                                                   "record %3; records %4-%2 are missing")
                                        .arg(QFileInfo(headPath()).fileName())
                                        .arg(h.recordId)
                                        .arg(lastId)
                                        .arg(lastId + 1);
            report.diagnostics.append(message);
            problems.append(message);
            reasons.append(QStringLiteral("truncated"));
            details.insert(QStringLiteral("missing_from"), lastId + 1);
            details.insert(QStringLiteral("missing_to"), h.recordId);
            details.insert(QStringLiteral("head_hash"), h.hash);
            nextId = h.recordId + 1;
        } else if (h.recordId == lastId && lastId > 0 && h.hash != lastHash) {
            report.diagnostics.append(QStringLiteral("the head's hash of record %1 differs from the log's (run "
                                                     "audit verify)")
                                          .arg(lastId));
        }
        if (h.oldestRecordId > 0) {
            m_anchorId = h.oldestRecordId;
            m_anchorPrevHash = h.oldestPrevHash;
        }
    }
    if (m_anchorId == 0 && !files.isEmpty()) {
        std::optional<QJsonObject> first;
        if (files.first() == m_path) {
            first = tail->firstRecord;
        } else if (auto t = readTailOf(files.first())) {
            first = t->firstRecord;
        }
        if (first) {
            m_anchorId = first->value(QStringLiteral("record_id")).toInteger();
            m_anchorPrevHash = first->value(QStringLiteral("prev_hash")).toString();
        }
    }
    m_durableId = lastId;
    m_durableHash = lastHash;
    {
        std::lock_guard lock(m_mutex);
        m_nextId = nextId;
        m_lastHash = lastHash;
    }
    {
        std::lock_guard lock(m_ringMutex);
        m_ringLastId = std::max(m_ringLastId, lastId);
    }
    if (!reasons.isEmpty()) {
        AuditRecord r;
        r.event = Event::Recovery;
        details.insert(QStringLiteral("reason"), reasons.join(u','));
        r.details = details;
        r.error = problems.join(QStringLiteral("; "));
        recoveryRecords.append(r);
    }
    return {};
}

Core::Result<OpenReport> AuditLog::open()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_open) {
            return Core::fail(QStringLiteral("the audit log is already open"), m_path);
        }
    }
    OpenReport report;
    QList<AuditRecord> recovery;
    {
        std::lock_guard io(m_ioMutex);
        if (auto r = recoverFiles(report, recovery); !r) {
            return std::unexpected(r.error());
        }
    }
    if (m_options.syslog) {
        ::openlog("tailops-gateway", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
    }
    {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_failed = false;
        m_failureReason.clear();
        m_stopping = false;
        ++m_generation;
    }
    startWriter();
    for (const QString &d : std::as_const(report.diagnostics)) {
        qCWarning(lcAudit).noquote() << d;
    }
    for (const AuditRecord &r : std::as_const(recovery)) {
        append(r);
    }
    report.recovered = !recovery.isEmpty();
    if (m_options.startupRecord) {
        AuditRecord r;
        r.event = Event::Startup;
        QJsonObject details = m_options.startupDetails;
        details.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
        details.insert(QStringLiteral("version"), QStringLiteral(TAILOPS_VERSION));
        details.insert(QStringLiteral("host"), QSysInfo::machineHostName());
        details.insert(QStringLiteral("durability"), durabilityName(m_options.durability));
        details.insert(QStringLiteral("last_record_id"), report.lastRecordId);
        r.details = details;
        append(r);
    }
    return report;
}

Core::Result<OpenReport> AuditLog::reopen()
{
    OpenReport report;
    QList<AuditRecord> recovery;
    QString previous;
    QList<Delivery> dropped;
    {
        std::lock_guard io(m_ioMutex);
        std::vector<Pending> queue;
        {
            std::lock_guard lock(m_mutex);
            if (!m_open) {
                return Core::fail(QStringLiteral("the audit log is not open"), m_path);
            }
            if (!m_failed) {
                return report; // nothing to repair
            }
            previous = m_failureReason;
            ++m_generation;
            queue.swap(m_queue);
            m_processed += quint64(queue.size());
            m_failed = true; // appends stay refused until the files are back in order
            if (m_failureReason.isEmpty()) {
                m_failureReason = QStringLiteral("reopening");
            }
        }
        for (Pending &p : queue) {
            dropped.append(
                { std::move(p), Core::fail(QStringLiteral("audit log reopened: record dropped"), m_path), {} });
        }
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        if (auto r = recoverFiles(report, recovery); !r) {
            {
                std::lock_guard lock(m_mutex);
                m_failureReason = r.error().toString();
            }
            post(std::move(dropped));
            return std::unexpected(r.error());
        }
        std::lock_guard lock(m_mutex);
        m_failed = false;
        m_failureReason.clear();
    }
    m_flushCv.notify_all();
    post(std::move(dropped));
    for (const QString &d : std::as_const(report.diagnostics)) {
        qCWarning(lcAudit).noquote() << d;
    }
    AuditRecord r;
    r.event = Event::Recovery;
    QJsonObject details;
    for (const AuditRecord &rec : std::as_const(recovery)) {
        details = rec.details;
        r.error = rec.error;
    }
    const QString reason = details.value(QStringLiteral("reason")).toString();
    details.insert(
        QStringLiteral("reason"), reason.isEmpty() ? QStringLiteral("reopened") : QStringLiteral("reopened,") + reason);
    details.insert(QStringLiteral("failure"), previous);
    r.details = details;
    if (r.error.isEmpty()) {
        r.error = QStringLiteral("reopened after: %1").arg(previous);
    }
    append(r);
    report.recovered = true;
    return report;
}

void AuditLog::close()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_open && !m_writer.joinable()) {
            return;
        }
        m_stopping = true;
    }
    m_queueCv.notify_all();
    if (m_writer.joinable()) {
        m_writer.join();
    }
    flushHead();
    {
        std::lock_guard io(m_ioMutex);
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    {
        std::lock_guard lock(m_mutex);
        m_open = false;
        m_stopping = false;
    }
    m_flushCv.notify_all();
    deliver();
}

qint64 AuditLog::append(AuditRecord record, const QObject *context, Callback callback)
{
    m_redactor.redactRecord(record);
    Pending p;
    p.context = const_cast<QObject *>(context);
    p.hasContext = context != nullptr;
    p.callback = std::move(callback);
    QString refusal;
    {
        std::lock_guard lock(m_mutex);
        if (m_open && !m_failed && !m_stopping) {
            record.timestamp = record.timestamp.isValid() ? record.timestamp.toUTC() : QDateTime::currentDateTimeUtc();
            record.recordId = m_nextId++;
            record.prevHash = m_lastHash;
            qsizetype hashAt = 0;
            p.line = record.canonicalBytes(false, &hashAt);
            record.hash = sha256Hex(p.line);
            m_lastHash = record.hash;
            p.line.insert(hashAt, QByteArrayLiteral(",\"hash\":\"") + record.hash.toLatin1() + '"');
            p.line.append('\n');
            p.record = std::move(record);
            p.generation = m_generation;
            const qint64 id = p.record.recordId;
            m_queue.push_back(std::move(p));
            ++m_appended;
            m_queueCv.notify_one();
            return id;
        }
        refusal = !m_open ? QStringLiteral("the audit log is not open")
                          : QStringLiteral("the audit log is unavailable: %1").arg(m_failureReason);
    }
    QList<Delivery> d;
    d.append({ std::move(p), Core::fail(refusal, m_path), {} });
    post(std::move(d));
    return 0;
}

bool AuditLog::flush(int timeoutMs)
{
    {
        std::unique_lock lock(m_mutex);
        const quint64 target = m_appended;
        if (!m_flushCv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return m_processed >= target; })) {
            return false;
        }
    }
    flushHead();
    return true;
}

void AuditLog::startWriter()
{
    m_writer = std::thread([this] { writerLoop(); });
}

void AuditLog::writerLoop()
{
    std::vector<Pending> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(m_mutex);
            const auto ready = [this] { return !m_queue.empty() || m_stopping; };
            if (m_headDirty && !m_queueCv.wait_for(lock, kHeadInterval, ready)) {
                lock.unlock();
                flushHead(); // idle: bring the head up to date
                continue;
            }
            m_queueCv.wait(lock, ready);
            if (m_queue.empty()) {
                return;
            }
            batch.swap(m_queue); // m_queue gets the emptied vector back, with its capacity
        }
        const auto n = quint64(batch.size());
        processBatch(batch);
        {
            std::lock_guard lock(m_mutex);
            m_processed += n;
        }
        m_flushCv.notify_all();
    }
}

bool AuditLog::writeAll(const QByteArray &bytes, QString &error)
{
    if (m_fd < 0) {
        error = QStringLiteral("write: the file is not open");
        return false;
    }
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(m_fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error = QStringLiteral("write: %1").arg(n < 0 ? errnoText() : QStringLiteral("no progress"));
            return false;
        }
        done += n;
    }
    return true;
}

bool AuditLog::syncFile(QString &error)
{
    if (::fdatasync(m_fd) != 0) {
        error = QStringLiteral("fdatasync: %1").arg(errnoText());
        return false;
    }
    return true;
}

bool AuditLog::updateHead(QString &error)
{
    AuditHead head;
    head.recordId = m_durableId;
    head.hash = m_durableHash;
    head.oldestRecordId = m_anchorId;
    head.oldestPrevHash = m_anchorPrevHash;
    if (auto r = writeAuditHead(headPath(), head, false); !r) {
        error = r.error().toString();
        return false;
    }
    return true;
}

bool AuditLog::maybeUpdateHead(QString &error, bool force)
{
    if (!m_headDirty) {
        return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_headWritten < kHeadInterval) {
        return true;
    }
    if (!updateHead(error)) {
        return false;
    }
    m_headWritten = now;
    m_headDirty = false;
    return true;
}

// With m_ioMutex not held: writes a pending head now (idle writer, flush, close).
void AuditLog::flushHead()
{
    if (!m_headDirty) {
        return;
    }
    QList<Delivery> deliveries;
    {
        std::lock_guard io(m_ioMutex);
        QString error;
        if (!maybeUpdateHead(error, true)) {
            enterFailed(error, deliveries);
        }
    }
    post(std::move(deliveries));
}

bool AuditLog::rotate(QString &error)
{
    const QString target = rotatedAuditPath(m_path, m_fileFirstId);
    if (QFileInfo::exists(target)) {
        error = QStringLiteral("rotate: %1 exists").arg(target);
        return false;
    }
    if (::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(target).constData()) != 0) {
        error = QStringLiteral("rotate to %1: %2").arg(target, errnoText());
        return false;
    }
    ::close(m_fd);
    m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        error = QStringLiteral("create after rotation: %1").arg(errnoText());
        return false;
    }
    if (m_options.durability != Durability::None) {
        syncDirectory(QFileInfo(m_path).absolutePath());
    }
    m_fileSize = 0;
    m_fileFirstId = 0;
    m_fileFirstTime = QDateTime();
    {
        std::lock_guard lock(m_statsMutex);
        ++m_stats.rotations;
    }

    if (m_options.keepFiles > 0) {
        QStringList rotated = auditFiles(m_path);
        rotated.removeAll(m_path);
        bool removed = false;
        while (rotated.size() > m_options.keepFiles) {
            const QString oldest = rotated.takeFirst();
            if (::unlink(QFile::encodeName(oldest).constData()) != 0) {
                qCWarning(lcAudit).noquote() << "cannot remove the old audit file" << oldest << errnoText();
                break;
            }
            removed = true;
        }
        if (removed && !rotated.isEmpty()) {
            if (auto t = readTailOf(rotated.first()); t && t->firstRecord) {
                m_anchorId = t->firstRecord->value(QStringLiteral("record_id")).toInteger();
                m_anchorPrevHash = t->firstRecord->value(QStringLiteral("prev_hash")).toString();
            }
            m_headDirty = true;
            return maybeUpdateHead(error, true);
        }
    }
    return true;
}

void AuditLog::enterFailed(const QString &reason, QList<Delivery> &deliveries)
{
    bool first = false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_failed) {
            m_failed = true;
            m_failureReason = reason;
            first = true;
        }
    }
    if (first) {
        {
            std::lock_guard lock(m_statsMutex);
            ++m_stats.failures;
        }
        const QString signal = m_path + QStringLiteral(": ") + reason;
        qCCritical(lcAudit).noquote() << "audit log failed, refusing records until it is reopened:" << signal;
        deliveries.append({ Pending {}, Core::fail(reason, m_path), signal });
    }
}

void AuditLog::processBatch(std::vector<Pending> &batch)
{
    QList<Delivery> deliveries;
    deliveries.reserve(qsizetype(batch.size()) + 1);
    {
        std::lock_guard io(m_ioMutex);
        quint64 generation = 0;
        bool failedAlready = false;
        QString reason;
        {
            std::lock_guard lock(m_mutex);
            generation = m_generation;
            failedAlready = m_failed;
            reason = m_failureReason;
        }
        QList<qsizetype> unit; // indexes into batch, written but not yet synced
        std::vector<bool> handled(batch.size(), false);
        QByteArray &buffer = m_writeBuffer;
        buffer.resize(0);
        QString error;
        const auto commit = [&]() -> bool {
            if (unit.isEmpty()) {
                return true;
            }
            const qint64 start = m_fileSize;
            if (!writeAll(buffer, error) || (m_options.durability != Durability::None && !syncFile(error))) {
                // Take back what may have been written, so that no unconfirmed record stays behind.
                if (m_fd >= 0 && ::ftruncate(m_fd, start) == 0) {
                    m_fileSize = start;
                }
                return false;
            }
            m_fileSize += buffer.size();
            {
                std::lock_guard lock(m_statsMutex);
                m_stats.records += quint64(unit.size());
                ++m_stats.writes;
                if (m_options.durability != Durability::None) {
                    ++m_stats.syncs;
                }
            }
            const AuditRecord &first = batch[size_t(unit.first())].record;
            const AuditRecord &last = batch[size_t(unit.last())].record;
            m_durableId = last.recordId;
            m_durableHash = last.hash;
            if (m_anchorId == 0) {
                m_anchorId = first.recordId;
                m_anchorPrevHash = first.prevHash;
            }
            m_headDirty = true;
            if (!maybeUpdateHead(error, false)) {
                return false;
            }
            if (m_options.syslog) {
                for (const qsizetype i : std::as_const(unit)) {
                    const QByteArray &line = batch[size_t(i)].line;
                    ::syslog(LOG_AUTHPRIV | LOG_INFO, "%.*s", int(line.size() - 1), line.constData());
                }
            }
            {
                std::lock_guard lock(m_ringMutex);
                for (const qsizetype i : std::as_const(unit)) {
                    m_ring.push_back(batch[size_t(i)].record);
                }
                while (m_ring.size() > size_t(std::max(1, m_options.ringCapacity))) {
                    m_ring.pop_front();
                }
                m_ringLastId = last.recordId;
            }
            for (const qsizetype i : std::as_const(unit)) {
                const qint64 id = batch[size_t(i)].record.recordId;
                deliveries.append({ std::move(batch[size_t(i)]), id, {} });
                handled[size_t(i)] = true;
            }
            unit.clear();
            buffer.resize(0);
            return true;
        };

        bool ok = true;
        for (size_t i = 0; i < batch.size() && ok; ++i) {
            Pending &p = batch[i];
            if (failedAlready || p.generation != generation) {
                const QString message = failedAlready ? QStringLiteral("the audit log is unavailable: %1").arg(reason)
                                                      : QStringLiteral("audit log reopened: record dropped");
                deliveries.append({ std::move(p), Core::fail(message, m_path), {} });
                handled[i] = true;
                continue;
            }
            const qint64 pendingSize = m_fileSize + buffer.size();
            if (pendingSize > 0 && m_fileFirstId > 0) {
                const bool tooBig = m_options.maxFileBytes > 0 && pendingSize + p.line.size() > m_options.maxFileBytes;
                const bool tooOld = m_options.maxFileAgeSeconds > 0 && m_fileFirstTime.isValid()
                    && m_fileFirstTime.secsTo(p.record.timestamp) >= m_options.maxFileAgeSeconds;
                if ((tooBig || tooOld) && !(commit() && rotate(error))) {
                    ok = false;
                    break;
                }
            }
            if (m_fileSize + buffer.size() == 0) {
                m_fileFirstId = p.record.recordId;
                m_fileFirstTime = p.record.timestamp;
            }
            buffer.append(p.line);
            unit.append(qsizetype(i));
            if (m_options.durability == Durability::Fsync) {
                ok = commit();
            }
        }
        if (ok) {
            ok = commit();
        }
        if (!ok) {
            enterFailed(error, deliveries);
            const QString message = QStringLiteral("audit record not written: %1").arg(error);
            for (size_t i = 0; i < batch.size(); ++i) {
                if (!handled[i]) {
                    deliveries.append({ std::move(batch[i]), Core::fail(message, m_path), {} });
                }
            }
        }
    }
    post(std::move(deliveries));
}

void AuditLog::post(QList<Delivery> &&deliveries)
{
    if (deliveries.isEmpty()) {
        return;
    }
    bool schedule = false;
    {
        std::lock_guard lock(m_deliveryMutex);
        m_deliveries.append(std::move(deliveries));
        schedule = !m_deliveryPosted;
        m_deliveryPosted = true;
    }
    if (schedule) {
        QMetaObject::invokeMethod(this, &AuditLog::deliver, Qt::QueuedConnection);
    }
}

void AuditLog::deliver()
{
    QList<Delivery> items;
    {
        std::lock_guard lock(m_deliveryMutex);
        items.swap(m_deliveries);
        m_deliveryPosted = false;
    }
    QThread *const here = QThread::currentThread();
    for (Delivery &d : items) {
        if (!d.failedSignal.isEmpty()) {
            Q_EMIT failed(d.failedSignal);
        }
        if (d.result) {
            Q_EMIT recordAppended(d.pending.record);
        }
        if (!d.pending.callback) {
            continue;
        }
        if (!d.pending.hasContext) {
            d.pending.callback(d.result);
            continue;
        }
        QObject *context = d.pending.context.data();
        if (!context) {
            continue;
        }
        if (context->thread() == here) {
            d.pending.callback(d.result);
        } else {
            QMetaObject::invokeMethod(
                context, [callback = std::move(d.pending.callback), result = d.result] { callback(result); },
                Qt::QueuedConnection);
        }
    }
}

} // namespace Tailops::Audit
