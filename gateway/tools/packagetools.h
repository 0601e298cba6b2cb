#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

void registerPackageTools(Mcp::Server &server);

} // namespace Tailops::Tools
