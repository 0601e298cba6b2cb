#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Exec {

// The read-only container tools on Docker targets (Engine API): get_container_list, inspect_container,
// get_container_logs. Container output is returned as untrusted data.
void registerDockerTools(Mcp::Server &server);

} // namespace Tailops::Exec
