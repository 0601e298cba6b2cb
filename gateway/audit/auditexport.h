#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Tailops::Audit {

// Which records an export keeps; empty / invalid members do not filter.
struct ExportFilter
{
    QDateTime since; // timestamp >= since
    QDateTime until; // timestamp < until
    QString tool; // exact
    QString target; // exact
    QString caller; // exact match of subject, tailnet_user, oauth_subject or token_hash

    bool matches(const QJsonObject &record) const;
};

enum class ExportFormat
{
    Csv,
    Jsonl
};

// The CSV columns, in order (tailnet_tags joined with ';', args and details as compact JSON).
QStringList csvColumns();
// One CSV row (RFC 4180 quoting, CRLF-free: the row ends with "\n"). Text cells starting with = + - @ or a
// tab / carriage return get a leading "'" so spreadsheets do not run them as formulas.
QByteArray csvRow(const QJsonObject &record);

// Writes the records of FILES (in order) that FILTER keeps to OUT: JSONL copies the lines as they are
// (each still carries its hash), CSV writes a header and one row per record. Lines that are not records
// are skipped and counted in SKIPPED. Returns the number of records written.
Core::Result<qint64> exportAudit(const QStringList &files, const ExportFilter &filter, ExportFormat format,
    QIODevice &out, qint64 *skipped = nullptr);

// "2025-01-31T12:00:00Z" / "2025-01-31T12:00:00.123+01:00", "2025-01-31" (00:00 UTC), or a duration
// back from NOW ("90s", "15m", "8h", "7d"). Invalid on anything else.
QDateTime parseTimeArgument(const QString &text, const QDateTime &now);

} // namespace Tailops::Audit
