#pragma once

#include "core/result.h"
#include "target.h"

#include <optional>

namespace Tailops::Registry {

// Adds targets to a targets.yaml without rewriting what is there (comments and ${ENV} references are
// kept): new target blocks are appended under the top-level "targets" map, after a backup
// (FILE.bak), through an atomic replace. Ids already present are skipped and returned in SKIPPED.
Core::Result<void> appendTargets(const QString &file, const QList<Target> &targets, QStringList *skipped);

// Replaces the whole of FILE with CONTENT: the current file is copied to FILE.bak first, then CONTENT takes its
// place atomically (QSaveFile); the file's permissions are kept (a new file gets 0600).
Core::Result<void> writeTargetsFile(const QString &file, const QByteArray &content);

// One edit of targets.yaml, as the console makes them.
struct TargetChange
{
    QString id;                   // the target declared in the file to replace or remove; empty: add `target`
    std::optional<Target> target; // the new settings (a different id renames); nullopt: remove `id`
};

// Applies CHANGES to FILE touching only the blocks of the targets they name: every other target, comment and
// ${ENV} reference stays as written. Replaced targets keep their place, added ones go after the last target. The
// result must parse before anything is written (writeTargetsFile: FILE.bak, atomic replace). A missing or empty
// file is created with the added targets.
Core::Result<void> changeTargets(const QString &file, const QList<TargetChange> &changes);

// TARGET as one entry of the "targets" map ("ID:" then its settings two spaces in), with every setting the
// loader reads, at column 0.
QByteArray targetToYaml(const Target &target);

} // namespace Tailops::Registry
