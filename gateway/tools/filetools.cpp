#include "filetools.h"

#include "mcp/server.h"

namespace Tailops::Tools {

void registerFileTools(Mcp::Server &server)
{
    Q_UNUSED(server);
}

} // namespace Tailops::Tools
