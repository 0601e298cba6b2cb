#include "networktools.h"

#include "mcp/server.h"

namespace Tailops::Connectivity {

void registerNetworkTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Connectivity
