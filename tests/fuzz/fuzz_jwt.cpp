// OAuth access tokens: Auth::JwtVerifier against a fixed JWKS (an EC P-256 key "ec1" and an RSA key
// "rsa1" generated at start-up), and Auth::Jwks::parse. Mode (first byte):
//   0: the rest is a compact JWS as a client sends it;
//   1: the rest is "HEADER-JSON\n--\nPAYLOAD-JSON", encoded and signed ES256 by the harness (so header and
//      claim checks are reached);
//   2: the rest is payload JSON, signed with a fixed header {"alg":"ES256","kid":"ec1","typ":"at+jwt"};
//   3: the rest is a JWKS document for Jwks::parse; a fixed token is then verified against it.
// Invariants: an accepted token has our issuer, our audience, a subject, an expiry not past (with leeway),
// alg ES256/RS256; re-signing the accepted claims gives a token that verifies to the same claims; error
// messages never contain the token; parsed JWKS keys are findable by kid and of an accepted size.
#include "../auto/oauth/testkeys.h"
#include "auth/oauth/jwtverifier.h"
#include "fuzz_support.h"

#include <QJsonDocument>
#include <QTimeZone>

using namespace Tailops;

namespace {

const QString kIssuer = QStringLiteral("https://idp.example.ts.net");
const QString kAudience = QStringLiteral("https://gw.example.ts.net/mcp");
const QDateTime kNow = QDateTime(QDate(2025, 6, 1), QTime(12, 0), Qt::UTC);

struct State
{
    TestKeys::Key ec = TestKeys::Key::ecP256();
    TestKeys::Key rsa = TestKeys::Key::rsa(2048);
    Auth::Jwks jwks;
    std::unique_ptr<Auth::JwtVerifier> verifier;
    QByteArray fixedToken;
};

State *state()
{
    static State *s = [] {
        auto *st = new State;
        const QJsonObject doc { { QStringLiteral("keys"),
                                  QJsonArray { st->ec.jwk(QStringLiteral("ec1"), QStringLiteral("ES256")),
                                               st->rsa.jwk(QStringLiteral("rsa1"), QStringLiteral("RS256")) } } };
        auto parsed = Auth::Jwks::parse(QJsonDocument(doc).toJson());
        if (!parsed || parsed->size() != 2) {
            std::fprintf(stderr, "fuzz_jwt: cannot build the JWKS\n");
            std::abort();
        }
        st->jwks = *parsed;
        Auth::JwtVerifierOptions o;
        o.issuer = kIssuer;
        o.audience = kAudience;
        st->verifier = std::make_unique<Auth::JwtVerifier>(o, st->jwks);
        return st;
    }();
    return s;
}

QByteArray sign(const QByteArray &headerJson, const QByteArray &payloadJson)
{
    const QByteArray input = TestKeys::b64(headerJson) + '.' + TestKeys::b64(payloadJson);
    return input + '.' + TestKeys::b64(state()->ec.signEs256Raw(input));
}

void checkAccepted(const QByteArray &token, const Auth::JwtClaims &c)
{
    const QString ctx = QString::fromLatin1(token.left(2000));
    FUZZ_CHECK(c.issuer == kIssuer, ctx);
    FUZZ_CHECK(c.audience.contains(kAudience), ctx);
    FUZZ_CHECK(!c.subject.isEmpty(), ctx);
    FUZZ_CHECK(c.expiry.isValid() && c.expiry.addSecs(60) >= kNow, ctx);
    FUZZ_CHECK(c.algorithm == u"ES256" || c.algorithm == u"RS256", ctx);
    // Re-signed claims verify to the same thing.
    const QByteArray header = R"({"alg":"ES256","kid":"ec1","typ":"at+jwt"})";
    const QByteArray again = sign(header, QJsonDocument(c.raw).toJson(QJsonDocument::Compact));
    const auto r = state()->verifier->verify(again, kNow);
    FUZZ_CHECK(r.has_value(), ctx + QStringLiteral("\nre-signed refused: ") + (r ? QString() : r.error().message));
    FUZZ_CHECK(r->subject == c.subject && r->scopes == c.scopes && r->audience == c.audience && r->expiry == c.expiry
                   && r->issuer == c.issuer && r->tags == c.tags && r->user == c.user && r->id == c.id,
               ctx);
}

void verify(const QByteArray &token)
{
    const auto claims = state()->verifier->verify(token, kNow);
    if (claims) {
        checkAccepted(token, *claims);
        return;
    }
    const QString message = claims.error().message;
    FUZZ_CHECK(!message.isEmpty(), QString());
    for (const QByteArray &part : token.split('.')) {
        if (part.size() >= 12) {
            FUZZ_CHECK(!message.contains(QString::fromLatin1(part)), message);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    state();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 20 * 1024) {
        return -1;
    }
    const int mode = data[0] % 4;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (mode) {
    case 0:
        verify(rest);
        break;
    case 1: {
        const QList<QByteArray> parts = FuzzSupport::splitInput(rest, "\n--\n", 2);
        verify(sign(parts.value(0), parts.value(1)));
        break;
    }
    case 2:
        verify(sign(R"({"alg":"ES256","kid":"ec1","typ":"at+jwt"})", rest));
        break;
    case 3: {
        QStringList warnings;
        const auto jwks = Auth::Jwks::parse(rest, &warnings);
        if (!jwks) {
            break;
        }
        FUZZ_CHECK(!jwks->isEmpty(), QString::fromUtf8(rest));
        for (const Auth::Jwk &k : jwks->keys()) {
            FUZZ_CHECK(k.key != nullptr, k.kid);
            FUZZ_CHECK(k.type == Auth::Jwk::Type::EcP256 ? k.bits == 256 : k.bits >= 2048, k.kid);
            if (!k.kid.isEmpty()) {
                bool found = false;
                for (const Auth::Jwk *f : jwks->findByKid(k.kid)) {
                    found = found || f == &k;
                }
                FUZZ_CHECK(found, k.kid);
            }
        }
        const QByteArray token = sign(R"({"alg":"ES256","kid":"ec1"})",
                                      R"({"iss":"https://idp.example.ts.net","aud":"https://gw.example.ts.net/mcp","sub":"a","exp":1900000000})");
        (void)state()->verifier->verify(token, *jwks, kNow);
        break;
    }
    }
    return 0;
}
