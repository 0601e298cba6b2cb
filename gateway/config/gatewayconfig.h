#pragma once

#include "diagnostic.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace Tailops::Config {

struct ListenAddress
{
    QHostAddress address;
    quint16 port = 0;
    QString host; // as written, for URLs and the Host allow-list

    bool isLoopback() const { return address.isLoopback(); }
    QString url(bool tls) const; // http://HOST:PORT/mcp
};

// Parses "127.0.0.1:8080", "[::1]:0", "localhost:8080" (names must resolve to loopback or be literal addresses).
std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error);

// gateway.yaml: how the gateway listens, authenticates and behaves. Defaults are safe: loopback only,
// tokens required.
struct GatewayConfig
{
    QString configDir;

    QList<ListenAddress> listen; // empty -> 127.0.0.1:8080

    // token: HMAC tokens; oauth: JWT access tokens from auth.oauth.issuer; both: either; none: no
    // authentication (loopback only).
    enum class AuthMode { Token, OAuth, Both, None };
    AuthMode authMode = AuthMode::Token;
    QString secretFile;
    QStringList stdioScopes { QStringLiteral("readonly") };
    qint64 maxTokenTtlSeconds = 90 * 86400;
    bool requireExpiry = true; // auth.require_expiry: tokens without an expiry are refused
    QString tokensFile;        // auth.tokens_file; empty: $XDG_DATA_HOME/tailops/tokens.json

    // auth.oauth: JWT access tokens (tsidp or any OIDC issuer).
    QString oauthIssuer;
    QString oauthAudience;   // default: oauthResource
    QString oauthResource;   // this gateway's resource URL (https://gw.example.ts.net/mcp); required for oauth/both
    QString oauthJwksUrl;    // default: from the issuer's discovery document
    QString oauthJwksFile;   // a fixed JWKS instead of fetching
    QStringList oauthAlgorithms { QStringLiteral("RS256"), QStringLiteral("ES256") };

    // auth.tailnet: identity of callers connecting from Tailscale addresses, from tailscaled's LocalAPI.
    bool tailnetEnabled = false;
    QString tailnetSocket = QStringLiteral("/var/run/tailscale/tailscaled.sock");

    // limits: token buckets per caller and tier, daily quotas, concurrency per caller. 0 = unlimited.
    struct TierLimit
    {
        double ratePerSecond = 0;
        int burst = 0;
        qint64 daily = 0;
    };
    TierLimit observeLimit { 20, 40, 0 };
    TierLimit controlLimit { 2, 10, 2000 };
    TierLimit adminLimit { 0.5, 5, 200 };
    int perCallerConcurrency = 16;

    qint64 approvalTimeoutSeconds = 120; // approvals.timeout
    QString adminSocket;                  // admin.socket; empty: $XDG_RUNTIME_DIR/tailops/admin.sock

    QStringList allowedHosts;   // extra Host names accepted besides loopback and the listen hosts
    QStringList allowedOrigins; // extra Origins (scheme://host[:port]) accepted
    qint64 maxRequestBytes = 1024 * 1024;
    qint64 maxHeaderBytes = 16 * 1024;
    qint64 idleTimeoutSeconds = 60;
    qint64 headerTimeoutSeconds = 10;
    qint64 sessionTimeoutSeconds = 3600;
    int maxSessions = 1024;
    QString tlsCertificate;
    QString tlsKey;

    int pageSize = 50;
    qint64 sseAfterMs = 1000; // a call still running after this long is answered as an SSE stream

    QString auditPath;            // audit.path; empty: Audit::defaultAuditPath()
    QString auditDurability = QStringLiteral("group"); // fsync | group | none
    bool auditSyslog = false;
    qint64 auditMaxFileBytes = 100 * 1024 * 1024;
    qint64 auditMaxAgeSeconds = 0;
    bool auditEnabled = true;
    QStringList auditRedactKeys;     // extra argument names to redact (case-insensitive, substring)
    QStringList auditRedactPatterns; // extra regular expressions whose matches are redacted
    QString knownHostsFile; // ssh.known_hosts; empty: ~/.ssh/known_hosts

    // files: what path arguments of file tools may name on any target (Core::PathPatterns syntax).
    QStringList fileDeny;            // files.deny, added to the built-in secret list
    bool fileDenySecrets = true;     // files.deny_secrets: false drops the built-in list
    QStringList fileAllow;           // files.allow: when set, paths must be under one of these prefixes
    // network: URLs http_request_test may request besides http targets (prefix by component).
    QStringList networkAllowedUrls;  // network.allowed_urls

    QString gatewayFile() const;
    QString targetsFile() const;
    QString policyFile() const;
    QString tokensPath() const;      // tokensFile or the default
    QString adminSocketPath() const; // adminSocket or the default
};

// Reads DIR/gateway.yaml (a missing file means defaults). Findings go to `out`; fatal ones are errors.
GatewayConfig loadGatewayConfig(const QString &configDir, Diagnostics &out);
GatewayConfig parseGatewayConfig(const QByteArray &yaml, const QString &fileName, const QString &configDir,
                                 Diagnostics &out);

// $XDG_CONFIG_HOME/tailops (or ~/.config/tailops).
QString defaultConfigDir();

} // namespace Tailops::Config
