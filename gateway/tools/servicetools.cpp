#include "servicetools.h"

#include "mcp/server.h"

namespace Tailops::Tools {

void registerServiceTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Tools
