#include "redactor.h"

#include "auditrecord.h"

#include <QJsonArray>

#include <array>
#include <cmath>

namespace Tailops::Audit {

namespace {

bool isRunChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'+'
        || u == u'/' || u == u'=' || u == u'_' || u == u'-';
}

struct BuiltinPattern
{
    const char16_t *pattern;
    const char16_t *replacement;
    const char16_t *hint;
    bool caseInsensitive;
};

// Order matters: whole blocks and structured tokens first, generic key=value last.
constexpr BuiltinPattern kBuiltins[] = {
    // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK); an unterminated block runs to the end.
    { u"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
      u"[REDACTED:private-key]", u"PRIVATE KEY", false },
    // Authorization schemes.
    { u"\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{6,}", u"\\1 [REDACTED]", u"bearer", true },
    { u"\\b(basic)\\s+[A-Za-z0-9+/]{6,}={0,2}(?![A-Za-z0-9+/=])", u"\\1 [REDACTED]", u"basic", true },
    // scheme://user:password@host
    { u"\\b([A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@?#]*):[^\\s@/?#]+@", u"\\1:[REDACTED]@", u"://", false },
    // TailOps / TailOpsMCP HMAC tokens: base64url claims "." 64 hex digits.
    { u"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}\\.[0-9a-f]{64}(?![0-9A-Za-z])", u"[REDACTED:token]", u".", false },
    // JWT: three base64url parts, the header being JSON ("eyJ").
    { u"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}", u"[REDACTED:jwt]", u"eyJ",
      false },
    // AWS access key ids.
    { u"\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\\b", u"[REDACTED:aws-access-key]", u"", false },
    // GitHub tokens.
    { u"\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})", u"[REDACTED:github-token]", u"_", false },
    // Slack tokens.
    { u"\\bxox[baprs]-[A-Za-z0-9-]{10,}", u"[REDACTED:slack-token]", u"xox", false },
    // Command-line options that take a secret as the next word: --password hunter2
    { u"(--?(?:password|passwd|pass|token|secret|api-key|access-key|secret-key|client-secret)[ \\t]+)"
      u"(?!-)[^\\s\"']+",
      u"\\1[REDACTED]", u"-", true },
    // key=value / key: value / "key": "value" where the key names a secret.
    { u"\\b([A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|"
      u"private[_-]?key|credentials?)\"?[ \\t]*[=:][ \\t]*)(?:\"[^\"]*\"|'[^']*'|[^\\s\"',;&]+)",
      u"\\1[REDACTED]", u"", true },
};

} // namespace

QStringList RedactionRules::defaultSensitiveKeys()
{
    return { QStringLiteral("token"),      QStringLiteral("password"),      QStringLiteral("passwd"),
             QStringLiteral("secret"),     QStringLiteral("key"),           QStringLiteral("credential"),
             QStringLiteral("authorization"), QStringLiteral("cookie"),     QStringLiteral("private") };
}

Redactor::Redactor()
    : Redactor(RedactionRules {}, nullptr)
{
}

Redactor::Redactor(const RedactionRules &rules, QStringList *errors)
    : m_rules(rules)
{
    for (const QString &key : rules.sensitiveKeys + rules.extraKeys) {
        if (!key.isEmpty()) {
            m_keys.append(key.toLower());
        }
    }
    m_keys.removeDuplicates();
    if (rules.builtinPatterns) {
        for (const auto &b : kBuiltins) {
            QRegularExpression::PatternOptions options = QRegularExpression::DotMatchesEverythingOption;
            if (b.caseInsensitive) {
                options |= QRegularExpression::CaseInsensitiveOption;
            }
            Pattern p { QRegularExpression(QString::fromUtf16(b.pattern), options),
                        QString::fromUtf16(b.replacement), QString::fromUtf16(b.hint) };
            Q_ASSERT(p.re.isValid());
            p.re.optimize();
            m_patterns.append(std::move(p));
        }
    }
    for (const QString &extra : rules.extraPatterns) {
        Pattern p { QRegularExpression(extra), kRedacted, QString() };
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
    for (const QString &k : m_keys) {
        if (key.contains(k, Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
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

bool Redactor::isHighEntropy(QStringView run) const
{
    if (run.size() < m_rules.highEntropyMinLength) {
        return false;
    }
    bool letter = false;
    bool digit = false;
    for (const QChar c : run) {
        letter = letter || c.isLetter();
        digit = digit || c.isDigit();
    }
    return letter && digit && shannonEntropy(run) >= m_rules.highEntropyMinBits;
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
        if (!p.hint.isEmpty() && !out.contains(p.hint, Qt::CaseInsensitive)) {
            continue;
        }
        out.replace(p.re, p.replacement);
    }
    if (m_rules.highEntropy) {
        out = redactHighEntropy(out);
    }
    return out;
}

QJsonValue Redactor::redact(const QJsonValue &value) const
{
    switch (value.type()) {
    case QJsonValue::String:
        return redactString(value.toString());
    case QJsonValue::Object:
        return redactObject(value.toObject());
    case QJsonValue::Array: {
        QJsonArray out;
        for (const auto &v : value.toArray()) {
            out.append(redact(v));
        }
        return out;
    }
    default:
        return value;
    }
}

QJsonObject Redactor::redactObject(const QJsonObject &object) const
{
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QJsonValue v = it.value();
        if (isSensitiveKey(it.key()) && !v.isBool() && !v.isNull() && !v.isUndefined()) {
            out.insert(it.key(), kRedacted);
        } else {
            out.insert(it.key(), redact(v));
        }
    }
    return out;
}

void Redactor::redactRecord(AuditRecord &record) const
{
    if (!record.args.isEmpty()) {
        record.args = redactObject(record.args);
    }
    if (!record.details.isEmpty()) {
        record.details = redactObject(record.details);
    }
    record.target = redactString(record.target);
    record.error = redactString(record.error);
}

} // namespace Tailops::Audit
