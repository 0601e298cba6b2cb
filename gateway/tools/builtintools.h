#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

// Registers the gateway's tools and prompts on SERVER.
void registerBuiltinTools(Mcp::Server &server);

} // namespace Tailops::Tools
