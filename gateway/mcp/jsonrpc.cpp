#include "jsonrpc.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace Tailops::Mcp {

const QStringList &supportedProtocolVersions()
{
    static const QStringList versions { QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                        QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05") };
    return versions;
}

QString latestProtocolVersion()
{
    return supportedProtocolVersions().constFirst();
}

namespace {

bool isValidId(const QJsonValue &id)
{
    if (id.isString()) {
        return true;
    }
    if (id.isDouble()) {
        const double d = id.toDouble();
        return std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740991.0;
    }
    return false;
}

Message invalid(int code, QString message, QJsonValue id = QJsonValue::Null)
{
    Message m;
    m.kind = Message::Kind::Invalid;
    m.id = id;
    m.error = RpcError { code, std::move(message), {} };
    return m;
}

} // namespace

Message classify(const QJsonValue &value)
{
    if (!value.isObject()) {
        return invalid(ErrorCode::InvalidRequest,
                       value.isArray() ? QStringLiteral("Invalid Request: batches are not supported; send one message")
                                       : QStringLiteral("Invalid Request: a message must be a JSON object"));
    }
    const QJsonObject o = value.toObject();
    const QJsonValue version = o.value(QStringLiteral("jsonrpc"));
    const QJsonValue id = o.value(QStringLiteral("id"));
    const QJsonValue validId = isValidId(id) ? id : QJsonValue(QJsonValue::Null);
    if (version != QJsonValue(QStringLiteral("2.0"))) {
        return invalid(ErrorCode::InvalidRequest, QStringLiteral("Invalid Request: \"jsonrpc\" must be \"2.0\""), validId);
    }
    const bool hasId = o.contains(QStringLiteral("id"));
    if (hasId && !isValidId(id)) {
        return invalid(ErrorCode::InvalidRequest,
                       QStringLiteral("Invalid Request: \"id\" must be a string or an integer (not null)"));
    }
    const QJsonValue method = o.value(QStringLiteral("method"));
    if (method.isUndefined()) {
        const bool hasResult = o.contains(QStringLiteral("result"));
        const bool hasError = o.contains(QStringLiteral("error"));
        if (hasId && hasResult != hasError) {
            Message m;
            m.kind = Message::Kind::Response;
            m.id = id;
            return m;
        }
        return invalid(ErrorCode::InvalidRequest, QStringLiteral("Invalid Request: missing \"method\""), validId);
    }
    if (!method.isString() || method.toString().isEmpty()) {
        return invalid(ErrorCode::InvalidRequest, QStringLiteral("Invalid Request: \"method\" must be a non-empty string"),
                       validId);
    }
    const QJsonValue params = o.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isObject()) {
        Message m = invalid(ErrorCode::InvalidParams, QStringLiteral("Invalid params: \"params\" must be an object"),
                            validId);
        m.method = method.toString();
        if (!hasId) {
            m.kind = Message::Kind::Invalid; // a bad notification is dropped by the caller
        }
        return m;
    }
    Message m;
    m.kind = hasId ? Message::Kind::Request : Message::Kind::Notification;
    m.id = hasId ? id : QJsonValue();
    m.method = method.toString();
    m.params = params.toObject();
    return m;
}

Message decode(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        // Qt parses only arrays and objects at the top level; a bare scalar is valid JSON but no message.
        QJsonParseError wrapped;
        const QJsonDocument scalar = QJsonDocument::fromJson('[' + bytes + ']', &wrapped);
        if (wrapped.error == QJsonParseError::NoError && scalar.array().size() == 1) {
            return invalid(ErrorCode::InvalidRequest, QStringLiteral("Invalid Request: a message must be a JSON object"));
        }
        return invalid(ErrorCode::ParseError,
                       QStringLiteral("Parse error: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    }
    if (doc.isArray()) {
        return classify(QJsonValue(doc.array()));
    }
    return classify(QJsonValue(doc.object()));
}

QJsonObject makeResult(const QJsonValue &id, const QJsonObject &result)
{
    return QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                         { QStringLiteral("id"), id },
                         { QStringLiteral("result"), result } };
}

QJsonObject makeError(const QJsonValue &id, const RpcError &error)
{
    QJsonObject e { { QStringLiteral("code"), error.code }, { QStringLiteral("message"), error.message } };
    if (!error.data.isUndefined() && !error.data.isNull()) {
        e.insert(QStringLiteral("data"), error.data);
    }
    return QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                         { QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id },
                         { QStringLiteral("error"), e } };
}

QJsonObject makeNotification(const QString &method, const QJsonObject &params)
{
    return QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                         { QStringLiteral("method"), method },
                         { QStringLiteral("params"), params } };
}

QString idKey(const QJsonValue &id)
{
    return id.isString() ? u's' + id.toString() : u'n' + QString::number(qint64(id.toDouble()));
}

} // namespace Tailops::Mcp
