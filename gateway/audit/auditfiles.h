#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

namespace Tailops::Audit {

// Where the audit log lives and how its files are named.
//
//   audit.jsonl                  the active file (records are appended here)
//   audit.jsonl.000000004711     a rotated file: the suffix is the record_id of its first record,
//                                zero-padded to 12 digits, so names sort in chain order and never collide
//   audit.jsonl.head             the chain head: last durable record_id + hash, and the anchor (record_id
//                                and prev_hash of the oldest record still kept); replaced atomically
//
// The chain runs across files: the first record of a new file carries the hash of the previous file's
// last record as its prev_hash.

// TAILOPS_AUDIT_LOG, else SYSTEMMANAGER_AUDIT_LOG (TailOpsMCP's variable), else
// $LOGS_DIRECTORY/audit.jsonl (systemd LogsDirectory=, first entry), else $XDG_DATA_HOME/tailops/audit.jsonl
// (XDG_DATA_HOME defaulting to ~/.local/share).
QString defaultAuditPath();

QString auditHeadPath(const QString &logPath);
QString rotatedAuditPath(const QString &logPath, qint64 firstRecordId);
// The record_id in a rotated file's name, or nullopt when FILE is not a rotated file of LOGPATH.
std::optional<qint64> rotatedFirstId(const QString &file, const QString &logPath);
// The rotated files of LOGPATH, oldest first, then LOGPATH itself when it exists.
QStringList auditFiles(const QString &logPath);
// For a file of an audit log (active or rotated), the active file's path.
QString activeAuditPath(const QString &file);

struct AuditHead
{
    qint64 recordId = 0; // last durable record
    QString hash;
    qint64 oldestRecordId = 0; // first record still kept (0: unknown)
    QString oldestPrevHash;

    QByteArray toJson() const;
};

// nullopt when the file does not exist; an error when it exists but cannot be read or parsed.
Core::Result<std::optional<AuditHead>> readAuditHead(const QString &path);
// Writes PATH.tmp (0600) and renames it over PATH. SYNC: fdatasync the temporary file first.
Core::Result<void> writeAuditHead(const QString &path, const AuditHead &head, bool sync);

// One line of the log, as read: without its newline.
struct AuditLine
{
    QString file;
    qint64 lineNumber = 0; // 1-based, within FILE
    QByteArray bytes;
    bool terminated = true; // false: the file ends without a newline after this line (a torn line)
};

// Reads the lines of several files in order.
class AuditLineReader
{
public:
    explicit AuditLineReader(QStringList files);
    // false at the end or on an error (then error() is set).
    bool next(AuditLine &line);
    QString error() const { return m_error; }

private:
    QStringList m_files;
    qsizetype m_index = -1;
    std::unique_ptr<QFile> m_file;
    qint64 m_lineNumber = 0;
    QString m_error;
};

} // namespace Tailops::Audit
