// Auth::mintToken / verifyToken / tokenHash / parseIsoTimestamp, Auth::expandScopes and Auth::loadSharedSecret.
// Tokens are also built here independently of the gateway (QMessageAuthenticationCode, and known-answer tokens
// computed with the openssl command line) in the format the original TailOpsMCP documents:
//   base64url_nopad(JSON claims) + "." + lowercase hex HMAC-SHA256(secret, that base64url text)

#include "auth/authenticator.h"
#include "auth/hmactoken.h"
#include "auth/scopes.h"
#include "auth/secret.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <ctime>

using namespace Qt::StringLiterals;
using Tailops::Auth::MintOptions;
using Tailops::Auth::TokenClaims;

namespace {

const QByteArray kSecret = "tailops-test-secret-0123456789abcdef";

QDateTime utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), QTimeZone::utc());
}

QByteArray b64url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray sign(const QByteArray &payload, const QByteArray &secret = kSecret)
{
    return QMessageAuthenticationCode::hash(payload, secret, QCryptographicHash::Sha256).toHex();
}

// A token over arbitrary payload text, signed correctly.
QByteArray signedPayload(const QByteArray &payload, const QByteArray &secret = kSecret)
{
    return payload + '.' + sign(payload, secret);
}

QByteArray tokenFor(const QByteArray &json, const QByteArray &secret = kSecret)
{
    return signedPayload(b64url(json), secret);
}

QByteArray tokenFor(const QJsonObject &claims, const QByteArray &secret = kSecret)
{
    return tokenFor(QJsonDocument(claims).toJson(QJsonDocument::Compact), secret);
}

QJsonObject claimsWithExpiry(const QJsonValue &expiry)
{
    return QJsonObject { { u"agent"_s, u"bot"_s }, { u"scopes"_s, QJsonArray { u"system:read"_s } },
        { u"host_tags"_s, QJsonArray {} }, { u"expiry"_s, expiry } };
}

QByteArray flipChar(QByteArray token, qsizetype at)
{
    token[at] = token.at(at) == 'a' ? 'b' : 'a';
    return token;
}

QSet<QString> setOf(const QStringList &list) { return QSet<QString>(list.cbegin(), list.cend()); }

// ISO-8601 UTC with microseconds, as Python's datetime.isoformat() + "Z" writes it.
QByteArray pythonIso(const QDateTime &t)
{
    return t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s).toLatin1() + "456Z";
}

// A token exactly as the original TailOpsMCP documents it: base64url_nopad(compact JSON claims) + "." +
// lowercase hex HMAC-SHA256(secret, that base64url text). Claims in the documented order; optional ones
// (EXPIRY, IAT) left out when empty.
QByteArray originalToken(const QByteArray &agent, const QByteArray &scopes, const QByteArray &expiry,
                         const QByteArray &iat = {}, const QByteArray &secret = kSecret)
{
    QByteArray json = "{\"agent\":\"" + agent + "\",\"scopes\":" + scopes + ",\"host_tags\":[]";
    if (!expiry.isEmpty()) {
        json += ",\"expiry\":\"" + expiry + '"';
    }
    if (!iat.isEmpty()) {
        json += ",\"iat\":\"" + iat + '"';
    }
    json += '}';
    const QByteArray payload = json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray mac = QMessageAuthenticationCode::hash(payload, secret, QCryptographicHash::Sha256);
    return payload + '.' + mac.toHex();
}

void verifyNotEchoed(const QString &message, const QByteArray &token)
{
    for (const QByteArray &part : token.split('.')) {
        QVERIFY2(!message.contains(QString::fromLatin1(part)), qPrintable(message));
    }
}

} // namespace

class TestHmacToken final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void roundTrip();
    void noExpiry();
    void mintedTokenMatchesIndependentHmac();
    void legacyToken_data();
    void legacyToken();
    void rejected_data();
    void rejected();
    void expiryForms_data();
    void expiryForms();
    void parseIsoTimestamp_data();
    void parseIsoTimestamp();
    void tokenHash();
    void mintReportsClaims();

    void authenticatorAcceptsOriginalToken();
    void authenticatorPolicy_data();
    void authenticatorPolicy();
    void authenticatorDefaultRequiresExpiry();

    void expandScopes_data();
    void expandScopes();

    void secretFromEnvironment();
    void secretFile_data();
    void secretFile();
    void createdSecretFileLoads();
};

void TestHmacToken::initTestCase()
{
    // A local zone far from UTC, so that reading a naive timestamp as local time would be caught.
    qputenv("TZ", "Asia/Kolkata");
    tzset();
    QVERIFY(QDateTime(QDate(2025, 12, 31), QTime(12, 0), Qt::LocalTime).offsetFromUtc() == 5 * 3600 + 1800);
}

