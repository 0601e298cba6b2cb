#include "targetregistry.h"

#include "config/yamlsupport_p.h"
#include "core/logging.h"
#include "targetsloader.h"

#include <QFile>
#include <QFileInfo>

namespace Tailops::Registry {

TargetRegistry::TargetRegistry(QObject *parent)
    : QObject(parent)
    , m_current(std::make_shared<TargetSet>(QList<Target> { Target::builtinLocal() }))
{
}

TargetSetPtr TargetRegistry::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_current;
}

Config::Diagnostics TargetRegistry::load(const QString &file)
{
    Config::Diagnostics diagnostics;
    QFile f(file);
    if (!f.exists()) {
        replace({ Target::builtinLocal() });
        return diagnostics;
    }
    const QString name = QFileInfo(file).fileName();
    if (!f.open(QIODevice::ReadOnly)) {
        diagnostics.append({ Config::Diagnostic::Severity::Error, name, 0, 0,
                             QStringLiteral("cannot read %1: %2").arg(file, f.errorString()) });
        return diagnostics;
    }
    if (f.size() > Config::Yaml::kMaxFileBytes) {
        diagnostics.append({ Config::Diagnostic::Severity::Error, name, 0, 0,
                             QStringLiteral("file is %1 bytes; the limit is %2 bytes").arg(f.size()).arg(Config::Yaml::kMaxFileBytes) });
        qCWarning(Core::lcConfig) << "keeping the previous targets:" << name << "is too large";
        return diagnostics;
    }
    const QByteArray content = f.readAll();
    QList<Target> targets = parseTargets(content, name, diagnostics);
    const bool unusable = targets.isEmpty() && Config::hasErrors(diagnostics);
    if (unusable) {
        qCWarning(Core::lcConfig) << "keeping the previous targets:" << name << "has no usable target";
        return diagnostics;
    }
    replace(std::move(targets));
    return diagnostics;
}

void TargetRegistry::replace(QList<Target> targets)
{
    auto next = std::make_shared<TargetSet>(std::move(targets));
    {
        std::lock_guard lock(m_mutex);
        m_current = std::move(next);
    }
    Q_EMIT targetsChanged();
}

} // namespace Tailops::Registry
