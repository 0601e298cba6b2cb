#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Connectivity {

void registerNetworkTools(Mcp::Server &server);

} // namespace Tailops::Connectivity
