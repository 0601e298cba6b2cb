#include "httptransport.h"

#include "auth/oauth/protectedresource.h"
#include "auth/scopes.h"
#include "core/logging.h"
#include "guardedserver.h"
#include "httpexchange.h"
#include "mcp/jsonrpc.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "responses.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QNetworkInterface>
#include <QPointer>
#include <QSslKey>

#include "core/random.h"

namespace Tailops::Http {

using Status = QHttpServerResponder::StatusCode;
using Method = QHttpServerRequest::Method;

struct HttpTransport::SessionEntry
{
    std::unique_ptr<Mcp::Session> session;
    QString agent;
    QDateTime lastUsed;
    std::shared_ptr<HttpExchange> standalone; // the GET stream, if open
};

namespace {

const Headers kJson { { "Content-Type", "application/json" } };

// For notifications, which never get an answer.
class DiscardingOutbox final : public Mcp::Outbox
{
public:
    void notify(const QJsonObject &) override { }
    void respond(const QJsonObject &) override { }
    void abandon() override { }
};

void refuse(QHttpServerResponder &r, Status status, int code, const QString &message, Headers headers = kJson)
{
    sendResponse(r, status, headers, rpcErrorBody(code, message));
}

bool acceptsAll(const QByteArray &accept, std::initializer_list<const char *> types)
{
    const QByteArray a = accept.toLower();
    if (a.contains("*/*")) {
        return true;
    }
    for (const char *t : types) {
        if (!a.contains(t)) {
            return false;
        }
    }
    return true;
}

QByteArray hostOnly(QByteArray host)
{
    host = host.trimmed().toLower();
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        return close > 0 ? host.left(close + 1) : host;
    }
    const qsizetype colon = host.lastIndexOf(':');
    return colon >= 0 ? host.left(colon) : host;
}

Core::Result<QSslConfiguration> loadTls(const QString &certFile, const QString &keyFile)
{
    QFile cert(certFile);
    QFile key(keyFile);
    if (!cert.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read TLS certificate %1: %2").arg(certFile, cert.errorString()));
    }
    if (!key.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read TLS key %1: %2").arg(keyFile, key.errorString()));
    }
    const auto certs = QSslCertificate::fromData(cert.readAll(), QSsl::Pem);
    const QByteArray keyPem = key.readAll();
    QSslKey sslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (sslKey.isNull()) {
        sslKey = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    }
    if (certs.isEmpty() || sslKey.isNull()) {
        return Core::fail(QStringLiteral("TLS certificate %1 or key %2 is not valid PEM").arg(certFile, keyFile));
    }
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setLocalCertificateChain(certs);
    conf.setPrivateKey(sslKey);
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    return conf;
}

} // namespace

