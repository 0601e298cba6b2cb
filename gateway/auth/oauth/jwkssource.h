#pragma once

#include "core/result.h"
#include "jwks.h"

#include <QString>

namespace Tailops::Auth {

// Where the authenticator gets the issuer's signing keys. Called on the event-loop thread for every
// token, so keys() must be cheap and must not block: a fetching implementation (not written yet) keeps
// the last good set in memory and refreshes it asynchronously, e.g.
//   - discovery: GET <issuer>/.well-known/openid-configuration (or RFC 8414 oauth-authorization-server),
//     take "jwks_uri", check the document's "issuer" equals the configured one;
//   - GET jwks_uri with a size limit and timeout, Jwks::parse, swap in the new set only when it parses;
//   - refresh on Cache-Control max-age (clamped, e.g. 5 min .. 24 h) and on unknownKeyId() (rate-limited,
//     at most once a minute), keeping the old set on any failure;
//   - keys() returns an error only while no set was ever loaded.
class JwksSource
{
public:
    virtual ~JwksSource() = default;

    // The current key set, or why there is none ("JWKS not loaded yet: ...").
    virtual Core::Result<Jwks> keys() = 0;

    // A token named a kid the current set does not hold (the issuer may have rotated its keys).
    // A fetching source schedules a rate-limited refresh; the current request still fails.
    // (The kid itself is attacker-controlled and is not passed on.)
    virtual void unknownKeyId() {}
};

// A fixed key set: from a JWKS document given inline or read from a file once.
class StaticJwksSource final : public JwksSource
{
public:
    explicit StaticJwksSource(Jwks keys);

    static Core::Result<std::unique_ptr<StaticJwksSource>> fromJson(const QByteArray &json, QStringList *warnings = nullptr);
    static Core::Result<std::unique_ptr<StaticJwksSource>> fromFile(const QString &path, QStringList *warnings = nullptr);

    Core::Result<Jwks> keys() override { return m_keys; }

private:
    Jwks m_keys;
};

} // namespace Tailops::Auth
