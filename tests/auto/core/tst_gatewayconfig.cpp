// Config::parseGatewayConfig, Config::parseListenAddress and Config::parseDuration.

#include "config/diagnostic.h"
#include "config/duration.h"
#include "config/gatewayconfig.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Tailops::Config::Diagnostic;
using Tailops::Config::Diagnostics;
using Tailops::Config::GatewayConfig;

namespace {

const QString kConfigDir = u"/etc/tailops"_s;
const QString kFile = u"gateway.yaml"_s;

QString dump(const Diagnostics &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics) {
        lines.append(d.toString());
    }
    return lines.isEmpty() ? u"(no diagnostics)"_s : lines.join(u'\n');
}

GatewayConfig parse(const QByteArray &yaml, Diagnostics &out)
{
    return Tailops::Config::parseGatewayConfig(yaml, kFile, kConfigDir, out);
}

} // namespace

class TestGatewayConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyPathsMeanUnset()
    {
        Tailops::Config::Diagnostics d;
        const auto c = Tailops::Config::parseGatewayConfig(
            "audit:\n  path: \"\"\nssh:\n  known_hosts: \"\"\nauth:\n  secret_file: \"\"\n", u"gateway.yaml"_s, u"/etc/tailops"_s, d);
        QVERIFY(!Tailops::Config::hasErrors(d));
        QVERIFY(c.auditPath.isEmpty());
        QVERIFY(c.knownHostsFile.isEmpty());
        QVERIFY(c.secretFile.isEmpty());
        const auto set = Tailops::Config::parseGatewayConfig("audit:\n  path: logs/audit.jsonl\n", u"gateway.yaml"_s, u"/etc/tailops"_s, d);
        QCOMPARE(set.auditPath, u"/etc/tailops/logs/audit.jsonl"_s);
    }

    void defaults();
    void fullConfig();
    void relativeAndAbsolutePaths();
    void authMode_data();
    void authMode();
    void listen_data();
    void listen();
    void diagnostics_data();
    void diagnostics();
    void loadFromDirectory();
    void limits();

    void parseListenAddress_data();
    void parseListenAddress();
    void parseDuration_data();
    void parseDuration();
};

void TestGatewayConfig::limits()
{
    Diagnostics diagnostics;
    const GatewayConfig c = parse("limits:\n  observe: {rate: 30/m}\n  control: {rate: 5/s, burst: 20, daily: 7}\n"
                                  "  concurrency: 3\napprovals:\n  timeout: 90s\n",
                                  diagnostics);
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(c.observeLimit.ratePerSecond, 0.5);
    QCOMPARE(c.observeLimit.burst, 1); // a rate without a burst: one second's worth, not the default 40
    QCOMPARE(c.controlLimit.ratePerSecond, 5.0);
    QCOMPARE(c.controlLimit.burst, 20);
    QCOMPARE(c.controlLimit.daily, 7);
    QCOMPARE(c.adminLimit.ratePerSecond, 0.5); // untouched default
    QCOMPARE(c.adminLimit.burst, 5);
    QCOMPARE(c.perCallerConcurrency, 3);
    QCOMPARE(c.approvalTimeoutSeconds, 90);

    Diagnostics more;
    const GatewayConfig f = parse("files:\n  deny: [\"*.pem\", /srv/private]\n  allow: [/srv/, /var/log/../log]\n"
                                  "  deny_secrets: false\nnetwork:\n  allowed_urls: [\"https://api.example.com/v1\", \"https://*/\"]\n",
                                  more);
    QVERIFY2(more.isEmpty(), qPrintable(dump(more)));
    QCOMPARE(f.fileDeny, (QStringList { u"*.pem"_s, u"/srv/private"_s }));
    QCOMPARE(f.fileAllow, (QStringList { u"/srv"_s, u"/var/log"_s })); // normalised
    QCOMPARE(f.fileDenySecrets, false);
    QCOMPARE(f.networkAllowedUrls, (QStringList { u"https://api.example.com/v1"_s, u"https://*/"_s }));
}

