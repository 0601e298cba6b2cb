#include "hmactoken.h"

#include "core/random.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace Tailops::Auth {

namespace {

QByteArray hmacHex(const QByteArray &secret, const QByteArray &message)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.constData(), int(secret.size()),
         reinterpret_cast<const unsigned char *>(message.constData()), size_t(message.size()), digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), length).toHex();
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

std::optional<QStringList> stringList(const QJsonValue &v)
{
    if (v.isUndefined() || v.isNull()) {
        return QStringList {};
    }
    if (!v.isArray()) {
        return std::nullopt;
    }
    QStringList out;
    for (const auto &item : v.toArray()) {
        if (!item.isString()) {
            return std::nullopt;
        }
        out.append(item.toString());
    }
    return out;
}

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + u'Z';
}

} // namespace

QDateTime parseIsoTimestamp(const QString &text)
{
    static const QRegularExpression re(QStringLiteral(
        "^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2}))?(?:\\.(\\d{1,9}))?)?(Z|[+-]\\d{2}:?\\d{2})?$"));
    const auto m = re.match(text);
    if (!m.hasMatch()) {
        return {};
    }
    const QDate date = QDate::fromString(m.captured(1), Qt::ISODate);
    const QTime time(m.captured(2).toInt(), m.captured(3).toInt(), m.captured(4).toInt(),
                     m.captured(5).isEmpty() ? 0 : m.captured(5).left(3).leftJustified(3, u'0').toInt());
    if (!date.isValid() || !time.isValid()) {
        return {};
    }
    int offsetSeconds = 0;
    const QString zone = m.captured(6);
    if (!zone.isEmpty() && zone != u"Z") {
        const QString digits = QString(zone.mid(1)).remove(u':');
        offsetSeconds = (digits.left(2).toInt() * 3600 + digits.mid(2).toInt() * 60) * (zone.at(0) == u'-' ? -1 : 1);
    }
    return QDateTime(date, time, QTimeZone(offsetSeconds)).toUTC();
}

QByteArray mintToken(const MintOptions &options, const QByteArray &secret, const QDateTime &now, TokenClaims *minted)
{
    const QString id = QString::fromLatin1(Core::randomHex(16));
    QJsonObject claims {
        { QStringLiteral("agent"), options.agent },
        { QStringLiteral("scopes"), toArray(options.scopes) },
        { QStringLiteral("host_tags"), toArray(options.hostTags) },
        { QStringLiteral("iat"), isoUtc(now) },
    };
    claims.insert(QStringLiteral("jti"), id);
    if (options.ttlSeconds > 0) {
        claims.insert(QStringLiteral("expiry"), isoUtc(now.addSecs(options.ttlSeconds)));
    }
    if (minted) {
        // As a verifier reads them back: times at millisecond precision, in UTC.
        minted->agent = options.agent;
        minted->scopes = options.scopes;
        minted->hostTags = options.hostTags;
        minted->issuedAt = parseIsoTimestamp(isoUtc(now));
        minted->expiry = options.ttlSeconds > 0 ? parseIsoTimestamp(isoUtc(now.addSecs(options.ttlSeconds))) : QDateTime();
        minted->id = id;
    }
    const QByteArray payload = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return payload + '.' + hmacHex(secret, payload);
}

Core::Result<TokenClaims> verifyToken(const QByteArray &token, const QByteArray &secret, const QDateTime &now)
{
    if (token.isEmpty()) {
        return Core::fail(QStringLiteral("missing token"));
    }
    const qsizetype dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) >= 0 || token.size() > 8192) {
        return Core::fail(QStringLiteral("malformed token"));
    }
    const QByteArray payload = token.left(dot);
    const QByteArray signature = token.mid(dot + 1);
    const QByteArray expected = hmacHex(secret, payload);
    if (signature.size() != expected.size()
        || CRYPTO_memcmp(signature.constData(), expected.constData(), size_t(expected.size())) != 0) {
        return Core::fail(QStringLiteral("invalid token signature"));
    }
    const auto decoded = QByteArray::fromBase64Encoding(
        payload, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return Core::fail(QStringLiteral("malformed token payload"));
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return Core::fail(QStringLiteral("invalid token payload JSON"));
    }
    const QJsonObject o = doc.object();
    TokenClaims claims;
    const auto scopes = stringList(o.value(QStringLiteral("scopes")));
    const auto tags = stringList(o.value(QStringLiteral("host_tags")));
    const QJsonValue agent = o.value(QStringLiteral("agent"));
    if (!agent.isString() || agent.toString().isEmpty() || !scopes || !tags) {
        return Core::fail(QStringLiteral("invalid token claims"));
    }
    claims.agent = agent.toString();
    claims.scopes = *scopes;
    claims.hostTags = *tags;
    claims.id = o.value(QStringLiteral("jti")).toString();
    if (const QJsonValue iat = o.value(QStringLiteral("iat")); iat.isString()) {
        claims.issuedAt = parseIsoTimestamp(iat.toString());
    }
    if (const QJsonValue expiry = o.value(QStringLiteral("expiry")); !expiry.isUndefined() && !expiry.isNull()) {
        claims.expiry = expiry.isString() ? parseIsoTimestamp(expiry.toString()) : QDateTime();
        if (!claims.expiry.isValid()) {
            return Core::fail(QStringLiteral("invalid token claims"));
        }
        if (claims.expiry < now) {
            return Core::fail(QStringLiteral("token expired"));
        }
    }
    return claims;
}

QString tokenHash(const QByteArray &token)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex().left(12));
}

} // namespace Tailops::Auth
