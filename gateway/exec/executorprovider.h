#pragma once

#include "executor.h"
#include "registry/target.h"

#include <memory>

namespace Tailops::Exec {

// Gives the executor for a target (SSH sessions are pooled per target, so executors are shared and
// outlive single calls). Implemented where the executor libraries are linked (gateway/service).
class ExecutorProvider
{
public:
    virtual ~ExecutorProvider() = default;
    virtual Core::Result<std::shared_ptr<CommandExecutor>> executorFor(const Registry::Target &target) = 0;
};

} // namespace Tailops::Exec
