#include "redactor.h"

#include "auditrecord.h"

#include <QHash>
#include <QJsonArray>
#include <algorithm>
#include <array>
#include <cmath>

namespace Tailops::Audit {

namespace {

bool isRunChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'+' || u == u'/'
        || u == u'=' || u == u'_' || u == u'-';
}

struct BuiltinPattern
{
    const char16_t *pattern;
    const char16_t *replacement;
    const char16_t *hints; // '|'-separated literals, one of which must occur (case-insensitively)
    int minLength; // shorter texts cannot match
    bool caseInsensitive;
};

// Order matters: whole blocks and structured tokens first, generic key=value last.
constexpr BuiltinPattern kBuiltins[] = {
    // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK); an unterminated block runs to the end.
    { u"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
        u"[REDACTED:private-key]", u"PRIVATE KEY", 30, false },
    // Authorization schemes.
    { u"\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{6,}", u"\\1 [REDACTED]", u"bearer", 13, true },
    { u"\\b(basic)\\s+[A-Za-z0-9+/]{6,}={0,2}(?![A-Za-z0-9+/=])", u"\\1 [REDACTED]", u"basic", 12, true },
    // scheme://user:password@host
    { u"\\b([A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@?#\\[]*):(?!\\[REDACTED)[^\\s@/?#]+@", u"\\1:[REDACTED]@", u"://", 8,
        false },
    // TailOps / TailOpsMCP HMAC tokens: base64url claims "." 64 hex digits.
    { u"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}\\.[0-9a-f]{64}(?![0-9A-Za-z])", u"[REDACTED:token]", u".", 81, false },
    // JWT: three base64url parts, the header being JSON ("eyJ").
    { u"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}", u"[REDACTED:jwt]", u"eyJ", 20,
        false },
    // AWS access key ids.
    { u"\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\\b", u"[REDACTED:aws-access-key]",
        u"AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA", 20, false },
    // GitHub tokens.
    { u"\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})", u"[REDACTED:github-token]", u"gh", 31, false },
    // Slack tokens.
    { u"\\bxox[baprs]-[A-Za-z0-9-]{10,}", u"[REDACTED:slack-token]", u"xox", 15, false },
    // Command-line options that take a secret as the next word: --password hunter2
    { u"(--?(?:password|passwd|pass|token|secret|api-key|access-key|secret-key|client-secret)[ \\t]+)"
      u"(?!-)[^\\s\"']+",
        u"\\1[REDACTED]", u"pass|token|secret|key", 8, true },
    // key=value / key: value / "key": "value" where the key names a secret.
    { u"\\b([A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|"
      u"private[_-]?key|credentials?)\"?[ \\t]*[=:][ \\t]*)(?:\"[^\"]*\"|'[^']*'|[^\\s\"',;&]+)",
        u"\\1[REDACTED]", u"pass|secret|token|key|credential", 4, true },
};

} // namespace

QStringList RedactionRules::defaultSensitiveKeys()
{
    return { QStringLiteral("token"), QStringLiteral("password"), QStringLiteral("passwd"), QStringLiteral("secret"),
        QStringLiteral("key"), QStringLiteral("credential"), QStringLiteral("authorization"), QStringLiteral("cookie"),
        QStringLiteral("private") };
}

Redactor::Redactor()
    : Redactor(RedactionRules {}, nullptr)
{
}

