#pragma once

#include "auth/caller.h"
#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

namespace Tailops::Audit {

// What a record is about. "decision" before a tool runs (or is refused), "result" after it finished,
// "recovery" when the log repaired itself (torn last line, truncation, reopen after a failure),
// "startup" when a gateway opened the log.
enum class Event
{
    Decision,
    Result,
    Recovery,
    Startup
};

// The policy outcome of a decision record (None on the other events).
enum class Decision
{
    None,
    Allow,
    Deny,
    ApprovalRequired,
    Approved,
    Denied,
    TimedOut
};

QString eventName(Event event);
std::optional<Event> eventFromName(const QString &name);
QString decisionName(Decision decision); // "" for None
std::optional<Decision> decisionFromName(const QString &name);

// The hash a chain starts from: 64 zeros.
QString genesisHash();

// One line of the audit log. A value type: build it, hand it to AuditLog::append(), which redacts it,
// numbers it (recordId), stamps it (timestamp when unset) and chains it (prevHash, hash).
//
// JSON keys (snake_case; empty / unset fields are omitted; the caller's fields are top-level keys, as
// `subject` is in TailOpsMCP's audit.log):
//   v, timestamp, record_id, event, request_id, transport,
//   subject, token_hash, tailnet_user, tailnet_node, tailnet_tags, oauth_subject, peer,
//   tool, target, args, decision, rule, approver,
//   duration_ms, result_status ("success" | "error"), exit_code, bytes, truncated, error, dry_run,
//   details (recovery / startup facts), prev_hash, hash
struct AuditRecord
{
    static constexpr int kFormatVersion = 1;

    QDateTime timestamp; // UTC; set by append() when invalid
    qint64 recordId = 0; // set by append()
    QString requestId; // JSON-RPC id as text, or the HTTP request's id
    QString transport; // "http", "stdio"

    // Caller (from Auth::Caller; tailnet_* from Tailscale whois when available).
    QString subject; // the token's agent claim: TailOpsMCP's `subject`
    QString tokenHash;
    QString tailnetUser;
    QString tailnetNode;
    QStringList tailnetTags;
    QString oauthSubject;
    QString peer;

    QString tool;
    QString target;
    QJsonObject args; // redacted by append()
    Event event = Event::Decision;
    Decision decision = Decision::None;
    QString rule; // the policy rule that decided
    QString approver; // who approved / denied an approval-required call

    std::optional<qint64> durationMs;
    QString resultStatus; // "success" | "error" (result records)
    std::optional<int> exitCode;
    std::optional<qint64> bytes;
    std::optional<bool> truncated;
    QString error;
    std::optional<bool> dryRun;
    QJsonObject details; // recovery / startup facts

    QString prevHash; // set by append()
    QString hash; // set by append()

    // Fills transport, subject, tokenHash and peer from the authenticated caller.
    void setCaller(const Auth::Caller &caller);

    // A decision record for TOOL on TARGET with ARGS (redacted later by the log).
    static AuditRecord makeDecision(const Auth::Caller &caller, const QString &requestId, const QString &tool,
        const QString &target, const QJsonObject &args, Decision decision, const QString &rule = {});
    // The result record of the call DECISION was about: same request, caller, tool, target; no args.
    static AuditRecord makeResult(
        const AuditRecord &decision, bool success, qint64 durationMs, const QString &error = {});

    bool isSuccess() const { return resultStatus == u"success"; }

    // The record as JSON (with `hash` when set). toJson(false) is what the hash covers.
    QJsonObject toJson(bool withHash = true) const;
    static Core::Result<AuditRecord> fromJson(const QJsonObject &object);

    // SHA-256 (lowercase hex) over canonicalJson(toJson(false)).
    QString computeHash() const;
    // The line as written: canonical JSON including `hash`, without the newline.
    QByteArray toLine() const;
    // canonicalJson(toJson(WITHHASH)), built without the JSON object (the log's hot path). HASHAT receives
    // the offset where `,"hash":"..."` belongs when WITHHASH is false.
    QByteArray canonicalBytes(bool withHash, qsizetype *hashAt = nullptr) const;
};

// The canonical form the chain hashes: compact JSON, object keys sorted by UTF-16 code units, strings
// as UTF-8 with only '"', '\\' and control characters (< 0x20) escaped (\b \f \n \r \t, else \u00XX),
// numbers that are whole and fit in 64 bits as integers, other numbers in the shortest form that reads
// back to the same double, non-finite numbers as null. It equals Python's
// json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for the records we write.
QByteArray canonicalJson(const QJsonObject &object);
QByteArray canonicalJson(const QJsonValue &value);

// Lowercase hex SHA-256 of BYTES.
QString sha256Hex(const QByteArray &bytes);

// hash of a parsed line: SHA-256 over the canonical form of OBJECT without its "hash" key.
QString hashOfJson(QJsonObject object);

// RFC 3339 UTC with milliseconds: 2025-01-31T12:34:56.789Z.
QString formatTimestamp(const QDateTime &utc);
QDateTime parseTimestamp(const QString &text);

} // namespace Tailops::Audit

Q_DECLARE_METATYPE(Tailops::Audit::AuditRecord)
