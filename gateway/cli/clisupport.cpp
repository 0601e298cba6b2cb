#include "clisupport.h"

#include "config/gatewayconfig.h"

#include <QDir>

#include <cstdio>

namespace Tailops::Cli {

void printErr(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

void printOut(const QString &text)
{
    std::fprintf(stdout, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stdout);
}

void printDiagnostics(const Config::Diagnostics &diagnostics)
{
    for (const auto &d : diagnostics) {
        printErr(d.toString());
    }
}

QCommandLineOption configDirOption()
{
    return QCommandLineOption(QStringLiteral("config-dir"),
                              QStringLiteral("Configuration directory (default: $XDG_CONFIG_HOME/tailops)."),
                              QStringLiteral("DIR"));
}

QString configDir(const QCommandLineParser &parser)
{
    const QString dir = parser.value(QStringLiteral("config-dir"));
    return dir.isEmpty() ? Config::defaultConfigDir() : QDir(dir).absolutePath();
}

bool parseArguments(QCommandLineParser &parser, const QString &name, const QStringList &args, int *exitCode)
{
    parser.setApplicationDescription(QStringLiteral("tailops-gateway %1").arg(name));
    parser.addHelpOption();
    if (!parser.parse(QStringList { QStringLiteral("tailops-gateway ") + name } + args)) {
        printErr(QStringLiteral("tailops-gateway %1: %2").arg(name, parser.errorText()));
        *exitCode = 2;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText());
        *exitCode = 0;
        return false;
    }
    return true;
}

} // namespace Tailops::Cli
