#pragma once

#include <QString>
#include <QStringList>

namespace Tailops::Audit {

// How a chain is broken.
enum class Breakage
{
    None,
    Edited, // a record's content does not match its hash, or a record's hash does not match the next
            // record's prev_hash (it was changed and re-hashed), or the head's hash
    Removed, // record ids skip: records were deleted (also at the start, against the head's anchor)
    Reordered, // a record appears before one with a smaller id (swapped, moved or duplicated lines)
    TruncatedVsHead, // the log ends before the record the head file names
    TornLine, // a line without its newline (a crash cut the last write; open() repairs it)
    Malformed, // a line that is not a JSON record
    Unreadable, // a file cannot be read
};

QString breakageName(Breakage kind); // "edited", "removed", "reordered", "truncated", "torn line", ...

struct VerifyReport
{
    bool ok = true;
    qint64 records = 0; // records checked before the break (all of them when ok)
    qint64 brokenRecord = 0; // the record_id of the first broken record
    Breakage kind = Breakage::None;
    QString file; // where it was found
    qint64 line = 0; // 1-based line in FILE (0 when not about one line)
    QString message; // "record 12 (audit.jsonl line 12): edited: ..."
    QStringList notes; // things worth knowing that do not break the chain (recoveries, anchor)

    // "OK: N records, chain intact" or "BROKEN: " + message.
    QString summary() const;
};

// Verifies the chain across FILES, given in chain order (see auditFiles()), and, when HEADPATH names an
// existing file, against the head: the last record it names must be present with the same hash, and the
// first record must be the head's anchor.
VerifyReport verifyAudit(const QStringList &files, const QString &headPath = {});

// The files of the log at LOGPATH (rotated ones, then the active one) and its head.
VerifyReport verifyAuditLog(const QString &logPath);

} // namespace Tailops::Audit
