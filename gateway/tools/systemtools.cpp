#include "systemtools.h"

#include "jsonschema.h"
#include "mcp/server.h"
#include "systemstatus.h"
#include "toolsupport.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace Tailops::Tools {

namespace {

using Mcp::Tool;
using Mcp::ToolContext;
using Mcp::ToolResult;

Tool systemTool(const QString &name, const QString &title, const QString &description, const QString &scope)
{
    Tool t;
    t.name = name;
    t.title = title;
    t.description = description;
    t.annotations = { true, false, true, false };
    t.scope = scope;
    return t;
}

// `ps` rows: pid, ppid, user, %cpu, %mem, rss (KiB), elapsed seconds, then the command line.
Core::Result<QJsonArray> parsePs(const QByteArray &out)
{
    QJsonArray rows;
    for (const QByteArray &line : out.split('\n')) {
        const QByteArray s = line.simplified();
        if (s.isEmpty()) {
            continue;
        }
        const QList<QByteArray> f = s.split(' ');
        if (f.size() < 8) {
            continue;
        }
        bool ok = false;
        const int pid = f.at(0).toInt(&ok);
        if (!ok) {
            return Core::fail(QStringLiteral("unexpected ps output: %1").arg(QString::fromUtf8(s.left(120))));
        }
        const QString command = QString::fromUtf8(f.mid(7).join(' '));
        rows.append(QJsonObject { { QStringLiteral("pid"), pid },
                                  { QStringLiteral("ppid"), f.at(1).toInt() },
                                  { QStringLiteral("user"), QString::fromUtf8(f.at(2)) },
                                  { QStringLiteral("cpu_percent"), f.at(3).toDouble() },
                                  { QStringLiteral("memory_percent"), f.at(4).toDouble() },
                                  { QStringLiteral("rss_bytes"), f.at(5).toDouble() * 1024 },
                                  { QStringLiteral("elapsed_seconds"), f.at(6).toDouble() },
                                  { QStringLiteral("command"), command.left(512) } });
    }
    return rows;
}

Tool topProcesses()
{
    Tool t = systemTool(QStringLiteral("get_top_processes"), QStringLiteral("Top processes"),
                        QStringLiteral("The processes using the most CPU or memory on a target: pid, user, CPU %, "
                                       "memory %, RSS, running time and command line (untrusted)."),
                        QStringLiteral("system:read"));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                     { QStringLiteral("sort_by"), Schema::oneOf({ QStringLiteral("cpu"), QStringLiteral("memory") },
                                                                                QStringLiteral("Order (default cpu)")) },
                                     { QStringLiteral("limit"), Schema::integer(QStringLiteral("How many (default 10)"), 1, 100) } });
    const QJsonObject process = Schema::object(
        { { QStringLiteral("pid"), Schema::integer(QStringLiteral("Process id")) },
          { QStringLiteral("ppid"), Schema::integer(QStringLiteral("Parent")) },
          { QStringLiteral("user"), Schema::string(QStringLiteral("User")) },
          { QStringLiteral("cpu_percent"), Schema::number(QStringLiteral("CPU %, averaged over its life")) },
          { QStringLiteral("memory_percent"), Schema::number(QStringLiteral("Memory %")) },
          { QStringLiteral("rss_bytes"), Schema::number(QStringLiteral("Resident memory")) },
          { QStringLiteral("elapsed_seconds"), Schema::number(QStringLiteral("Running for")) },
          { QStringLiteral("command"), Schema::string(QStringLiteral("Command line")) } },
        { QStringLiteral("pid"), QStringLiteral("cpu_percent"), QStringLiteral("memory_percent"), QStringLiteral("command") }, false);
    t.outputSchema = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                      { QStringLiteral("sort_by"), Schema::string(QStringLiteral("cpu or memory")) },
                                      { QStringLiteral("processes"), Schema::array(process) } },
                                    { QStringLiteral("target"), QStringLiteral("sort_by"), QStringLiteral("processes") });
    t.run = [](const ToolContext &ctx) {
        const QString tool = QStringLiteral("get_top_processes");
        if (auto refused = requireExecutor(ctx, tool)) {
            return *refused;
        }
        const QString sortBy = ctx.arguments.value(QStringLiteral("sort_by")).toString(QStringLiteral("cpu"));
        const qint64 limit = ctx.arguments.value(QStringLiteral("limit")).toInteger(10);
        const QStringList argv { QStringLiteral("ps"), QStringLiteral("-eo"),
                                 QStringLiteral("pid=,ppid=,user:32=,pcpu=,pmem=,rss=,etimes=,args="),
                                 sortBy == u"memory" ? QStringLiteral("--sort=-rss") : QStringLiteral("--sort=-pcpu") };
        const Ran ran = runChecked(ctx, tool, argv);
        if (!ran) {
            return *ran.error;
        }
        auto rows = parsePs(ran->stdoutData);
        if (!rows) {
            return ToolResult::error(QStringLiteral("%1 on %2: %3").arg(tool, ctx.target->id, rows.error().message));
        }
        QJsonArray top;
        QStringList lines;
        for (qsizetype i = 0; i < rows->size() && i < limit; ++i) {
            const QJsonObject p = rows->at(i).toObject();
            top.append(p);
            lines.append(QStringLiteral("%1 %2 cpu %3% mem %4% %5")
                             .arg(p.value(QStringLiteral("pid")).toInt())
                             .arg(p.value(QStringLiteral("user")).toString())
                             .arg(p.value(QStringLiteral("cpu_percent")).toDouble())
                             .arg(p.value(QStringLiteral("memory_percent")).toDouble())
                             .arg(p.value(QStringLiteral("command")).toString().left(120)));
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id }, { QStringLiteral("sort_by"), sortBy },
                                     { QStringLiteral("processes"), top } };
        r.text = QStringLiteral("top %1 processes by %2 on %3\n%4")
                     .arg(top.size())
                     .arg(sortBy, ctx.target->id, untrusted(QStringLiteral("process list"), lines.join(u'\n')));
        return r;
    };
    return t;
}

