#pragma once

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Exec {

// The container tools: get_container_list, inspect_container, get_container_logs, list_docker_images
// (container:read) and start_container, stop_container, restart_container, manage_container
// (container:write, control tier). Docker targets are asked through the Engine API; ssh and local targets
// through the docker CLI there (docker [-H connection.docker_host] ..., argv only). Container output is
// returned as untrusted data.
void registerDockerTools(Mcp::Server &server);

} // namespace Tailops::Exec
