#pragma once

#include "core/result.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

namespace Tailops::Auth {

// True for addresses tailscale hands out: the CGNAT range 100.64.0.0/10 (also written as the IPv4-mapped
// IPv6 ::ffff:100.64.0.0/106) and the tailscale ULA prefix fd7a:115c:a1e0::/48.
bool isTailnetAddress(const QHostAddress &address);

// Who a tailnet peer is, as tailscaled reports it (LocalAPI /localapi/v0/whois).
struct TailnetIdentity
{
    QString user;        // UserProfile.LoginName ("alice@example.com"); empty for a tagged node
    QString displayName; // UserProfile.DisplayName; empty for a tagged node
    QString node;        // Node.Name without the trailing dot ("laptop.tail1234.ts.net")
    QString nodeId;      // Node.StableID, else Node.ID
    QStringList tags;    // Node.Tags ("tag:ops"); a tagged node is owned by its tags, not by a user
    QHostAddress address; // the address that was looked up (IPv4-mapped IPv6 given as plain IPv4)

    bool isTagged() const { return !tags.isEmpty(); }
};

// Asks the local tailscaled who a connecting tailnet peer is, over its LocalAPI unix socket:
//   GET /localapi/v0/whois?addr=IP:PORT HTTP/1.1, Host: local-tailscaled.sock, Connection: close
// Asynchronous on the calling thread's event loop (QLocalSocket), never blocks. Only tailnet addresses
// are looked up; anything else is refused without any socket I/O. Successful answers are cached per IP
// (default 60 s, bounded); concurrent lookups of one IP share one request. Not thread-safe: use it
// from the thread it lives in.
class TailnetWhois final : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(Core::Result<TailnetIdentity>)>;

    static QString defaultSocketPath() { return QStringLiteral("/var/run/tailscale/tailscaled.sock"); }

    explicit TailnetWhois(QString socketPath = defaultSocketPath(), QObject *parent = nullptr);
    ~TailnetWhois() override;

    QString socketPath() const { return m_socketPath; }

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; } // default 3 s
    void setCacheTtl(std::chrono::milliseconds ttl) { m_cacheTtl = ttl; }       // default 60 s; 0 = no cache
    void setCacheCapacity(int entries) { m_cacheCapacity = entries; }           // default 1024
    void setMaxResponseBytes(qint64 bytes) { m_maxResponseBytes = bytes; }      // default 1 MiB

    // Looks up the peer at address:port. done is called exactly once, always asynchronously (never from
    // inside lookup()), on context's thread, and never once context is destroyed (then it is dropped).
    // A null context means this object. Errors name the cause, e.g.
    //   "not a tailnet address: 192.0.2.1"
    //   "tailscaled whois for 100.64.0.7: 404 no match for IP:port"
    //   "tailscaled LocalAPI not reachable at /var/run/tailscale/tailscaled.sock: ..."
    void lookup(const QHostAddress &address, quint16 port, const QObject *context, Done done);

    // Parses a 200 whois body (apitype.WhoIsResponse) for the looked-up address.
    static Core::Result<TailnetIdentity> parseWhoisResponse(const QByteArray &json, const QHostAddress &address);

    // Drops all cached identities (e.g. after tailscaled restarted or the tailnet changed).
    void clearCache() { m_cache.clear(); }
    int cachedEntries() const { return int(m_cache.size()); }

private:
    struct Pending;
    struct CacheEntry
    {
        TailnetIdentity identity;
        std::chrono::steady_clock::time_point expires;
    };

    void startRequest(const std::shared_ptr<Pending> &pending);
    void onReadable(const std::shared_ptr<Pending> &pending);
    void finish(const std::shared_ptr<Pending> &pending, Core::Result<TailnetIdentity> result);
    void remember(const QString &key, const TailnetIdentity &identity);
    static void deliver(const QObject *context, const Done &done, Core::Result<TailnetIdentity> result);

    QString m_socketPath;
    std::chrono::milliseconds m_timeout { std::chrono::seconds(3) };
    std::chrono::milliseconds m_cacheTtl { std::chrono::seconds(60) };
    int m_cacheCapacity = 1024;
    qint64 m_maxResponseBytes = qint64(1) << 20;
    QHash<QString, CacheEntry> m_cache;
    QHash<QString, std::shared_ptr<Pending>> m_pending;
};

} // namespace Tailops::Auth
