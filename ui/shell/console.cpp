#include "console.h"

#include "mainwindow.h"
#include "screenshottour.h"

#include "approvals/approvalspanel.h"
#include "audit/auditpanel.h"
#include "connectivity/connectivitypanel.h"
#include "connectivity/connectivityrunner.h"
#include "diagnostics/diagnosticspanel.h"
#include "overview/overviewpanel.h"
#include "targets/targetspanel.h"
#include "tokens/tokenspanel.h"
#include "tray/traycontroller.h"

#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QCommandLineParser>
#include <QIcon>

#include <chrono>

namespace Tailops::Ui {

namespace {

QIcon panelIcon(const QString &id)
{
    return QIcon(QStringLiteral(":/icons/panel-%1.svg").arg(id));
}

} // namespace

Console::Console(Service::GatewayService &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_runner(new ConnectivityRunner(gateway, this))
    , m_window(new MainWindow(gateway))
    , m_tray(new TrayController(gateway, this))
{
    m_overview = new OverviewPanel(gateway);
    m_approvals = new ApprovalsPanel(gateway);
    m_window->addPanel(QStringLiteral("overview"), tr("Overview"), panelIcon(QStringLiteral("overview")), m_overview);
    m_window->addPanel(QStringLiteral("targets"), tr("Targets"), panelIcon(QStringLiteral("targets")),
                       new TargetsPanel(gateway, *m_runner));
    m_window->addPanel(QStringLiteral("connectivity"), tr("Connectivity"), panelIcon(QStringLiteral("connectivity")),
                       new ConnectivityPanel(gateway, *m_runner));
    m_window->addPanel(QStringLiteral("tokens"), tr("Tokens"), panelIcon(QStringLiteral("tokens")), new TokensPanel(gateway));
    m_window->addPanel(QStringLiteral("audit"), tr("Audit"), panelIcon(QStringLiteral("audit")), new AuditPanel(gateway));
    m_window->addPanel(QStringLiteral("approvals"), tr("Approvals"), panelIcon(QStringLiteral("approvals")), m_approvals);
    m_window->addPanel(QStringLiteral("diagnostics"), tr("Diagnostics"), panelIcon(QStringLiteral("diagnostics")),
                       new DiagnosticsPanel(gateway));
    m_window->restoreSettings();

    connect(m_overview, &OverviewPanel::approvalsRequested, this, [this] { m_window->showPanel(QStringLiteral("approvals")); });
    connect(m_overview, &OverviewPanel::targetsRequested, this, [this] { m_window->showPanel(QStringLiteral("targets")); });
    connect(m_overview, &OverviewPanel::auditRequested, this, [this] { m_window->showPanel(QStringLiteral("audit")); });
    connect(m_runner, &ConnectivityRunner::reportReady, this, &Console::updateTargetCounts);
    connect(m_runner, &ConnectivityRunner::finished, this, &Console::updateTargetCounts);
    connect(&m_gateway.registry(), &Registry::TargetRegistry::targetsChanged, this, &Console::updateTargetCounts);
    connect(m_tray, &TrayController::openConsoleRequested, m_window, &MainWindow::bringToFront);
    connect(m_tray, &TrayController::approvalRequested, this, &Console::showApproval);
    connect(m_tray, &TrayController::quitRequested, this, &Console::quitRequested);
    updateTargetCounts();
}

Console::~Console()
{
    delete m_window;
}

void Console::show(bool minimized)
{
    const bool tray = m_tray->show();
    m_window->setCloseToTray(tray);
    if (!minimized || !tray) {
        m_window->show();
    }
    m_runner->setInterval(std::chrono::minutes(5));
    m_runner->run();
}

void Console::setGatewayError(const QString &error)
{
    m_window->setGatewayError(error);
    m_tray->setProblem(error);
}

void Console::updateTargetCounts()
{
    const int total = int(m_gateway.registry().snapshot()->size());
    const int up = m_runner->upCount();
    const int down = m_runner->downCount();
    m_overview->setTargetCounts(up, down, std::max(0, total - up - down));
    m_tray->setTargetsDown(down);
}

void Console::showApproval(const QString &id)
{
    m_window->bringToFront();
    m_window->showPanel(QStringLiteral("approvals"));
    if (!id.isEmpty()) {
        m_approvals->showRequest(id);
    }
}

void Console::handleArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("show"), QString(), QStringLiteral("PANEL") });
    parser.addOption({ QStringLiteral("approval"), QString(), QStringLiteral("ID") });
    parser.addOption({ QStringLiteral("tour"), QString(), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("config-dir"), QString(), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("minimized"), QString() });
    // ARGUMENTS come without the program name, which parse() expects first. Unknown options are ignored here:
    // main() validated them in the launch that sent them.
    parser.parse(QStringList { QStringLiteral("tailops-console") } + arguments);
    if (parser.isSet(QStringLiteral("tour"))) {
        runTour(parser.value(QStringLiteral("tour")));
        return;
    }
    if (parser.isSet(QStringLiteral("approval"))) {
        showApproval(parser.value(QStringLiteral("approval")));
        return;
    }
    m_window->bringToFront();
    if (parser.isSet(QStringLiteral("show"))) {
        m_window->showPanel(parser.value(QStringLiteral("show")));
    }
}

void Console::runTour(const QString &directory)
{
    m_runner->run();
    if (auto *diagnostics = qobject_cast<DiagnosticsPanel *>(m_window->panel(QStringLiteral("diagnostics")))) {
        diagnostics->runAll();
    }
    auto *tour = new ScreenshotTour(*m_window, m_tray->isVisible() ? m_tray->menu() : nullptr, directory, this);
    connect(tour, &ScreenshotTour::finished, this, [this, tour](const QStringList &files, const QString &error) {
        qInfo().noquote() << "screenshots:" << files.join(QStringLiteral(", ")) << error;
        tour->deleteLater();
        Q_EMIT quitRequested();
    });
    tour->start();
}

} // namespace Tailops::Ui
