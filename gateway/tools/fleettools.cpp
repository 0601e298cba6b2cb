#include "fleettools.h"

#include "jsonschema.h"
#include "mcp/server.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

namespace Tailops::Tools {

namespace {

using Mcp::Tool;
using Mcp::ToolContext;
using Mcp::ToolResult;

constexpr int kMaxTargets = 200;

// The targets chosen by id list and/or tags (a target with any listed tag); none given: an error, so a typo
// never fans out to the whole fleet.
std::variant<QList<const Registry::Target *>, QString> chooseTargets(const ToolContext &ctx)
{
    QStringList ids;
    for (const QJsonValue &v : ctx.arguments.value(QStringLiteral("targets")).toArray()) {
        ids.append(v.toString());
    }
    QStringList tags;
    for (const QJsonValue &v : ctx.arguments.value(QStringLiteral("tags")).toArray()) {
        tags.append(v.toString());
    }
    if (ids.isEmpty() && tags.isEmpty()) {
        return QStringLiteral("fleet_run: name the targets (`targets`) or tags (`tags`) to run on");
    }
    QList<const Registry::Target *> chosen;
    for (const QString &id : std::as_const(ids)) {
        const Registry::Target *t = ctx.targets->find(id);
        if (!t) {
            return QStringLiteral("Target not found in registry: '%1'").arg(id);
        }
        if (!chosen.contains(t)) {
            chosen.append(t);
        }
    }
    for (const Registry::Target &t : ctx.targets->targets()) {
        const bool tagged = std::any_of(tags.cbegin(), tags.cend(), [&t](const QString &tag) { return t.tags.contains(tag); });
        if (tagged && !chosen.contains(&t)) {
            chosen.append(&t);
        }
    }
    if (chosen.isEmpty()) {
        return QStringLiteral("fleet_run: no target carries the tags %1").arg(tags.join(QStringLiteral(", ")));
    }
    return chosen;
}

Tool fleetRun()
{
    Tool t;
    t.name = QStringLiteral("fleet_run");
    t.title = QStringLiteral("Run a read tool across targets");
    t.description = QStringLiteral("Run one read-only tool (e.g. get_system_status, health_check, get_disk_usage) on "
                                   "several targets at once, chosen by ids and/or tags. Each target is authorized "
                                   "like a direct call; at most `concurrency` targets run at a time, one call per "
                                   "target. Failures are reported per target; the rest still run.");
    QJsonObject ids = Schema::array(Schema::targetArgument(), QStringLiteral("Target ids"));
    ids.insert(QStringLiteral("maxItems"), kMaxTargets);
    QJsonObject tag = Schema::string(QStringLiteral("Tag"));
    tag.insert(QStringLiteral("pattern"), QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"));
    QJsonObject tags = Schema::array(tag, QStringLiteral("Targets with any of these tags"));
    tags.insert(QStringLiteral("maxItems"), 32);
    QJsonObject toolName = Schema::string(QStringLiteral("A read-only tool, e.g. health_check"));
    toolName.insert(QStringLiteral("pattern"), QStringLiteral("^[a-z][a-z0-9_]{0,63}$"));
    t.inputSchema = Schema::object({ { QStringLiteral("tool"), toolName },
                                     { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                                                                                  { QStringLiteral("description"), QStringLiteral("The tool's arguments, without target") } } },
                                     { QStringLiteral("targets"), ids },
                                     { QStringLiteral("tags"), tags },
                                     { QStringLiteral("concurrency"), Schema::integer(QStringLiteral("Targets at a time (default 4)"), 1, 16) } },
                                   { QStringLiteral("tool") });
    const QJsonObject result = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                                { QStringLiteral("ok"), Schema::boolean(QStringLiteral("The call succeeded")) },
                                                { QStringLiteral("duration_ms"), Schema::integer(QStringLiteral("How long it took")) },
                                                { QStringLiteral("result"), QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } },
                                                { QStringLiteral("error"), Schema::string(QStringLiteral("Why it failed")) } },
                                              { QStringLiteral("target"), QStringLiteral("ok"), QStringLiteral("duration_ms") }, false);
    t.outputSchema = Schema::object({ { QStringLiteral("tool"), Schema::string(QStringLiteral("The tool run")) },
                                      { QStringLiteral("succeeded"), Schema::integer(QStringLiteral("Targets that answered")) },
                                      { QStringLiteral("failed"), Schema::integer(QStringLiteral("Targets that failed")) },
                                      { QStringLiteral("results"), Schema::array(result) } },
                                    { QStringLiteral("tool"), QStringLiteral("succeeded"), QStringLiteral("failed"), QStringLiteral("results") });
    t.annotations = { true, false, true, true };
    t.scope = QString(); // each target's call is authorized as the inner tool
    t.takesTarget = false;
    t.run = [](const ToolContext &ctx) {
        if (!ctx.callTool) {
            return ToolResult::error(QStringLiteral("fleet_run is not available here"));
        }
        const QString tool = ctx.arguments.value(QStringLiteral("tool")).toString();
        if (tool == u"fleet_run") {
            return ToolResult::error(QStringLiteral("fleet_run cannot run itself"));
        }
        auto chosen = chooseTargets(ctx);
        if (auto *error = std::get_if<QString>(&chosen)) {
            return ToolResult::error(*error);
        }
        const QList<const Registry::Target *> targets = std::get<QList<const Registry::Target *>>(chosen);
        if (targets.size() > kMaxTargets) {
            return ToolResult::error(QStringLiteral("fleet_run: %1 targets chosen, at most %2 per call").arg(targets.size()).arg(kMaxTargets));
        }
        const QJsonObject arguments = ctx.arguments.value(QStringLiteral("arguments")).toObject();
        const int workers = std::min<int>(int(ctx.arguments.value(QStringLiteral("concurrency")).toInteger(4)), int(targets.size()));
        QList<QJsonObject> results(targets.size());
        std::atomic<qsizetype> next = 0;
        std::atomic<int> done = 0;
        std::mutex progressMutex;
        {
            std::vector<std::jthread> pool;
            for (int w = 0; w < workers; ++w) {
                pool.emplace_back([&] {
                    for (qsizetype i = next++; i < targets.size(); i = next++) {
                        const QString id = targets.at(i)->id;
                        QElapsedTimer timer;
                        timer.start();
                        QJsonObject row { { QStringLiteral("target"), id } };
                        if (ctx.isCancelled()) {
                            row.insert(QStringLiteral("ok"), false);
                            row.insert(QStringLiteral("error"), QStringLiteral("cancelled"));
                        } else {
                            const ToolResult r = ctx.callTool(tool, id, arguments);
                            row.insert(QStringLiteral("ok"), !r.isError);
                            if (r.isError) {
                                row.insert(QStringLiteral("error"), r.text.left(2000));
                            } else {
                                row.insert(QStringLiteral("result"), r.structured);
                            }
                        }
                        row.insert(QStringLiteral("duration_ms"), timer.elapsed());
                        results[i] = row;
                        const int finished = ++done;
                        std::lock_guard lock(progressMutex);
                        ctx.progress(finished, double(targets.size()), id);
                    }
                });
            }
        } // joined
        QJsonArray rows;
        int succeeded = 0;
        QStringList lines;
        for (const QJsonObject &row : std::as_const(results)) {
            rows.append(row);
            const bool ok = row.value(QStringLiteral("ok")).toBool();
            succeeded += ok ? 1 : 0;
            lines.append(QStringLiteral("%1: %2").arg(row.value(QStringLiteral("target")).toString(),
                                                      ok ? QStringLiteral("ok") : row.value(QStringLiteral("error")).toString().left(200)));
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("tool"), tool },
                                     { QStringLiteral("succeeded"), succeeded },
                                     { QStringLiteral("failed"), int(targets.size()) - succeeded },
                                     { QStringLiteral("results"), rows } };
        r.text = QStringLiteral("%1 on %2 target(s): %3 ok, %4 failed\n%5")
                     .arg(tool)
                     .arg(targets.size())
                     .arg(succeeded)
                     .arg(targets.size() - succeeded)
                     .arg(lines.join(u'\n'));
        return r;
    };
    return t;
}

} // namespace

void registerFleetTools(Mcp::Server &server)
{
    server.addTool(fleetRun());
}

} // namespace Tailops::Tools
