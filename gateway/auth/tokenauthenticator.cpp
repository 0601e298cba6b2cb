#include "authenticator.h"

#include "core/logging.h"
#include "hmactoken.h"
#include "scopes.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHostAddress>
#include <QTimer>

#include <sys/stat.h>

namespace Tailops::Auth {

namespace {

constexpr qsizetype kMaxCachedTokens = 4096;
constexpr int kReloadDebounceMs = 100;
constexpr int kUsageFlushMs = 30 * 1000;
constexpr qint64 kMaxClockSkewSeconds = 5 * 60;

// "127.0.0.1:53422" -> "127.0.0.1", "::1:53422" -> "::1"; anything else as it is.
QString peerAddress(const QString &peer)
{
    const qsizetype colon = peer.lastIndexOf(u':');
    if (colon <= 0 || colon == peer.size() - 1) {
        return peer;
    }
    bool digits = false;
    peer.mid(colon + 1).toUShort(&digits);
    const QString host = peer.left(colon);
    return digits && !QHostAddress(host).isNull() ? host : peer;
}

} // namespace

TokenAuthenticator::TokenAuthenticator(QByteArray secret, TokenAuthOptions options)
    : m_secret(std::move(secret))
    , m_options(std::move(options))
{
    if (m_options.tokensPath.isEmpty()) {
        return;
    }
    m_options.tokensPath = QFileInfo(m_options.tokensPath).absoluteFilePath();
    if (auto dir = TokenStore(m_options.tokensPath).ensureDirectory(); !dir) {
        qCWarning(Core::lcAuth).noquote() << "token registry:" << dir.error().toString()
                                          << "- revocations are picked up only when a token is used";
    }
    m_watcher = std::make_unique<QFileSystemWatcher>();
    m_reloadTimer = std::make_unique<QTimer>();
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(kReloadDebounceMs);
    m_flushTimer = std::make_unique<QTimer>();
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kUsageFlushMs);
    const auto changed = [this] { m_reloadTimer->start(); };
    QObject::connect(m_watcher.get(), &QFileSystemWatcher::fileChanged, m_reloadTimer.get(), changed);
    QObject::connect(m_watcher.get(), &QFileSystemWatcher::directoryChanged, m_reloadTimer.get(), changed);
    QObject::connect(m_reloadTimer.get(), &QTimer::timeout, m_reloadTimer.get(), [this] {
        watch(); // the file may have appeared, or been replaced by rename (which drops its watch)
        reloadIfChanged();
    });
    QObject::connect(m_flushTimer.get(), &QTimer::timeout, m_flushTimer.get(), [this] {
        if (auto flushed = flushUsage(); !flushed) {
            qCWarning(Core::lcAuth).noquote() << "token usage not recorded:" << flushed.error().toString();
        }
    });
    watch();
    reloadRegistry();
}

TokenAuthenticator::~TokenAuthenticator()
{
    if (auto flushed = flushUsage(); !flushed) {
        qCWarning(Core::lcAuth).noquote() << "token usage not recorded:" << flushed.error().toString();
    }
}

TokenAuthenticator::FileStamp TokenAuthenticator::stamp() const
{
    struct stat st {};
    if (::stat(QFile::encodeName(m_options.tokensPath).constData(), &st) != 0) {
        return {};
    }
    return FileStamp { true, qint64(st.st_size), qint64(st.st_ino),
                       qint64(st.st_mtim.tv_sec) * 1000000000 + qint64(st.st_mtim.tv_nsec) };
}

void TokenAuthenticator::watch()
{
    const QString dir = QFileInfo(m_options.tokensPath).absolutePath();
    if (!m_watcher->directories().contains(dir) && QFileInfo(dir).isDir()) {
        m_watcher->addPath(dir);
    }
    // A file replaced by rename (QSaveFile) drops out of the watch: add it again.
    if (!m_watcher->files().contains(m_options.tokensPath) && QFileInfo::exists(m_options.tokensPath)) {
        m_watcher->addPath(m_options.tokensPath);
    }
}

void TokenAuthenticator::reloadIfChanged()
{
    if (m_options.tokensPath.isEmpty()) {
        return;
    }
    if (stamp() != m_stamp) {
        if (m_watcher) {
            watch();
        }
        reloadRegistry();
    }
}