Redactor::Redactor(const RedactionRules &rules, QStringList *errors)
    : m_rules(rules)
{
    QStringList keys;
    for (const QString &key : rules.sensitiveKeys + rules.extraKeys) {
        if (!key.isEmpty()) {
            keys.append(key.toLower());
        }
    }
    keys.removeDuplicates();
    for (const QString &key : std::as_const(keys)) {
        m_keys.append(QStringMatcher(key, Qt::CaseInsensitive));
    }
    if (rules.builtinPatterns) {
        for (const auto &b : kBuiltins) {
            QRegularExpression::PatternOptions options = QRegularExpression::DotMatchesEverythingOption;
            if (b.caseInsensitive) {
                options |= QRegularExpression::CaseInsensitiveOption;
            }
            Pattern p { QRegularExpression(QString::fromUtf16(b.pattern), options), QString::fromUtf16(b.replacement),
                {}, b.minLength };
            for (const QString &hint : QString::fromUtf16(b.hints).split(u'|', Qt::SkipEmptyParts)) {
                p.hints.append(QStringMatcher(hint, Qt::CaseInsensitive));
            }
            Q_ASSERT(p.re.isValid());
            p.re.optimize();
            m_patterns.append(std::move(p));
        }
    }
    for (const QString &extra : rules.extraPatterns) {
        Pattern p { QRegularExpression(extra), kRedacted, {}, 0 };
        if (!p.re.isValid()) {
            if (errors) {
                errors->append(QStringLiteral("invalid redaction pattern '%1': %2 at offset %3")
                                   .arg(extra, p.re.errorString())
                                   .arg(p.re.patternErrorOffset()));
            }
            continue;
        }
        p.re.optimize();
        m_patterns.append(std::move(p));
    }
}

Core::Result<Redactor> Redactor::create(const RedactionRules &rules)
{
    QStringList errors;
    Redactor r(rules, &errors);
    if (!errors.isEmpty()) {
        return Core::fail(errors.join(QStringLiteral("; ")), QStringLiteral("audit.redact"));
    }
    if (rules.highEntropyMinLength < 8 || rules.highEntropyMinBits <= 0) {
        return Core::fail(QStringLiteral("high-entropy redaction needs a minimum length of at least 8 and a "
                                         "positive number of bits"),
            QStringLiteral("audit.redact"));
    }
    return r;
}

bool Redactor::isSensitiveKey(const QString &key) const
{
    return std::any_of(m_keys.cbegin(), m_keys.cend(), [&key](const QStringMatcher &m) { return m.indexIn(key) >= 0; });
}

double Redactor::shannonEntropy(QStringView text)
{
    if (text.isEmpty()) {
        return 0;
    }
    std::array<int, 128> counts {};
    QHash<char16_t, int> others;
    for (const QChar c : text) {
        if (c.unicode() < 128) {
            ++counts[c.unicode()];
        } else {
            ++others[c.unicode()];
        }
    }
    const double n = double(text.size());
    double h = 0;
    auto add = [&](int count) {
        if (count > 0) {
            const double p = count / n;
            h -= p * std::log2(p);
        }
    };
    for (const int count : counts) {
        add(count);
    }
    for (const int count : std::as_const(others)) {
        add(count);
    }
    return h;
}

double Redactor::wordFraction(QStringView text)
{
    if (text.isEmpty()) {
        return 0;
    }
    const auto isLower = [](QChar c) { return c.unicode() >= u'a' && c.unicode() <= u'z'; };
    const auto isUpper = [](QChar c) { return c.unicode() >= u'A' && c.unicode() <= u'Z'; };
    qsizetype covered = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        qsizetype j = isUpper(text.at(i)) ? i + 1 : i;
        qsizetype k = j;
        while (k < text.size() && isLower(text.at(k))) {
            ++k;
        }
        if (k - j >= 3) {
            covered += k - i;
            i = k;
        } else {
            ++i;
        }
    }
    return double(covered) / double(text.size());
}

