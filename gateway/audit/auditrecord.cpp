#include "auditrecord.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <openssl/evp.h>

namespace Tailops::Audit {

namespace {

constexpr const char16_t *kEventNames[] = { u"decision", u"result", u"recovery", u"startup" };
constexpr const char16_t *kDecisionNames[]
    = { u"", u"allow", u"deny", u"approval-required", u"approved", u"denied", u"timed-out" };

// Keys, spelled once.
namespace K {
const QString v = QStringLiteral("v");
const QString timestamp = QStringLiteral("timestamp");
const QString recordId = QStringLiteral("record_id");
const QString event = QStringLiteral("event");
const QString requestId = QStringLiteral("request_id");
const QString transport = QStringLiteral("transport");
const QString subject = QStringLiteral("subject");
const QString tokenHash = QStringLiteral("token_hash");
const QString tailnetUser = QStringLiteral("tailnet_user");
const QString tailnetNode = QStringLiteral("tailnet_node");
const QString tailnetTags = QStringLiteral("tailnet_tags");
const QString oauthSubject = QStringLiteral("oauth_subject");
const QString peer = QStringLiteral("peer");
const QString tool = QStringLiteral("tool");
const QString target = QStringLiteral("target");
const QString args = QStringLiteral("args");
const QString decision = QStringLiteral("decision");
const QString rule = QStringLiteral("rule");
const QString approver = QStringLiteral("approver");
const QString durationMs = QStringLiteral("duration_ms");
const QString resultStatus = QStringLiteral("result_status");
const QString exitCode = QStringLiteral("exit_code");
const QString bytes = QStringLiteral("bytes");
const QString truncated = QStringLiteral("truncated");
const QString error = QStringLiteral("error");
const QString dryRun = QStringLiteral("dry_run");
const QString details = QStringLiteral("details");
const QString prevHash = QStringLiteral("prev_hash");
const QString hash = QStringLiteral("hash");
} // namespace K

void putString(QJsonObject &o, const QString &key, const QString &value)
{
    if (!value.isEmpty()) {
        o.insert(key, value);
    }
}

void appendEscapedUtf8(QByteArray &out, const QByteArray &utf8)
{
    static const char hex[] = "0123456789abcdef";
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                const char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
                out.append(u, 6);
            } else {
                out.append(ch);
            }
        }
    }
}

void appendEscaped(QByteArray &out, QStringView text)
{
    // Fast path: printable ASCII without '"' and '\\' is copied as it is.
    bool plain = true;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u >= 0x7f || u == u'"' || u == u'\\') {
            plain = false;
            break;
        }
    }
    const qsizetype at = out.size();
    if (plain) {
        out.resize(at + text.size() + 2);
        char *d = out.data() + at;
        *d++ = '"';
        for (const QChar c : text) {
            *d++ = char(c.unicode());
        }
        *d = '"';
        return;
    }
    out.append('"');
    appendEscapedUtf8(out, text.toUtf8());
    out.append('"');
}

void appendCanonical(QByteArray &out, const QJsonValue &value);

void appendCanonicalObject(QByteArray &out, const QJsonObject &object)
{
    QStringList keys = object.keys();
    std::sort(keys.begin(), keys.end());
    out.append('{');
    bool first = true;
    for (const QString &key : std::as_const(keys)) {
        if (!first) {
            out.append(',');
        }
        first = false;
        appendEscaped(out, key);
        out.append(':');
        appendCanonical(out, object.value(key));
    }
    out.append('}');
}

void appendCanonical(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double: {
        constexpr qint64 sentinel = std::numeric_limits<qint64>::min();
        const qint64 whole = value.toInteger(sentinel);
        const double d = value.toDouble();
        if (whole != sentinel) {
            out.append(QByteArray::number(whole));
        } else if (!std::isfinite(d)) {
            out.append("null");
        } else {
            out.append(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
        }
        break;
    }
    case QJsonValue::String:
        appendEscaped(out, value.toString());
        break;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0) {
                out.append(',');
            }
            appendCanonical(out, array.at(i));
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object:
        appendCanonicalObject(out, value.toObject());
        break;
    }
}

} // namespace

