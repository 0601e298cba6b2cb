#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

void registerServiceTools(Mcp::Server &server);

} // namespace Tailops::Tools
