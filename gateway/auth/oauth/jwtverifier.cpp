#include "jwtverifier.h"

#include "base64url_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cmath>

namespace Tailops::Auth {

namespace {

constexpr qint64 kMaxTimestamp = 253402300799; // 9999-12-31T23:59:59Z

struct MdCtxFree
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree
{
    void operator()(ECDSA_SIG *sig) const { ECDSA_SIG_free(sig); }
};

Core::Result<QJsonObject> decodeJsonSegment(QByteArrayView segment, const QString &what)
{
    const auto bytes = Detail::decodeBase64Url(segment);
    if (!bytes) {
        return Core::fail(QString(QStringLiteral("malformed token: ") + what + QStringLiteral(" is not base64url")));
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return Core::fail(QString(QStringLiteral("malformed token: ") + what + QStringLiteral(" is not a JSON object")));
    }
    return doc.object();
}

// JWS ES256 signatures are raw r||s (32 bytes each, RFC 7518 §3.4); EVP_DigestVerify wants DER.
std::optional<QByteArray> rawEcdsaToDer(const QByteArray &raw)
{
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    if (!sig) {
        return std::nullopt;
    }
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.constData());
    BIGNUM *r = BN_bin2bn(bytes, 32, nullptr);
    BIGNUM *s = BN_bin2bn(bytes + 32, 32, nullptr);
    if (!r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) {
        return std::nullopt;
    }
    QByteArray der(length, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) {
        return std::nullopt;
    }
    return der;
}

bool verifySignature(const Jwk &key, QByteArrayView signingInput, const QByteArray &signature)
{
    QByteArray toVerify = signature;
    if (key.type == Jwk::Type::EcP256) {
        auto der = rawEcdsaToDer(signature);
        if (!der) {
            return false;
        }
        toVerify = std::move(*der);
    }
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key.get()) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(toVerify.constData()), size_t(toVerify.size()),
               reinterpret_cast<const unsigned char *>(signingInput.data()), size_t(signingInput.size()))
        == 1;
}

// NumericDate (RFC 7519 §2): a JSON number of seconds; fractions are truncated.
Core::Result<std::optional<qint64>> numericDate(const QJsonObject &claims, const QString &name)
{
    const QJsonValue value = claims.value(name);
    if (value.isUndefined()) {
        return std::optional<qint64> {};
    }
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0 || value.toDouble() > double(kMaxTimestamp)) {
        return Core::fail(QString(QStringLiteral("invalid ") + name + QStringLiteral(" claim")));
    }
    return std::optional<qint64>(qint64(std::floor(value.toDouble())));
}

Core::Result<QStringList> stringOrArray(const QJsonValue &value, const QString &name, bool splitSpaces)
{
    QStringList out;
    if (value.isString()) {
        if (splitSpaces) {
            out = value.toString().split(u' ', Qt::SkipEmptyParts);
        } else {
            out.append(value.toString());
        }
        return out;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isString()) {
                return Core::fail(QString(QStringLiteral("invalid ") + name + QStringLiteral(" claim")));
            }
            out.append(item.toString());
        }
        return out;
    }
    return Core::fail(QString(QStringLiteral("invalid ") + name + QStringLiteral(" claim")));
}

} // namespace

JwtVerifier::JwtVerifier(JwtVerifierOptions options, Jwks keys)
    : m_options(std::move(options))
    , m_keys(std::move(keys))
{
}

Core::Result<JwtClaims> JwtVerifier::verify(const QByteArray &token, const QDateTime &now) const
{
    return verify(token, m_keys, now);
}

