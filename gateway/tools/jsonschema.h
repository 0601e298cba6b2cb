#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <initializer_list>
#include <utility>

// Small builders that keep tool schemas readable.
namespace Tailops::Tools::Schema {

inline QJsonObject string(const QString &description)
{
    return { { QStringLiteral("type"), QStringLiteral("string") }, { QStringLiteral("description"), description } };
}

inline QJsonObject integer(const QString &description)
{
    return { { QStringLiteral("type"), QStringLiteral("integer") }, { QStringLiteral("description"), description } };
}

inline QJsonObject number(const QString &description)
{
    return { { QStringLiteral("type"), QStringLiteral("number") }, { QStringLiteral("description"), description } };
}

inline QJsonObject boolean(const QString &description)
{
    return { { QStringLiteral("type"), QStringLiteral("boolean") }, { QStringLiteral("description"), description } };
}

// A string limited to VALUES.
inline QJsonObject oneOf(const QStringList &values, const QString &description)
{
    QJsonObject o = string(description);
    o.insert(QStringLiteral("enum"), QJsonArray::fromStringList(values));
    return o;
}

// An integer in [MIN, MAX].
inline QJsonObject integer(const QString &description, qint64 min, qint64 max)
{
    QJsonObject o = integer(description);
    o.insert(QStringLiteral("minimum"), min);
    o.insert(QStringLiteral("maximum"), max);
    return o;
}

inline QJsonObject array(const QJsonObject &items, const QString &description = {})
{
    QJsonObject o { { QStringLiteral("type"), QStringLiteral("array") }, { QStringLiteral("items"), items } };
    if (!description.isEmpty()) {
        o.insert(QStringLiteral("description"), description);
    }
    return o;
}

inline QJsonObject object(std::initializer_list<std::pair<QString, QJsonObject>> properties,
                          std::initializer_list<QString> required = {}, bool closed = true)
{
    QJsonObject props;
    for (const auto &[name, schema] : properties) {
        props.insert(name, schema);
    }
    QJsonArray req;
    for (const auto &r : required) {
        req.append(r);
    }
    QJsonObject o { { QStringLiteral("type"), QStringLiteral("object") }, { QStringLiteral("properties"), props } };
    if (!req.isEmpty()) {
        o.insert(QStringLiteral("required"), req);
    }
    if (closed) {
        o.insert(QStringLiteral("additionalProperties"), false);
    }
    return o;
}

inline QJsonObject targetArgument()
{
    QJsonObject s = string(QStringLiteral("Target id from list_targets (default: local)"));
    s.insert(QStringLiteral("pattern"), QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    return s;
}

} // namespace Tailops::Tools::Schema
