// Auth::Jwks, Auth::JwtVerifier and Auth::OAuthAuthenticator against keys generated at test time:
// valid RS256/ES256 tokens, and an attack corpus where every token must be refused with its own message.

#include "auth/hmactoken.h"
#include "auth/oauth/jwks.h"
#include "auth/oauth/jwkssource.h"
#include "auth/oauth/jwtverifier.h"
#include "auth/oauth/oauthauthenticator.h"
#include "auth/scopes.h"
#include "testkeys.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using Tailops::Auth::Jwks;
using Tailops::Auth::JwtVerifier;
using Tailops::Auth::JwtVerifierOptions;
using TestKeys::Key;

namespace {

const QString kIssuer = u"https://idp.example.ts.net"_s;
const QString kAudience = u"https://gw.example.ts.net/mcp"_s;
const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1767225600, Qt::UTC); // 2026-01-01T00:00:00Z
const qint64 kNowSecs = 1767225600;

using Signer = std::function<QByteArray(const QByteArray &)>;

QByteArray token(const QJsonObject &header, const QJsonObject &payload, const Signer &sign)
{
    const QByteArray input = TestKeys::b64(header) + '.' + TestKeys::b64(payload);
    return input + '.' + TestKeys::b64(sign ? sign(input) : QByteArray());
}

// Header and payload given as raw base64url text (for malformed segments), signed as they are.
QByteArray rawToken(const QByteArray &header, const QByteArray &payload, const Signer &sign)
{
    const QByteArray input = header + '.' + payload;
    return input + '.' + TestKeys::b64(sign(input));
}

QJsonObject header(const QString &alg, const QString &kid = {})
{
    QJsonObject h { { u"alg"_s, alg }, { u"typ"_s, u"at+jwt"_s } };
    if (!kid.isEmpty()) {
        h.insert(u"kid"_s, kid);
    }
    return h;
}

QJsonObject claims()
{
    return QJsonObject {
        { u"iss"_s, kIssuer },
        { u"aud"_s, kAudience },
        { u"sub"_s, u"alice@example.com"_s },
        { u"exp"_s, double(kNowSecs + 600) },
        { u"iat"_s, double(kNowSecs - 10) },
        { u"jti"_s, u"tok-1"_s },
        { u"scope"_s, u"system:read container:read"_s },
    };
}

// Sets a member; a null value ({}) removes it.
QJsonObject with(QJsonObject object, const QString &key, const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined()) {
        object.remove(key);
    } else {
        object.insert(key, value);
    }
    return object;
}

JwtVerifierOptions options()
{
    JwtVerifierOptions o;
    o.issuer = kIssuer;
    o.audience = kAudience;
    o.leewaySeconds = 60;
    return o;
}

QByteArray jwksJson(const QList<QJsonObject> &keys)
{
    QJsonArray array;
    for (const QJsonObject &k : keys) {
        array.append(k);
    }
    return QJsonDocument(QJsonObject { { u"keys"_s, array } }).toJson(QJsonDocument::Compact);
}

} // namespace

class TestJwtVerifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void verify_data();
    void verify();
    void userClaims();
    void hugeTokenRefusedFast();
    void noKidWithSingleKey();
    void algorithmsCanBeRestricted();
    void keyRestrictedToOtherAlg();

    void jwks_data();
    void jwks();
    void jwksFromFile();

    void authenticator();
    void authenticatorRefusals();

private:
    Signer rsa() const { return [this](const QByteArray &in) { return m_rsa.signRs256(in); }; }
    Signer ec() const { return [this](const QByteArray &in) { return m_ec.signEs256Raw(in); }; }

    Key m_rsa;
    Key m_ec;
    Key m_otherRsa;
    Key m_otherEc;
    Jwks m_jwks;
};

