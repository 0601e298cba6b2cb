// The security core end to end, through the real tailops-gateway over HTTP: HMAC tokens (the original's
// format), scopes, target capabilities, host tags, policy.yaml rules and parameter constraints, argument
// hygiene, approvals (bound to the exact call), the kill switch and read-only switch, rate limits, quotas
// and the per-caller concurrency cap. The attack corpus checks every refusal's code and message and that
// the audit log shows no allow decision for any of them (an allow record is written before anything runs,
// so without one nothing reached a tool or an executor).
#include "gatewayprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;
using Reply = HttpResponse;

namespace {

const QByteArray kSecret = "security-gate-secret-0123456789abcdef";

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// A token exactly as the original's scripts/mint_token.py builds it: base64url(compact JSON) + "." +
// lowercase hex HMAC-SHA256(secret, that base64url text). Written here from that description only.
QByteArray signClaims(const QByteArray &claimsJson, const QByteArray &secret = kSecret)
{
    const QByteArray payload = b64(claimsJson);
    return payload + '.' + QMessageAuthenticationCode::hash(payload, secret, QCryptographicHash::Sha256).toHex();
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzz000Z"_s);
}

QByteArray mint(const QStringList &scopes, const QString &agent = u"sec-test"_s, qint64 ttl = 3600,
                const QStringList &hostTags = {}, const QString &jti = {})
{
    QJsonObject c { { u"agent"_s, agent }, { u"scopes"_s, QJsonArray::fromStringList(scopes) },
                    { u"host_tags"_s, QJsonArray::fromStringList(hostTags) },
                    { u"expiry"_s, iso(QDateTime::currentDateTimeUtc().addSecs(ttl)) } };
    if (!jti.isEmpty()) {
        c.insert(u"jti"_s, jti);
        c.insert(u"iat"_s, iso(QDateTime::currentDateTimeUtc()));
    }
    return signClaims(QJsonDocument(c).toJson(QJsonDocument::Compact));
}

// The gateway under test, with the token-centric MCP calls the tests make.
struct Gateway : GatewayProcess
{
    Gateway() { sharedSecret = QString::fromLatin1(kSecret); }

    QByteArray initialize(const QByteArray &token) { return openSession(endpoint(), { bearer(token) }, u"sec"_s); }

    QList<QByteArray> sessionHeaders(const QByteArray &token, const QByteArray &session) const
    {
        return { bearer(token), "Mcp-Session-Id: " + session, "Mcp-Protocol-Version: 2025-11-25" };
    }

    std::unique_ptr<HttpRequest> startCall(const QByteArray &token, const QByteArray &session, const QString &id,
                                           const QString &tool, const QJsonObject &arguments, bool progress = false)
    {
        return std::make_unique<HttpRequest>(endpoint(), "POST", "/mcp", sessionHeaders(token, session),
                                             callBody(id, tool, arguments, progress ? QJsonValue(id) : QJsonValue()));
    }

    Reply call(const QByteArray &token, const QByteArray &session, const QString &id, const QString &tool,
                      const QJsonObject &arguments)
    {
        return startCall(token, session, id, tool, arguments)->finish();
    }

    QStringList toolNames(const QByteArray &token)
    {
        const QByteArray session = initialize(token);
        HttpRequest r(endpoint(), "POST", "/mcp", sessionHeaders(token, session), R"({"jsonrpc":"2.0","id":"l","method":"tools/list"})");
        QStringList names;
        const QJsonArray tools = r.finish().rpc().value(u"result"_s).toObject().value(u"tools"_s).toArray();
        for (const QJsonValue &t : tools) {
            names.append(t.toObject().value(u"name"_s).toString());
        }
        return names;
    }

    // Decision records of the audit log by request id.
    QHash<QString, QStringList> decisions() const
    {
        QHash<QString, QStringList> out;
        for (const QJsonObject &o : readAuditLog(auditPath)) {
            if (o.value(u"event"_s).toString() == u"decision") {
                out[o.value(u"request_id"_s).toString()].append(o.value(u"decision"_s).toString() + u':'
                                                                 + o.value(u"rule"_s).toString());
            }
        }
        return out;
    }
};

void write(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

} // namespace

class TestSecurityGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void toolsListPerToken();
    void originalFormatToken();
    void sessionActsWithPresentedToken();
    void attackCorpus_data();
    void attackCorpus();
    void corpusNeverReachedATool();
    void symlinkResolvedOnTarget();
    void approvals();
    void approvalTimeout();
    void switches();
    void revocation();
    void rateLimitsAndQuotas();

private:
    QTemporaryDir m_dir { QDir::tempPath() + u"/tsg-XXXXXX"_s };
    Gateway m_gw;
    QByteArray m_admin;
    QByteArray m_readonly;
    QByteArray m_session; // of m_admin
    QStringList m_corpusIds;
};

