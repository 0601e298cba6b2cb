#include "target.h"

#include <algorithm>

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

bool isPlausibleHost(const QString &host)
{
    if (host.isEmpty() || host.startsWith(u'-')) {
        return false;
    }
    return std::none_of(host.cbegin(), host.cend(), [](QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; });
}

Target Target::builtinLocal()
{
    Target t;
    t.id = QStringLiteral("local");
    t.type = QStringLiteral("local");
    t.executor = Executor::Local;
    t.description = QStringLiteral("The machine the gateway runs on");
    // No file:read by default: reading files of the gateway's own machine is opted into in targets.yaml.
    t.capabilities = { QStringLiteral("system:read"), QStringLiteral("network:read"), QStringLiteral("container:read"),
                       QStringLiteral("network:diag") };
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

Core::Result<void> httpTargetAllows(const Target &target, const QUrl &url)
{
    const QUrl base(target.url);
    if (!url.isValid() || url.scheme() != base.scheme() || url.host().compare(base.host(), Qt::CaseInsensitive) != 0
        || url.port(url.scheme() == u"https" ? 443 : 80) != base.port(base.scheme() == u"https" ? 443 : 80)) {
        return Core::fail(QStringLiteral("%1 is not on target '%2' (%3)").arg(url.toString(), target.id, target.url));
    }
    if (!url.userInfo().isEmpty()) {
        return Core::fail(QStringLiteral("URLs with credentials are not allowed"));
    }
    const QString path = QUrl(QStringLiteral("x:") + url.path(QUrl::FullyDecoded)).adjusted(QUrl::NormalizePathSegments).path();
    if (path.contains(QChar(0)) || path.contains(QStringLiteral("/../")) || path.endsWith(QStringLiteral("/.."))) {
        return Core::fail(QStringLiteral("path '%1' is not allowed").arg(url.path()));
    }
    const QStringList allowed = target.allowedPaths.isEmpty() ? QStringList { base.path().isEmpty() ? QStringLiteral("/") : base.path() }
                                                              : target.allowedPaths;
    for (QString prefix : allowed) {
        while (prefix.size() > 1 && prefix.endsWith(u'/')) {
            prefix.chop(1);
        }
        if (prefix == u"/" || path == prefix || path.startsWith(prefix + u'/')) {
            return {};
        }
    }
    return Core::fail(QStringLiteral("path '%1' is not in the allowed_paths of target '%2' (%3)")
                          .arg(path, target.id, allowed.join(QStringLiteral(", "))));
}

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