void TestJwtVerifier::initTestCase()
{
    m_rsa = Key::rsa(2048);
    m_ec = Key::ecP256();
    m_otherRsa = Key::rsa(2048);
    m_otherEc = Key::ecP256();
    QVERIFY(!m_rsa.isNull() && !m_ec.isNull() && !m_otherRsa.isNull() && !m_otherEc.isNull());
    QStringList warnings;
    auto jwks = Jwks::parse(jwksJson({ m_rsa.jwk(u"rsa-1"_s, u"RS256"_s), m_ec.jwk(u"ec-1"_s) }), &warnings);
    QVERIFY2(jwks.has_value(), qPrintable(jwks ? QString() : jwks.error().message));
    QVERIFY(warnings.isEmpty());
    QCOMPARE(jwks->size(), 2);
    m_jwks = *jwks;
}

void TestJwtVerifier::verify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("error"); // exact message; empty: accepted
    QTest::addColumn<QStringList>("scopes");

    const QStringList readScopes { u"system:read"_s, u"container:read"_s };
    const auto rsaHeader = header(u"RS256"_s, u"rsa-1"_s);
    const auto ecHeader = header(u"ES256"_s, u"ec-1"_s);
    const Signer rsaSign = rsa();
    const Signer ecSign = ec();

    // --- accepted ---
    QTest::newRow("rs256 valid") << token(rsaHeader, claims(), rsaSign) << QString() << readScopes;
    QTest::newRow("es256 valid, scp array")
        << token(ecHeader, with(with(claims(), u"scope"_s, {}), u"scp"_s, QJsonArray { u"file:read"_s, u"admin"_s }), ecSign)
        << QString() << QStringList { u"file:read"_s, u"admin"_s };
    QTest::newRow("aud array with ours")
        << token(rsaHeader, with(claims(), u"aud"_s, QJsonArray { u"https://other.example"_s, kAudience }), rsaSign) << QString()
        << readScopes;
    QTest::newRow("expired within leeway") << token(rsaHeader, with(claims(), u"exp"_s, double(kNowSecs - 30)), rsaSign) << QString()
                                           << readScopes;
    QTest::newRow("nbf within leeway") << token(ecHeader, with(claims(), u"nbf"_s, double(kNowSecs + 30)), ecSign) << QString()
                                       << readScopes;
    QTest::newRow("no scope claim") << token(rsaHeader, with(claims(), u"scope"_s, {}), rsaSign) << QString() << QStringList();
    QTest::newRow("tsidp extra claims")
        << token(rsaHeader,
               with(with(claims(), u"tags"_s, QJsonArray { u"tag:ci"_s }), u"user"_s, u"alice@github"_s), rsaSign)
        << QString() << readScopes;

    // --- algorithm attacks ---
    QTest::newRow("alg none, no signature") << token(header(u"none"_s), claims(), {}) << u"unsigned token (alg none) refused"_s
                                            << QStringList();
    QTest::newRow("alg none, with signature") << token(header(u"none"_s, u"rsa-1"_s), claims(), rsaSign)
                                              << u"unsigned token (alg none) refused"_s << QStringList();
    QTest::newRow("alg NoNe") << token(header(u"NoNe"_s), claims(), {}) << u"unsigned token (alg none) refused"_s << QStringList();
    const QByteArray pem = m_rsa.publicPem();
    QTest::newRow("HS256 keyed with the RSA public key PEM")
        << token(header(u"HS256"_s, u"rsa-1"_s), claims(),
               [pem](const QByteArray &in) { return QMessageAuthenticationCode::hash(in, pem, QCryptographicHash::Sha256); })
        << u"symmetric algorithm (HS*) refused"_s << QStringList();
    QTest::newRow("HS512") << token(header(u"HS512"_s), claims(),
                                  [pem](const QByteArray &in) { return QMessageAuthenticationCode::hash(in, pem, QCryptographicHash::Sha512); })
                           << u"symmetric algorithm (HS*) refused"_s << QStringList();
    QTest::newRow("PS256 not allowed") << token(header(u"PS256"_s, u"rsa-1"_s), claims(), rsaSign)
                                       << u"token algorithm not allowed"_s << QStringList();
    QTest::newRow("no alg") << token(QJsonObject { { u"kid"_s, u"rsa-1"_s } }, claims(), rsaSign) << u"token header has no alg"_s
                            << QStringList();
    QTest::newRow("RS256 with an EC key") << token(header(u"RS256"_s, u"ec-1"_s), claims(), rsaSign)
                                          << u"algorithm RS256 does not match the key type (EC P-256)"_s << QStringList();
    QTest::newRow("ES256 with an RSA key") << token(header(u"ES256"_s, u"rsa-1"_s), claims(), ecSign)
                                           << u"algorithm ES256 does not match the key type (RSA)"_s << QStringList();
    QTest::newRow("crit header") << token(with(rsaHeader, u"crit"_s, QJsonArray { u"exp"_s }), claims(), rsaSign)
                                 << u"token header has unsupported crit parameters"_s << QStringList();
    QTest::newRow("embedded jwk header") << token(with(rsaHeader, u"jwk"_s, m_otherRsa.jwk(u"x"_s)), claims(),
                                                [this](const QByteArray &in) { return m_otherRsa.signRs256(in); })
                                         << u"token header names its own key (jku/jwk/x5u/x5c) refused"_s << QStringList();

    // --- keys and signatures ---
    QTest::newRow("RS256 signed by another key")
        << token(rsaHeader, claims(), [this](const QByteArray &in) { return m_otherRsa.signRs256(in); })
        << u"invalid token signature"_s << QStringList();
    QTest::newRow("ES256 signed by another key")
        << token(ecHeader, claims(), [this](const QByteArray &in) { return m_otherEc.signEs256Raw(in); })
        << u"invalid token signature"_s << QStringList();
    QTest::newRow("kid unknown") << token(header(u"RS256"_s, u"rsa-2"_s), claims(), rsaSign)
                                 << u"unknown signing key (kid not in the key set)"_s << QStringList();
    QTest::newRow("kid not a string") << token(with(rsaHeader, u"kid"_s, 7), claims(), rsaSign)
                                      << u"malformed token: kid is not a string"_s << QStringList();
    QTest::newRow("no kid, several keys") << token(header(u"RS256"_s), claims(), rsaSign)
                                          << u"token has no kid and the key set has several keys"_s << QStringList();
    QTest::newRow("ES256 signature in DER")
        << token(ecHeader, claims(), [this](const QByteArray &in) { return m_ec.signEs256Der(in); })
        << u"invalid ES256 signature length (JWS wants raw r||s, 64 bytes)"_s << QStringList();
    {
        QByteArray t = token(ecHeader, claims(), ecSign);
        const qsizetype dot = t.lastIndexOf('.');
        auto sig = QByteArray::fromBase64(t.mid(dot + 1), QByteArray::Base64UrlEncoding);
        sig[10] = char(sig[10] ^ 0x01);
        QTest::newRow("ES256 signature bit flipped") << QByteArray(t.left(dot + 1) + TestKeys::b64(sig))
                                                     << u"invalid token signature"_s << QStringList();
    }
    {
        const QByteArray good = token(rsaHeader, claims(), rsaSign);
        const QList<QByteArray> parts = good.split('.');
        const QByteArray forged = parts[0] + '.' + TestKeys::b64(with(claims(), u"sub"_s, u"root"_s)) + '.' + parts[2];
        QTest::newRow("payload swapped after signing") << forged << u"invalid token signature"_s << QStringList();
        QTest::newRow("signature stripped") << QByteArray(parts[0] + '.' + parts[1] + '.') << u"token has an empty signature"_s
                                            << QStringList();
        QTest::newRow("truncated token (two segments)") << QByteArray(parts[0] + '.' + parts[1])
                                                        << u"malformed token: expected three dot-separated segments"_s
                                                        << QStringList();
        QTest::newRow("truncated signature") << good.left(good.size() - 8) << u"invalid token signature"_s << QStringList();
        QTest::newRow("extra segment") << QByteArray(good + '.' + parts[2])
                                       << u"malformed token: expected three dot-separated segments"_s << QStringList();
        QTest::newRow("JWE-shaped (five segments)") << QByteArray(good + ".a.b")
                                                    << u"malformed token: expected three dot-separated segments"_s << QStringList();
        QTest::newRow("bad base64 signature") << QByteArray(parts[0] + '.' + parts[1] + ".***")
                                              << u"malformed token: signature is not base64url"_s << QStringList();
        QTest::newRow("padded header") << QByteArray(parts[0] + "==." + parts[1] + '.' + parts[2])
                                       << u"malformed token: header is not base64url"_s << QStringList();
        QTest::newRow("whitespace in token") << QByteArray(" " + parts[0] + '.' + parts[1] + '.' + parts[2])
                                             << u"malformed token: header is not base64url"_s << QStringList();
    }
    QTest::newRow("bad base64 header") << rawToken("!!!!", TestKeys::b64(claims()), rsaSign)
                                       << u"malformed token: header is not base64url"_s << QStringList();
    QTest::newRow("bad base64 payload (validly signed)") << rawToken(TestKeys::b64(rsaHeader), "p@yl%ad", rsaSign)
                                                         << u"malformed token: payload is not base64url"_s << QStringList();
    QTest::newRow("non-JSON header") << rawToken(TestKeys::b64(QByteArray("alg=RS256")), TestKeys::b64(claims()), rsaSign)
                                     << u"malformed token: header is not a JSON object"_s << QStringList();
    QTest::newRow("header is a JSON array") << rawToken(TestKeys::b64(QByteArray("[\"RS256\"]")), TestKeys::b64(claims()), rsaSign)
                                            << u"malformed token: header is not a JSON object"_s << QStringList();
    QTest::newRow("non-JSON payload (validly signed)")
        << rawToken(TestKeys::b64(rsaHeader), TestKeys::b64(QByteArray("{\"sub\":")), rsaSign)
        << u"malformed token: payload is not a JSON object"_s << QStringList();
    QTest::newRow("empty token") << QByteArray() << u"missing token"_s << QStringList();
    QTest::newRow("token of 1 MB") << QByteArray(1024 * 1024, 'A') << u"token too large"_s << QStringList();

    // --- claims ---
    QTest::newRow("expired") << token(rsaHeader, with(claims(), u"exp"_s, double(kNowSecs - 61)), rsaSign) << u"token expired"_s
                             << QStringList();
    QTest::newRow("missing exp") << token(rsaHeader, with(claims(), u"exp"_s, {}), rsaSign) << u"token has no exp"_s << QStringList();
    QTest::newRow("exp as string") << token(rsaHeader, with(claims(), u"exp"_s, QString::number(kNowSecs + 600)), rsaSign)
                                   << u"invalid exp claim"_s << QStringList();
    QTest::newRow("nbf in the future") << token(rsaHeader, with(claims(), u"nbf"_s, double(kNowSecs + 3600)), rsaSign)
                                       << u"token not yet valid (nbf)"_s << QStringList();
    QTest::newRow("iat in the future") << token(rsaHeader, with(claims(), u"iat"_s, double(kNowSecs + 3600)), rsaSign)
                                       << u"token issued in the future (iat)"_s << QStringList();
    QTest::newRow("wrong issuer") << token(rsaHeader, with(claims(), u"iss"_s, u"https://evil.example"_s), rsaSign)
                                  << u"wrong token issuer"_s << QStringList();
    QTest::newRow("issuer with trailing slash") << token(rsaHeader, with(claims(), u"iss"_s, QString(kIssuer + u'/')), rsaSign)
                                                << u"wrong token issuer"_s << QStringList();
    QTest::newRow("missing issuer") << token(rsaHeader, with(claims(), u"iss"_s, {}), rsaSign) << u"wrong token issuer"_s
                                    << QStringList();
    QTest::newRow("wrong audience") << token(rsaHeader, with(claims(), u"aud"_s, u"https://other.example/mcp"_s), rsaSign)
                                    << u"token audience does not include this resource"_s << QStringList();
    QTest::newRow("audience array without ours")
        << token(rsaHeader, with(claims(), u"aud"_s, QJsonArray { u"https://a.example"_s, u"https://b.example"_s }), rsaSign)
        << u"token audience does not include this resource"_s << QStringList();
    QTest::newRow("missing audience") << token(ecHeader, with(claims(), u"aud"_s, {}), ecSign) << u"token has no aud"_s
                                      << QStringList();
    QTest::newRow("audience as number") << token(ecHeader, with(claims(), u"aud"_s, 42), ecSign) << u"invalid aud claim"_s
                                        << QStringList();
    QTest::newRow("missing sub") << token(rsaHeader, with(claims(), u"sub"_s, {}), rsaSign) << u"token has no sub"_s << QStringList();
    QTest::newRow("empty sub") << token(rsaHeader, with(claims(), u"sub"_s, u""_s), rsaSign) << u"token has no sub"_s << QStringList();
    QTest::newRow("scope claim as number") << token(rsaHeader, with(claims(), u"scope"_s, 7), rsaSign) << u"invalid scope claim"_s
                                           << QStringList();
    QTest::newRow("scp array with a number")
        << token(ecHeader, with(with(claims(), u"scope"_s, {}), u"scp"_s, QJsonArray { u"file:read"_s, 1 }), ecSign)
        << u"invalid scp claim"_s << QStringList();
    QTest::newRow("jti as number") << token(rsaHeader, with(claims(), u"jti"_s, 5), rsaSign) << u"invalid jti claim"_s
                                   << QStringList();
}