void TestHmacToken::cleanup()
{
    qunsetenv("TAILOPS_SHARED_SECRET");
    qunsetenv("SYSTEMMANAGER_SHARED_SECRET");
}

void TestHmacToken::roundTrip()
{
    const QDateTime now = utc(2025, 6, 1, 12, 0, 0);
    MintOptions options;
    options.agent = u"ci-bot"_s;
    options.scopes = { u"system:read"_s, u"container:write"_s };
    options.hostTags = { u"web"_s, u"prod"_s };
    options.ttlSeconds = 3600;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, now);

    static const QRegularExpression shape(u"^[A-Za-z0-9_-]+\\.[0-9a-f]{64}$"_s);
    QVERIFY2(shape.match(QString::fromLatin1(token)).hasMatch(), token.constData());

    const auto claims = Tailops::Auth::verifyToken(token, kSecret, now);
    QVERIFY2(claims, qPrintable(claims ? QString() : claims.error().message));
    QCOMPARE(claims->agent, u"ci-bot"_s);
    QCOMPARE(claims->scopes, options.scopes);
    QCOMPARE(claims->hostTags, options.hostTags);
    QCOMPARE(claims->expiry, now.addSecs(3600));
    QCOMPARE(claims->issuedAt, now);
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{32}$"_s).match(claims->id).hasMatch(), qPrintable(claims->id));

    // Still valid at the last second, expired one second later.
    QVERIFY(Tailops::Auth::verifyToken(token, kSecret, now.addSecs(3600)));
    const auto late = Tailops::Auth::verifyToken(token, kSecret, now.addSecs(3601));
    QVERIFY(!late);
    QCOMPARE(late.error().message, u"token expired"_s);

    // The payload is compact JSON with the documented claim names and ISO-8601 UTC times.
    const QByteArray payload = token.left(token.indexOf('.'));
    const auto json = QByteArray::fromBase64Encoding(payload, QByteArray::Base64UrlEncoding);
    QVERIFY(json);
    QVERIFY(!json.decoded.contains(' '));
    const QJsonObject o = QJsonDocument::fromJson(*json).object();
    QCOMPARE(o.value(u"agent"_s).toString(), u"ci-bot"_s);
    QCOMPARE(o.value(u"expiry"_s).toString(), u"2025-06-01T13:00:00.000Z"_s);
    QCOMPARE(o.value(u"iat"_s).toString(), u"2025-06-01T12:00:00.000Z"_s);
    QCOMPARE(o.value(u"host_tags"_s).toArray().size(), 2);

    // Each token gets its own id.
    const QByteArray again = Tailops::Auth::mintToken(options, kSecret, now);
    QVERIFY(again != token);
    QVERIFY(Tailops::Auth::verifyToken(again, kSecret, now)->id != claims->id);
}

void TestHmacToken::noExpiry()
{
    MintOptions options;
    options.agent = u"forever"_s;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, utc(2025, 1, 1));
    const auto claims = Tailops::Auth::verifyToken(token, kSecret, utc(2199, 1, 1));
    QVERIFY2(claims, qPrintable(claims ? QString() : claims.error().message));
    QVERIFY(!claims->expiry.isValid());
    QVERIFY(claims->scopes.isEmpty());
    const auto json = QByteArray::fromBase64Encoding(token.left(token.indexOf('.')), QByteArray::Base64UrlEncoding);
    QVERIFY(!QJsonDocument::fromJson(*json).object().contains(u"expiry"_s));
}

void TestHmacToken::mintedTokenMatchesIndependentHmac()
{
    MintOptions options;
    options.agent = u"x"_s;
    options.scopes = { u"readonly"_s };
    options.ttlSeconds = 60;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, utc(2025, 1, 1));
    const qsizetype dot = token.indexOf('.');
    QCOMPARE(token.mid(dot + 1), sign(token.left(dot)));
    QVERIFY(!token.contains('='));
}

void TestHmacToken::legacyToken_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QStringList>("hostTags");

    const QByteArray compact
        = R"({"agent":"legacy","scopes":["system:read"],"host_tags":[],"expiry":"2099-01-01T00:00:00.000001Z"})";
    QTest::newRow("built here") << tokenFor(compact) << QStringList { u"system:read"_s } << QStringList {};
    // The same claims, HMAC computed with: printf %s "$PAYLOAD" | openssl dgst -sha256 -hmac "$SECRET"
    QTest::newRow("known answer, compact JSON") << QByteArray(
        "eyJhZ2VudCI6ImxlZ2FjeSIsInNjb3BlcyI6WyJzeXN0ZW06cmVhZCJdLCJob3N0X3RhZ3MiOltdLCJleHBpcnkiOiIyMDk5LTAx"
        "LTAxVDAwOjAwOjAwLjAwMDAwMVoifQ."
        "9a0b63fe1adb23ddec355004e1433fc7e401450d8694275f77ab11077422eb75")
                                                << QStringList { u"system:read"_s } << QStringList {};
    // Python's json.dumps default separators (", " and ": ").
    QTest::newRow("known answer, json.dumps default")
        << QByteArray(
               "eyJhZ2VudCI6ICJsZWdhY3kiLCAic2NvcGVzIjogWyJzeXN0ZW06cmVhZCIsICJuZXR3b3JrOnJlYWQiXSwgImhvc3RfdGFncy"
               "I6IFsid2ViIl0sICJleHBpcnkiOiAiMjA5OS0wMS0wMVQwMDowMDowMC4wMDAwMDFaIn0."
               "ca7f66e856f67a3fe493cd189ea87655a0406aef7701f6b23b099ad0c7c78a4b")
        << QStringList { u"system:read"_s, u"network:read"_s } << QStringList { u"web"_s };
}