QString eventName(Event event) { return QString::fromUtf16(kEventNames[int(event)]); }

std::optional<Event> eventFromName(const QString &name)
{
    for (int i = 0; i < int(std::size(kEventNames)); ++i) {
        if (name == QStringView(kEventNames[i])) {
            return Event(i);
        }
    }
    return std::nullopt;
}

QString decisionName(Decision decision) { return QString::fromUtf16(kDecisionNames[int(decision)]); }

std::optional<Decision> decisionFromName(const QString &name)
{
    for (int i = 0; i < int(std::size(kDecisionNames)); ++i) {
        if (name == QStringView(kDecisionNames[i])) {
            return Decision(i);
        }
    }
    return std::nullopt;
}

QString genesisHash() { return QString(64, u'0'); }

void AuditRecord::setCaller(const Auth::Caller &caller)
{
    transport = caller.transport;
    subject = caller.agent;
    tokenHash = caller.tokenHash;
    peer = caller.peer;
    tailnetUser = caller.user;
    tailnetNode = caller.node;
    tailnetTags = caller.tailnetTags;
    if (caller.agent.startsWith(QStringLiteral("oauth:"))) {
        oauthSubject = caller.agent.mid(6);
    }
}

AuditRecord AuditRecord::makeDecision(const Auth::Caller &caller, const QString &requestId, const QString &tool,
    const QString &target, const QJsonObject &args, Decision decision, const QString &rule)
{
    AuditRecord r;
    r.setCaller(caller);
    r.requestId = requestId;
    r.tool = tool;
    r.target = target;
    r.args = args;
    r.event = Event::Decision;
    r.decision = decision;
    r.rule = rule;
    return r;
}

AuditRecord AuditRecord::makeResult(const AuditRecord &decision, bool success, qint64 durationMs, const QString &error)
{
    AuditRecord r;
    r.requestId = decision.requestId;
    r.transport = decision.transport;
    r.subject = decision.subject;
    r.tokenHash = decision.tokenHash;
    r.tailnetUser = decision.tailnetUser;
    r.tailnetNode = decision.tailnetNode;
    r.tailnetTags = decision.tailnetTags;
    r.oauthSubject = decision.oauthSubject;
    r.peer = decision.peer;
    r.tool = decision.tool;
    r.target = decision.target;
    r.dryRun = decision.dryRun;
    r.event = Event::Result;
    r.durationMs = durationMs;
    r.resultStatus = success ? QStringLiteral("success") : QStringLiteral("error");
    r.truncated = false;
    r.error = error;
    return r;
}

QJsonObject AuditRecord::toJson(bool withHash) const
{
    QJsonObject o;
    o.insert(K::v, kFormatVersion);
    o.insert(K::timestamp, formatTimestamp(timestamp));
    o.insert(K::recordId, recordId);
    o.insert(K::event, eventName(event));
    putString(o, K::requestId, requestId);
    putString(o, K::transport, transport);
    putString(o, K::subject, subject);
    putString(o, K::tokenHash, tokenHash);
    putString(o, K::tailnetUser, tailnetUser);
    putString(o, K::tailnetNode, tailnetNode);
    if (!tailnetTags.isEmpty()) {
        o.insert(K::tailnetTags, QJsonArray::fromStringList(tailnetTags));
    }
    putString(o, K::oauthSubject, oauthSubject);
    putString(o, K::peer, peer);
    putString(o, K::tool, tool);
    putString(o, K::target, target);
    if (!args.isEmpty()) {
        o.insert(K::args, args);
    }
    putString(o, K::decision, decisionName(decision));
    putString(o, K::rule, rule);
    putString(o, K::approver, approver);
    if (durationMs) {
        o.insert(K::durationMs, *durationMs);
    }
    putString(o, K::resultStatus, resultStatus);
    if (exitCode) {
        o.insert(K::exitCode, *exitCode);
    }
    if (bytes) {
        o.insert(K::bytes, *bytes);
    }
    if (truncated) {
        o.insert(K::truncated, *truncated);
    }
    putString(o, K::error, error);
    if (dryRun) {
        o.insert(K::dryRun, *dryRun);
    }
    if (!details.isEmpty()) {
        o.insert(K::details, details);
    }
    putString(o, K::prevHash, prevHash);
    if (withHash) {
        putString(o, K::hash, hash);
    }
    return o;
}