void TestJwtVerifier::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, error);
    QFETCH(QStringList, scopes);

    const JwtVerifier verifier(options(), m_jwks);
    const auto result = verifier.verify(token, kNow);
    if (error.isEmpty()) {
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->subject, u"alice@example.com"_s);
        QCOMPARE(result->issuer, kIssuer);
        QVERIFY(result->audience.contains(kAudience));
        QCOMPARE(result->scopes, scopes);
        QVERIFY(result->expiry.isValid());
        QCOMPARE(result->id, u"tok-1"_s);
        QVERIFY(result->algorithm == u"RS256"_s || result->algorithm == u"ES256"_s);
        QCOMPARE(result->raw.value(u"sub"_s).toString(), result->subject);
        if (result->raw.contains(u"tags"_s)) {
            QCOMPARE(result->tags, QStringList { u"tag:ci"_s });
            QCOMPARE(result->user, u"alice@github"_s);
        }
        return;
    }
    QVERIFY2(!result.has_value(), "token was accepted");
    QCOMPARE(result.error().message, error);
    // The message never echoes the token or a piece of it.
    const QString message = result.error().toString();
    for (const QByteArray &segment : token.split('.')) {
        if (segment.size() >= 8) {
            QVERIFY(!message.contains(QString::fromLatin1(segment.left(8))));
        }
    }
}

