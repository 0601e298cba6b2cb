#include "executorcache.h"

#include "exec/localexecutor.h"

namespace Tailops::Service {

namespace {

QString fingerprintOf(const Registry::Target &t)
{
    return QStringList { Registry::executorName(t.executor), t.host, QString::number(t.port), t.username, t.keyPath,
                         QString::number(t.connectTimeoutSeconds), t.sudoPolicy, QString::number(t.maxOutputBytes) }
        .join(QChar(0x1f));
}

} // namespace

ExecutorCache::ExecutorCache(Exec::SshOptions sshOptions)
    : m_ssh(std::move(sshOptions))
{
}

Core::Result<std::shared_ptr<Exec::CommandExecutor>> ExecutorCache::executorFor(const Registry::Target &target)
{
    const QString fingerprint = fingerprintOf(target);
    std::lock_guard lock(m_mutex);
    if (const auto it = m_entries.constFind(target.id); it != m_entries.cend() && it->fingerprint == fingerprint) {
        return it->executor;
    }
    std::shared_ptr<Exec::CommandExecutor> executor;
    switch (target.executor) {
    case Registry::Executor::Local:
        executor = std::make_shared<Exec::LocalExecutor>(target.sudoPolicy);
        break;
    case Registry::Executor::Ssh:
        executor = std::make_shared<Exec::SshExecutor>(target, m_ssh);
        break;
    case Registry::Executor::Docker:
    case Registry::Executor::Http:
        return std::shared_ptr<Exec::CommandExecutor>(); // these targets are driven through their APIs
    }
    m_entries.insert(target.id, Entry { fingerprint, executor });
    return executor;
}

} // namespace Tailops::Service
