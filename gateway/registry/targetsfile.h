#pragma once

#include "core/result.h"
#include "target.h"

namespace Tailops::Registry {

// Adds targets to a targets.yaml without rewriting what is there (comments and ${ENV} references are
// kept): new target blocks are appended under the top-level "targets" map, after a backup
// (FILE.bak), through an atomic replace. Ids already present are skipped and returned in SKIPPED.
Core::Result<void> appendTargets(const QString &file, const QList<Target> &targets, QStringList *skipped);

} // namespace Tailops::Registry