void TestSecurityGate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString d = m_dir.path();
    QDir().mkpath(d + u"/allowed"_s);
    write(d + u"/allowed/notes.txt"_s, "hello from the allowed directory\n");
    write(d + u"/secret.txt"_s, "TOP-SECRET-CONTENT\n");
    QVERIFY(QFile::link(d + u"/secret.txt"_s, d + u"/allowed/link"_s));
    write(d + u"/gateway.yaml"_s, QStringLiteral(R"(auth:
  mode: token
  tokens_file: state/tokens.json
  max_token_ttl: 30d
limits:
  observe: {rate: 1000/s, burst: 1000}
  control: {rate: 1000/s, burst: 1000}
  admin: {rate: 1000/s, burst: 1000}
  concurrency: 2
approvals:
  timeout: 60s
admin:
  socket: %1/run/admin.sock
mcp:
  sse_after_ms: 200
)").arg(d).toUtf8());
    write(d + u"/targets.yaml"_s, R"(version: "1.0"
targets:
  local:
    type: local
    capabilities: [system:read, file:read, container:read, container:write, system:admin, network:diag]
    metadata: {tags: [lab]}
    constraints: {concurrency: 8}
  prod-box:
    type: local
    capabilities: [system:read, system:admin]
    metadata: {tags: [prod]}
  lab2:
    type: local
    capabilities: [system:read, system:admin]
  fast:
    type: local
    capabilities: [system:admin]
)");
    write(d + u"/policy.yaml"_s, QStringLiteral(R"(version: "1"
default: deny
rules:
  - name: observe
    effect: allow
    tools: ["list_targets", "get_*", "test_connectivity"]
  - name: files
    effect: allow
    tools: [read_file]
    params:
      path: {required: true, path_prefixes: ["%1/allowed", /var/log]}
  - name: containers
    effect: allow
    tools: [manage_container]
    tier: control
  - name: commands-need-approval
    effect: require_approval
    tools: [run_command]
    targets: [local]
    params:
      argv: {max_length: 8}
  - name: short-approval
    effect: require_approval
    tools: [run_command]
    targets: [fast]
    params:
      timeout_seconds: {min: 1, max: 7}
    approval_timeout: 2s
  - name: no-prod-commands
    effect: deny
    tools: [run_command]
    targets: ["tag:prod"]
)").arg(d).toUtf8());
    m_gw.configDir = d;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s; // the gateway's own files are protected from read_file
    QDir().mkpath(d + u"/audit"_s);
    QVERIFY2(m_gw.start(), qPrintable(m_gw.errorString()));
    m_admin = mint({ u"admin"_s }, u"admin-agent"_s);
    m_readonly = mint({ u"readonly"_s }, u"readonly-agent"_s);
    m_session = m_gw.initialize(m_admin);
    QVERIFY(!m_session.isEmpty());
}

void TestSecurityGate::cleanupTestCase()
{
    const qint64 pid = m_gw.processId();
    m_gw.terminate();
    QVERIFY(m_gw.waitForFinished(10000));
    QVERIFY(pid > 0);
}

void TestSecurityGate::toolsListPerToken()
{
    const QStringList admin = m_gw.toolNames(m_admin);
    const QStringList readonly = m_gw.toolNames(m_readonly);
    const QStringList containers = m_gw.toolNames(mint({ u"container:read"_s }));
    QVERIFY2(admin.contains(u"run_command"_s) && admin.contains(u"manage_container"_s), qPrintable(admin.join(u',')));
    QVERIFY(readonly.contains(u"get_system_status"_s));
    QVERIFY(readonly.contains(u"read_file"_s));
    // A read-only token is not even shown a tool that changes anything.
    QVERIFY(!readonly.contains(u"run_command"_s));
    QVERIFY(!readonly.contains(u"manage_container"_s));
    QVERIFY(readonly.size() < admin.size());
    QVERIFY(containers.contains(u"get_container_list"_s));
    QVERIFY(!containers.contains(u"get_system_status"_s));
    QVERIFY(containers != readonly);
}

void TestSecurityGate::originalFormatToken()
{
    // Claims as the original's mint_token.py writes them (no jti, no iat, microsecond expiry).
    const QByteArray token = signClaims(QJsonDocument(QJsonObject {
                                            { u"agent"_s, u"legacy-bot"_s },
                                            { u"scopes"_s, QJsonArray { u"system:read"_s, u"network:read"_s } },
                                            { u"host_tags"_s, QJsonArray() },
                                            { u"expiry"_s, iso(QDateTime::currentDateTimeUtc().addDays(1)) } })
                                            .toJson(QJsonDocument::Compact));
    const QByteArray session = m_gw.initialize(token);
    QVERIFY(!session.isEmpty());
    const Reply ok = m_gw.call(token, session, u"legacy-1"_s, u"get_system_status"_s, { { u"target"_s, u"local"_s } });
    QCOMPARE(ok.status, 200);
    QVERIFY2(!ok.isToolError(), qPrintable(ok.text()));
    const Reply no = m_gw.call(token, session, u"legacy-2"_s, u"read_file"_s,
                               { { u"path"_s, QString(m_dir.path() + u"/allowed/notes.txt"_s) } });
    QVERIFY(no.isToolError());
    QVERIFY2(no.text().contains(u"needs the file:read scope"_s), qPrintable(no.text()));
}

void TestSecurityGate::sessionActsWithPresentedToken()
{
    // Two tokens of one agent: a session opened with the admin one gives the read-only one nothing more.
    const QByteArray strong = mint({ u"admin"_s }, u"same-agent"_s);
    const QByteArray weak = mint({ u"readonly"_s }, u"same-agent"_s);
    const QByteArray session = m_gw.initialize(strong);
    QVERIFY(!session.isEmpty());
    const QJsonObject dry { { u"argv"_s, QJsonArray { u"id"_s } }, { u"dry_run"_s, true }, { u"target"_s, u"lab2"_s } };
    const Reply refused = m_gw.call(weak, session, u"same-1"_s, u"run_command"_s, dry);
    QVERIFY(refused.isToolError());
    QVERIFY2(refused.text().contains(u"needs the system:admin scope"_s), qPrintable(refused.text()));
    // The strong token on the same session is judged as itself (lab2 has no allow rule: default deny).
    const Reply strongReply = m_gw.call(strong, session, u"same-2"_s, u"run_command"_s, dry);
    QVERIFY2(strongReply.text().contains(u"default: deny"_s), qPrintable(strongReply.text()));
}

void TestSecurityGate::attackCorpus_data()
{
    QTest::addColumn<QByteArray>("token");      // empty: none sent
    QTest::addColumn<QByteArray>("extraHeader"); // e.g. spoofed identity headers
    QTest::addColumn<QString>("tool");          // empty: the request is initialize (token attacks)
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<int>("status");            // HTTP status
    QTest::addColumn<int>("rpcCode");           // JSON-RPC error code, 0 = a tool error result
    QTest::addColumn<QString>("message");       // must appear in the error text

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto claims = [&](const QJsonObject &extra) {
        QJsonObject c { { u"agent"_s, u"attacker"_s }, { u"scopes"_s, QJsonArray { u"admin"_s } },
                        { u"host_tags"_s, QJsonArray() }, { u"expiry"_s, iso(now.addSecs(3600)) } };
        for (auto it = extra.begin(); it != extra.end(); ++it) {
            c.insert(it.key(), it.value());
        }
        return QJsonDocument(c).toJson(QJsonDocument::Compact);
    };
    const QByteArray good = mint({ u"admin"_s }, u"attacker"_s);
    const QByteArray goodPayload = good.split('.').at(0);
    const QString allowed = m_dir.path() + u"/allowed"_s;
    const QJsonObject none;
    const auto args = [](std::initializer_list<std::pair<QString, QJsonValue>> list) {
        QJsonObject o;
        for (const auto &[k, v] : list) {
            o.insert(k, v);
        }
        return o;
    };
    const auto tokenRow = [&](const char *name, const QByteArray &token, const QString &message, const QByteArray &header = {}) {
        QTest::newRow(name) << token << header << QString() << none << 401 << 0 << message;
    };

    // --- tokens (refused before any session exists) ---
    tokenRow("no token", {}, u"missing token"_s);
    tokenRow("garbage", "not-a-token", u"malformed token"_s);
    tokenRow("empty signature", goodPayload + '.', u"invalid token signature"_s);
    tokenRow("truncated signature", good.left(good.size() - 6), u"invalid token signature"_s);
    tokenRow("three parts", good + ".x", u"JWT access tokens are not accepted here"_s);
    tokenRow("forged scopes, old signature",
             b64(claims({ { u"scopes"_s, QJsonArray { u"admin"_s, u"system:admin"_s } } })) + '.' + good.split('.').at(1),
             u"invalid token signature"_s);
    tokenRow("re-signed with another secret", signClaims(claims({}), "not-the-secret"), u"invalid token signature"_s);
    tokenRow("signature uppercase hex", goodPayload + '.' + good.split('.').at(1).toUpper(), u"invalid token signature"_s);
    tokenRow("expired", signClaims(claims({ { u"expiry"_s, iso(now.addSecs(-60)) } })), u"token expired"_s);
    tokenRow("no expiry", signClaims(claims({ { u"expiry"_s, QJsonValue() } }).replace(",\"expiry\":null", "")),
             u"token has no expiry"_s);
    tokenRow("future iat", signClaims(claims({ { u"iat"_s, iso(now.addSecs(3600)) } })), u"token issued in the future"_s);
    tokenRow("lifetime over max ttl",
             signClaims(claims({ { u"iat"_s, iso(now) }, { u"expiry"_s, iso(now.addDays(400)) } })),
             u"token lifetime exceeds auth.max_token_ttl"_s);
    tokenRow("payload not JSON", signClaims("this is not json"), u"invalid token payload JSON"_s);
    tokenRow("scopes not a list", signClaims(claims({ { u"scopes"_s, u"admin"_s } })), u"invalid token claims"_s);
    tokenRow("expiry not a time", signClaims(claims({ { u"expiry"_s, u"tomorrow"_s } })), u"invalid token claims"_s);
    tokenRow("basic auth", "", u"missing token"_s, "Authorization: Basic YWRtaW46YWRtaW4=");
    tokenRow("spoofed tailscale headers", {}, u"missing token"_s,
             "Tailscale-User-Login: admin@example.com\r\nTailscale-User-Name: Admin\r\nTailscale-User-Profile-Pic: x");
    tokenRow("alg none JWT",
             b64(R"({"alg":"none","typ":"JWT"})") + '.' + b64(claims({})) + '.', u"JWT access tokens are not accepted here"_s);

    const QByteArray readonly = mint({ u"readonly"_s }, u"ro-attacker"_s);
    const QByteArray unknownScope = mint({ u"system:root"_s, u"everything"_s }, u"unknown-scope"_s);
    const QByteArray containerOnly = mint({ u"container:read"_s }, u"wrong-scope"_s);
    const QByteArray prodOnly = mint({ u"admin"_s }, u"prod-only"_s, 3600, { u"prod"_s });
    const auto toolRow = [&](const char *name, const QByteArray &token, const QString &tool, const QJsonObject &a,
                             int rpcCode, const QString &message, const QByteArray &header = {}) {
        QTest::newRow(name) << token << header << tool << a << 200 << rpcCode << message;
    };
    const QString notPermitted = u"Operation not permitted for target"_s;

    // --- scopes, capabilities, host tags, registry ---
    toolRow("readonly: run_command", readonly, u"run_command"_s, args({ { u"argv"_s, QJsonArray { u"id"_s } } }), 0,
            u"run_command needs the system:admin scope"_s);
    toolRow("readonly: manage_container", readonly, u"manage_container"_s,
            args({ { u"container"_s, u"web"_s }, { u"action"_s, u"stop"_s } }), 0, u"needs the container:write scope"_s);
    toolRow("readonly: dry run is still a write tool", readonly, u"run_command"_s,
            args({ { u"argv"_s, QJsonArray { u"reboot"_s } }, { u"dry_run"_s, true } }), 0, notPermitted);
    toolRow("readonly + spoofed headers", readonly, u"run_command"_s, args({ { u"argv"_s, QJsonArray { u"id"_s } } }), 0,
            u"needs the system:admin scope"_s, "Tailscale-User-Login: root@example.com");
    toolRow("unknown scopes only", unknownScope, u"get_system_status"_s, none, 0, u"needs the system:read scope"_s);
    toolRow("wrong scope", containerOnly, u"get_system_status"_s, none, 0, u"needs the system:read scope"_s);
    toolRow("host_tags exclude target", prodOnly, u"get_system_status"_s, args({ { u"target"_s, u"local"_s } }), 0,
            u"carries none of this token's host tags"_s);
    toolRow("capability missing", good, u"read_file"_s, args({ { u"target"_s, u"prod-box"_s }, { u"path"_s, u"/var/log/syslog"_s } }),
            0, u"its capabilities lack file:read"_s);
    toolRow("unknown target", good, u"get_system_status"_s, args({ { u"target"_s, u"nowhere"_s } }), 0,
            u"Target not found in registry"_s);
    toolRow("unknown tool", good, u"format_disk"_s, none, -32602, u"Unknown tool: format_disk"_s);

    // --- policy rules ---
    toolRow("policy deny rule (prod)", good, u"run_command"_s, args({ { u"target"_s, u"prod-box"_s }, { u"argv"_s, QJsonArray { u"id"_s } } }),
            0, u"denied by policy rule 'no-prod-commands'"_s);
    toolRow("policy default deny", good, u"run_command"_s, args({ { u"target"_s, u"lab2"_s }, { u"argv"_s, QJsonArray { u"id"_s } } }),
            0, u"no policy rule allows tool 'run_command' on target 'lab2' (default: deny)"_s);
    toolRow("param max_length", good, u"run_command"_s,
            args({ { u"argv"_s, QJsonArray { u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s, u"g"_s, u"h"_s, u"i"_s } } }), 0,
            u"policy rule 'commands-need-approval'"_s);
    toolRow("path missing", good, u"read_file"_s, none, -32602, u"Invalid arguments for tool read_file"_s);

    // --- path traversal variants ---
    const auto pathRow = [&](const char *name, const QString &path, int code, const QString &message) {
        toolRow(name, good, u"read_file"_s, args({ { u"path"_s, path } }), code, message);
    };
    pathRow("path /etc/passwd", u"/etc/passwd"_s, 0, u"policy rule 'files'"_s);
    pathRow("path dotdot", QString(allowed + u"/../secret.txt"_s), 0, u"policy rule 'files'"_s);
    pathRow("path deep dotdot", QString(allowed + u"/../../../../etc/shadow"_s), 0, u"file deny list (/etc/shadow)"_s);
    pathRow("path /var/log escape", u"/var/log/../../etc/shadow"_s, 0, u"file deny list (/etc/shadow)"_s);
    pathRow("path prefix trick", QString(allowed + u"foo/x"_s), 0, u"policy rule 'files'"_s);
    pathRow("path double slashes", u"//etc//passwd"_s, 0, u"policy rule 'files'"_s);
    pathRow("path dot segments", u"/var/./log/./../../root/.ssh/id_rsa"_s, 0, u"/root/.ssh/id_rsa is (or is in) the gateway's own"_s);
    pathRow("path relative", u"etc/passwd"_s, -32602, u"must be an absolute path"_s);
    pathRow("path dot relative", u"./allowed/notes.txt"_s, -32602, u"must be an absolute path"_s);
    pathRow("path NUL", QString(allowed + QChar(0) + u"/../../etc/passwd"_s), -32602, u"NUL characters are not allowed"_s);
    pathRow("path newline", QString(allowed + u"/notes.txt\n/etc/passwd"_s), -32602, u"line breaks (CR/LF) are not allowed"_s);
    pathRow("path CR", QString(allowed + u"/notes.txt\r"_s), -32602, u"line breaks (CR/LF) are not allowed"_s);
    pathRow("path as option", u"--help"_s, -32602, u"may not start with '-'"_s);
    pathRow("path too long", QString(u'/' + QString(2000, u'a')), -32602, u"Invalid arguments for tool read_file"_s);
    pathRow("path tilde", u"~root/.ssh/id_rsa"_s, -32602, u"must be an absolute path"_s);
    pathRow("path audit log", QString(m_dir.path() + u"/audit/audit.jsonl"_s), 0, u"which no tool may open on 'local'"_s);
    pathRow("path proc environ", u"/proc/self/environ"_s, 0, u"which no tool may open on 'local'"_s);
    pathRow("path ssh keys", u"/root/.ssh/id_ed25519"_s, 0, u"which no tool may open on 'local'"_s);
    pathRow("path admin socket dir", QString(m_dir.path() + u"/run/../run/admin.sock"_s), 0, u"which no tool may open"_s);
    toolRow("connectivity outside host tags", prodOnly, u"test_connectivity"_s, args({ { u"targets"_s, QJsonArray { u"local"_s } } }),
            0, u"carries none of this token's host tags"_s);
    toolRow("connectivity of all targets", prodOnly, u"test_connectivity"_s, none, 0, u"carries none of this token's host tags"_s);

    // --- option injection and other hygiene ---
    toolRow("container name option", good, u"get_container_logs"_s,
            args({ { u"container"_s, u"--all"_s } }), -32602, u"Invalid arguments for tool get_container_logs"_s);
    toolRow("logs since option", good, u"get_container_logs"_s,
            args({ { u"container"_s, u"web"_s }, { u"since"_s, u"--until=now"_s } }), -32602, u"Invalid arguments"_s);
    toolRow("container action not in enum", good, u"manage_container"_s,
            args({ { u"container"_s, u"web"_s }, { u"action"_s, u"kill"_s } }), -32602, u"Invalid arguments"_s);
    toolRow("target with newline", good, u"get_system_status"_s, args({ { u"target"_s, u"local\nprod-box"_s } }), -32602,
            u"Invalid arguments"_s);
    toolRow("target as option", good, u"get_system_status"_s, args({ { u"target"_s, u"-oProxyCommand=sh"_s } }), -32602,
            u"Invalid arguments"_s);
    toolRow("argv with NUL", good, u"run_command"_s, args({ { u"argv"_s, QJsonArray { QString(u"id"_s + QChar(0) + u"x"_s) } } }),
            -32602, u"NUL characters are not allowed"_s);
    toolRow("argv with newline", good, u"run_command"_s, args({ { u"argv"_s, QJsonArray { u"echo"_s, u"a\nb"_s } } }), -32602,
            u"line breaks (CR/LF) are not allowed"_s);
    toolRow("argv oversized", good, u"run_command"_s, args({ { u"argv"_s, QJsonArray { u"echo"_s, QString(5000, u'x') } } }),
            -32602, u"more than the limit of 4096"_s);
    toolRow("argv too many items", good, u"run_command"_s, args({ { u"argv"_s, [] {
                                                                       QJsonArray a;
                                                                       for (int i = 0; i < 65; ++i) {
                                                                           a.append(u"x"_s);
                                                                       }
                                                                       return a;
                                                                   }() } }),
            -32602, u"Invalid arguments"_s);
    toolRow("argv empty", good, u"run_command"_s, args({ { u"argv"_s, QJsonArray() } }), -32602, u"Invalid arguments"_s);
    toolRow("argv not strings", good, u"run_command"_s, args({ { u"argv"_s, QJsonArray { 1, 2 } } }), -32602,
            u"Invalid arguments"_s);
    toolRow("unexpected argument", good, u"get_system_status"_s, args({ { u"shell"_s, u"sh -c id"_s } }), -32602,
            u"Invalid arguments"_s);
    toolRow("max_bytes huge", good, u"read_file"_s,
            args({ { u"path"_s, QString(allowed + u"/notes.txt"_s) }, { u"max_bytes"_s, 1e12 } }), -32602, u"Invalid arguments"_s);
    toolRow("timeout over the rule's max", good, u"run_command"_s,
            args({ { u"target"_s, u"fast"_s }, { u"argv"_s, QJsonArray { u"sleep"_s, u"1"_s } }, { u"timeout_seconds"_s, 3600 } }), 0,
            u"policy rule 'short-approval'"_s);
}

void TestSecurityGate::attackCorpus()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, extraHeader);
    QFETCH(QString, tool);
    QFETCH(QJsonObject, arguments);
    QFETCH(int, status);
    QFETCH(int, rpcCode);
    QFETCH(QString, message);

    QList<QByteArray> headers;
    if (!token.isEmpty()) {
        headers.append("Authorization: Bearer " + token);
    }
    if (!extraHeader.isEmpty()) {
        headers.append(extraHeader);
    }
    if (tool.isEmpty()) {
        const Reply reply = httpRequest(m_gw.endpoint(), "POST", "/mcp", headers, initializeBody(u"x"_s));
        QCOMPARE(reply.status, status);
        QVERIFY(reply.header("www-authenticate").startsWith("Bearer"));
        QVERIFY2(reply.body.contains(message.toUtf8()), reply.body.constData());
        // RFC 6750 3.1: a request without credentials gets a challenge without an error code.
        QCOMPARE(reply.header("www-authenticate").contains("error="), !token.isEmpty());
        // The token never comes back, in any form.
        if (token.size() > 8) {
            QVERIFY(!reply.body.contains(token) && !reply.head.contains(token));
        }
        return;
    }
    const QByteArray session = m_gw.initialize(token);
    QVERIFY(!session.isEmpty());
    QList<QByteArray> sessionHeaders = m_gw.sessionHeaders(token, session);
    if (!extraHeader.isEmpty()) {
        sessionHeaders.append(extraHeader);
    }
    const QString id = u"atk-"_s + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'_');
    m_corpusIds.append(id);
    const Reply reply = httpRequest(m_gw.endpoint(), "POST", "/mcp", sessionHeaders, callBody(id, tool, arguments));
    QCOMPARE(reply.status, status);
    if (rpcCode != 0) {
        QCOMPARE(reply.rpcCode(), rpcCode);
    } else {
        QVERIFY2(reply.isToolError(), reply.body.constData());
    }
    QVERIFY2(reply.text().contains(message), qPrintable(reply.text()));
    QVERIFY(!reply.text().contains(u"TOP-SECRET"_s));
}

