#include "gatewayconfig.h"

#include "core/paths.h"

#include "yamlsupport_p.h"

#include "auth/scopes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <cmath>

namespace Tailops::Config {

using namespace Yaml;

QString ListenAddress::url(bool tls) const
{
    const QString h = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                          : address.toString();
    return (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + h + u':' + QString::number(port)
        + QStringLiteral("/mcp");
}

std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0) {
        *error = QStringLiteral("listen address '%1' must be HOST:PORT").arg(text);
        return std::nullopt;
    }
    QString host = text.left(colon);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535) {
        *error = QStringLiteral("listen address '%1': port must be 0-65535").arg(text);
        return std::nullopt;
    }
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    } else if (host.contains(u':')) {
        *error = QStringLiteral("listen address '%1': write IPv6 addresses in brackets, e.g. [::1]:8080").arg(text);
        return std::nullopt;
    }
    ListenAddress la;
    la.port = quint16(port);
    la.host = host;
    if (host == u"localhost") {
        la.address = QHostAddress(QHostAddress::LocalHost);
    } else if (!la.address.setAddress(host)) {
        *error = QStringLiteral("listen address '%1': '%2' is not an IP address (use 127.0.0.1, [::1], 0.0.0.0 or "
                                "the tailnet address)")
                     .arg(text, host);
        return std::nullopt;
    }
    return la;
}

QString GatewayConfig::gatewayFile() const
{
    return QDir(configDir).filePath(QStringLiteral("gateway.yaml"));
}

QString GatewayConfig::targetsFile() const
{
    return QDir(configDir).filePath(QStringLiteral("targets.yaml"));
}

QString GatewayConfig::policyFile() const
{
    return QDir(configDir).filePath(QStringLiteral("policy.yaml"));
}

QString GatewayConfig::tokensPath() const
{
    if (!tokensFile.isEmpty()) {
        return tokensFile;
    }
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("tailops/tokens.json"));
}

QString GatewayConfig::adminSocketPath() const
{
    if (!adminSocket.isEmpty()) {
        return adminSocket;
    }
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    const QString base = !runtime.isEmpty() ? runtime : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("tailops/admin.sock"));
}

QString defaultConfigDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("tailops"));
}

GatewayConfig loadGatewayConfig(const QString &configDir, Diagnostics &out)
{
    GatewayConfig defaults;
    defaults.configDir = configDir;
    QFile file(defaults.gatewayFile());
    if (!file.exists()) {
        return defaults;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        out.append({ Diagnostic::Severity::Error, QStringLiteral("gateway.yaml"), 0, 0,
                     QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()) });
        return defaults;
    }
    return parseGatewayConfig(file.read(kMaxFileBytes + 1), QStringLiteral("gateway.yaml"), configDir, out);
}

namespace {

// A path from gateway.yaml, relative to the config dir; empty stays empty (unset).
QString pathIn(const QString &configDir, const QString &value)
{
    return value.trimmed().isEmpty() ? QString() : QDir(configDir).filePath(value);
}

void readListen(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!node.IsScalar() && !node.IsSequence()) {
        r.error(node, QStringLiteral("listen must be a list of strings, not %1").arg(describe(node)));
        return;
    }
    const auto add = [&](const YAML::Node &item) {
        const auto text = readString(item, r, QStringLiteral("listen"));
        if (!text) {
            return;
        }
        QString error;
        if (auto la = parseListenAddress(*text, &error)) {
            c.listen.append(*la);
        } else {
            r.error(item, error);
        }
    };
    if (node.IsScalar()) {
        add(node);
        return;
    }
    for (const auto &item : node) {
        add(item);
    }
}

