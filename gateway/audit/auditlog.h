#pragma once

#include "auditrecord.h"
#include "core/result.h"
#include "redactor.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QString>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace Tailops::Audit {

Q_DECLARE_LOGGING_CATEGORY(lcAudit)

// When append() reports success.
//   Fsync: each record is written and fdatasync'ed on its own.
//   Group: records that arrive while a sync is in progress are written and synced together (default).
//   None:  after write(2): survives a crash of the gateway, not of the machine.
enum class Durability
{
    Fsync,
    Group,
    None
};

QString durabilityName(Durability durability);
std::optional<Durability> durabilityFromName(const QString &name);

struct AuditLogOptions
{
    Durability durability = Durability::Group;
    qint64 maxFileBytes = 100 * 1024 * 1024; // rotate before a record would make the file larger; 0: never
    qint64 maxFileAgeSeconds = 0; // rotate when the file's first record is this old; 0: never
    int keepFiles = 10; // rotated files kept (the oldest are deleted); 0: all
    int ringCapacity = 10000; // records kept in memory for records() / the live view
    bool syslog = false; // also send each record to syslog (LOG_AUTHPRIV | LOG_INFO)
    bool startupRecord = true; // append a "startup" record in open()
    QJsonObject startupDetails; // extra facts for the startup record (version, config path...)
    RedactionRules redaction;
};

// Counters since construction (for tests, benchmarks and the console's status).
struct AuditLogStats
{
    quint64 records = 0; // durable
    quint64 writes = 0; // write(2) batches
    quint64 syncs = 0; // fdatasync calls on the log
    quint64 rotations = 0;
    quint64 failures = 0;
};

// What open() / reopen() found and repaired; every diagnostic is also logged as a warning.
struct OpenReport
{
    QStringList diagnostics;
    qint64 lastRecordId = 0; // the last record on disk before the recovery / startup records
    bool recovered = false; // a recovery record was appended
};

// The tamper-evident audit log: JSON Lines, one record per line, each record chained to the previous one
// by SHA-256 (see AuditRecord and auditfiles.h for the format). Records are redacted, numbered and chained
// by append() on the caller's thread, and written, synced and rotated by a writer thread.
//
// Fail closed: when a write, sync or rotation fails (disk full, file-size limit, I/O error) the log enters
// the failed state: failed(reason) is emitted once, every pending and later append reports an error, until
// reopen() succeeds. A gateway refuses tool calls whose decision record was not confirmed.
//
// The head file (auditfiles.h) follows the durable records: rewritten at most every 20 ms while records
// flow, and when the writer goes idle, on flush() and on close(); it never names a record not yet durable.
//
// Threads: append(), records(), flush() and the getters are thread-safe; open(), reopen() and close()
// belong to the thread the log lives on, where the signals are emitted.
class AuditLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditLog)

public:
    // Receives the record_id once the record is durable (per the durability mode), or the error.
    using Callback = std::function<void(const Core::Result<qint64> &)>;

    explicit AuditLog(QString path, AuditLogOptions options = {}, QObject *parent = nullptr);
    ~AuditLog() override; // close()

    // Opens (creates, mode 0600) the log, repairs a torn last line, compares the file with the head,
    // appends the recovery / startup records and starts the writer thread.
    Core::Result<OpenReport> open();
    // After a failure: drops what was pending, re-reads the files, appends a "recovery" record and
    // accepts appends again. Fails (and stays failed) when the log still cannot be opened. A no-op (empty
    // report) when the log is not failed.
    Core::Result<OpenReport> reopen();
    // Writes what is pending, stops the writer thread, delivers the last callbacks.
    void close();

    // Redacts RECORD, gives it the next record_id, the timestamp (when unset), prev_hash and hash, and
    // queues it. CALLBACK is invoked once, queued, on CONTEXT's thread (not at all when CONTEXT is
    // destroyed first); without a context on the log's thread. Returns the record_id, 0 when refused
    // (not open, failed: then the callback receives the error).
    qint64 append(AuditRecord record, const QObject *context = nullptr, Callback callback = {});

    // Blocks until everything appended before the call was written (and synced) or failed; false on timeout.
    bool flush(int timeoutMs = 30000);

    // The durable records in memory with record_id > SINCEID (at most ringCapacity), oldest first.
    QList<AuditRecord> records(qint64 sinceId = 0) const;
    qint64 lastRecordId() const; // the newest durable record_id
    AuditLogStats stats() const;

    bool isOpen() const;
    bool isFailed() const;
    QString failureReason() const;
    QString path() const { return m_path; }
    QString headPath() const;
    const AuditLogOptions &options() const { return m_options; }
    const Redactor &redactor() const { return m_redactor; }

