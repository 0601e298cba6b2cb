#pragma once

#include "core/result.h"
#include "tokenstore.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace Tailops::Config {
struct GatewayConfig;
}

namespace Tailops::Auth {

// What to mint: the same choices `tailops-gateway token mint` and the console's Tokens panel offer.
struct IssueRequest
{
    QString agent;
    QStringList scopes;   // concrete scopes and the meta scopes "readonly" / "admin"
    QStringList hostTags; // targets the token is limited to (empty: any)
    qint64 ttlSeconds = 0; // 0: no expiry (refused while auth.require_expiry is on)
};

// A freshly minted token: shown once, never stored (the registry keeps only its hash).
struct IssuedToken
{
    QByteArray token;
    TokenRecord record;
    QString registryPath; // the tokens.json it was recorded in
};

// Issue errors carry the field at fault in Error::where, so callers can show them next to it:
//   "agent"     the agent name is empty
//   "scopes"    none given, or an unknown one ("unknown scope 'x' (known: ...)")
//   "host_tags" an empty or malformed tag
//   "ttl"       negative, or above auth.max_token_ttl ("exceeds the maximum of 30 days (auth.max_token_ttl)")
//   "expiry"    no expiry while auth.require_expiry is on ("is refused while auth.require_expiry is on ...")
//   "secret"    the shared secret cannot be loaded
//   "registry"  the token could not be recorded ("cannot record the token in the registry: ..."): no token is
//               handed out that the registry does not know
inline constexpr QLatin1StringView kIssueFieldAgent { "agent" };
inline constexpr QLatin1StringView kIssueFieldScopes { "scopes" };
inline constexpr QLatin1StringView kIssueFieldHostTags { "host_tags" };
inline constexpr QLatin1StringView kIssueFieldTtl { "ttl" };
inline constexpr QLatin1StringView kIssueFieldExpiry { "expiry" };
inline constexpr QLatin1StringView kIssueFieldSecret { "secret" };
inline constexpr QLatin1StringView kIssueFieldRegistry { "registry" };

// The checks that need no configuration: agent, scopes, host tags.
Core::Result<void> checkIssueRequest(const IssueRequest &request);

// Checks REQUEST against CONFIG (auth.max_token_ttl, auth.require_expiry), loads the shared secret, mints
// the token and records it in the token registry (CONFIG.tokensPath()). Touches files: call it off the GUI
// thread.
Core::Result<IssuedToken> issueToken(const Config::GatewayConfig &config, const IssueRequest &request,
                                     const QDateTime &now = QDateTime::currentDateTimeUtc());

// A span of time, short and rounded down: 42 -> "42s", 600 -> "10m", 7200 -> "2h", 172799 -> "47h", 200000 -> "2d".
QString span(qint64 seconds);

// auth.max_token_ttl as people read it: "90 days" for whole days, else "36h", "45m", "30s".
QString describeTokenTtl(qint64 seconds);

} // namespace Tailops::Auth