void readOAuth(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("auth.oauth"), { "issuer", "audience", "resource", "jwks_url", "jwks_file", "algorithms" })) {
        return;
    }
    const auto url = [&](const char *key, QString &target) {
        if (const auto n = node[key]) {
            if (const auto v = readString(n, r, QStringLiteral("auth.oauth.") + QLatin1StringView(key))) {
                const QUrl u(*v, QUrl::StrictMode);
                if (!u.isValid() || (u.scheme() != u"https" && u.scheme() != u"http") || u.host().isEmpty()) {
                    r.error(n, QStringLiteral("auth.oauth.%1 must be an http(s) URL, not '%2'").arg(QLatin1StringView(key), v->left(200)));
                } else {
                    target = *v;
                }
            }
        }
    };
    url("issuer", c.oauthIssuer);
    url("resource", c.oauthResource);
    url("jwks_url", c.oauthJwksUrl);
    if (const auto n = node["audience"]) {
        if (const auto v = readString(n, r, QStringLiteral("auth.oauth.audience"))) {
            c.oauthAudience = *v;
        }
    }
    if (const auto n = node["jwks_file"]) {
        if (const auto v = readString(n, r, QStringLiteral("auth.oauth.jwks_file"))) {
            c.oauthJwksFile = pathIn(c.configDir, *v);
        }
    }
    if (const auto n = node["algorithms"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("auth.oauth.algorithms"))) {
            for (const QString &a : *v) {
                if (a != u"RS256" && a != u"ES256") {
                    r.error(n, QStringLiteral("auth.oauth.algorithms: '%1' is not supported (RS256, ES256)").arg(a.left(40)));
                }
            }
            c.oauthAlgorithms = *v;
        }
    }
    if (!node["issuer"]) {
        r.error(node, QStringLiteral("auth.oauth.issuer is required (the URL of tsidp or your OIDC issuer)"));
    }
}

void readAuth(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("auth"), { "mode", "secret_file", "stdio_scopes", "max_token_ttl", "require_expiry",
                                                     "tokens_file", "oauth", "tailnet" })) {
        return;
    }
    if (const auto n = node["mode"]) {
        if (const auto mode = readString(n, r, QStringLiteral("auth.mode"))) {
            if (*mode == u"token") {
                c.authMode = GatewayConfig::AuthMode::Token;
            } else if (*mode == u"oauth") {
                c.authMode = GatewayConfig::AuthMode::OAuth;
            } else if (*mode == u"both") {
                c.authMode = GatewayConfig::AuthMode::Both;
            } else if (*mode == u"none") {
                c.authMode = GatewayConfig::AuthMode::None;
            } else {
                r.error(n, QStringLiteral("auth.mode must be token, oauth, both or none, not '%1'").arg(mode->left(40)));
            }
        }
    }
    if (const auto n = node["secret_file"]) {
        if (const auto v = readString(n, r, QStringLiteral("auth.secret_file"))) {
            c.secretFile = pathIn(c.configDir, *v);
        }
    }
    if (const auto n = node["tokens_file"]) {
        if (const auto v = readString(n, r, QStringLiteral("auth.tokens_file"))) {
            c.tokensFile = pathIn(c.configDir, *v);
        }
    }
    if (const auto n = node["stdio_scopes"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("auth.stdio_scopes"))) {
            for (const QString &s : *v) {
                if (!Auth::isKnownScope(s)) {
                    r.error(n, QStringLiteral("auth.stdio_scopes: unknown scope '%1' (known: %2)")
                                   .arg(s.left(60), Auth::knownScopes().join(QStringLiteral(", "))));
                }
            }
            c.stdioScopes = *v;
        }
    }
    if (const auto n = node["max_token_ttl"]) {
        if (const auto v = readDuration(n, r, QStringLiteral("auth.max_token_ttl"))) {
            c.maxTokenTtlSeconds = *v;
        }
    }
    if (const auto n = node["require_expiry"]) {
        if (const auto v = readBool(n, r, QStringLiteral("auth.require_expiry"))) {
            c.requireExpiry = *v;
        }
    }
    if (const auto n = node["oauth"]) {
        readOAuth(n, r, c);
    }
    if ((c.authMode == GatewayConfig::AuthMode::OAuth || c.authMode == GatewayConfig::AuthMode::Both)
        && !node["oauth"]) {
        r.error(node, QStringLiteral("auth.mode %1 needs auth.oauth.issuer").arg(c.authMode == GatewayConfig::AuthMode::OAuth
                                                                                    ? QStringLiteral("oauth") : QStringLiteral("both")));
    }
    if (const auto n = node["tailnet"]) {
        if (checkMap(n, r, QStringLiteral("auth.tailnet"), { "enabled", "localapi_socket" })) {
            if (const auto e = n["enabled"]) {
                if (const auto v = readBool(e, r, QStringLiteral("auth.tailnet.enabled"))) {
                    c.tailnetEnabled = *v;
                }
            }
            if (const auto s = n["localapi_socket"]) {
                if (const auto v = readString(s, r, QStringLiteral("auth.tailnet.localapi_socket"))) {
                    c.tailnetSocket = *v;
                }
            }
        }
    }
}