Core::Result<AuditRecord> AuditRecord::fromJson(const QJsonObject &o)
{
    AuditRecord r;
    const auto ev = eventFromName(o.value(K::event).toString());
    if (!ev) {
        return Core::fail(QStringLiteral("unknown event '%1'").arg(o.value(K::event).toString().left(32)), K::event);
    }
    r.event = *ev;
    const auto dec = decisionFromName(o.value(K::decision).toString());
    if (!dec) {
        return Core::fail(
            QStringLiteral("unknown decision '%1'").arg(o.value(K::decision).toString().left(32)), K::decision);
    }
    r.decision = *dec;
    r.timestamp = parseTimestamp(o.value(K::timestamp).toString());
    if (!r.timestamp.isValid()) {
        return Core::fail(QStringLiteral("invalid timestamp"), K::timestamp);
    }
    r.recordId = o.value(K::recordId).toInteger(-1);
    if (r.recordId < 1) {
        return Core::fail(QStringLiteral("missing or invalid record_id"), K::recordId);
    }
    r.requestId = o.value(K::requestId).toString();
    r.transport = o.value(K::transport).toString();
    r.subject = o.value(K::subject).toString();
    r.tokenHash = o.value(K::tokenHash).toString();
    r.tailnetUser = o.value(K::tailnetUser).toString();
    r.tailnetNode = o.value(K::tailnetNode).toString();
    for (const auto &tag : o.value(K::tailnetTags).toArray()) {
        r.tailnetTags.append(tag.toString());
    }
    r.oauthSubject = o.value(K::oauthSubject).toString();
    r.peer = o.value(K::peer).toString();
    r.tool = o.value(K::tool).toString();
    r.target = o.value(K::target).toString();
    r.args = o.value(K::args).toObject();
    r.rule = o.value(K::rule).toString();
    r.approver = o.value(K::approver).toString();
    if (o.contains(K::durationMs)) {
        r.durationMs = o.value(K::durationMs).toInteger();
    }
    r.resultStatus = o.value(K::resultStatus).toString();
    if (o.contains(K::exitCode)) {
        r.exitCode = int(o.value(K::exitCode).toInteger());
    }
    if (o.contains(K::bytes)) {
        r.bytes = o.value(K::bytes).toInteger();
    }
    if (o.contains(K::truncated)) {
        r.truncated = o.value(K::truncated).toBool();
    }
    r.error = o.value(K::error).toString();
    if (o.contains(K::dryRun)) {
        r.dryRun = o.value(K::dryRun).toBool();
    }
    r.details = o.value(K::details).toObject();
    r.prevHash = o.value(K::prevHash).toString();
    r.hash = o.value(K::hash).toString();
    return r;
}