void TestHmacToken::legacyToken()
{
    QFETCH(QByteArray, token);
    QFETCH(QStringList, scopes);
    QFETCH(QStringList, hostTags);

    const auto claims = Tailops::Auth::verifyToken(token, kSecret, utc(2026, 3, 1));
    QVERIFY2(claims, qPrintable(claims ? QString() : claims.error().message));
    QCOMPARE(claims->agent, u"legacy"_s);
    QCOMPARE(claims->scopes, scopes);
    QCOMPARE(claims->hostTags, hostTags);
    QCOMPARE(claims->expiry, utc(2099, 1, 1));
    QVERIFY(claims->id.isEmpty());
    QVERIFY(!claims->issuedAt.isValid());

    // Any other secret is refused.
    const auto wrong = Tailops::Auth::verifyToken(token, kSecret + 'x', utc(2026, 3, 1));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().message, u"invalid token signature"_s);
}

void TestHmacToken::rejected_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QString>("message");

    const QDateTime now = utc(2025, 6, 1, 12);
    MintOptions options;
    options.agent = u"agent-007"_s;
    options.scopes = { u"system:read"_s };
    options.ttlSeconds = 600;
    const QByteArray good = Tailops::Auth::mintToken(options, kSecret, now);
    const qsizetype dot = good.indexOf('.');
    const QByteArray payload = good.left(dot);
    const QByteArray signature = good.mid(dot + 1);

    QTest::newRow("empty") << QByteArray() << kSecret << u"missing token"_s;
    QTest::newRow("no dot") << payload << kSecret << u"malformed token"_s;
    QTest::newRow("extra dot") << good + ".x" << kSecret << u"malformed token"_s;
    QTest::newRow("three parts") << payload + '.' + payload + '.' + signature << kSecret << u"malformed token"_s;
    QTest::newRow("leading dot") << '.' + signature << kSecret << u"malformed token"_s;
    QTest::newRow("oversized") << signedPayload(QByteArray(9000, 'A')) << kSecret << u"malformed token"_s;
    QTest::newRow("tampered payload") << flipChar(good, 5) << kSecret << u"invalid token signature"_s;
    QTest::newRow("tampered signature") << flipChar(good, good.size() - 1) << kSecret << u"invalid token signature"_s;
    QTest::newRow("uppercase signature") << payload + '.' + signature.toUpper() << kSecret
                                         << u"invalid token signature"_s;
    QTest::newRow("wrong secret") << good << QByteArray("another-secret-of-some-length")
                                  << u"invalid token signature"_s;
    QTest::newRow("truncated") << good.left(good.size() - 1) << kSecret << u"invalid token signature"_s;
    QTest::newRow("truncated payload") << good.mid(1) << kSecret << u"invalid token signature"_s;
    QTest::newRow("no signature") << payload + '.' << kSecret << u"invalid token signature"_s;
    const QByteArray forged = tokenFor(R"({"agent":"root","scopes":["admin"]})");
    QTest::newRow("payload swapped") << forged.left(forged.indexOf('.')) + '.' + signature << kSecret
                                     << u"invalid token signature"_s;

    QTest::newRow("expired") << tokenFor(claimsWithExpiry(u"2025-06-01T11:59:59Z"_s)) << kSecret << u"token expired"_s;
    QTest::newRow("expired by 1 ms") << tokenFor(claimsWithExpiry(u"2025-06-01T11:59:59.999Z"_s)) << kSecret
                                     << u"token expired"_s;
    QTest::newRow("expired (offset)") << tokenFor(claimsWithExpiry(u"2025-06-01T13:30:00+02:00"_s)) << kSecret
                                      << u"token expired"_s;

    QTest::newRow("invalid base64") << signedPayload("eyJ!!!*") << kSecret << u"malformed token payload"_s;
    QTest::newRow("standard base64 alphabet") << signedPayload("ab+/") << kSecret << u"malformed token payload"_s;
    QTest::newRow("payload not JSON") << tokenFor(QByteArray("agent=legacy;scopes=admin")) << kSecret
                                      << u"invalid token payload JSON"_s;
    QTest::newRow("payload JSON array") << tokenFor(QByteArray(R"(["agent","x"])")) << kSecret
                                        << u"invalid token payload JSON"_s;
    QTest::newRow("payload truncated JSON")
        << tokenFor(QByteArray(R"({"agent":"x")")) << kSecret << u"invalid token payload JSON"_s;

    QTest::newRow("agent number") << tokenFor(R"({"agent":42,"scopes":["system:read"]})") << kSecret
                                  << u"invalid token claims"_s;
    QTest::newRow("agent missing") << tokenFor(R"({"scopes":["system:read"]})") << kSecret << u"invalid token claims"_s;
    QTest::newRow("agent empty") << tokenFor(R"({"agent":"","scopes":[]})") << kSecret << u"invalid token claims"_s;
    QTest::newRow("scopes not a list") << tokenFor(R"({"agent":"a","scopes":"system:read"})") << kSecret
                                       << u"invalid token claims"_s;
    QTest::newRow("scopes contain a number")
        << tokenFor(R"({"agent":"a","scopes":["system:read",1]})") << kSecret << u"invalid token claims"_s;
    QTest::newRow("host_tags an object") << tokenFor(R"({"agent":"a","scopes":[],"host_tags":{"web":1}})") << kSecret
                                         << u"invalid token claims"_s;
    QTest::newRow("expiry garbage") << tokenFor(claimsWithExpiry(u"tomorrow"_s)) << kSecret
                                    << u"invalid token claims"_s;
    QTest::newRow("expiry number") << tokenFor(claimsWithExpiry(1900000000)) << kSecret << u"invalid token claims"_s;
    QTest::newRow("expiry bad date") << tokenFor(claimsWithExpiry(u"2025-02-30T00:00:00Z"_s)) << kSecret
                                     << u"invalid token claims"_s;
}

