#include "hygiene.h"

#include "core/paths.h"

#include <QJsonArray>

namespace Tailops::Mcp {

namespace {

struct Rules
{
    bool multiline = false;
    bool dashAllowed = false;
    bool path = false;
};

std::optional<QString> checkString(const QString &where, QString &value, const Rules &rules)
{
    if (value.contains(QChar(0))) {
        return QStringLiteral("argument '%1': NUL characters are not allowed").arg(where);
    }
    if (!rules.multiline) {
        if (value.contains(u'\r') || value.contains(u'\n')) {
            return QStringLiteral("argument '%1': line breaks (CR/LF) are not allowed").arg(where);
        }
        // Characters that hide or reorder what a human reviews: C0 (but TAB), DEL, C1, line/paragraph
        // separators and bidirectional controls.
        for (const QChar c : std::as_const(value)) {
            const char16_t u = c.unicode();
            if ((u < 0x20 && u != u'\t') || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029
                || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f
                || u == 0x061c) {
                return QStringLiteral("argument '%1': control character U+%2 is not allowed")
                    .arg(where)
                    .arg(int(u), 4, 16, QLatin1Char('0'));
            }
        }
        if (value.size() > kMaxArgumentChars) {
            return QStringLiteral("argument '%1': %2 characters, more than the limit of %3")
                .arg(where)
                .arg(value.size())
                .arg(kMaxArgumentChars);
        }
    }
    if (!rules.dashAllowed && value.startsWith(u'-')) {
        return QStringLiteral("argument '%1': a value may not start with '-' (it could be read as an option)").arg(where);
    }
    if (rules.path) {
        if (!value.startsWith(u'/')) {
            return QStringLiteral("argument '%1': must be an absolute path (starting with '/')").arg(where);
        }
        const auto normalised = Core::normalizePath(value);
        if (!normalised) {
            return QStringLiteral("argument '%1': %2").arg(where, normalised.error().message);
        }
        value = *normalised;
    }
    return std::nullopt;
}

std::optional<QString> checkValue(const QString &where, QJsonValue &value, const Rules &rules, int depth);

std::optional<QString> checkObject(const QString &where, QJsonObject &object, const Rules &rules, int depth)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key().contains(QChar(0)) || it.key().contains(u'\n') || it.key().contains(u'\r')) {
            return QStringLiteral("argument '%1': a key holds control characters").arg(where);
        }
        QJsonValue v = it.value();
        if (auto problem = checkValue(QString(where + u'.' + it.key()), v, rules, depth + 1)) {
            return problem;
        }
        it.value() = v;
    }
    return std::nullopt;
}

std::optional<QString> checkValue(const QString &where, QJsonValue &value, const Rules &rules, int depth)
{
    if (depth > 16) {
        return QStringLiteral("argument '%1': nested too deeply").arg(where);
    }
    if (value.isString()) {
        QString s = value.toString();
        if (auto problem = checkString(where, s, rules)) {
            return problem;
        }
        value = s;
    } else if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue item = array.at(i);
            if (auto problem = checkValue(QStringLiteral("%1[%2]").arg(where).arg(i), item, rules, depth + 1)) {
                return problem;
            }
            array.replace(i, item);
        }
        value = array;
    } else if (value.isObject()) {
        QJsonObject object = value.toObject();
        if (auto problem = checkObject(where, object, rules, depth)) {
            return problem;
        }
        value = object;
    }
    return std::nullopt;
}

} // namespace

std::optional<QString> checkArguments(const Tool &tool, QJsonObject &arguments)
{
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const QString &name = it.key();
        const Rules rules { tool.multilineArguments.contains(name), tool.dashAllowed.contains(name),
                            tool.pathArguments.contains(name) };
        QJsonValue v = it.value();
        if (auto problem = checkValue(name, v, rules, 0)) {
            return problem;
        }
        it.value() = v;
    }
    return std::nullopt;
}

} // namespace Tailops::Mcp
