// OAuth end to end, through the real tailops-gateway: auth.mode oauth with a JWKS the test writes (an RSA
// and an EC key), JWT access tokens minted and signed here. Every forged, confused, expired or misdirected
// token is refused with 401 and an RFC 6750 challenge naming the RFC 9728 metadata; a token lacking the
// scope of a tool gets 403 insufficient_scope; tokens without a scope claim get what policy.yaml grants.
#include "../oauth/testkeys.h"
#include "gatewayprocess.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace {

const QString kIssuer = u"https://idp.test.invalid"_s; // never contacted: the keys come from jwks_file
const QString kResource = u"http://127.0.0.1/mcp"_s;   // the audience tokens must carry
const QString kRsaKid = u"rsa-2026"_s;
const QString kEcKid = u"ec-2026"_s;

// RFC 9728 §3.1, computed independently of the gateway: the well-known segment goes before the path.
QString metadataUrlOf(const QString &resource)
{
    QUrl url(resource);
    url.setPath(u"/.well-known/oauth-protected-resource"_s + url.path());
    return url.toString(QUrl::FullyEncoded);
}

QByteArray hexHmacToken(const QJsonObject &claims, const QByteArray &secret)
{
    const QByteArray payload = TestKeys::b64(claims);
    return payload + '.' + QMessageAuthenticationCode::hash(payload, secret, QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestOAuthGateway final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir { u"/tmp/tops-oauth-XXXXXX"_s }; // short: the admin socket lives in it
    TestKeys::Key m_rsa;
    TestKeys::Key m_ec;
    TestKeys::Key m_stranger; // an RSA key the gateway does not trust
    GatewayProcess m_gateway;
    quint16 m_port = 0;

    QString auditPath() const { return m_dir.filePath(u"audit.jsonl"_s); }

    QJsonObject claims(const QString &subject = u"client-1"_s) const
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        return QJsonObject { { u"iss"_s, kIssuer }, { u"aud"_s, kResource }, { u"sub"_s, subject },
                             { u"exp"_s, now + 600 },  { u"iat"_s, now },       { u"scope"_s, u"system:read"_s } };
    }

    static QJsonObject header(const QString &alg, const QString &kid)
    {
        QJsonObject h { { u"alg"_s, alg }, { u"typ"_s, u"at+jwt"_s } };
        if (!kid.isEmpty()) {
            h.insert(u"kid"_s, kid);
        }
        return h;
    }

    QByteArray rs256(const QJsonObject &payload, const QString &kid = kRsaKid, const TestKeys::Key *key = nullptr) const
    {
        const QByteArray input = TestKeys::b64(header(u"RS256"_s, kid)) + '.' + TestKeys::b64(payload);
        return input + '.' + TestKeys::b64((key ? key : &m_rsa)->signRs256(input));
    }

    QByteArray es256(const QJsonObject &payload) const
    {
        const QByteArray input = TestKeys::b64(header(u"ES256"_s, kEcKid)) + '.' + TestKeys::b64(payload);
        return input + '.' + TestKeys::b64(m_ec.signEs256Raw(input));
    }

    QByteArray sessionFor(const QByteArray &token)
    {
        HttpResponse r;
        const QByteArray session = openSession(Endpoint::loopback(m_port), { bearer(token) }, u"tst_oauthgateway"_s, &r);
        if (session.isEmpty()) {
            qWarning("initialize: %d %s", r.status, r.body.constData());
        }
        return session;
    }

    HttpResponse call(const QByteArray &token, const QByteArray &session, int id, const QString &tool,
                      const QJsonObject &arguments = {})
    {
        return httpRequest(Endpoint::loopback(m_port), "POST", "/mcp", { bearer(token), "Mcp-Session-Id: " + session }, callBody(id, tool, arguments));
    }

    static QString challenge(const QString &error, const QString &description)
    {
        if (error.isEmpty()) {
            return u"Bearer resource_metadata=\"%1\""_s.arg(metadataUrlOf(kResource));
        }
        return u"Bearer error=\"%1\", error_description=\"%2\", resource_metadata=\"%3\""_s.arg(error, description,
                                                                                                metadataUrlOf(kResource));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(qEnvironmentVariable("TAILOPS_GATEWAY")), "TAILOPS_GATEWAY must name the tailops-gateway binary");
        QVERIFY(m_dir.isValid());
        m_rsa = TestKeys::Key::rsa();
        m_ec = TestKeys::Key::ecP256();
        m_stranger = TestKeys::Key::rsa();
        QVERIFY(!m_rsa.isNull() && !m_ec.isNull() && !m_stranger.isNull());

        const QJsonObject jwks { { u"keys"_s, QJsonArray { m_rsa.jwk(kRsaKid, u"RS256"_s), m_ec.jwk(kEcKid, u"ES256"_s) } } };
        QVERIFY(writeFile(m_dir.filePath(u"jwks.json"_s), QJsonDocument(jwks).toJson()));
        QVERIFY(writeFile(m_dir.filePath(u"targets.yaml"_s), "version: \"1\"\n"
                                                     "targets:\n"
                                                     "  local:\n"
                                                     "    type: local\n"
                                                     "    capabilities: [system:read, system:admin]\n"));
        QVERIFY(writeFile(m_dir.filePath(u"gateway.yaml"_s), QStringLiteral("auth:\n"
                                                                    "  mode: oauth\n"
                                                                    "  oauth:\n"
                                                                    "    issuer: %1\n"
                                                                    "    resource: %2\n"
                                                                    "    jwks_file: jwks.json\n"
                                                                    "admin:\n"
                                                                    "  socket: %3\n"
                                                                    "mcp:\n"
                                                                    "  sse_after_ms: 60000\n"
                                                                    "audit:\n"
                                                                    "  durability: fsync\n")
                                                         .arg(kIssuer, kResource, m_dir.filePath(u"admin.sock"_s))
                                                         .toUtf8()));
        // No policy.yaml yet: scopes x capabilities decide (grantsFromPolicy adds one).
        QVERIFY(!QFile::exists(m_dir.filePath(u"policy.yaml"_s)));

        m_gateway.configDir = m_dir.path();
        m_gateway.auditPath = auditPath(); // no sharedSecret: oauth mode needs none
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
        m_port = m_gateway.port();
        QVERIFY(m_port != 0);
    }

    void bearerTokens_data()
    {
        QTest::addColumn<QByteArray>("token"); // empty: no Authorization header
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");       // the WWW-Authenticate error ("" when none)
        QTest::addColumn<QString>("description"); // the body's error_description

        const QString invalid = u"invalid_token"_s;
        const qint64 now = QDateTime::currentSecsSinceEpoch();

        QTest::newRow("valid RS256") << rs256(claims()) << 200 << QString() << QString();
        QTest::newRow("valid ES256") << es256(claims()) << 200 << QString() << QString();
        {
            QJsonObject arrayAudience = claims();
            arrayAudience.insert(u"aud"_s, QJsonArray { u"https://other.example/api"_s, kResource });
            QTest::newRow("valid, audience in an array") << rs256(arrayAudience) << 200 << QString() << QString();
        }

        QTest::newRow("alg none") << QByteArray(TestKeys::b64(QJsonObject { { u"alg"_s, u"none"_s }, { u"typ"_s, u"JWT"_s } }) + '.'
                                                + TestKeys::b64(claims()) + '.')
                                  << 401 << invalid << u"unsigned token (alg none) refused"_s;
        {
            // Key confusion: HS256 keyed with the RSA public key, as a naive verifier would check it.
            const QByteArray input = TestKeys::b64(header(u"HS256"_s, kRsaKid)) + '.' + TestKeys::b64(claims());
            const QByteArray mac = QMessageAuthenticationCode::hash(input, m_rsa.publicPem(), QCryptographicHash::Sha256);
            QTest::newRow("HS256 keyed with the RSA public key") << QByteArray(input + '.' + TestKeys::b64(mac)) << 401 << invalid
                                                                 << u"symmetric algorithm (HS*) refused"_s;
        }
        {
            QJsonObject c = claims();
            c.insert(u"aud"_s, u"http://127.0.0.1/other"_s);
            QTest::newRow("wrong audience") << rs256(c) << 401 << invalid << u"token audience does not include this resource"_s;
        }
        {
            QJsonObject c = claims();
            c.remove(u"aud"_s);
            QTest::newRow("no audience") << rs256(c) << 401 << invalid << u"token has no aud"_s;
        }
        {
            QJsonObject c = claims();
            c.insert(u"iss"_s, u"https://evil.test.invalid"_s);
            QTest::newRow("wrong issuer") << es256(c) << 401 << invalid << u"wrong token issuer"_s;
        }
        {
            QJsonObject c = claims();
            c.insert(u"exp"_s, now - 3600);
            c.insert(u"iat"_s, now - 7200);
            QTest::newRow("expired") << rs256(c) << 401 << invalid << u"token expired"_s;
        }
        {
            QJsonObject c = claims();
            c.remove(u"exp"_s);
            QTest::newRow("no exp") << rs256(c) << 401 << invalid << u"token has no exp"_s;
        }
        {
            QJsonObject c = claims();
            c.insert(u"nbf"_s, now + 3600);
            QTest::newRow("nbf in the future") << rs256(c) << 401 << invalid << u"token not yet valid (nbf)"_s;
        }
        {
            QJsonObject c = claims();
            c.insert(u"iat"_s, now + 3600);
            QTest::newRow("iat in the future") << es256(c) << 401 << invalid << u"token issued in the future (iat)"_s;
        }
        QTest::newRow("unknown kid") << rs256(claims(), u"rotated-away"_s) << 401 << invalid
                                     << u"unknown signing key (kid not in the key set)"_s;
        QTest::newRow("trusted kid, untrusted key") << rs256(claims(), kRsaKid, &m_stranger) << 401 << invalid
                                                    << u"invalid token signature"_s;
        QTest::newRow("RS256 naming the EC key") << rs256(claims(), kEcKid) << 401 << invalid
                                                 << u"algorithm RS256 does not match the key type (EC P-256)"_s;
        {
            // The signature of one token on the payload of another (scope raised to admin).
            const QByteArray good = rs256(claims());
            QJsonObject raised = claims();
            raised.insert(u"scope"_s, u"admin"_s);
            QList<QByteArray> parts = good.split('.');
            parts[1] = TestKeys::b64(raised);
            QTest::newRow("tampered payload") << parts.join('.') << 401 << invalid << u"invalid token signature"_s;
        }
        {
            // A DER-encoded ECDSA signature where JWS wants raw r||s.
            const QByteArray input = TestKeys::b64(header(u"ES256"_s, kEcKid)) + '.' + TestKeys::b64(claims());
            QTest::newRow("ES256 with a DER signature") << QByteArray(input + '.' + TestKeys::b64(m_ec.signEs256Der(input))) << 401
                                                        << invalid
                                                        << u"invalid ES256 signature length (JWS wants raw r||s, 64 bytes)"_s;
        }
        {
            // A key embedded in the token itself is never trusted.
            QJsonObject h = header(u"RS256"_s, kRsaKid);
            h.insert(u"jwk"_s, m_stranger.jwk(kRsaKid));
            const QByteArray input = TestKeys::b64(h) + '.' + TestKeys::b64(claims());
            QTest::newRow("embedded jwk") << QByteArray(input + '.' + TestKeys::b64(m_stranger.signRs256(input))) << 401 << invalid
                                          << u"token header names its own key (jku/jwk/x5u/x5c) refused"_s;
        }
        QTest::newRow("HMAC token in oauth mode")
            << hexHmacToken(QJsonObject { { u"agent"_s, u"ops"_s }, { u"scopes"_s, QJsonArray { u"admin"_s } }, { u"iat"_s, now },
                                          { u"exp"_s, now + 600 } },
                            "some-shared-secret-0123456789")
            << 401 << invalid << u"malformed token (auth.mode is oauth: expected a JWT access token)"_s;
        QTest::newRow("no token") << QByteArray() << 401 << QString() << u"missing token: send Authorization: Bearer <token>"_s;
    }

    void bearerTokens()
    {
        QFETCH(QByteArray, token);
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(QString, description);

        QList<QByteArray> headers;
        if (!token.isEmpty()) {
            headers.append(bearer(token));
        }
        const HttpResponse r = httpRequest(Endpoint::loopback(m_port), "POST", "/mcp", headers, initializeBody(u"tst_oauthgateway"_s));
        QVERIFY2(r.status == status, qPrintable(u"HTTP %1: %2"_s.arg(r.status).arg(QString::fromUtf8(r.body))));
        if (status == 200) {
            QVERIFY(!r.header("mcp-session-id").isEmpty());
            QVERIFY(r.json().value(u"result"_s).toObject().value(u"serverInfo"_s).toObject().value(u"name"_s).isString());
            QVERIFY(!r.headers.contains("www-authenticate"));
            return;
        }
        QCOMPARE(r.json().value(u"error_description"_s).toString(), description);
        QCOMPARE(QString::fromLatin1(r.header("www-authenticate")), challenge(error, description));
        QVERIFY(r.header("www-authenticate").contains(QByteArray("resource_metadata=\"" + metadataUrlOf(kResource).toLatin1() + '"')));
        QCOMPARE(r.header("www-authenticate").contains("error="), !error.isEmpty());
        if (!token.isEmpty()) {
            // Refusals never echo the token, nor its signature.
            QVERIFY(!r.body.contains(token));
            QVERIFY(!r.header("www-authenticate").contains(token));
        }
    }

    void protectedResourceMetadata_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("root") << QByteArray("/.well-known/oauth-protected-resource");
        QTest::newRow("path-suffixed") << QByteArray("/.well-known/oauth-protected-resource/mcp");
    }

    void protectedResourceMetadata()
    {
        QFETCH(QByteArray, path);
        // The metadata is public: no token needed.
        const HttpResponse r = httpRequest(Endpoint::loopback(m_port), "GET", path, {});
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("application/json"));
        const QJsonObject doc = r.json();
        QCOMPARE(doc.value(u"resource"_s).toString(), kResource);
        QCOMPARE(doc.value(u"authorization_servers"_s).toArray(), QJsonArray { kIssuer });
        QCOMPARE(doc.value(u"bearer_methods_supported"_s).toArray(), QJsonArray { u"header"_s });
        const QJsonArray scopes = doc.value(u"scopes_supported"_s).toArray();
        QVERIFY(scopes.contains(u"system:read"_s));
        QVERIFY(scopes.contains(u"system:admin"_s));
        // The challenge points at a URL whose path is the path-suffixed form served here.
        QCOMPARE(QUrl(metadataUrlOf(kResource)).path().toLatin1(), QByteArray("/.well-known/oauth-protected-resource/mcp"));
    }

    void scopeStepUp()
    {
        const QByteArray token = rs256(claims(u"reader"_s)); // scope system:read only
        const QByteArray session = sessionFor(token);
        QVERIFY(!session.isEmpty());

        // run_command needs system:admin: 403 with an insufficient_scope challenge naming it.
        const HttpResponse refused = call(token, session, 1, u"run_command"_s, { { u"argv"_s, QJsonArray { u"id"_s } } });
        QVERIFY2(refused.status == 403, qPrintable(u"HTTP %1: %2"_s.arg(refused.status).arg(QString::fromUtf8(refused.body))));
        const QByteArray wwwAuthenticate = refused.header("www-authenticate");
        QVERIFY2(wwwAuthenticate.startsWith("Bearer "), wwwAuthenticate.constData());
        QVERIFY2(wwwAuthenticate.contains("error=\"insufficient_scope\""), wwwAuthenticate.constData());
        QVERIFY2(wwwAuthenticate.contains("scope=\"system:admin\""), wwwAuthenticate.constData());
        QVERIFY2(wwwAuthenticate.contains(QByteArray("resource_metadata=\"" + metadataUrlOf(kResource).toLatin1() + '"')), wwwAuthenticate.constData());
        const QJsonObject refusedResult = refused.json().value(u"result"_s).toObject();
        QVERIFY(refusedResult.value(u"isError"_s).toBool());
        QVERIFY2(refused.body.contains("run_command needs the system:admin scope"), refused.body.constData());

        // get_system_status needs system:read: it runs.
        const HttpResponse allowed = call(token, session, 2, u"get_system_status"_s);
        QVERIFY2(allowed.status == 200, allowed.body.constData());
        const QJsonObject result = allowed.json().value(u"result"_s).toObject();
        QVERIFY2(!result.value(u"isError"_s).toBool(), allowed.body.constData());
        QCOMPARE(result.value(u"structuredContent"_s).toObject().value(u"target"_s).toString(), u"local"_s);
        QVERIFY(result.value(u"structuredContent"_s).toObject().value(u"uptime_seconds"_s).toDouble() > 0);

        // A token that expires stays refused on an open session too.
        QJsonObject expired = claims(u"reader"_s);
        expired.insert(u"exp"_s, QDateTime::currentSecsSinceEpoch() - 3600);
        const HttpResponse late = call(rs256(expired), session, 3, u"get_system_status"_s);
        QCOMPARE(late.status, 401);
        QCOMPARE(late.json().value(u"error_description"_s).toString(), u"token expired"_s);

        // Both calls were audited under the token's subject; the refusal with the scope rule.
        const auto find = [this](const QString &requestId, const QString &event) {
            return auditRecord(auditPath(), requestId, event, u"oauth:reader"_s);
        };
        QTRY_VERIFY_WITH_TIMEOUT(!find(u"2"_s, u"result"_s).isEmpty(), 10000);
        QCOMPARE(find(u"1"_s, u"decision"_s).value(u"decision"_s).toString(), u"deny"_s);
        QCOMPARE(find(u"1"_s, u"decision"_s).value(u"rule"_s).toString(), u"scope"_s);
        QCOMPARE(find(u"2"_s, u"decision"_s).value(u"decision"_s).toString(), u"allow"_s);
        QVERIFY(find(u"1"_s, u"result"_s).isEmpty()); // nothing ran
    }

    void grantsFromPolicy()
    {
        // Tokens without a scope claim, tsidp style: the tailnet login is in "user" (or "email").
        const auto unscoped = [this](const QString &subject, const QString &claim, const QString &login) {
            QJsonObject c = claims(subject);
            c.remove(u"scope"_s);
            c.insert(claim, login);
            if (claim == u"email"_s) {
                c.insert(u"email_verified"_s, true); // an unverified email names nobody
            }
            return rs256(c);
        };
        const QByteArray alice = unscoped(u"alice-client"_s, u"user"_s, u"alice@example.com"_s);
        const QByteArray aliceByEmail = unscoped(u"alice-mail"_s, u"email"_s, u"alice@example.com"_s);
        const QByteArray bob = unscoped(u"bob-client"_s, u"user"_s, u"bob@example.com"_s);

        // Without policy.yaml nothing grants scopes: the token authenticates but may call nothing.
        {
            const QByteArray session = sessionFor(alice);
            QVERIFY(!session.isEmpty());
            const HttpResponse r = call(alice, session, 10, u"get_system_status"_s);
            QCOMPARE(r.status, 403);
            QVERIFY2(r.header("www-authenticate").contains("scope=\"system:read\""), r.header("www-authenticate").constData());
        }

        // policy.yaml appears (hot reload): alice is granted readonly; rules allow get_* only (default deny).
        QVERIFY(writeFile(m_dir.filePath(u"policy.yaml"_s), "version: \"1\"\n"
                                                    "default: deny\n"
                                                    "grants:\n"
                                                    "  - callers: [\"user:alice@example.com\"]\n"
                                                    "    scopes: [readonly]\n"
                                                    "rules:\n"
                                                    "  - name: observe\n"
                                                    "    effect: allow\n"
                                                    "    tools: [\"get_*\"]\n"));
        QTRY_VERIFY2_WITH_TIMEOUT(m_gateway.log().contains("policy.yaml loaded"), m_gateway.log().right(2000).constData(), 20000);

        for (const QByteArray &token : { alice, aliceByEmail }) {
            const QByteArray session = sessionFor(token);
            QVERIFY(!session.isEmpty());
            const HttpResponse status = call(token, session, 11, u"get_system_status"_s);
            QVERIFY2(status.status == 200, status.body.constData());
            QVERIFY2(!status.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), status.body.constData());
            QCOMPARE(status.json().value(u"result"_s).toObject().value(u"structuredContent"_s).toObject().value(u"target"_s).toString(),
                     u"local"_s);
            // readonly does not reach system:admin.
            const HttpResponse command = call(token, session, 12, u"run_command"_s, { { u"argv"_s, QJsonArray { u"id"_s } } });
            QCOMPARE(command.status, 403);
            QVERIFY2(command.header("www-authenticate").contains("scope=\"system:admin\""), command.header("www-authenticate").constData());
        }

        // bob is granted nothing.
        {
            const QByteArray session = sessionFor(bob);
            QVERIFY(!session.isEmpty());
            const HttpResponse r = call(bob, session, 13, u"get_system_status"_s);
            QCOMPARE(r.status, 403);
            QVERIFY2(r.header("www-authenticate").contains("error=\"insufficient_scope\""), r.header("www-authenticate").constData());
        }

        // A token's own scope claim is not widened by grants; with the policy in force it still needs a rule.
        {
            const QByteArray reader = rs256(claims(u"reader"_s));
            const QByteArray session = sessionFor(reader);
            QVERIFY(!session.isEmpty());
            const HttpResponse status = call(reader, session, 14, u"get_system_status"_s);
            QVERIFY2(status.status == 200 && !status.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(),
                     status.body.constData());
            const HttpResponse targets = call(reader, session, 15, u"list_targets"_s);
            QCOMPARE(targets.status, 200);
            QVERIFY2(targets.json().value(u"result"_s).toObject().value(u"isError"_s).toBool(), targets.body.constData());
            QVERIFY2(targets.body.contains("no policy rule allows tool 'list_targets'"), targets.body.constData());
        }

        // The audit names alice's calls by token subject and tailnet login.
        const auto decision = [this](const QString &subject, const QString &requestId) {
            return auditRecord(auditPath(), requestId, u"decision"_s, subject);
        };
        QTRY_VERIFY_WITH_TIMEOUT(!decision(u"oauth:alice-client"_s, u"11"_s).isEmpty(), 10000);
        QCOMPARE(decision(u"oauth:alice-client"_s, u"11"_s).value(u"decision"_s).toString(), u"allow"_s);
        QCOMPARE(decision(u"oauth:alice-client"_s, u"11"_s).value(u"rule"_s).toString(), u"policy:observe"_s);
        QCOMPARE(decision(u"oauth:bob-client"_s, u"13"_s).value(u"decision"_s).toString(), u"deny"_s);
    }

    void cleanupTestCase()
    {
        QCOMPARE(m_gateway.state(), QProcess::Running); // survived every forged token
        m_gateway.stop();
        QCOMPARE(m_gateway.exitStatus(), QProcess::NormalExit);
        QFile f(auditPath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains("eyJ")); // no token (nor any base64url JSON part of one) reached the audit
    }
};

QTEST_GUILESS_MAIN(TestOAuthGateway)
#include "tst_oauthgateway.moc"
