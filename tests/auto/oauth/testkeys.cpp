#include "testkeys.h"

#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

using namespace Qt::StringLiterals;

namespace TestKeys {

namespace {

std::shared_ptr<evp_pkey_st> adopt(EVP_PKEY *key)
{
    return std::shared_ptr<evp_pkey_st>(key, [](EVP_PKEY *k) { EVP_PKEY_free(k); });
}

QByteArray bnParam(EVP_PKEY *key, const char *name, int padTo = 0)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        return {};
    }
    const int size = padTo > 0 ? padTo : BN_num_bytes(bn);
    QByteArray out(size, '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), size);
    BN_free(bn);
    return out;
}

QByteArray digestSign(EVP_PKEY *key, const QByteArray &input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t length = 0;
    QByteArray out;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1
        && EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size())) == 1) {
        out.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(out.data()), &length,
                reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()))
            == 1) {
            out.resize(qsizetype(length));
        } else {
            out.clear();
        }
    }
    EVP_MD_CTX_free(ctx);
    return out;
}

} // namespace

Key Key::rsa(int bits)
{
    Key key;
    key.m_key = adopt(EVP_RSA_gen(static_cast<unsigned int>(bits)));
    return key;
}

Key Key::ecP256()
{
    Key key;
    key.m_key = adopt(EVP_EC_gen("P-256"));
    return key;
}

QJsonObject Key::jwk(const QString &kid, const QString &alg) const
{
    QJsonObject jwk;
    if (EVP_PKEY_is_a(m_key.get(), "RSA")) {
        jwk = { { u"kty"_s, u"RSA"_s },
            { u"n"_s, QString::fromLatin1(b64(bnParam(m_key.get(), OSSL_PKEY_PARAM_RSA_N))) },
            { u"e"_s, QString::fromLatin1(b64(bnParam(m_key.get(), OSSL_PKEY_PARAM_RSA_E))) } };
    } else {
        jwk = { { u"kty"_s, u"EC"_s }, { u"crv"_s, u"P-256"_s },
            { u"x"_s, QString::fromLatin1(b64(bnParam(m_key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))) },
            { u"y"_s, QString::fromLatin1(b64(bnParam(m_key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))) } };
    }
    if (!kid.isEmpty()) {
        jwk.insert(u"kid"_s, kid);
    }
    if (!alg.isEmpty()) {
        jwk.insert(u"alg"_s, alg);
    }
    jwk.insert(u"use"_s, u"sig"_s);
    return jwk;
}

QByteArray Key::publicPem() const
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, m_key.get());
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    QByteArray pem(data, qsizetype(length));
    BIO_free(bio);
    return pem;
}

QByteArray Key::signRs256(const QByteArray &input) const
{
    return digestSign(m_key.get(), input);
}

QByteArray Key::signEs256Der(const QByteArray &input) const
{
    return digestSign(m_key.get(), input);
}

QByteArray Key::signEs256Raw(const QByteArray &input) const
{
    const QByteArray der = signEs256Der(input);
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
    if (!sig) {
        return {};
    }
    QByteArray raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
}

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray b64(const QJsonObject &object)
{
    return b64(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace TestKeys