void TestHmacToken::rejected()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, secret);
    QFETCH(QString, message);

    const auto result = Tailops::Auth::verifyToken(token, secret, utc(2025, 6, 1, 12));
    QVERIFY2(!result, token.constData());
    QCOMPARE(result.error().message, message);

    // Never echo the token, nor either half of it.
    const QString text = result.error().toString();
    const qsizetype dot = token.indexOf('.');
    for (const QByteArray &part : { token, token.left(dot), token.mid(dot + 1) }) {
        if (part.size() >= 4) {
            QVERIFY2(!text.contains(QString::fromLatin1(part)), qPrintable(text));
        }
    }
    QVERIFY(!text.contains(QString::fromLatin1(secret)));
}

void TestHmacToken::expiryForms_data()
{
    QTest::addColumn<QString>("expiry");
    QTest::addColumn<QDateTime>("expected");

    const QDateTime noon = utc(2025, 12, 31, 12);
    QTest::newRow("Z") << u"2025-12-31T12:00:00Z"_s << noon;
    QTest::newRow("microseconds Z (Python)") << u"2025-12-31T12:00:00.123456Z"_s << noon.addMSecs(123);
    QTest::newRow("naive = UTC") << u"2025-12-31T12:00:00"_s << noon;
    QTest::newRow("naive microseconds (Python isoformat)") << u"2025-12-31T12:00:00.000001"_s << noon;
    QTest::newRow("+00:00 (Python isoformat)") << u"2025-12-31T12:00:00+00:00"_s << noon;
    QTest::newRow("+05:30") << u"2025-12-31T17:30:00+05:30"_s << noon;
    QTest::newRow("-08:00") << u"2025-12-31T04:00:00-08:00"_s << noon;
}

void TestHmacToken::expiryForms()
{
    QFETCH(QString, expiry);
    QFETCH(QDateTime, expected);

    const QByteArray token = tokenFor(claimsWithExpiry(expiry));
    const auto before = Tailops::Auth::verifyToken(token, kSecret, expected.addMSecs(-1));
    QVERIFY2(before, qPrintable(before ? QString() : before.error().message));
    QCOMPARE(before->expiry, expected);
    // An hour ahead of the expiry (local time here is UTC+05:30): still accepted only if read as UTC.
    QVERIFY(Tailops::Auth::verifyToken(token, kSecret, expected.addSecs(-3600)));
    const auto after = Tailops::Auth::verifyToken(token, kSecret, expected.addMSecs(1));
    QVERIFY(!after);
    QCOMPARE(after.error().message, u"token expired"_s);
}

