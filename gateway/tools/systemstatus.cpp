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

} // namespace

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
    const QList<QByteArray> load = loadavg->split(' ');
    status.insert(QStringLiteral("load_average"),
                  QJsonObject { { QStringLiteral("1m"), load.value(0).toDouble() },
                                { QStringLiteral("5m"), load.value(1).toDouble() },
                                { QStringLiteral("15m"), load.value(2).toDouble() } });
    notify(1, QStringLiteral("uptime and load"));

    const auto meminfo = readProc("/proc/meminfo");
    if (!meminfo) {
        return std::unexpected(meminfo.error());
    }
    qint64 total = 0;
    qint64 available = -1;
    qint64 memFree = 0;
    for (const QByteArray &line : meminfo->split('\n')) {
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
    if (available < 0) {
        available = memFree;
    }
    const qint64 used = total - available;
    status.insert(QStringLiteral("memory"),
                  QJsonObject { { QStringLiteral("total_bytes"), double(total) },
                                { QStringLiteral("available_bytes"), double(available) },
                                { QStringLiteral("used_bytes"), double(used) },
                                { QStringLiteral("percent"), total > 0 ? rounded(100.0 * double(used) / double(total)) : 0.0 } });
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
