#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QStringList>

#include <atomic>
#include <memory>

namespace Tailops::Exec {

using CancelFlag = std::shared_ptr<std::atomic_bool>;

// One command as an argv array: never a shell string.
struct CommandSpec
{
    QStringList argv;
    qint64 timeoutMs = 60000;
    qint64 maxOutputBytes = 1024 * 1024; // stdout and stderr together; the rest is dropped
    bool sudo = false;                   // run through "sudo -n" (only if the target's sudo_policy allows it)
};

struct CommandResult
{
    int exitCode = -1;
    QByteArray stdoutData;
    QByteArray stderrData;
    bool truncated = false; // output went past maxOutputBytes; a marker line was appended
    bool timedOut = false;
    bool cancelled = false;
    qint64 durationMs = 0;
};

// Appended to output cut at maxOutputBytes.
inline QByteArray truncationMarker(qint64 limit)
{
    return "\n[tailops: output truncated at " + QByteArray::number(limit) + " bytes]\n";
}

// Runs commands on one target. run() blocks and is called from worker threads (several at once):
// implementations are thread-safe. Errors (cannot connect, host key refused, ...) are values with a clear
// message; a command that ran and failed is a CommandResult with its exit code.
class CommandExecutor
{
public:
    virtual ~CommandExecutor() = default;
    virtual Core::Result<CommandResult> run(const CommandSpec &spec, const CancelFlag &cancel) = 0;
};

} // namespace Tailops::Exec