HttpTransport::HttpTransport(Mcp::Server &server, const Config::GatewayConfig &config,
                             Auth::Authenticator *authenticator, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_config(config)
    , m_authenticator(authenticator)
    , m_http(std::make_unique<QHttpServer>())
    , m_started(QDateTime::currentDateTimeUtc())
{
    m_allowedHosts = { QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("[::1]") };
    for (const QString &h : m_config.allowedHosts) {
        m_allowedHosts.insert(h.toLower());
    }
    m_http->route(QStringLiteral("/mcp"), Method::Post, [this](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
        admitThen(req, std::move(resp), &HttpTransport::handlePost);
    });
    m_http->route(QStringLiteral("/mcp"), Method::Get, [this](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
        admitThen(req, std::move(resp), &HttpTransport::handleGet);
    });
    m_http->route(QStringLiteral("/mcp"), Method::Delete, [this](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
        admitThen(req, std::move(resp), &HttpTransport::handleDelete);
    });
    const auto metadata = [this](QHttpServerResponder &&resp) {
        if (m_prmDocument.isEmpty()) {
            sendResponse(resp, Status::NotFound, kJson,
                         QByteArrayLiteral("{\"error\":\"not found: OAuth is not enabled (auth.mode)\"}"));
            return;
        }
        sendResponse(resp, Status::Ok, Headers { { "Content-Type", "application/json" }, { "Cache-Control", "max-age=3600" } },
                     m_prmDocument);
    };
    m_http->route(QStringLiteral("/.well-known/oauth-protected-resource"), Method::Get, metadata);
    m_http->route(QStringLiteral("/.well-known/oauth-protected-resource/mcp"), Method::Get, metadata);
    m_http->route(QStringLiteral("/mcp"), Method::AnyKnown, [](QHttpServerResponder &&resp) {
        refuse(resp, Status::MethodNotAllowed, Mcp::ErrorCode::ServerError, QStringLiteral("Method not allowed"),
               Headers { { "Content-Type", "application/json" }, { "Allow", "GET, POST, DELETE" } });
    });
    m_http->route(QStringLiteral("/health"), Method::Get,
                  [this](QHttpServerResponder &&resp) { handleHealth(std::move(resp)); });
    m_http->setMissingHandler([](const QHttpServerRequest &, QHttpServerResponder &&resp) {
        sendResponse(resp, Status::NotFound, kJson, QByteArrayLiteral("{\"error\":\"not found: the MCP endpoint is /mcp\"}"));
    });
    m_expiry.callOnTimeout(this, &HttpTransport::expireSessions);
    m_expiry.start(std::chrono::seconds(std::min<qint64>(60, m_config.sessionTimeoutSeconds)));
}

HttpTransport::~HttpTransport()
{
    for (const auto &entry : std::as_const(m_sessions)) {
        entry->session->cancelAll();
    }
}

Core::Result<QList<QUrl>> HttpTransport::listen()
{
    std::optional<QSslConfiguration> tls;
    if (!m_config.tlsCertificate.isEmpty()) {
        auto conf = loadTls(m_config.tlsCertificate, m_config.tlsKey);
        if (!conf) {
            return std::unexpected(conf.error());
        }
        tls = *conf;
    }
    QList<Config::ListenAddress> addresses = m_config.listen;
    if (addresses.isEmpty()) {
        QString error;
        addresses.append(*Config::parseListenAddress(QStringLiteral("127.0.0.1:8080"), &error));
    }
    ConnectionLimits limits;
    limits.maxRequestBytes = m_config.maxRequestBytes;
    limits.maxHeaderBytes = m_config.maxHeaderBytes;
    limits.idleTimeoutMs = int(m_config.idleTimeoutSeconds * 1000);
    limits.headerTimeoutMs = int(m_config.headerTimeoutSeconds * 1000);
    QList<QUrl> urls;
    for (Config::ListenAddress &la : addresses) {
        if (!m_authenticator && !la.isLoopback()) {
            return Core::fail(QStringLiteral("refusing to listen on %1 without authentication: no-auth mode is for "
                                             "loopback addresses only")
                                  .arg(la.address.toString()));
        }
        auto *listener = new GuardedServer(limits, tls, this);
        if (!listener->listen(la.address, la.port)) {
            const QString error = listener->errorString();
            delete listener;
            return Core::fail(QStringLiteral("cannot listen on %1:%2: %3").arg(la.address.toString()).arg(la.port).arg(error));
        }
        m_http->bind(listener);
        la.port = listener->serverPort();
        if (la.address == QHostAddress::Any || la.address == QHostAddress::AnyIPv6 || la.address == QHostAddress::AnyIPv4) {
            for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
                m_allowedHosts.insert(a.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + a.toString() + u']'
                                                                                    : a.toString());
            }
        } else {
            m_allowedHosts.insert(la.address.protocol() == QAbstractSocket::IPv6Protocol
                                      ? u'[' + la.address.toString() + u']'
                                      : la.address.toString());
            m_allowedHosts.insert(la.host.toLower());
        }
        urls.append(QUrl(la.url(tls.has_value())));
    }
    return urls;
}

bool HttpTransport::hostAllowed(const QByteArray &host) const
{
    return m_allowedHosts.contains(QString::fromLatin1(hostOnly(host)));
}

bool HttpTransport::originAllowed(const QByteArray &origin) const
{
    const QString o = QString::fromLatin1(origin).trimmed();
    if (m_config.allowedOrigins.contains(o)) {
        return true;
    }
    const QUrl url(o);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
        return false;
    }
    QString host = url.host().toLower();
    if (host.contains(u':')) {
        host = u'[' + host + u']';
    }
    return m_allowedHosts.contains(host);
}

void HttpTransport::setProtectedResource(const QJsonObject &metadata, const QString &metadataUrl)
{
    m_prmDocument = QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    m_prmUrl = metadataUrl;
}

