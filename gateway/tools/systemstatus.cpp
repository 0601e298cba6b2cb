#include "systemstatus.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QStorageInfo>
#include <QSysInfo>

#include <cmath>

namespace Tailops::Tools {

namespace {

Core::Result<QByteArray> readProc(const char *path)
{
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    }
    return f.readAll();
}

double rounded(double v)
{
    return std::round(v * 10.0) / 10.0;
}

QJsonObject memoryJson(qint64 total, qint64 available)
{
    const qint64 used = total - available;
    return QJsonObject { { QStringLiteral("total_bytes"), double(total) },
                         { QStringLiteral("available_bytes"), double(available) },
                         { QStringLiteral("used_bytes"), double(used) },
                         { QStringLiteral("percent"), total > 0 ? rounded(100.0 * double(used) / double(total)) : 0.0 } };
}

// MemTotal and MemAvailable (MemFree on old kernels) in bytes from /proc/meminfo text.
std::pair<qint64, qint64> parseMeminfo(const QByteArray &text)
{
    qint64 total = 0;
    qint64 available = -1;
    qint64 memFree = 0;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() < 2) {
            continue;
        }
        const qint64 kib = parts.at(1).toLongLong();
        if (parts.at(0) == "MemTotal:") {
            total = kib * 1024;
        } else if (parts.at(0) == "MemAvailable:") {
            available = kib * 1024;
        } else if (parts.at(0) == "MemFree:") {
            memFree = kib * 1024;
        }
    }
    return { total, available < 0 ? memFree : available };
}

QJsonObject loadJson(const QByteArray &line)
{
    const QList<QByteArray> load = line.simplified().split(' ');
    return QJsonObject { { QStringLiteral("1m"), load.value(0).toDouble() },
                         { QStringLiteral("5m"), load.value(1).toDouble() },
                         { QStringLiteral("15m"), load.value(2).toDouble() } };
}

} // namespace

QList<QStringList> remoteSystemStatusCommands()
{
    return { { QStringLiteral("cat"), QStringLiteral("/proc/sys/kernel/hostname"), QStringLiteral("/proc/uptime"),
               QStringLiteral("/proc/loadavg"), QStringLiteral("/proc/meminfo") },
             { QStringLiteral("getconf"), QStringLiteral("_NPROCESSORS_ONLN") },
             { QStringLiteral("df"), QStringLiteral("-P"), QStringLiteral("-k") } };
}

Core::Result<QJsonObject> parseRemoteSystemStatus(const QByteArray &procFiles, const QByteArray &cpus, const QByteArray &df)
{
    const QList<QByteArray> lines = procFiles.split('\n');
    if (lines.size() < 4 || !lines.at(3).startsWith("MemTotal:")) {
        return Core::fail(QStringLiteral("unexpected /proc output from the target (is it Linux?)"));
    }
    QJsonObject status;
    status.insert(QStringLiteral("hostname"), QString::fromUtf8(lines.at(0).trimmed()));
    status.insert(QStringLiteral("uptime_seconds"), std::floor(lines.at(1).split(' ').value(0).toDouble()));
    status.insert(QStringLiteral("load_average"), loadJson(lines.at(2)));
    const auto [total, available] = parseMeminfo(procFiles);
    status.insert(QStringLiteral("memory"), memoryJson(total, available));
    bool ok = false;
    const int cpuCount = cpus.trimmed().toInt(&ok);
    if (!ok || cpuCount <= 0) {
        return Core::fail(QStringLiteral("unexpected getconf output from the target"));
    }
    status.insert(QStringLiteral("cpu_count"), cpuCount);
    QJsonArray disks;
    const QList<QByteArray> dfLines = df.split('\n');
    for (qsizetype i = 1; i < dfLines.size(); ++i) { // skip the header
        const QList<QByteArray> f = dfLines.at(i).simplified().split(' ');
        if (f.size() < 6) {
            continue;
        }
        const double t = f.at(1).toDouble() * 1024;
        const double u = f.at(2).toDouble() * 1024;
        const double free = f.at(3).toDouble() * 1024;
        static const QList<QByteArray> pseudo { "tmpfs", "devtmpfs", "overlay", "shm", "udev", "none", "proc", "sysfs" };
        if (t <= 0 || pseudo.contains(f.at(0))) {
            continue;
        }
        disks.append(QJsonObject { { QStringLiteral("mount"), QString::fromUtf8(f.mid(5).join(' ')) },
                                   { QStringLiteral("device"), QString::fromUtf8(f.at(0)) },
                                   { QStringLiteral("fstype"), QString() },
                                   { QStringLiteral("total_bytes"), t },
                                   { QStringLiteral("used_bytes"), u },
                                   { QStringLiteral("free_bytes"), free },
                                   { QStringLiteral("percent"), rounded(100.0 * u / t) } });
    }
    status.insert(QStringLiteral("disks"), disks);
    status.insert(QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    return status;
}

Core::Result<QJsonObject> readLocalSystemStatus(const std::function<void(int, const QString &)> &step)
{
    const auto notify = [&](int n, const QString &stage) {
        if (step) {
            step(n, stage);
        }
    };
    QJsonObject status;
    status.insert(QStringLiteral("hostname"), QSysInfo::machineHostName());

    const auto uptime = readProc("/proc/uptime");
    const auto loadavg = readProc("/proc/loadavg");
    if (!uptime || !loadavg) {
        return std::unexpected(uptime ? loadavg.error() : uptime.error());
    }
    status.insert(QStringLiteral("uptime_seconds"), std::floor(uptime->split(' ').value(0).toDouble()));
    status.insert(QStringLiteral("load_average"), loadJson(*loadavg));
    notify(1, QStringLiteral("uptime and load"));

    const auto meminfo = readProc("/proc/meminfo");
    if (!meminfo) {
        return std::unexpected(meminfo.error());
    }
    const auto [total, available] = parseMeminfo(*meminfo);
    status.insert(QStringLiteral("memory"), memoryJson(total, available));
    notify(2, QStringLiteral("memory"));

    const auto cpuinfo = readProc("/proc/cpuinfo");
    if (!cpuinfo) {
        return std::unexpected(cpuinfo.error());
    }
    int cpus = 0;
    for (const QByteArray &line : cpuinfo->split('\n')) {
        if (line.startsWith("processor")) {
            ++cpus;
        }
    }
    status.insert(QStringLiteral("cpu_count"), cpus);
    notify(3, QStringLiteral("cpus"));

    QJsonArray disks;
    for (const QStorageInfo &volume : QStorageInfo::mountedVolumes()) {
        if (!volume.isValid() || !volume.isReady() || volume.bytesTotal() <= 0) {
            continue;
        }
        const qint64 t = volume.bytesTotal();
        const qint64 free = volume.bytesAvailable();
        const qint64 u = t - volume.bytesFree();
        disks.append(QJsonObject { { QStringLiteral("mount"), volume.rootPath() },
                                   { QStringLiteral("device"), QString::fromUtf8(volume.device()) },
                                   { QStringLiteral("fstype"), QString::fromUtf8(volume.fileSystemType()) },
                                   { QStringLiteral("total_bytes"), double(t) },
                                   { QStringLiteral("used_bytes"), double(u) },
                                   { QStringLiteral("free_bytes"), double(free) },
                                   { QStringLiteral("percent"), rounded(100.0 * double(u) / double(t)) } });
    }
    status.insert(QStringLiteral("disks"), disks);
    status.insert(QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    notify(4, QStringLiteral("disks"));
    return status;
}

} // namespace Tailops::Tools