// "10/s", "30/m", "100/h", "1000/d" or a plain number (per second).
std::optional<double> parseRate(const QString &text)
{
    const qsizetype slash = text.indexOf(u'/');
    bool ok = false;
    const double n = (slash < 0 ? text : text.left(slash)).trimmed().toDouble(&ok);
    if (!ok || n < 0 || !std::isfinite(n)) {
        return std::nullopt;
    }
    if (slash < 0) {
        return n;
    }
    const QString unit = text.mid(slash + 1).trimmed();
    if (unit == u"s") {
        return n;
    }
    if (unit == u"m") {
        return n / 60;
    }
    if (unit == u"h") {
        return n / 3600;
    }
    if (unit == u"d") {
        return n / 86400;
    }
    return std::nullopt;
}

void readLimits(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("limits"), { "observe", "control", "admin", "concurrency" })) {
        return;
    }
    const auto tier = [&](const char *key, GatewayConfig::TierLimit &target) {
        const auto n = node[key];
        if (!n) {
            return;
        }
        const QString context = QStringLiteral("limits.") + QLatin1StringView(key);
        if (!checkMap(n, r, context, { "rate", "burst", "daily" })) {
            return;
        }
        if (const auto v = n["rate"]) {
            if (const auto text = readString(v, r, context + QStringLiteral(".rate"))) {
                if (const auto rate = parseRate(*text)) {
                    target.ratePerSecond = *rate;
                } else {
                    r.error(v, QStringLiteral("%1.rate must look like 10/s, 30/m, 100/h or 0 (unlimited), not '%2'")
                                   .arg(context, text->left(40)));
                }
            }
        }
        if (const auto v = n["burst"]) {
            if (const auto b = readInt(v, r, context + QStringLiteral(".burst"), 0, 1000000)) {
                target.burst = int(*b);
            }
        }
        if (const auto v = n["daily"]) {
            if (const auto d = readInt(v, r, context + QStringLiteral(".daily"), 0, qint64(1) << 40)) {
                target.daily = *d;
            }
        }
        // A rate given without a burst gets a burst of one second's worth, not the tier's default.
        if (target.ratePerSecond > 0 && (target.burst < 1 || (n["rate"] && !n["burst"]))) {
            target.burst = std::max(1, int(std::ceil(target.ratePerSecond)));
        }
    };
    tier("observe", c.observeLimit);
    tier("control", c.controlLimit);
    tier("admin", c.adminLimit);
    if (const auto n = node["concurrency"]) {
        if (const auto v = readInt(n, r, QStringLiteral("limits.concurrency"), 0, 100000)) {
            c.perCallerConcurrency = int(*v);
        }
    }
}

void readApprovals(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("approvals"), { "timeout" })) {
        return;
    }
    if (const auto n = node["timeout"]) {
        if (const auto v = readDuration(n, r, QStringLiteral("approvals.timeout"))) {
            if (*v <= 0 || *v > 86400) {
                r.error(n, QStringLiteral("approvals.timeout must be between 1s and 24h"));
            } else {
                c.approvalTimeoutSeconds = *v;
            }
        }
    }
}

void readFiles(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("files"), { "deny", "allow", "deny_secrets" })) {
        return;
    }
    if (const auto n = node["deny"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("files.deny"))) {
            if (const auto parsed = Core::PathPatterns::parse(*v); !parsed) {
                r.error(n, QStringLiteral("files.deny: %1").arg(parsed.error().message));
            } else {
                c.fileDeny = *v;
            }
        }
    }
    if (const auto n = node["allow"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("files.allow"))) {
            QStringList prefixes;
            for (const QString &p : *v) {
                const auto normalised = Core::normalizePath(p);
                if (!normalised) {
                    r.error(n, QStringLiteral("files.allow: '%1': %2 (an absolute directory is expected)")
                                   .arg(p, normalised.error().message));
                    return;
                }
                prefixes.append(*normalised);
            }
            c.fileAllow = prefixes;
        }
    }
    if (const auto n = node["deny_secrets"]) {
        if (const auto v = readBool(n, r, QStringLiteral("files.deny_secrets"))) {
            c.fileDenySecrets = *v;
        }
    }
}

