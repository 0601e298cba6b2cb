#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tailops::Auth {

// One minted (or revoked) HMAC token in the registry. The token itself is never stored: only its
// tokenHash(), which is what the logs and the audit show too.
struct TokenRecord
{
    QString id; // jti; empty for a revocation-only record of a token without one (minted by TailOpsMCP)
    QString agent;
    QStringList scopes;
    QStringList hostTags;
    QDateTime issuedAt;  // invalid: unknown
    QDateTime expiry;    // invalid: none
    QString hash;        // tokenHash(token): "sha256:" + 12 hex digits
    QDateTime revokedAt; // invalid: not revoked
    QString revokedReason;

    bool isRevoked() const { return revokedAt.isValid(); }

    QJsonObject toJson() const;
    // Reads one registry entry; on a bad shape returns std::nullopt with *error set.
    static std::optional<TokenRecord> fromJson(const QJsonObject &o, QString *error);
};

enum class TokenStatus { Active, Expired, Revoked };
TokenStatus tokenStatus(const TokenRecord &record, const QDateTime &now);
QString tokenStatusName(TokenStatus status); // "active", "expired", "revoked"

// What the gateway saw of a token (tokens-usage.json, keyed by hash).
struct TokenUsage
{
    QDateTime lastUsed;
    QString lastPeer; // address without the port
    qint64 uses = 0;
};

struct RevokeResult
{
    TokenRecord record;
    bool alreadyRevoked = false; // nothing changed: it was revoked before (record carries the first revocation)
    bool added = false;          // a revocation-only record was added for an unknown hash
};

// The revocation set of a registry, as the authenticator checks it.
struct Revocations
{
    QSet<QString> ids;
    QSet<QString> hashes;

    bool contains(const QString &id, const QString &hash) const
    {
        return hashes.contains(hash) || (!id.isEmpty() && ids.contains(id));
    }
};
Revocations revocationsOf(const QList<TokenRecord> &records);

// "sha256:" followed by 12 to 64 lowercase or uppercase hex digits -> the tokenHash() form (12 lowercase
// digits); anything else -> std::nullopt.
std::optional<QString> normalizeTokenHash(const QString &text);

// Formats a time for the registry files: ISO-8601 UTC with milliseconds and "Z".
QString registryTime(const QDateTime &time);

// The token registry: tokens.json (written by the command line: mint, revoke) and tokens-usage.json
// next to it (written by the gateway: last use of each token). Both are mode 0600 in a 0700 directory,
// written atomically (QSaveFile); every change re-reads the file under a QLockFile and merges, so two
// concurrent writers never lose each other's records.
class TokenStore
{
public:
    explicit TokenStore(QString path);

    const QString &path() const { return m_path; }
    QString usagePath() const { return usagePathFor(m_path); }
    static QString usagePathFor(const QString &tokensPath);
    // Creates the registry's directory (mode 0700) when it is missing.
    Core::Result<void> ensureDirectory() const;

    // All records; a missing file is an empty registry. Errors name the file (Error::where).
    Core::Result<QList<TokenRecord>> records() const;
    Core::Result<void> add(const TokenRecord &record) const;
    // By jti, or by hash ("sha256:..."); an unknown hash adds a revocation-only record.
    Core::Result<RevokeResult> revoke(const QString &idOrHash, const QString &reason, const QDateTime &now) const;

    // tokens-usage.json; a missing file is empty.
    Core::Result<QHash<QString, TokenUsage>> usage() const;
    // Adds USES (counts since the last call; the latest time and peer win) to tokens-usage.json.
    Core::Result<void> recordUsage(const QHash<QString, TokenUsage> &uses) const;

private:
    QString m_path;
};

} // namespace Tailops::Auth
