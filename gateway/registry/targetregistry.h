#pragma once

#include "config/diagnostic.h"
#include "target.h"

#include <QObject>

#include <mutex>

namespace Tailops::Registry {

// Holds the current target set; readers take a snapshot (shared pointer) that stays valid while a call
// runs, so a reload never changes a call in flight.
class TargetRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetRegistry)

public:
    explicit TargetRegistry(QObject *parent = nullptr);

    TargetSetPtr snapshot() const;

    // Loads FILE; a missing file means the built-in local target alone. On errors the good targets are
    // still served; on an unreadable or unparsable file the previous set is kept.
    Config::Diagnostics load(const QString &file);
    void replace(QList<Target> targets);

Q_SIGNALS:
    void targetsChanged();

private:
    mutable std::mutex m_mutex;
    TargetSetPtr m_current;
};

} // namespace Tailops::Registry
