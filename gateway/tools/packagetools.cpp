#include "packagetools.h"

#include "jsonschema.h"
#include "mcp/server.h"
#include "toolsupport.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace Tailops::Tools {

namespace {

using Mcp::Tool;
using Mcp::ToolContext;
using Mcp::ToolResult;

// The package managers the tools speak, found by their binaries on the target.
enum class Manager { Apt, Dnf, None };

QString managerName(Manager m)
{
    return m == Manager::Apt ? QStringLiteral("apt") : m == Manager::Dnf ? QStringLiteral("dnf") : QStringLiteral("none");
}

Manager detectManager(const ToolContext &ctx)
{
    for (const auto &[binary, manager] : { std::pair { QStringLiteral("/usr/bin/apt-get"), Manager::Apt },
                                           std::pair { QStringLiteral("/usr/bin/dnf"), Manager::Dnf } }) {
        const auto run = runOnTarget(ctx, { QStringLiteral("test"), QStringLiteral("-x"), binary }, 1024);
        if (run && run->exitCode == 0) {
            return manager;
        }
    }
    return Manager::None;
}

ToolResult noManager(const ToolContext &ctx, const QString &tool)
{
    return ToolResult::error(QStringLiteral("%1 on %2: no supported package manager (apt-get or dnf) found on the target")
                                 .arg(tool, ctx.target->id));
}

// The sudo prefix a package command needs: the executor adds "sudo -n" when the target allows it and the
// target does not log in as root.
bool wantSudo(const ToolContext &ctx)
{
    return ctx.target->sudoPolicy != u"none";
}

// apt-get -s (simulate) output: "Inst NAME [OLD] (NEW ...)" lines.
QJsonArray parseAptSimulation(const QByteArray &out)
{
    static const QRegularExpression inst(QStringLiteral(R"(^Inst (\S+)(?: \[([^\]]+)\])? \((\S+))"));
    QJsonArray list;
    for (const QByteArray &line : out.split('\n')) {
        const auto m = inst.match(QString::fromUtf8(line));
        if (m.hasMatch()) {
            list.append(QJsonObject { { QStringLiteral("name"), m.captured(1) },
                                      { QStringLiteral("current"), m.captured(2) },
                                      { QStringLiteral("available"), m.captured(3) } });
        }
    }
    return list;
}

// dnf check-update output: "NAME.ARCH  VERSION  REPO" rows after a blank line.
QJsonArray parseDnfCheckUpdate(const QByteArray &out)
{
    QJsonArray list;
    for (const QByteArray &line : out.split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() == 3 && f.at(0).contains('.') && !line.startsWith(' ')) {
            list.append(QJsonObject { { QStringLiteral("name"), QString::fromUtf8(f.at(0)) },
                                      { QStringLiteral("current"), QString() },
                                      { QStringLiteral("available"), QString::fromUtf8(f.at(1)) } });
        }
    }
    return list;
}

QJsonObject packageSchema()
{
    return Schema::object({ { QStringLiteral("name"), Schema::string(QStringLiteral("Package")) },
                            { QStringLiteral("current"), Schema::string(QStringLiteral("Installed version (empty: not installed)")) },
                            { QStringLiteral("available"), Schema::string(QStringLiteral("Version it would get")) } },
                          { QStringLiteral("name"), QStringLiteral("available") }, false);
}

// What upgrading (or installing PACKAGES) would change, from the package manager's own simulation: nothing
// is changed by it.
Core::Result<QJsonArray> simulate(const ToolContext &ctx, Manager manager, const QString &tool, const QStringList &packages)
{
    QStringList argv;
    std::function<bool(int)> accept;
    if (manager == Manager::Apt) {
        argv = { QStringLiteral("apt-get"), QStringLiteral("-s"), QStringLiteral("-q") };
        argv += packages.isEmpty() ? QStringList { QStringLiteral("upgrade") }
                                   : QStringList { QStringLiteral("install"), QStringLiteral("--") } + packages;
    } else {
        argv = packages.isEmpty() ? QStringList { QStringLiteral("dnf"), QStringLiteral("-q"), QStringLiteral("check-update") }
                                  : QStringList { QStringLiteral("dnf"), QStringLiteral("-q"), QStringLiteral("--assumeno"),
                                                  QStringLiteral("install"), QStringLiteral("--") } + packages;
        accept = [](int code) { return code == 0 || code == 100 || code == 1; }; // 100: updates available; 1: --assumeno
    }
    const Ran ran = runChecked(ctx, tool, argv, 0, accept);
    if (!ran) {
        return Core::fail(ran.error->text);
    }
    return manager == Manager::Apt ? parseAptSimulation(ran->stdoutData) : parseDnfCheckUpdate(ran->stdoutData);
}

