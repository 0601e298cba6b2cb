#include "httpjwkssource.h"

#include "core/logging.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <memory>

using namespace Qt::StringLiterals;

namespace Tailops::Auth {

namespace {

QString display(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo);
}

bool isLoopbackHost(const QUrl &url)
{
    const QString host = url.host().toLower();
    if (host == u"localhost"_s || host.endsWith(u".localhost"_s)) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// The shape every fetched URL must have; http only on a loopback host.
Core::Result<void> checkUrl(const QUrl &url, const QString &what)
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty()) {
        return Core::fail(QStringLiteral("%1 is not an absolute http(s) URL: \"%2\"").arg(what, display(url)));
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != u"https"_s && scheme != u"http"_s) {
        return Core::fail(QStringLiteral("%1 must be an http(s) URL: %2").arg(what, display(url)));
    }
    if (!url.userInfo().isEmpty()) {
        return Core::fail(QStringLiteral("%1 must not carry credentials: %2").arg(what, display(url)));
    }
    if (scheme == u"http"_s && !isLoopbackHost(url)) {
        return Core::fail(QStringLiteral("%1 must use https (http is accepted only on a loopback host): %2").arg(what, display(url)));
    }
    return {};
}

QString humanDelay(std::chrono::milliseconds delay)
{
    return delay < std::chrono::seconds(10) ? QStringLiteral("%1 ms").arg(delay.count())
                                            : QStringLiteral("%1 s").arg(delay.count() / 1000);
}

QString withoutTrailingSlashes(QString path)
{
    while (path.endsWith(u'/')) {
        path.chop(1);
    }
    return path;
}

} // namespace

HttpJwksSource::HttpJwksSource(HttpJwksSourceOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(new QNetworkAccessManager(this))
    , m_refreshTimer(new QTimer(this))
    , m_nextRetry(m_options.retryDelay)
{
    m_refreshTimer->setSingleShot(true);
    connect(m_refreshTimer, &QTimer::timeout, this, &HttpJwksSource::fetch);
}

HttpJwksSource::~HttpJwksSource()
{
    if (m_reply) {
        QObject::disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
    }
}

Core::Result<void> HttpJwksSource::checkOptions(const HttpJwksSourceOptions &options)
{
    if (options.maxDocumentBytes <= 0 || options.timeout.count() <= 0 || options.minRefresh.count() <= 0
        || options.maxRefresh < options.minRefresh || options.retryDelay.count() <= 0) {
        return Core::fail(u"OAuth JWKS source: invalid size, timeout or refresh settings"_s);
    }
    if (!options.jwksUrl.isEmpty()) {
        return checkUrl(options.jwksUrl, u"jwks_url"_s);
    }
    if (options.issuer.isEmpty()) {
        return Core::fail(u"OAuth JWKS source: neither an issuer nor a jwks_url is configured"_s);
    }
    const QUrl issuer(options.issuer, QUrl::StrictMode);
    if (auto ok = checkUrl(issuer, u"issuer"_s); !ok) {
        return ok;
    }
    if (issuer.hasQuery() || issuer.hasFragment()) {
        return Core::fail(QStringLiteral("issuer must not have a query or fragment: %1").arg(options.issuer));
    }
    return {};
}

Core::Result<void> HttpJwksSource::checkJwksUri(const QUrl &jwksUri, const QUrl &issuer)
{
    const QString what = u"jwks_uri"_s;
    if (!jwksUri.isValid() || jwksUri.isRelative() || jwksUri.host().isEmpty()) {
        return Core::fail(QStringLiteral("%1 is not an absolute http(s) URL: \"%2\"").arg(what, display(jwksUri)));
    }
    const QString scheme = jwksUri.scheme().toLower();
    if (scheme != u"https"_s && scheme != u"http"_s) {
        return Core::fail(QStringLiteral("%1 must be an http(s) URL: %2").arg(what, display(jwksUri)));
    }
    if (!jwksUri.userInfo().isEmpty()) {
        return Core::fail(QStringLiteral("%1 must not carry credentials: %2").arg(what, display(jwksUri)));
    }
    const bool issuerIsHttpLoopback = issuer.scheme().toLower() == u"http"_s && isLoopbackHost(issuer);
    if (scheme == u"http"_s && !(issuerIsHttpLoopback && isLoopbackHost(jwksUri))) {
        return Core::fail(QStringLiteral("%1 must use https unless the issuer itself is http on a loopback host: %2")
                              .arg(what, display(jwksUri)));
    }
    if (isLoopbackHost(jwksUri) && !isLoopbackHost(issuer)) {
        return Core::fail(QStringLiteral("%1 on a loopback host is accepted only from a loopback issuer: %2").arg(what, display(jwksUri)));
    }
    return {};
}

std::chrono::milliseconds HttpJwksSource::refreshDelay(const QByteArray &cacheControl, const HttpJwksSourceOptions &options)
{
    using namespace std::chrono;
    bool noCache = false;
    qint64 maxAge = -1;
    for (const QByteArray &part : cacheControl.split(',')) {
        const QByteArray directive = part.trimmed().toLower();
        if (directive == "no-store" || directive == "no-cache") {
            noCache = true;
        } else if (directive.startsWith("max-age=")) {
            QByteArray value = directive.sliced(8).trimmed();
            if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"')) {
                value = value.sliced(1, value.size() - 2);
            }
            bool ok = false;
            const qint64 seconds = value.toLongLong(&ok);
            if (ok && seconds >= 0) {
                maxAge = seconds;
            }
        }
    }
    milliseconds delay = options.defaultRefresh;
    if (noCache) {
        delay = milliseconds(0);
    } else if (maxAge >= 0) {
        const qint64 capSeconds = duration_cast<seconds>(options.maxRefresh).count() + 1;
        delay = duration_cast<milliseconds>(seconds(std::min(maxAge, capSeconds)));
    }
    return std::clamp(delay, options.minRefresh, options.maxRefresh);
}