void TestGatewayConfig::defaults()
{
    for (const QByteArray &yaml : { QByteArray(), QByteArray("\n# only a comment\n"), QByteArray("{}\n") }) {
        Diagnostics diagnostics;
        const GatewayConfig c = parse(yaml, diagnostics);
        QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
        QCOMPARE(c.configDir, kConfigDir);
        QVERIFY(c.listen.isEmpty()); // the service then listens on 127.0.0.1:8080
        QCOMPARE(c.authMode, GatewayConfig::AuthMode::Token);
        QVERIFY(c.secretFile.isEmpty());
        QCOMPARE(c.stdioScopes, QStringList { u"readonly"_s });
        QCOMPARE(c.maxTokenTtlSeconds, 90 * 86400);
        QCOMPARE(c.maxRequestBytes, 1024 * 1024);
        QCOMPARE(c.maxHeaderBytes, 16 * 1024);
        QCOMPARE(c.idleTimeoutSeconds, 60);
        QCOMPARE(c.headerTimeoutSeconds, 10);
        QCOMPARE(c.sessionTimeoutSeconds, 3600);
        QCOMPARE(c.maxSessions, 1024);
        QVERIFY(c.tlsCertificate.isEmpty());
        QVERIFY(c.tlsKey.isEmpty());
        QCOMPARE(c.pageSize, 50);
        QCOMPARE(c.sseAfterMs, 1000);
        QCOMPARE(c.gatewayFile(), u"/etc/tailops/gateway.yaml"_s);
        QCOMPARE(c.targetsFile(), u"/etc/tailops/targets.yaml"_s);
    }
}

void TestGatewayConfig::fullConfig()
{
    const QByteArray yaml = R"(listen:
  - 127.0.0.1:8080
  - "[::1]:0"
auth:
  mode: token
  secret_file: secret
  stdio_scopes: [readonly, network:diag]
  max_token_ttl: 7d
http:
  allowed_hosts: [gw.tailnet.ts.net]
  allowed_origins: ["https://console.example"]
  max_request_bytes: 2048
  max_header_bytes: 4096
  idle_timeout: 30s
  header_timeout: 5
  session_timeout: 5m
  max_sessions: 10
  tls:
    cert: tls/cert.pem
    key: tls/key.pem
mcp:
  page_size: 20
  sse_after_ms: 0
audit:
  path: audit.jsonl
)";
    Diagnostics diagnostics;
    const GatewayConfig c = parse(yaml, diagnostics);
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(c.listen.size(), 2);
    QCOMPARE(c.listen.at(0).address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(c.listen.at(0).port, 8080);
    QCOMPARE(c.listen.at(1).address, QHostAddress(QHostAddress::LocalHostIPv6));
    QCOMPARE(c.listen.at(1).port, 0);
    QCOMPARE(c.authMode, GatewayConfig::AuthMode::Token);
    QCOMPARE(c.secretFile, u"/etc/tailops/secret"_s);
    QCOMPARE(c.stdioScopes, (QStringList { u"readonly"_s, u"network:diag"_s }));
    QCOMPARE(c.maxTokenTtlSeconds, 7 * 86400);
    QCOMPARE(c.allowedHosts, QStringList { u"gw.tailnet.ts.net"_s });
    QCOMPARE(c.allowedOrigins, QStringList { u"https://console.example"_s });
    QCOMPARE(c.maxRequestBytes, 2048);
    QCOMPARE(c.maxHeaderBytes, 4096);
    QCOMPARE(c.idleTimeoutSeconds, 30);
    QCOMPARE(c.headerTimeoutSeconds, 5);
    QCOMPARE(c.sessionTimeoutSeconds, 300);
    QCOMPARE(c.maxSessions, 10);
    QCOMPARE(c.tlsCertificate, u"/etc/tailops/tls/cert.pem"_s);
    QCOMPARE(c.tlsKey, u"/etc/tailops/tls/key.pem"_s);
    QCOMPARE(c.pageSize, 20);
    QCOMPARE(c.sseAfterMs, 0);
    QCOMPARE(c.auditPath, u"/etc/tailops/audit.jsonl"_s);
}

void TestGatewayConfig::relativeAndAbsolutePaths()
{
    Diagnostics diagnostics;
    const GatewayConfig c = parse("auth:\n  secret_file: /run/secrets/tailops\n"
                                  "http:\n  tls:\n    cert: /certs/c.pem\n    key: k.pem\n",
        diagnostics);
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(c.secretFile, u"/run/secrets/tailops"_s);
    QCOMPARE(c.tlsCertificate, u"/certs/c.pem"_s);
    QCOMPARE(c.tlsKey, u"/etc/tailops/k.pem"_s);
}

