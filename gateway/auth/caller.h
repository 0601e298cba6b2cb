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
    QStringList hostTags; // token restriction: only targets carrying one of these tags (empty: any)
    QString user;           // tailnet login name (whois) or OAuth subject's login, when known
    QString node;           // tailnet node name of the peer
    QStringList tailnetTags; // tailnet tags of the peer node (tag:ops)
    QSet<QString> scopes; // expanded

    bool hasScope(const QString &scope) const { return scopes.contains(scope); }
    // Who this is, for rate limits, approvals and bindings: the token id, else its hash, else the user.
    QString identity() const
    {
        if (agent.startsWith(QStringLiteral("oauth:"))) {
            return agent; // the subject: limits and approvals survive token refreshes
        }
        if (!tokenId.isEmpty()) {
            return QStringLiteral("token:") + tokenId;
        }
        if (!tokenHash.isEmpty()) {
            return QStringLiteral("token:") + tokenHash;
        }
        if (!user.isEmpty()) {
            return QStringLiteral("user:") + user;
        }
        if (!node.isEmpty()) {
            return QStringLiteral("node:") + node;
        }
        return QStringLiteral("agent:") + agent;
    }
};

} // namespace Tailops::Auth
