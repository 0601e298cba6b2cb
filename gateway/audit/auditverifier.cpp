#include "auditverifier.h"

#include "auditfiles.h"
#include "auditrecord.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <optional>

namespace Tailops::Audit {

namespace {

std::optional<QJsonObject> parseObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::nullopt;
    }
    return doc.object();
}

QString where(const AuditLine &line)
{
    return QStringLiteral("%1 line %2").arg(QFileInfo(line.file).fileName()).arg(line.lineNumber);
}

QString recordsText(qint64 from, qint64 to)
{
    return from == to ? QStringLiteral("record %1").arg(from) : QStringLiteral("records %1-%2").arg(from).arg(to);
}

class Verifier
{
public:
    Verifier(const QStringList &files, const QString &headPath)
        : m_files(files)
        , m_headPath(headPath)
    {
    }

    VerifyReport run();

private:
    void breakAt(Breakage kind, qint64 record, const AuditLine *line, const QString &text)
    {
        m_report.ok = false;
        m_report.kind = kind;
        m_report.brokenRecord = record;
        if (line) {
            m_report.file = line->file;
            m_report.line = line->lineNumber;
        }
        m_report.message = line
            ? QStringLiteral("record %1 (%2): %3: %4").arg(record).arg(where(*line), breakageName(kind), text)
            : QStringLiteral("record %1: %2: %3").arg(record).arg(breakageName(kind), text);
    }
    // After a jump in ids at LINE: does EXPECTED occur later (reordered) or not at all (removed)?
    bool occursLater(AuditLineReader &reader, qint64 expected);

    QStringList m_files;
    QString m_headPath;
    VerifyReport m_report;
};

bool Verifier::occursLater(AuditLineReader &reader, qint64 expected)
{
    AuditLine line;
    while (reader.next(line)) {
        if (const auto o = parseObject(line.bytes)) {
            if (o->value(QStringLiteral("record_id")).toInteger(-1) == expected) {
                return true;
            }
        }
    }
    return false;
}

