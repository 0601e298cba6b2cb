#pragma once

#include "exec/ssh/sshexecutor.h"
#include "registry/target.h"

#include <QJsonObject>
#include <QList>

namespace Tailops::Connectivity {

// One check of one target, with the cause and the fix when it failed.
struct Check
{
    QString name; // "tcp", "host-key", "ssh-auth", "sudo", "docker-ping", "docker-version", "http", "tls-expiry", "exec"
    bool ok = false;
    qint64 latencyMs = -1;
    QString detail;
    QString cause;
    QString fix;

    QJsonObject toJson() const;
};

struct TargetReport
{
    QString target;
    QString executor;
    bool ok = false;
    qint64 latencyMs = -1; // the main reachability check's latency
    QList<Check> checks;

    QJsonObject toJson() const;
};

struct CheckOptions
{
    Exec::SshOptions ssh;
    int timeoutMs = 10000;
};

// Runs the checks that fit the target's type. Blocking: call from worker threads.
TargetReport checkTarget(const Registry::Target &target, const CheckOptions &options);

// All of TARGETS, at most PARALLEL at a time; results in the same order.
QList<TargetReport> checkTargets(const QList<Registry::Target> &targets, const CheckOptions &options, int parallel = 8);

// Maps an error message to its likely cause and the fix (from the troubleshooting guide).
void diagnose(Check &check, const Registry::Target &target);

} // namespace Tailops::Connectivity
