#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

namespace Tailops::Ui {

// "Start at login": an XDG autostart entry, $XDG_CONFIG_HOME/autostart/io.tailops.Console.desktop.
QString autostartFile();
bool isAutostartEnabled();
// Writes (atomically) or removes the entry; PROGRAM and ARGUMENTS form its Exec line (quoted per the
// Desktop Entry spec).
Core::Result<void> setAutostartEnabled(bool enabled, const QString &program, const QStringList &arguments);

} // namespace Tailops::Ui
