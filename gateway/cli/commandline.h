#pragma once

#include <QStringList>

namespace Tailops::Cli {

// tailops-gateway's commands: serve, check-config, token mint, version. ARGS excludes the program name.
// Returns the process exit code (0 ok, 1 check failed, 2 usage or configuration error).
int run(const QStringList &args);

} // namespace Tailops::Cli
