// tailops-gateway: the headless gateway (no Widgets). All logic lives in gateway/.
#include "cli/commandline.h"
#include "core/logging.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tailops-gateway"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TAILOPS_VERSION));
    Tailops::Core::installStderrLogger();
    return Tailops::Cli::run(QCoreApplication::arguments().mid(1));
}