void TestHmacToken::parseIsoTimestamp_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected"); // invalid: rejected

    QTest::newRow("Z") << u"2025-12-31T12:00:00Z"_s << utc(2025, 12, 31, 12);
    QTest::newRow("micro Z") << u"2025-12-31T12:00:00.123456Z"_s << utc(2025, 12, 31, 12, 0, 0, 123);
    QTest::newRow("milli Z") << u"2025-12-31T12:00:00.999Z"_s << utc(2025, 12, 31, 12, 0, 0, 999);
    QTest::newRow("one digit") << u"2025-12-31T12:00:00.5Z"_s << utc(2025, 12, 31, 12, 0, 0, 500);
    QTest::newRow("naive") << u"2025-12-31T12:00:00"_s << utc(2025, 12, 31, 12);
    QTest::newRow("space separator") << u"2025-12-31 12:00:00"_s << utc(2025, 12, 31, 12);
    QTest::newRow("no seconds") << u"2025-12-31T12:00Z"_s << utc(2025, 12, 31, 12);
    QTest::newRow("date only") << u"2025-12-31"_s << utc(2025, 12, 31);
    QTest::newRow("+00:00") << u"2025-12-31T12:00:00+00:00"_s << utc(2025, 12, 31, 12);
    QTest::newRow("+0200") << u"2025-12-31T14:00:00+0200"_s << utc(2025, 12, 31, 12);
    QTest::newRow("-05:00 crosses midnight") << u"2025-12-31T22:00:00-05:00"_s << utc(2026, 1, 1, 3);
    QTest::newRow("leap day") << u"2024-02-29T00:00:00Z"_s << utc(2024, 2, 29);

    QTest::newRow("empty") << QString() << QDateTime();
    QTest::newRow("garbage") << u"tomorrow"_s << QDateTime();
    QTest::newRow("month 13") << u"2025-13-01T00:00:00Z"_s << QDateTime();
    QTest::newRow("Feb 30") << u"2025-02-30T00:00:00Z"_s << QDateTime();
    QTest::newRow("hour 25") << u"2025-12-31T25:00:00Z"_s << QDateTime();
    QTest::newRow("double Z") << u"2025-12-31T12:00:00ZZ"_s << QDateTime();
    QTest::newRow("trailing text") << u"2025-12-31T12:00:00Z extra"_s << QDateTime();
    QTest::newRow("epoch number") << u"1767182400"_s << QDateTime();
}

void TestHmacToken::parseIsoTimestamp()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);

    const QDateTime parsed = Tailops::Auth::parseIsoTimestamp(text);
    if (!expected.isValid()) {
        QVERIFY2(!parsed.isValid(), qPrintable(parsed.toString(Qt::ISODateWithMs)));
        return;
    }
    QVERIFY(parsed.isValid());
    QCOMPARE(parsed, expected);
    QCOMPARE(parsed.toMSecsSinceEpoch(), expected.toMSecsSinceEpoch());
    QCOMPARE(parsed.offsetFromUtc(), 0);
}

void TestHmacToken::tokenHash()
{
    // Known answer: SHA-256("abc") = ba7816bf8f01cfea...
    QCOMPARE(Tailops::Auth::tokenHash("abc"), u"sha256:ba7816bf8f01"_s);

    MintOptions options;
    options.agent = u"hash-me"_s;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, utc(2025, 1, 1));
    const QString hash = Tailops::Auth::tokenHash(token);
    QCOMPARE(hash,
        u"sha256:"_s
            + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex().left(12)));
    QCOMPARE(hash.size(), 7 + 12);
    QVERIFY(!hash.contains(QString::fromLatin1(token.left(12))));
    QVERIFY(Tailops::Auth::tokenHash(token + 'x') != hash);
}

void TestHmacToken::mintReportsClaims()
{
    MintOptions options;
    options.agent = u"reporter"_s;
    options.scopes = { u"readonly"_s, u"network:diag"_s };
    options.hostTags = { u"web"_s };
    options.ttlSeconds = 7200;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    TokenClaims minted;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, now, &minted);
    const auto verified = Tailops::Auth::verifyToken(token, kSecret, now);
    QVERIFY(verified);
    QCOMPARE(minted.id, verified->id);
    QCOMPARE(minted.agent, verified->agent);
    QCOMPARE(minted.scopes, verified->scopes);
    QCOMPARE(minted.hostTags, verified->hostTags);
    QCOMPARE(minted.issuedAt, verified->issuedAt);
    QCOMPARE(minted.expiry, verified->expiry);
    QCOMPARE(minted.issuedAt.msecsTo(minted.expiry), 7200 * 1000);

    options.ttlSeconds = 0;
    Tailops::Auth::mintToken(options, kSecret, now, &minted);
    QVERIFY(!minted.expiry.isValid());
}

