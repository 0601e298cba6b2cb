#pragma once

#include <QStringList>

namespace Tailops::Cli {

// tailops-gateway doctor [--config-dir DIR] [--json] [--section NAME] [--timeout S] [--full-audit]: every check of
// the troubleshooting guide with its fix. Exit code 0 when nothing failed (warnings allowed), 1 when a check
// failed, 2 on a usage error. ARGS starts after "doctor".
int runDoctorCommand(const QStringList &args);

} // namespace Tailops::Cli
