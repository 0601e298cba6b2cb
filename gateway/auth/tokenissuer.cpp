#include "tokenissuer.h"

#include "hmactoken.h"
#include "scopes.h"
#include "secret.h"

#include "config/gatewayconfig.h"

#include <algorithm>
#include <cstdlib>

namespace Tailops::Auth {

namespace {

QString field(QLatin1StringView name)
{
    return QString(name);
}

bool hasControlCharacter(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

} // namespace

QString span(qint64 seconds)
{
    seconds = std::llabs(seconds);
    if (seconds < 60) {
        return QStringLiteral("%1s").arg(seconds);
    }
    if (seconds < 3600) {
        return QStringLiteral("%1m").arg(seconds / 60);
    }
    if (seconds < 2 * 86400) {
        return QStringLiteral("%1h").arg(seconds / 3600);
    }
    return QStringLiteral("%1d").arg(seconds / 86400);
}

QString describeTokenTtl(qint64 seconds)
{
    return seconds > 0 && seconds % 86400 == 0 ? QStringLiteral("%1 days").arg(seconds / 86400) : span(seconds);
}

Core::Result<void> checkIssueRequest(const IssueRequest &request)
{
    if (request.agent.trimmed().isEmpty()) {
        return Core::fail(QStringLiteral("an agent name is required"), field(kIssueFieldAgent));
    }
    if (hasControlCharacter(request.agent)) {
        return Core::fail(QStringLiteral("the agent name must not contain control characters"), field(kIssueFieldAgent));
    }
    QStringList scopes = request.scopes;
    scopes.removeAll(QString());
    if (scopes.isEmpty()) {
        return Core::fail(QStringLiteral("at least one scope is required (known: %1)").arg(knownScopes().join(QStringLiteral(", "))),
                          field(kIssueFieldScopes));
    }
    for (const QString &s : std::as_const(scopes)) {
        if (!isKnownScope(s.trimmed())) {
            return Core::fail(QStringLiteral("unknown scope '%1' (known: %2)").arg(s, knownScopes().join(QStringLiteral(", "))),
                              field(kIssueFieldScopes));
        }
    }
    for (const QString &t : request.hostTags) {
        if (hasControlCharacter(t) || t.contains(u',')) {
            return Core::fail(QStringLiteral("host tag '%1' must not contain commas or control characters")
                                  .arg(t.left(100)),
                              field(kIssueFieldHostTags));
        }
    }
    return {};
}

Core::Result<IssuedToken> issueToken(const Config::GatewayConfig &config, const IssueRequest &request, const QDateTime &now)
{
    if (auto checked = checkIssueRequest(request); !checked) {
        return std::unexpected(checked.error());
    }
    if (request.ttlSeconds < 0) {
        return Core::fail(QStringLiteral("must be longer than 0"), field(kIssueFieldTtl));
    }
    if (request.ttlSeconds == 0 && config.requireExpiry) {
        return Core::fail(QStringLiteral("is refused while auth.require_expiry is on (the gateway would reject such a "
                                         "token); set auth.require_expiry: false in %1 first")
                              .arg(config.gatewayFile()),
                          field(kIssueFieldExpiry));
    }
    if (request.ttlSeconds > config.maxTokenTtlSeconds) {
        return Core::fail(QStringLiteral("exceeds the maximum of %1 (auth.max_token_ttl)").arg(describeTokenTtl(config.maxTokenTtlSeconds)),
                          field(kIssueFieldTtl));
    }
    const auto secret = loadSharedSecret(config.secretFile);
    if (!secret) {
        return Core::fail(secret.error().message, field(kIssueFieldSecret));
    }
    MintOptions options;
    options.agent = request.agent.trimmed();
    for (const QString &s : request.scopes) {
        if (!s.trimmed().isEmpty()) {
            options.scopes.append(s.trimmed());
        }
    }
    for (const QString &t : request.hostTags) {
        if (!t.trimmed().isEmpty()) {
            options.hostTags.append(t.trimmed());
        }
    }
    options.ttlSeconds = request.ttlSeconds;
    TokenClaims claims;
    IssuedToken issued;
    issued.token = mintToken(options, *secret, now, &claims);

    TokenRecord &record = issued.record;
    record.id = claims.id;
    record.agent = claims.agent;
    record.scopes = claims.scopes;
    record.hostTags = claims.hostTags;
    record.issuedAt = claims.issuedAt;
    record.expiry = claims.expiry;
    record.hash = tokenHash(issued.token);
    const TokenStore store(config.tokensPath());
    issued.registryPath = store.path();
    if (auto added = store.add(record); !added) {
        // No token is handed out that the registry does not know: it could not be listed or revoked by id.
        return Core::fail(QStringLiteral("cannot record the token in the registry: %1").arg(added.error().toString()),
                          field(kIssueFieldRegistry));
    }
    return issued;
}

} // namespace Tailops::Auth
