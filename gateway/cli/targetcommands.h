#pragma once

#include <QStringList>

namespace Tailops::Cli {

// tailops-gateway targets list | import-ssh-config | test | trust. ARGS starts after "targets".
int runTargetsCommand(const QStringList &args);

} // namespace Tailops::Cli
