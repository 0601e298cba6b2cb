#pragma once

#include "core/result.h"

#include <QJsonObject>

#include <functional>

namespace Tailops::Tools {

// Reads uptime, load, memory, CPU count and mounted disks of this machine from /proc and statvfs.
// STEP is called after each stage (1..4) for progress reporting.
Core::Result<QJsonObject> readLocalSystemStatus(const std::function<void(int step, const QString &stage)> &step = {});

// The same status of a remote machine, from the output of
//   cat /proc/sys/kernel/hostname /proc/uptime /proc/loadavg /proc/meminfo   (PROCFILES)
//   getconf _NPROCESSORS_ONLN                                                (CPUS)
//   df -P -k                                                                 (DF)
Core::Result<QJsonObject> parseRemoteSystemStatus(const QByteArray &procFiles, const QByteArray &cpus, const QByteArray &df);

// The argv arrays parseRemoteSystemStatus expects, in order.
QList<QStringList> remoteSystemStatusCommands();

} // namespace Tailops::Tools