void TestSecurityGate::corpusNeverReachedATool()
{
    QVERIFY(m_corpusIds.size() >= 40);
    QHash<QString, QStringList> decisions;
    // Deny records are written asynchronously (group commit): wait until all are on disk.
    QTRY_VERIFY_WITH_TIMEOUT(((decisions = m_gw.decisions()),
                              std::all_of(m_corpusIds.cbegin(), m_corpusIds.cend(), [&](const QString &id) { return decisions.contains(id); })),
                             10000);
    for (const QString &id : std::as_const(m_corpusIds)) {
        const QStringList &d = decisions.value(id);
        QVERIFY2(!d.isEmpty(), qPrintable(id));
        for (const QString &entry : d) {
            QVERIFY2(entry.startsWith(u"deny:"_s), qPrintable(id + u" -> "_s + d.join(u", "_s)));
        }
    }
}

void TestSecurityGate::symlinkResolvedOnTarget()
{
    const QString allowed = m_dir.path() + u"/allowed"_s;
    const Reply ok = m_gw.call(m_admin, m_session, u"sym-ok"_s, u"read_file"_s, { { u"path"_s, QString(allowed + u"/notes.txt"_s) } });
    QVERIFY2(!ok.isToolError(), qPrintable(ok.text()));
    QVERIFY(ok.text().contains(u"hello from the allowed directory"_s));
    // allowed/link -> ../secret.txt: lexically under the allowed prefix, really outside it.
    const Reply link = m_gw.call(m_admin, m_session, u"sym-link"_s, u"read_file"_s, { { u"path"_s, QString(allowed + u"/link"_s) } });
    QVERIFY(link.isToolError());
    QVERIFY2(link.text().contains(u"resolves to %1/secret.txt"_s.arg(m_dir.path())), qPrintable(link.text()));
    QVERIFY(!link.body.contains("TOP-SECRET"));
}

