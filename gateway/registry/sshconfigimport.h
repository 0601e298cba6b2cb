#pragma once

#include "config/diagnostic.h"
#include "target.h"

namespace Tailops::Registry {

// Turns ~/.ssh/config "Host" entries (HostName, User, Port, IdentityFile) into ssh targets. Wildcard
// patterns and negations are skipped; "Host *" defaults apply to every host; Include is followed (one
// level of globs, relative to ~/.ssh). Targets get the readonly capabilities and the tag "ssh-config".
QList<Target> importSshConfig(const QString &file, const QString &homeDir, Config::Diagnostics &out);
QList<Target> parseSshConfig(const QByteArray &text, const QString &fileName, const QString &homeDir,
                             Config::Diagnostics &out);

// Renders targets as a targets.yaml document (used by import --write; comments are not kept).
QByteArray targetsToYaml(const QList<Target> &targets);

} // namespace Tailops::Registry