Core::Result<void> HttpJwksSource::start()
{
    if (auto ok = checkOptions(m_options); !ok) {
        m_lastError = ok.error().toString();
        return ok;
    }
    if (!m_started) {
        m_started = true;
        fetch();
    }
    return {};
}

Core::Result<Jwks> HttpJwksSource::keys()
{
    if (m_loaded) {
        return m_keys;
    }
    const QString why = !m_lastError.isEmpty() ? m_lastError
        : m_started                            ? u"the first fetch has not finished"_s
                                               : u"not started"_s;
    return Core::fail(QStringLiteral("JWKS not loaded yet from %1: %2").arg(sourceName(), why));
}

void HttpJwksSource::unknownKeyId()
{
    if (!m_started || m_fetching) {
        return;
    }
    if (m_sinceUnknownKidFetch.isValid() && m_sinceUnknownKidFetch.elapsed() < m_options.unknownKidInterval.count()) {
        return; // rate-limited: a flood of made-up kids costs one fetch per interval
    }
    m_sinceUnknownKidFetch.start();
    qCInfo(Core::lcAuth, "a token names a key id not in the JWKS: refreshing from %s", qUtf8Printable(sourceName()));
    fetch();
}

qint64 HttpJwksSource::nextRefreshInMs() const
{
    return m_refreshTimer->isActive() ? m_refreshTimer->remainingTime() : -1;
}

QString HttpJwksSource::sourceName() const
{
    const QUrl url = jwksUrl();
    if (!url.isEmpty()) {
        return display(url);
    }
    return QStringLiteral("%1 (discovery)").arg(m_options.issuer);
}

QList<QUrl> HttpJwksSource::discoveryUrls() const
{
    const QUrl issuer(m_options.issuer, QUrl::StrictMode);
    const QString path = withoutTrailingSlashes(issuer.path());
    QUrl openid = issuer;
    openid.setPath(path + u"/.well-known/openid-configuration"_s);
    QUrl oauth = issuer;
    oauth.setPath(u"/.well-known/oauth-authorization-server"_s + path); // RFC 8414 section 3.1
    return { openid, oauth };
}

