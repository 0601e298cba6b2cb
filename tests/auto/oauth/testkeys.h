#pragma once

// Test-time key material for the OAuth tests: fresh RSA 2048 and EC P-256 keys generated with OpenSSL,
// their JWKs, and signers producing JWS signatures the way an authorization server does.

#include <QByteArray>
#include <QJsonObject>

#include <memory>

struct evp_pkey_st;

namespace TestKeys {

class Key
{
public:
    static Key rsa(int bits = 2048);
    static Key ecP256();

    bool isNull() const { return !m_key; }
    QJsonObject jwk(const QString &kid, const QString &alg = {}) const;   // public members only
    QByteArray publicPem() const;                                         // SubjectPublicKeyInfo PEM
    QByteArray signRs256(const QByteArray &input) const;                 // PKCS#1 v1.5, SHA-256
    QByteArray signEs256Der(const QByteArray &input) const;              // ASN.1 DER ECDSA-Sig-Value
    QByteArray signEs256Raw(const QByteArray &input) const;              // JWS r||s, 64 bytes

private:
    std::shared_ptr<evp_pkey_st> m_key;
};

QByteArray b64(const QByteArray &data);
QByteArray b64(const QJsonObject &object);

} // namespace TestKeys
