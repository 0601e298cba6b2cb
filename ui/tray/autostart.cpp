#include "autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace Tailops::Ui {

namespace {

// Desktop Entry Exec quoting: arguments with reserved characters go in double quotes, with ", `, $ and the
// backslash escaped by a backslash.
QString quoteExecArgument(const QString &argument)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    if (!argument.isEmpty() && std::none_of(argument.cbegin(), argument.cend(), [](QChar c) { return reserved.contains(c); })) {
        return argument;
    }
    QString out = QStringLiteral("\"");
    for (const QChar c : argument) {
        if (c == u'"' || c == u'`' || c == u'$' || c == u'\\') {
            out += u'\\';
        }
        out += c;
    }
    out += u'"';
    // The .desktop file format itself escapes backslashes once more.
    out.replace(QStringLiteral("\\"), QStringLiteral("\\\\"));
    return out;
}

} // namespace

QString autostartFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/autostart/io.tailops.Console.desktop");
}

bool isAutostartEnabled()
{
    return QFileInfo::exists(autostartFile());
}

Core::Result<void> setAutostartEnabled(bool enabled, const QString &program, const QStringList &arguments)
{
    const QString file = autostartFile();
    if (!enabled) {
        if (QFile::exists(file) && !QFile::remove(file)) {
            return Core::fail(QStringLiteral("cannot remove %1").arg(file));
        }
        return {};
    }
    if (!QDir().mkpath(QFileInfo(file).absolutePath())) {
        return Core::fail(QStringLiteral("cannot create %1").arg(QFileInfo(file).absolutePath()));
    }
    QStringList exec { quoteExecArgument(program) };
    for (const QString &a : arguments) {
        exec.append(quoteExecArgument(a));
    }
    const QString content = QStringLiteral("[Desktop Entry]\n"
                                           "Type=Application\n"
                                           "Name=TailOps Console\n"
                                           "Comment=Start the TailOps gateway in the system tray at login\n"
                                           "Exec=%1\n"
                                           "Icon=io.tailops.Console\n"
                                           "Terminal=false\n"
                                           "X-GNOME-Autostart-enabled=true\n")
                                .arg(exec.join(u' '));
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(content.toUtf8()) < 0 || !out.commit()) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(file, out.errorString()));
    }
    return {};
}

} // namespace Tailops::Ui
