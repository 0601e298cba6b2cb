#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QStringMatcher>

namespace Tailops::Audit {

struct AuditRecord;

// What the redactor hides; the configuration can fill it (audit.redact.* in gateway.yaml).
struct RedactionRules
{
    // Object keys whose values are replaced by "[REDACTED]": case-insensitive "contains".
    QStringList sensitiveKeys = defaultSensitiveKeys();
    QStringList extraKeys; // added to sensitiveKeys
    QStringList extraPatterns; // regular expressions (PCRE); each match becomes "[REDACTED]"
    bool builtinPatterns = true; // bearer, PEM private keys, AWS, GitHub, Slack, JWT, URL passwords, HMAC tokens
    bool highEntropy = true;
    int highEntropyMinLength = 24; // characters of [A-Za-z0-9+/=_-]
    double highEntropyMinBits = 4.0; // Shannon entropy, bits per character
    // Identifiers made of words ("ProductionDatabaseServer01", "systemd-journald-audit-2024") are kept:
    // a run is redacted only when less than this fraction of it is word-like ([A-Z]?[a-z]{3,}).
    double highEntropyMaxWordFraction = 0.5;

    static QStringList defaultSensitiveKeys();
};

// Hides secrets in what the audit log writes. Immutable after construction, so one instance may be
// used from several threads.
//
// Strings: every built-in and extra pattern is replaced anywhere in the text (a PEM private-key block
// becomes "[REDACTED:private-key]", "Bearer abc..." becomes "Bearer [REDACTED]", "https://u:p@h" becomes
// "https://u:[REDACTED]@h", "password=x" becomes "password=[REDACTED]", ...), then each run of at least
// highEntropyMinLength characters of [A-Za-z0-9+/=_-] that has a digit or mixed case, at least
// highEntropyMinBits of Shannon entropy per character and is mostly not made of words (see
// highEntropyMaxWordFraction) becomes "[REDACTED:high-entropy]". A run that starts with '/' is a path:
// its '/'-separated segments are judged one by one.
// JSON: values under sensitive keys become "[REDACTED]" (booleans and null are kept), every other
// string goes through the string redactor, recursively through objects and arrays.
class Redactor
{
public:
    static inline const QString kRedacted = QStringLiteral("[REDACTED]");
    static inline const QString kHighEntropy = QStringLiteral("[REDACTED:high-entropy]");

    Redactor(); // the default rules
    // Fails when an extra pattern is not a valid regular expression.
    static Core::Result<Redactor> create(const RedactionRules &rules);

    QString redactString(const QString &text) const;
    QJsonValue redact(const QJsonValue &value) const;
    QJsonObject redactObject(const QJsonObject &object) const;
    bool isSensitiveKey(const QString &key) const;

    // args, details, target and error of RECORD, in place.
    void redactRecord(AuditRecord &record) const;

    // Shannon entropy of TEXT in bits per character.
    static double shannonEntropy(QStringView text);
    // The fraction of TEXT covered by word-like runs ([A-Z]?[a-z]{3,}).
    static double wordFraction(QStringView text);

private:
    Redactor(const RedactionRules &rules, QStringList *errors);

    struct Pattern
    {
        QRegularExpression re;
        QString replacement; // may use \1...
        QList<QStringMatcher> hints; // one of these must occur (case-insensitively) for the pattern to matter
        int minLength = 0;
    };

    bool redactValue(const QJsonValue &value, QJsonValue &out) const;
    bool redactInPlace(QJsonObject &object) const;
    bool isHighEntropy(QStringView run) const;
    QString redactHighEntropy(const QString &text) const;

    RedactionRules m_rules;
    QList<QStringMatcher> m_keys; // case-insensitive
    QList<Pattern> m_patterns;
};

} // namespace Tailops::Audit
