// tailops-console: the Widgets console running the same gateway in-process, with the tray.
#include "config/gatewayconfig.h"
#include "core/logging.h"
#include "core/unixsignals.h"
#include "firstrun/firstrunwizard.h"
#include "service/gatewayservice.h"
#include "shell/console.h"
#include "shell/mainwindow.h"
#include "shell/singleinstance.h"
#include "tray/traycontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QThreadPool>

#include <memory>
#include <optional>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TailOps"));
    QApplication::setApplicationName(QStringLiteral("tailops-console"));
    QApplication::setApplicationVersion(QStringLiteral(TAILOPS_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.tailops.Console"));
    Tailops::Core::installStderrLogger();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The TailOps admin console: the MCP gateway with panels and a tray."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({ QStringLiteral("config-dir"), QStringLiteral("Configuration directory."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("minimized"), QStringLiteral("Start in the tray (when there is one).") });
    parser.addOption({ QStringLiteral("show"), QStringLiteral("Open a panel: overview, targets, connectivity, tokens, audit, "
                                                              "approvals, diagnostics."),
                       QStringLiteral("PANEL") });
    parser.addOption({ QStringLiteral("approval"), QStringLiteral("Open a pending approval."), QStringLiteral("ID") });
    parser.addOption({ QStringLiteral("tour"), QStringLiteral("Save a screenshot of every panel into DIR, then quit."),
                       QStringLiteral("DIR") });
    parser.process(app);

    QString dir = QDir(parser.isSet(QStringLiteral("config-dir")) ? parser.value(QStringLiteral("config-dir"))
                                                                  : Tailops::Config::defaultConfigDir())
                      .absolutePath();
    // One console per configuration: a second launch hands its arguments to the first and exits.
    std::unique_ptr<Tailops::Ui::SingleInstance> instance;
    const auto claim = [&](const QString &configDir) -> std::optional<int> {
        instance = std::make_unique<Tailops::Ui::SingleInstance>(configDir);
        if (instance->claim()) {
            return std::nullopt;
        }
        if (instance->sendToPrimary(app.arguments().mid(1))) {
            return 0;
        }
        qCritical().noquote() << "another tailops-console for" << configDir << "is running but did not answer";
        return 1;
    };
    if (const auto exitCode = claim(dir)) {
        return *exitCode;
    }

    if (!QFile::exists(dir + QStringLiteral("/gateway.yaml"))) {
        Tailops::Ui::FirstRunWizard wizard;
        wizard.setConfigDir(dir);
        if (wizard.exec() != QDialog::Accepted) {
            return 0;
        }
        if (const QString chosen = QDir(wizard.configDir()).absolutePath(); chosen != dir) {
            dir = chosen; // the wizard created another directory: claim that one instead
            if (const auto exitCode = claim(dir)) {
                return *exitCode;
            }
        }
    }

    Tailops::Config::Diagnostics diagnostics;
    Tailops::Service::GatewayService gateway(Tailops::Config::loadGatewayConfig(dir, diagnostics));
    diagnostics += gateway.reloadTargets();
    diagnostics += gateway.reloadPolicy();
    gateway.watchTargets();
    QStringList problems;
    for (const auto &d : std::as_const(diagnostics)) {
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
    if (const auto admin = gateway.startAdmin(); !admin) {
        qWarning().noquote() << "no admin socket:" << admin.error().toString();
    }
    if (auto urls = gateway.startHttp(false)) {
        for (const QUrl &url : *urls) {
            qInfo().noquote() << "listening on" << url.toString();
        }
    } else {
        problems.append(urls.error().toString());
    }

    Tailops::Ui::Console console(gateway);
    if (!problems.isEmpty()) {
        console.setGatewayError(problems.join(u'\n'));
    }
    // Not QApplication::quit(): it asks the windows to close first, and a window that closes to the tray refuses.
    const auto leave = [] { QCoreApplication::exit(0); };
    Tailops::Core::UnixSignals signals;
    QObject::connect(&signals, &Tailops::Core::UnixSignals::terminateRequested, &app, leave);
    QObject::connect(&signals, &Tailops::Core::UnixSignals::reloadRequested, &gateway, [&gateway] {
        gateway.reloadTargets();
        gateway.reloadPolicy();
    });
    QObject::connect(instance.get(), &Tailops::Ui::SingleInstance::activated, &console, &Tailops::Ui::Console::handleArguments);
    QObject::connect(&console, &Tailops::Ui::Console::quitRequested, &app, leave);
    // The autostart entry starts this configuration in the tray.
    console.tray().setAutostartCommand(QCoreApplication::applicationFilePath(),
                                       { QStringLiteral("--minimized"), QStringLiteral("--config-dir"), dir });
    console.show(parser.isSet(QStringLiteral("minimized")));
    if (console.window().closeToTray()) {
        QApplication::setQuitOnLastWindowClosed(false); // the tray keeps the gateway running
    }
    if (parser.isSet(QStringLiteral("show")) || parser.isSet(QStringLiteral("approval")) || parser.isSet(QStringLiteral("tour"))) {
        console.handleArguments(app.arguments().mid(1));
    }
    const int code = QApplication::exec();
    QThreadPool::globalInstance()->clear(); // queued background work is not worth waiting for at exit
    return code;
}
