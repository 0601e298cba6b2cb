#pragma once

#include "auth/authenticator.h"
#include "config/gatewayconfig.h"
#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <functional>
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

    // Callers without a bearer token: RESOLVER is asked first. It returns false when it does not handle
    // the peer address (then the request gets 401); otherwise it calls done, possibly later, with the
    // caller (e.g. a tailnet identity from tailscaled's whois) or why there is none.
    using CallerResolver = std::function<bool(const QHostAddress &address, quint16 port, const QObject *context,
                                              std::function<void(Core::Result<Auth::Caller>)> done)>;
    void setCallerResolver(CallerResolver resolver) { m_resolver = std::move(resolver); }

    // OAuth (RFC 9728): serves METADATA at /.well-known/oauth-protected-resource (and its /mcp form),
    // points 401 challenges at METADATAURL, and answers a missing scope with 403 insufficient_scope.
    void setProtectedResource(const QJsonObject &metadata, const QString &metadataUrl);

Q_SIGNALS:
    void sessionOpened(const QString &id, const QString &agent, const QString &client);
    void sessionClosed(const QString &id);

private:
    struct SessionEntry;
    // What a handler needs from a request; copied so authentication can finish asynchronously.
    struct Incoming
    {
        QHostAddress remote;
        quint16 port = 0;
        QByteArray body;
        QHash<QByteArray, QByteArray> headers; // lower-case names

        QByteArray value(const QByteArray &name) const { return headers.value(name); }
    };
    using Handler = void (HttpTransport::*)(const Incoming &, QHttpServerResponder &&, const Auth::Caller &);

    static Incoming capture(const QHttpServerRequest &request, QHttpServerResponder &responder);
    // Host/Origin, then the bearer token or the resolver; runs HANDLER with the caller, or answers.
    void admitThen(const QHttpServerRequest &request, QHttpServerResponder &&responder, Handler handler);
    void unauthorized(QHttpServerResponder &responder, const QString &error, const QString &description) const;

    void handlePost(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &caller);
    void handleGet(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &caller);
    void handleDelete(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &caller);
    void handleHealth(QHttpServerResponder &&responder);

    bool hostAllowed(const QByteArray &host) const;
    bool originAllowed(const QByteArray &origin) const;
    SessionEntry *findSession(const Incoming &request, QHttpServerResponder &responder, const Auth::Caller &caller);
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
    CallerResolver m_resolver;
    QByteArray m_prmDocument; // empty: no OAuth
    QString m_prmUrl;
};

} // namespace Tailops::Http