void TestHmacToken::authenticatorAcceptsOriginalToken()
{
    const QByteArray expiry = pythonIso(QDateTime::currentDateTimeUtc().addDays(2));
    const QByteArray token = originalToken("legacy-bot", R"(["readonly","container:write"])", expiry);

    Tailops::Auth::TokenAuthenticator auth(kSecret); // default options: expiry required
    const auto caller = auth.authenticate(token);
    QVERIFY2(caller, qPrintable(caller ? QString() : caller.error().message));
    QCOMPARE(caller->agent, u"legacy-bot"_s);
    QCOMPARE(caller->scopes, setOf({ u"system:read"_s, u"network:read"_s, u"container:read"_s, u"file:read"_s,
                                     u"security:read"_s, u"container:write"_s }));
    QVERIFY(caller->hostTags.isEmpty());
    QVERIFY(caller->tokenId.isEmpty()); // no jti in the original's tokens
    QCOMPARE(caller->tokenHash, Tailops::Auth::tokenHash(token));
    QVERIFY(auth.authenticate(token)); // and again, from the cache

    // Without an expiry: refused by default, accepted when auth.require_expiry is off.
    const QByteArray forever = originalToken("legacy-bot", R"(["system:read"])", {});
    const auto refused = auth.authenticate(forever);
    QVERIFY(!refused);
    QCOMPARE(refused.error().message, u"token has no expiry (auth.require_expiry is on; mint it with --ttl)"_s);
    verifyNotEchoed(refused.error().toString(), forever);

    Tailops::Auth::TokenAuthenticator lenient(kSecret, Tailops::Auth::TokenAuthOptions { false, 90 * 86400, {} });
    const auto accepted = lenient.authenticate(forever);
    QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().message));
    QCOMPARE(accepted->scopes, QSet<QString> { u"system:read"_s });
    QVERIFY(lenient.authenticate(token));
}

void TestHmacToken::authenticatorPolicy_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("requireExpiry");
    QTest::addColumn<qint64>("maxTtl");
    QTest::addColumn<QString>("error"); // empty: accepted

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto iso = [](const QDateTime &t) { return pythonIso(t); };
    const qint64 day = 86400;
    const QByteArray scopes = R"(["system:read"])";

    QTest::newRow("iat and expiry within max") << originalToken("a", scopes, iso(now.addSecs(3600)), iso(now)) << true << day
                                               << QString();
    QTest::newRow("lifetime exactly max") << originalToken("a", scopes, iso(now.addSecs(day)), iso(now)) << true << day
                                          << QString();
    QTest::newRow("lifetime exceeds max") << originalToken("a", scopes, iso(now.addSecs(day + 1)), iso(now)) << true << day
                                          << u"token lifetime exceeds auth.max_token_ttl"_s;
    QTest::newRow("old iat, lifetime exceeds") << originalToken("a", scopes, iso(now.addSecs(60)), iso(now.addDays(-30)))
                                               << true << 7 * day << u"token lifetime exceeds auth.max_token_ttl"_s;
    QTest::newRow("no max ttl") << originalToken("a", scopes, iso(now.addDays(400)), iso(now)) << true << qint64(0) << QString();
    QTest::newRow("long lifetime without iat (original)") << originalToken("a", scopes, iso(now.addDays(400))) << true << day
                                                          << QString();
    QTest::newRow("iat 4 min ahead (clock skew)") << originalToken("a", scopes, iso(now.addSecs(3600)), iso(now.addSecs(240)))
                                                  << true << day << QString();
    QTest::newRow("iat 10 min ahead") << originalToken("a", scopes, iso(now.addSecs(3600)), iso(now.addSecs(600))) << true
                                      << day << u"token issued in the future"_s;
    QTest::newRow("no expiry, required") << originalToken("a", scopes, {}, iso(now)) << true << day
                                         << u"token has no expiry (auth.require_expiry is on; mint it with --ttl)"_s;
    QTest::newRow("no expiry, allowed") << originalToken("a", scopes, {}, iso(now)) << false << day << QString();
    QTest::newRow("expired") << originalToken("a", scopes, iso(now.addSecs(-5)), iso(now.addSecs(-60))) << true << day
                             << u"token expired"_s;
    QTest::newRow("unknown scope: warned, not refused") << originalToken("a", R"(["system:read","root:all"])", iso(now.addSecs(60)))
                                                        << true << day << QString();
    QTest::newRow("other secret") << originalToken("a", scopes, iso(now.addSecs(60)), {}, "other-secret-0123456789") << true
                                  << day << u"invalid token signature"_s;
    MintOptions minted { u"m"_s, { u"readonly"_s }, {}, 3600 };
    QTest::newRow("minted here") << Tailops::Auth::mintToken(minted, kSecret, now) << true << day << QString();
    minted.ttlSeconds = 2 * day;
    QTest::newRow("minted here, over max") << Tailops::Auth::mintToken(minted, kSecret, now) << true << day
                                           << u"token lifetime exceeds auth.max_token_ttl"_s;
}