HttpTransport::Incoming HttpTransport::capture(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    Incoming in;
    in.remote = request.remoteAddress();
    in.port = responder.socket() ? responder.socket()->peerPort() : 0;
    in.body = request.body();
    for (const char *name : { "host", "origin", "authorization", "content-type", "accept", "mcp-protocol-version",
                              "mcp-session-id" }) {
        const QByteArray v = request.value(name);
        if (!v.isEmpty()) {
            in.headers.insert(QByteArray(name), v);
        }
    }
    return in;
}

void HttpTransport::unauthorized(QHttpServerResponder &responder, const QString &error, const QString &description) const
{
    QByteArray challenge;
    if (auto value = Auth::wwwAuthenticate(error, description, m_prmUrl)) {
        challenge = *value;
    } else {
        challenge = "Bearer";
    }
    const QByteArray body = QJsonDocument(QJsonObject { { QStringLiteral("error"), error.isEmpty() ? QStringLiteral("invalid_token") : error },
                                                        { QStringLiteral("error_description"), description } })
                                .toJson(QJsonDocument::Compact);
    sendResponse(responder, Status::Unauthorized, Headers { { "Content-Type", "application/json" }, { "WWW-Authenticate", challenge } },
                 body);
}

void HttpTransport::admitThen(const QHttpServerRequest &request, QHttpServerResponder &&responder, Handler handler)
{
    const Incoming in = capture(request, responder);
    const QByteArray host = in.value("host");
    if (host.isEmpty()) {
        refuse(responder, Status::BadRequest, Mcp::ErrorCode::ServerError, QStringLiteral("Bad Request: missing Host header"));
        return;
    }
    if (!hostAllowed(host)) {
        qCWarning(Core::lcHttp).noquote() << "refused Host" << QString::fromLatin1(host.left(100)) << "from"
                                          << in.remote.toString() << "(DNS rebinding protection)";
        refuse(responder, Status::Forbidden, Mcp::ErrorCode::ServerError,
               QStringLiteral("Forbidden: Host '%1' is not allowed (add it to http.allowed_hosts in gateway.yaml)")
                   .arg(QString::fromLatin1(hostOnly(host).left(100))));
        return;
    }
    const QByteArray origin = in.value("origin");
    if (!origin.isEmpty() && !originAllowed(origin)) {
        qCWarning(Core::lcHttp).noquote() << "refused Origin" << QString::fromLatin1(origin.left(100));
        refuse(responder, Status::Forbidden, Mcp::ErrorCode::ServerError,
               QStringLiteral("Forbidden: Origin '%1' is not allowed").arg(QString::fromLatin1(origin.left(100))));
        return;
    }
    const QString peer = (in.remote.protocol() == QAbstractSocket::IPv6Protocol ? QString(u'[' + in.remote.toString() + u']')
                                                                                : in.remote.toString())
        + u':' + QString::number(in.port);
    if (!m_authenticator) {
        Auth::Caller anonymous;
        anonymous.transport = QStringLiteral("http");
        anonymous.agent = QStringLiteral("anonymous-loopback");
        anonymous.peer = peer;
        anonymous.scopes = Auth::expandScopes(m_config.stdioScopes);
        (this->*handler)(in, std::move(responder), anonymous);
        return;
    }
    const QByteArray authorization = in.value("authorization").trimmed();
    QByteArray token;
    if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer ") {
        token = authorization.mid(7).trimmed();
    }
    if (token.isEmpty()) {
        // Tailscale-User-* headers are never read: a tailnet identity comes from tailscaled only.
        if (authorization.isEmpty() && m_resolver) {
            const QPointer<QTcpSocket> socket(responder.socket());
            auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
            const QPointer<HttpTransport> self(this);
            const bool handled = m_resolver(in.remote, in.port, this,
                                            [self, held, in, handler, peer, socket](Core::Result<Auth::Caller> caller) {
                                                // The client may have gone while tailscaled answered.
                                                if (!self || !socket || socket->state() != QAbstractSocket::ConnectedState) {
                                                    return;
                                                }
                                                if (!caller) {
                                                    self->unauthorized(*held, QStringLiteral("invalid_token"),
                                                                       QStringLiteral("no token, and the tailnet identity of "
                                                                                      "%1 is unknown: %2")
                                                                           .arg(peer, caller.error().message));
                                                    return;
                                                }
                                                caller->transport = QStringLiteral("http");
                                                caller->peer = peer;
                                                (self.data()->*handler)(in, std::move(*held), *caller);
                                            });
            if (!handled) {
                unauthorized(*held, QString(), QStringLiteral("missing token: send Authorization: Bearer <token>"));
            }
            return;
        }
        unauthorized(responder, QString(), QStringLiteral("missing token: send Authorization: Bearer <token>"));
        return;
    }
    auto caller = m_authenticator->authenticate(token);
    if (!caller) {
        unauthorized(responder, QStringLiteral("invalid_token"), caller.error().message);
        return;
    }
    caller->transport = QStringLiteral("http");
    caller->peer = peer;
    m_authenticator->noteUse(*caller);
    (this->*handler)(in, std::move(responder), *caller);
}

