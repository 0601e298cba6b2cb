#include "protectedresource.h"

#include <QJsonArray>
#include <QUrl>

namespace Tailops::Auth {

namespace {

constexpr qsizetype kMaxDescription = 200;

QJsonArray toArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list) {
        array.append(item);
    }
    return array;
}

bool isQuotableText(const QString &value)
{
    for (const QChar c : value) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u > 0x7e || u == u'"' || u == u'\\') {
            return false;
        }
    }
    return true;
}

QString sanitiseDescription(const QString &text)
{
    QString out;
    out.reserve(qMin(text.size(), kMaxDescription));
    for (const QChar c : text) {
        if (out.size() >= kMaxDescription) {
            break;
        }
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            out.append(u'\'');
        } else if (u < 0x20 || u > 0x7e) {
            out.append(u'?');
        } else {
            out.append(c);
        }
    }
    return out;
}

} // namespace

QJsonObject protectedResourceMetadata(const QString &resourceUrl, const QStringList &issuers,
    const QStringList &scopesSupported, const QString &resourceName)
{
    QJsonObject doc {
        { QStringLiteral("resource"), resourceUrl },
        { QStringLiteral("authorization_servers"), toArray(issuers) },
        { QStringLiteral("bearer_methods_supported"), QJsonArray { QStringLiteral("header") } },
    };
    if (!scopesSupported.isEmpty()) {
        doc.insert(QStringLiteral("scopes_supported"), toArray(scopesSupported));
    }
    if (!resourceName.isEmpty()) {
        doc.insert(QStringLiteral("resource_name"), resourceName);
    }
    return doc;
}

QString protectedResourceMetadataPath(const QString &resourcePath)
{
    // RFC 9728 §3.1: only the slash right after the authority goes; "/mcp/" stays "/mcp/".
    QString path = resourcePath == QStringLiteral("/") ? QString() : resourcePath;
    if (!path.isEmpty() && !path.startsWith(u'/')) {
        path.prepend(u'/');
    }
    return QString(QStringLiteral("/.well-known/oauth-protected-resource") + path);
}

Core::Result<QString> protectedResourceMetadataUrl(const QString &resourceUrl)
{
    const QUrl url(resourceUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QStringLiteral("https") && url.scheme() != QStringLiteral("http"))
        || url.host().isEmpty()) {
        return Core::fail(QStringLiteral("resource URL must be an absolute http(s) URL"));
    }
    if (url.hasQuery() || url.hasFragment()) {
        return Core::fail(QStringLiteral("resource URL must not have a query or fragment"));
    }
    QUrl metadata = url;
    metadata.setPath(protectedResourceMetadataPath(url.path()));
    return metadata.toString(QUrl::FullyEncoded);
}

Core::Result<QByteArray> wwwAuthenticate(const QString &error, const QString &description,
    const QString &resourceMetadataUrl, const QString &scope)
{
    for (const QChar c : error) {
        if (!((c >= u'a' && c <= u'z') || c == u'_')) {
            return Core::fail(QStringLiteral("invalid OAuth error code"), QStringLiteral("WWW-Authenticate"));
        }
    }
    if (!isQuotableText(resourceMetadataUrl)) {
        return Core::fail(QStringLiteral("resource_metadata contains characters that cannot be quoted"),
            QStringLiteral("WWW-Authenticate"));
    }
    if (!isQuotableText(scope)) {
        return Core::fail(QStringLiteral("scope contains characters that cannot be quoted"), QStringLiteral("WWW-Authenticate"));
    }
    QStringList params;
    if (!error.isEmpty()) {
        params.append(QString(QStringLiteral("error=\"") + error + u'"'));
        if (!description.isEmpty()) {
            params.append(QString(QStringLiteral("error_description=\"") + sanitiseDescription(description) + u'"'));
        }
    }
    if (!resourceMetadataUrl.isEmpty()) {
        params.append(QString(QStringLiteral("resource_metadata=\"") + resourceMetadataUrl + u'"'));
    }
    if (!scope.isEmpty()) {
        params.append(QString(QStringLiteral("scope=\"") + scope + u'"'));
    }
    QString value = QStringLiteral("Bearer");
    if (!params.isEmpty()) {
        value += u' ' + params.join(QStringLiteral(", "));
    }
    return value.toLatin1();
}

} // namespace Tailops::Auth
