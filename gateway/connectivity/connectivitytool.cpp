#include "connectivitytool.h"

#include "mcp/server.h"
#include "tools/jsonschema.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tailops::Connectivity {

void registerConnectivityTool(Mcp::Server &server, const CheckOptions &options)
{
    using namespace Tools;
    Mcp::Tool t;
    t.name = QStringLiteral("test_connectivity");
    t.title = QStringLiteral("Test target connectivity");
    t.description = QStringLiteral("Check that targets are reachable and usable: TCP reach and latency, SSH host key "
                                   "and login, sudo, Docker API, HTTP status and TLS expiry. Each failure comes with "
                                   "its likely cause and the fix. Without `targets`, checks every target.");
    QJsonObject ids = Schema::array(Schema::targetArgument(), QStringLiteral("Target ids (default: all)"));
    ids.insert(QStringLiteral("maxItems"), 200);
    t.inputSchema = Schema::object({ { QStringLiteral("targets"), ids } });
    const QJsonObject check = Schema::object({ { QStringLiteral("name"), Schema::string(QStringLiteral("Check")) },
                                               { QStringLiteral("ok"), QJsonObject { { QStringLiteral("type"), QStringLiteral("boolean") } } } },
                                             { QStringLiteral("name"), QStringLiteral("ok") }, false);
    const QJsonObject report = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                                { QStringLiteral("ok"), QJsonObject { { QStringLiteral("type"), QStringLiteral("boolean") } } },
                                                { QStringLiteral("checks"), Schema::array(check) } },
                                              { QStringLiteral("target"), QStringLiteral("ok"), QStringLiteral("checks") }, false);
    t.outputSchema = Schema::object({ { QStringLiteral("results"), Schema::array(report) } }, { QStringLiteral("results") });
    t.annotations = { true, false, true, true };
    t.scope = QStringLiteral("network:read");
    t.takesTarget = false;
    t.targetListArgument = QStringLiteral("targets");
    t.run = [options](const Mcp::ToolContext &ctx) {
        QList<Registry::Target> chosen;
        const QJsonArray wanted = ctx.arguments.value(QStringLiteral("targets")).toArray();
        if (wanted.isEmpty()) {
            chosen = ctx.targets->targets();
        }
        for (const auto &id : wanted) {
            const auto *target = ctx.targets->find(id.toString());
            if (!target) {
                return Mcp::ToolResult::error(QStringLiteral("Target not found in registry: '%1'").arg(id.toString()));
            }
            chosen.append(*target);
        }
        const QList<TargetReport> reports = checkTargets(chosen, options);
        QJsonArray results;
        QStringList lines;
        for (const TargetReport &r : reports) {
            results.append(r.toJson());
            QString line = QStringLiteral("%1: %2").arg(r.target, r.ok ? QStringLiteral("ok") : QStringLiteral("FAILED"));
            for (const Check &c : r.checks) {
                if (!c.ok) {
                    line += QStringLiteral(" — %1: %2 (fix: %3)").arg(c.name, c.detail, c.fix);
                }
            }
            lines.append(line);
        }
        Mcp::ToolResult result;
        result.structured = QJsonObject { { QStringLiteral("results"), results } };
        result.text = lines.join(u'\n');
        return result;
    };
    server.addTool(std::move(t));
}

} // namespace Tailops::Connectivity
