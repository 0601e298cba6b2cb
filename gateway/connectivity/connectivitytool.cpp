#include "connectivitytool.h"

#include "mcp/server.h"
#include "networktools.h"
#include "tools/jsonschema.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tailops::Connectivity {

namespace {

// test_connectivity with host and port: a TCP test from one target. The gate has checked every target in
// `targets` (all when absent), which must then include this one; the tool itself asks for network:diag.
Mcp::ToolResult hostMode(Mcp::Server &server, const Mcp::ToolContext &ctx)
{
    using Mcp::ToolResult;
    const QString diag = QStringLiteral("network:diag");
    if (!ctx.arguments.contains(QStringLiteral("host")) || !ctx.arguments.contains(QStringLiteral("port"))) {
        return ToolResult::error(QStringLiteral("test_connectivity: host mode needs both `host` and `port`"));
    }
    const QJsonArray listed = ctx.arguments.value(QStringLiteral("targets")).toArray();
    QString source = ctx.arguments.value(QStringLiteral("target")).toString();
    if (source.isEmpty()) {
        source = listed.size() == 1 ? listed.at(0).toString() : QStringLiteral("local");
    }
    if (!listed.isEmpty() && (listed.size() != 1 || listed.at(0).toString() != source)) {
        return ToolResult::error(QStringLiteral("test_connectivity: in host mode `targets` may only name the target the "
                                                "test runs from ('%1')").arg(source));
    }
    if (!ctx.caller.hasScope(diag)) {
        return ToolResult::error(QStringLiteral("test_connectivity with host and port needs the network:diag scope, which "
                                                "this caller does not have"));
    }
    Mcp::ToolContext run = ctx;
    run.target = ctx.targets->find(source);
    if (!run.target) {
        return ToolResult::error(QStringLiteral("Target not found in registry: '%1' (call list_targets for the ids)").arg(source));
    }
    if (!run.target->capabilities.contains(diag)) {
        return ToolResult::error(QStringLiteral("Operation not permitted for target: '%1' does not allow test_connectivity "
                                                "with host and port (its capabilities lack network:diag)").arg(source));
    }
    if (run.target->executor == Registry::Executor::Ssh) {
        if (!server.executors()) {
            return ToolResult::error(QStringLiteral("test_connectivity: no executor for ssh target '%1'").arg(source));
        }
        auto executor = server.executors()->executorFor(*run.target);
        if (!executor) {
            return ToolResult::error(QStringLiteral("test_connectivity on %1: %2").arg(source, executor.error().message));
        }
        run.executor = *executor;
    }
    return testTcpFromTarget(run);
}

} // namespace

void registerConnectivityTool(Mcp::Server &server, const CheckOptions &options)
{
    using namespace Tools;
    Mcp::Tool t;
    t.name = QStringLiteral("test_connectivity");
    t.title = QStringLiteral("Test target connectivity");
    t.description = QStringLiteral("Check that targets are reachable and usable: TCP reach and latency, SSH host key "
                                   "and login, sudo, Docker API, HTTP status and TLS expiry. Each failure comes with "
                                   "its likely cause and the fix. Without `targets`, checks every target. With `host` and "
                                   "`port` instead: tests a TCP connection to host:port from `target` (default local; "
                                   "needs the network:diag scope and capability) and reports reachable, the address "
                                   "(resolved on that target and checked: link-local and metadata addresses are refused) "
                                   "and the latency; pass `targets: [<that target>]` too so that only it is checked by "
                                   "policy (otherwise every target is).");
    QJsonObject ids = Schema::array(Schema::targetArgument(), QStringLiteral("Target ids (default: all)"));
    ids.insert(QStringLiteral("maxItems"), 200);
    QJsonObject host = Schema::string(QStringLiteral("Host name or IP address to connect to (host mode)"));
    host.insert(QStringLiteral("pattern"), QStringLiteral("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,252}|\\[?[0-9A-Fa-f:.]{2,45}\\]?)$"));
    host.insert(QStringLiteral("maxLength"), 255);
    t.inputSchema = Schema::object({ { QStringLiteral("targets"), ids },
                                     { QStringLiteral("host"), host },
                                     { QStringLiteral("port"), Schema::integer(QStringLiteral("TCP port (host mode)"), 1, 65535) },
                                     { QStringLiteral("timeout"), Schema::integer(QStringLiteral("Seconds (host mode, default 5)"), 1, 30) },
                                     { QStringLiteral("target"), Schema::targetArgument() } });
    const QJsonObject check = Schema::object({ { QStringLiteral("name"), Schema::string(QStringLiteral("Check")) },
                                               { QStringLiteral("ok"), QJsonObject { { QStringLiteral("type"), QStringLiteral("boolean") } } } },
                                             { QStringLiteral("name"), QStringLiteral("ok") }, false);
    const QJsonObject report = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                                { QStringLiteral("ok"), QJsonObject { { QStringLiteral("type"), QStringLiteral("boolean") } } },
                                                { QStringLiteral("checks"), Schema::array(check) } },
                                              { QStringLiteral("target"), QStringLiteral("ok"), QStringLiteral("checks") }, false);
    const auto field = [](const char *type, const QString &description) {
        return QJsonObject { { QStringLiteral("type"), QString::fromLatin1(type) }, { QStringLiteral("description"), description } };
    };
    t.outputSchema = Schema::object({ { QStringLiteral("results"), Schema::array(report) },
                                      { QStringLiteral("mode"), field("string", QStringLiteral("host in host mode")) },
                                      { QStringLiteral("target"), field("string", QStringLiteral("Where the TCP test ran from")) },
                                      { QStringLiteral("host"), field("string", QStringLiteral("Host as given")) },
                                      { QStringLiteral("port"), field("integer", QStringLiteral("Port")) },
                                      { QStringLiteral("address"), field("string", QStringLiteral("The checked address connected to")) },
                                      { QStringLiteral("reachable"), field("boolean", QStringLiteral("The connection was accepted")) },
                                      { QStringLiteral("latency_ms"), field("integer", QStringLiteral("Connect time")) },
                                      { QStringLiteral("detail"), field("string", QStringLiteral("What happened")) } },
                                    { QStringLiteral("results") });
    t.annotations = { true, false, true, true };
    t.scope = QStringLiteral("network:read");
    t.takesTarget = false;
    t.targetListArgument = QStringLiteral("targets");
    t.run = [options, &server](const Mcp::ToolContext &ctx) {
        if (ctx.arguments.contains(QStringLiteral("host")) || ctx.arguments.contains(QStringLiteral("port"))) {
            return hostMode(server, ctx);
        }
        if (ctx.arguments.contains(QStringLiteral("target")) || ctx.arguments.contains(QStringLiteral("timeout"))) {
            return Mcp::ToolResult::error(QStringLiteral("test_connectivity: `target` and `timeout` go with `host` and `port`; "
                                                         "to check registry targets use `targets`"));
        }
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
