#include "schema.h"

#include <QHash>
#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>

#include <cmath>

namespace Tailops::Mcp {

namespace {

bool matchesType(const QJsonValue &v, const QString &type)
{
    if (type == u"string") {
        return v.isString();
    }
    if (type == u"integer") {
        return v.isDouble() && std::isfinite(v.toDouble()) && v.toDouble() == std::floor(v.toDouble());
    }
    if (type == u"number") {
        return v.isDouble();
    }
    if (type == u"boolean") {
        return v.isBool();
    }
    if (type == u"object") {
        return v.isObject();
    }
    if (type == u"array") {
        return v.isArray();
    }
    if (type == u"null") {
        return v.isNull();
    }
    return true;
}

QString name(const QString &path)
{
    return path.isEmpty() ? QStringLiteral("arguments") : QStringLiteral("'%1'").arg(path);
}

const QRegularExpression &cachedPattern(const QString &pattern)
{
    static QMutex mutex;
    static QHash<QString, QRegularExpression> cache;
    QMutexLocker lock(&mutex);
    auto it = cache.find(pattern);
    if (it == cache.end()) {
        it = cache.insert(pattern, QRegularExpression(pattern));
    }
    return *it;
}

} // namespace

std::optional<QString> validateJson(const QJsonValue &value, const QJsonObject &schema, const QString &path)
{
    const QJsonValue type = schema.value(QStringLiteral("type"));
    if (type.isString() && !matchesType(value, type.toString())) {
        return QStringLiteral("%1 must be of type %2").arg(name(path), type.toString());
    }
    if (type.isArray()) {
        bool any = false;
        QStringList names;
        for (const auto &t : type.toArray()) {
            any = any || matchesType(value, t.toString());
            names.append(t.toString());
        }
        if (!any) {
            return QStringLiteral("%1 must be of type %2").arg(name(path), names.join(QStringLiteral(" or ")));
        }
    }
    if (const QJsonValue e = schema.value(QStringLiteral("enum")); e.isArray() && !e.toArray().contains(value)) {
        QStringList options;
        for (const auto &o : e.toArray()) {
            options.append(o.isString() ? o.toString() : QString::number(o.toDouble()));
        }
        return QStringLiteral("%1 must be one of: %2").arg(name(path), options.join(QStringLiteral(", ")));
    }
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (const QJsonValue min = schema.value(QStringLiteral("minimum")); min.isDouble() && d < min.toDouble()) {
            return QStringLiteral("%1 must be at least %2").arg(name(path)).arg(min.toDouble());
        }
        if (const QJsonValue max = schema.value(QStringLiteral("maximum")); max.isDouble() && d > max.toDouble()) {
            return QStringLiteral("%1 must be at most %2").arg(name(path)).arg(max.toDouble());
        }
    }
    if (value.isString()) {
        const QString s = value.toString();
        const qsizetype length = QStringView(s).toUcs4().size(); // JSON Schema counts characters
        if (const QJsonValue min = schema.value(QStringLiteral("minLength")); min.isDouble() && length < min.toInt()) {
            return QStringLiteral("%1 must be at least %2 characters").arg(name(path)).arg(min.toInt());
        }
        if (const QJsonValue max = schema.value(QStringLiteral("maxLength")); max.isDouble() && length > max.toInt()) {
            return QStringLiteral("%1 must be at most %2 characters").arg(name(path)).arg(max.toInt());
        }
        if (const QJsonValue p = schema.value(QStringLiteral("pattern")); p.isString()) {
            if (!cachedPattern(p.toString()).match(s).hasMatch()) {
                return QStringLiteral("%1 has an invalid format (must match %2)").arg(name(path), p.toString());
            }
        }
    }
    if (value.isArray()) {
        const QJsonArray a = value.toArray();
        if (const QJsonValue min = schema.value(QStringLiteral("minItems")); min.isDouble() && a.size() < min.toInt()) {
            return QStringLiteral("%1 must have at least %2 items").arg(name(path)).arg(min.toInt());
        }
        if (const QJsonValue max = schema.value(QStringLiteral("maxItems")); max.isDouble() && a.size() > max.toInt()) {
            return QStringLiteral("%1 must have at most %2 items").arg(name(path)).arg(max.toInt());
        }
        if (const QJsonValue items = schema.value(QStringLiteral("items")); items.isObject()) {
            for (qsizetype i = 0; i < a.size(); ++i) {
                if (auto e = validateJson(a.at(i), items.toObject(), path + u'[' + QString::number(i) + u']')) {
                    return e;
                }
            }
        }
    }
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        for (const auto &required : schema.value(QStringLiteral("required")).toArray()) {
            if (!o.contains(required.toString())) {
                const QString child = path.isEmpty() ? required.toString() : path + u'.' + required.toString();
                return QStringLiteral("'%1' is required").arg(child);
            }
        }
        const bool closed = schema.value(QStringLiteral("additionalProperties")) == QJsonValue(false);
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString child = path.isEmpty() ? it.key() : path + u'.' + it.key();
            const auto p = properties.constFind(it.key());
            if (p == properties.constEnd()) {
                if (closed) {
                    return QStringLiteral("unknown argument '%1'").arg(child);
                }
                continue;
            }
            if (auto e = validateJson(it.value(), p->toObject(), child)) {
                return e;
            }
        }
    }
    return std::nullopt;
}

} // namespace Tailops::Mcp