QJsonObject packageNameSchema()
{
    QJsonObject s = Schema::string(QStringLiteral("Package name (Debian/RPM naming: letters, digits, + - . :)"));
    s.insert(QStringLiteral("pattern"), QStringLiteral("^[a-z0-9][a-z0-9+.:_-]{0,127}$"));
    return s;
}

Tool checkUpdates()
{
    Tool t;
    t.name = QStringLiteral("check_system_updates");
    t.title = QStringLiteral("Check for updates");
    t.description = QStringLiteral("The packages an upgrade would change on a target, from the package manager's own "
                                   "simulation (apt-get -s upgrade, dnf check-update) against its current package "
                                   "lists. Changes nothing.");
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() } });
    t.outputSchema = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                      { QStringLiteral("manager"), Schema::string(QStringLiteral("apt or dnf")) },
                                      { QStringLiteral("updates"), Schema::array(packageSchema()) } },
                                    { QStringLiteral("target"), QStringLiteral("manager"), QStringLiteral("updates") });
    t.annotations = { true, false, true, false };
    t.scope = QStringLiteral("system:read");
    t.run = [](const ToolContext &ctx) {
        const QString tool = QStringLiteral("check_system_updates");
        if (auto refused = requireExecutor(ctx, tool)) {
            return *refused;
        }
        const Manager manager = detectManager(ctx);
        if (manager == Manager::None) {
            return noManager(ctx, tool);
        }
        const auto updates = simulate(ctx, manager, tool, {});
        if (!updates) {
            return ToolResult::error(updates.error().message);
        }
        QStringList names;
        for (const QJsonValue &u : *updates) {
            names.append(u.toObject().value(QStringLiteral("name")).toString());
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id }, { QStringLiteral("manager"), managerName(manager) },
                                     { QStringLiteral("updates"), *updates } };
        r.text = QStringLiteral("%1 (%2): %3 update(s)%4")
                     .arg(ctx.target->id, managerName(manager))
                     .arg(updates->size())
                     .arg(names.isEmpty() ? QString() : QString(QStringLiteral(": ") + names.join(QStringLiteral(", "))));
        return r;
    };
    return t;
}