QByteArray HttpTransport::newSessionId() const
{
    return Core::randomHex(16);
}

HttpTransport::SessionEntry *HttpTransport::findSession(const Incoming &request, QHttpServerResponder &responder,
                                                        const Auth::Caller &caller)
{
    const QByteArray id = request.value("mcp-session-id");
    if (id.isEmpty()) {
        refuse(responder, Status::BadRequest, Mcp::ErrorCode::ServerError,
               QStringLiteral("Bad Request: Mcp-Session-Id header is required (send initialize first)"));
        return nullptr;
    }
    const auto it = m_sessions.constFind(id);
    // A session belongs to the agent that opened it; anyone else is told it does not exist.
    if (it == m_sessions.cend() || (*it)->agent != caller.agent) {
        refuse(responder, Status::NotFound, Mcp::ErrorCode::SessionNotFound,
               QStringLiteral("Session not found: it expired or was closed; initialize a new one"));
        return nullptr;
    }
    (*it)->lastUsed = QDateTime::currentDateTimeUtc();
    return it->get();
}

void HttpTransport::handlePost(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &admitted)
{
    const Auth::Caller *caller = &admitted;
    if (request.body.size() > m_config.maxRequestBytes) {
        refuse(responder, Status::PayloadTooLarge, Mcp::ErrorCode::ServerError, QStringLiteral("Payload Too Large"));
        return;
    }
    if (!request.value("content-type").toLower().startsWith("application/json")) {
        refuse(responder, Status::UnsupportedMediaType, Mcp::ErrorCode::ServerError,
               QStringLiteral("Unsupported Media Type: Content-Type must be application/json"));
        return;
    }
    if (!acceptsAll(request.value("accept"), { "application/json", "text/event-stream" })) {
        refuse(responder, Status::NotAcceptable, Mcp::ErrorCode::ServerError,
               QStringLiteral("Not Acceptable: Client must accept both application/json and text/event-stream"));
        return;
    }
    const QByteArray version = request.value("mcp-protocol-version");
    if (!version.isEmpty() && !Mcp::supportedProtocolVersions().contains(QString::fromLatin1(version))) {
        refuse(responder, Status::BadRequest, Mcp::ErrorCode::ServerError,
               QStringLiteral("Bad Request: Unsupported protocol version: %1 (supported: %2)")
                   .arg(QString::fromLatin1(version.left(40)), Mcp::supportedProtocolVersions().join(QStringLiteral(", "))));
        return;
    }
    const Mcp::Message message = Mcp::decode(request.body);
    if (message.kind == Mcp::Message::Kind::Invalid) {
        refuse(responder, Status::BadRequest, message.error.code, message.error.message);
        return;
    }

    if (message.method == u"initialize" && message.isRequest()) {
        if (!request.value("mcp-session-id").isEmpty()) {
            refuse(responder, Status::BadRequest, Mcp::ErrorCode::InvalidRequest,
                   QStringLiteral("Invalid Request: initialize must not carry an Mcp-Session-Id"));
            return;
        }
        if (m_sessions.size() >= m_config.maxSessions) {
            expireSessions();
        }
        if (m_sessions.size() >= m_config.maxSessions) {
            refuse(responder, Status::ServiceUnavailable, Mcp::ErrorCode::ServerError,
                   QStringLiteral("Service Unavailable: too many open sessions"));
            return;
        }
        const QByteArray id = newSessionId();
        auto entry = std::make_shared<SessionEntry>();
        entry->session = std::make_unique<Mcp::Session>(m_server, *caller);
        entry->agent = caller->agent;
        entry->lastUsed = QDateTime::currentDateTimeUtc();
        auto exchange = std::make_shared<HttpExchange>(std::move(responder), id);
        entry->session->handle(message, exchange);
        if (entry->session->isInitialized()) {
            const std::weak_ptr<SessionEntry> weak = entry;
            entry->session->setUnsolicitedSink([weak](const QJsonObject &note) {
                if (auto e = weak.lock(); e && e->standalone) {
                    e->standalone->notify(note);
                }
            });
            m_sessions.insert(id, entry);
            qCInfo(Core::lcHttp).noquote() << "session opened for" << caller->agent << "from" << caller->peer
                                           << "client" << entry->session->clientName();
            Q_EMIT sessionOpened(QString::fromLatin1(id), caller->agent, entry->session->clientName());
        }
        return;
    }

    SessionEntry *entry = findSession(request, responder, *caller);
    if (!entry) {
        return;
    }
    entry->session->setCaller(*caller);
    if (!message.isRequest()) {
        entry->session->handle(message, std::make_shared<DiscardingOutbox>());
        sendResponse(responder, Status::Accepted, {}, {}); // notifications and responses: accepted, no body
        return;
    }
    const QByteArray sessionId = request.value("mcp-session-id");
    auto exchange = std::make_shared<HttpExchange>(std::move(responder), sessionId);
    if (!m_prmUrl.isEmpty() && caller->agent.startsWith(QStringLiteral("oauth:"))) {
        exchange->setScopeChallenge(m_prmUrl);
    }
    const bool wantsProgress = message.params.value(QStringLiteral("_meta")).toObject().contains(QStringLiteral("progressToken"));
    entry->session->handle(message, exchange);
    if (!exchange->isFinished()) {
        exchange->streamNowOrAfter(wantsProgress, m_config.sseAfterMs);
    }
}

