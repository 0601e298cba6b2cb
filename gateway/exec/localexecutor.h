#pragma once

#include "executor.h"

namespace Tailops::Exec {

// Runs an argv on this machine with QProcess (never a shell), in its own process group so that a timeout
// or a cancellation kills the whole tree.
class LocalExecutor final : public CommandExecutor
{
public:
    explicit LocalExecutor(QString sudoPolicy = QStringLiteral("none"));

    Core::Result<CommandResult> run(const CommandSpec &spec, const CancelFlag &cancel) override;

private:
    QString m_sudoPolicy;
};

} // namespace Tailops::Exec