void TestJwtVerifier::hugeTokenRefusedFast()
{
    // A 1 MB token that looks like a JWT (valid base64url, dots) must be refused before any decoding.
    QByteArray huge = TestKeys::b64(header(u"RS256"_s, u"rsa-1"_s)) + '.';
    huge += QByteArray(1024 * 1024, 'A');
    huge += ".AAAA";
    const JwtVerifier verifier(options(), m_jwks);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 100; ++i) {
        const auto result = verifier.verify(huge, kNow);
        QVERIFY(!result);
        QCOMPARE(result.error().message, u"token too large"_s);
    }
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed()) + u" ms for 100 refusals"_s));
}

void TestJwtVerifier::noKidWithSingleKey()
{
    auto single = Jwks::parse(jwksJson({ m_ec.jwk({}) }));
    QVERIFY(single);
    const JwtVerifier verifier(options(), *single);
    const auto result = verifier.verify(token(header(u"ES256"_s), claims(), ec()), kNow);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->keyId, QString());
}

void TestJwtVerifier::algorithmsCanBeRestricted()
{
    auto o = options();
    o.allowedAlgorithms = { u"ES256"_s };
    const JwtVerifier verifier(o, m_jwks);
    const auto rs = verifier.verify(token(header(u"RS256"_s, u"rsa-1"_s), claims(), rsa()), kNow);
    QVERIFY(!rs);
    QCOMPARE(rs.error().message, u"token algorithm not allowed"_s);
    QVERIFY(verifier.verify(token(header(u"ES256"_s, u"ec-1"_s), claims(), ec()), kNow));

    auto typed = options();
    typed.acceptedTypes = { u"at+jwt"_s };
    const JwtVerifier typedVerifier(typed, m_jwks);
    QVERIFY(typedVerifier.verify(token(header(u"ES256"_s, u"ec-1"_s), claims(), ec()), kNow));
    QVERIFY(typedVerifier.verify(token(with(header(u"ES256"_s, u"ec-1"_s), u"typ"_s, u"application/AT+JWT"_s), claims(), ec()), kNow));
    const auto idToken = typedVerifier.verify(token(with(header(u"ES256"_s, u"ec-1"_s), u"typ"_s, u"JWT"_s), claims(), ec()), kNow);
    QVERIFY(!idToken);
    QCOMPARE(idToken.error().message, u"token type (typ) not accepted"_s);

    const JwtVerifier unconfigured(JwtVerifierOptions {}, m_jwks);
    const auto none = unconfigured.verify(token(header(u"ES256"_s, u"ec-1"_s), claims(), ec()), kNow);
    QVERIFY(!none);
    QVERIFY(none.error().message.contains(u"not configured"_s));

    const JwtVerifier noKeys(options(), Jwks {});
    const auto empty = noKeys.verify(token(header(u"ES256"_s, u"ec-1"_s), claims(), ec()), kNow);
    QVERIFY(!empty);
    QCOMPARE(empty.error().message, u"no signing keys available"_s);
}