void TestGatewayConfig::authMode_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("mode"); // GatewayConfig::AuthMode
    QTest::addColumn<QString>("error");

    QTest::newRow("token") << QByteArray("auth:\n  mode: token\n") << int(GatewayConfig::AuthMode::Token) << QString();
    QTest::newRow("none") << QByteArray("auth:\n  mode: none\n") << int(GatewayConfig::AuthMode::None) << QString();
    // A typo must never switch authentication off.
    QTest::newRow("bogus") << QByteArray("auth:\n  mode: bogus\n") << int(GatewayConfig::AuthMode::Token)
                           << u"gateway.yaml:2:9: auth.mode must be token, oauth, both or none, not 'bogus'"_s;
    QTest::newRow("None (case)") << QByteArray("auth:\n  mode: None\n") << int(GatewayConfig::AuthMode::Token)
                                 << u"gateway.yaml:2:9: auth.mode must be token, oauth, both or none, not 'None'"_s;
    QTest::newRow("list") << QByteArray("auth:\n  mode: [none]\n") << int(GatewayConfig::AuthMode::Token)
                          << u"gateway.yaml:2:9: auth.mode must be a string, not a list"_s;
    QTest::newRow("auth scalar") << QByteArray("auth: none\n") << int(GatewayConfig::AuthMode::Token)
                                 << u"gateway.yaml:1:7: auth must be a map, not 'none'"_s;
    QTest::newRow("oauth") << QByteArray("auth:\n  mode: oauth\n  oauth:\n    issuer: https://idp.example.ts.net\n")
                           << int(GatewayConfig::AuthMode::OAuth) << QString();
    QTest::newRow("both") << QByteArray("auth:\n  mode: both\n  oauth:\n    issuer: https://idp.example.ts.net\n")
                          << int(GatewayConfig::AuthMode::Both) << QString();
    QTest::newRow("oauth without issuer") << QByteArray("auth:\n  mode: oauth\n") << int(GatewayConfig::AuthMode::OAuth)
                                          << u"gateway.yaml:2:3: auth.mode oauth needs auth.oauth.issuer"_s;
    QTest::newRow("oauth issuer not a URL")
        << QByteArray("auth:\n  mode: token\n  oauth:\n    issuer: ftp://x\n") << int(GatewayConfig::AuthMode::Token)
        << u"gateway.yaml:4:13: auth.oauth.issuer must be an http(s) URL, not 'ftp://x'"_s;
    QTest::newRow("unknown stdio scope") << QByteArray("auth:\n  stdio_scopes: [system:root]\n")
                                         << int(GatewayConfig::AuthMode::Token)
                                         << u"gateway.yaml:2:17: auth.stdio_scopes: unknown scope 'system:root' (known: "
                                            "system:read, network:read, container:read, file:read, network:diag, "
                                            "container:write, file:write, container:admin, system:admin, docker:admin, "
                                            "security:read, security:scan, security:write, security:admin, admin, readonly)"_s;
}

void TestGatewayConfig::authMode()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, mode);
    QFETCH(QString, error);

    Diagnostics diagnostics;
    const GatewayConfig c = parse(yaml, diagnostics);
    QCOMPARE(int(c.authMode), mode);
    if (error.isEmpty()) {
        QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    } else {
        QCOMPARE(diagnostics.size(), 1);
        QVERIFY(diagnostics.constFirst().isError());
        QCOMPARE(diagnostics.constFirst().toString(), error);
    }
}

