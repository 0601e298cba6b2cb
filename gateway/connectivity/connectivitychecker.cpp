#include "connectivitychecker.h"

#include "exec/docker/dockerclient.h"
#include "exec/localexecutor.h"
#include "probes.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QUrl>

#include <atomic>
#include <thread>

namespace Tailops::Connectivity {

QJsonObject Check::toJson() const
{
    QJsonObject o { { QStringLiteral("name"), name }, { QStringLiteral("ok"), ok } };
    if (latencyMs >= 0) {
        o.insert(QStringLiteral("latency_ms"), latencyMs);
    }
    if (!detail.isEmpty()) {
        o.insert(QStringLiteral("detail"), detail);
    }
    if (!ok) {
        o.insert(QStringLiteral("cause"), cause);
        o.insert(QStringLiteral("fix"), fix);
    }
    return o;
}

QJsonObject TargetReport::toJson() const
{
    QJsonArray list;
    for (const Check &c : checks) {
        list.append(c.toJson());
    }
    QJsonObject o { { QStringLiteral("target"), target }, { QStringLiteral("executor"), executor },
                    { QStringLiteral("ok"), ok }, { QStringLiteral("checks"), list } };
    if (latencyMs >= 0) {
        o.insert(QStringLiteral("latency_ms"), latencyMs);
    }
    return o;
}

void diagnose(Check &c, const Registry::Target &t)
{
    const QString e = c.detail;
    const QString hostPort = QStringLiteral("%1:%2").arg(t.host).arg(t.port);
    const auto set = [&](QString cause, QString fix) {
        c.cause = std::move(cause);
        c.fix = std::move(fix);
    };
    if (e.contains(QStringLiteral("Connection timeout")) || e.contains(QStringLiteral("timed out"), Qt::CaseInsensitive)) {
        set(QStringLiteral("the host did not answer in time"),
            QStringLiteral("check that %1 is up and on the tailnet (tailscale status; tailscale ping %2) and that no "
                           "firewall drops the port (ufw status); for slow links raise connection.timeout")
                .arg(t.host.isEmpty() ? t.id : t.host, t.host.isEmpty() ? t.id : t.host));
    } else if (t.executor == Registry::Executor::Docker
               && (e.contains(QStringLiteral("refused"), Qt::CaseInsensitive) || e.contains(QStringLiteral("is dockerd running")))) {
        const QString where = !t.socketPath.isEmpty() ? t.socketPath : !t.url.isEmpty() ? t.url : t.host;
        set(QStringLiteral("the Docker daemon is not running or does not listen on %1").arg(where),
            QStringLiteral("start Docker on the target (systemctl status docker; journalctl -u docker) or fix "
                           "connection.socket_path / connection.host"));
    } else if (e.contains(QStringLiteral("refused"), Qt::CaseInsensitive) && !e.contains(QStringLiteral("authentication"))) {
        set(QStringLiteral("nothing listens on %1").arg(t.executor == Registry::Executor::Http ? t.url : hostPort),
            t.executor == Registry::Executor::Ssh
                ? QStringLiteral("start sshd on the target (systemctl status ssh) or fix connection.port")
                : QStringLiteral("start the service on the target or fix the address in targets.yaml"));
    } else if (e.contains(QStringLiteral("cannot resolve")) || e.contains(QStringLiteral("unreachable"))) {
        set(QStringLiteral("the host name does not resolve or there is no route to it"),
            QStringLiteral("check connection.host (MagicDNS names need Tailscale running: tailscale status) and the "
                           "network path (ping, ip route)"));
    } else if (e.contains(QStringLiteral("permission denied"), Qt::CaseInsensitive) && t.executor == Registry::Executor::Docker) {
        set(QStringLiteral("the gateway's user may not open the Docker socket"),
            QStringLiteral("add the user to the docker group (sudo usermod -aG docker $USER), then restart the gateway; "
                           "check with: ls -l %1")
                .arg(t.socketPath.isEmpty() ? QStringLiteral("/var/run/docker.sock") : t.socketPath));
    } else if (e.contains(QStringLiteral("is dockerd running"))) {
        set(QStringLiteral("the Docker socket does not exist"),
            QStringLiteral("start Docker on the target (systemctl status docker) or fix connection.socket_path"));
    } else if (e.contains(QStringLiteral("chmod 600"))) {
        set(QStringLiteral("the private key file is readable by other users"),
            QStringLiteral("chmod 600 %1 (and chown it to the gateway's user)").arg(t.keyPath));
    } else if (e.contains(QStringLiteral("authentication"), Qt::CaseInsensitive)) {
        set(QStringLiteral("the SSH server refused the key"),
            QStringLiteral("install the public key on the target: ssh-copy-id -i %1.pub %2@%3 (or add it to "
                           "~/.ssh/authorized_keys), and check connection.username")
                .arg(t.keyPath.isEmpty() ? QStringLiteral("~/.ssh/id_ed25519") : t.keyPath, t.username, t.host));
    } else if (e.contains(QStringLiteral("HOST KEY CHANGED"))) {
        set(QStringLiteral("the target presents a different host key than the one recorded"),
            QStringLiteral("if the host was reinstalled, remove the old key (ssh-keygen -R '[%1]:%2') and run "
                           "tailops-gateway targets trust %3; otherwise treat it as an attack")
                .arg(t.host)
                .arg(t.port)
                .arg(t.id));
    } else if (e.contains(QStringLiteral("unknown host key"))) {
        set(QStringLiteral("the target's host key is not recorded yet"),
            QStringLiteral("compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub "
                           "on the target), then: tailops-gateway targets trust %1")
                .arg(t.id));
    } else if (e.contains(QStringLiteral("cannot connect")) || e.contains(QStringLiteral("Socket error"))) {
        set(QStringLiteral("the connection closed during the SSH handshake (not an SSH server on that port, or "
                           "sshd refused this client: MaxStartups, AllowUsers, tcp wrappers)"),
            QStringLiteral("check connection.port and the target's sshd log (journalctl -u ssh)"));
    } else if (c.name == u"sudo") {
        set(QStringLiteral("sudo asks for a password or refuses this user"),
            QStringLiteral("allow passwordless sudo for the needed commands (visudo: %1 ALL=(ALL) NOPASSWD: ...) or "
                           "set constraints.sudo_policy: none")
                .arg(t.username));
    } else if (c.name == u"http") {
        set(QStringLiteral("the endpoint answered with an error"), QStringLiteral("check the service behind %1").arg(t.url));
    } else if (c.name == u"tls-expiry") {
        set(QStringLiteral("the TLS certificate expires soon or has expired"), QStringLiteral("renew the certificate of %1").arg(t.url));
    } else {
        set(QStringLiteral("the check failed"), QStringLiteral("see the detail; tailops-gateway check-config validates targets.yaml"));
    }
}

namespace {

Check failed(const QString &name, const QString &detail, const Registry::Target &t, qint64 latency = -1)
{
    Check c { name, false, latency, detail, {}, {} };
    diagnose(c, t);
    return c;
}

void checkSsh(const Registry::Target &t, const CheckOptions &options, TargetReport &report)
{
    const auto tcp = probeTcp(t.host, t.port, options.timeoutMs);
    if (!tcp) {
        report.checks.append(failed(QStringLiteral("tcp"), tcp.error().message, t));
        return;
    }
    report.latencyMs = tcp->latencyMs;
    report.checks.append(Check { QStringLiteral("tcp"), true, tcp->latencyMs, QStringLiteral("%1:%2 reachable").arg(tcp->address).arg(t.port), {}, {} });
    const auto key = Exec::fetchHostKey(t, options.ssh);
    if (!key) {
        report.checks.append(failed(QStringLiteral("host-key"), key.error().message, t));
        return;
    }
    if (key->status != Exec::HostKeyStatus::Known) {
        const bool changed = key->status == Exec::HostKeyStatus::Changed || key->status == Exec::HostKeyStatus::OtherType;
        const QString detail = changed
            ? QStringLiteral("HOST KEY CHANGED for %1: now %2").arg(key->hostPort, key->fingerprint)
            : QStringLiteral("unknown host key for %1 (%2 %3)").arg(key->hostPort, key->keyType, key->fingerprint);
        report.checks.append(failed(QStringLiteral("host-key"), detail, t));
        return;
    }
    report.checks.append(Check { QStringLiteral("host-key"), true, -1, QStringLiteral("%1 %2 matches %3").arg(key->keyType, key->fingerprint, key->knownHostsFile), {}, {} });
    Registry::Target probeTarget = t;
    probeTarget.connectTimeoutSeconds = std::max<qint64>(1, options.timeoutMs / 1000);
    Exec::SshExecutor executor(probeTarget, options.ssh);
    QElapsedTimer timer;
    timer.start();
    const auto run = executor.run({ { QStringLiteral("true") }, options.timeoutMs, 4096, false }, {});
    if (!run || run->exitCode != 0) {
        report.checks.append(failed(QStringLiteral("ssh-auth"), run ? QStringLiteral("`true` exited with %1").arg(run->exitCode) : run.error().message, t));
        return;
    }
    report.checks.append(Check { QStringLiteral("ssh-auth"), true, timer.elapsed(), QStringLiteral("logged in as %1 and ran a command").arg(t.username.isEmpty() ? QStringLiteral("(default user)") : t.username), {}, {} });
    if (t.sudoPolicy != u"none") {
        const auto sudo = executor.run({ { QStringLiteral("true") }, options.timeoutMs, 4096, true }, {});
        if (!sudo || sudo->exitCode != 0) {
            report.checks.append(failed(QStringLiteral("sudo"), sudo ? QStringLiteral("sudo -n true failed: %1").arg(QString::fromUtf8(sudo->stderrData).trimmed()) : sudo.error().message, t));
            return;
        }
        report.checks.append(Check { QStringLiteral("sudo"), true, -1, QStringLiteral("sudo -n true works"), {}, {} });
    }
}

void checkDocker(const Registry::Target &t, const CheckOptions &options, TargetReport &report)
{
    Exec::DockerClientOptions o = Exec::DockerClientOptions::fromTarget(t);
    o.connectTimeoutMs = options.timeoutMs;
    o.timeoutMs = options.timeoutMs;
    if (!o.socketPath.isEmpty()) {
        const QFileInfo socket(o.socketPath);
        if (!socket.exists()) {
            report.checks.append(failed(QStringLiteral("docker-socket"), QStringLiteral("Docker socket %1 not found (is dockerd running?)").arg(o.socketPath), t));
            return;
        }
    }
    Exec::DockerClient client(o);
    QElapsedTimer timer;
    timer.start();
    const auto ping = client.ping();
    if (!ping) {
        report.checks.append(failed(QStringLiteral("docker-ping"), ping.error().message, t));
        return;
    }
    report.latencyMs = timer.elapsed();
    report.checks.append(Check { QStringLiteral("docker-ping"), true, report.latencyMs, QStringLiteral("/_ping answered %1").arg(*ping), {}, {} });
    const auto version = client.version();
    if (!version) {
        report.checks.append(failed(QStringLiteral("docker-version"), version.error().message, t));
        return;
    }
    report.checks.append(Check { QStringLiteral("docker-version"), true, -1,
                                 QStringLiteral("engine %1, API %2").arg(version->value(QStringLiteral("Version")).toString(),
                                                                         version->value(QStringLiteral("ApiVersion")).toString()),
                                 {}, {} });
}

void checkHttp(const Registry::Target &t, const CheckOptions &options, TargetReport &report)
{
    if (auto allowed = Registry::httpTargetAllows(t, QUrl(t.url)); !allowed) {
        report.checks.append(failed(QStringLiteral("http"), allowed.error().message, t));
        return;
    }
    const auto probe = probeHttp(t.url, options.timeoutMs);
    if (!probe) {
        report.checks.append(failed(QStringLiteral("http"), probe.error().message, t));
        return;
    }
    report.latencyMs = probe->latencyMs;
    const bool good = probe->status >= 200 && probe->status < 400;
    QString redirect;
    if (!probe->redirect.isEmpty()) {
        redirect = Registry::httpTargetAllows(t, QUrl(probe->redirect)) ? QStringLiteral(" -> %1 (not followed)").arg(probe->redirect)
                                                                         : QStringLiteral(" -> %1 (outside the target: never followed)").arg(probe->redirect);
    }
    Check http { QStringLiteral("http"), good, probe->latencyMs, QStringLiteral("HTTP %1%2").arg(probe->status).arg(redirect), {}, {} };
    if (!good) {
        diagnose(http, t);
    }
    report.checks.append(http);
    if (probe->certExpiry.isValid()) {
        const qint64 days = QDateTime::currentDateTimeUtc().daysTo(probe->certExpiry);
        Check tls { QStringLiteral("tls-expiry"), days >= 14, -1,
                    QStringLiteral("certificate expires %1 (%2 days)").arg(probe->certExpiry.toString(Qt::ISODate)).arg(days), {}, {} };
        if (!tls.ok) {
            diagnose(tls, t);
        }
        report.checks.append(tls);
    }
}

void checkLocal(const Registry::Target &t, const CheckOptions &options, TargetReport &report)
{
    Exec::LocalExecutor executor(t.sudoPolicy);
    QElapsedTimer timer;
    timer.start();
    const auto run = executor.run({ { QStringLiteral("true") }, options.timeoutMs, 4096, false }, {});
    if (!run || run->exitCode != 0) {
        report.checks.append(failed(QStringLiteral("exec"), run ? QStringLiteral("`true` exited with %1").arg(run->exitCode) : run.error().message, t));
        return;
    }
    report.latencyMs = timer.elapsed();
    report.checks.append(Check { QStringLiteral("exec"), true, report.latencyMs, QStringLiteral("ran a local command"), {}, {} });
}

} // namespace

TargetReport checkTarget(const Registry::Target &target, const CheckOptions &options)
{
    TargetReport report;
    report.target = target.id;
    report.executor = Registry::executorName(target.executor);
    switch (target.executor) {
    case Registry::Executor::Local:
        checkLocal(target, options, report);
        break;
    case Registry::Executor::Ssh:
        checkSsh(target, options, report);
        break;
    case Registry::Executor::Docker:
        checkDocker(target, options, report);
        break;
    case Registry::Executor::Http:
        checkHttp(target, options, report);
        break;
    }
    report.ok = !report.checks.isEmpty()
        && std::all_of(report.checks.cbegin(), report.checks.cend(), [](const Check &c) { return c.ok; });
    return report;
}

QList<TargetReport> checkTargets(const QList<Registry::Target> &targets, const CheckOptions &options, int parallel)
{
    QList<TargetReport> reports(targets.size());
    std::atomic<qsizetype> next { 0 };
    const int workers = std::max(1, std::min<int>(parallel, int(targets.size())));
    std::vector<std::thread> threads;
    threads.reserve(size_t(workers));
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (qsizetype i = next++; i < targets.size(); i = next++) {
                reports[i] = checkTarget(targets.at(i), options);
            }
        });
    }
    for (auto &t : threads) {
        t.join();
    }
    return reports;
}

} // namespace Tailops::Connectivity
