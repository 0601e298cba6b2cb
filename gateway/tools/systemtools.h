#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

void registerSystemTools(Mcp::Server &server);

} // namespace Tailops::Tools
