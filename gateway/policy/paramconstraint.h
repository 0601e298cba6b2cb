#pragma once

#include <QJsonValue>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tailops::Policy {

// The constraints one rule puts on one tool argument (policy.yaml: rules[].params.<name>).
// An absent argument passes unless `required` is set (the tool's own default then applies).
// Scalars are checked directly; for an array argument, enum/pattern/path_prefixes apply to every item and
// max_length to the number of items.
struct ParamConstraint
{
    static constexpr qsizetype kMaxPatternLength = 500;  // longer patterns are refused at load time
    static constexpr qsizetype kMaxMatchedLength = 4096; // longer values never match a pattern

    QString name;
    bool required = false;
    std::optional<QStringList> enumValues; // compared with the value's text ("3", "true", "nginx")
    QString patternText;                   // as written
    std::optional<QRegularExpression> pattern; // anchored, compiled and optimised once
    std::optional<double> min;
    std::optional<double> max;
    std::optional<qint64> maxLength;
    QStringList pathPrefixes; // normalised absolute paths

    // nullopt when `value` (undefined when the argument is absent) satisfies every constraint; else a
    // message naming the argument and the constraint it breaks.
    std::optional<QString> violation(const QJsonValue &value) const;

private:
    std::optional<QString> checkItem(const QJsonValue &item) const;
};

} // namespace Tailops::Policy