void TestSecurityGate::approvals()
{
    const QJsonObject hi { { u"argv"_s, QJsonArray { u"echo"_s, u"approved-call"_s } } };
    auto first = m_gw.startCall(m_admin, m_session, u"ap-1"_s, u"run_command"_s, hi, true);
    // It waits for a human: the admin socket lists it.
    QString id;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 const auto [code, out] = m_gw.cli({ u"approvals"_s, u"list"_s, u"--json"_s });
                                 const QJsonArray pending = QJsonDocument::fromJson(out).object().value(u"pending"_s).toArray();
                                 id = pending.isEmpty() ? QString() : pending.at(0).toObject().value(u"id"_s).toString();
                                 return code == 0 && !id.isEmpty();
                             }()),
                             10000);
    // Approve, and allow the very same call for 10 minutes.
    auto [code, out] = m_gw.cli({ u"approvals"_s, u"approve"_s, id, u"--for"_s, u"10m"_s });
    QVERIFY2(code == 0, out.constData());
    const Reply done = first->finish();
    QVERIFY2(!done.isToolError(), qPrintable(done.text()));
    QVERIFY(done.text().contains(u"approved-call"_s));
    QVERIFY2(done.body.contains("notifications/progress"), done.body.constData()); // it said it was waiting
    // Replaying the decided approval is refused.
    std::tie(code, out) = m_gw.cli({ u"approvals"_s, u"approve"_s, id });
    QCOMPARE(code, 1);
    QVERIFY2(out.contains("no pending approval"), out.constData());
    // The same call runs under the grant; one with changed arguments waits again.
    const Reply again = m_gw.call(m_admin, m_session, u"ap-2"_s, u"run_command"_s, hi);
    QVERIFY2(!again.isToolError() && again.text().contains(u"approved-call"_s), qPrintable(again.text()));
    const QJsonObject changed { { u"argv"_s, QJsonArray { u"echo"_s, u"changed-arguments"_s } } };
    auto third = m_gw.startCall(m_admin, m_session, u"ap-3"_s, u"run_command"_s, changed);
    QString id3;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 const QJsonArray pending = QJsonDocument::fromJson(m_gw.cli({ u"approvals"_s, u"list"_s, u"--json"_s }).second)
                                                                .object().value(u"pending"_s).toArray();
                                 id3 = pending.isEmpty() ? QString() : pending.at(0).toObject().value(u"id"_s).toString();
                                 return !id3.isEmpty();
                             }()),
                             10000);
    QVERIFY(id3 != id);
    std::tie(code, out) = m_gw.cli({ u"approvals"_s, u"deny"_s, id3, u"--reason"_s, u"not today"_s });
    QVERIFY2(code == 0, out.constData());
    const Reply denied = third->finish();
    QVERIFY(denied.isToolError());
    QVERIFY2(denied.text().contains(u"the approver denied run_command (not today)"_s), qPrintable(denied.text()));
    QVERIFY(!denied.text().contains(u"changed-arguments\n"_s));
    QTRY_VERIFY_WITH_TIMEOUT(m_gw.decisions().value(u"ap-3"_s).join(u',').contains(u"deny:approval-denied"_s), 5000);
    QVERIFY(m_gw.decisions().value(u"ap-1"_s).join(u',').contains(u"allow:approval by admin-socket"_s));
}

