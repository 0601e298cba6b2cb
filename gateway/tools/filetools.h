#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

void registerFileTools(Mcp::Server &server);

} // namespace Tailops::Tools