Q_SIGNALS:
    void recordAppended(const Tailops::Audit::AuditRecord &record); // durable, in record_id order
    void failed(const QString &reason);

private:
    struct Pending
    {
        AuditRecord record;
        QByteArray line; // with its newline
        QPointer<QObject> context;
        bool hasContext = false;
        Callback callback;
        quint64 generation = 0;
    };
    struct Delivery
    {
        Pending pending;
        Core::Result<qint64> result;
        QString failedSignal; // non-empty: emit failed() before this delivery
    };
    struct TailInfo;

    Core::Result<void> recoverFiles(OpenReport &report, QList<AuditRecord> &recoveryRecords);
    void startWriter();
    void writerLoop();
    void processBatch(std::vector<Pending> &batch);
    bool writeAll(const QByteArray &bytes, QString &error);
    bool syncFile(QString &error);
    bool rotate(QString &error);
    bool updateHead(QString &error);
    bool maybeUpdateHead(QString &error, bool force);
    void flushHead();
    void enterFailed(const QString &reason, QList<Delivery> &deliveries);
    void post(QList<Delivery> &&deliveries);
    void deliver();
    Core::Result<qint64> refusal() const;

    const QString m_path;
    const AuditLogOptions m_options;
    Redactor m_redactor;

    // Append side: the chain tail and the queue (m_mutex).
    mutable std::mutex m_mutex;
    std::condition_variable m_queueCv;
    std::condition_variable m_flushCv;
    std::vector<Pending> m_queue; // keeps its capacity: the writer swaps in its emptied batch
    qint64 m_nextId = 1;
    QString m_lastHash;
    quint64 m_generation = 0;
    quint64 m_appended = 0; // records queued
    quint64 m_processed = 0; // records written or failed
    bool m_open = false;
    bool m_failed = false;
    bool m_stopping = false;
    QString m_failureReason;
    std::thread m_writer;

    // Writer side: the file (m_ioMutex; lock order: m_ioMutex before m_mutex).
    std::mutex m_ioMutex;
    int m_fd = -1;
    qint64 m_fileSize = 0;
    qint64 m_fileFirstId = 0; // 0: the active file is empty
    QDateTime m_fileFirstTime;
    qint64 m_durableId = 0;
    QString m_durableHash;
    qint64 m_anchorId = 0; // oldest record kept, for the head
    QString m_anchorPrevHash;
    QByteArray m_writeBuffer; // keeps its capacity between batches
    // The head is rewritten at most every kHeadInterval while records flow, and when the writer goes idle,
    // on flush() and on close(): it may lag the log by a few records, never run ahead of it.
    std::atomic_bool m_headDirty { false };
    std::chrono::steady_clock::time_point m_headWritten;
    AuditLogStats m_stats; // m_statsMutex
    mutable std::mutex m_statsMutex;

    // Deliveries to the log's thread (m_deliveryMutex).
    std::mutex m_deliveryMutex;
    QList<Delivery> m_deliveries;
    bool m_deliveryPosted = false;

    // The live ring (m_ringMutex).
    mutable std::mutex m_ringMutex;
    std::deque<AuditRecord> m_ring;
    qint64 m_ringLastId = 0;
};

} // namespace Tailops::Audit