void TestSecurityGate::approvalTimeout()
{
    // The short-approval rule waits 2 s; nobody decides.
    QElapsedTimer t;
    t.start();
    const Reply r = m_gw.call(m_admin, m_session, u"ap-timeout"_s, u"run_command"_s,
                              { { u"target"_s, u"fast"_s }, { u"argv"_s, QJsonArray { u"echo"_s, u"never"_s } }, { u"timeout_seconds"_s, 5 } });
    QVERIFY(r.isToolError());
    QVERIFY2(r.text().contains(u"no approver decided on run_command in time; denied"_s), qPrintable(r.text()));
    QVERIFY(t.elapsed() >= 1900);
    QTRY_VERIFY_WITH_TIMEOUT(m_gw.decisions().value(u"ap-timeout"_s).join(u',').contains(u"deny:approval-timeout"_s), 5000);
}

void TestSecurityGate::switches()
{
    auto [code, out] = m_gw.cli({ u"read-only"_s, u"on"_s });
    QVERIFY2(code == 0, out.constData());
    QVERIFY(!m_gw.toolNames(m_admin).contains(u"run_command"_s));
    Reply r = m_gw.call(m_admin, m_session, u"sw-1"_s, u"manage_container"_s,
                        { { u"container"_s, u"web"_s }, { u"action"_s, u"restart"_s } });
    QVERIFY2(r.text().contains(u"the gateway is in read-only mode"_s), qPrintable(r.text()));
    r = m_gw.call(m_admin, m_session, u"sw-2"_s, u"get_system_status"_s, {});
    QVERIFY2(!r.isToolError(), qPrintable(r.text()));
    std::tie(code, out) = m_gw.cli({ u"read-only"_s, u"off"_s });
    QCOMPARE(code, 0);
    QVERIFY(m_gw.toolNames(m_admin).contains(u"run_command"_s));

    // The kill switch: nothing runs, not even reads, until resumed.
    std::tie(code, out) = m_gw.cli({ u"pause"_s });
    QVERIFY2(code == 0, out.constData());
    r = m_gw.call(m_admin, m_session, u"sw-3"_s, u"get_system_status"_s, {});
    QVERIFY(r.isToolError());
    QVERIFY2(r.text().contains(u"the gateway is paused"_s), qPrintable(r.text()));
    std::tie(code, out) = m_gw.cli({ u"resume"_s });
    QCOMPARE(code, 0);
    r = m_gw.call(m_admin, m_session, u"sw-4"_s, u"get_system_status"_s, {});
    QVERIFY2(!r.isToolError(), qPrintable(r.text()));
}

