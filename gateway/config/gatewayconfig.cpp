#include "gatewayconfig.h"

#include "yamlsupport_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

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

void readAuth(const YAML::Node &node, Reporter &r, GatewayConfig &c)
{
    if (!checkMap(node, r, QStringLiteral("auth"), { "mode", "secret_file", "stdio_scopes", "max_token_ttl" })) {
        return;
    }
    if (const auto n = node["mode"]) {
        if (const auto mode = readString(n, r, QStringLiteral("auth.mode"))) {
            if (*mode == u"token") {
                c.authMode = GatewayConfig::AuthMode::Token;
            } else if (*mode == u"none") {
                c.authMode = GatewayConfig::AuthMode::None;
            } else {
                r.error(n, QStringLiteral("auth.mode must be 'token' or 'none', not '%1'").arg(*mode));
            }
        }
    }
    if (const auto n = node["secret_file"]) {
        if (const auto v = readString(n, r, QStringLiteral("auth.secret_file"))) {
            c.secretFile = pathIn(c.configDir, *v);
        }
    }
    if (const auto n = node["stdio_scopes"]) {
        if (const auto v = readStringList(n, r, QStringLiteral("auth.stdio_scopes"))) {
            c.stdioScopes = *v;
        }
    }
    if (const auto n = node["max_token_ttl"]) {
        if (const auto v = readDuration(n, r, QStringLiteral("auth.max_token_ttl"))) {
            c.maxTokenTtlSeconds = *v;
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
    if (!checkMap(*root, r, QStringLiteral("gateway.yaml"), { "listen", "auth", "http", "mcp", "audit", "ssh" })) {
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
    return c;
}

} // namespace Tailops::Config