void HttpTransport::handleGet(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &caller)
{
    if (!acceptsAll(request.value("accept"), { "text/event-stream" })) {
        refuse(responder, Status::NotAcceptable, Mcp::ErrorCode::ServerError,
               QStringLiteral("Not Acceptable: Client must accept text/event-stream"));
        return;
    }
    SessionEntry *entry = findSession(request, responder, caller);
    if (!entry) {
        return;
    }
    if (entry->standalone && entry->standalone->isAlive()) {
        refuse(responder, Status::Conflict, Mcp::ErrorCode::ServerError,
               QStringLiteral("Conflict: only one standalone SSE stream is allowed per session"));
        return;
    }
    entry->standalone = std::make_shared<HttpExchange>(std::move(responder), request.value("mcp-session-id"));
    entry->standalone->openStandalone();
}

void HttpTransport::handleDelete(const Incoming &request, QHttpServerResponder &&responder, const Auth::Caller &caller)
{
    if (!findSession(request, responder, caller)) {
        return;
    }
    closeSession(request.value("mcp-session-id"));
    sendResponse(responder, Status::Ok, kJson, QByteArrayLiteral("{}"));
}

void HttpTransport::closeSession(const QByteArray &id)
{
    const auto entry = m_sessions.take(id);
    if (!entry) {
        return;
    }
    entry->session->cancelAll();
    if (entry->standalone) {
        entry->standalone->abandon();
    }
    qCInfo(Core::lcHttp).noquote() << "session closed for" << entry->agent;
    Q_EMIT sessionClosed(QString::fromLatin1(id));
}

void HttpTransport::expireSessions()
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-m_config.sessionTimeoutSeconds);
    QList<QByteArray> expired;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        if ((*it)->lastUsed < cutoff && (*it)->session->inFlight() == 0) {
            expired.append(it.key());
        }
    }
    for (const QByteArray &id : expired) {
        closeSession(id);
    }
}

void HttpTransport::handleHealth(QHttpServerResponder &&responder)
{
    const QJsonObject health { { QStringLiteral("status"), QStringLiteral("ok") },
                               { QStringLiteral("version"), QStringLiteral(TAILOPS_VERSION) },
                               { QStringLiteral("sessions"), m_sessions.size() },
                               { QStringLiteral("targets"), m_server.registry().snapshot()->size() },
                               { QStringLiteral("uptime_seconds"), m_started.secsTo(QDateTime::currentDateTimeUtc()) } };
    sendResponse(responder, Status::Ok, kJson, QJsonDocument(health).toJson(QJsonDocument::Compact));
}

} // namespace Tailops::Http
