#pragma once

#include "auth/authenticator.h"
#include "jwkssource.h"
#include "jwtverifier.h"

#include <functional>
#include <memory>

namespace Tailops::Auth {

// OAuth 2.1 resource-server side: the bearer token is a JWT access token from the configured issuer
// (for example tsidp), checked by JwtVerifier against the JwksSource's keys.
//   Caller.agent = "oauth:" + sub, Caller.scopes = expandScopes(token scopes) (unknown ones are ignored
//   with a warning), Caller.tokenId = jti, Caller.tokenHash = tokenHash(token),
//   Caller.hostTags = the "host_tags" claim when present (same meaning as in HMAC tokens). The tailnet
//   "tags" claim describes the *client* node and is not a host restriction: it goes to Caller.tailnetTags
//   (what policy rules' callers "tag:..." match), and the "user" claim to Caller.user.
// No cache: each call verifies the signature (tens of microseconds), so a key removed from the set
// takes effect at once.
class OAuthAuthenticator final : public Authenticator
{
public:
    using Clock = std::function<QDateTime()>;

    OAuthAuthenticator(JwtVerifierOptions options, std::shared_ptr<JwksSource> keys, Clock clock = {});

    Core::Result<Caller> authenticate(const QByteArray &bearerToken) override;

    // The claims of the last successful authenticate(), for diagnostics and tests.
    const JwtClaims &lastClaims() const { return m_lastClaims; }

private:
    JwtVerifier m_verifier;
    std::shared_ptr<JwksSource> m_keys;
    Clock m_clock;
    JwtClaims m_lastClaims;
};

} // namespace Tailops::Auth
