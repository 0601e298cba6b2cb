#pragma once

#include <QStringList>

namespace Tailops::Cli {

// tailops-gateway token mint | list | revoke. ARGS starts after "token".
int runTokenCommand(const QStringList &args);

} // namespace Tailops::Cli
