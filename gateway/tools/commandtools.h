#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

// Tools that run commands through the target's executor: read_file (file:read) and run_command
// (system:admin, admin tier, critical risk).
void registerCommandTools(Mcp::Server &server);

} // namespace Tailops::Tools