void TestJwtVerifier::userClaims()
{
    // tsidp's "user" names the tailnet login; "email" stands in only when the issuer verified it.
    const JwtVerifier verifier(options(), m_jwks);
    const auto withUser = verifier.verify(token(header(u"ES256"_s, u"ec-1"_s), with(claims(), u"user"_s, u"alice@github"_s), ec()), kNow);
    QVERIFY(withUser);
    QCOMPARE(withUser->user, u"alice@github"_s);
    const auto verified = verifier.verify(
        token(header(u"ES256"_s, u"ec-1"_s), with(with(claims(), u"email"_s, u"bob@example.com"_s), u"email_verified"_s, true), ec()),
        kNow);
    QVERIFY(verified);
    QCOMPARE(verified->user, u"bob@example.com"_s);
    const auto unverified = verifier.verify(token(header(u"ES256"_s, u"ec-1"_s), with(claims(), u"email"_s, u"boss@example.com"_s), ec()), kNow);
    QVERIFY(unverified); // the token is fine; the address is just not an identity
    QVERIFY(unverified->user.isEmpty());
    const auto falseFlag = verifier.verify(
        token(header(u"ES256"_s, u"ec-1"_s), with(with(claims(), u"email"_s, u"boss@example.com"_s), u"email_verified"_s, false), ec()),
        kNow);
    QVERIFY(falseFlag);
    QVERIFY(falseFlag->user.isEmpty());
}

