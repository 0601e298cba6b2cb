#include "logging.h"

#include <QDateTime>

#include <cstdio>

namespace Tailops::Core {

Q_LOGGING_CATEGORY(lcGateway, "tailops.gateway", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "tailops.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcp, "tailops.mcp", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "tailops.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStdio, "tailops.stdio", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "tailops.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTools, "tailops.tools", QtInfoMsg)

namespace {

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void stderrHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray text = message.toUtf8();
    const char *category = context.category ? context.category : "default";
    std::fprintf(stderr, "%s %s: %s\n", category, levelName(type), text.constData());
    std::fflush(stderr);
}

} // namespace

void installStderrLogger()
{
    qInstallMessageHandler(stderrHandler);
}

} // namespace Tailops::Core