VerifyReport Verifier::run()
{
    std::optional<AuditHead> head;
    if (!m_headPath.isEmpty()) {
        const auto h = readAuditHead(m_headPath);
        if (!h) {
            m_report.notes.append(QStringLiteral("head ignored: %1").arg(h.error().toString()));
        } else {
            head = *h;
        }
    }

    AuditLineReader reader(m_files);
    AuditLine line;
    qint64 expectedId = 0; // 0: before the first record
    QString expectedPrev;
    qint64 lastId = 0;
    std::optional<QString> hashAtHead;
    while (reader.next(line)) {
        const qint64 number
            = expectedId > 0 ? expectedId : (head && head->oldestRecordId > 0 ? head->oldestRecordId : 1);
        if (!line.terminated) {
            breakAt(Breakage::TornLine, number, &line,
                QStringLiteral("the line has no newline (%1 bytes): a write was cut short; the gateway removes it "
                               "and appends a recovery record when it next opens the log")
                    .arg(line.bytes.size()));
            return m_report;
        }
        const auto object = parseObject(line.bytes);
        const qint64 id = object ? object->value(QStringLiteral("record_id")).toInteger(-1) : -1;
        if (!object || id < 1) {
            breakAt(Breakage::Malformed, number, &line, QStringLiteral("the line is not an audit record"));
            return m_report;
        }
        const QString stored = object->value(QStringLiteral("hash")).toString();
        const QString prev = object->value(QStringLiteral("prev_hash")).toString();
        if (hashOfJson(*object) != stored) {
            breakAt(Breakage::Edited, id, &line, QStringLiteral("its content does not match its hash"));
            return m_report;
        }

        if (expectedId == 0) {
            // The first record: anchored at genesis, at the head's anchor, or (without either) where it is.
            if (head && head->oldestRecordId > 0) {
                if (id > head->oldestRecordId) {
                    breakAt(Breakage::Removed, head->oldestRecordId, &line,
                        QStringLiteral("%1 missing: the log starts at record %2 but the head's oldest record is %3")
                            .arg(recordsText(head->oldestRecordId, id - 1))
                            .arg(id)
                            .arg(head->oldestRecordId));
                    return m_report;
                }
                if (id == head->oldestRecordId && prev != head->oldestPrevHash) {
                    breakAt(
                        Breakage::Edited, id, &line, QStringLiteral("its prev_hash does not match the head's anchor"));
                    return m_report;
                }
                if (id < head->oldestRecordId) {
                    m_report.notes.append(QStringLiteral("the files start at record %1, before the head's oldest "
                                                         "record %2")
                                              .arg(id)
                                              .arg(head->oldestRecordId));
                }
            } else if (id == 1) {
                if (prev != genesisHash()) {
                    breakAt(Breakage::Edited, id, &line,
                        QStringLiteral("the first record's prev_hash is not the "
                                       "genesis hash"));
                    return m_report;
                }
            } else {
                m_report.notes.append(QStringLiteral("chain anchored at record %1 (earlier records are not in the "
                                                     "files given)")
                                          .arg(id));
            }
        } else if (id == expectedId) {
            if (prev != expectedPrev) {
                breakAt(Breakage::Edited, id - 1, nullptr,
                    QStringLiteral("its hash does not match the prev_hash of record %1 (%2): it was changed "
                                   "or replaced")
                        .arg(id)
                        .arg(where(line)));
                return m_report;
            }
        } else if (id > expectedId) {
            const QJsonObject details = object->value(QStringLiteral("details")).toObject();
            const bool recoveryGap = object->value(QStringLiteral("event")).toString() == u"recovery"
                && details.value(QStringLiteral("missing_from")).toInteger(-1) == expectedId
                && details.value(QStringLiteral("missing_to")).toInteger(-1) == id - 1 && prev == expectedPrev;
            if (!recoveryGap) {
                if (occursLater(reader, expectedId)) {
                    breakAt(
                        Breakage::Reordered, expectedId, &line, QStringLiteral("record %1 appears before it").arg(id));
                } else {
                    breakAt(Breakage::Removed, expectedId, &line,
                        QStringLiteral("%1 missing: record %2 follows record %3")
                            .arg(recordsText(expectedId, id - 1))
                            .arg(id)
                            .arg(expectedId - 1));
                }
                return m_report;
            }
            m_report.notes.append(QStringLiteral("%1 missing, declared by recovery record %2 (%3)")
                                      .arg(recordsText(expectedId, id - 1))
                                      .arg(id)
                                      .arg(object->value(QStringLiteral("error")).toString()));
        } else {
            breakAt(Breakage::Reordered, id, &line,
                QStringLiteral("it appears after record %1 (moved or duplicated)").arg(expectedId - 1));
            return m_report;
        }

        if (object->value(QStringLiteral("event")).toString() == u"recovery" && !(id > expectedId && expectedId > 0)) {
            m_report.notes.append(QStringLiteral("recovery record %1: %2")
                                      .arg(id)
                                      .arg(object->value(QStringLiteral("error")).toString()));
        }
        if (head && id == head->recordId) {
            hashAtHead = stored;
        }
        ++m_report.records;
        lastId = id;
        expectedId = id + 1;
        expectedPrev = stored;
    }
    if (!reader.error().isEmpty()) {
        breakAt(Breakage::Unreadable, expectedId > 0 ? expectedId : 1, nullptr, reader.error());
        return m_report;
    }
    if (head) {
        const QString headName = QFileInfo(m_headPath).fileName();
        if (head->recordId > lastId) {
            breakAt(Breakage::TruncatedVsHead, lastId + 1, nullptr,
                QStringLiteral("%1 missing: the log ends at record %2 but %3 names record %4")
                    .arg(recordsText(lastId + 1, head->recordId))
                    .arg(lastId)
                    .arg(headName)
                    .arg(head->recordId));
            return m_report;
        }
        if (hashAtHead && *hashAtHead != head->hash) {
            breakAt(Breakage::Edited, head->recordId, nullptr,
                QStringLiteral("its hash differs from the one %1 recorded").arg(headName));
            return m_report;
        }
        if (head->recordId < lastId) {
            m_report.notes.append(QStringLiteral("%1 names record %2; the log goes on to record %3 (written after "
                                                 "the head, e.g. before a crash)")
                                      .arg(headName)
                                      .arg(head->recordId)
                                      .arg(lastId));
        }
    }
    return m_report;
}

} // namespace

QString breakageName(Breakage kind)
{
    switch (kind) {
    case Breakage::None:
        return QStringLiteral("intact");
    case Breakage::Edited:
        return QStringLiteral("edited");
    case Breakage::Removed:
        return QStringLiteral("removed");
    case Breakage::Reordered:
        return QStringLiteral("reordered");
    case Breakage::TruncatedVsHead:
        return QStringLiteral("truncated");
    case Breakage::TornLine:
        return QStringLiteral("torn line");
    case Breakage::Malformed:
        return QStringLiteral("malformed");
    case Breakage::Unreadable:
        return QStringLiteral("unreadable");
    }
    return {};
}

QString VerifyReport::summary() const
{
    if (ok) {
        return QStringLiteral("OK: %1 records, chain intact").arg(records);
    }
    return QStringLiteral("BROKEN: ") + message;
}

VerifyReport verifyAudit(const QStringList &files, const QString &headPath) { return Verifier(files, headPath).run(); }

VerifyReport verifyAuditLog(const QString &logPath)
{
    const QString head = auditHeadPath(logPath);
    return verifyAudit(auditFiles(logPath), QFileInfo::exists(head) ? head : QString());
}

} // namespace Tailops::Audit
