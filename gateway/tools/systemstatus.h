#pragma once

#include "core/result.h"

#include <QJsonObject>

#include <functional>

namespace Tailops::Tools {

// Reads uptime, load, memory, CPU count and mounted disks of this machine from /proc and statvfs.
// STEP is called after each stage (1..4) for progress reporting.
Core::Result<QJsonObject> readLocalSystemStatus(const std::function<void(int step, const QString &stage)> &step = {});

} // namespace Tailops::Tools
