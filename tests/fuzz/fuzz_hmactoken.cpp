// HMAC bearer tokens: Auth::verifyToken. Mode (first byte):
//   0: the rest is a token as sent by a client;
//   1: the rest is the claims JSON, base64url-encoded and signed with the right secret by the harness, so
//      the claims parser is reached;
//   2: the rest is the payload text itself (any bytes), signed by the harness (base64 decoding);
//   3: the rest is an ISO-8601 timestamp for parseIsoTimestamp.
// Invariants: an accepted token has a non-empty agent and no past expiry; verifying twice agrees;
// minting the accepted claims and verifying the new token gives the same agent, scopes and host tags;
// tokenHash is "sha256:" + 12 hex digits; a parsed timestamp re-parses to itself.
#include "auth/hmactoken.h"
#include "fuzz_support.h"

#include <QTimeZone>

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace Tailops;

namespace {

const QByteArray kSecret = "fuzz-secret-0123456789abcdef0123456789";
const QDateTime kNow = QDateTime(QDate(2025, 6, 1), QTime(12, 0), Qt::UTC);

QByteArray hmacHex(const QByteArray &payload)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), kSecret.constData(), int(kSecret.size()), reinterpret_cast<const unsigned char *>(payload.constData()),
         size_t(payload.size()), mac, &len);
    return QByteArray(reinterpret_cast<const char *>(mac), int(len)).toHex();
}

void checkAccepted(const QByteArray &token, const Auth::TokenClaims &c)
{
    const QString ctx = QString::fromLatin1(token);
    FUZZ_CHECK(!c.agent.isEmpty(), ctx);
    FUZZ_CHECK(!c.expiry.isValid() || c.expiry >= kNow, ctx);
    const auto again = Auth::verifyToken(token, kSecret, kNow);
    FUZZ_CHECK(again && again->agent == c.agent && again->scopes == c.scopes && again->hostTags == c.hostTags, ctx);

    Auth::MintOptions o;
    o.agent = c.agent;
    o.scopes = c.scopes;
    o.hostTags = c.hostTags;
    o.ttlSeconds = 3600;
    Auth::TokenClaims minted;
    const QByteArray fresh = Auth::mintToken(o, kSecret, kNow, &minted);
    const auto reverified = Auth::verifyToken(fresh, kSecret, kNow);
    FUZZ_CHECK(reverified.has_value(), ctx + QStringLiteral(" -> minted ") + QString::fromLatin1(fresh) + u' '
                                           + (reverified ? QString() : reverified.error().message));
    FUZZ_CHECK(reverified->agent == c.agent && reverified->scopes == c.scopes && reverified->hostTags == c.hostTags,
               ctx + QStringLiteral(" -> minted ") + QString::fromLatin1(fresh));
    // Another secret must not verify it.
    FUZZ_CHECK(!Auth::verifyToken(fresh, kSecret + 'x', kNow).has_value(), ctx);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16 * 1024) {
        return -1;
    }
    const int mode = data[0] % 4;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QByteArray token;
    switch (mode) {
    case 0:
        token = rest;
        break;
    case 1: {
        const QByteArray payload = rest.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        token = payload + '.' + hmacHex(payload);
        break;
    }
    case 2:
        token = rest + '.' + hmacHex(rest);
        break;
    case 3: {
        const QString text = QString::fromUtf8(rest);
        const QDateTime t = Auth::parseIsoTimestamp(text);
        if (t.isValid()) {
            const QString iso = t.toUTC().toString(Qt::ISODateWithMs);
            const QDateTime back = Auth::parseIsoTimestamp(iso);
            FUZZ_CHECK(back.isValid() && back == t, text + QStringLiteral(" -> ") + iso);
        }
        return 0;
    }
    }
    const QString hash = Auth::tokenHash(token);
    FUZZ_CHECK(hash.startsWith(u"sha256:") && hash.size() == 19, hash);
    const auto claims = Auth::verifyToken(token, kSecret, kNow);
    if (claims) {
        checkAccepted(token, *claims);
    } else {
        FUZZ_CHECK(!claims.error().message.isEmpty(), QString());
        // Refusals never echo the token.
        if (token.size() >= 8) {
            FUZZ_CHECK(!claims.error().message.contains(QString::fromLatin1(token)), claims.error().message);
        }
    }
    return 0;
}
