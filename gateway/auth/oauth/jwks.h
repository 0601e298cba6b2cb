#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

// OpenSSL's EVP_PKEY, forward-declared so that OpenSSL headers stay in the .cpp files.
struct evp_pkey_st;

namespace Tailops::Auth {

// One public signing key of a JSON Web Key Set (RFC 7517 / 7518).
struct Jwk
{
    enum class Type { Rsa, EcP256 };

    QString kid;  // may be empty
    Type type = Type::Rsa;
    QString alg;  // "RS256", "ES256" or empty (any algorithm of the key's type)
    QString use;  // "sig" or empty
    int bits = 0; // RSA modulus size, 256 for P-256
    std::shared_ptr<evp_pkey_st> key; // immutable public key, freed with EVP_PKEY_free

    QString typeName() const { return type == Type::Rsa ? QStringLiteral("RSA") : QStringLiteral("EC P-256"); }
};

// A parsed JWKS: RSA keys (n/e, at least 2048 bits) and EC P-256 keys (x/y, validated on the curve).
// Keys the gateway cannot use (other kty or crv, use "enc", private members, malformed or too small) are
// skipped with a warning, so one odd key at the issuer does not take the whole set down; a document with
// no usable key is an error. Cheap to copy: keys are shared and never modified.
class Jwks
{
public:
    Jwks() = default;

    static Core::Result<Jwks> parse(const QByteArray &json, QStringList *warnings = nullptr);
    static Core::Result<Jwks> fromFile(const QString &path, QStringList *warnings = nullptr);

    const QList<Jwk> &keys() const { return m_keys; }
    bool isEmpty() const { return m_keys.isEmpty(); }
    qsizetype size() const { return m_keys.size(); }

    // Keys carrying this kid (normally one).
    QList<const Jwk *> findByKid(const QString &kid) const;

private:
    QList<Jwk> m_keys;
};

} // namespace Tailops::Auth