void TestGatewayConfig::listen_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("urls"); // of the accepted addresses
    QTest::addColumn<QString>("error"); // fragment of the one error, if any
    QTest::addColumn<int>("line");

    QTest::newRow("scalar") << QByteArray("listen: 127.0.0.1:9000\n") << QStringList { u"http://127.0.0.1:9000/mcp"_s }
                            << QString() << 0;
    QTest::newRow("list with [::1]:0") << QByteArray("listen:\n  - 127.0.0.1:8080\n  - '[::1]:0'\n")
                                       << QStringList { u"http://127.0.0.1:8080/mcp"_s, u"http://[::1]:0/mcp"_s }
                                       << QString() << 0;
    QTest::newRow("localhost") << QByteArray("listen: localhost:8080\n")
                               << QStringList { u"http://127.0.0.1:8080/mcp"_s } << QString() << 0;
    QTest::newRow("tailnet address") << QByteArray("listen: [\"100.64.0.7:443\"]\n")
                                     << QStringList { u"http://100.64.0.7:443/mcp"_s } << QString() << 0;
    QTest::newRow("empty list") << QByteArray("listen: []\n") << QStringList {} << QString() << 0;
    QTest::newRow("bad port") << QByteArray("listen: 127.0.0.1:70000\n") << QStringList {}
                              << u"listen address '127.0.0.1:70000': port must be 0-65535"_s << 1;
    QTest::newRow("port not a number") << QByteArray("\nlisten: 127.0.0.1:http\n") << QStringList {}
                                       << u"port must be 0-65535"_s << 2;
    QTest::newRow("no port") << QByteArray("listen: 127.0.0.1\n") << QStringList {} << u"must be HOST:PORT"_s << 1;
    QTest::newRow("non-IP host") << QByteArray("listen: example.com:8080\n") << QStringList {}
                                 << u"'example.com' is not an IP address"_s << 1;
    // The error must point at the offending entry, not at the start of the list.
    QTest::newRow("bad second entry") << QByteArray("listen:\n  - 127.0.0.1:8080\n  - 127.0.0.1:99999\n")
                                      << QStringList { u"http://127.0.0.1:8080/mcp"_s }
                                      << u"listen address '127.0.0.1:99999'"_s << 3;
    QTest::newRow("listen is a map") << QByteArray("listen:\n  host: 127.0.0.1\n") << QStringList {}
                                     << u"listen must be a list of strings, not a map"_s << 2;
}

void TestGatewayConfig::listen()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, urls);
    QFETCH(QString, error);
    QFETCH(int, line);

    Diagnostics diagnostics;
    const GatewayConfig c = parse(yaml, diagnostics);
    QStringList got;
    for (const auto &la : c.listen) {
        got.append(la.url(false));
    }
    QCOMPARE(got, urls);
    if (error.isEmpty()) {
        QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
        return;
    }
    QCOMPARE(diagnostics.size(), 1);
    const Diagnostic &d = diagnostics.constFirst();
    QVERIFY2(d.isError() && d.message.contains(error), qPrintable(d.toString()));
    QCOMPARE(d.line, line);
}