// `df -P -k` (and -i) rows keyed by mount point.
struct DfRow
{
    QString device;
    QString mount;
    double total = 0;
    double used = 0;
    double available = 0;
};

QList<DfRow> parseDf(const QByteArray &out, double unit)
{
    QList<DfRow> rows;
    const QList<QByteArray> lines = out.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines.at(i).simplified().split(' ');
        if (f.size() < 6) {
            continue;
        }
        rows.append({ QString::fromUtf8(f.at(0)), QString::fromUtf8(f.mid(5).join(' ')), f.at(1).toDouble() * unit,
                      f.at(2).toDouble() * unit, f.at(3).toDouble() * unit });
    }
    return rows;
}

double percentOf(double used, double total)
{
    return total > 0 ? std::round(1000.0 * used / total) / 10.0 : 0.0;
}

Tool diskUsage()
{
    Tool t = systemTool(QStringLiteral("get_disk_usage"), QStringLiteral("Disk usage"),
                        QStringLiteral("Space and inodes per mounted file system on a target (df), or for the file "
                                       "system holding `path`. Pseudo file systems are left out."),
                        QStringLiteral("system:read"));
    QJsonObject path = Schema::string(QStringLiteral("Only the file system holding this absolute path"));
    path.insert(QStringLiteral("maxLength"), 1024);
    t.pathArguments = { QStringLiteral("path") };
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() }, { QStringLiteral("path"), path } });
    const QJsonObject fs = Schema::object(
        { { QStringLiteral("mount"), Schema::string(QStringLiteral("Mount point")) },
          { QStringLiteral("device"), Schema::string(QStringLiteral("Device")) },
          { QStringLiteral("total_bytes"), Schema::number(QStringLiteral("Size")) },
          { QStringLiteral("used_bytes"), Schema::number(QStringLiteral("Used")) },
          { QStringLiteral("free_bytes"), Schema::number(QStringLiteral("Available to unprivileged users")) },
          { QStringLiteral("percent"), Schema::number(QStringLiteral("Used %")) },
          { QStringLiteral("inodes_total"), Schema::number(QStringLiteral("Inodes")) },
          { QStringLiteral("inodes_used"), Schema::number(QStringLiteral("Inodes used")) },
          { QStringLiteral("inodes_percent"), Schema::number(QStringLiteral("Inodes used %")) } },
        { QStringLiteral("mount"), QStringLiteral("total_bytes"), QStringLiteral("used_bytes"), QStringLiteral("free_bytes"),
          QStringLiteral("percent") },
        false);
    t.outputSchema = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                      { QStringLiteral("filesystems"), Schema::array(fs) } },
                                    { QStringLiteral("target"), QStringLiteral("filesystems") });
    t.run = [](const ToolContext &ctx) {
        const QString tool = QStringLiteral("get_disk_usage");
        if (auto refused = requireExecutor(ctx, tool)) {
            return *refused;
        }
        QStringList space { QStringLiteral("df"), QStringLiteral("-P"), QStringLiteral("-k") };
        QStringList inodes { QStringLiteral("df"), QStringLiteral("-P"), QStringLiteral("-i") };
        const QString only = ctx.arguments.value(QStringLiteral("path")).toString();
        if (!only.isEmpty()) {
            space += { QStringLiteral("--"), only };
            inodes += { QStringLiteral("--"), only };
        }
        const Ran bytes = runChecked(ctx, tool, space);
        if (!bytes) {
            return *bytes.error;
        }
        // Some file systems have no inodes (df -i exits 0 with zeros); a failure here is not fatal.
        const auto counts = runOnTarget(ctx, inodes);
        QHash<QString, DfRow> inodeRows;
        if (counts && counts->exitCode == 0) {
            for (const DfRow &row : parseDf(counts->stdoutData, 1)) {
                inodeRows.insert(row.mount, row);
            }
        }
        static const QStringList pseudo { QStringLiteral("tmpfs"), QStringLiteral("devtmpfs"), QStringLiteral("overlay"),
                                          QStringLiteral("shm"), QStringLiteral("udev"), QStringLiteral("none"),
                                          QStringLiteral("proc"), QStringLiteral("sysfs") };
        QJsonArray list;
        QStringList lines;
        for (const DfRow &row : parseDf(bytes->stdoutData, 1024)) {
            if (only.isEmpty() && (row.total <= 0 || pseudo.contains(row.device))) {
                continue;
            }
            QJsonObject o { { QStringLiteral("mount"), row.mount },
                            { QStringLiteral("device"), row.device },
                            { QStringLiteral("total_bytes"), row.total },
                            { QStringLiteral("used_bytes"), row.used },
                            { QStringLiteral("free_bytes"), row.available },
                            { QStringLiteral("percent"), percentOf(row.used, row.used + row.available) } };
            if (const auto it = inodeRows.constFind(row.mount); it != inodeRows.cend() && it->total > 0) {
                o.insert(QStringLiteral("inodes_total"), it->total);
                o.insert(QStringLiteral("inodes_used"), it->used);
                o.insert(QStringLiteral("inodes_percent"), percentOf(it->used, it->total));
            }
            list.append(o);
            lines.append(QStringLiteral("%1 %2% used (%3 GiB free)")
                             .arg(row.mount)
                             .arg(o.value(QStringLiteral("percent")).toDouble())
                             .arg(row.available / (1024.0 * 1024 * 1024), 0, 'f', 1));
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id }, { QStringLiteral("filesystems"), list } };
        r.text = QStringLiteral("%1: %2 file system(s)\n%3").arg(ctx.target->id).arg(list.size()).arg(lines.join(u'\n'));
        return r;
    };
    return t;
}

