#include "builtintools.h"

#include "jsonschema.h"
#include "mcp/server.h"
#include "systemstatus.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tailops::Tools {

namespace {

using Mcp::Tool;
using Mcp::ToolContext;
using Mcp::ToolResult;

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Tool listTargets()
{
    Tool t;
    t.name = QStringLiteral("list_targets");
    t.title = QStringLiteral("List targets");
    t.description = QStringLiteral("List the infrastructure targets this gateway can operate: id, type, executor, "
                                   "capabilities (allowed scopes) and tags. Use an id as the `target` argument of "
                                   "other tools.");
    t.inputSchema = Schema::object({});
    const QJsonObject targetSchema = Schema::object(
        { { QStringLiteral("id"), Schema::string(QStringLiteral("Target id")) },
          { QStringLiteral("type"), Schema::string(QStringLiteral("Target type")) },
          { QStringLiteral("executor"), Schema::string(QStringLiteral("local, ssh, docker or http")) },
          { QStringLiteral("capabilities"), Schema::array(Schema::string(QStringLiteral("scope"))) },
          { QStringLiteral("tags"), Schema::array(Schema::string(QStringLiteral("tag"))) } },
        { QStringLiteral("id"), QStringLiteral("type"), QStringLiteral("executor"), QStringLiteral("capabilities"),
          QStringLiteral("tags") },
        false);
    t.outputSchema = Schema::object({ { QStringLiteral("targets"), Schema::array(targetSchema) } },
                                    { QStringLiteral("targets") });
    t.annotations = { true, false, true, false };
    t.scope = QString(); // discovery: every authenticated caller may see which targets exist
    t.takesTarget = false;
    t.blocking = false;
    t.run = [](const ToolContext &ctx) {
        QJsonArray list;
        QStringList lines;
        for (const auto &target : ctx.targets->targets()) {
            list.append(Registry::targetToJson(target));
            lines.append(QStringLiteral("%1 (%2, %3)").arg(target.id, target.type, Registry::executorName(target.executor)));
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("targets"), list } };
        r.text = QStringLiteral("%1 target(s): %2").arg(list.size()).arg(lines.join(QStringLiteral(", ")));
        return r;
    };
    return t;
}