void TestJwtVerifier::keyRestrictedToOtherAlg()
{
    // Same kid on two keys (rotation overlap) picks the key of the right type.
    auto jwks = Jwks::parse(jwksJson({ m_rsa.jwk(u"k"_s), m_ec.jwk(u"k"_s) }));
    QVERIFY(jwks);
    const JwtVerifier verifier(options(), *jwks);
    QVERIFY(verifier.verify(token(header(u"RS256"_s, u"k"_s), claims(), rsa()), kNow));
    QVERIFY(verifier.verify(token(header(u"ES256"_s, u"k"_s), claims(), ec()), kNow));
}

void TestJwtVerifier::jwks_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("keys");      // usable keys, 0: parse fails
    QTest::addColumn<QString>("error"); // substring of the error, or of a warning when keys > 0

    const QJsonObject rsaJwk = m_rsa.jwk(u"r"_s);
    const QJsonObject ecJwk = m_ec.jwk(u"e"_s);
    const QJsonObject oct { { u"kty"_s, u"oct"_s }, { u"k"_s, u"c2VjcmV0"_s }, { u"kid"_s, u"h"_s } };

    QTest::newRow("rsa and ec") << jwksJson({ rsaJwk, ecJwk }) << 2 << QString();
    QTest::newRow("oct key skipped") << jwksJson({ oct, rsaJwk }) << 1 << u"contains private key material"_s;
    QTest::newRow("okp key skipped") << jwksJson({ QJsonObject { { u"kty"_s, u"OKP"_s }, { u"crv"_s, u"Ed25519"_s } }, ecJwk }) << 1
                                     << u"unsupported kty"_s;
    QTest::newRow("P-384 skipped") << jwksJson({ with(ecJwk, u"crv"_s, u"P-384"_s), rsaJwk }) << 1 << u"unsupported curve"_s;
    QTest::newRow("use enc skipped") << jwksJson({ with(rsaJwk, u"use"_s, u"enc"_s), ecJwk }) << 1 << u"\"use\" is not \"sig\""_s;
    QTest::newRow("private RSA member refused") << jwksJson({ with(rsaJwk, u"d"_s, u"AQAB"_s), ecJwk }) << 1
                                                << u"private key material"_s;
    QTest::newRow("RSA alg mismatch") << jwksJson({ with(rsaJwk, u"alg"_s, u"HS256"_s), ecJwk }) << 1 << u"unsupported alg"_s;
    QTest::newRow("RSA exponent 1") << jwksJson({ with(rsaJwk, u"e"_s, u"AQ"_s), ecJwk }) << 1 << u"invalid RSA exponent"_s;
    QTest::newRow("RSA n not base64url") << jwksJson({ with(rsaJwk, u"n"_s, u"a+b/c="_s), ecJwk }) << 1 << u"\"n\" is not base64url"_s;
    QTest::newRow("RSA 1024 too small") << jwksJson({ Key::rsa(1024).jwk(u"small"_s) }) << 0 << u"no usable signing key"_s;
    {
        QByteArray y = QByteArray::fromBase64(ecJwk.value(u"y"_s).toString().toLatin1(), QByteArray::Base64UrlEncoding);
        y[31] = char(y[31] ^ 0x01);
        QTest::newRow("EC point off the curve") << jwksJson({ with(ecJwk, u"y"_s, QString::fromLatin1(TestKeys::b64(y))) }) << 0
                                                << u"no usable signing key"_s;
    }
    QTest::newRow("EC short x") << jwksJson({ with(ecJwk, u"x"_s, u"AAAA"_s), rsaJwk }) << 1 << u"32 bytes"_s;
    QTest::newRow("EC missing y") << jwksJson({ with(ecJwk, u"y"_s, {}), rsaJwk }) << 1 << u"missing or non-string \"y\""_s;
    QTest::newRow("not JSON") << QByteArray("{keys:") << 0 << u"not valid JSON"_s;
    QTest::newRow("no keys array") << QByteArray(R"({"key":[]})") << 0 << u"no \"keys\" array"_s;
    QTest::newRow("empty set") << QByteArray(R"({"keys":[]})") << 0 << u"no usable signing key"_s;
}

