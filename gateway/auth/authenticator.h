#pragma once

#include "caller.h"
#include "core/result.h"
#include "tokenstore.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>

#include <memory>

class QFileSystemWatcher;
class QTimer;

namespace Tailops::Auth {

// Turns a bearer token into a Caller, or an error message safe to show (it never contains the token).
class Authenticator
{
public:
    virtual ~Authenticator() = default;
    virtual Core::Result<Caller> authenticate(const QByteArray &bearerToken) = 0;
    // Called by the transport for each request authenticate() accepted, once Caller.peer is set: records
    // the token's last use. The default does nothing.
    virtual void noteUse(const Caller &caller) { Q_UNUSED(caller) }
};

struct TokenAuthOptions
{
    bool requireExpiry = true; // auth.require_expiry: refuse tokens without an expiry
    qint64 maxTtlSeconds = 0;  // auth.max_token_ttl: refuse tokens whose expiry - iat is longer; 0: no limit
    QString tokensPath;        // the token registry (GatewayConfig::tokensPath()); empty: no revocation, no usage
};

// HMAC shared-secret tokens (the original's format). Verified tokens are cached by their hash; expiry and
// revocation are checked on every use.
//
// Revocation: the revoked ids (jti) and hashes are read from the registry at construction and again
// whenever the file changes (a QFileSystemWatcher on the file and its directory, debounced, and a stat of
// the file on every authenticate()), so `tailops-gateway token revoke` takes effect at once. A registry
// that cannot be read at the first load refuses every token ("token registry unreadable: FILE: reason");
// one that breaks later keeps the last good revocation set and logs an error.
//
// Usage: noteUse() counts uses per token hash in memory; tokens-usage.json is written at most every 30 s,
// by flushUsage() and on destruction. Lives on a thread with an event loop (the watcher and timers).
class TokenAuthenticator final : public Authenticator
{
public:
    explicit TokenAuthenticator(QByteArray secret, TokenAuthOptions options = {});
    ~TokenAuthenticator() override;
    Q_DISABLE_COPY_MOVE(TokenAuthenticator)

    Core::Result<Caller> authenticate(const QByteArray &bearerToken) override;
    void noteUse(const Caller &caller) override;

    // Writes the uses noted since the last flush to tokens-usage.json.
    Core::Result<void> flushUsage();
    // Rereads the registry now (normally done when the file changes).
    void reloadRegistry();

    const TokenAuthOptions &options() const { return m_options; }
    qsizetype revokedCount() const { return m_revocations.hashes.size(); }
    bool registryReadable() const { return m_registryError.isEmpty(); }

private:
    struct Cached
    {
        Caller caller;
        QDateTime expiry;
    };
    struct FileStamp
    {
        bool exists = false;
        qint64 size = 0;
        qint64 inode = 0;
        qint64 mtimeNs = 0;

        bool operator==(const FileStamp &) const = default;
    };

    FileStamp stamp() const;
    void reloadIfChanged();
    void watch();
    std::optional<QString> refusal(const QString &tokenId, const QString &hash) const;

    QByteArray m_secret;
    TokenAuthOptions m_options;
    QHash<QByteArray, Cached> m_cache;

    Revocations m_revocations;
    QString m_registryError; // set while no good registry was ever read: every token is refused
    bool m_loadedOnce = false;
    FileStamp m_stamp;
    std::unique_ptr<QFileSystemWatcher> m_watcher;
    std::unique_ptr<QTimer> m_reloadTimer;

    QHash<QString, TokenUsage> m_pendingUsage;
    std::unique_ptr<QTimer> m_flushTimer;
};

} // namespace Tailops::Auth
