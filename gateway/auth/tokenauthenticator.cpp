#include "authenticator.h"

#include "core/logging.h"
#include "hmactoken.h"
#include "scopes.h"

#include <QCryptographicHash>

namespace Tailops::Auth {

namespace {
constexpr qsizetype kMaxCachedTokens = 4096;
}

TokenAuthenticator::TokenAuthenticator(QByteArray secret)
    : m_secret(std::move(secret))
{
}

Core::Result<Caller> TokenAuthenticator::authenticate(const QByteArray &bearerToken)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray key = QCryptographicHash::hash(bearerToken, QCryptographicHash::Sha256);
    if (const auto it = m_cache.constFind(key); it != m_cache.cend()) {
        if (it->expiry.isValid() && it->expiry < now) {
            m_cache.remove(key);
            return Core::fail(QStringLiteral("token expired"));
        }
        return it->caller;
    }
    const auto claims = verifyToken(bearerToken, m_secret, now);
    if (!claims) {
        qCInfo(Core::lcAuth).noquote() << "refused token" << tokenHash(bearerToken) << ":" << claims.error().message;
        return std::unexpected(claims.error());
    }
    QStringList unknown;
    Caller caller;
    caller.agent = claims->agent;
    caller.tokenId = claims->id;
    caller.tokenHash = tokenHash(bearerToken);
    caller.hostTags = claims->hostTags;
    caller.scopes = expandScopes(claims->scopes, &unknown);
    if (!unknown.isEmpty()) {
        qCWarning(Core::lcAuth).noquote() << "token" << caller.tokenHash << "of agent" << caller.agent
                                          << "names unknown scopes (ignored):" << unknown.join(QStringLiteral(","));
    }
    if (m_cache.size() >= kMaxCachedTokens) {
        m_cache.clear();
    }
    m_cache.insert(key, Cached { caller, claims->expiry });
    return caller;
}

} // namespace Tailops::Auth
