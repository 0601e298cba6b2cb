#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QStringList>

namespace Tailops::Auth {

// Claims of an HMAC token, wire-compatible with TailOpsMCP's scripts/mint_token.py:
//   token = base64url_nopad(compact JSON claims) + "." + lowercase hex HMAC-SHA256(secret, that base64url text)
struct TokenClaims
{
    QString agent;
    QStringList scopes;
    QStringList hostTags;
    QDateTime expiry; // invalid: none given
    QDateTime issuedAt;
    QString id; // jti
};

struct MintOptions
{
    QString agent;
    QStringList scopes;
    QStringList hostTags;
    qint64 ttlSeconds = 0; // 0: no expiry
};

// Claims: agent, scopes, host_tags, iat (NOW), a random jti and, with a TTL, expiry. MINTED, when given,
// receives the claims as signed (for the token registry).
QByteArray mintToken(const MintOptions &options, const QByteArray &secret, const QDateTime &now,
                     TokenClaims *minted = nullptr);

// Verifies signature (constant-time), shape and expiry. Errors use the original's messages:
// "missing token", "malformed token", "malformed token payload", "invalid token signature",
// "invalid token payload JSON", "invalid token claims", "token expired". The token is never echoed.
Core::Result<TokenClaims> verifyToken(const QByteArray &token, const QByteArray &secret, const QDateTime &now);

// A short, non-reversible handle for logs and the audit: "sha256:" + 12 hex digits.
QString tokenHash(const QByteArray &token);

// Parses the ISO-8601 forms Python's datetime.fromisoformat accepts ("...T12:00:00.123456Z", naive = UTC).
QDateTime parseIsoTimestamp(const QString &text);

} // namespace Tailops::Auth