void readNetwork(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("network"), { "allowed_urls" })) {
        return;
    }
    if (const auto n = node["allowed_urls"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("network.allowed_urls"))) {
            static const QRegularExpression shape(QStringLiteral(R"(\Ahttps?://[^/@\s?#]+(/[^\s?#]*)?\z)"));
            for (const QString &u : *v) {
                if (!shape.match(u).hasMatch()) {
                    r.error(n, QStringLiteral("network.allowed_urls: '%1' is not an http(s) URL prefix with a host "
                                              "(like https://api.example.com/v1; no user info, query or fragment)")
                                   .arg(u));
                    return;
                }
            }
            c.networkAllowedUrls = *v;
        }
    }
}

void readAdmin(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("admin"), { "socket" })) {
        return;
    }
    if (const auto n = node["socket"]) {
        if (const auto v = readString(n, r, QStringLiteral("admin.socket"))) {
            if (v->toUtf8().size() > 100) {
                r.error(n, QStringLiteral("admin.socket: a unix socket path must be at most 100 bytes"));
            } else {
                c.adminSocket = pathIn(c.configDir, *v);
            }
        }
    }
}

void readHttp(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("http"),
                  { "allowed_hosts", "allowed_origins", "max_request_bytes", "max_header_bytes", "idle_timeout",
                    "header_timeout", "session_timeout", "max_sessions", "tls" })) {
        return;
    }
    if (const auto n = node["allowed_hosts"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("http.allowed_hosts"))) {
            c.allowedHosts = *v;
        }
    }
    if (const auto n = node["allowed_origins"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("http.allowed_origins"))) {
            c.allowedOrigins = *v;
        }
    }
    if (const auto n = node["max_request_bytes"]) {
        if (const auto v = readInt(n, r, QStringLiteral("http.max_request_bytes"), 1024, 64 * 1024 * 1024)) {
            c.maxRequestBytes = *v;
        }
    }
    if (const auto n = node["max_header_bytes"]) {
        if (const auto v = readInt(n, r, QStringLiteral("http.max_header_bytes"), 1024, 1024 * 1024)) {
            c.maxHeaderBytes = *v;
        }
    }
    const auto duration = [&](const char *key, qint64 &target) {
        if (const auto n = node[key]) {
            if (const auto v = readDuration(n, r, QStringLiteral("http.") + QLatin1StringView(key))) {
                if (*v <= 0) {
                    r.error(n, QStringLiteral("http.%1 must be longer than 0 seconds").arg(QLatin1StringView(key)));
                } else {
                    target = *v;
                }
            }
        }
    };
    duration("idle_timeout", c.idleTimeoutSeconds);
    duration("header_timeout", c.headerTimeoutSeconds);
    duration("session_timeout", c.sessionTimeoutSeconds);
    if (const auto n = node["max_sessions"]) {
        if (const auto v = readInt(n, r, QStringLiteral("http.max_sessions"), 1, 1000000)) {
            c.maxSessions = int(*v);
        }
    }
    if (const auto tls = node["tls"]) {
        if (checkMap(tls, r, QStringLiteral("http.tls"), { "cert", "key" })) {
            const auto cert = tls["cert"] ? readString(tls["cert"], r, QStringLiteral("http.tls.cert")) : std::nullopt;
            const auto key = tls["key"] ? readString(tls["key"], r, QStringLiteral("http.tls.key")) : std::nullopt;
            if (!cert || !key) {
                r.error(tls, QStringLiteral("http.tls needs both 'cert' and 'key' (PEM files)"));
            } else {
                c.tlsCertificate = pathIn(c.configDir, *cert);
                c.tlsKey = pathIn(c.configDir, *key);
            }
        }
    }
}

void readMcp(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("mcp"), { "page_size", "sse_after_ms" })) {
        return;
    }
    if (const auto n = node["page_size"]) {
        if (const auto v = readInt(n, r, QStringLiteral("mcp.page_size"), 1, 1000)) {
            c.pageSize = int(*v);
        }
    }
    if (const auto n = node["sse_after_ms"]) {
        if (const auto v = readInt(n, r, QStringLiteral("mcp.sse_after_ms"), 0, 600000)) {
            c.sseAfterMs = *v;
        }
    }
}