Core::Result<JwtClaims> JwtVerifier::verify(const QByteArray &token, const Jwks &keys, const QDateTime &now) const
{
    if (m_options.issuer.isEmpty() || m_options.audience.isEmpty()) {
        return Core::fail(QStringLiteral("token verifier is not configured (issuer and audience are required)"));
    }
    if (token.isEmpty()) {
        return Core::fail(QStringLiteral("missing token"));
    }
    if (token.size() > m_options.maxTokenBytes) {
        return Core::fail(QStringLiteral("token too large"));
    }

    // Compact JWS: exactly three segments. (Five would be JWE, which is not accepted.)
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
        return Core::fail(QStringLiteral("malformed token: expected three dot-separated segments"));
    }
    const QByteArrayView view(token);
    const QByteArrayView headerText = view.first(firstDot);
    const QByteArrayView payloadText = view.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signatureText = view.sliced(secondDot + 1);
    const QByteArrayView signingInput = view.first(secondDot);

    const auto header = decodeJsonSegment(headerText, QStringLiteral("header"));
    if (!header) {
        return std::unexpected(header.error());
    }

    // Algorithm policy first: nothing about the key set is consulted for a refused algorithm.
    const QJsonValue algValue = header->value(QStringLiteral("alg"));
    if (!algValue.isString() || algValue.toString().isEmpty()) {
        return Core::fail(QStringLiteral("token header has no alg"));
    }
    const QString alg = algValue.toString();
    if (alg.compare(QStringLiteral("none"), Qt::CaseInsensitive) == 0) {
        return Core::fail(QStringLiteral("unsigned token (alg none) refused"));
    }
    if (alg.startsWith(QStringLiteral("HS"), Qt::CaseInsensitive)) {
        return Core::fail(QStringLiteral("symmetric algorithm (HS*) refused"));
    }
    const bool supported = alg == QStringLiteral("RS256") || alg == QStringLiteral("ES256");
    if (!supported || !m_options.allowedAlgorithms.contains(alg)) {
        return Core::fail(QStringLiteral("token algorithm not allowed"));
    }
    if (header->contains(QStringLiteral("crit"))) {
        return Core::fail(QStringLiteral("token header has unsupported crit parameters"));
    }
    if (header->contains(QStringLiteral("jku")) || header->contains(QStringLiteral("x5u")) || header->contains(QStringLiteral("jwk"))
        || header->contains(QStringLiteral("x5c"))) {
        // Keys embedded in or referenced by the token are never trusted; refuse rather than ignore.
        return Core::fail(QStringLiteral("token header names its own key (jku/jwk/x5u/x5c) refused"));
    }
    if (!m_options.acceptedTypes.isEmpty()) {
        QString typ = header->value(QStringLiteral("typ")).toString();
        if (typ.startsWith(QStringLiteral("application/"), Qt::CaseInsensitive)) {
            typ = typ.mid(12);
        }
        if (!m_options.acceptedTypes.contains(typ, Qt::CaseInsensitive)) {
            return Core::fail(QStringLiteral("token type (typ) not accepted"));
        }
    }
    const Jwk::Type wantedType = alg == QStringLiteral("RS256") ? Jwk::Type::Rsa : Jwk::Type::EcP256;

    // Key selection: by kid, or the only key of the set.
    if (keys.isEmpty()) {
        return Core::fail(QStringLiteral("no signing keys available"));
    }
    const QJsonValue kidValue = header->value(QStringLiteral("kid"));
    if (!kidValue.isUndefined() && !kidValue.isString()) {
        return Core::fail(QStringLiteral("malformed token: kid is not a string"));
    }
    QList<const Jwk *> candidates;
    if (kidValue.isString()) {
        candidates = keys.findByKid(kidValue.toString());
        if (candidates.isEmpty()) {
            return Core::fail(QStringLiteral("unknown signing key (kid not in the key set)"));
        }
    } else {
        if (keys.size() != 1) {
            return Core::fail(QStringLiteral("token has no kid and the key set has several keys"));
        }
        candidates.append(&keys.keys().first());
    }
    const Jwk *key = nullptr;
    for (const Jwk *candidate : std::as_const(candidates)) {
        if (candidate->type == wantedType) {
            key = candidate;
            break;
        }
    }
    if (!key) {
        return Core::fail(QString(QStringLiteral("algorithm ") + alg + QStringLiteral(" does not match the key type (")
                                  + candidates.first()->typeName() + QStringLiteral(")")));
    }
    if (!key->alg.isEmpty() && key->alg != alg) {
        return Core::fail(QString(QStringLiteral("signing key is restricted to ") + key->alg));
    }

    const auto signature = Detail::decodeBase64Url(signatureText);
    if (!signature) {
        return Core::fail(QStringLiteral("malformed token: signature is not base64url"));
    }
    if (signature->isEmpty()) {
        return Core::fail(QStringLiteral("token has an empty signature"));
    }
    if (key->type == Jwk::Type::EcP256 && signature->size() != 64) {
        return Core::fail(QStringLiteral("invalid ES256 signature length (JWS wants raw r||s, 64 bytes)"));
    }
    if (key->type == Jwk::Type::Rsa && signature->size() != (key->bits + 7) / 8) {
        return Core::fail(QStringLiteral("invalid token signature"));
    }
    if (!verifySignature(*key, signingInput, *signature)) {
        return Core::fail(QStringLiteral("invalid token signature"));
    }

    // Signed by a trusted key: now the claims.
    const auto payload = decodeJsonSegment(payloadText, QStringLiteral("payload"));
    if (!payload) {
        return std::unexpected(payload.error());
    }
    JwtClaims claims;
    claims.raw = *payload;
    claims.algorithm = alg;
    claims.keyId = key->kid;

    if (payload->value(QStringLiteral("iss")) != QJsonValue(m_options.issuer)) {
        return Core::fail(QStringLiteral("wrong token issuer"));
    }
    claims.issuer = m_options.issuer;

    const QJsonValue aud = payload->value(QStringLiteral("aud"));
    if (aud.isUndefined()) {
        return Core::fail(QStringLiteral("token has no aud"));
    }
    const auto audience = stringOrArray(aud, QStringLiteral("aud"), false);
    if (!audience) {
        return std::unexpected(audience.error());
    }
    if (!audience->contains(m_options.audience)) {
        return Core::fail(QStringLiteral("token audience does not include this resource"));
    }
    claims.audience = *audience;

    const qint64 nowSecs = now.toSecsSinceEpoch();
    const auto exp = numericDate(*payload, QStringLiteral("exp"));
    if (!exp) {
        return std::unexpected(exp.error());
    }
    if (!exp->has_value()) {
        return Core::fail(QStringLiteral("token has no exp"));
    }
    if (nowSecs > **exp + m_options.leewaySeconds) {
        return Core::fail(QStringLiteral("token expired"));
    }
    claims.expiry = QDateTime::fromSecsSinceEpoch(**exp, Qt::UTC);

    const auto nbf = numericDate(*payload, QStringLiteral("nbf"));
    if (!nbf) {
        return std::unexpected(nbf.error());
    }
    if (nbf->has_value()) {
        if (**nbf > nowSecs + m_options.leewaySeconds) {
            return Core::fail(QStringLiteral("token not yet valid (nbf)"));
        }
        claims.notBefore = QDateTime::fromSecsSinceEpoch(**nbf, Qt::UTC);
    }
    const auto iat = numericDate(*payload, QStringLiteral("iat"));
    if (!iat) {
        return std::unexpected(iat.error());
    }
    if (iat->has_value()) {
        if (**iat > nowSecs + m_options.leewaySeconds) {
            return Core::fail(QStringLiteral("token issued in the future (iat)"));
        }
        claims.issuedAt = QDateTime::fromSecsSinceEpoch(**iat, Qt::UTC);
    }

    const QJsonValue sub = payload->value(QStringLiteral("sub"));
    if (!sub.isString() || sub.toString().isEmpty()) {
        return Core::fail(QStringLiteral("token has no sub"));
    }
    claims.subject = sub.toString();

    const QJsonValue jti = payload->value(QStringLiteral("jti"));
    if (!jti.isUndefined()) {
        if (!jti.isString()) {
            return Core::fail(QStringLiteral("invalid jti claim"));
        }
        claims.id = jti.toString();
    }

    for (const QString &name : m_options.scopeClaims) {
        const QJsonValue value = payload->value(name);
        if (value.isUndefined()) {
            continue;
        }
        const auto scopes = stringOrArray(value, name, true);
        if (!scopes) {
            return std::unexpected(scopes.error());
        }
        claims.scopes = *scopes;
        break;
    }

    // Tailnet identity claims added by tsidp: informational, ignored when of an unexpected shape.
    if (const auto tags = stringOrArray(payload->value(QStringLiteral("tags")), QStringLiteral("tags"), false)) {
        claims.tags = *tags;
    }
    if (const QJsonValue user = payload->value(QStringLiteral("user")); user.isString()) {
        claims.user = user.toString();
    } else if (const QJsonValue email = payload->value(QStringLiteral("email"));
               email.isString() && payload->value(QStringLiteral("email_verified")).toBool(false)) {
        claims.user = email.toString(); // an unverified address is not an identity
    }
    return claims;
}

} // namespace Tailops::Auth