void HttpJwksSource::fetch()
{
    if (m_fetching) {
        return;
    }
    m_fetching = true;
    m_refreshTimer->stop();
    const QUrl url = jwksUrl();
    if (!url.isEmpty()) {
        fetchJwks(url);
    } else {
        discover(0, {});
    }
}

void HttpJwksSource::discover(int attempt, QString firstError)
{
    const QUrl url = discoveryUrls().at(attempt);
    get(url, [this, attempt, url, firstError = std::move(firstError)](Core::Result<Response> response) {
        const auto jwksUri = [&]() -> Core::Result<QUrl> {
            if (!response) {
                return std::unexpected(response.error());
            }
            const QString where = display(url);
            QJsonParseError parseError {};
            const QJsonDocument document = QJsonDocument::fromJson(response->body, &parseError);
            if (parseError.error != QJsonParseError::NoError) {
                return Core::fail(QStringLiteral("%1: not a JSON document: %2").arg(where, parseError.errorString()));
            }
            if (!document.isObject()) {
                return Core::fail(QStringLiteral("%1: not a JSON object").arg(where));
            }
            const QJsonObject metadata = document.object();
            const QJsonValue issuer = metadata.value(u"issuer"_s);
            if (!issuer.isString()) {
                return Core::fail(QStringLiteral("%1: no \"issuer\"").arg(where));
            }
            if (issuer.toString() != m_options.issuer) {
                return Core::fail(QStringLiteral("%1: issuer mismatch: the document names \"%2\", the configured issuer is \"%3\"")
                                      .arg(where, issuer.toString().left(200), m_options.issuer));
            }
            const QString uriText = metadata.value(u"jwks_uri"_s).toString();
            if (uriText.isEmpty()) {
                return Core::fail(QStringLiteral("%1: no \"jwks_uri\"").arg(where));
            }
            const QUrl uri(uriText, QUrl::StrictMode);
            if (auto ok = checkJwksUri(uri, QUrl(m_options.issuer, QUrl::StrictMode)); !ok) {
                return Core::fail(QStringLiteral("%1: %2").arg(where, ok.error().toString()));
            }
            return uri;
        }();

        if (jwksUri) {
            m_discoveredJwksUrl = *jwksUri;
            fetchJwks(*jwksUri);
        } else if (attempt == 0) {
            discover(1, jwksUri.error().toString());
        } else {
            failed(QStringLiteral("discovery failed: %1; %2").arg(firstError, jwksUri.error().toString()));
        }
    });
}

void HttpJwksSource::fetchJwks(const QUrl &url)
{
    get(url, [this, url](Core::Result<Response> response) {
        if (!response) {
            m_discoveredJwksUrl.clear(); // discover again next time (configured URLs stay)
            failed(response.error().toString());
            return;
        }
        QStringList warnings;
        auto jwks = Jwks::parse(response->body, &warnings);
        if (!jwks) {
            m_discoveredJwksUrl.clear();
            failed(QStringLiteral("%1: %2").arg(display(url), jwks.error().toString()));
            return;
        }
        for (const QString &warning : std::as_const(warnings)) {
            qCDebug(Core::lcAuth, "JWKS %s: %s", qUtf8Printable(display(url)), qUtf8Printable(warning));
        }
        succeeded(*jwks, response->cacheControl, url);
    });
}

