// tailops-console: the Widgets console running the same gateway in-process.
#include "config/gatewayconfig.h"
#include "core/logging.h"
#include "shell/mainwindow.h"
#include "service/gatewayservice.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tailops-console"));
    QApplication::setApplicationVersion(QStringLiteral(TAILOPS_VERSION));
    Tailops::Core::installStderrLogger();

    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({ QStringLiteral("config-dir"), QStringLiteral("Configuration directory."), QStringLiteral("DIR") });
    parser.process(app);

    const QString dir = parser.isSet(QStringLiteral("config-dir")) ? parser.value(QStringLiteral("config-dir"))
                                                                   : Tailops::Config::defaultConfigDir();
    Tailops::Config::Diagnostics diagnostics;
    Tailops::Service::GatewayService gateway(Tailops::Config::loadGatewayConfig(dir, diagnostics));
    diagnostics += gateway.reloadTargets();
    gateway.watchTargets();
    Tailops::Ui::MainWindow window(gateway);
    QStringList problems;
    for (const auto &d : diagnostics) {
        qWarning().noquote() << d.toString();
        if (d.isError()) {
            problems.append(d.toString());
        }
    }
    if (gateway.config().auditEnabled) {
        if (const auto audit = gateway.openAudit(); !audit) {
            // The gateway still serves, but refuses every tool call until the log can be written.
            problems.append(QStringLiteral("audit log: %1 (tool calls are refused)").arg(audit.error().toString()));
        }
    }
    if (auto urls = gateway.startHttp(false)) {
        for (const QUrl &url : *urls) {
            qInfo().noquote() << "listening on" << url.toString();
        }
    } else {
        problems.append(urls.error().toString());
    }
    if (!problems.isEmpty()) {
        window.setGatewayError(problems.join(u'\n'));
    }
    window.show();
    return QApplication::exec();
}
