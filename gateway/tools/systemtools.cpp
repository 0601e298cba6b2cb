#include "systemtools.h"

#include "mcp/server.h"

namespace Tailops::Tools {

void registerSystemTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Tools