bool Redactor::isHighEntropy(QStringView run) const
{
    if (run.size() < m_rules.highEntropyMinLength) {
        return false;
    }
    bool lower = false;
    bool upper = false;
    bool digit = false;
    bool hexOnly = true; // digests and ids: at most 4 bits per character, never a match on their own
    for (const QChar c : run) {
        const char16_t u = c.unicode();
        lower = lower || (u >= u'a' && u <= u'z');
        upper = upper || (u >= u'A' && u <= u'Z');
        digit = digit || (u >= u'0' && u <= u'9');
        hexOnly = hexOnly && ((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F'));
    }
    if (hexOnly || !(lower || upper) || !(digit || (lower && upper))) {
        return false;
    }
    return shannonEntropy(run) >= m_rules.highEntropyMinBits && wordFraction(run) < m_rules.highEntropyMaxWordFraction;
}

QString Redactor::redactHighEntropy(const QString &text) const
{
    QString out;
    qsizetype copied = 0; // text[0, copied) is in out
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        if (!isRunChar(text.at(i))) {
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < n && isRunChar(text.at(end))) {
            ++end;
        }
        const QStringView run = QStringView(text).sliced(i, end - i);
        if (run.size() >= m_rules.highEntropyMinLength) {
            // A run starting with '/' is a path: judge its segments; otherwise the whole run.
            QList<std::pair<qsizetype, qsizetype>> spans; // (start, length) in text
            if (run.startsWith(u'/')) {
                qsizetype s = i;
                while (s < end) {
                    while (s < end && text.at(s) == u'/') {
                        ++s;
                    }
                    qsizetype e = s;
                    while (e < end && text.at(e) != u'/') {
                        ++e;
                    }
                    if (e > s) {
                        spans.append({ s, e - s });
                    }
                    s = e;
                }
            } else {
                spans.append({ i, end - i });
            }
            for (const auto &[start, length] : std::as_const(spans)) {
                if (isHighEntropy(QStringView(text).sliced(start, length))) {
                    out.append(QStringView(text).sliced(copied, start - copied));
                    out.append(kHighEntropy);
                    copied = start + length;
                }
            }
        }
        i = end;
    }
    if (copied == 0) {
        return text;
    }
    out.append(QStringView(text).sliced(copied));
    return out;
}

QString Redactor::redactString(const QString &text) const
{
    if (text.isEmpty()) {
        return text;
    }
    QString out = text;
    for (const Pattern &p : m_patterns) {
        if (out.size() < p.minLength) {
            continue;
        }
        if (!p.hints.isEmpty() && std::none_of(p.hints.cbegin(), p.hints.cend(), [&out](const QStringMatcher &h) {
                return h.indexIn(out) >= 0;
            })) {
            continue;
        }
        out.replace(p.re, p.replacement);
    }
    if (m_rules.highEntropy) {
        out = redactHighEntropy(out);
    }
    return out;
}

// Sets OUT and returns true when VALUE needed redaction; untouched values are not copied.
bool Redactor::redactValue(const QJsonValue &value, QJsonValue &out) const
{
    switch (value.type()) {
    case QJsonValue::String: {
        const QString text = value.toString();
        QString redacted = redactString(text);
        if (redacted == text) {
            return false;
        }
        out = std::move(redacted);
        return true;
    }
    case QJsonValue::Object: {
        QJsonObject object = value.toObject();
        if (!redactInPlace(object)) {
            return false;
        }
        out = object;
        return true;
    }
    case QJsonValue::Array: {
        QJsonArray array = value.toArray();
        bool changed = false;
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue v;
            if (redactValue(array.at(i), v)) {
                array.replace(i, v);
                changed = true;
            }
        }
        if (changed) {
            out = array;
        }
        return changed;
    }
    default:
        return false;
    }
}

bool Redactor::redactInPlace(QJsonObject &object) const
{
    QList<std::pair<QString, QJsonValue>> changes;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QJsonValue v = it.value();
        if (isSensitiveKey(it.key())) {
            if (!v.isBool() && !v.isNull() && !v.isUndefined() && v != QJsonValue(kRedacted)) {
                changes.append({ it.key(), kRedacted });
            }
            continue;
        }
        QJsonValue redacted;
        if (redactValue(v, redacted)) {
            changes.append({ it.key(), redacted });
        }
    }
    for (const auto &[key, value] : std::as_const(changes)) {
        object.insert(key, value);
    }
    return !changes.isEmpty();
}

QJsonValue Redactor::redact(const QJsonValue &value) const
{
    QJsonValue out;
    return redactValue(value, out) ? out : value;
}

QJsonObject Redactor::redactObject(const QJsonObject &object) const
{
    QJsonObject out = object;
    redactInPlace(out);
    return out;
}

void Redactor::redactRecord(AuditRecord &record) const
{
    if (!record.args.isEmpty()) {
        redactInPlace(record.args);
    }
    if (!record.details.isEmpty()) {
        redactInPlace(record.details);
    }
    record.target = redactString(record.target);
    record.error = redactString(record.error);
}

} // namespace Tailops::Audit