Tool getSystemStatus()
{
    Tool t;
    t.name = QStringLiteral("get_system_status");
    t.title = QStringLiteral("System status");
    t.description = QStringLiteral("Uptime, load average, memory, CPU count and disk usage of a target.");
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() } });
    const QJsonObject disk = Schema::object(
        { { QStringLiteral("mount"), Schema::string(QStringLiteral("Mount point")) },
          { QStringLiteral("device"), Schema::string(QStringLiteral("Device")) },
          { QStringLiteral("fstype"), Schema::string(QStringLiteral("File system type")) },
          { QStringLiteral("total_bytes"), Schema::number(QStringLiteral("Size")) },
          { QStringLiteral("used_bytes"), Schema::number(QStringLiteral("Used")) },
          { QStringLiteral("free_bytes"), Schema::number(QStringLiteral("Available to unprivileged users")) },
          { QStringLiteral("percent"), Schema::number(QStringLiteral("Used, percent")) } },
        { QStringLiteral("mount"), QStringLiteral("total_bytes"), QStringLiteral("used_bytes"),
          QStringLiteral("free_bytes"), QStringLiteral("percent") },
        false);
    t.outputSchema = Schema::object(
        { { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
          { QStringLiteral("hostname"), Schema::string(QStringLiteral("Host name")) },
          { QStringLiteral("uptime_seconds"), Schema::number(QStringLiteral("Seconds since boot")) },
          { QStringLiteral("load_average"),
            Schema::object({ { QStringLiteral("1m"), Schema::number(QStringLiteral("1 minute")) },
                             { QStringLiteral("5m"), Schema::number(QStringLiteral("5 minutes")) },
                             { QStringLiteral("15m"), Schema::number(QStringLiteral("15 minutes")) } },
                           { QStringLiteral("1m"), QStringLiteral("5m"), QStringLiteral("15m") }, false) },
          { QStringLiteral("memory"),
            Schema::object({ { QStringLiteral("total_bytes"), Schema::number(QStringLiteral("Total")) },
                             { QStringLiteral("available_bytes"), Schema::number(QStringLiteral("Available")) },
                             { QStringLiteral("used_bytes"), Schema::number(QStringLiteral("Used")) },
                             { QStringLiteral("percent"), Schema::number(QStringLiteral("Used, percent")) } },
                           { QStringLiteral("total_bytes"), QStringLiteral("available_bytes"),
                             QStringLiteral("used_bytes"), QStringLiteral("percent") },
                           false) },
          { QStringLiteral("cpu_count"), Schema::integer(QStringLiteral("Online CPUs")) },
          { QStringLiteral("disks"), Schema::array(disk) },
          { QStringLiteral("timestamp"), Schema::string(QStringLiteral("UTC, RFC 3339")) } },
        { QStringLiteral("target"), QStringLiteral("uptime_seconds"), QStringLiteral("load_average"),
          QStringLiteral("memory"), QStringLiteral("cpu_count"), QStringLiteral("disks") },
        false);
    t.annotations = { true, false, true, false };
    t.scope = QStringLiteral("system:read");
    t.run = [](const ToolContext &ctx) {
        Core::Result<QJsonObject> status = Core::fail(QString());
        if (ctx.target->executor == Registry::Executor::Local) {
            status = readLocalSystemStatus([&](int step, const QString &stage) { ctx.progress(step, 4, stage); });
        } else if (ctx.executor) {
            QList<QByteArray> outputs;
            int step = 0;
            for (const QStringList &argv : remoteSystemStatusCommands()) {
                const auto run = ctx.executor->run({ argv, ctx.target->timeoutSeconds * 1000, ctx.target->maxOutputBytes, false },
                                                   ctx.cancelled);
                if (!run) {
                    return ToolResult::error(QStringLiteral("%1: %2").arg(ctx.target->id, run.error().message));
                }
                if (run->exitCode != 0) {
                    return ToolResult::error(QStringLiteral("%1: `%2` exited with %3: %4")
                                                 .arg(ctx.target->id, argv.join(u' '))
                                                 .arg(run->exitCode)
                                                 .arg(QString::fromUtf8(run->stderrData.left(300)).trimmed()));
                }
                outputs.append(run->stdoutData);
                ctx.progress(++step, 4, argv.constFirst());
            }
            status = parseRemoteSystemStatus(outputs.at(0), outputs.at(1), outputs.at(2));
            ctx.progress(4, 4, QStringLiteral("parsed"));
        } else {
            return ToolResult::error(QStringLiteral("get_system_status is not available for %1 targets (target '%2')")
                                         .arg(Registry::executorName(ctx.target->executor), ctx.target->id));
        }
        if (!status) {
            return ToolResult::error(status.error().toString());
        }
        status->insert(QStringLiteral("target"), ctx.target->id);
        const QJsonObject mem = status->value(QStringLiteral("memory")).toObject();
        const QJsonObject load = status->value(QStringLiteral("load_average")).toObject();
        ToolResult r;
        r.structured = *status;
        r.text = QStringLiteral("%1: up %2 h, load %3 %4 %5, memory %6% used of %7 GiB, %8 CPUs, %9 disks\n%10")
                     .arg(ctx.target->id)
                     .arg(status->value(QStringLiteral("uptime_seconds")).toDouble() / 3600.0, 0, 'f', 1)
                     .arg(load.value(QStringLiteral("1m")).toDouble())
                     .arg(load.value(QStringLiteral("5m")).toDouble())
                     .arg(load.value(QStringLiteral("15m")).toDouble())
                     .arg(mem.value(QStringLiteral("percent")).toDouble())
                     .arg(mem.value(QStringLiteral("total_bytes")).toDouble() / (1024.0 * 1024 * 1024), 0, 'f', 1)
                     .arg(status->value(QStringLiteral("cpu_count")).toInt())
                     .arg(status->value(QStringLiteral("disks")).toArray().size())
                     .arg(compact(*status));
        return r;
    };
    return t;
}

