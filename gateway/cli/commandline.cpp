#include "commandline.h"

#include "clisupport.h"
#include "approvalcommands.h"
#include "auditcommands.h"
#include "doctorcommand.h"
#include "targetcommands.h"
#include "tokencommands.h"

#include "auth/secret.h"
#include "config/gatewayconfig.h"
#include "core/logging.h"
#include "core/unixsignals.h"
#include "mcp/server.h"
#include "policy/policy.h"
#include "policy/policyloader.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>

#include <cstdio>

namespace Tailops::Cli {

namespace {

void err(const QString &text)
{
    printErr(text);
}

void out(const QString &text)
{
    printOut(text);
}

bool parse(QCommandLineParser &parser, const QString &name, const QStringList &args)
{
    int code = 0;
    return parseArguments(parser, name, args, &code);
}

int serve(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("listen"), QStringLiteral("Address to listen on, HOST:PORT (repeatable; port 0 "
                                                                "picks a free one)."),
                       QStringLiteral("HOST:PORT") });
    parser.addOption({ QStringLiteral("stdio"), QStringLiteral("Speak MCP on stdin/stdout instead of HTTP.") });
    parser.addOption({ QStringLiteral("no-auth"), QStringLiteral("Accept HTTP requests without a token (loopback "
                                                                 "addresses only; for local testing).") });
    if (!parse(parser, QStringLiteral("serve"), args)) {
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    }
    Config::Diagnostics diagnostics;
    Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), diagnostics);
    const QStringList cliListen = parser.values(QStringLiteral("listen"));
    if (!cliListen.isEmpty()) {
        config.listen.clear(); // the command line replaces gateway.yaml's addresses
    }
    for (const QString &listen : cliListen) {
        QString error;
        if (const auto la = Config::parseListenAddress(listen, &error)) {
            config.listen.append(*la);
        } else {
            diagnostics.append({ Config::Diagnostic::Severity::Error, QStringLiteral("--listen"), 0, 0, error });
        }
    }
    printDiagnostics(diagnostics);
    if (Config::hasErrors(diagnostics)) {
        err(QStringLiteral("tailops-gateway: not starting: fix the errors above (tailops-gateway check-config)"));
        return 2;
    }

    Service::GatewayService gateway(config);
    printDiagnostics(gateway.reloadTargets());
    if (QFileInfo::exists(config.policyFile())) {
        // Strict at startup: a policy with any error does not start (on reload the policy in force stays).
        Config::Diagnostics policyDiagnostics;
        if (!Policy::loadPolicyFile(config.policyFile(), policyDiagnostics, Policy::LoadMode::Strict)) {
            printDiagnostics(policyDiagnostics);
            err(QStringLiteral("tailops-gateway: not starting: policy.yaml has errors (tailops-gateway check-config)"));
            return 2;
        }
    }
    printDiagnostics(gateway.reloadPolicy());
    gateway.watchTargets();
    if (config.auditEnabled) {
        const auto audit = gateway.openAudit();
        if (!audit) {
            err(QStringLiteral("tailops-gateway: not starting: the audit log cannot be opened: %1 (set audit.path in "
                               "gateway.yaml or TAILOPS_AUDIT_LOG)")
                    .arg(audit.error().toString()));
            return 2;
        }
        qCInfo(Core::lcGateway).noquote() << "audit log:" << *audit;
    } else {
        qCWarning(Core::lcGateway) << "audit.enabled is false: tool calls are NOT audited";
    }
    Core::UnixSignals signals;
    QObject::connect(&signals, &Core::UnixSignals::terminateRequested, &gateway, [](int) {
        qCInfo(Core::lcGateway) << "stopping";
        QCoreApplication::quit();
    });
    QObject::connect(&signals, &Core::UnixSignals::reloadRequested, &gateway, [&gateway] {
        qCInfo(Core::lcConfig) << "SIGHUP: reloading targets and policy";
        printDiagnostics(gateway.reloadTargets());
        printDiagnostics(gateway.reloadPolicy());
    });
    if (const auto admin = gateway.startAdmin(); admin) {
        qCInfo(Core::lcGateway).noquote() << "admin socket:" << *admin << "(tailops-gateway approvals list)";
    } else {
        qCWarning(Core::lcGateway).noquote() << "no admin socket:" << admin.error().toString()
                                             << "- approvals cannot be decided from the command line (set admin.socket)";
    }

    const bool stdio = parser.isSet(QStringLiteral("stdio"));
    if (stdio) {
        if (auto started = gateway.startStdio(); !started) {
            err(QStringLiteral("tailops-gateway: %1").arg(started.error().toString()));
            return 2;
        }
        QObject::connect(&gateway, &Service::GatewayService::stdioFinished, &gateway, [] { QCoreApplication::quit(); });
    }
    if (!stdio || !cliListen.isEmpty()) {
        auto urls = gateway.startHttp(parser.isSet(QStringLiteral("no-auth")));
        if (!urls) {
            err(QStringLiteral("tailops-gateway: %1").arg(urls.error().toString()));
            return 2;
        }
        if (parser.isSet(QStringLiteral("no-auth"))) {
            qCWarning(Core::lcAuth) << "authentication is OFF (--no-auth): any local process can call tools";
        }
        for (const QUrl &url : *urls) {
            err(QStringLiteral("listening on %1").arg(url.toString()));
        }
    }
    return QCoreApplication::exec();
}

