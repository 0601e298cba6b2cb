#include "jwks.h"

#include "base64url_p.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace Tailops::Auth {

namespace {

constexpr qsizetype kMaxJwksBytes = 1024 * 1024;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

struct BnFree
{
    void operator()(BIGNUM *bn) const { BN_free(bn); }
};
struct ParamBldFree
{
    void operator()(OSSL_PARAM_BLD *bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree
{
    void operator()(OSSL_PARAM *params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};

using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

std::shared_ptr<evp_pkey_st> adoptKey(EVP_PKEY *key)
{
    return std::shared_ptr<evp_pkey_st>(key, [](EVP_PKEY *k) { EVP_PKEY_free(k); });
}

Core::Result<QByteArray> member(const QJsonObject &jwk, const char *name)
{
    const QString key = QString::fromLatin1(name);
    const QJsonValue value = jwk.value(key);
    if (!value.isString()) {
        return Core::fail(QString(QStringLiteral("missing or non-string \"") + key + QStringLiteral("\"")));
    }
    auto decoded = Detail::decodeBase64Url(value.toString().toLatin1());
    if (!decoded || decoded->isEmpty()) {
        return Core::fail(QString(QStringLiteral("\"") + key + QStringLiteral("\" is not base64url")));
    }
    return *decoded;
}

// EVP_PKEY_fromdata with a built parameter list; `selection` is always a public key here.
Core::Result<std::shared_ptr<evp_pkey_st>> keyFromData(const char *type, OSSL_PARAM_BLD *bld)
{
    const ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) {
        return Core::fail(QStringLiteral("cannot build key parameters"));
    }
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) {
        return Core::fail(QStringLiteral("cannot create key context"));
    }
    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 || !raw) {
        return Core::fail(QStringLiteral("invalid public key"));
    }
    return adoptKey(raw);
}

Core::Result<Jwk> rsaKey(const QJsonObject &object)
{
    const auto n = member(object, "n");
    if (!n) {
        return std::unexpected(n.error());
    }
    const auto e = member(object, "e");
    if (!e) {
        return std::unexpected(e.error());
    }
    const BnPtr bnN(BN_bin2bn(reinterpret_cast<const unsigned char *>(n->constData()), int(n->size()), nullptr));
    const BnPtr bnE(BN_bin2bn(reinterpret_cast<const unsigned char *>(e->constData()), int(e->size()), nullptr));
    if (!bnN || !bnE) {
        return Core::fail(QStringLiteral("cannot read modulus or exponent"));
    }
    const int bits = BN_num_bits(bnN.get());
    if (bits < kMinRsaBits) {
        return Core::fail(QString(QStringLiteral("RSA key of ") + QString::number(bits)
                                  + QStringLiteral(" bits is too small (minimum 2048)")));
    }
    if (bits > kMaxRsaBits) {
        return Core::fail(QStringLiteral("RSA key is too large"));
    }
    // e must be odd and > 1 (3, 65537...); small even or unit exponents make signatures forgeable.
    if (!BN_is_odd(bnE.get()) || BN_is_one(bnE.get()) || BN_num_bits(bnE.get()) > 64) {
        return Core::fail(QStringLiteral("invalid RSA exponent"));
    }
    const ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get())
        || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get())) {
        return Core::fail(QStringLiteral("cannot build key parameters"));
    }
    auto key = keyFromData("RSA", bld.get());
    if (!key) {
        return std::unexpected(key.error());
    }
    Jwk jwk;
    jwk.type = Jwk::Type::Rsa;
    jwk.bits = bits;
    jwk.key = std::move(*key);
    return jwk;
}

Core::Result<Jwk> ecKey(const QJsonObject &object)
{
    const QString crv = object.value(QStringLiteral("crv")).toString();
    if (crv != QStringLiteral("P-256")) {
        return Core::fail(QString(QStringLiteral("unsupported curve \"") + crv.left(32) + QStringLiteral("\"")));
    }
    const auto x = member(object, "x");
    if (!x) {
        return std::unexpected(x.error());
    }
    const auto y = member(object, "y");
    if (!y) {
        return std::unexpected(y.error());
    }
    if (x->size() != 32 || y->size() != 32) {
        return Core::fail(QStringLiteral("P-256 coordinates must be 32 bytes each"));
    }
    QByteArray point;
    point.reserve(65);
    point.append('\x04');
    point.append(*x);
    point.append(*y);
    static const char groupName[] = "prime256v1";
    const ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, groupName, 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(), size_t(point.size()))) {
        return Core::fail(QStringLiteral("cannot build key parameters"));
    }
    auto key = keyFromData("EC", bld.get());
    if (!key) {
        return std::unexpected(key.error());
    }
    // The point must be on the curve and not the point at infinity (invalid-curve attacks).
    const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        return Core::fail(QStringLiteral("EC point is not on P-256"));
    }
    Jwk jwk;
    jwk.type = Jwk::Type::EcP256;
    jwk.bits = 256;
    jwk.key = std::move(*key);
    return jwk;
}