void HttpJwksSource::get(const QUrl &url, ResponseHandler handler)
{
    const QString where = QStringLiteral("GET %1").arg(display(url));
    if (auto ok = checkUrl(url, u"URL"_s); !ok) {
        handler(Core::fail(QStringLiteral("%1: %2").arg(where, ok.error().toString())));
        return;
    }

    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    request.setMaximumRedirectsAllowed(5);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("Accept", "application/json, application/jwk-set+json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("tailops-gateway/" TAILOPS_VERSION));

    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    struct State
    {
        QByteArray body;
        QString error; // set before an abort()
    };
    auto state = std::make_shared<State>();
    const qint64 limit = m_options.maxDocumentBytes;
    const auto abortWith = [reply, state](QString error) {
        if (state->error.isEmpty()) {
            state->error = std::move(error);
        }
        reply->abort();
    };
    const QString tooLarge = QStringLiteral("document too large (over %1 bytes)").arg(limit);

    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [abortWith, timeout = m_options.timeout] {
        abortWith(QStringLiteral("no complete answer within %1 ms").arg(timeout.count()));
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [reply, abortWith, limit, tooLarge] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > limit) {
            abortWith(tooLarge);
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [reply, state, abortWith, limit, tooLarge] {
        state->body.append(reply->readAll());
        if (state->body.size() > limit) {
            abortWith(tooLarge);
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, state, where, limit, tooLarge, handler = std::move(handler)] {
        if (m_reply == reply) {
            m_reply = nullptr;
        }
        reply->deleteLater();
        if (state->error.isEmpty() && reply->error() == QNetworkReply::NoError) {
            state->body.append(reply->readAll());
            if (state->body.size() > limit) {
                state->error = tooLarge;
            }
        }
        if (!state->error.isEmpty()) {
            handler(Core::fail(QStringLiteral("%1: %2").arg(where, state->error)));
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::InsecureRedirectError) {
            const QUrl target = reply->header(QNetworkRequest::LocationHeader).toUrl();
            handler(Core::fail(QStringLiteral("%1: redirect to another origin refused%2")
                                   .arg(where, target.isEmpty() ? QString() : QStringLiteral(" (to %1)").arg(display(reply->url().resolved(target))))));
            return;
        }
        if (status == 0 && reply->error() != QNetworkReply::NoError) {
            handler(Core::fail(QStringLiteral("%1: %2").arg(where, reply->errorString())));
            return;
        }
        if (status != 200) {
            const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString().left(100);
            handler(Core::fail(QStringLiteral("%1: HTTP %2 %3").arg(where).arg(status).arg(reason).trimmed()));
            return;
        }
        handler(Response { state->body, reply->rawHeader("Cache-Control") });
    });
    deadline->start(m_options.timeout);
}

void HttpJwksSource::succeeded(const Jwks &keys, const QByteArray &cacheControl, const QUrl &url)
{
    m_fetching = false;
    const bool first = !m_loaded;
    m_keys = keys;
    m_loaded = true;
    m_lastError.clear();
    m_nextRetry = m_options.retryDelay;
    const auto delay = refreshDelay(cacheControl, m_options);
    schedule(delay);
    if (first) {
        qCInfo(Core::lcAuth, "JWKS loaded from %s (keys: %d), next refresh in %s", qUtf8Printable(display(url)),
               int(keys.size()), qUtf8Printable(humanDelay(delay)));
    } else {
        qCDebug(Core::lcAuth, "JWKS refreshed from %s (keys: %d), next refresh in %s", qUtf8Printable(display(url)),
                int(keys.size()), qUtf8Printable(humanDelay(delay)));
    }
    Q_EMIT keysUpdated(int(keys.size()));
}

void HttpJwksSource::failed(const QString &error)
{
    m_fetching = false;
    m_lastError = error;
    const auto delay = m_nextRetry;
    m_nextRetry = std::min(2 * m_nextRetry, std::max(m_options.minRefresh, m_options.retryDelay));
    schedule(delay);
    qCWarning(Core::lcAuth, "JWKS fetch failed (%s; retry in %s): %s", m_loaded ? "keeping the last good set" : "no keys yet",
              qUtf8Printable(humanDelay(delay)), qUtf8Printable(error));
    Q_EMIT fetchFailed(error);
}

void HttpJwksSource::schedule(std::chrono::milliseconds delay)
{
    const auto capped = std::min<std::chrono::milliseconds::rep>(delay.count(), std::numeric_limits<int>::max());
    m_refreshTimer->start(std::chrono::milliseconds(capped));
}

} // namespace Tailops::Auth
