// The audit log as `tailops-gateway audit verify` reads it: the input is written to a tmpfs file
// (audit.jsonl, and the part after a line "#head" to audit.jsonl.head) and Audit::verifyAudit runs over
// it; every line is also parsed as a record.
// Invariants: verifyAudit reports a consistent result (ok <=> kind None; a break names a file, and
// records <= number of lines); a line that AuditRecord::fromJson accepts round-trips through toJson /
// fromJson / toLine unchanged, and its computed hash is stable; canonicalJson output parses back to the
// same JSON object.
#include "audit/auditfiles.h"
#include "audit/auditrecord.h"
#include "audit/auditverifier.h"
#include "fuzz_support.h"

#include <QJsonDocument>

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 128 * 1024) {
        return -1;
    }
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<QByteArray> parts = FuzzSupport::splitInput(input, "\n#head\n", 2);
    const QByteArray log = parts.at(0);
    const QString logPath = FuzzSupport::writeScratch(QStringLiteral("audit.jsonl"), log);
    QString headPath;
    if (parts.size() > 1) {
        headPath = FuzzSupport::writeScratch(QStringLiteral("audit.jsonl.head"), parts.at(1));
        (void)Audit::readAuditHead(headPath);
    } else {
        QFile::remove(Audit::auditHeadPath(logPath));
    }

    const Audit::VerifyReport report = Audit::verifyAudit({ logPath }, headPath);
    FUZZ_CHECK(report.ok == (report.kind == Audit::Breakage::None), report.summary());
    if (!report.ok) {
        FUZZ_CHECK(!report.message.isEmpty(), report.summary());
    }
    FUZZ_CHECK(report.records >= 0 && report.records <= log.count('\n') + 1, report.summary());
    report.summary();

    for (const QByteArray &line : log.split('\n')) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            continue;
        }
        const QJsonObject o = doc.object();
        const QByteArray canonical = Audit::canonicalJson(o);
        const QJsonDocument back = QJsonDocument::fromJson(canonical, &pe);
        FUZZ_CHECK(pe.error == QJsonParseError::NoError && back.isObject(),
                   QString::fromUtf8(line.left(2000)) + QStringLiteral("\n-> ") + QString::fromUtf8(canonical.left(2000)));
        Audit::hashOfJson(o);

        const auto record = Audit::AuditRecord::fromJson(o);
        if (!record) {
            continue;
        }
        const QJsonObject j1 = record->toJson();
        const auto again = Audit::AuditRecord::fromJson(j1);
        FUZZ_CHECK(again.has_value(), QString::fromUtf8(QJsonDocument(j1).toJson(QJsonDocument::Compact)));
        const QJsonObject j2 = again->toJson();
        FUZZ_CHECK(j1 == j2, QString::fromUtf8(QJsonDocument(j1).toJson(QJsonDocument::Compact)) + QStringLiteral("\n!= ")
                                 + QString::fromUtf8(QJsonDocument(j2).toJson(QJsonDocument::Compact)));
        FUZZ_CHECK(record->computeHash() == again->computeHash(), QString::fromUtf8(line.left(2000)));
        FUZZ_CHECK(record->toLine() == again->toLine(), QString::fromUtf8(line.left(2000)));
        // The hot-path serialisation equals the generic canonical form.
        FUZZ_CHECK(record->canonicalBytes(true) == Audit::canonicalJson(record->toJson(true)),
                   QString::fromUtf8(record->canonicalBytes(true).left(2000)) + QStringLiteral("\n!= ")
                       + QString::fromUtf8(Audit::canonicalJson(record->toJson(true)).left(2000)));
    }
    return 0;
}
