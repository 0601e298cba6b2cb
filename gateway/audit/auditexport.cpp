#include "auditexport.h"

#include "auditfiles.h"
#include "auditrecord.h"
#include "config/duration.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tailops::Audit {

namespace {

const QStringList &columns()
{
    static const QStringList list {
        QStringLiteral("timestamp"),
        QStringLiteral("record_id"),
        QStringLiteral("event"),
        QStringLiteral("request_id"),
        QStringLiteral("transport"),
        QStringLiteral("subject"),
        QStringLiteral("token_hash"),
        QStringLiteral("tailnet_user"),
        QStringLiteral("tailnet_node"),
        QStringLiteral("tailnet_tags"),
        QStringLiteral("oauth_subject"),
        QStringLiteral("peer"),
        QStringLiteral("tool"),
        QStringLiteral("target"),
        QStringLiteral("decision"),
        QStringLiteral("rule"),
        QStringLiteral("approver"),
        QStringLiteral("duration_ms"),
        QStringLiteral("result_status"),
        QStringLiteral("exit_code"),
        QStringLiteral("bytes"),
        QStringLiteral("truncated"),
        QStringLiteral("error"),
        QStringLiteral("dry_run"),
        QStringLiteral("args"),
        QStringLiteral("details"),
        QStringLiteral("prev_hash"),
        QStringLiteral("hash"),
    };
    return list;
}

QByteArray csvCell(const QJsonValue &value)
{
    QByteArray text;
    bool isText = false;
    switch (value.type()) {
    case QJsonValue::Undefined:
    case QJsonValue::Null:
        return {};
    case QJsonValue::Bool:
        return value.toBool() ? "true" : "false";
    case QJsonValue::Double:
        return canonicalJson(value);
    case QJsonValue::String:
        text = value.toString().toUtf8();
        isText = true;
        break;
    case QJsonValue::Array: {
        QStringList parts;
        bool allStrings = true;
        for (const auto &v : value.toArray()) {
            allStrings = allStrings && v.isString();
            parts.append(v.toString());
        }
        text = allStrings ? parts.join(u';').toUtf8() : canonicalJson(value);
        isText = true;
        break;
    }
    case QJsonValue::Object:
        text = canonicalJson(value);
        break;
    }
    if (isText && !text.isEmpty() && QByteArrayView("=+-@\t\r").contains(text.at(0))) {
        text.prepend('\'');
    }
    if (text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r')) {
        text.replace("\"", "\"\"");
        text = '"' + text + '"';
    }
    return text;
}

} // namespace

bool ExportFilter::matches(const QJsonObject &record) const
{
    if (since.isValid() || until.isValid()) {
        const QDateTime t = parseTimestamp(record.value(QStringLiteral("timestamp")).toString());
        if (!t.isValid() || (since.isValid() && t < since) || (until.isValid() && t >= until)) {
            return false;
        }
    }
    if (!tool.isEmpty() && record.value(QStringLiteral("tool")).toString() != tool) {
        return false;
    }
    if (!target.isEmpty() && record.value(QStringLiteral("target")).toString() != target) {
        return false;
    }
    if (!caller.isEmpty()) {
        for (const char *key : { "subject", "tailnet_user", "oauth_subject", "token_hash" }) {
            if (record.value(QLatin1StringView(key)).toString() == caller) {
                return true;
            }
        }
        return false;
    }
    return true;
}

QStringList csvColumns() { return columns(); }

QByteArray csvRow(const QJsonObject &record)
{
    QByteArray row;
    bool first = true;
    for (const QString &column : columns()) {
        if (!first) {
            row.append(',');
        }
        first = false;
        row.append(csvCell(record.value(column)));
    }
    row.append('\n');
    return row;
}

Core::Result<qint64> exportAudit(
    const QStringList &files, const ExportFilter &filter, ExportFormat format, QIODevice &out, qint64 *skipped)
{
    qint64 written = 0;
    qint64 bad = 0;
    if (format == ExportFormat::Csv) {
        out.write(columns().join(u',').toUtf8() + '\n');
    }
    AuditLineReader reader(files);
    AuditLine line;
    while (reader.next(line)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.bytes, &error);
        if (!line.terminated || error.error != QJsonParseError::NoError || !doc.isObject()) {
            ++bad;
            continue;
        }
        const QJsonObject record = doc.object();
        if (!filter.matches(record)) {
            continue;
        }
        const QByteArray bytes = format == ExportFormat::Csv ? csvRow(record) : line.bytes + '\n';
        if (out.write(bytes) != bytes.size()) {
            return Core::fail(QStringLiteral("cannot write the export: %1").arg(out.errorString()));
        }
        ++written;
    }
    if (skipped) {
        *skipped = bad;
    }
    if (!reader.error().isEmpty()) {
        return Core::fail(reader.error());
    }
    return written;
}

QDateTime parseTimeArgument(const QString &text, const QDateTime &now)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        return {};
    }
    if (t.size() == 10 && t.at(4) == u'-' && t.at(7) == u'-') {
        const QDate d = QDate::fromString(t, Qt::ISODate);
        return d.isValid() ? QDateTime(d, QTime(0, 0), Qt::UTC) : QDateTime();
    }
    if (t.contains(u'T')) {
        return parseTimestamp(t);
    }
    if (const auto seconds = Config::parseDuration(t)) {
        return now.toUTC().addSecs(-*seconds);
    }
    return {};
}

} // namespace Tailops::Audit
