#include "oauthauthenticator.h"

#include "auth/hmactoken.h"
#include "auth/scopes.h"
#include "core/logging.h"

#include <QJsonArray>

namespace Tailops::Auth {

OAuthAuthenticator::OAuthAuthenticator(JwtVerifierOptions options, std::shared_ptr<JwksSource> keys, Clock clock)
    : m_verifier(std::move(options))
    , m_keys(std::move(keys))
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentDateTimeUtc(); }))
{
}

Core::Result<Caller> OAuthAuthenticator::authenticate(const QByteArray &bearerToken)
{
    if (bearerToken.isEmpty()) {
        return Core::fail(QStringLiteral("missing token"));
    }
    const QString hash = tokenHash(bearerToken);
    if (!m_keys) {
        return Core::fail(QStringLiteral("no signing keys available"));
    }
    const auto keys = m_keys->keys();
    if (!keys) {
        qCWarning(Core::lcAuth).noquote() << "cannot verify token" << hash << ":" << keys.error().toString();
        return Core::fail(QStringLiteral("signing keys unavailable"));
    }
    auto claims = m_verifier.verify(bearerToken, *keys, m_clock());
    if (!claims) {
        qCInfo(Core::lcAuth).noquote() << "refused OAuth token" << hash << ":" << claims.error().message;
        if (claims.error().message.startsWith(QStringLiteral("unknown signing key"))) {
            m_keys->unknownKeyId();
        }
        return std::unexpected(claims.error());
    }

    Caller caller;
    caller.agent = QString(QStringLiteral("oauth:") + claims->subject);
    caller.tokenId = claims->id;
    caller.tokenHash = hash;
    caller.user = claims->user;
    caller.tailnetTags = claims->tags; // the client node's tailnet tags (policy callers "tag:..."), not a host limit
    const QJsonValue hostTags = claims->raw.value(QStringLiteral("host_tags"));
    if (hostTags.isArray()) {
        const QJsonArray array = hostTags.toArray();
        for (const QJsonValue &tag : array) {
            if (tag.isString()) {
                caller.hostTags.append(tag.toString());
            }
        }
    }
    QStringList unknown;
    caller.scopes = expandScopes(claims->scopes, &unknown);
    if (!unknown.isEmpty()) {
        qCWarning(Core::lcAuth).noquote() << "OAuth token" << hash << "of" << caller.agent
                                          << "names unknown scopes (ignored):" << unknown.join(QStringLiteral(","));
    }
    m_lastClaims = std::move(*claims);
    return caller;
}

} // namespace Tailops::Auth
