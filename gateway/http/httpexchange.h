#pragma once

#include "mcp/session.h"
#include "responses.h"

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace Tailops::Http {

// One HTTP response carrying MCP messages: a single JSON body when the answer comes quickly, or an SSE
// stream (chunked, with keep-alive comments) when the call streams progress or runs long.
class HttpExchange final : public Mcp::Outbox, public std::enable_shared_from_this<HttpExchange>
{
public:
    HttpExchange(QHttpServerResponder &&responder, QByteArray sessionId);
    ~HttpExchange() override;

    // Streams at once (progress requested) or after DELAYMS without an answer.
    void streamNowOrAfter(bool now, qint64 delayMs);
    // A standalone GET stream: headers now, messages as they come, never a response.
    void openStandalone();

    void notify(const QJsonObject &notification) override;
    void respond(const QJsonObject &response) override;
    void abandon() override;
    void limited(qint64 retryAfterSeconds, const QJsonObject &errorResponse) override;
    void insufficientScope(const QString &scope, const QJsonObject &toolErrorResponse) override;
    // OAuth callers: a missing scope is answered 403 with this resource-metadata URL in the challenge.
    void setScopeChallenge(const QString &metadataUrl) { m_scopeChallenge = metadataUrl; }

    bool isAlive() const;
    bool isFinished() const { return m_finished; }

private:
    void sendIfAlive(QHttpServerResponder::StatusCode status, const Headers &headers, const QByteArray &body);
    void startStream();
    void writeEvent(const QJsonObject &message);
    void writeChunk(const QByteArray &data);
    void finishStream();

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_sessionId;
    QList<QJsonObject> m_queued; // notifications before the stream opened
    std::unique_ptr<QTimer> m_streamTimer;
    std::unique_ptr<QTimer> m_keepAlive;
    QString m_scopeChallenge;
    bool m_streaming = false;
    bool m_finished = false;
};

} // namespace Tailops::Http
