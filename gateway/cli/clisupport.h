#pragma once

#include "config/diagnostic.h"

#include <QCommandLineParser>
#include <QString>

// Shared helpers of the tailops-gateway sub-commands.
namespace Tailops::Cli {

void printErr(const QString &text);
void printOut(const QString &text);
void printDiagnostics(const Config::Diagnostics &diagnostics);
QCommandLineOption configDirOption();
QString configDir(const QCommandLineParser &parser);
// Parses ARGS for sub-command NAME; on --help prints usage. Returns false when the command should stop,
// with EXITCODE set (0 after --help, 2 on a usage error).
bool parseArguments(QCommandLineParser &parser, const QString &name, const QStringList &args, int *exitCode);

} // namespace Tailops::Cli