void TestGatewayConfig::diagnostics_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected"); // the complete toString() of the single diagnostic
    QTest::addColumn<bool>("isError");

    // http limits
    QTest::newRow("max_request_bytes too small")
        << QByteArray("http:\n  max_request_bytes: 512\n")
        << u"gateway.yaml:2:22: http.max_request_bytes must be between 1024 and 67108864, not 512"_s << true;
    QTest::newRow("max_request_bytes too big")
        << QByteArray("http:\n  max_request_bytes: 67108865\n")
        << u"gateway.yaml:2:22: http.max_request_bytes must be between 1024 and 67108864, not 67108865"_s << true;
    QTest::newRow("max_request_bytes not a number")
        << QByteArray("http:\n  max_request_bytes: 1MB\n")
        << u"gateway.yaml:2:22: http.max_request_bytes must be a whole number, not '1MB'"_s << true;
    QTest::newRow("max_header_bytes too big")
        << QByteArray("http:\n  max_header_bytes: 2097152\n")
        << u"gateway.yaml:2:21: http.max_header_bytes must be between 1024 and 1048576, not 2097152"_s << true;
    QTest::newRow("max_sessions 0") << QByteArray("http:\n  max_sessions: 0\n")
                                    << u"gateway.yaml:2:17: http.max_sessions must be between 1 and 1000000, not 0"_s
                                    << true;
    QTest::newRow("page_size 0") << QByteArray("mcp:\n  page_size: 0\n")
                                 << u"gateway.yaml:2:14: mcp.page_size must be between 1 and 1000, not 0"_s << true;
    QTest::newRow("sse_after_ms negative")
        << QByteArray("mcp:\n  sse_after_ms: -1\n")
        << u"gateway.yaml:2:17: mcp.sse_after_ms must be between 0 and 600000, not -1"_s << true;

    // limits, approvals, admin socket
    QTest::newRow("limits rate bogus") << QByteArray("limits:\n  control:\n    rate: fast\n")
                                       << u"gateway.yaml:3:11: limits.control.rate must look like 10/s, 30/m, 100/h or 0 "
                                          "(unlimited), not 'fast'"_s
                                       << true;
    QTest::newRow("limits unknown tier") << QByteArray("limits:\n  root: {rate: 1/s}\n")
                                         << u"gateway.yaml:2:3: warning: limits: unknown key 'root' (ignored)"_s << false;
    QTest::newRow("approvals timeout 0") << QByteArray("approvals:\n  timeout: 0s\n")
                                         << u"gateway.yaml:2:12: approvals.timeout must be between 1s and 24h"_s << true;

    // files and network
    QTest::newRow("files.deny relative with slash") << QByteArray("files:\n  deny: [\"a/b\"]\n")
                                                    << u"gateway.yaml:2:9: files.deny: path pattern 'a/b' is relative and has "
                                                       u"a '/': a relative pattern is one component (like .env or .ssh), an "
                                                       u"absolute one starts with '/'"_s
                                                    << true;
    QTest::newRow("files.deny dotdot") << QByteArray("files:\n  deny: [\"/etc/../x\"]\n")
                                       << u"gateway.yaml:2:9: files.deny: path pattern '/etc/../x' must not contain '.' or "
                                          u"'..' components"_s
                                       << true;
    QTest::newRow("files.allow relative") << QByteArray("files:\n  allow: [srv]\n")
                                          << u"gateway.yaml:2:10: files.allow: 'srv': path is not absolute (an absolute "
                                             u"directory is expected)"_s
                                          << true;
    QTest::newRow("files unknown key") << QByteArray("files:\n  read: [/srv]\n")
                                       << u"gateway.yaml:2:3: warning: files: unknown key 'read' (ignored)"_s << false;
    QTest::newRow("network.allowed_urls ftp") << QByteArray("network:\n  allowed_urls: [\"ftp://x.example/\"]\n")
                                              << u"gateway.yaml:2:17: network.allowed_urls: 'ftp://x.example/' is not an "
                                                 u"http(s) URL prefix with a host (like https://api.example.com/v1; no user "
                                                 u"info, query or fragment)"_s
                                              << true;
    QTest::newRow("network.allowed_urls userinfo")
        << QByteArray("network:\n  allowed_urls: [\"https://a@169.254.169.254/\"]\n")
        << u"gateway.yaml:2:17: network.allowed_urls: 'https://a@169.254.169.254/' is not an http(s) URL prefix with a "
           u"host (like https://api.example.com/v1; no user info, query or fragment)"_s
        << true;

    // durations
    QTest::newRow("idle_timeout bogus") << QByteArray("http:\n  idle_timeout: bogus\n")
                                        << u"gateway.yaml:2:17: http.idle_timeout: 'bogus' is not a duration "
                                           u"(use e.g. 30s, 15m, 8h, 7d)"_s
                                        << true;
    QTest::newRow("session_timeout 0s") << QByteArray("http:\n  session_timeout: 0s\n")
                                        << u"gateway.yaml:2:20: http.session_timeout must be longer than 0 seconds"_s
                                        << true;
    QTest::newRow("header_timeout list")
        << QByteArray("http:\n  header_timeout:\n    - 5s\n")
        << u"gateway.yaml:3:5: http.header_timeout must be a duration such as 30s or 5m, not a list"_s << true;
    QTest::newRow("max_token_ttl negative")
        << QByteArray("auth:\n  max_token_ttl: -5m\n")
        << u"gateway.yaml:2:18: auth.max_token_ttl: '-5m' is not a duration (use e.g. 30s, 15m, 8h, 7d)"_s << true;

    // tls
    QTest::newRow("tls cert only") << QByteArray("http:\n  tls:\n    cert: c.pem\n")
                                   << u"gateway.yaml:3:5: http.tls needs both 'cert' and 'key' (PEM files)"_s << true;
    QTest::newRow("tls key only") << QByteArray("http:\n  tls:\n    key: k.pem\n")
                                  << u"gateway.yaml:3:5: http.tls needs both 'cert' and 'key' (PEM files)"_s << true;
    QTest::newRow("tls scalar") << QByteArray("http:\n  tls: yes\n")
                                << u"gateway.yaml:2:8: http.tls must be a map, not 'yes'"_s << true;

    // unknown keys warn
    QTest::newRow("unknown top-level key")
        << QByteArray("listen: 127.0.0.1:1\nlistn: 0.0.0.0:1\n")
        << u"gateway.yaml:2:1: warning: gateway.yaml: unknown key 'listn' (ignored)"_s << false;
    QTest::newRow("unknown http key") << QByteArray("http:\n  max_body: 10\n")
                                      << u"gateway.yaml:2:3: warning: http: unknown key 'max_body' (ignored)"_s
                                      << false;
    QTest::newRow("unknown auth key") << QByteArray("auth:\n  mode: token\n  secret: hunter2\n")
                                      << u"gateway.yaml:3:3: warning: auth: unknown key 'secret' (ignored)"_s << false;
    QTest::newRow("unknown tls key") << QByteArray("http:\n  tls:\n    cert: c\n    key: k\n    ca: x\n")
                                     << u"gateway.yaml:5:5: warning: http.tls: unknown key 'ca' (ignored)"_s << false;

    // whole file
    QTest::newRow("top-level list") << QByteArray("- listen\n")
                                    << u"gateway.yaml:1:1: gateway.yaml must be a map, not a list"_s << true;
    QTest::newRow("syntax error") << QByteArray("listen: 127.0.0.1:1\nauth:\n  mode: token: x\n")
                                  << u"gateway.yaml:3:14: YAML syntax error: illegal map value"_s << true;
    QTest::newRow("NUL byte") << QByteArray(
        "auth:\n\0", 7) << u"gateway.yaml: file contains binary data (a NUL byte at offset 6); expected YAML text"_s
                              << true;
}