void TokenAuthenticator::reloadRegistry()
{
    if (m_options.tokensPath.isEmpty()) {
        return;
    }
    const FileStamp before = stamp();
    const auto records = TokenStore(m_options.tokensPath).records();
    m_stamp = before;
    if (!records) {
        if (!m_loadedOnce) {
            m_registryError = QStringLiteral("token registry unreadable: %1").arg(records.error().toString());
            qCCritical(Core::lcAuth).noquote() << m_registryError << "- refusing every token until it is fixed";
        } else {
            qCCritical(Core::lcAuth).noquote() << "token registry unreadable:" << records.error().toString()
                                               << "- keeping the revocations read before";
        }
        return;
    }
    const qsizetype previously = m_revocations.hashes.size();
    m_revocations = revocationsOf(*records);
    if (!m_registryError.isEmpty()) {
        qCInfo(Core::lcAuth).noquote() << "token registry readable again:" << m_options.tokensPath;
    }
    m_registryError.clear();
    if (m_loadedOnce && m_revocations.hashes.size() != previously) {
        qCInfo(Core::lcAuth).noquote() << "token registry reloaded:" << m_revocations.hashes.size() << "revoked tokens";
    }
    m_loadedOnce = true;
}

std::optional<QString> TokenAuthenticator::refusal(const QString &tokenId, const QString &hash) const
{
    if (!m_registryError.isEmpty()) {
        return m_registryError;
    }
    if (m_revocations.contains(tokenId, hash)) {
        return QStringLiteral("token revoked");
    }
    return std::nullopt;
}

Core::Result<Caller> TokenAuthenticator::authenticate(const QByteArray &bearerToken)
{
    reloadIfChanged(); // a stat; catches a revocation even before the watcher reports it
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray key = QCryptographicHash::hash(bearerToken, QCryptographicHash::Sha256);
    const QString hash = tokenHash(bearerToken);
    const auto refuse = [&hash](const QString &message) -> Core::Result<Caller> {
        qCInfo(Core::lcAuth).noquote() << "refused token" << hash << ":" << message;
        return Core::fail(message);
    };
    if (const auto it = m_cache.constFind(key); it != m_cache.cend()) {
        if (it->expiry.isValid() && it->expiry < now) {
            m_cache.remove(key);
            return refuse(QStringLiteral("token expired"));
        }
        if (const auto why = refusal(it->caller.tokenId, hash)) {
            return refuse(*why);
        }
        return it->caller;
    }
    const auto claims = verifyToken(bearerToken, m_secret, now);
    if (!claims) {
        return refuse(claims.error().message);
    }
    if (const auto why = refusal(claims->id, hash)) {
        return refuse(*why);
    }
    if (!claims->expiry.isValid() && m_options.requireExpiry) {
        return refuse(QStringLiteral("token has no expiry (auth.require_expiry is on; mint it with --ttl)"));
    }
    if (claims->issuedAt.isValid()) {
        if (m_options.maxTtlSeconds > 0 && claims->expiry.isValid()
            && claims->issuedAt.msecsTo(claims->expiry) > m_options.maxTtlSeconds * 1000) {
            return refuse(QStringLiteral("token lifetime exceeds auth.max_token_ttl"));
        }
        if (now.secsTo(claims->issuedAt) > kMaxClockSkewSeconds) {
            return refuse(QStringLiteral("token issued in the future"));
        }
    }
    QStringList unknown;
    Caller caller;
    caller.agent = claims->agent;
    caller.tokenId = claims->id;
    caller.tokenHash = hash;
    caller.hostTags = claims->hostTags;
    caller.scopes = expandScopes(claims->scopes, &unknown);
    if (!unknown.isEmpty()) {
        qCWarning(Core::lcAuth).noquote() << "token" << caller.tokenHash << "of agent" << caller.agent
                                          << "names unknown scopes (ignored):" << unknown.join(QStringLiteral(","));
    }
    if (m_cache.size() >= kMaxCachedTokens) {
        m_cache.clear();
    }
    m_cache.insert(key, Cached { caller, claims->expiry });
    return caller;
}

void TokenAuthenticator::noteUse(const Caller &caller)
{
    if (m_options.tokensPath.isEmpty() || caller.tokenHash.isEmpty()) {
        return;
    }
    TokenUsage &u = m_pendingUsage[caller.tokenHash];
    u.lastUsed = QDateTime::currentDateTimeUtc();
    u.lastPeer = peerAddress(caller.peer);
    ++u.uses;
    if (m_flushTimer && !m_flushTimer->isActive()) {
        m_flushTimer->start();
    }
}

Core::Result<void> TokenAuthenticator::flushUsage()
{
    if (m_pendingUsage.isEmpty() || m_options.tokensPath.isEmpty()) {
        return {};
    }
    auto written = TokenStore(m_options.tokensPath).recordUsage(m_pendingUsage);
    if (written) {
        m_pendingUsage.clear();
    }
    if (m_flushTimer) {
        m_flushTimer->stop();
    }
    return written;
}

} // namespace Tailops::Auth