void TestHmacToken::authenticatorPolicy()
{
    QFETCH(QByteArray, token);
    QFETCH(bool, requireExpiry);
    QFETCH(qint64, maxTtl);
    QFETCH(QString, error);

    Tailops::Auth::TokenAuthenticator auth(kSecret, Tailops::Auth::TokenAuthOptions { requireExpiry, maxTtl, {} });
    for (int attempt = 0; attempt < 2; ++attempt) { // the second one may come from the cache
        const auto caller = auth.authenticate(token);
        if (error.isEmpty()) {
            QVERIFY2(caller, qPrintable(caller ? QString() : caller.error().message));
            QVERIFY(caller->hasScope(u"system:read"_s) || caller->hasScope(u"file:read"_s));
            QVERIFY(!caller->hasScope(u"root:all"_s));
        } else {
            QVERIFY(!caller);
            QCOMPARE(caller.error().message, error);
            verifyNotEchoed(caller.error().toString(), token);
        }
    }
}

void TestHmacToken::authenticatorDefaultRequiresExpiry()
{
    const Tailops::Auth::TokenAuthOptions defaults;
    QVERIFY(defaults.requireExpiry);
    Tailops::Auth::TokenAuthenticator auth(kSecret);
    QVERIFY(auth.options().requireExpiry);
    QVERIFY(auth.options().tokensPath.isEmpty());
    MintOptions options;
    options.agent = u"forever"_s;
    options.scopes = { u"readonly"_s };
    const auto refused = auth.authenticate(Tailops::Auth::mintToken(options, kSecret, QDateTime::currentDateTimeUtc()));
    QVERIFY(!refused);
    QCOMPARE(refused.error().message, u"token has no expiry (auth.require_expiry is on; mint it with --ttl)"_s);
}

void TestHmacToken::expandScopes_data()
{
    QTest::addColumn<QStringList>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("unknown");

    const QStringList readonly { u"system:read"_s, u"network:read"_s, u"container:read"_s, u"file:read"_s,
        u"security:read"_s };
    const QStringList all { u"system:read"_s, u"network:read"_s, u"container:read"_s, u"file:read"_s, u"network:diag"_s,
        u"container:write"_s, u"file:write"_s, u"container:admin"_s, u"system:admin"_s, u"docker:admin"_s,
        u"security:read"_s, u"security:scan"_s, u"security:write"_s, u"security:admin"_s };

    QTest::newRow("nothing") << QStringList {} << QStringList {} << QStringList {};
    QTest::newRow("admin") << QStringList { u"admin"_s } << all << QStringList {};
    QTest::newRow("readonly") << QStringList { u"readonly"_s } << readonly << QStringList {};
    QTest::newRow("concrete") << QStringList { u"network:diag"_s, u"file:write"_s }
                              << QStringList { u"network:diag"_s, u"file:write"_s } << QStringList {};
    QTest::newRow("readonly plus one") << QStringList { u"readonly"_s, u"container:write"_s }
                                       << readonly + QStringList { u"container:write"_s } << QStringList {};
    QTest::newRow("duplicates") << QStringList { u"system:read"_s, u"readonly"_s, u"system:read"_s } << readonly
                                << QStringList {};
    QTest::newRow("unknown collected") << QStringList { u"system:read"_s, u"bogus"_s, u"Admin"_s, u"system:reboot"_s,
        u""_s } << QStringList { u"system:read"_s }
                                       << QStringList { u"bogus"_s, u"Admin"_s, u"system:reboot"_s, u""_s };
}

void TestHmacToken::expandScopes()
{
    QFETCH(QStringList, input);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, unknown);

    QStringList gotUnknown;
    const QSet<QString> scopes = Tailops::Auth::expandScopes(input, &gotUnknown);
    QCOMPARE(scopes, setOf(expected));
    QCOMPARE(gotUnknown, unknown);
    QVERIFY(!scopes.contains(u"admin"_s));
    QVERIFY(!scopes.contains(u"readonly"_s));
    QCOMPARE(Tailops::Auth::expandScopes(input), scopes); // no unknown list: same result, no crash

    for (const QString &s : expected) {
        QVERIFY(Tailops::Auth::isKnownScope(s));
    }
    for (const QString &s : unknown) {
        QVERIFY(!Tailops::Auth::isKnownScope(s));
    }
}