void TestSecurityGate::revocation()
{
    auto [code, out] = m_gw.cli({ u"token"_s, u"mint"_s, u"--agent"_s, u"to-revoke"_s, u"--scopes"_s, u"readonly"_s, u"--ttl"_s, u"1h"_s });
    QVERIFY2(code == 0, out.constData());
    const QByteArray token = out.split('\n').value(0).trimmed();
    const QByteArray session = m_gw.initialize(token);
    QVERIFY(!session.isEmpty());
    QVERIFY(!m_gw.call(token, session, u"rv-1"_s, u"get_system_status"_s, {}).isToolError());
    const QString jti = QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').at(0), QByteArray::Base64UrlEncoding))
                            .object().value(u"jti"_s).toString();
    QVERIFY(!jti.isEmpty());
    std::tie(code, out) = m_gw.cli({ u"token"_s, u"revoke"_s, jti });
    QVERIFY2(code == 0, out.constData());
    const Reply refused =
        httpRequest(m_gw.endpoint(), "POST", "/mcp", m_gw.sessionHeaders(token, session), R"({"jsonrpc":"2.0","id":"rv-2","method":"tools/list"})");
    QCOMPARE(refused.status, 401);
    QVERIFY2(refused.body.contains("token revoked"), refused.body.constData());
}