QString targetOr(const QJsonObject &args, const QString &key)
{
    const QString v = args.value(key).toString();
    return v.isEmpty() ? QStringLiteral("local") : v;
}

void addPrompts(Mcp::Server &server)
{
    using Arg = Mcp::Prompt::Argument;
    const Arg target { QStringLiteral("target"), QStringLiteral("Target id (default local)"), false };
    server.addPrompt({ QStringLiteral("health_check"), QStringLiteral("Health check"),
                       QStringLiteral("Check a target's health and summarise problems"),
                       { target },
                       [](const QJsonObject &a) {
                           return QStringLiteral("Run a health check of target '%1'. Call health_check with target "
                                                 "'%1'; for every check that is not ok, look closer: get_disk_usage "
                                                 "for full disks, get_top_processes for load or memory. Report each "
                                                 "problem with the measurement and say clearly whether anything needs "
                                                 "attention. Do not change anything.")
                               .arg(targetOr(a, QStringLiteral("target")));
                       } });
    server.addPrompt({ QStringLiteral("investigate_high_load"), QStringLiteral("Investigate high load"),
                       QStringLiteral("Find out why a target is slow or busy"),
                       { target },
                       [](const QJsonObject &a) {
                           return QStringLiteral("Target '%1' seems overloaded. Call get_system_status and compare the "
                                                 "load average with cpu_count and memory; then get_top_processes sorted "
                                                 "by cpu and by memory; check get_journal_logs (priority err) for the "
                                                 "last hour. Explain the likely cause and propose read-only next steps "
                                                 "before any change.")
                               .arg(targetOr(a, QStringLiteral("target")));
                       } });
    server.addPrompt({ QStringLiteral("troubleshoot_container"), QStringLiteral("Troubleshoot a container"),
                       QStringLiteral("Investigate a failing container"),
                       { Arg { QStringLiteral("container"), QStringLiteral("Container name or id"), true }, target },
                       [](const QJsonObject &a) {
                           return QStringLiteral("Container '%1' on target '%2' is misbehaving. Call inspect_container "
                                                 "for its state, exit code and restart count, then get_container_logs "
                                                 "(the last 200 lines). Identify the error and propose a fix. Do not "
                                                 "restart it without asking; if a restart is the fix, show it with "
                                                 "restart_container and dry_run true first.")
                               .arg(a.value(QStringLiteral("container")).toString(), targetOr(a, QStringLiteral("target")));
                       } });
    server.addPrompt({ QStringLiteral("troubleshoot_service"), QStringLiteral("Troubleshoot a service"),
                       QStringLiteral("Investigate a failing system service"),
                       { Arg { QStringLiteral("service"), QStringLiteral("Service (unit) name"), true }, target },
                       [](const QJsonObject &a) {
                           return QStringLiteral("Service '%1' on target '%2' is failing. Call get_service_status, then "
                                                 "get_journal_logs for unit '%1' (the last 200 lines). Find the error, "
                                                 "explain it, and propose a fix. Only suggest restart_service (with "
                                                 "dry_run true first) when the cause is understood.")
                               .arg(a.value(QStringLiteral("service")).toString(), targetOr(a, QStringLiteral("target")));
                       } });
    server.addPrompt({ QStringLiteral("fleet_health"), QStringLiteral("Fleet health"),
                       QStringLiteral("Health of every target with a tag"),
                       { Arg { QStringLiteral("tag"), QStringLiteral("Target tag"), true } },
                       [](const QJsonObject &a) {
                           return QStringLiteral("Check the health of every target tagged '%1': call fleet_run with tool "
                                                 "health_check and tags ['%1']. Summarise as a table (target, status, "
                                                 "problems), list unreachable targets separately, and rank what needs "
                                                 "attention first.")
                               .arg(a.value(QStringLiteral("tag")).toString());
                       } });
}

} // namespace

void registerBuiltinTools(Mcp::Server &server)
{
    server.addTool(listTargets());
    server.addTool(getSystemStatus());
    addPrompts(server);
}

} // namespace Tailops::Tools
