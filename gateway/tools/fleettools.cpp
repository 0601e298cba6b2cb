#include "fleettools.h"

#include "mcp/server.h"

namespace Tailops::Tools {

void registerFleetTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Tools
