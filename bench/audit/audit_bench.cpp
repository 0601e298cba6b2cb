// audit_bench: records/s of AuditLog for each durability mode and the latency from append() to the durable
// callback, printed as a Markdown table. Closed loop: WINDOW appends in flight (a busy gateway's concurrent
// tool calls), the next one issued from each callback.
#include "audit/auditlog.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <vector>

using namespace Tailops;

namespace {

struct Result
{
    QString mode;
    qint64 records = 0;
    int window = 0;
    double seconds = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    quint64 syncs = 0;
    int failures = 0;
    double cpuUs = 0; // process CPU time (user + system, both threads) per record
};

double cpuSeconds()
{
    struct rusage u
    {
    };
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Audit::AuditRecord sample(qint64 i)
{
    Auth::Caller caller;
    caller.transport = QStringLiteral("http");
    caller.agent = QStringLiteral("claude-desktop");
    caller.tokenHash = QStringLiteral("sha256:3fa9c02be1d4");
    caller.peer = QStringLiteral("100.101.102.103:53422");
    auto r = Audit::AuditRecord::makeDecision(caller, QString::number(i), QStringLiteral("get_logs"),
        QStringLiteral("web01"),
        QJsonObject { { QStringLiteral("target"), QStringLiteral("web01") },
            { QStringLiteral("unit"), QStringLiteral("nginx.service") }, { QStringLiteral("lines"), 200 },
            { QStringLiteral("grep"), QStringLiteral("upstream timed out") } },
        Audit::Decision::Allow, QStringLiteral("readonly-all"));
    return r;
}

double percentile(std::vector<qint64> &ns, double p)
{
    if (ns.empty()) {
        return 0;
    }
    const size_t k = std::min(ns.size() - 1, size_t(p * double(ns.size() - 1) + 0.5));
    std::nth_element(ns.begin(), ns.begin() + qptrdiff(k), ns.end());
    return double(ns[k]) / 1e6;
}

Result runMode(Audit::Durability durability, qint64 records, int window, const QString &dir)
{
    Audit::AuditLogOptions options;
    options.durability = durability;
    options.startupRecord = false;
    Audit::AuditLog log(dir + QStringLiteral("/audit.jsonl"), options);
    Result result;
    result.mode = Audit::durabilityName(durability);
    result.records = records;
    result.window = window;
    if (auto opened = log.open(); !opened) {
        std::fprintf(stderr, "audit_bench: %s\n", qPrintable(opened.error().toString()));
        result.failures = 1;
        return result;
    }
    std::vector<qint64> latencies;
    latencies.reserve(size_t(records));
    QElapsedTimer clock;
    clock.start();
    const double cpuStart = cpuSeconds();
    qint64 issued = 0;
    qint64 done = 0;
    QObject context;
    std::function<void()> issue;
    issue = [&] {
        if (issued >= records) {
            return;
        }
        const qint64 started = clock.nsecsElapsed();
        log.append(sample(issued++), &context, [&, started](const Core::Result<qint64> &r) {
            latencies.push_back(clock.nsecsElapsed() - started);
            if (!r) {
                ++result.failures;
            }
            if (++done == records) {
                QCoreApplication::exit(0);
                return;
            }
            issue();
        });
    };
    for (int i = 0; i < window; ++i) {
        issue();
    }
    QCoreApplication::exec();
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    result.cpuUs = (cpuSeconds() - cpuStart) * 1e6 / double(records);
    result.p50 = percentile(latencies, 0.50);
    result.p99 = percentile(latencies, 0.99);
    result.max = latencies.empty() ? 0 : double(*std::max_element(latencies.begin(), latencies.end())) / 1e6;
    result.syncs = log.stats().syncs;
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("AuditLog throughput and durable-append latency"));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("records"),
        QStringLiteral("Records per mode (default: 3000 for fsync, 100000 "
                       "for group and none)."),
        QStringLiteral("N") });
    parser.addOption({ QStringLiteral("window"),
        QStringLiteral("Appends in flight, comma-separated for several runs "
                       "(default 64,1024)."),
        QStringLiteral("W"), QStringLiteral("64,1024") });
    parser.addOption({ QStringLiteral("modes"), QStringLiteral("Comma-separated: fsync,group,none (default all)."),
        QStringLiteral("LIST"), QStringLiteral("fsync,group,none") });
    parser.addOption({ QStringLiteral("dir"),
        QStringLiteral("Directory for the logs (default: a temporary directory "
                       "in the current directory, i.e. on its file system)."),
        QStringLiteral("DIR") });
    parser.process(app);
    QList<int> windows;
    for (const QString &w : parser.value(QStringLiteral("window")).split(u',', Qt::SkipEmptyParts)) {
        windows.append(std::max(1, w.toInt()));
    }
    if (windows.isEmpty()) {
        windows.append(64);
    }
    const QString base
        = parser.value(QStringLiteral("dir")).isEmpty() ? QDir::currentPath() : parser.value(QStringLiteral("dir"));
    QList<Result> results;
    for (const QString &name : parser.value(QStringLiteral("modes")).split(u',', Qt::SkipEmptyParts)) {
        const auto durability = Audit::durabilityFromName(name.trimmed());
        if (!durability) {
            std::fprintf(stderr, "audit_bench: unknown mode '%s'\n", qPrintable(name));
            return 2;
        }
        qint64 records = parser.value(QStringLiteral("records")).toLongLong();
        if (records <= 0) {
            records = *durability == Audit::Durability::Fsync ? 1000 : 100000;
        }
        for (const int window : std::as_const(windows)) {
            QTemporaryDir dir(base + QStringLiteral("/audit_bench-XXXXXX"));
            if (!dir.isValid()) {
                std::fprintf(stderr, "audit_bench: cannot create a directory in %s\n", qPrintable(base));
                return 1;
            }
            results.append(runMode(*durability, records, window, dir.path()));
        }
    }
    std::printf(
        "| mode | records | in flight | records/s | p50 ms | p99 ms | max ms | records/fdatasync | CPU µs/record |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    bool failed = false;
    for (const Result &r : std::as_const(results)) {
        failed = failed || r.failures > 0;
        std::printf("| %s | %lld | %d | %.0f | %.3f | %.3f | %.3f | %s | %.1f |\n", qPrintable(r.mode),
            static_cast<long long>(r.records), r.window, double(r.records) / r.seconds, r.p50, r.p99, r.max,
            r.syncs ? qPrintable(QString::number(double(r.records) / double(r.syncs), 'f', 1)) : "-", r.cpuUs);
    }
    double best = -1;
    for (const Result &r : std::as_const(results)) {
        if (r.mode == u"group") {
            best = std::max(best, double(r.records) / r.seconds);
        }
    }
    if (best >= 0) {
        std::printf(
            "\ntarget: group commit >= 20000 records/s: %s (best %.0f)\n", best >= 20000 ? "met" : "NOT met", best);
    }
    double load[3] = {};
    if (::getloadavg(load, 3) == 3) {
        std::printf("load average during the run: %.2f (1 min); CPU µs/record counts both threads\n", load[0]);
    }
    if (failed) {
        std::fprintf(stderr, "audit_bench: some appends failed\n");
        return 1;
    }
    return 0;
}