void TestGatewayConfig::diagnostics()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    QFETCH(bool, isError);

    Diagnostics diagnostics;
    const GatewayConfig c = parse(yaml, diagnostics);
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(diagnostics.constFirst().toString(), expected);
    QCOMPARE(diagnostics.constFirst().isError(), isError);

    // A rejected value leaves the safe default in place.
    const GatewayConfig defaults;
    QCOMPARE(c.maxRequestBytes, defaults.maxRequestBytes);
    QCOMPARE(c.maxSessions, defaults.maxSessions);
    QCOMPARE(c.sessionTimeoutSeconds, defaults.sessionTimeoutSeconds);
    QCOMPARE(c.idleTimeoutSeconds, defaults.idleTimeoutSeconds);
    QCOMPARE(c.maxTokenTtlSeconds, defaults.maxTokenTtlSeconds);
    QCOMPARE(c.pageSize, defaults.pageSize);
    QCOMPARE(c.authMode, GatewayConfig::AuthMode::Token);
    if (isError) {
        QVERIFY(c.tlsCertificate.isEmpty());
    }
}

void TestGatewayConfig::loadFromDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        Diagnostics diagnostics;
        const GatewayConfig c = Tailops::Config::loadGatewayConfig(dir.path(), diagnostics);
        QVERIFY(diagnostics.isEmpty()); // no gateway.yaml: defaults
        QCOMPARE(c.configDir, dir.path());
        QCOMPARE(c.authMode, GatewayConfig::AuthMode::Token);
    }
    QFile f(dir.filePath(u"gateway.yaml"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("auth:\n  secret_file: s\n  mode: nope\n");
    f.close();
    Diagnostics diagnostics;
    const GatewayConfig c = Tailops::Config::loadGatewayConfig(dir.path(), diagnostics);
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(
        diagnostics.constFirst().toString(), u"gateway.yaml:3:9: auth.mode must be token, oauth, both or none, not 'nope'"_s);
    QCOMPARE(c.secretFile, QDir(dir.path()).filePath(u"s"_s));
}

void TestGatewayConfig::parseListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address"); // empty: rejected
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("error");

    QTest::newRow("ipv4") << u"127.0.0.1:8080"_s << u"127.0.0.1"_s << 8080 << u"127.0.0.1"_s << QString();
    QTest::newRow("[::1]:0") << u"[::1]:0"_s << u"::1"_s << 0 << u"::1"_s << QString();
    QTest::newRow("[::]:443") << u"[::]:443"_s << u"::"_s << 443 << u"::"_s << QString();
    QTest::newRow("any") << u"0.0.0.0:65535"_s << u"0.0.0.0"_s << 65535 << u"0.0.0.0"_s << QString();
    QTest::newRow("localhost") << u"localhost:1"_s << u"127.0.0.1"_s << 1 << u"localhost"_s << QString();
    QTest::newRow("port 65536") << u"127.0.0.1:65536"_s << QString() << 0 << QString() << u"port must be 0-65535"_s;
    QTest::newRow("negative port") << u"127.0.0.1:-1"_s << QString() << 0 << QString() << u"port must be 0-65535"_s;
    QTest::newRow("empty port") << u"127.0.0.1:"_s << QString() << 0 << QString() << u"port must be 0-65535"_s;
    QTest::newRow("no host") << u":8080"_s << QString() << 0 << QString() << u"must be HOST:PORT"_s;
    QTest::newRow("no colon") << u"8080"_s << QString() << 0 << QString() << u"must be HOST:PORT"_s;
    QTest::newRow("empty") << QString() << QString() << 0 << QString() << u"must be HOST:PORT"_s;
    QTest::newRow("host name") << u"gw.example.com:8080"_s << QString() << 0 << QString()
                               << u"'gw.example.com' is not an IP address"_s;
    QTest::newRow("[::1] without port") << u"[::1]"_s << QString() << 0 << QString() << u"port must be 0-65535"_s;
    QTest::newRow("bad ipv4") << u"256.1.1.1:80"_s << QString() << 0 << QString() << u"is not an IP address"_s;
    // "::1:8080" is itself a valid IPv6 address: without brackets the port is ambiguous.
    QTest::newRow("unbracketed ipv6") << u"::1:8080"_s << QString() << 0 << QString() << u"in brackets"_s;
}

