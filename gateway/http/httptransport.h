#pragma once

#include "auth/authenticator.h"
#include "config/gatewayconfig.h"
#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <memory>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;

namespace Tailops::Mcp {
class Server;
class Session;
} // namespace Tailops::Mcp

namespace Tailops::Http {

class GuardedServer;
class HttpExchange;

// MCP Streamable HTTP on QtHttpServer: POST/GET/DELETE /mcp, sessions, SSE, Host/Origin checks,
// bearer authentication, and GET /health.
class HttpTransport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpTransport)

public:
    // AUTHENTICATOR null means no authentication, which listen() allows on loopback addresses only.
    HttpTransport(Mcp::Server &server, const Config::GatewayConfig &config, Auth::Authenticator *authenticator,
                  QObject *parent = nullptr);
    ~HttpTransport() override;

    // Listens on every configured address; returns the MCP URLs (ports resolved).
    Core::Result<QList<QUrl>> listen();

    qsizetype sessionCount() const { return m_sessions.size(); }

Q_SIGNALS:
    void sessionOpened(const QString &id, const QString &agent, const QString &client);
    void sessionClosed(const QString &id);

private:
    struct SessionEntry;

    void handlePost(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void handleGet(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void handleDelete(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void handleHealth(QHttpServerResponder &&responder);

    // Host/Origin, then the bearer token; on failure the response is written and nullopt returned.
    std::optional<Auth::Caller> admit(const QHttpServerRequest &request, QHttpServerResponder &responder);
    bool hostAllowed(const QByteArray &host) const;
    bool originAllowed(const QByteArray &origin) const;
    SessionEntry *findSession(const QHttpServerRequest &request, QHttpServerResponder &responder,
                              const Auth::Caller &caller);
    void closeSession(const QByteArray &id);
    void expireSessions();
    QByteArray newSessionId() const;

    Mcp::Server &m_server;
    Config::GatewayConfig m_config;
    Auth::Authenticator *m_authenticator;
    std::unique_ptr<QHttpServer> m_http;
    QSet<QString> m_allowedHosts;
    QHash<QByteArray, std::shared_ptr<SessionEntry>> m_sessions;
    QTimer m_expiry;
    QDateTime m_started;
};

} // namespace Tailops::Http
