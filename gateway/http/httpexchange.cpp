#include "httpexchange.h"

#include "auth/oauth/protectedresource.h"
#include "mcp/jsonrpc.h"
#include "responses.h"

#include <QJsonDocument>

namespace Tailops::Http {

namespace {
constexpr int kKeepAliveMs = 15000;
}

HttpExchange::HttpExchange(QHttpServerResponder &&responder, QByteArray sessionId)
    : m_responder(std::move(responder))
    , m_socket(m_responder.socket())
    , m_sessionId(std::move(sessionId))
{
}

HttpExchange::~HttpExchange()
{
    if (!m_finished && m_streaming) {
        finishStream();
    }
}

bool HttpExchange::isAlive() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void HttpExchange::streamNowOrAfter(bool now, qint64 delayMs)
{
    if (now) {
        startStream();
        return;
    }
    m_streamTimer = std::make_unique<QTimer>();
    m_streamTimer->setSingleShot(true);
    const std::weak_ptr<HttpExchange> weak = weak_from_this();
    m_streamTimer->callOnTimeout(m_streamTimer.get(), [weak] {
        if (auto self = weak.lock(); self && !self->m_finished && !self->m_streaming) {
            self->startStream();
        }
    });
    m_streamTimer->start(int(delayMs));
}

void HttpExchange::openStandalone()
{
    startStream();
}

void HttpExchange::startStream()
{
    if (m_streaming || m_finished || !isAlive()) {
        return;
    }
    m_streaming = true;
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    m_responder.writeHeader("Content-Type", "text/event-stream");
    m_responder.writeHeader("Cache-Control", "no-cache, no-transform");
    m_responder.writeHeader("X-Accel-Buffering", "no");
    m_responder.writeHeader("Transfer-Encoding", "chunked");
    if (!m_sessionId.isEmpty()) {
        m_responder.writeHeader("Mcp-Session-Id", m_sessionId);
    }
    writeChunk(": stream open\n\n");
    const auto queued = std::exchange(m_queued, {});
    for (const QJsonObject &n : queued) {
        writeEvent(n);
    }
    m_keepAlive = std::make_unique<QTimer>();
    const std::weak_ptr<HttpExchange> weak = weak_from_this();
    m_keepAlive->callOnTimeout(m_keepAlive.get(), [weak] {
        if (auto self = weak.lock()) {
            self->writeChunk(": keepalive\n\n");
        }
    });
    m_keepAlive->start(kKeepAliveMs);
}

void HttpExchange::writeChunk(const QByteArray &data)
{
    if (!isAlive()) {
        return;
    }
    m_responder.writeBody(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void HttpExchange::writeEvent(const QJsonObject &message)
{
    writeChunk("event: message\ndata: " + QJsonDocument(message).toJson(QJsonDocument::Compact) + "\n\n");
}

void HttpExchange::finishStream()
{
    m_keepAlive.reset();
    if (isAlive()) {
        m_responder.writeBody(QByteArrayLiteral("0\r\n\r\n"));
    }
}

void HttpExchange::notify(const QJsonObject &notification)
{
    if (m_finished) {
        return;
    }
    if (m_streaming) {
        writeEvent(notification);
    } else {
        m_queued.append(notification);
    }
}

// The call may have outlived its client: the responder's own socket pointer then dangles, only m_socket
// (a QPointer) knows. Nothing is sent to a closed connection.
void HttpExchange::sendIfAlive(QHttpServerResponder::StatusCode status, const Headers &headers, const QByteArray &body)
{
    if (isAlive()) {
        sendResponse(m_responder, status, headers, body);
    }
}

void HttpExchange::respond(const QJsonObject &response)
{
    if (m_finished) {
        return;
    }
    m_streamTimer.reset();
    if (!m_streaming && !m_queued.isEmpty()) {
        startStream(); // related notifications must precede the response on the same stream
    }
    m_finished = true;
    if (m_streaming) {
        writeEvent(response);
        finishStream();
        return;
    }
    Headers headers { { "Content-Type", "application/json" } };
    if (!m_sessionId.isEmpty()) {
        headers.append({ "Mcp-Session-Id", m_sessionId });
    }
    sendIfAlive(QHttpServerResponder::StatusCode::Ok, headers,
                 QJsonDocument(response).toJson(QJsonDocument::Compact));
}

void HttpExchange::limited(qint64 retryAfterSeconds, const QJsonObject &errorResponse)
{
    if (m_finished) {
        return;
    }
    if (m_streaming) {
        respond(errorResponse); // headers are gone: the JSON-RPC error carries data.retryAfter
        return;
    }
    m_streamTimer.reset();
    m_queued.clear();
    m_finished = true;
    Headers headers { { "Content-Type", "application/json" },
                      { "Retry-After", QByteArray::number(std::max<qint64>(1, retryAfterSeconds)) } };
    if (!m_sessionId.isEmpty()) {
        headers.append({ "Mcp-Session-Id", m_sessionId });
    }
    sendIfAlive(QHttpServerResponder::StatusCode::TooManyRequests, headers,
                 QJsonDocument(errorResponse).toJson(QJsonDocument::Compact));
}

void HttpExchange::insufficientScope(const QString &scope, const QJsonObject &toolErrorResponse)
{
    if (m_finished || m_streaming || m_scopeChallenge.isEmpty()) {
        respond(toolErrorResponse);
        return;
    }
    const auto challenge = Auth::wwwAuthenticate(QStringLiteral("insufficient_scope"),
                                                 QStringLiteral("this call needs the %1 scope").arg(scope), m_scopeChallenge, scope);
    if (!challenge) {
        respond(toolErrorResponse);
        return;
    }
    m_streamTimer.reset();
    m_queued.clear();
    m_finished = true;
    Headers headers { { "Content-Type", "application/json" }, { "WWW-Authenticate", *challenge } };
    if (!m_sessionId.isEmpty()) {
        headers.append({ "Mcp-Session-Id", m_sessionId });
    }
    sendIfAlive(QHttpServerResponder::StatusCode::Forbidden, headers,
                 QJsonDocument(toolErrorResponse).toJson(QJsonDocument::Compact));
}

void HttpExchange::abandon()
{
    if (m_finished) {
        return;
    }
    if (m_streaming) {
        m_finished = true;
        m_streamTimer.reset();
        finishStream();
        return;
    }
    // Nothing was sent yet: close the exchange with a cancellation error the client will ignore.
    respond(Mcp::makeError(QJsonValue::Null, Mcp::RpcError { Mcp::ErrorCode::RequestCancelled,
                                                            QStringLiteral("Request cancelled") }));
}

} // namespace Tailops::Http