void TestGatewayConfig::parseListenAddress()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, host);
    QFETCH(QString, error);

    QString message;
    const auto la = Tailops::Config::parseListenAddress(text, &message);
    if (address.isEmpty()) {
        QVERIFY2(!la, qPrintable(la ? la->address.toString() : QString()));
        QVERIFY2(message.contains(error), qPrintable(message));
        if (!text.isEmpty()) {
            QVERIFY(message.contains(text));
        }
        return;
    }
    QVERIFY2(la, qPrintable(message));
    QCOMPARE(la->address, QHostAddress(address));
    QCOMPARE(la->port, port);
    QCOMPARE(la->host, host);
    QCOMPARE(la->isLoopback(), QHostAddress(address).isLoopback());
    if (text == u"[::1]:0") {
        QCOMPARE(la->url(false), u"http://[::1]:0/mcp"_s);
        QCOMPARE(la->url(true), u"https://[::1]:0/mcp"_s);
    }
}

void TestGatewayConfig::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds"); // -1: rejected

    QTest::newRow("bare") << u"90"_s << qint64(90);
    QTest::newRow("s") << u"30s"_s << qint64(30);
    QTest::newRow("m") << u"5m"_s << qint64(300);
    QTest::newRow("h") << u"8h"_s << qint64(8 * 3600);
    QTest::newRow("d") << u"30d"_s << qint64(30 * 86400);
    QTest::newRow("zero") << u"0"_s << qint64(0);
    QTest::newRow("spaces around") << u"  15m "_s << qint64(900);
    QTest::newRow("2^40 s") << u"1099511627776"_s << (qint64(1) << 40);
    QTest::newRow("2^40 s + 1") << u"1099511627777"_s << qint64(-1);
    QTest::newRow("huge days") << u"9223372036854775807d"_s << qint64(-1);
    QTest::newRow("beyond qint64") << u"99999999999999999999"_s << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("blank") << u"   "_s << qint64(-1);
    QTest::newRow("bogus") << u"bogus"_s << qint64(-1);
    QTest::newRow("unit only") << u"m"_s << qint64(-1);
    QTest::newRow("negative") << u"-5s"_s << qint64(-1);
    QTest::newRow("fraction") << u"1.5h"_s << qint64(-1);
    QTest::newRow("unknown unit") << u"5w"_s << qint64(-1);
    QTest::newRow("two units") << u"1h30m"_s << qint64(-1);
    QTest::newRow("hex") << u"0x10"_s << qint64(-1);
}

void TestGatewayConfig::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);

    const auto result = Tailops::Config::parseDuration(text);
    if (seconds < 0) {
        QVERIFY2(!result, qPrintable(QString::number(result ? *result : 0)));
        QVERIFY(!result.error().message.isEmpty());
        if (!text.trimmed().isEmpty()) {
            QVERIFY2(result.error().message.contains(text), qPrintable(result.error().message));
        }
    } else {
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(*result, seconds);
    }
}

QTEST_GUILESS_MAIN(TestGatewayConfig)

#include "tst_gatewayconfig.moc"
