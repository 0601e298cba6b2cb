#pragma once

#include "core/result.h"
#include "jwks.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Tailops::Auth {

struct JwtVerifierOptions
{
    QString issuer;   // exact match with "iss" (required)
    QString audience; // this gateway's canonical resource URL; "aud" (string or array) must contain it
    QStringList allowedAlgorithms { QStringLiteral("RS256"), QStringLiteral("ES256") }; // subset of these two
    qint64 leewaySeconds = 60; // clock skew tolerated on exp, nbf and iat
    QStringList scopeClaims { QStringLiteral("scope"), QStringLiteral("scp") }; // first present one wins
    qsizetype maxTokenBytes = 16 * 1024; // longer tokens are refused before any decoding
    // Accepted "typ" header values (case-insensitive, "application/" prefix ignored); empty: any. RFC 9068
    // access tokens carry "at+jwt": requiring it stops ID tokens being replayed as access tokens.
    QStringList acceptedTypes;
};

// The verified content of an access token. `raw` keeps every claim (tsidp adds its own).
struct JwtClaims
{
    QString subject;
    QString issuer;
    QStringList audience;
    QStringList scopes;  // from "scope" (space-separated) or "scp" (array); empty when none
    QDateTime expiry;    // UTC, always valid (exp is required)
    QDateTime notBefore; // invalid when absent
    QDateTime issuedAt;  // invalid when absent
    QString id;          // jti, empty when absent
    QString algorithm;   // "RS256" / "ES256"
    QString keyId;       // kid of the key that verified the signature
    QStringList tags;    // tailnet "tags" claim (tsidp), if present
    QString user;        // tailnet "user" claim (tsidp; falls back to "email"), if present
    QJsonObject raw;
};

// Verifies compact JWS access tokens (RFC 7519 / RFC 9068 profile) against a JWKS.
// Refuses: alg none, every HS* alg (public key used as an HMAC secret), algs not allowed, an alg that does
// not fit the key's type or the key's own "alg", unknown kid, "crit" headers, bad signatures (ES256 must be
// raw r||s), wrong iss, aud without ours, missing or past exp, future nbf/iat, missing sub, bad scope claims.
// Error messages never contain the token or any part of it.
class JwtVerifier
{
public:
    explicit JwtVerifier(JwtVerifierOptions options, Jwks keys = {});

    const JwtVerifierOptions &options() const { return m_options; }
    const Jwks &keys() const { return m_keys; }
    void setKeys(Jwks keys) { m_keys = std::move(keys); }

    Core::Result<JwtClaims> verify(const QByteArray &token, const QDateTime &now) const;
    Core::Result<JwtClaims> verify(const QByteArray &token, const Jwks &keys, const QDateTime &now) const;

private:
    JwtVerifierOptions m_options;
    Jwks m_keys;
};

} // namespace Tailops::Auth
