#include "paramconstraint.h"

#include "core/paths.h"

#include <QJsonArray>

#include <cmath>

namespace Tailops::Policy {

namespace {

std::optional<QString> valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) {
            return QString::number(static_cast<qint64>(d));
        }
        return QString::number(d, 'g', 17);
    }
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<QString> ParamConstraint::violation(const QJsonValue &value) const
{
    if (value.isUndefined() || value.isNull()) {
        if (required) {
            return QStringLiteral("argument '%1' is required").arg(name);
        }
        return std::nullopt;
    }
    if (value.isArray()) {
        const QJsonArray items = value.toArray();
        if (maxLength && items.size() > *maxLength) {
            return QStringLiteral("argument '%1' has %2 items; max_length is %3").arg(name).arg(items.size()).arg(*maxLength);
        }
        for (const QJsonValue &item : items) {
            if (auto bad = checkItem(item)) {
                return bad;
            }
        }
        return std::nullopt;
    }
    if (maxLength && value.isString() && value.toString().size() > *maxLength) {
        return QStringLiteral("argument '%1' is %2 characters; max_length is %3")
            .arg(name).arg(value.toString().size()).arg(*maxLength);
    }
    return checkItem(value);
}

std::optional<QString> ParamConstraint::checkItem(const QJsonValue &item) const
{
    if (item.isObject() || item.isArray()) {
        if (enumValues || pattern || min || max || !pathPrefixes.isEmpty()) {
            return QStringLiteral("argument '%1' must be a scalar value for its constraints").arg(name);
        }
        return std::nullopt;
    }
    if (min || max) {
        if (!item.isDouble()) {
            return QStringLiteral("argument '%1' must be a number (min/max)").arg(name);
        }
        const double d = item.toDouble();
        if (min && d < *min) {
            return QStringLiteral("argument '%1' is %2; min is %3").arg(name).arg(d).arg(*min);
        }
        if (max && d > *max) {
            return QStringLiteral("argument '%1' is %2; max is %3").arg(name).arg(d).arg(*max);
        }
    }
    if (enumValues) {
        const auto text = valueText(item);
        if (!text || !enumValues->contains(*text)) {
            return QStringLiteral("argument '%1' is not one of the allowed values (enum: %2)")
                .arg(name, enumValues->join(QStringLiteral(", ")));
        }
    }
    if (pattern) {
        const auto text = valueText(item);
        if (!text) {
            return QStringLiteral("argument '%1' must be a string (pattern)").arg(name);
        }
        if (text->size() > kMaxMatchedLength) {
            return QStringLiteral("argument '%1' is too long to match pattern (limit %2 characters)").arg(name).arg(kMaxMatchedLength);
        }
        if (!pattern->match(*text).hasMatch()) {
            return QStringLiteral("argument '%1' does not match pattern '%2'").arg(name, patternText);
        }
    }
    if (!pathPrefixes.isEmpty()) {
        if (!item.isString()) {
            return QStringLiteral("argument '%1' must be a path string (path_prefixes)").arg(name);
        }
        const auto normalised = Core::normalizePath(item.toString());
        if (!normalised) {
            return QStringLiteral("argument '%1': %2 (path_prefixes)").arg(name, normalised.error().message);
        }
        bool under = false;
        for (const QString &prefix : pathPrefixes) {
            if (Core::isUnderPrefix(*normalised, prefix)) {
                under = true;
                break;
            }
        }
        if (!under) {
            return QStringLiteral("argument '%1' (%2) is not under path_prefixes %3")
                .arg(name, *normalised, pathPrefixes.join(QStringLiteral(", ")));
        }
    }
    return std::nullopt;
}

} // namespace Tailops::Policy
