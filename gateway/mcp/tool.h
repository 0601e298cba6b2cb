#pragma once

#include "auth/caller.h"
#include "exec/executor.h"
#include "registry/target.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <memory>

namespace Tailops::Mcp {

// Truthful MCP tool annotations (hints for clients).
struct ToolAnnotations
{
    bool readOnly = true;
    bool destructive = false;
    bool idempotent = true;
    bool openWorld = false;
};

// How much a tool can change (policy tiers): observe reads, control changes running state (restart a
// container), admin changes the machine itself (packages, files, arbitrary commands).
enum class Tier { Observe = 0, Control = 1, Admin = 2 };
// How bad a mistake with the tool can be; policy rules can match on it (e.g. approval for high and up).
enum class Risk { Low = 0, Moderate = 1, High = 2, Critical = 3 };

enum class LogLevel { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };

using CancelFlag = Exec::CancelFlag;

struct ToolResult;

// What a running tool gets: its validated arguments, the caller, the target snapshot it runs against,
// and thread-safe hooks for progress, logging and cancellation.
struct ToolContext
{
    QJsonObject arguments;
    Auth::Caller caller;
    Registry::TargetSetPtr targets;
    const Registry::Target *target = nullptr; // resolved from arguments.target when the tool takes one
    CancelFlag cancelled;
    std::shared_ptr<Exec::CommandExecutor> executor; // for the target, when the gateway has one for its type
    std::function<void(double progress, double total, const QString &message)> progress;
    std::function<void(LogLevel level, const QString &message)> log;
    // Asks the gate again with changed arguments (e.g. a path after resolving symlinks on the target):
    // the reason it would be refused, or nullopt. Thread-safe; unset means nothing to check.
    std::function<std::optional<QString>(const QJsonObject &arguments)> recheck;
    // For tools that run other tools (fleet_run): runs the read-only tool NAME on TARGET with ARGUMENTS after
    // every check a direct call gets (schema, hygiene, scope, host tags, capabilities, file rules, policy; a
    // call that would need approval is refused), on the calling worker thread. Unset outside a session.
    std::function<ToolResult(const QString &name, const QString &target, const QJsonObject &arguments)> callTool;

    bool isCancelled() const { return cancelled && cancelled->load(); }
};

struct ToolResult
{
    QJsonObject structured; // matches the tool's outputSchema
    QString text;           // a short human-readable rendering
    bool isError = false;
    // For the audit, when the tool ran a command:
    std::optional<int> exitCode;
    std::optional<qint64> bytes;
    bool truncated = false;

    static ToolResult error(const QString &message)
    {
        ToolResult r;
        r.text = message;
        r.isError = true;
        return r;
    }
};

struct Tool
{
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    QJsonObject outputSchema;
    ToolAnnotations annotations;
    QString scope;           // required scope (also required in the target's capabilities)
    Tier tier = Tier::Observe;
    Risk risk = Risk::Low;
    // Argument hygiene (Mcp::checkArguments): string arguments that are paths (absolute, normalised by
    // component) and those allowed to start with '-' or to hold line breaks. Every other string argument
    // is refused when it starts with '-' or contains CR, LF or NUL.
    QStringList pathArguments;
    QStringList dashAllowed;
    QStringList multilineArguments;
    // A human must approve every call (packages, raw commands) but a dry run, whatever policy.yaml says; a
    // policy rule can add approval to other tools (and to dry runs) but cannot waive it here.
    bool approvalRequired = false;
    bool takesTarget = true; // has a "target" argument, default "local"
    QString targetListArgument; // a target-less tool acting on several targets: each listed id (all when
                                // absent or empty) is gated like a single target
    bool blocking = true;    // runs on the worker pool; false = cheap, runs on the event loop
    std::function<ToolResult(const ToolContext &)> run;
};

} // namespace Tailops::Mcp
