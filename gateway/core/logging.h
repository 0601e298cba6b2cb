#pragma once

#include <QLoggingCategory>

namespace Tailops::Core {

Q_DECLARE_LOGGING_CATEGORY(lcGateway)
Q_DECLARE_LOGGING_CATEGORY(lcConfig)
Q_DECLARE_LOGGING_CATEGORY(lcMcp)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcStdio)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcTools)

// Routes every Qt message to stderr as "tailops <category> <level>: text" (stdout is MCP's over stdio).
void installStderrLogger();

} // namespace Tailops::Core
