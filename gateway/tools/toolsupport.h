#pragma once

#include "core/result.h"
#include "mcp/tool.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

// What the tools share: running argv commands on the target with its limits, dry-run replies, error texts,
// and the framing that marks target output as untrusted data.
namespace Tailops::Tools {

// A refusal when the target has no command executor (docker and http targets), naming the tool and target.
std::optional<Mcp::ToolResult> requireExecutor(const Mcp::ToolContext &ctx, const QString &tool);

// Runs ARGV on the target (never through a shell) with the target's timeout and output cap, or the given
// ones when > 0. A failure to run at all (cannot connect, ...) is an error naming the target.
Core::Result<Exec::CommandResult> runOnTarget(const Mcp::ToolContext &ctx, const QStringList &argv,
                                              qint64 maxOutputBytes = 0, qint64 timeoutMs = 0, bool sudo = false);

// The tool error for a command that ran and failed: "TOOL on TARGET: `argv` exited with N: <stderr>".
Mcp::ToolResult commandFailed(const Mcp::ToolContext &ctx, const QString &tool, const QStringList &argv,
                              const Exec::CommandResult &result);

// Runs ARGV and turns a failure to run, or (unless acceptExit says otherwise) a non-zero exit, into the
// tool's error. On success, the result.
struct Ran
{
    std::optional<Exec::CommandResult> result;
    std::optional<Mcp::ToolResult> error;
    explicit operator bool() const { return result.has_value(); }
    const Exec::CommandResult *operator->() const { return &*result; }
};
Ran runChecked(const Mcp::ToolContext &ctx, const QString &tool, const QStringList &argv, qint64 maxOutputBytes = 0,
               const std::function<bool(int exitCode)> &acceptExit = {});

// An argv as JSON (["systemctl","restart","nginx"]) and as one display line.
QJsonArray argvJson(const QStringList &argv);
QString argvText(const QStringList &argv);

// The reply of a mutating tool called with dry_run: nothing ran. structuredContent is
// { target, dry_run: true, operation, would_run: [argv...] } plus EXTRA; the text lists each argv.
Mcp::ToolResult dryRunResult(const Mcp::ToolContext &ctx, const QString &operation, const QList<QStringList> &commands,
                             const QJsonObject &extra = {});
bool isDryRun(const Mcp::ToolContext &ctx);

// Frames CONTENT that came from a target (file content, logs, command output) as data, not instructions:
//   <<<untrusted SOURCE>>>\n...\n<<<end untrusted>>>
// Any marker inside CONTENT is defused so the content cannot end the frame early.
QString untrusted(const QString &source, const QString &content);

// Adds the properties of a dry-run reply (dry_run, operation, would_run) to an object outputSchema.
QJsonObject withDryRunOutput(QJsonObject outputSchema);

} // namespace Tailops::Tools