void TestSecurityGate::rateLimitsAndQuotas()
{
    QTemporaryDir dir(QDir::tempPath() + u"/tsr-XXXXXX"_s);
    write(dir.path() + u"/gateway.yaml"_s, QStringLiteral(R"(limits:
  observe: {rate: 1/m, burst: 3}
  control: {rate: 100/s, burst: 100, daily: 2}
  admin: {rate: 100/s, burst: 100}
  concurrency: 1
admin:
  socket: %1/a.sock
approvals:
  timeout: 30s
)").arg(dir.path()).toUtf8());
    write(dir.path() + u"/targets.yaml"_s, R"(targets:
  local:
    type: local
    capabilities: [system:read, container:write, system:admin]
)");
    write(dir.path() + u"/policy.yaml"_s, R"(version: "1"
rules:
  - {name: reads, effect: allow, tools: ["get_*", manage_container]}
  - {name: commands, effect: require_approval, tools: [run_command]}
)");
    Gateway gw;
    gw.configDir = dir.path();
    gw.auditPath = dir.path() + u"/audit.jsonl"_s;
    QVERIFY2(gw.start(), qPrintable(gw.errorString()));
    const QByteArray token = mint({ u"admin"_s }, u"busy-agent"_s);
    const QByteArray session = gw.initialize(token);

    // Token bucket: 3 observe calls, then 429 with Retry-After (about a minute for 1/m).
    for (int i = 0; i < 3; ++i) {
        const Reply ok = gw.call(token, session, u"rl-%1"_s.arg(i), u"get_system_status"_s, {});
        QVERIFY2(ok.status == 200 && !ok.isToolError(), qPrintable(ok.text()));
    }
    const Reply limited = gw.call(token, session, u"rl-3"_s, u"get_system_status"_s, {});
    QCOMPARE(limited.status, 429);
    const int retryAfter = limited.header("retry-after").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= 60, limited.head.constData());
    QCOMPARE(limited.rpcCode(), -32029);
    QVERIFY2(limited.text().contains(u"Rate limit exceeded for observe-tier tools"_s), qPrintable(limited.text()));
    // Another token has its own bucket.
    const QByteArray other = mint({ u"readonly"_s }, u"other-agent"_s);
    QVERIFY(!gw.call(other, gw.initialize(other), u"rl-other"_s, u"get_system_status"_s, {}).isToolError());

    // Daily quota on the control tier: 2 calls, then 429 until midnight UTC.
    const QJsonObject dry { { u"container"_s, u"web"_s }, { u"action"_s, u"restart"_s }, { u"dry_run"_s, true } };
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(gw.call(token, session, u"q-%1"_s.arg(i), u"manage_container"_s, dry).status, 200);
    }
    const Reply quota = gw.call(token, session, u"q-2"_s, u"manage_container"_s, dry);
    QCOMPARE(quota.status, 429);
    QVERIFY2(quota.text().contains(u"Daily quota exhausted"_s), qPrintable(quota.text()));
    QVERIFY(quota.header("retry-after").toInt() > 0);

    // Concurrency cap 1: a call waiting for approval holds the slot; a second call is refused.
    auto waiting = gw.startCall(token, session, u"c-1"_s, u"run_command"_s, { { u"argv"_s, QJsonArray { u"true"_s } } });
    QTRY_VERIFY_WITH_TIMEOUT(!QJsonDocument::fromJson(gw.cli({ u"approvals"_s, u"list"_s, u"--json"_s }).second)
                                  .object().value(u"pending"_s).toArray().isEmpty(),
                             10000);
    const Reply busy = gw.call(token, session, u"c-2"_s, u"run_command"_s, { { u"argv"_s, QJsonArray { u"false"_s } } });
    QCOMPARE(busy.status, 429);
    QVERIFY2(busy.text().contains(u"Too many calls in flight"_s), qPrintable(busy.text()));
    QCOMPARE(gw.cli({ u"pause"_s }).first, 0); // answers the waiting call (kill switch)
    const Reply paused = waiting->finish();
    QVERIFY2(paused.text().contains(u"paused"_s), qPrintable(paused.text()));
    QCOMPARE(gw.cli({ u"resume"_s }).first, 0);
}

QTEST_GUILESS_MAIN(TestSecurityGate)
#include "tst_securitygate.moc"
