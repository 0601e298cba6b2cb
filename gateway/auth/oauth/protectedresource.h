#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Tailops::Auth {

// RFC 9728 Protected Resource Metadata for this gateway (MCP 2025-11-25 authorization):
//   { "resource": resourceUrl, "authorization_servers": issuers, "scopes_supported": [...],
//     "bearer_methods_supported": ["header"], "resource_name": ... (when given) }
QJsonObject protectedResourceMetadata(const QString &resourceUrl, const QStringList &issuers,
    const QStringList &scopesSupported, const QString &resourceName = {});

// The RFC 9728 §3.1 metadata URL of a resource: the well-known segment goes between the authority and
// the path. "https://gw.ts.net/mcp" -> "https://gw.ts.net/.well-known/oauth-protected-resource/mcp".
// Refused for non-http(s) URLs or URLs with a query or fragment.
Core::Result<QString> protectedResourceMetadataUrl(const QString &resourceUrl);

// The local path to serve that document at ("/.well-known/oauth-protected-resource/mcp"; without a
// resource path or "/", "/.well-known/oauth-protected-resource"). Serving the root form too is safest.
QString protectedResourceMetadataPath(const QString &resourcePath);

// The WWW-Authenticate value of a 401/403 (RFC 6750 §3, RFC 9728 §5.1), parameters in this order and
// omitted when empty:
//   Bearer error="invalid_token", error_description="...", resource_metadata="...", scope="a b"
// error must be an RFC 6750 code word ([a-z_]); error_description is sanitised to the RFC 6750 character
// set ('"' and '\' become '\'', controls and non-ASCII become '?', cut at 200 characters); a
// resource_metadata or scope containing '"', '\' or characters outside %x20-7E is refused.
// For a request without credentials pass no error (RFC 6750 §3.1).
Core::Result<QByteArray> wwwAuthenticate(const QString &error, const QString &description,
    const QString &resourceMetadataUrl, const QString &scope = {});

} // namespace Tailops::Auth
