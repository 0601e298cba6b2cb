#include "targetcommands.h"

#include "clisupport.h"
#include "config/gatewayconfig.h"
#include "registry/sshconfigimport.h"
#include "registry/targetregistry.h"
#include "registry/targetsfile.h"

#include <QDir>
#include <QHash>

namespace Tailops::Cli {

namespace {

int list(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("targets list"), args, &code)) {
        return code;
    }
    Config::Diagnostics diagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), diagnostics);
    Registry::TargetRegistry registry;
    diagnostics += registry.load(config.targetsFile());
    printDiagnostics(diagnostics);
    for (const auto &t : registry.snapshot()->targets()) {
        const QString where = t.executor == Registry::Executor::Ssh
            ? QStringLiteral("%1@%2:%3").arg(t.username.isEmpty() ? QStringLiteral("(you)") : t.username, t.host).arg(t.port)
            : !t.socketPath.isEmpty() ? t.socketPath
            : !t.url.isEmpty()        ? t.url
                                      : QStringLiteral("this machine");
        printOut(QStringLiteral("%1\t%2\t%3\t%4").arg(t.id, Registry::executorName(t.executor), where, t.tags.join(u',')));
    }
    return Config::hasErrors(diagnostics) ? 1 : 0;
}

int importSshConfig(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("write"), QStringLiteral("Add the hosts to targets.yaml (keeps a .bak) instead of "
                                                               "printing them.") });
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("ssh config file (default ~/.ssh/config)."));
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("targets import-ssh-config"), args, &code)) {
        return code;
    }
    const QString home = QDir::homePath();
    const QString file = parser.positionalArguments().value(0, home + QStringLiteral("/.ssh/config"));
    Config::Diagnostics diagnostics;
    const QList<Registry::Target> targets = Registry::importSshConfig(file, home, diagnostics);
    printDiagnostics(diagnostics);
    if (Config::hasErrors(diagnostics)) {
        return 1;
    }
    if (targets.isEmpty()) {
        printErr(QStringLiteral("no hosts to import in %1 (wildcard patterns are skipped)").arg(file));
        return 1;
    }
    if (!parser.isSet(QStringLiteral("write"))) {
        printOut(QString::fromUtf8(Registry::targetsToYaml(targets)).trimmed());
        return 0;
    }
    Config::Diagnostics configDiagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), configDiagnostics);
    QDir().mkpath(config.configDir);
    QStringList skipped;
    if (auto written = Registry::appendTargets(config.targetsFile(), targets, &skipped); !written) {
        printErr(QStringLiteral("tailops-gateway targets import-ssh-config: %1").arg(written.error().message));
        return 1;
    }
    printOut(QStringLiteral("added %1 target(s) to %2").arg(targets.size() - skipped.size()).arg(config.targetsFile()));
    if (!skipped.isEmpty()) {
        printOut(QStringLiteral("already present, left as they are: %1").arg(skipped.join(QStringLiteral(", "))));
    }
    printOut(QStringLiteral("next: tailops-gateway targets trust ID (records each host key after you check it)"));
    return 0;
}

int help(const QStringList &)
{
    printOut(QStringLiteral("usage: tailops-gateway targets COMMAND\n\n"
                            "  list [--config-dir DIR]                       the targets and where they are\n"
                            "  import-ssh-config [FILE] [--write]            ~/.ssh/config hosts as targets\n"));
    return 0;
}

} // namespace

int runTargetsCommand(const QStringList &args)
{
    using Command = int (*)(const QStringList &);
    static const QHash<QString, Command> commands {
        { QStringLiteral("list"), list },
        { QStringLiteral("import-ssh-config"), importSshConfig },
        { QStringLiteral("help"), help },
    };
    const auto it = commands.constFind(args.value(0));
    if (it == commands.cend()) {
        printErr(QStringLiteral("tailops-gateway targets: unknown command '%1'").arg(args.value(0)));
        help({});
        return 2;
    }
    return (*it)(args.mid(1));
}

} // namespace Tailops::Cli
