#include "sshexecutor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <libssh/libssh.h>
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Tailops::Exec {

Q_LOGGING_CATEGORY(lcSsh, "tailops.ssh", QtInfoMsg)

namespace {

using Registry::Target;

constexpr qint64 kPollSliceMs = 50; // cancel/deadline granularity while a command runs
constexpr qint64 kMaxDrainBytes = 16 * 1024 * 1024; // read and dropped after truncation before giving up
constexpr int kReadChunk = 32 * 1024;

struct SessionDeleter
{
    void operator()(ssh_session session) const noexcept
    {
        if (ssh_is_connected(session)) {
            ssh_disconnect(session);
        }
        ssh_free(session);
    }
};
using Handle = std::unique_ptr<ssh_session_struct, SessionDeleter>;

struct ChannelDeleter
{
    void operator()(ssh_channel channel) const noexcept { ssh_channel_free(channel); }
};
using Channel = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

struct KeyDeleter
{
    void operator()(ssh_key key) const noexcept { ssh_key_free(key); }
};
using Key = std::unique_ptr<ssh_key_struct, KeyDeleter>;

QString sshError(ssh_session session) { return QString::fromUtf8(ssh_get_error(session)).trimmed(); }

int effectivePort(const Target &target) { return target.port > 0 ? target.port : 22; }

QString hostPort(const Target &target)
{
    const QString host = target.host.contains(QLatin1Char(':'))
        ? QString(QLatin1Char('[') + target.host + QLatin1Char(']'))
        : target.host;
    return host + QLatin1Char(':') + QString::number(effectivePort(target));
}

QString currentUserName()
{
    if (const passwd *pw = ::getpwuid(::geteuid())) {
        return QString::fromLocal8Bit(pw->pw_name);
    }
    return qEnvironmentVariable("USER");
}

QString userName(const Target &target) { return target.username.isEmpty() ? currentUserName() : target.username; }

QString knownHostsPath(const SshOptions &options)
{
    return options.knownHostsFile.isEmpty() ? QDir::homePath() + QStringLiteral("/.ssh/known_hosts")
                                            : options.knownHostsFile;
}

QString expandHome(const QString &path)
{
    if (path == QStringLiteral("~") || path.startsWith(QStringLiteral("~/"))) {
        return QDir::homePath() + path.mid(1);
    }
    return path;
}

// The timeout libssh applies to each blocking call on this session (connect, channel open, exit status).
void setTimeoutMs(ssh_session session, qint64 ms)
{
    ms = std::max<qint64>(ms, 10);
    long seconds = static_cast<long>(ms / 1000);
    long micros = static_cast<long>((ms % 1000) * 1000);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &micros);
}

qint64 connectTimeoutMs(const Target &target)
{
    return target.connectTimeoutSeconds > 0 ? target.connectTimeoutSeconds * 1000 : 30000;
}

bool isCancelled(const CancelFlag &cancel) { return cancel && cancel->load(); }

// A TCP connection and the key exchange, before any host key or user check.
Core::Result<Handle> openTransport(const Target &target, const SshOptions &options)
{
    if (target.host.isEmpty()) {
        return Core::fail(QStringLiteral("target %1 has no host").arg(target.id));
    }
    Handle session(ssh_new());
    if (!session) {
        return Core::fail(QStringLiteral("cannot create an SSH session"));
    }
    const QByteArray host = target.host.toUtf8();
    const QByteArray user = userName(target).toUtf8();
    const QByteArray knownHosts = QFile::encodeName(knownHostsPath(options));
    int port = effectivePort(target);
    int noDelay = 1;
    bool processConfig = false; // ~/.ssh/config must not change what the gateway connects to

    ssh_session s = session.get();
    if (ssh_options_set(s, SSH_OPTIONS_HOST, host.constData()) != SSH_OK
        || ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK
        || ssh_options_set(s, SSH_OPTIONS_USER, user.constData()) != SSH_OK
        || ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, knownHosts.constData()) != SSH_OK
        || ssh_options_set(s, SSH_OPTIONS_NODELAY, &noDelay) != SSH_OK
        || ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &processConfig) != SSH_OK) {
        return Core::fail(QStringLiteral("invalid SSH settings for target %1: %2").arg(target.id, sshError(s)));
    }
    const qint64 timeoutMs = connectTimeoutMs(target);
    setTimeoutMs(s, timeoutMs);

    QElapsedTimer clock;
    clock.start();
    if (ssh_connect(s) == SSH_OK) {
        return session;
    }
    const QString error = sshError(s);
    const QString where = hostPort(target);
    qCDebug(lcSsh) << "connect to" << where << "failed after" << clock.elapsed() << "ms:" << error;
    if (error.contains(QStringLiteral("refused"), Qt::CaseInsensitive)) {
        return Core::fail(QStringLiteral("connection refused by %1").arg(where));
    }
    if (error.contains(QStringLiteral("unreachable"), Qt::CaseInsensitive)
        || error.contains(QStringLiteral("No route to host"), Qt::CaseInsensitive)) {
        return Core::fail(QStringLiteral("host unreachable: %1 (%2)").arg(where, error));
    }
    if (error.contains(QStringLiteral("resolve"), Qt::CaseInsensitive)) {
        return Core::fail(QStringLiteral("cannot resolve %1 (%2)").arg(target.host, error));
    }
    if (error.contains(QStringLiteral("timeout"), Qt::CaseInsensitive)
        || error.contains(QStringLiteral("timed out"), Qt::CaseInsensitive) || clock.elapsed() >= timeoutMs) {
        return Core::fail(QStringLiteral("Connection timeout"), where);
    }
    return Core::fail(QStringLiteral("cannot connect to %1: %2").arg(where, error));
}

