#include "toolsupport.h"

#include "jsonschema.h"

#include <QJsonDocument>

namespace Tailops::Tools {

std::optional<Mcp::ToolResult> requireExecutor(const Mcp::ToolContext &ctx, const QString &tool)
{
    if (!ctx.executor) {
        return Mcp::ToolResult::error(QStringLiteral("%1 needs a local or ssh target; '%2' is a %3 target")
                                          .arg(tool, ctx.target->id, Registry::executorName(ctx.target->executor)));
    }
    return std::nullopt;
}

Core::Result<Exec::CommandResult> runOnTarget(const Mcp::ToolContext &ctx, const QStringList &argv, qint64 maxOutputBytes,
                                              qint64 timeoutMs, bool sudo)
{
    const Exec::CommandSpec spec { argv, timeoutMs > 0 ? timeoutMs : ctx.target->timeoutSeconds * 1000,
                                   maxOutputBytes > 0 ? std::min(maxOutputBytes, ctx.target->maxOutputBytes)
                                                      : ctx.target->maxOutputBytes,
                                   sudo };
    auto run = ctx.executor->run(spec, ctx.cancelled);
    if (!run) {
        return Core::fail(QStringLiteral("%1: %2").arg(ctx.target->id, run.error().message));
    }
    return run;
}

Mcp::ToolResult commandFailed(const Mcp::ToolContext &ctx, const QString &tool, const QStringList &argv,
                              const Exec::CommandResult &result)
{
    QString why = QString::fromUtf8(result.stderrData.left(600)).trimmed();
    if (why.isEmpty()) {
        why = QString::fromUtf8(result.stdoutData.left(600)).trimmed();
    }
    if (result.timedOut) {
        why = QStringLiteral("timed out after %1 ms").arg(result.durationMs);
    }
    Mcp::ToolResult r = Mcp::ToolResult::error(QStringLiteral("%1 on %2: `%3` exited with %4%5")
                                                   .arg(tool, ctx.target->id, argvText(argv))
                                                   .arg(result.exitCode)
                                                   .arg(why.isEmpty() ? QString() : QString(QStringLiteral(": ") + why)));
    r.exitCode = result.exitCode;
    return r;
}

Ran runChecked(const Mcp::ToolContext &ctx, const QString &tool, const QStringList &argv, qint64 maxOutputBytes,
               const std::function<bool(int)> &acceptExit)
{
    Ran ran;
    auto run = runOnTarget(ctx, argv, maxOutputBytes);
    if (!run) {
        ran.error = Mcp::ToolResult::error(QStringLiteral("%1 on %2").arg(tool, run.error().message));
        return ran;
    }
    const bool accepted = acceptExit ? acceptExit(run->exitCode) : run->exitCode == 0;
    if (!accepted || run->timedOut || run->cancelled) {
        ran.error = commandFailed(ctx, tool, argv, *run);
        return ran;
    }
    ran.result = std::move(*run);
    return ran;
}

QJsonArray argvJson(const QStringList &argv)
{
    return QJsonArray::fromStringList(argv);
}

QString argvText(const QStringList &argv)
{
    return QString::fromUtf8(QJsonDocument(argvJson(argv)).toJson(QJsonDocument::Compact));
}

bool isDryRun(const Mcp::ToolContext &ctx)
{
    return ctx.arguments.value(QStringLiteral("dry_run")).toBool(false);
}

Mcp::ToolResult dryRunResult(const Mcp::ToolContext &ctx, const QString &operation, const QList<QStringList> &commands,
                             const QJsonObject &extra)
{
    QJsonArray wouldRun;
    QStringList lines;
    for (const QStringList &argv : commands) {
        wouldRun.append(argvJson(argv));
        lines.append(argvText(argv));
    }
    QJsonObject structured = extra;
    structured.insert(QStringLiteral("target"), ctx.target ? ctx.target->id : QString());
    structured.insert(QStringLiteral("dry_run"), true);
    structured.insert(QStringLiteral("operation"), operation);
    structured.insert(QStringLiteral("would_run"), wouldRun);
    Mcp::ToolResult r;
    r.structured = structured;
    r.text = QStringLiteral("dry run: %1 on %2 would run:\n%3")
                 .arg(operation, ctx.target ? ctx.target->id : QString(), lines.join(u'\n'));
    return r;
}

QString untrusted(const QString &source, const QString &content)
{
    QString body = content;
    // "<<<" inside the content becomes "<< <" so it can never close (or open) a frame.
    body.replace(QStringLiteral("<<<"), QStringLiteral("<< <"));
    return QStringLiteral("<<<untrusted %1>>>\n%2\n<<<end untrusted>>>").arg(source, body);
}

QJsonObject withDryRunOutput(QJsonObject outputSchema)
{
    QJsonObject props = outputSchema.value(QStringLiteral("properties")).toObject();
    props.insert(QStringLiteral("dry_run"), Schema::boolean(QStringLiteral("Nothing was run")));
    props.insert(QStringLiteral("operation"), Schema::string(QStringLiteral("What would be done")));
    props.insert(QStringLiteral("would_run"),
                 Schema::array(Schema::array(Schema::string(QStringLiteral("argument"))), QStringLiteral("argv arrays")));
    outputSchema.insert(QStringLiteral("properties"), props);
    return outputSchema;
}

} // namespace Tailops::Tools
