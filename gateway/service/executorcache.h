#pragma once

#include "exec/executorprovider.h"
#include "exec/ssh/sshexecutor.h"

#include <QHash>

#include <mutex>

namespace Tailops::Service {

// One executor per target, kept while the target's connection settings stay the same (so SSH sessions stay
// pooled across calls and reloads); a changed target gets a new executor, the old one ends with its calls.
class ExecutorCache final : public Exec::ExecutorProvider
{
public:
    explicit ExecutorCache(Exec::SshOptions sshOptions);

    Core::Result<std::shared_ptr<Exec::CommandExecutor>> executorFor(const Registry::Target &target) override;

private:
    struct Entry
    {
        QString fingerprint;
        std::shared_ptr<Exec::CommandExecutor> executor;
    };

    Exec::SshOptions m_ssh;
    std::mutex m_mutex;
    QHash<QString, Entry> m_entries;
};

} // namespace Tailops::Service
