#include "target.h"

namespace Tailops::Registry {

QString executorName(Executor executor)
{
    switch (executor) {
    case Executor::Local:
        return QStringLiteral("local");
    case Executor::Ssh:
        return QStringLiteral("ssh");
    case Executor::Docker:
        return QStringLiteral("docker");
    case Executor::Http:
        return QStringLiteral("http");
    }
    return QStringLiteral("local");
}

Target Target::builtinLocal()
{
    Target t;
    t.id = QStringLiteral("local");
    t.type = QStringLiteral("local");
    t.executor = Executor::Local;
    t.description = QStringLiteral("The machine the gateway runs on");
    t.capabilities = { QStringLiteral("system:read"), QStringLiteral("network:read"), QStringLiteral("container:read"),
                       QStringLiteral("file:read"), QStringLiteral("network:diag") };
    t.tags = { QStringLiteral("local") };
    t.timeoutSeconds = 30;
    t.concurrency = 5;
    return t;
}

TargetSet::TargetSet(QList<Target> targets)
    : m_targets(std::move(targets))
{
    for (qsizetype i = 0; i < m_targets.size(); ++i) {
        m_index.insert(m_targets.at(i).id, i);
    }
}

const Target *TargetSet::find(const QString &id) const
{
    const auto it = m_index.constFind(id);
    return it == m_index.cend() ? nullptr : &m_targets.at(*it);
}

} // namespace Tailops::Registry

#include <QJsonArray>

namespace Tailops::Registry {

QJsonObject targetToJson(const Target &t)
{
    QJsonObject o { { QStringLiteral("id"), t.id },
                    { QStringLiteral("type"), t.type },
                    { QStringLiteral("executor"), executorName(t.executor) },
                    { QStringLiteral("capabilities"), QJsonArray::fromStringList(t.capabilities) },
                    { QStringLiteral("tags"), QJsonArray::fromStringList(t.tags) },
                    { QStringLiteral("timeout_seconds"), t.timeoutSeconds },
                    { QStringLiteral("concurrency"), t.concurrency } };
    if (!t.description.isEmpty()) {
        o.insert(QStringLiteral("description"), t.description);
    }
    if (!t.host.isEmpty()) {
        o.insert(QStringLiteral("host"), t.host);
        o.insert(QStringLiteral("port"), t.port);
    }
    if (!t.username.isEmpty()) {
        o.insert(QStringLiteral("username"), t.username);
    }
    if (!t.url.isEmpty()) {
        o.insert(QStringLiteral("url"), t.url);
    }
    return o;
}

} // namespace Tailops::Registry
