#include "packagetools.h"

#include "mcp/server.h"

namespace Tailops::Tools {

void registerPackageTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Tools
