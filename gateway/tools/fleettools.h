#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

void registerFleetTools(Mcp::Server &server);

} // namespace Tailops::Tools
