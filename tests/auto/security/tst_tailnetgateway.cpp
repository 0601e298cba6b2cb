// Tailnet identity end to end, through the real tailops-gateway, in a network namespace whose loopback
// carries tailnet addresses (ctest sets it up: see CMakeLists.txt). A FAKE tailscaled LocalAPI in this
// process answers the gateway's whois: callers connecting from a tailnet address without a token are who
// tailscaled says they are, granted what policy.yaml grants; Tailscale-User-* headers count for nothing.
#include "fakelocalapi.h"
#include "gatewayprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Tailops::Testing::FakeLocalApi;
using namespace TestSupport;

namespace {

const QString kSecret = u"tailnet-e2e-secret-0123456789abcdef"_s;
const QHostAddress kAlice(u"100.101.102.103"_s);   // alice@example.com; the gateway listens here
const QHostAddress kStranger(u"100.101.102.104"_s); // tailscaled does not know this peer
const QHostAddress kBob(u"100.101.102.105"_s);      // bob@example.com: known, granted nothing
const QHostAddress kCiNode(u"fd7a:115c:a1e0::7"_s); // a node tagged tag:ci; the gateway listens here too
const QString kAliceNode = u"alice-laptop.tail1234.ts.net"_s;
const QString kCiNodeName = u"ci-runner.tail1234.ts.net"_s;

const QList<QByteArray> kSpoofedHeaders { "Tailscale-User-Login: admin@example.com", "Tailscale-User-Name: Admin",
                                          "Tailscale-User-Profile-Pic: https://example.com/admin.png" };

} // namespace