void readSsh(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("ssh"), { "known_hosts" })) {
        return;
    }
    if (const auto n = node["known_hosts"]) {
        if (const auto v = readString(n, r, QStringLiteral("ssh.known_hosts"))) {
            c.knownHostsFile = pathIn(c.configDir, *v);
        }
    }
}

void readAudit(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("audit"), { "path", "durability", "syslog", "max_file_bytes", "max_age", "enabled", "redact_keys", "redact_patterns" })) {
        return;
    }
    if (const auto n = node["durability"]) {
        if (const auto v = readString(n, r, QStringLiteral("audit.durability"))) {
            if (*v != u"fsync" && *v != u"group" && *v != u"none") {
                r.error(n, QStringLiteral("audit.durability must be fsync, group or none, not '%1'").arg(*v));
            } else {
                c.auditDurability = *v;
            }
        }
    }
    if (const auto n = node["redact_keys"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("audit.redact_keys"))) {
            c.auditRedactKeys = *v;
        }
    }
    if (const auto n = node["redact_patterns"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("audit.redact_patterns"))) {
            for (const QString &p : *v) {
                if (!QRegularExpression(p).isValid() || p.size() > 500) {
                    r.error(n, QStringLiteral("audit.redact_patterns: '%1' is not a usable regular expression").arg(p.left(80)));
                }
            }
            c.auditRedactPatterns = *v;
        }
    }
    if (const auto n = node["syslog"]) {
        if (const auto v = readBool(n, r, QStringLiteral("audit.syslog"))) {
            c.auditSyslog = *v;
        }
    }
    if (const auto n = node["enabled"]) {
        if (const auto v = readBool(n, r, QStringLiteral("audit.enabled"))) {
            c.auditEnabled = *v;
        }
    }
    if (const auto n = node["max_file_bytes"]) {
        if (const auto v = readInt(n, r, QStringLiteral("audit.max_file_bytes"), 0, qint64(1) << 40)) {
            c.auditMaxFileBytes = *v;
        }
    }
    if (const auto n = node["max_age"]) {
        if (const auto v = readDuration(n, r, QStringLiteral("audit.max_age"))) {
            c.auditMaxAgeSeconds = *v;
        }
    }
    if (const auto n = node["path"]) {
        if (const auto v = readString(n, r, QStringLiteral("audit.path"))) {
            c.auditPath = pathIn(c.configDir, *v);
        }
    }
}

} // namespace

GatewayConfig parseGatewayConfig(const QByteArray &yaml, const QString &fileName, const QString &configDir,
                                 Diagnostics &out)
{
    GatewayConfig c;
    c.configDir = configDir;
    Reporter r(fileName, out);
    const auto root = parse(yaml, r);
    if (!root) {
        return c;
    }
    if (!checkMap(*root, r, QStringLiteral("gateway.yaml"), { "listen", "auth", "http", "mcp", "audit", "ssh", "limits", "approvals", "admin", "files", "network" })) {
        return c;
    }
    if (const auto n = (*root)["listen"]) {
        readListen(n, r, c);
    }
    if (const auto n = (*root)["auth"]) {
        readAuth(n, r, c);
    }
    if (const auto n = (*root)["http"]) {
        readHttp(n, r, c);
    }
    if (const auto n = (*root)["mcp"]) {
        readMcp(n, r, c);
    }
    if (const auto n = (*root)["ssh"]) {
        readSsh(n, r, c);
    }
    if (const auto n = (*root)["audit"]) {
        readAudit(n, r, c);
    }
    if (const auto n = (*root)["limits"]) {
        readLimits(n, r, c);
    }
    if (const auto n = (*root)["approvals"]) {
        readApprovals(n, r, c);
    }
    if (const auto n = (*root)["admin"]) {
        readAdmin(n, r, c);
    }
    if (const auto n = (*root)["files"]) {
        readFiles(n, r, c);
    }
    if (const auto n = (*root)["network"]) {
        readNetwork(n, r, c);
    }
    return c;
}

} // namespace Tailops::Config