// The canonical form of toJson(WITHHASH), written directly: the keys in sorted order, empty fields left
// out exactly as toJson() leaves them out (tst_auditrecord checks that both agree).
QByteArray AuditRecord::canonicalBytes(bool withHash, qsizetype *hashAt) const
{
    QByteArray out;
    out.reserve(768);
    bool first = true;
    const auto key = [&out, &first](const char *name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        out.append('"');
        out.append(name);
        out.append("\":");
    };
    const auto str = [&](const char *name, const QString &value) {
        if (!value.isEmpty()) {
            key(name);
            appendEscaped(out, value);
        }
    };
    const auto integer = [&](const char *name, std::optional<qint64> value) {
        if (value) {
            key(name);
            out.append(QByteArray::number(*value));
        }
    };
    const auto boolean = [&](const char *name, std::optional<bool> value) {
        if (value) {
            key(name);
            out.append(*value ? "true" : "false");
        }
    };
    const auto object = [&](const char *name, const QJsonObject &value) {
        if (!value.isEmpty()) {
            key(name);
            appendCanonicalObject(out, value);
        }
    };
    out.append('{');
    str("approver", approver);
    object("args", args);
    integer("bytes", bytes);
    str("decision", decisionName(decision));
    object("details", details);
    boolean("dry_run", dryRun);
    integer("duration_ms", durationMs);
    str("error", error);
    str("event", eventName(event));
    integer("exit_code", exitCode ? std::optional<qint64>(*exitCode) : std::nullopt);
    if (hashAt) {
        *hashAt = out.size(); // "event" always comes before: the hash is never the first key
    }
    if (withHash) {
        str("hash", hash);
    }
    str("oauth_subject", oauthSubject);
    str("peer", peer);
    str("prev_hash", prevHash);
    integer("record_id", recordId);
    str("request_id", requestId);
    str("result_status", resultStatus);
    str("rule", rule);
    str("subject", subject);
    str("tailnet_node", tailnetNode);
    if (!tailnetTags.isEmpty()) {
        key("tailnet_tags");
        out.append('[');
        for (qsizetype i = 0; i < tailnetTags.size(); ++i) {
            if (i > 0) {
                out.append(',');
            }
            appendEscaped(out, tailnetTags.at(i));
        }
        out.append(']');
    }
    str("tailnet_user", tailnetUser);
    str("target", target);
    key("timestamp");
    appendEscaped(out, formatTimestamp(timestamp));
    str("token_hash", tokenHash);
    str("tool", tool);
    str("transport", transport);
    boolean("truncated", truncated);
    integer("v", kFormatVersion);
    out.append('}');
    return out;
}

QString AuditRecord::computeHash() const { return sha256Hex(canonicalBytes(false)); }

QByteArray AuditRecord::toLine() const { return canonicalBytes(true); }

QByteArray canonicalJson(const QJsonObject &object)
{
    QByteArray out;
    out.reserve(512);
    appendCanonicalObject(out, object);
    return out;
}

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendCanonical(out, value);
    return out;
}

QString sha256Hex(const QByteArray &bytes)
{
    // OpenSSL: uses the CPU's SHA extensions, about 3x QCryptographicHash on the records we hash.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.constData(), size_t(bytes.size()), digest, &length, EVP_sha256(), nullptr) != 1
        || length != 32) {
        return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    }
    static const char hex[] = "0123456789abcdef";
    char text[64];
    for (unsigned int i = 0; i < 32; ++i) {
        text[2 * i] = hex[digest[i] >> 4];
        text[2 * i + 1] = hex[digest[i] & 0xf];
    }
    return QString::fromLatin1(text, 64);
}

QString hashOfJson(QJsonObject object)
{
    object.remove(K::hash);
    return sha256Hex(canonicalJson(object));
}

QString formatTimestamp(const QDateTime &utc)
{
    const QDateTime t = utc.toUTC();
    const QDate d = t.date();
    const QTime h = t.time();
    if (!d.isValid() || d.year() < 0 || d.year() > 9999) {
        return t.toString(Qt::ISODateWithMs);
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year(), d.month(), d.day(), h.hour(),
        h.minute(), h.second(), h.msec());
    return QString::fromLatin1(buf);
}

QDateTime parseTimestamp(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid()) {
        t = QDateTime::fromString(text, Qt::ISODate);
    }
    return t.isValid() ? t.toUTC() : QDateTime();
}

} // namespace Tailops::Audit