// /proc/net/dev: per-interface byte, packet, error and drop counters.
QJsonArray parseNetDev(const QByteArray &text)
{
    QJsonArray out;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0) {
            continue;
        }
        const QList<QByteArray> f = line.mid(colon + 1).simplified().split(' ');
        if (f.size() < 16) {
            continue;
        }
        out.append(QJsonObject { { QStringLiteral("name"), QString::fromUtf8(line.left(colon).trimmed()) },
                                 { QStringLiteral("rx_bytes"), f.at(0).toDouble() },
                                 { QStringLiteral("rx_packets"), f.at(1).toDouble() },
                                 { QStringLiteral("rx_errors"), f.at(2).toDouble() },
                                 { QStringLiteral("rx_dropped"), f.at(3).toDouble() },
                                 { QStringLiteral("tx_bytes"), f.at(8).toDouble() },
                                 { QStringLiteral("tx_packets"), f.at(9).toDouble() },
                                 { QStringLiteral("tx_errors"), f.at(10).toDouble() },
                                 { QStringLiteral("tx_dropped"), f.at(11).toDouble() } });
    }
    return out;
}

// `ss -H -tuln`: protocol, state, local address:port.
QJsonArray parseListening(const QByteArray &text)
{
    QJsonArray out;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() < 5) {
            continue;
        }
        const QByteArray local = f.at(4);
        const qsizetype colon = local.lastIndexOf(':');
        if (colon < 0) {
            continue;
        }
        QByteArray address = local.left(colon);
        if (address.startsWith('[') && address.endsWith(']')) {
            address = address.mid(1, address.size() - 2);
        }
        out.append(QJsonObject { { QStringLiteral("protocol"), QString::fromUtf8(f.at(0)) },
                                 { QStringLiteral("address"), QString::fromUtf8(address) },
                                 { QStringLiteral("port"), local.mid(colon + 1).toInt() } });
    }
    return out;
}