void TestHmacToken::secretFromEnvironment()
{
    const QByteArray primary = "primary-secret-0123456789";
    const QByteArray fallback = "fallback-secret-0123456789";

    qputenv("TAILOPS_SHARED_SECRET", primary);
    qputenv("SYSTEMMANAGER_SHARED_SECRET", fallback);
    auto secret = Tailops::Auth::loadSharedSecret(QString());
    QVERIFY(secret);
    QCOMPARE(*secret, primary);

    qunsetenv("TAILOPS_SHARED_SECRET");
    secret = Tailops::Auth::loadSharedSecret(u"/nonexistent/secret"_s);
    QVERIFY2(secret, qPrintable(secret ? QString() : secret.error().message));
    QCOMPARE(*secret, fallback); // the original project's variable name

    qputenv("TAILOPS_SHARED_SECRET", ""); // set but empty: ignored
    secret = Tailops::Auth::loadSharedSecret(QString());
    QVERIFY(secret);
    QCOMPARE(*secret, fallback);

    qputenv("TAILOPS_SHARED_SECRET", "  " + primary + "\n"); // surrounding whitespace is not part of the secret
    secret = Tailops::Auth::loadSharedSecret(QString());
    QVERIFY(secret);
    QCOMPARE(*secret, primary);

    qputenv("TAILOPS_SHARED_SECRET", "short-secret"); // 12 characters
    secret = Tailops::Auth::loadSharedSecret(QString());
    QVERIFY(!secret);
    QVERIFY2(secret.error().message.contains(u"too short"_s), qPrintable(secret.error().message));
    QVERIFY(secret.error().message.contains(u"TAILOPS_SHARED_SECRET"_s));
    QVERIFY(!secret.error().toString().contains(u"short-secret"_s));

    qputenv("TAILOPS_SHARED_SECRET", QByteArray(Tailops::Auth::kMinSecretLength, 'k'));
    QVERIFY(Tailops::Auth::loadSharedSecret(QString()));

    qunsetenv("TAILOPS_SHARED_SECRET");
    qunsetenv("SYSTEMMANAGER_SHARED_SECRET");
    secret = Tailops::Auth::loadSharedSecret(QString());
    QVERIFY(!secret);
    QVERIFY2(secret.error().message.contains(u"no shared secret"_s), qPrintable(secret.error().message));
}

void TestHmacToken::secretFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("mode"); // octal permissions; -1: do not create the file
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QString>("error");

    const QByteArray secret = "0123456789abcdef0123456789abcdef";
    QTest::newRow("0600") << secret + '\n' << 0600 << secret << QString();
    QTest::newRow("0400") << secret << 0400 << secret << QString();
    QTest::newRow("0644 refused") << secret << 0644 << QByteArray() << u"is readable by others; run: chmod 600"_s;
    QTest::newRow("0640 refused") << secret << 0640 << QByteArray() << u"chmod 600"_s;
    QTest::newRow("0604 refused") << secret << 0604 << QByteArray() << u"chmod 600"_s;
    QTest::newRow("too short") << QByteArray("tiny\n") << 0600 << QByteArray() << u"too short"_s;
    QTest::newRow("only whitespace") << QByteArray("   \n\n") << 0600 << QByteArray() << u"too short"_s;
    QTest::newRow("missing") << QByteArray() << -1 << QByteArray() << u"does not exist"_s;
}

void TestHmacToken::secretFile()
{
    QFETCH(QByteArray, content);
    QFETCH(int, mode);
    QFETCH(QByteArray, expected);
    QFETCH(QString, error);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"secret"_s);
    if (mode >= 0) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(content), content.size());
        f.close();
        QFileDevice::Permissions p;
        const std::pair<int, QFileDevice::Permission> bits[] = {
            { 0400, QFileDevice::ReadOwner },
            { 0200, QFileDevice::WriteOwner },
            { 0040, QFileDevice::ReadGroup },
            { 0020, QFileDevice::WriteGroup },
            { 0004, QFileDevice::ReadOther },
            { 0002, QFileDevice::WriteOther },
        };
        for (const auto &[bit, flag] : bits) {
            if (mode & bit) {
                p |= flag;
            }
        }
        QVERIFY(QFile::setPermissions(path, p));
    }

    const auto secret = Tailops::Auth::loadSharedSecret(path);
    if (error.isEmpty()) {
        QVERIFY2(secret, qPrintable(secret ? QString() : secret.error().message));
        QCOMPARE(*secret, expected);
        return;
    }
    QVERIFY(!secret);
    QVERIFY2(secret.error().message.contains(error), qPrintable(secret.error().message));
    QVERIFY(secret.error().message.contains(path));
    if (!content.trimmed().isEmpty()) {
        QVERIFY(!secret.error().toString().contains(QString::fromLatin1(content.trimmed())));
    }
}

void TestHmacToken::createdSecretFileLoads()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"secret"_s);
    QVERIFY(Tailops::Auth::createSecretFile(path));
    QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const auto secret = Tailops::Auth::loadSharedSecret(path);
    QVERIFY2(secret, qPrintable(secret ? QString() : secret.error().message));
    QVERIFY(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(QString::fromLatin1(*secret)).hasMatch());
    QVERIFY(!Tailops::Auth::createSecretFile(path)); // never overwrites
    QCOMPARE(*Tailops::Auth::loadSharedSecret(path), *secret);
}

QTEST_GUILESS_MAIN(TestHmacToken)

#include "tst_hmactoken.moc"
