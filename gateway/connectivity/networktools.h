#pragma once

#include "mcp/tool.h"

#include <QStringList>

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Connectivity {

struct NetworkOptions
{
    // URLs http_request_test may request besides those on http targets (gateway.yaml network.allowed_urls):
    // "https://api.example.com/v1" covers that scheme, host and port and paths under /v1 by component.
    // Hosts named here may be loopback or private addresses; "https://*.example.com/" and "https://*/"
    // match any host (below example.com), public addresses only.
    QStringList allowedUrls;
};

// The network diagnostic tools (scope network:diag): ping_host, dns_lookup, check_ssl_certificate,
// http_request_test. Every host is resolved first (on the target when it runs there), every address it
// resolves to is checked (Connectivity::checkAddress) and the tool then uses the checked address only.
void registerNetworkTools(Mcp::Server &server, const NetworkOptions &options = {});

// test_connectivity's host mode: a TCP connection to arguments.host:arguments.port (timeout seconds) from
// ctx.target, in-process on local targets and through ctx.executor (bash's /dev/tcp, with a fixed script) on
// ssh targets. The target and executor are set by the caller.
Mcp::ToolResult testTcpFromTarget(const Mcp::ToolContext &ctx);

} // namespace Tailops::Connectivity