Tool networkStatus()
{
    Tool t = systemTool(QStringLiteral("get_network_status"), QStringLiteral("Network status"),
                        QStringLiteral("Interfaces with their addresses, state and traffic counters, and the listening "
                                       "TCP/UDP sockets of a target."),
                        QStringLiteral("network:read"));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() } });
    const QJsonObject iface = Schema::object({ { QStringLiteral("name"), Schema::string(QStringLiteral("Interface")) },
                                               { QStringLiteral("state"), Schema::string(QStringLiteral("UP, DOWN, UNKNOWN")) },
                                               { QStringLiteral("mtu"), Schema::integer(QStringLiteral("MTU")) },
                                               { QStringLiteral("addresses"), Schema::array(Schema::string(QStringLiteral("address/prefix"))) },
                                               { QStringLiteral("rx_bytes"), Schema::number(QStringLiteral("Received")) },
                                               { QStringLiteral("tx_bytes"), Schema::number(QStringLiteral("Sent")) },
                                               { QStringLiteral("rx_errors"), Schema::number(QStringLiteral("Receive errors")) },
                                               { QStringLiteral("tx_errors"), Schema::number(QStringLiteral("Send errors")) } },
                                             { QStringLiteral("name"), QStringLiteral("addresses") }, false);
    const QJsonObject socket = Schema::object({ { QStringLiteral("protocol"), Schema::string(QStringLiteral("tcp or udp")) },
                                                { QStringLiteral("address"), Schema::string(QStringLiteral("Local address")) },
                                                { QStringLiteral("port"), Schema::integer(QStringLiteral("Port")) } },
                                              { QStringLiteral("protocol"), QStringLiteral("address"), QStringLiteral("port") }, false);
    t.outputSchema = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                      { QStringLiteral("interfaces"), Schema::array(iface) },
                                      { QStringLiteral("listening"), Schema::array(socket) } },
                                    { QStringLiteral("target"), QStringLiteral("interfaces"), QStringLiteral("listening") });
    t.run = [](const ToolContext &ctx) {
        const QString tool = QStringLiteral("get_network_status");
        if (auto refused = requireExecutor(ctx, tool)) {
            return *refused;
        }
        const Ran addr = runChecked(ctx, tool, { QStringLiteral("ip"), QStringLiteral("-j"), QStringLiteral("addr"), QStringLiteral("show") });
        if (!addr) {
            return *addr.error;
        }
        const Ran dev = runChecked(ctx, tool, { QStringLiteral("cat"), QStringLiteral("/proc/net/dev") });
        if (!dev) {
            return *dev.error;
        }
        const Ran ss = runChecked(ctx, tool, { QStringLiteral("ss"), QStringLiteral("-H"), QStringLiteral("-tuln") });
        if (!ss) {
            return *ss.error;
        }
        QHash<QString, QJsonObject> counters;
        for (const QJsonValue &c : parseNetDev(dev->stdoutData)) {
            counters.insert(c.toObject().value(QStringLiteral("name")).toString(), c.toObject());
        }
        QJsonArray interfaces;
        QStringList lines;
        for (const QJsonValue &v : QJsonDocument::fromJson(addr->stdoutData).array()) {
            const QJsonObject i = v.toObject();
            const QString name = i.value(QStringLiteral("ifname")).toString();
            QJsonArray addresses;
            for (const QJsonValue &a : i.value(QStringLiteral("addr_info")).toArray()) {
                addresses.append(QStringLiteral("%1/%2").arg(a.toObject().value(QStringLiteral("local")).toString())
                                     .arg(a.toObject().value(QStringLiteral("prefixlen")).toInt()));
            }
            const QJsonObject c = counters.value(name);
            interfaces.append(QJsonObject { { QStringLiteral("name"), name },
                                            { QStringLiteral("state"), i.value(QStringLiteral("operstate")).toString() },
                                            { QStringLiteral("mtu"), i.value(QStringLiteral("mtu")).toInt() },
                                            { QStringLiteral("addresses"), addresses },
                                            { QStringLiteral("rx_bytes"), c.value(QStringLiteral("rx_bytes")).toDouble() },
                                            { QStringLiteral("tx_bytes"), c.value(QStringLiteral("tx_bytes")).toDouble() },
                                            { QStringLiteral("rx_errors"), c.value(QStringLiteral("rx_errors")).toDouble() },
                                            { QStringLiteral("tx_errors"), c.value(QStringLiteral("tx_errors")).toDouble() } });
            QStringList addressTexts;
            for (const QJsonValue &a : std::as_const(addresses)) {
                addressTexts.append(a.toString());
            }
            lines.append(QStringLiteral("%1 %2 %3").arg(name, i.value(QStringLiteral("operstate")).toString(),
                                                        addressTexts.join(u' ')));
        }
        const QJsonArray listening = parseListening(ss->stdoutData);
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id }, { QStringLiteral("interfaces"), interfaces },
                                     { QStringLiteral("listening"), listening } };
        r.text = QStringLiteral("%1: %2 interface(s), %3 listening socket(s)\n%4")
                     .arg(ctx.target->id)
                     .arg(interfaces.size())
                     .arg(listening.size())
                     .arg(lines.join(u'\n'));
        return r;
    };
    return t;
}