Core::Result<HostKeyInfo> inspectHostKey(ssh_session s, const Target &target, const SshOptions &options)
{
    HostKeyInfo info;
    info.hostPort = hostPort(target);
    info.knownHostsFile = knownHostsPath(options);

    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(s, &raw) != SSH_OK) {
        return Core::fail(QStringLiteral("cannot read the host key of %1: %2").arg(info.hostPort, sshError(s)));
    }
    const Key key(raw);
    unsigned char *hash = nullptr;
    size_t hashLength = 0;
    if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength) != SSH_OK) {
        return Core::fail(QStringLiteral("cannot hash the host key of %1").arg(info.hostPort));
    }
    const QByteArray digest(reinterpret_cast<const char *>(hash), static_cast<qsizetype>(hashLength));
    ssh_clean_pubkey_hash(&hash);
    info.fingerprint = QStringLiteral("SHA256:")
        + QString::fromLatin1(digest.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals));
    if (const char *type = ssh_key_type_to_char(ssh_key_type(key.get()))) {
        info.keyType = QString::fromLatin1(type);
    }

    switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
        info.status = HostKeyStatus::Known;
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
        info.status = HostKeyStatus::Changed;
        break;
    case SSH_KNOWN_HOSTS_OTHER:
        info.status = HostKeyStatus::OtherType;
        break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND: // no known_hosts file yet
        info.status = HostKeyStatus::Unknown;
        break;
    case SSH_KNOWN_HOSTS_ERROR:
        return Core::fail(QStringLiteral("cannot check the host key of %1 against %2: %3")
                              .arg(info.hostPort, info.knownHostsFile, sshError(s)));
    }
    return info;
}

Core::Result<void> requireTrusted(const HostKeyInfo &info, const Target &target)
{
    switch (info.status) {
    case HostKeyStatus::Known:
        return {};
    case HostKeyStatus::Unknown:
        return Core::fail(
            QStringLiteral("unknown host key for %1 (%2); verify it and run: tailops-gateway targets trust %3")
                .arg(info.hostPort, info.fingerprint, target.id));
    case HostKeyStatus::Changed:
        return Core::fail(QStringLiteral(u"HOST KEY CHANGED for %1: now %2 — possible man-in-the-middle; refusing")
                              .arg(info.hostPort, info.fingerprint));
    case HostKeyStatus::OtherType:
        return Core::fail(QStringLiteral(u"HOST KEY CHANGED for %1: now %2 (%3; known_hosts only lists keys of other "
                                         u"types) — possible man-in-the-middle; refusing")
                              .arg(info.hostPort, info.fingerprint, info.keyType));
    }
    return Core::fail(QStringLiteral("unexpected host key state"));
}

