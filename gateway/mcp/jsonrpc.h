#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace Tailops::Mcp {

namespace ErrorCode {
constexpr int ParseError = -32700;
constexpr int InvalidRequest = -32600;
constexpr int MethodNotFound = -32601;
constexpr int InvalidParams = -32602;
constexpr int InternalError = -32603;
constexpr int ServerError = -32000;     // transport-level refusals (SDK convention)
constexpr int SessionNotFound = -32001; // SDK convention
constexpr int ResourceNotFound = -32002;
constexpr int RateLimited = -32029;     // rate limit, quota or concurrency cap (data.retryAfter seconds)
constexpr int RequestCancelled = -32800;
} // namespace ErrorCode

// Protocol revisions this server speaks, newest first.
const QStringList &supportedProtocolVersions();
QString latestProtocolVersion();

struct RpcError
{
    RpcError() = default;
    RpcError(int c, QString m, QJsonValue d = {})
        : code(c)
        , message(std::move(m))
        , data(std::move(d))
    {
    }

    int code = ErrorCode::InternalError;
    QString message;
    QJsonValue data;
};

struct Message
{
    enum class Kind { Request, Notification, Response, Invalid };

    Kind kind = Kind::Invalid;
    QJsonValue id; // string or integer for requests and responses
    QString method;
    QJsonObject params;
    RpcError error; // for Kind::Invalid: why

    bool isRequest() const { return kind == Kind::Request; }
};

// Classifies a decoded JSON value; shape errors become Kind::Invalid with code -32600 (or -32602 for params).
Message classify(const QJsonValue &value);

// Decodes one message from bytes: a parse error or a non-object (batches are not supported since
// 2025-06-18) yields Kind::Invalid with the exact error to send back.
Message decode(const QByteArray &bytes);

QJsonObject makeResult(const QJsonValue &id, const QJsonObject &result);
QJsonObject makeError(const QJsonValue &id, const RpcError &error);
QJsonObject makeNotification(const QString &method, const QJsonObject &params);

// A stable key for an id (1 and "1" are different ids).
QString idKey(const QJsonValue &id);

} // namespace Tailops::Mcp
