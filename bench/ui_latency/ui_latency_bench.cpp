// bench/ui_latency: how long the console's event loop (the GUI thread, which also runs the gateway's HTTP
// transport and sessions) is ever busy while N MCP clients call tools as fast as they can.
//
// A 5 ms timer on the GUI thread measures the gaps between its ticks; a gap longer than the interval is a stall
// (time the loop could not serve a repaint, a click or another client). The same load runs against the gateway
// alone ("headless", what tailops-gateway runs) and against the full console (window with every panel, live
// audit view, overview chart, tray), so the table shows what the UI costs. Prints a Markdown table; reports,
// does not assert (target: longest stall under 50 ms).
#include "shell/console.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>

using namespace Tailops;

namespace {

struct Result
{
    QString mode;
    int clients = 0;
    qint64 calls = 0;
    qint64 errors = 0;
    double seconds = 0;
    QList<qint64> latenciesUs;
    qint64 longestStallMs = 0;
    qint64 p99GapMs = 0;
    int stallsOver16 = 0;
    int stallsOver50 = 0;
};

qint64 percentile(QList<qint64> values, double p)
{
    if (values.isEmpty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    return values.at(std::min<qsizetype>(values.size() - 1, qsizetype(p * double(values.size()))));
}

// One client on its own thread and event loop: initialize, then call tools until told to stop.
void clientLoop(QUrl url, QByteArray token, int index, const std::atomic_bool &stop, QMutex &mutex, Result &result)
{
    Tests::McpHttpClient client(url, token);
    if (!client.initialize(QStringLiteral("ui-latency-%1").arg(index))) {
        const QMutexLocker lock(&mutex);
        ++result.errors;
        return;
    }
    QList<qint64> latencies;
    qint64 calls = 0;
    qint64 errors = 0;
    QElapsedTimer t;
    int i = 0;
    while (!stop.load()) {
        t.start();
        QJsonObject answer;
        switch (i++ % 4) {
        case 0:
            answer = client.request(QStringLiteral("tools/list"));
            break;
        case 1:
            answer = client.callTool(QStringLiteral("list_targets"), {});
            break;
        default:
            answer = client.callTool(QStringLiteral("get_system_status"), { { QStringLiteral("target"), QStringLiteral("local") } });
            break;
        }
        latencies.append(t.nsecsElapsed() / 1000);
        ++calls;
        if (Tests::McpHttpClient::isError(answer)) {
            ++errors;
        }
    }
    client.close();
    const QMutexLocker lock(&mutex);
    result.calls += calls;
    result.errors += errors;
    result.latenciesUs += latencies;
}

Result runMode(const QString &mode, int clients, int seconds)
{
    Result result;
    result.mode = mode;
    result.clients = clients;
    Tests::UiGateway gw;
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n  local:\n    type: local\n    capabilities: [system:read]\n"
                          "    constraints: {timeout: 30, concurrency: 64}\n";
    options.gatewayYamlExtra = "limits:\n  observe: {rate: 0, burst: 0, daily: 0}\n  concurrency: 0\n";
    if (!gw.start(options)) {
        std::fprintf(stderr, "ui_latency: gateway did not start: %s\n", qPrintable(gw.error()));
        return result;
    }
    const QByteArray token = gw.mint({ QStringLiteral("readonly") }, QStringLiteral("bench"));
    std::unique_ptr<Ui::Console> console;
    if (mode == QStringLiteral("console")) {
        console = std::make_unique<Ui::Console>(gw.gateway());
        console->show(false);
    }

    // The probe: a precise 5 ms timer on this (the GUI) thread.
    QElapsedTimer clock;
    qint64 last = 0;
    QList<qint64> gaps;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        const qint64 now = clock.elapsed();
        gaps.append(now - last);
        last = now;
    });

    std::atomic_bool stop { false };
    QMutex mutex;
    QList<QThread *> threads;
    for (int i = 0; i < clients; ++i) {
        threads.append(QThread::create(clientLoop, gw.mcpUrl(), token, i, std::cref(stop), std::ref(mutex), std::ref(result)));
    }
    clock.start();
    probe.start();
    for (QThread *t : std::as_const(threads)) {
        t->start();
    }
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    stop = true;
    for (QThread *t : std::as_const(threads)) {
        while (!t->wait(10)) {
            QCoreApplication::processEvents(); // the clients' last calls still need this loop
        }
        delete t;
    }
    probe.stop();
    result.seconds = double(clock.elapsed()) / 1000.0;
    for (qint64 g : std::as_const(gaps)) {
        result.longestStallMs = std::max(result.longestStallMs, g);
        result.stallsOver16 += g > 16 ? 1 : 0;
        result.stallsOver50 += g > 50 ? 1 : 0;
    }
    result.p99GapMs = percentile(gaps, 0.99);
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ui_latency_bench"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("clients"), QStringLiteral("Concurrent MCP clients (default 16)."), QStringLiteral("N"), QStringLiteral("16") });
    parser.addOption({ QStringLiteral("seconds"), QStringLiteral("Seconds per mode (default 10)."), QStringLiteral("S"), QStringLiteral("10") });
    parser.addOption({ QStringLiteral("modes"), QStringLiteral("Comma-separated: headless,console."), QStringLiteral("M"),
                       QStringLiteral("headless,console") });
    parser.process(app);
    const int clients = std::max(1, parser.value(QStringLiteral("clients")).toInt());
    const int seconds = std::max(1, parser.value(QStringLiteral("seconds")).toInt());
    QLoggingCategory::setFilterRules(QStringLiteral("tailops.*.info=false\ntailops.*.debug=false"));

    std::printf("== bench/ui_latency: %d clients, %d s per mode, %d cores, QPA %s ==\n\n", clients, seconds,
                QThread::idealThreadCount(), qPrintable(QGuiApplication::platformName()));
    std::printf("| mode | clients | calls | errors | calls/s | p50 ms | p99 ms | loop gap p99 ms | longest stall ms | gaps > 16 ms | gaps > 50 ms |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    qint64 worst = 0;
    for (const QString &mode : parser.value(QStringLiteral("modes")).split(u',', Qt::SkipEmptyParts)) {
        const Result r = runMode(mode.trimmed(), clients, seconds);
        std::printf("| %s | %d | %lld | %lld | %.0f | %.1f | %.1f | %lld | %lld | %d | %d |\n", qPrintable(r.mode), r.clients,
                    r.calls, r.errors, r.seconds > 0 ? double(r.calls) / r.seconds : 0.0,
                    double(percentile(r.latenciesUs, 0.5)) / 1000.0, double(percentile(r.latenciesUs, 0.99)) / 1000.0,
                    r.p99GapMs, r.longestStallMs, r.stallsOver16, r.stallsOver50);
        std::fflush(stdout);
        if (r.mode == QStringLiteral("console")) {
            worst = r.longestStallMs;
        }
    }
    std::printf("\nconsole: longest event-loop stall %lld ms (target: under 50 ms) -> %s\n", worst, worst < 50 ? "met" : "NOT met");
    return 0;
}
