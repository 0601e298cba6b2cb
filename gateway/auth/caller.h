#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

namespace Tailops::Auth {

// Who is calling, as established by the transport; goes with every request into the tools and the audit.
struct Caller
{
    QString transport;  // "http", "stdio"
    QString agent;      // token's agent claim, or "stdio"
    QString tokenId;    // jti when present
    QString tokenHash;  // short SHA-256 of the token: never the token itself
    QString peer;       // "127.0.0.1:53422"
    QStringList hostTags;
    QSet<QString> scopes; // expanded

    bool hasScope(const QString &scope) const { return scopes.contains(scope); }
};

} // namespace Tailops::Auth