void TestJwtVerifier::jwks()
{
    QFETCH(QByteArray, json);
    QFETCH(int, keys);
    QFETCH(QString, error);

    QStringList warnings;
    const auto jwks = Jwks::parse(json, &warnings);
    if (keys == 0) {
        QVERIFY(!jwks);
        QVERIFY2(jwks.error().message.contains(error), qPrintable(jwks.error().message));
        return;
    }
    QVERIFY2(jwks, qPrintable(jwks ? QString() : jwks.error().message));
    QCOMPARE(jwks->size(), keys);
    if (!error.isEmpty()) {
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().contains(error), qPrintable(warnings.first()));
    } else {
        QVERIFY(warnings.isEmpty());
    }
}

void TestJwtVerifier::jwksFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"jwks.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(jwksJson({ m_ec.jwk(u"ec-1"_s) }));
    file.close();
    auto source = Tailops::Auth::StaticJwksSource::fromFile(path);
    QVERIFY(source);
    auto keys = (*source)->keys();
    QVERIFY(keys);
    QCOMPARE(keys->size(), 1);
    QCOMPARE(keys->keys().first().kid, u"ec-1"_s);

    const auto missing = Tailops::Auth::StaticJwksSource::fromFile(dir.filePath(u"nope.json"_s));
    QVERIFY(!missing);
    QCOMPARE(missing.error().where, dir.filePath(u"nope.json"_s));
}