// The status of one health check: ok, warning or critical, with what was measured and the threshold.
QJsonObject check(const QString &name, const QString &status, const QString &detail)
{
    return QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("status"), status }, { QStringLiteral("detail"), detail } };
}

QString worst(const QJsonArray &checks)
{
    QString overall = QStringLiteral("ok");
    for (const QJsonValue &c : checks) {
        const QString s = c.toObject().value(QStringLiteral("status")).toString();
        if (s == u"critical") {
            return s;
        }
        if (s == u"warning") {
            overall = s;
        }
    }
    return overall;
}

Tool healthCheck()
{
    Tool t = systemTool(QStringLiteral("health_check"), QStringLiteral("Health check"),
                        QStringLiteral("One verdict for a target (ok, warning, critical) from load per CPU, memory "
                                       "available, disk and inode use, with each check's measurement and threshold."),
                        QStringLiteral("system:read"));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() } });
    const QJsonObject checkSchema = Schema::object({ { QStringLiteral("name"), Schema::string(QStringLiteral("Check")) },
                                                     { QStringLiteral("status"), Schema::string(QStringLiteral("ok, warning or critical")) },
                                                     { QStringLiteral("detail"), Schema::string(QStringLiteral("Measured value and threshold")) } },
                                                   { QStringLiteral("name"), QStringLiteral("status"), QStringLiteral("detail") }, false);
    t.outputSchema = Schema::object({ { QStringLiteral("target"), Schema::string(QStringLiteral("Target id")) },
                                      { QStringLiteral("status"), Schema::string(QStringLiteral("ok, warning or critical")) },
                                      { QStringLiteral("checks"), Schema::array(checkSchema) } },
                                    { QStringLiteral("target"), QStringLiteral("status"), QStringLiteral("checks") });
    t.run = [](const ToolContext &ctx) {
        const QString tool = QStringLiteral("health_check");
        Core::Result<QJsonObject> status = Core::fail(QString());
        if (ctx.target->executor == Registry::Executor::Local) {
            status = readLocalSystemStatus();
        } else if (ctx.executor) {
            QList<QByteArray> outputs;
            for (const QStringList &argv : remoteSystemStatusCommands()) {
                const Ran ran = runChecked(ctx, tool, argv);
                if (!ran) {
                    return *ran.error;
                }
                outputs.append(ran->stdoutData);
            }
            status = parseRemoteSystemStatus(outputs.at(0), outputs.at(1), outputs.at(2));
        } else {
            return *requireExecutor(ctx, tool);
        }
        if (!status) {
            return ToolResult::error(QStringLiteral("%1 on %2: %3").arg(tool, ctx.target->id, status.error().message));
        }
        QJsonArray checks;
        const int cpus = std::max(1, status->value(QStringLiteral("cpu_count")).toInt());
        const double load = status->value(QStringLiteral("load_average")).toObject().value(QStringLiteral("5m")).toDouble();
        const double perCpu = load / cpus;
        checks.append(check(QStringLiteral("load"), perCpu >= 2.0 ? QStringLiteral("critical") : perCpu >= 1.0 ? QStringLiteral("warning") : QStringLiteral("ok"),
                            QStringLiteral("5-minute load %1 on %2 CPU(s) = %3 per CPU (warning at 1, critical at 2)")
                                .arg(load).arg(cpus).arg(perCpu, 0, 'f', 2)));
        const QJsonObject mem = status->value(QStringLiteral("memory")).toObject();
        const double total = mem.value(QStringLiteral("total_bytes")).toDouble();
        const double availablePct = total > 0 ? 100.0 * mem.value(QStringLiteral("available_bytes")).toDouble() / total : 0;
        checks.append(check(QStringLiteral("memory"), availablePct < 5 ? QStringLiteral("critical") : availablePct < 15 ? QStringLiteral("warning") : QStringLiteral("ok"),
                            QStringLiteral("%1% available (warning below 15%, critical below 5%)").arg(availablePct, 0, 'f', 1)));
        for (const QJsonValue &d : status->value(QStringLiteral("disks")).toArray()) {
            const QJsonObject disk = d.toObject();
            const double pct = disk.value(QStringLiteral("percent")).toDouble();
            checks.append(check(QStringLiteral("disk %1").arg(disk.value(QStringLiteral("mount")).toString()),
                                pct >= 95 ? QStringLiteral("critical") : pct >= 85 ? QStringLiteral("warning") : QStringLiteral("ok"),
                                QStringLiteral("%1% used (warning at 85%, critical at 95%)").arg(pct)));
        }
        const QString overall = worst(checks);
        QStringList problems;
        for (const QJsonValue &c : std::as_const(checks)) {
            if (c.toObject().value(QStringLiteral("status")).toString() != u"ok") {
                problems.append(QStringLiteral("%1: %2").arg(c.toObject().value(QStringLiteral("name")).toString(),
                                                             c.toObject().value(QStringLiteral("detail")).toString()));
            }
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id }, { QStringLiteral("status"), overall },
                                     { QStringLiteral("checks"), checks } };
        r.text = QStringLiteral("%1: %2 (%3 checks)%4")
                     .arg(ctx.target->id, overall)
                     .arg(checks.size())
                     .arg(problems.isEmpty() ? QString() : QString(u'\n' + problems.join(u'\n')));
        return r;
    };
    return t;
}

} // namespace

void registerSystemTools(Mcp::Server &server)
{
    server.addTool(topProcesses());
    server.addTool(healthCheck());
    server.addTool(networkStatus());
    server.addTool(diskUsage());
}

} // namespace Tailops::Tools