Core::Result<void> authenticate(ssh_session s, const Target &target)
{
    const QString user = userName(target);
    if (!target.keyPath.isEmpty()) {
        const QString keyPath = expandHome(target.keyPath);
        const QByteArray encoded = QFile::encodeName(keyPath);
        struct stat st
        {
        };
        if (::stat(encoded.constData(), &st) != 0) {
            return Core::fail(QStringLiteral("cannot read key file %1: %2")
                                  .arg(keyPath, QString::fromLocal8Bit(std::strerror(errno))));
        }
        if ((st.st_mode & 077) != 0) {
            return Core::fail(
                QStringLiteral("key file %1 is accessible by group or others (mode %2); fix it with: chmod 600 %1")
                    .arg(keyPath, QStringLiteral("0%1").arg(st.st_mode & 0777, 3, 8, QLatin1Char('0'))));
        }
        ssh_key raw = nullptr;
        if (ssh_pki_import_privkey_file(encoded.constData(), nullptr, nullptr, nullptr, &raw) != SSH_OK) {
            return Core::fail(QStringLiteral("cannot load private key %1 (unsupported format, or protected by a "
                                             "passphrase: use ssh-agent for those)")
                                  .arg(keyPath));
        }
        const Key key(raw);
        switch (ssh_userauth_publickey(s, nullptr, key.get())) {
        case SSH_AUTH_SUCCESS:
            return {};
        case SSH_AUTH_DENIED:
        case SSH_AUTH_PARTIAL:
            return Core::fail(
                QStringLiteral("authentication refused for %1@%2 (tried key %3)").arg(user, target.host, keyPath));
        default:
            return Core::fail(
                QStringLiteral("authentication failed for %1@%2: %3").arg(user, target.host, sshError(s)));
        }
    }
    if (qEnvironmentVariableIsEmpty("SSH_AUTH_SOCK")) {
        return Core::fail(
            QStringLiteral("target %1 has no key_path and no ssh-agent is available (SSH_AUTH_SOCK is not set)")
                .arg(target.id));
    }
    switch (ssh_userauth_agent(s, nullptr)) {
    case SSH_AUTH_SUCCESS:
        return {};
    case SSH_AUTH_DENIED:
    case SSH_AUTH_PARTIAL:
        return Core::fail(
            QStringLiteral("authentication refused for %1@%2 (tried the keys of ssh-agent)").arg(user, target.host));
    default:
        return Core::fail(
            QStringLiteral("authentication failed for %1@%2 (ssh-agent): %3").arg(user, target.host, sshError(s)));
    }
}

// A session ready for commands: connected, host key verified against known_hosts, authenticated.
Core::Result<Handle> connectSession(const Target &target, const SshOptions &options)
{
    auto session = openTransport(target, options);
    if (!session) {
        return session;
    }
    auto info = inspectHostKey(session->get(), target, options);
    if (!info) {
        return std::unexpected(info.error());
    }
    if (auto trusted = requireTrusted(*info, target); !trusted) {
        return std::unexpected(trusted.error());
    }
    if (auto auth = authenticate(session->get(), target); !auth) {
        return std::unexpected(auth.error());
    }
    return session;
}

} // namespace

QString hostKeyStatusName(HostKeyStatus status)
{
    switch (status) {
    case HostKeyStatus::Known:
        return QStringLiteral("known");
    case HostKeyStatus::Unknown:
        return QStringLiteral("unknown");
    case HostKeyStatus::Changed:
        return QStringLiteral("changed");
    case HostKeyStatus::OtherType:
        return QStringLiteral("other-type");
    }
    return {};
}

Core::Result<HostKeyInfo> fetchHostKey(const Target &target, const SshOptions &options)
{
    auto session = openTransport(target, options);
    if (!session) {
        return std::unexpected(session.error());
    }
    return inspectHostKey(session->get(), target, options);
}