void TestJwtVerifier::authenticator()
{
    auto source = std::make_shared<Tailops::Auth::StaticJwksSource>(m_jwks);
    Tailops::Auth::OAuthAuthenticator auth(options(), source, [] { return kNow; });

    const QByteArray t = token(header(u"ES256"_s, u"ec-1"_s),
        with(with(claims(), u"scope"_s, u"readonly container:write bogus:scope"_s), u"host_tags"_s, QJsonArray { u"prod"_s }), ec());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown scopes \\(ignored\\): bogus:scope"_s));
    const auto caller = auth.authenticate(t);
    QVERIFY2(caller, qPrintable(caller ? QString() : caller.error().message));
    QCOMPARE(caller->agent, u"oauth:alice@example.com"_s);
    QCOMPARE(caller->tokenId, u"tok-1"_s);
    QCOMPARE(caller->tokenHash, Tailops::Auth::tokenHash(t));
    QCOMPARE(caller->hostTags, QStringList { u"prod"_s });
    auto expected = Tailops::Auth::expandScopes({ u"readonly"_s, u"container:write"_s });
    QCOMPARE(caller->scopes, expected);
    QVERIFY(caller->hasScope(u"system:read"_s));
    QVERIFY(caller->hasScope(u"container:write"_s));
    QVERIFY(!caller->hasScope(u"bogus:scope"_s));
    QCOMPARE(auth.lastClaims().subject, u"alice@example.com"_s);

    // admin expands to everything.
    const auto admin = auth.authenticate(token(header(u"RS256"_s, u"rsa-1"_s), with(claims(), u"scope"_s, u"admin"_s), rsa()));
    QVERIFY(admin);
    QVERIFY(admin->hasScope(u"system:admin"_s));
}

void TestJwtVerifier::authenticatorRefusals()
{
    struct CountingSource final : Tailops::Auth::JwksSource
    {
        Tailops::Auth::Jwks set;
        int refreshes = 0;
        bool fail = false;
        Tailops::Core::Result<Tailops::Auth::Jwks> keys() override
        {
            if (fail) {
                return Tailops::Core::fail(u"JWKS not loaded yet: connection refused"_s);
            }
            return set;
        }
        void unknownKeyId() override { ++refreshes; }
    };
    auto source = std::make_shared<CountingSource>();
    source->set = m_jwks;
    Tailops::Auth::OAuthAuthenticator auth(options(), source, [] { return kNow.addSecs(3600); });

    const QByteArray expired = token(header(u"RS256"_s, u"rsa-1"_s), claims(), rsa());
    const auto r1 = auth.authenticate(expired);
    QVERIFY(!r1);
    QCOMPARE(r1.error().message, u"token expired"_s);

    const auto r2 = auth.authenticate(token(header(u"RS256"_s, u"rotated"_s), claims(), rsa()));
    QVERIFY(!r2);
    QCOMPARE(source->refreshes, 1);

    source->fail = true;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"cannot verify token sha256:"_s));
    const auto r3 = auth.authenticate(expired);
    QVERIFY(!r3);
    QCOMPARE(r3.error().message, u"signing keys unavailable"_s);

    const auto r4 = auth.authenticate({});
    QVERIFY(!r4);
    QCOMPARE(r4.error().message, u"missing token"_s);
}

QTEST_GUILESS_MAIN(TestJwtVerifier)
#include "tst_jwtverifier.moc"