int checkConfig(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    if (!parse(parser, QStringLiteral("check-config"), args)) {
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    }
    const QString dir = configDir(parser);
    out(QStringLiteral("config dir: %1").arg(dir));
    Config::Diagnostics diagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(dir, diagnostics);
    Registry::TargetRegistry registry;
    diagnostics += registry.load(config.targetsFile());
    printDiagnostics(diagnostics);
    const bool gatewayOk = std::none_of(diagnostics.cbegin(), diagnostics.cend(), [](const auto &d) {
        return d.isError() && d.file == u"gateway.yaml";
    });
    out(QStringLiteral("gateway.yaml: %1").arg(!QFileInfo::exists(config.gatewayFile()) ? QStringLiteral("absent (defaults: 127.0.0.1:8080, tokens required)")
                                                : gatewayOk                              ? QStringLiteral("OK")
                                                                                         : QStringLiteral("INVALID")));
    QStringList ids;
    for (const auto &t : registry.snapshot()->targets()) {
        ids.append(t.id);
    }
    out(QStringLiteral("targets.yaml: %1; valid targets: %2")
            .arg(QFileInfo::exists(config.targetsFile()) ? QStringLiteral("read") : QStringLiteral("absent (built-in local target)"),
                 ids.join(QStringLiteral(", "))));
    if (QFileInfo::exists(config.policyFile())) {
        Config::Diagnostics policyDiagnostics;
        const auto policy = Policy::loadPolicyFile(config.policyFile(), policyDiagnostics, Policy::LoadMode::Strict);
        printDiagnostics(policyDiagnostics);
        diagnostics += policyDiagnostics;
        if (!policy && !Config::hasErrors(policyDiagnostics)) {
            diagnostics.append({ Config::Diagnostic::Severity::Error, QStringLiteral("policy.yaml"), 0, 0, policy.error().message });
        }
        out(QStringLiteral("policy.yaml: %1").arg(policy ? QStringLiteral("OK, %1 rule(s), default %2")
                                                                 .arg((*policy)->rules().size())
                                                                 .arg(Policy::effectName((*policy)->defaultEffect()))
                                                           : QStringLiteral("INVALID (%1)").arg(policy.error().message)));
    } else {
        out(QStringLiteral("policy.yaml: absent (calls decided by token scopes x target capabilities)"));
    }
    const auto secret = Auth::loadSharedSecret(config.secretFile);
    out(QStringLiteral("shared secret: %1").arg(secret ? QStringLiteral("OK") : secret.error().message));
    const bool ok = !Config::hasErrors(diagnostics);
    out(ok ? QStringLiteral("configuration OK") : QStringLiteral("configuration has errors"));
    return ok ? 0 : 1;
}

int version(const QStringList &)
{
    out(QStringLiteral("tailops-gateway %1").arg(QStringLiteral(TAILOPS_VERSION)));
    return 0;
}

int usage(const QStringList &)
{
    out(QStringLiteral("usage: tailops-gateway COMMAND [OPTIONS]\n\n"
                       "commands:\n"
                       "  serve [--config-dir DIR] [--listen HOST:PORT]... [--stdio] [--no-auth]\n"
                       "  check-config [--config-dir DIR]\n"
                       "  doctor [--config-dir DIR] [--json] [--section NAME]  every troubleshooting check, with its fix\n"
                       "  token mint --agent NAME --scopes S1,S2 [--ttl 8h | --no-expiry] [--host-tags T1,T2]\n"
                       "  token list [--json] [--all] | token revoke ID|HASH [--reason TEXT]\n"
                       "  targets list|import-ssh-config|test|trust ... (see: tailops-gateway targets help)\n"
                       "  audit verify|export|tail|redact-test ...       (see: tailops-gateway audit --help)\n"
                       "  approvals list | approve ID [--for 10m] | deny ID [--remember] [--reason TEXT]\n"
                       "  pause | resume | read-only on|off               (the running gateway's switches)\n"
                       "  version\n\n"
                       "Run a command with --help for its options."));
    return 0;
}

} // namespace

int run(const QStringList &args)
{
    using Command = int (*)(const QStringList &);
    static const QHash<QString, Command> commands {
        { QStringLiteral("serve"), serve },
        { QStringLiteral("check-config"), checkConfig },
        { QStringLiteral("token"), runTokenCommand },
        { QStringLiteral("targets"), runTargetsCommand },
        { QStringLiteral("audit"), runAuditCommand },
        { QStringLiteral("approvals"), runApprovalsCommand },
        { QStringLiteral("doctor"), runDoctorCommand },
        { QStringLiteral("pause"), [](const QStringList &a) { return runSwitchCommand(QStringLiteral("pause"), a); } },
        { QStringLiteral("resume"), [](const QStringList &a) { return runSwitchCommand(QStringLiteral("resume"), a); } },
        { QStringLiteral("read-only"), [](const QStringList &a) { return runSwitchCommand(QStringLiteral("read-only"), a); } },
        { QStringLiteral("version"), version },
        { QStringLiteral("--version"), version },
        { QStringLiteral("help"), usage },
        { QStringLiteral("--help"), usage },
    };
    if (args.isEmpty()) {
        usage({});
        return 2;
    }
    // Two-word commands first ("token mint"), then one-word ones.
    if (args.size() >= 2) {
        if (const auto it = commands.constFind(args.at(0) + u' ' + args.at(1)); it != commands.cend()) {
            return (*it)(args.mid(2));
        }
    }
    if (const auto it = commands.constFind(args.at(0)); it != commands.cend()) {
        return (*it)(args.mid(1));
    }
    err(QStringLiteral("tailops-gateway: unknown command '%1' (try: tailops-gateway help)").arg(args.join(u' ')));
    return 2;
}

} // namespace Tailops::Cli
