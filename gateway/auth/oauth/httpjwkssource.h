#pragma once

#include "core/result.h"
#include "jwks.h"
#include "jwkssource.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Tailops::Auth {

struct HttpJwksSourceOptions
{
    // The issuer exactly as it appears in tokens' "iss" and in the discovery document's "issuer".
    QString issuer;
    // When set, the keys are fetched from here and no discovery is done.
    QUrl jwksUrl;

    qint64 maxDocumentBytes = qint64(1) << 20;                  // discovery and JWKS documents
    std::chrono::milliseconds timeout { std::chrono::seconds(10) }; // per request, whole transfer
    std::chrono::milliseconds minRefresh { std::chrono::minutes(5) };
    std::chrono::milliseconds maxRefresh { std::chrono::hours(24) };
    std::chrono::milliseconds defaultRefresh { std::chrono::hours(1) }; // no Cache-Control max-age
    std::chrono::milliseconds unknownKidInterval { std::chrono::minutes(1) };
    std::chrono::milliseconds retryDelay { std::chrono::seconds(30) }; // after a failure; doubles up to minRefresh
};

// A JwksSource that fetches the issuer's keys over HTTP(S) with QNetworkAccessManager, asynchronously on
// the event loop of the thread it lives in; keys() only returns what is in memory.
//
//  - Discovery, unless jwksUrl is configured: GET <issuer>/.well-known/openid-configuration, falling back
//    to RFC 8414's <origin>/.well-known/oauth-authorization-server<issuer path>; the document's "issuer"
//    must equal the configured issuer exactly, and its "jwks_uri" names the key set. The discovered URL
//    is kept; a failed JWKS fetch makes the next attempt discover again.
//  - Every GET: http(s) only, at most maxDocumentBytes, at most timeout, redirects followed only within
//    the same origin (scheme, host, port); a redirect to another origin fails the fetch.
//  - URL rule: the issuer, a configured jwksUrl and a discovered jwks_uri must be https, except on a
//    loopback host (localhost, 127.0.0.0/8, ::1) where http is accepted for development and tests. A
//    discovered jwks_uri may live on another host than the issuer (normal for real IdPs), but an http
//    jwks_uri is accepted only when the issuer itself is http on loopback (so a remote issuer cannot point
//    the gateway at a plaintext or loopback URL). URLs carrying user:password are refused.
//  - The JWKS is parsed with Jwks::parse; a new set replaces the old one only when it parses, so the last
//    good set stays in use through any failure.
//  - Refresh: after a successful load, after the response's Cache-Control max-age clamped to
//    [minRefresh, maxRefresh] (defaultRefresh without max-age; no-store / no-cache count as 0). After a
//    failure, retry after retryDelay, doubling up to minRefresh. unknownKeyId() starts a fetch at once
//    unless one is running or the last fetch it started began less than unknownKidInterval ago.
//  - keys() fails only while no set was ever loaded: "JWKS not loaded yet from <url>: <last error>".
// Lives on the event-loop thread. Shared with OAuthAuthenticator through std::shared_ptr: then give it no
// QObject parent (the shared_ptr owns it).
class HttpJwksSource final : public QObject, public JwksSource
{
    Q_OBJECT

public:
    explicit HttpJwksSource(HttpJwksSourceOptions options, QObject *parent = nullptr);
    ~HttpJwksSource() override;

    // Checks the options (issuer or jwksUrl present, the URL rule), e.g. when loading the configuration.
    static Core::Result<void> checkOptions(const HttpJwksSourceOptions &options);
    // The URL rule for a discovered jwks_uri (see above).
    static Core::Result<void> checkJwksUri(const QUrl &jwksUri, const QUrl &issuer);
    // When the next refresh is due after a successful load with this Cache-Control header value.
    static std::chrono::milliseconds refreshDelay(const QByteArray &cacheControl, const HttpJwksSourceOptions &options);

    // Starts the first fetch. Fails (and keys() keeps failing with the reason) when the options are invalid.
    Core::Result<void> start();

    Core::Result<Jwks> keys() override;
    void unknownKeyId() override;

    bool isLoaded() const { return m_loaded; }
    bool isFetching() const { return m_fetching; }
    QString lastError() const { return m_lastError; }
    // The JWKS URL in use: configured, or discovered (empty before discovery succeeded).
    QUrl jwksUrl() const { return m_options.jwksUrl.isEmpty() ? m_discoveredJwksUrl : m_options.jwksUrl; }
    // Milliseconds until the next scheduled fetch, -1 when none is scheduled.
    qint64 nextRefreshInMs() const;

Q_SIGNALS:
    void keysUpdated(int keyCount);
    void fetchFailed(const QString &error);

private:
    struct Response
    {
        QByteArray body;
        QByteArray cacheControl;
    };
    using ResponseHandler = std::function<void(Core::Result<Response>)>;

    void fetch();
    void discover(int attempt, QString firstError);
    void fetchJwks(const QUrl &url);
    void get(const QUrl &url, ResponseHandler handler);
    void succeeded(const Jwks &keys, const QByteArray &cacheControl, const QUrl &url);
    void failed(const QString &error);
    void schedule(std::chrono::milliseconds delay);
    QList<QUrl> discoveryUrls() const;
    QString sourceName() const;

    HttpJwksSourceOptions m_options;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QNetworkReply *m_reply = nullptr; // the request in flight, if any
    QUrl m_discoveredJwksUrl;
    Jwks m_keys;
    bool m_loaded = false;
    bool m_started = false;
    bool m_fetching = false;
    QString m_lastError;
    std::chrono::milliseconds m_nextRetry { 0 };
    QElapsedTimer m_sinceUnknownKidFetch; // invalid until unknownKeyId() first started a fetch
};

} // namespace Tailops::Auth