// install_package and update_system_packages: admin tier, critical, approval on every call; dry_run runs the
// package manager's simulation instead and reports the exact argv that would run.
Tool packageChange(bool install)
{
    Tool t;
    t.name = install ? QStringLiteral("install_package") : QStringLiteral("update_system_packages");
    t.title = install ? QStringLiteral("Install a package") : QStringLiteral("Upgrade all packages");
    t.description = install ? QStringLiteral("Install one package on a target (apt-get or dnf, non-interactive). Admin "
                                             "tier: every call waits for a human's approval. dry_run simulates it and "
                                             "lists what would change.")
                            : QStringLiteral("Upgrade every package of a target (apt-get upgrade or dnf upgrade, "
                                             "non-interactive). Admin tier: every call waits for a human's approval. "
                                             "dry_run simulates it and lists what would change.");
    QJsonObject props = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                         { QStringLiteral("dry_run"), Schema::boolean(QStringLiteral("Only simulate")) } });
    if (install) {
        QJsonObject p = props.value(QStringLiteral("properties")).toObject();
        p.insert(QStringLiteral("package"), packageNameSchema());
        props.insert(QStringLiteral("properties"), p);
        props.insert(QStringLiteral("required"), QJsonArray { QStringLiteral("package") });
    }
    t.inputSchema = props;
    t.outputSchema = withDryRunOutput(Schema::object(
        { { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
          { QStringLiteral("manager"), Schema::string(QStringLiteral("apt or dnf")) },
          { QStringLiteral("changes"), Schema::array(packageSchema(), QStringLiteral("What the simulation said would change")) },
          { QStringLiteral("exit_code"), Schema::integer(QStringLiteral("Exit status of the package manager")) },
          { QStringLiteral("output"), Schema::string(QStringLiteral("Its output (tail)")) } },
        { QStringLiteral("target"), QStringLiteral("manager"), QStringLiteral("dry_run") }));
    t.annotations = { false, install ? false : true, true, true };
    t.scope = QStringLiteral("system:admin");
    t.tier = Mcp::Tier::Admin;
    t.risk = Mcp::Risk::Critical;
    t.approvalRequired = true;
    t.run = [install, name = t.name](const ToolContext &ctx) {
        if (auto refused = requireExecutor(ctx, name)) {
            return *refused;
        }
        const Manager manager = detectManager(ctx);
        if (manager == Manager::None) {
            return noManager(ctx, name);
        }
        const QString package = ctx.arguments.value(QStringLiteral("package")).toString();
        QStringList argv;
        if (manager == Manager::Apt) {
            argv = { QStringLiteral("env"), QStringLiteral("DEBIAN_FRONTEND=noninteractive"), QStringLiteral("apt-get"),
                     QStringLiteral("-y"), QStringLiteral("-q"), QStringLiteral("-o"), QStringLiteral("Dpkg::Options::=--force-confold") };
            argv += install ? QStringList { QStringLiteral("install"), QStringLiteral("--no-install-recommends"), QStringLiteral("--"), package }
                            : QStringList { QStringLiteral("upgrade") };
        } else {
            argv = { QStringLiteral("dnf"), QStringLiteral("-y"), QStringLiteral("-q") };
            argv += install ? QStringList { QStringLiteral("install"), QStringLiteral("--"), package } : QStringList { QStringLiteral("upgrade") };
        }
        const auto changes = simulate(ctx, manager, name, install ? QStringList { package } : QStringList());
        if (!changes) {
            return ToolResult::error(changes.error().message);
        }
        const QJsonObject common { { QStringLiteral("manager"), managerName(manager) }, { QStringLiteral("changes"), *changes } };
        if (isDryRun(ctx)) {
            ToolResult r = dryRunResult(ctx, name, { argv }, common);
            r.text += QStringLiteral("\nthe simulation changes %1 package(s)").arg(changes->size());
            return r;
        }
        // Package managers take their time: up to 30 minutes, whatever the target's default timeout.
        const auto run = runOnTarget(ctx, argv, 0, std::max<qint64>(ctx.target->timeoutSeconds, 1800) * 1000, wantSudo(ctx));
        if (!run) {
            return ToolResult::error(run.error().message);
        }
        const QString output = QString::fromUtf8(run->stdoutData + run->stderrData).right(4000);
        QJsonObject structured = common;
        structured.insert(QStringLiteral("target"), ctx.target->id);
        structured.insert(QStringLiteral("dry_run"), false);
        structured.insert(QStringLiteral("exit_code"), run->exitCode);
        structured.insert(QStringLiteral("output"), output);
        ToolResult r;
        r.structured = structured;
        r.isError = run->exitCode != 0;
        r.exitCode = run->exitCode;
        r.text = QStringLiteral("%1 on %2: %3 exited with %4\n%5")
                     .arg(name, ctx.target->id, argvText(argv))
                     .arg(run->exitCode)
                     .arg(untrusted(QStringLiteral("package manager output"), output));
        return r;
    };
    return t;
}

} // namespace

void registerPackageTools(Mcp::Server &server)
{
    server.addTool(checkUpdates());
    server.addTool(packageChange(true));
    server.addTool(packageChange(false));
}

} // namespace Tailops::Tools
