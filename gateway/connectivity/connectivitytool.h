#pragma once

#include "connectivitychecker.h"

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Connectivity {

// The MCP tool test_connectivity: the same checks as `tailops-gateway targets test`, for one target, a
// list, or all.
void registerConnectivityTool(Mcp::Server &server, const CheckOptions &options);

} // namespace Tailops::Connectivity