Core::Result<Jwk> parseKey(const QJsonObject &object)
{
    const QJsonValue kty = object.value(QStringLiteral("kty"));
    if (!kty.isString()) {
        return Core::fail(QStringLiteral("missing \"kty\""));
    }
    for (const char *privateMember : { "d", "p", "q", "dp", "dq", "qi", "k" }) {
        if (object.contains(QString::fromLatin1(privateMember))) {
            return Core::fail(QStringLiteral("contains private key material (refused)"));
        }
    }
    const QJsonValue use = object.value(QStringLiteral("use"));
    if (!use.isUndefined() && use != QJsonValue(QStringLiteral("sig"))) {
        return Core::fail(QStringLiteral("\"use\" is not \"sig\""));
    }
    const QJsonValue keyOps = object.value(QStringLiteral("key_ops"));
    if (keyOps.isArray() && !keyOps.toArray().contains(QJsonValue(QStringLiteral("verify")))) {
        return Core::fail(QStringLiteral("\"key_ops\" does not allow \"verify\""));
    }
    const QJsonValue alg = object.value(QStringLiteral("alg"));
    if (!alg.isUndefined() && !alg.isString()) {
        return Core::fail(QStringLiteral("\"alg\" is not a string"));
    }
    const QJsonValue kid = object.value(QStringLiteral("kid"));
    if (!kid.isUndefined() && !kid.isString()) {
        return Core::fail(QStringLiteral("\"kid\" is not a string"));
    }

    Core::Result<Jwk> jwk = Core::fail(QString());
    const QString type = kty.toString();
    if (type == QStringLiteral("RSA")) {
        if (!alg.isUndefined() && alg.toString() != QStringLiteral("RS256")) {
            return Core::fail(QString(QStringLiteral("unsupported alg \"") + alg.toString().left(16) + QStringLiteral("\" for RSA")));
        }
        jwk = rsaKey(object);
    } else if (type == QStringLiteral("EC")) {
        if (!alg.isUndefined() && alg.toString() != QStringLiteral("ES256")) {
            return Core::fail(QString(QStringLiteral("unsupported alg \"") + alg.toString().left(16) + QStringLiteral("\" for EC")));
        }
        jwk = ecKey(object);
    } else {
        return Core::fail(QString(QStringLiteral("unsupported kty \"") + type.left(16) + QStringLiteral("\"")));
    }
    if (jwk) {
        jwk->kid = kid.toString();
        jwk->alg = alg.toString();
        jwk->use = use.toString();
    }
    return jwk;
}

} // namespace

Core::Result<Jwks> Jwks::parse(const QByteArray &json, QStringList *warnings)
{
    if (json.size() > kMaxJwksBytes) {
        return Core::fail(QStringLiteral("JWKS document is larger than 1 MiB"));
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return Core::fail(QString(QStringLiteral("JWKS is not valid JSON: ") + error.errorString()));
    }
    if (!doc.isObject() || !doc.object().value(QStringLiteral("keys")).isArray()) {
        return Core::fail(QStringLiteral("JWKS has no \"keys\" array"));
    }
    Jwks jwks;
    const QJsonArray keys = doc.object().value(QStringLiteral("keys")).toArray();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QJsonValue value = keys.at(i);
        const QString label = QString(QStringLiteral("key ") + QString::number(i)
                                      + (value.toObject().value(QStringLiteral("kid")).isString()
                                              ? QString(QStringLiteral(" (kid \"") + value.toObject().value(QStringLiteral("kid")).toString().left(64) + QStringLiteral("\")"))
                                              : QString()));
        if (!value.isObject()) {
            if (warnings) {
                warnings->append(QString(label + QStringLiteral(": not an object (skipped)")));
            }
            continue;
        }
        auto jwk = parseKey(value.toObject());
        if (!jwk) {
            if (warnings) {
                warnings->append(QString(label + QStringLiteral(": ") + jwk.error().message + QStringLiteral(" (skipped)")));
            }
            continue;
        }
        jwks.m_keys.append(std::move(*jwk));
    }
    if (jwks.m_keys.isEmpty()) {
        return Core::fail(QStringLiteral("JWKS holds no usable signing key (RSA >= 2048 bits or EC P-256)"));
    }
    return jwks;
}

Core::Result<Jwks> Jwks::fromFile(const QString &path, QStringList *warnings)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Core::fail(QString(QStringLiteral("cannot read JWKS: ") + file.errorString()), path);
    }
    const QByteArray data = file.read(kMaxJwksBytes + 1);
    auto jwks = parse(data, warnings);
    if (!jwks) {
        return Core::fail(jwks.error().message, path);
    }
    return jwks;
}

QList<const Jwk *> Jwks::findByKid(const QString &kid) const
{
    QList<const Jwk *> found;
    for (const Jwk &key : m_keys) {
        if (key.kid == kid) {
            found.append(&key);
        }
    }
    return found;
}

} // namespace Tailops::Auth