Core::Result<void> trustHostKey(const Target &target, const SshOptions &options, const QString &expectedFingerprint)
{
    auto session = openTransport(target, options);
    if (!session) {
        return std::unexpected(session.error());
    }
    auto info = inspectHostKey(session->get(), target, options);
    if (!info) {
        return std::unexpected(info.error());
    }
    switch (info->status) {
    case HostKeyStatus::Known:
        return {};
    case HostKeyStatus::Changed:
    case HostKeyStatus::OtherType: {
        const QString entry = effectivePort(target) == 22
            ? target.host
            : QStringLiteral("[%1]:%2").arg(target.host).arg(effectivePort(target));
        return Core::fail(QStringLiteral(u"HOST KEY CHANGED for %1: now %2 — refusing to trust it; if the change is "
                                         u"expected, remove the old entry first: ssh-keygen -R '%3' -f %4")
                              .arg(info->hostPort, info->fingerprint, entry, info->knownHostsFile));
    }
    case HostKeyStatus::Unknown:
        break;
    }
    if (!expectedFingerprint.isEmpty() && expectedFingerprint != info->fingerprint) {
        return Core::fail(QStringLiteral("host key for %1 is %2, not the expected %3; refusing")
                              .arg(info->hostPort, info->fingerprint, expectedFingerprint));
    }
    const QString dir = QFileInfo(info->knownHostsFile).absolutePath();
    if (!QFileInfo::exists(dir)) {
        if (!QDir().mkpath(dir)) {
            return Core::fail(QStringLiteral("cannot create %1").arg(dir));
        }
        QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    if (ssh_session_update_known_hosts(session->get()) != SSH_OK) {
        return Core::fail(QStringLiteral("cannot add the host key of %1 to %2: %3")
                              .arg(info->hostPort, info->knownHostsFile, sshError(session->get())));
    }
    qCInfo(lcSsh) << "trusted" << info->keyType << info->fingerprint << "for" << info->hostPort << "in"
                  << info->knownHostsFile;
    return {};
}

QByteArray shellQuote(const QString &argument)
{
    QByteArray quoted = argument.toUtf8();
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

Core::Result<QByteArray> remoteCommandLine(const QStringList &argv, bool sudo)
{
    if (argv.isEmpty() || argv.first().isEmpty()) {
        return Core::fail(QStringLiteral("empty command"));
    }
    QByteArray line = sudo ? QByteArray("sudo -n --") : QByteArray();
    for (qsizetype i = 0; i < argv.size(); ++i) {
        if (argv[i].contains(QChar(u'\0'))) {
            return Core::fail(QStringLiteral("argument %1 contains a NUL character").arg(i));
        }
        if (!line.isEmpty()) {
            line += ' ';
        }
        line += shellQuote(argv[i]);
    }
    return line;
}

// ---------------------------------------------------------------------------------------------------------------

struct SshExecutor::Session
{
    explicit Session(Handle h)
        : handle(std::move(h))
    {
        idle.start();
    }
    Handle handle;
    QElapsedTimer idle; // since it went back to the pool
    bool reused = false;
};

enum class SshExecutor::Outcome
{
    Done, // the command ran (or timed out / was cancelled): result is set
    BeforeExec, // failed before the command started: safe to retry on a fresh session
    Failed, // failed after the command started: an error, never retried
};

struct SshExecutor::Attempt
{
    Outcome outcome = Outcome::Failed;
    CommandResult result;
    Core::Error error;
    bool reusable = false; // the session is clean and can go back to the pool
    bool serverGone = false; // the connection dropped: other idle sessions are probably dead too
};

qint64 SshExecutor::outputLimit(const CommandSpec &spec) const
{
    return spec.maxOutputBytes > 0 ? spec.maxOutputBytes : m_target.maxOutputBytes;
}

SshExecutor::SshExecutor(Registry::Target target, SshOptions options)
    : m_target(std::move(target))
    , m_options(std::move(options))
{
}

SshExecutor::~SshExecutor() = default;

SshExecutor::PoolStats SshExecutor::poolStats() const
{
    QMutexLocker lock(&m_mutex);
    return PoolStats { static_cast<int>(m_idle.size()), m_busy, m_connects, m_discarded, m_retries };
}

void SshExecutor::closeIdleSessions()
{
    std::vector<SessionPtr> closing;
    {
        QMutexLocker lock(&m_mutex);
        closing.swap(m_idle);
    }
    // Disconnects happen here, outside the lock.
}

Core::Result<SshExecutor::SessionPtr> SshExecutor::acquire(bool fresh)
{
    while (!fresh) {
        SessionPtr session;
        {
            QMutexLocker lock(&m_mutex);
            if (m_idle.empty()) {
                break;
            }
            session = std::move(m_idle.back());
            m_idle.pop_back();
            ++m_busy;
        }
        ssh_session s = session->handle.get();
        bool alive = ssh_is_connected(s) != 0;
        if (alive && session->idle.elapsed() > qint64(m_options.keepAliveSeconds) * 1000) {
            // Long idle: a cheap SSH_MSG_IGNORE catches connections already known dead; a silently dead one fails
            // at channel open and the command is retried on a fresh session.
            alive = ssh_send_ignore(s, "") == SSH_OK && ssh_is_connected(s) != 0;
        }
        if (alive) {
            session->reused = true;
            return session;
        }
        qCDebug(lcSsh) << "dropping a dead idle session to" << hostPort(m_target);
        QMutexLocker lock(&m_mutex);
        --m_busy;
        ++m_discarded;
    }
    {
        QMutexLocker lock(&m_mutex);
        ++m_busy;
        ++m_connects;
    }
    auto handle = connectSession(m_target, m_options);
    if (!handle) {
        QMutexLocker lock(&m_mutex);
        --m_busy;
        return std::unexpected(handle.error());
    }
    qCDebug(lcSsh) << "connected to" << hostPort(m_target) << "for target" << m_target.id;
    return std::make_unique<Session>(std::move(*handle));
}

void SshExecutor::release(SessionPtr session, bool reusable)
{
    SessionPtr closing;
    QMutexLocker lock(&m_mutex);
    --m_busy;
    if (reusable && std::cmp_less(m_idle.size(), std::max(0, m_options.maxIdleSessions))) {
        session->idle.restart();
        m_idle.push_back(std::move(session));
        return;
    }
    if (!reusable) {
        ++m_discarded;
    }
    closing = std::move(session);
    lock.unlock(); // closing disconnects when it goes out of scope, outside the lock
}

SshExecutor::Attempt SshExecutor::execute(
    Session &session, const QByteArray &command, const CommandSpec &spec, const CancelFlag &cancel, qint64 timeoutMs)
{
    Attempt attempt;
    ssh_session s = session.handle.get();
    QElapsedTimer clock;
    clock.start();
    const auto remainingMs = [&] { return timeoutMs - clock.elapsed(); };
    const QString where = hostPort(m_target);

    setTimeoutMs(s, std::min(std::max<qint64>(remainingMs(), 1), connectTimeoutMs(m_target)));
    Channel channel(ssh_channel_new(s));
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) {
        attempt.outcome = Outcome::BeforeExec;
        attempt.serverGone = ssh_is_connected(s) == 0;
        attempt.error
            = Core::Error { QStringLiteral("cannot open an SSH channel to %1: %2").arg(where, sshError(s)), {} };
        return attempt;
    }
    ssh_channel ch = channel.get();
    if (ssh_channel_request_exec(ch, command.constData()) != SSH_OK) {
        attempt.outcome = Outcome::Failed;
        attempt.serverGone = ssh_is_connected(s) == 0;
        attempt.error
            = Core::Error { QStringLiteral("cannot start the command on %1: %2").arg(where, sshError(s)), {} };
        return attempt;
    }
    ssh_channel_send_eof(ch); // no stdin: commands that read it see end of file

    CommandResult &result = attempt.result;
    const qint64 limit = outputLimit(spec);
    qint64 stored = 0;
    qint64 dropped = 0;
    const auto take = [&](bool isStderr, const char *data, qint64 n) {
        if (result.truncated) {
            dropped += n;
            return;
        }
        QByteArray &out = isStderr ? result.stderrData : result.stdoutData;
        const qint64 room = limit - stored;
        if (n <= room) {
            out.append(data, n);
            stored += n;
            return;
        }
        out.append(data, room);
        stored = limit;
        result.truncated = true; // the marker goes after stdout at the end, as with the local executor
        dropped += n - room;
    };
    const auto lost = [&] {
        attempt.outcome = Outcome::Failed;
        attempt.serverGone = true;
        const QString detail = sshError(s);
        attempt.error
            = Core::Error { QStringLiteral("connection to %1 lost while the command was running%2")
                                .arg(where, detail.isEmpty() ? QString() : QString(QStringLiteral(": ") + detail)),
                  {} };
        return attempt;
    };

    enum class Stop
    {
        None,
        Timeout,
        Cancel,
        Drained
    };
    Stop stop = Stop::None;
    char buffer[kReadChunk];
    for (;;) {
        bool progress = false;
        for (const int isStderr : { 0, 1 }) {
            for (;;) {
                const int n = ssh_channel_read_nonblocking(ch, buffer, sizeof buffer, isStderr);
                if (n > 0) {
                    take(isStderr != 0, buffer, n);
                    progress = true;
                    continue;
                }
                if (n == SSH_ERROR) {
                    return lost();
                }
                break; // 0: nothing buffered now; SSH_EOF: end of this stream
            }
        }
        if (!progress && ssh_channel_is_eof(ch)) {
            break;
        }
        if (ssh_is_connected(s) == 0) {
            return lost();
        }
        if (isCancelled(cancel)) {
            stop = Stop::Cancel;
            break;
        }
        if (remainingMs() <= 0) {
            stop = Stop::Timeout;
            break;
        }
        if (result.truncated && dropped > kMaxDrainBytes) {
            stop = Stop::Drained;
            break;
        }
        if (progress) {
            continue;
        }
        // Wait for the socket: every complete packet libssh has read is already in the channel buffers, so
        // the socket is the only thing left to wait on (stdout and stderr alike).
        pollfd waiter { ssh_get_fd(s), POLLIN, 0 };
        const int waitMs = static_cast<int>(std::clamp<qint64>(remainingMs(), 1, kPollSliceMs));
        if (::poll(&waiter, 1, waitMs) < 0 && errno != EINTR) {
            return lost();
        }
    }

    if (stop == Stop::None) {
        // Output ended; the exit status follows (OpenSSH sends it after EOF). Wait for it in slices too: a command
        // can close its output and keep running.
        for (;;) {
            setTimeoutMs(s, std::clamp<qint64>(remainingMs(), 1, kPollSliceMs));
            const int status = ssh_channel_get_exit_status(ch);
            if (status >= 0) {
                result.exitCode = status;
                break;
            }
            if (ssh_channel_is_closed(ch)) {
                break; // closed without a status: killed by a signal
            }
            if (ssh_is_connected(s) == 0) {
                attempt.outcome = Outcome::Done;
                attempt.reusable = false;
                return attempt;
            }
            if (isCancelled(cancel)) {
                stop = Stop::Cancel;
                break;
            }
            if (remainingMs() <= 0) {
                stop = Stop::Timeout;
                break;
            }
        }
    }

    attempt.outcome = Outcome::Done;
    if (stop == Stop::None) {
        ssh_channel_close(ch);
        attempt.reusable = true;
        return attempt;
    }
    // Timed out, cancelled, or too much output: stop the remote command (OpenSSH >= 7.8 honours "signal"
    // requests), close the channel and drop the session rather than reuse one with a half-closed channel.
    result.timedOut = stop == Stop::Timeout;
    result.cancelled = stop == Stop::Cancel;
    setTimeoutMs(s, 200); // a server that stopped answering must not hold us here
    ssh_channel_request_send_signal(ch, "TERM");
    ssh_channel_close(ch);
    attempt.reusable = false;
    return attempt;
}

Core::Result<CommandResult> SshExecutor::run(const CommandSpec &spec, const CancelFlag &cancel)
{
    QElapsedTimer clock;
    clock.start();
    if (spec.sudo && (m_target.sudoPolicy.isEmpty() || m_target.sudoPolicy == QStringLiteral("none"))) {
        return Core::fail(
            QStringLiteral("sudo is not allowed on target %1 (constraints.sudo_policy: none)").arg(m_target.id));
    }
    auto command = remoteCommandLine(spec.argv, spec.sudo);
    if (!command) {
        return std::unexpected(command.error());
    }
    const qint64 timeoutMs = spec.timeoutMs > 0 ? spec.timeoutMs
        : m_target.timeoutSeconds > 0           ? m_target.timeoutSeconds * 1000
                                                : 60000;

    for (int attemptNo = 0;; ++attemptNo) {
        if (isCancelled(cancel)) {
            CommandResult result;
            result.cancelled = true;
            result.durationMs = clock.elapsed();
            return result;
        }
        auto session = acquire(attemptNo > 0);
        if (!session) {
            return std::unexpected(session.error());
        }
        const bool wasReused = (*session)->reused;
        Attempt attempt = execute(**session, *command, spec, cancel, timeoutMs - clock.elapsed());
        release(std::move(*session), attempt.outcome == Outcome::Done && attempt.reusable);
        if (attempt.serverGone) {
            closeIdleSessions(); // they share the fate of the one that just died
        }
        switch (attempt.outcome) {
        case Outcome::Done:
            if (attempt.result.truncated) {
                attempt.result.stdoutData += truncationMarker(outputLimit(spec));
            }
            attempt.result.durationMs = clock.elapsed();
            return attempt.result;
        case Outcome::BeforeExec:
            if (wasReused && attemptNo == 0 && clock.elapsed() < timeoutMs) {
                qCDebug(lcSsh) << "pooled session to" << hostPort(m_target) << "failed (" << attempt.error.message
                               << "); retrying on a fresh one";
                QMutexLocker lock(&m_mutex);
                ++m_retries;
                continue;
            }
            return std::unexpected(attempt.error);
        case Outcome::Failed:
            return std::unexpected(attempt.error);
        }
    }
}

} // namespace Tailops::Exec