class TestTailnetGateway final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir { u"/tmp/tops-tailnet-XXXXXX"_s }; // short: unix sockets live in it
    FakeLocalApi m_localApi;
    GatewayProcess m_gateway;
    quint16 m_loopbackPort = 0;
    quint16 m_ipv4Port = 0;
    quint16 m_ipv6Port = 0;

    QString auditPath() const { return m_dir.filePath(u"audit.jsonl"_s); }
    QString socketPath() const { return m_dir.filePath(u"tailscaled.sock"_s); }
    Endpoint fromAlice() const { return { kAlice, m_ipv4Port, kAlice }; }
    Endpoint fromCiNode() const { return { kCiNode, m_ipv6Port, kCiNode }; }
    Endpoint fromLoopback() const { return { QHostAddress(QHostAddress::LocalHost), m_loopbackPort, QHostAddress(QHostAddress::LocalHost) }; }

    // initialize; returns the session id, empty on failure (the response goes to *response when given).
    QByteArray initialize(const Endpoint &route, const QList<QByteArray> &headers = {}, HttpResponse *response = nullptr)
    {
        return openSession(route, headers, u"tst_tailnetgateway"_s, response);
    }

    HttpResponse post(const Endpoint &route, const QByteArray &session, const QByteArray &body, QList<QByteArray> headers = {})
    {
        headers.append("Mcp-Session-Id: " + session);
        return httpRequest(route, "POST", "/mcp", headers, body);
    }

    QJsonObject auditRecord(const QString &requestId, const QString &event) const
    {
        return TestSupport::auditRecord(auditPath(), requestId, event);
    }

    QByteArray mintToken(const QString &agent, const QString &scopes)
    {
        const auto [code, out] = m_gateway.cli({ u"token"_s, u"mint"_s, u"--agent"_s, agent, u"--scopes"_s, scopes, u"--ttl"_s, u"30m"_s });
        return code == 0 ? out.split('\n').value(0).trimmed() : QByteArray(); // the token is stdout's one line
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStringList missing;
        const QList<QHostAddress> here = QNetworkInterface::allAddresses();
        for (const QHostAddress &a : { kAlice, kStranger, kBob, kCiNode }) {
            if (!here.contains(a)) {
                missing.append(a.toString());
            }
        }
        if (!missing.isEmpty()) {
            QSKIP(qPrintable(u"not in the test's network namespace: %1 not on any interface (ctest runs this test under "
                             "'unshare -rn' with these addresses on lo; see tests/auto/security/CMakeLists.txt)"_s
                                 .arg(missing.join(u", "_s))));
        }
        QVERIFY2(QFile::exists(qEnvironmentVariable("TAILOPS_GATEWAY")), "TAILOPS_GATEWAY must name the tailops-gateway binary");
        QVERIFY(m_dir.isValid());

        QVERIFY2(m_localApi.listen(socketPath()), qPrintable(m_localApi.errorString()));
        m_localApi.addPeer(kAlice.toString(), FakeLocalApi::userPeer(u"alice@example.com"_s, u"Alice"_s, kAliceNode, { kAlice.toString() }, 1001));
        m_localApi.addPeer(kBob.toString(), FakeLocalApi::userPeer(u"bob@example.com"_s, u"Bob"_s, u"bob-desktop.tail1234.ts.net"_s,
                                                                   { kBob.toString() }, 1003));
        m_localApi.addPeer(kCiNode.toString(), FakeLocalApi::taggedPeer({ u"tag:ci"_s }, kCiNodeName, { kCiNode.toString() }, 2002));

        QVERIFY(writeFile(m_dir.filePath(u"targets.yaml"_s), "version: \"1\"\n"
                                                             "targets:\n"
                                                             "  local:\n"
                                                             "    type: local\n"
                                                             "    capabilities: [system:read, system:admin]\n"));
        QVERIFY(writeFile(m_dir.filePath(u"policy.yaml"_s), "version: \"1\"\n"
                                                            "default: deny\n"
                                                            "grants:\n"
                                                            "  - callers: [\"user:alice@example.com\"]\n"
                                                            "    scopes: [readonly]\n"
                                                            "  - callers: [\"tag:ci\"]\n"
                                                            "    scopes: [readonly]\n"
                                                            "rules:\n"
                                                            "  - name: observe\n"
                                                            "    effect: allow\n"
                                                            "    tools: [\"get_*\", \"list_targets\"]\n"));
        QVERIFY(writeFile(m_dir.filePath(u"gateway.yaml"_s), QStringLiteral("auth:\n"
                                                                            "  mode: token\n"
                                                                            "  tailnet:\n"
                                                                            "    enabled: true\n"
                                                                            "    localapi_socket: %1\n"
                                                                            "admin:\n"
                                                                            "  socket: %2\n"
                                                                            "mcp:\n"
                                                                            "  sse_after_ms: 60000\n"
                                                                            "  page_size: 1000\n"
                                                                            "audit:\n"
                                                                            "  durability: fsync\n")
                                                                 .arg(socketPath(), m_dir.filePath(u"admin.sock"_s))
                                                                 .toUtf8()));

        m_gateway.configDir = m_dir.path();
        m_gateway.sharedSecret = kSecret;
        m_gateway.auditPath = auditPath();
        QVERIFY2(m_gateway.start({ u"127.0.0.1:0"_s, u"100.101.102.103:0"_s, u"[fd7a:115c:a1e0::7]:0"_s }),
                 qPrintable(m_gateway.errorString()));
        m_loopbackPort = m_gateway.port();
        m_ipv4Port = m_gateway.port(kAlice);
        m_ipv6Port = m_gateway.port(kCiNode);
        QVERIFY2(m_loopbackPort != 0 && m_ipv4Port != 0 && m_ipv6Port != 0, m_gateway.log().constData());
    }

    void tailnetUserWithoutToken()
    {
        const int whoisBefore = int(m_localApi.addrParams().size());
        const QByteArray session = initialize(fromAlice());
        QVERIFY2(!session.isEmpty(), m_gateway.log().right(2000).constData());
        // The gateway asked tailscaled about the connecting address (and port).
        QVERIFY(m_localApi.addrParams().size() > whoisBefore);
        QVERIFY2(m_localApi.addrParams().constLast().startsWith(u"100.101.102.103:"_s), qPrintable(m_localApi.addrParams().constLast()));

        const HttpResponse list = post(fromAlice(), session, rpcBody(1, u"tools/list"_s, {}));
        QCOMPARE(list.status, 200);
        QStringList names;
        for (const QJsonValue &tool : list.json().value(u"result"_s).toObject().value(u"tools"_s).toArray()) {
            names.append(tool.toObject().value(u"name"_s).toString());
        }
        QVERIFY2(names.contains(u"get_system_status"_s), qPrintable(names.join(u", "_s)));
        QVERIFY2(names.contains(u"list_targets"_s), qPrintable(names.join(u", "_s)));
        QVERIFY2(!names.contains(u"run_command"_s), qPrintable(names.join(u", "_s))); // readonly does not reach it

        const HttpResponse status = post(fromAlice(), session, callBody(101, u"get_system_status"_s));
        QCOMPARE(status.status, 200);
        const QJsonObject result = status.json().value(u"result"_s).toObject();
        QVERIFY2(!result.value(u"isError"_s).toBool(), status.body.constData());
        QCOMPARE(result.value(u"structuredContent"_s).toObject().value(u"target"_s).toString(), u"local"_s);

        QTRY_VERIFY_WITH_TIMEOUT(!auditRecord(u"101"_s, u"result"_s).isEmpty(), 10000);
        const QJsonObject decision = auditRecord(u"101"_s, u"decision"_s);
        QCOMPARE(decision.value(u"decision"_s).toString(), u"allow"_s);
        QCOMPARE(decision.value(u"rule"_s).toString(), u"policy:observe"_s);
        QCOMPARE(decision.value(u"tailnet_user"_s).toString(), u"alice@example.com"_s);
        QCOMPARE(decision.value(u"tailnet_node"_s).toString(), kAliceNode);
        QCOMPARE(decision.value(u"subject"_s).toString(), u"tailnet:alice@example.com"_s);
        QVERIFY2(decision.value(u"peer"_s).toString().startsWith(u"100.101.102.103:"_s), qPrintable(decision.value(u"peer"_s).toString()));
        QCOMPARE(auditRecord(u"101"_s, u"result"_s).value(u"result_status"_s).toString(), u"success"_s);
    }

    void taggedNodeOverIpv6()
    {
        const QByteArray session = initialize(fromCiNode());
        QVERIFY2(!session.isEmpty(), m_gateway.log().right(2000).constData());
        QVERIFY2(m_localApi.addrParams().constLast().startsWith(u"[fd7a:115c:a1e0::7]:"_s), qPrintable(m_localApi.addrParams().constLast()));
        const HttpResponse status = post(fromCiNode(), session, callBody(201, u"get_system_status"_s));
        QCOMPARE(status.status, 200);
        QVERIFY2(!status.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), status.body.constData());
        const HttpResponse targets = post(fromCiNode(), session, callBody(202, u"list_targets"_s));
        QCOMPARE(targets.status, 200);
        QVERIFY2(!targets.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), targets.body.constData());

        QTRY_VERIFY_WITH_TIMEOUT(!auditRecord(u"201"_s, u"result"_s).isEmpty(), 10000);
        const QJsonObject decision = auditRecord(u"201"_s, u"decision"_s);
        QCOMPARE(decision.value(u"decision"_s).toString(), u"allow"_s);
        QCOMPARE(decision.value(u"tailnet_tags"_s).toArray(), QJsonArray { u"tag:ci"_s });
        QCOMPARE(decision.value(u"tailnet_node"_s).toString(), kCiNodeName);
        QVERIFY(decision.value(u"tailnet_user"_s).toString().isEmpty()); // a tagged node belongs to no user
        QCOMPARE(decision.value(u"subject"_s).toString(), QString(u"tailnet:"_s + kCiNodeName));
        QVERIFY2(decision.value(u"peer"_s).toString().startsWith(u"[fd7a:115c:a1e0::7]:"_s), qPrintable(decision.value(u"peer"_s).toString()));
    }

    void unknownPeerIsRefused()
    {
        HttpResponse r;
        QVERIFY(initialize({ kAlice, m_ipv4Port, kStranger }, {}, &r).isEmpty());
        QCOMPARE(r.status, 401);
        const QString description = r.json().value(u"error_description"_s).toString();
        QVERIFY2(description.startsWith(u"no token, and the tailnet identity of 100.101.102.104:"_s), qPrintable(description));
        QVERIFY2(description.endsWith(u"tailscaled whois for 100.101.102.104: 404 no match for IP:port"_s), qPrintable(description));
        QVERIFY2(r.header("www-authenticate").startsWith("Bearer error=\"invalid_token\""), r.header("www-authenticate").constData());
        QVERIFY(m_localApi.addrParams().constLast().startsWith(u"100.101.102.104:"_s));
    }

    void spoofedHeadersFromLoopback()
    {
        const int whoisBefore = int(m_localApi.requestCount());
        HttpResponse r;
        QVERIFY(initialize(fromLoopback(), kSpoofedHeaders, &r).isEmpty());
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json().value(u"error_description"_s).toString(), u"missing token: send Authorization: Bearer <token>"_s);
        QCOMPARE(r.header("www-authenticate"), QByteArray("Bearer")); // token mode: no OAuth metadata to point at
        QCOMPARE(m_localApi.requestCount(), whoisBefore);            // loopback is never looked up
    }

    void spoofedHeadersFromAliceChangeNothing()
    {
        const QByteArray session = initialize(fromAlice(), kSpoofedHeaders);
        QVERIFY(!session.isEmpty());
        const HttpResponse command = post(fromAlice(), session, callBody(301, u"run_command"_s, { { u"argv"_s, QJsonArray { u"id"_s } } }),
                                          kSpoofedHeaders);
        QCOMPARE(command.status, 200); // no OAuth here: the refusal is a tool error, not a 403 challenge
        const QJsonObject result = command.json().value(u"result"_s).toObject();
        QVERIFY(result.value(u"isError"_s).toBool());
        QVERIFY2(command.body.contains("needs the system:admin scope"), command.body.constData());
        const HttpResponse status = post(fromAlice(), session, callBody(302, u"get_system_status"_s), kSpoofedHeaders);
        QCOMPARE(status.status, 200);
        QVERIFY2(!status.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), status.body.constData());

        QTRY_VERIFY_WITH_TIMEOUT(!auditRecord(u"302"_s, u"result"_s).isEmpty(), 10000);
        for (const QString &id : { u"301"_s, u"302"_s }) {
            const QJsonObject decision = auditRecord(id, u"decision"_s);
            QCOMPARE(decision.value(u"tailnet_user"_s).toString(), u"alice@example.com"_s);
            QCOMPARE(decision.value(u"subject"_s).toString(), u"tailnet:alice@example.com"_s);
        }
        QCOMPARE(auditRecord(u"301"_s, u"decision"_s).value(u"decision"_s).toString(), u"deny"_s);
        QCOMPARE(auditRecord(u"301"_s, u"decision"_s).value(u"rule"_s).toString(), u"scope"_s);
        QVERIFY(auditRecord(u"301"_s, u"result"_s).isEmpty()); // nothing ran
        QFile audit(auditPath());
        QVERIFY(audit.open(QIODevice::ReadOnly));
        QVERIFY(!audit.readAll().contains("admin@example.com"));
    }

    void knownPeerWithoutGrant()
    {
        HttpResponse r;
        QVERIFY(initialize({ kAlice, m_ipv4Port, kBob }, {}, &r).isEmpty());
        QCOMPARE(r.status, 401);
        const QString description = r.json().value(u"error_description"_s).toString();
        QVERIFY2(description.startsWith(u"no token, and the tailnet identity of 100.101.102.105:"_s), qPrintable(description));
        QVERIFY2(description.endsWith(u"policy.yaml grants no scopes to bob@example.com (add it under grants:)"_s), qPrintable(description));
    }

    void bearerTokenWinsOverTailnetIdentity()
    {
        // A token is the caller's identity even from a tailnet address; a bad one does not fall back to whois.
        HttpResponse bad;
        QVERIFY(initialize(fromAlice(), { "Authorization: Bearer not-a-token" }, &bad).isEmpty());
        QCOMPARE(bad.status, 401);
        QVERIFY(bad.header("www-authenticate").contains("error=\"invalid_token\""));

        const QByteArray token = mintToken(u"ci-bot"_s, u"system:read"_s);
        QVERIFY(!token.isEmpty());
        const QList<QByteArray> auth { "Authorization: Bearer " + token };
        const QByteArray session = initialize(fromAlice(), auth);
        QVERIFY(!session.isEmpty());
        const HttpResponse status = post(fromAlice(), session, callBody(401, u"get_system_status"_s), auth);
        QCOMPARE(status.status, 200);
        QVERIFY2(!status.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), status.body.constData());
        QTRY_VERIFY_WITH_TIMEOUT(!auditRecord(u"401"_s, u"decision"_s).isEmpty(), 10000);
        const QJsonObject decision = auditRecord(u"401"_s, u"decision"_s);
        QCOMPARE(decision.value(u"subject"_s).toString(), u"ci-bot"_s);
        QVERIFY(decision.value(u"tailnet_user"_s).toString().isEmpty());

        // alice's tailnet session is not the token's: the session id does not carry over.
        const HttpResponse foreign = post(fromAlice(), session, callBody(402, u"get_system_status"_s));
        QCOMPARE(foreign.status, 404);
    }

    void localApiDownFailsClosed()
    {
        m_localApi.close();
        HttpResponse r;
        QVERIFY(initialize({ kAlice, m_ipv4Port, kStranger }, {}, &r).isEmpty());
        QCOMPARE(r.status, 401);
        const QString description = r.json().value(u"error_description"_s).toString();
        QVERIFY2(description.startsWith(u"no token, and the tailnet identity of 100.101.102.104:"_s), qPrintable(description));
        QVERIFY2(description.contains(QString(u"tailscaled LocalAPI not reachable at "_s + socketPath())), qPrintable(description));
    }

    void cleanupTestCase()
    {
        if (m_gateway.state() == QProcess::NotRunning && m_ipv4Port == 0) {
            return; // skipped, or never started
        }
        QCOMPARE(m_gateway.state(), QProcess::Running);
        m_gateway.stop();
        QCOMPARE(m_gateway.exitStatus(), QProcess::NormalExit);
    }
};

QTEST_GUILESS_MAIN(TestTailnetGateway)
#include "tst_tailnetgateway.moc"
