#pragma once

#include "core/result.h"
#include "exec/executor.h"
#include "registry/target.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace Tailops::Exec {

struct SshOptions
{
    QString knownHostsFile; // empty: $HOME/.ssh/known_hosts
    int maxIdleSessions = 2; // connected sessions kept per target between commands
    int keepAliveSeconds = 30; // a session idle longer than this is probed before reuse
};

enum class HostKeyStatus
{
    Known, // the key matches known_hosts
    Unknown, // no entry for this host (or no known_hosts file yet)
    Changed, // an entry exists with a different key: possible man-in-the-middle
    OtherType, // known_hosts holds a key of another type for this host only
};

QString hostKeyStatusName(HostKeyStatus status); // "known", "unknown", "changed", "other-type"

struct HostKeyInfo
{
    QString hostPort; // "host:port" as shown in messages
    QString keyType; // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
    QString fingerprint; // OpenSSH format: "SHA256:" + base64 without padding
    HostKeyStatus status = HostKeyStatus::Unknown;
    QString knownHostsFile; // the file it was checked against
};

// Connects (no authentication) and reports the server's host key and its known_hosts status.
Core::Result<HostKeyInfo> fetchHostKey(const Registry::Target &target, const SshOptions &options = {});

// Adds the server's current host key to known_hosts ("tailops-gateway targets trust ID"). Refuses when the
// key changed (the old line must be removed by hand first) and, when expectedFingerprint is given, when the
// key presented now is not the one the user verified. Trusting an already known key is a no-op.
Core::Result<void> trustHostKey(
    const Registry::Target &target, const SshOptions &options = {}, const QString &expectedFingerprint = {});

// The command line the remote shell runs: each argument in single quotes ("'" as '\''), joined by spaces,
// prefixed by "sudo -n --" when sudo is set. Refuses an empty argv and arguments holding NUL.
Core::Result<QByteArray> remoteCommandLine(const QStringList &argv, bool sudo = false);
QByteArray shellQuote(const QString &argument);

// Runs commands on one SSH target over pooled libssh sessions: a session is connected once and each command
// gets its own channel. A session is used by one thread at a time; busy callers open more sessions (the
// caller bounds them with the target's concurrency) and at most SshOptions::maxIdleSessions stay open.
class SshExecutor final : public CommandExecutor
{
public:
    explicit SshExecutor(Registry::Target target, SshOptions options = {});
    ~SshExecutor() override;
    SshExecutor(const SshExecutor &) = delete;
    SshExecutor &operator=(const SshExecutor &) = delete;

    Core::Result<CommandResult> run(const CommandSpec &spec, const CancelFlag &cancel) override;

    const Registry::Target &target() const { return m_target; }

    struct PoolStats
    {
        int idle = 0; // connected sessions waiting for a command
        int busy = 0; // sessions running a command now
        qint64 connects = 0; // sessions opened since construction
        qint64 discarded = 0; // sessions closed after a failure, a timeout or a cancel
        qint64 retries = 0; // commands re-run on a fresh session after a dead pooled one
    };
    PoolStats poolStats() const;
    void closeIdleSessions();

private:
    struct Session;
    using SessionPtr = std::unique_ptr<Session>;
    enum class Outcome;
    struct Attempt;

    qint64 outputLimit(const CommandSpec &spec) const;
    Core::Result<SessionPtr> acquire(bool fresh);
    void release(SessionPtr session, bool reusable);
    Attempt execute(Session &session, const QByteArray &command, const CommandSpec &spec, const CancelFlag &cancel,
        qint64 timeoutMs);

    Registry::Target m_target;
    SshOptions m_options;
    mutable QMutex m_mutex;
    std::vector<SessionPtr> m_idle; // most recently used last
    int m_busy = 0;
    qint64 m_connects = 0;
    qint64 m_discarded = 0;
    qint64 m_retries = 0;
};

} // namespace Tailops::Exec
