#include "targetcommands.h"

#include "clisupport.h"
#include "config/gatewayconfig.h"
#include "registry/sshconfigimport.h"
#include "registry/targetregistry.h"
#include "registry/targetsfile.h"
#include "connectivity/connectivitychecker.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

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

struct Loaded
{
    Config::GatewayConfig config;
    Registry::TargetSetPtr targets;
    Config::Diagnostics diagnostics;
};

Loaded loadAll(const QCommandLineParser &parser)
{
    Loaded l;
    l.config = Config::loadGatewayConfig(configDir(parser), l.diagnostics);
    Registry::TargetRegistry registry;
    l.diagnostics += registry.load(l.config.targetsFile());
    l.targets = registry.snapshot();
    return l;
}

int test(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("all"), QStringLiteral("Test every target (the default without ids).") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the results as JSON.") });
    parser.addOption({ QStringLiteral("timeout"), QStringLiteral("Seconds per check (default 10)."), QStringLiteral("S"), QStringLiteral("10") });
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("Targets to test."), QStringLiteral("[ID...]"));
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("targets test"), args, &code)) {
        return code;
    }
    const Loaded l = loadAll(parser);
    printDiagnostics(l.diagnostics);
    QList<Registry::Target> chosen;
    const QStringList ids = parser.positionalArguments();
    if (ids.isEmpty() || parser.isSet(QStringLiteral("all"))) {
        chosen = l.targets->targets();
    }
    for (const QString &id : ids) {
        const auto *t = l.targets->find(id);
        if (!t) {
            printErr(QStringLiteral("Target not found in registry: '%1'").arg(id));
            return 2;
        }
        chosen.append(*t);
    }
    Connectivity::CheckOptions options;
    options.ssh.knownHostsFile = l.config.knownHostsFile;
    options.timeoutMs = std::max(1, parser.value(QStringLiteral("timeout")).toInt()) * 1000;
    const QList<Connectivity::TargetReport> reports = Connectivity::checkTargets(chosen, options);
    bool allOk = true;
    QJsonArray json;
    for (const auto &r : reports) {
        allOk = allOk && r.ok;
        json.append(r.toJson());
        if (parser.isSet(QStringLiteral("json"))) {
            continue;
        }
        printOut(QStringLiteral("%1 (%2): %3%4").arg(r.target, r.executor, r.ok ? QStringLiteral("OK") : QStringLiteral("FAILED"),
                                                  r.latencyMs >= 0 ? QStringLiteral(", %1 ms").arg(r.latencyMs) : QString()));
        for (const auto &c : r.checks) {
            printOut(QStringLiteral("  [%1] %2: %3").arg(c.ok ? QStringLiteral(" ok ") : QStringLiteral("FAIL"), c.name, c.detail));
            if (!c.ok) {
                printOut(QStringLiteral("         cause: %1").arg(c.cause));
                printOut(QStringLiteral("         fix:   %1").arg(c.fix));
            }
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(QJsonObject { { QStringLiteral("results"), json } }).toJson(QJsonDocument::Indented)).trimmed());
    }
    return allOk ? 0 : 1;
}

int trust(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("yes"), QStringLiteral("Do not ask; record the key shown.") });
    parser.addOption({ QStringLiteral("fingerprint"), QStringLiteral("Record only if the key has this SHA256 fingerprint."),
                       QStringLiteral("SHA256:...") });
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The ssh target."));
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("targets trust"), args, &code)) {
        return code;
    }
    if (parser.positionalArguments().size() != 1) {
        printErr(QStringLiteral("tailops-gateway targets trust: name one target id"));
        return 2;
    }
    const Loaded l = loadAll(parser);
    const QString id = parser.positionalArguments().constFirst();
    const auto *t = l.targets->find(id);
    if (!t) {
        printErr(QStringLiteral("Target not found in registry: '%1'").arg(id));
        return 2;
    }
    if (t->executor != Registry::Executor::Ssh) {
        printErr(QStringLiteral("target '%1' is not an ssh target").arg(id));
        return 2;
    }
    Exec::SshOptions ssh;
    ssh.knownHostsFile = l.config.knownHostsFile;
    const auto key = Exec::fetchHostKey(*t, ssh);
    if (!key) {
        printErr(QStringLiteral("tailops-gateway targets trust: %1").arg(key.error().message));
        return 1;
    }
    printOut(QStringLiteral("%1 presents %2 %3 (%4 in %5)")
                 .arg(key->hostPort, key->keyType, key->fingerprint, Exec::hostKeyStatusName(key->status), key->knownHostsFile));
    if (key->status == Exec::HostKeyStatus::Known) {
        printOut(QStringLiteral("already trusted"));
        return 0;
    }
    QString expected = parser.value(QStringLiteral("fingerprint"));
    if (expected.isEmpty() && !parser.isSet(QStringLiteral("yes"))) {
        std::fprintf(stdout, "Compare it with the host's own key (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the "
                             "target). Record it? [y/N] ");
        std::fflush(stdout);
        char answer[16] = {};
        if (!std::fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
            printOut(QStringLiteral("not recorded"));
            return 1;
        }
    }
    if (expected.isEmpty()) {
        expected = key->fingerprint; // the key the user just saw; refuse if another one shows up now
    }
    if (auto recorded = Exec::trustHostKey(*t, ssh, expected); !recorded) {
        printErr(QStringLiteral("tailops-gateway targets trust: %1").arg(recorded.error().message));
        return 1;
    }
    printOut(QStringLiteral("recorded %1 for %2 in %3").arg(key->fingerprint, key->hostPort, key->knownHostsFile));
    return 0;
}

int help(const QStringList &)
{
    printOut(QStringLiteral("usage: tailops-gateway targets COMMAND\n\n"
                            "  list [--config-dir DIR]                       the targets and where they are\n"
                            "  import-ssh-config [FILE] [--write]            ~/.ssh/config hosts as targets\n"
                            "  test [ID...|--all] [--json] [--timeout S]     connectivity checks, with cause and fix\n"
                            "  trust ID [--yes|--fingerprint SHA256:...]     record an ssh target's host key\n"));
    return 0;
}

} // namespace

int runTargetsCommand(const QStringList &args)
{
    using Command = int (*)(const QStringList &);
    static const QHash<QString, Command> commands {
        { QStringLiteral("list"), list },
        { QStringLiteral("import-ssh-config"), importSshConfig },
        { QStringLiteral("test"), test },
        { QStringLiteral("trust"), trust },
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
