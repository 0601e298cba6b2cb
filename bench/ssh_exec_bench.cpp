// The measuring half of bench/ssh_exec: SshExecutor versus the OpenSSH client on one real sshd on 127.0.0.1
// (tests/fixtures/sshd). Prints a Markdown table and the ratios against the targets. Exit status 0 whether or not
// the targets are met; 1 when something could not run (sshd, ssh, a failed command).
#include "exec/ssh/sshexecutor.h"
#include "sshdfixture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <numeric>
#include <optional>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace Tailops;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kTargetVsControlMaster = 1.3; // pooled mean <= 1.3 x ControlMaster mean
constexpr double kTargetVsFresh = 5.0; // fresh ssh mean >= 5 x pooled mean

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

void note(const QString &text) { std::fprintf(stderr, "ssh_exec: %s\n", qPrintable(text)); }

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Stats
{
    QString name;
    int n = 0;
    double mean = 0;
    double p50 = 0;
    double p99 = 0;
};

Stats summarize(const QString &name, std::vector<double> samples)
{
    Stats s;
    s.name = name;
    s.n = static_cast<int>(samples.size());
    if (samples.empty()) {
        return s;
    }
    std::sort(samples.begin(), samples.end());
    s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(samples.size());
    const auto rank = [&](double q) {
        const auto index = static_cast<std::size_t>(std::ceil(q * double(samples.size()))) - 1;
        return samples[std::min(index, samples.size() - 1)];
    };
    s.p50 = rank(0.50);
    s.p99 = rank(0.99);
    return s;
}

// Runs a program to completion (stdin/stdout /dev/null, stderr to a file); its exit code, or -1.
int spawnAndWait(const QStringList &argv, const QString &stderrFile, pid_t *spawned = nullptr)
{
    std::vector<QByteArray> storage;
    storage.reserve(std::size_t(argv.size()));
    for (const QString &a : argv) {
        storage.push_back(a.toLocal8Bit());
    }
    std::vector<char *> args;
    for (QByteArray &a : storage) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);
    const QByteArray errPath = QFile::encodeName(stderrFile);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, errPath.constData(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        return -1;
    }
    if (spawned) {
        *spawned = pid;
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

QString tail(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray data = f.readAll().trimmed();
    return QString::fromLocal8Bit(data.right(400));
}

Exec::CommandSpec trueSpec()
{
    Exec::CommandSpec spec;
    spec.argv = QStringList { QStringLiteral("true") };
    spec.timeoutMs = 30000;
    return spec;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("tailops.*.debug=false"));
    QCoreApplication::setApplicationName(QStringLiteral("ssh_exec_bench"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("SshExecutor vs OpenSSH on a local sshd"));
    parser.addHelpOption();
    const QCommandLineOption iterationsOpt(QStringLiteral("iterations"), QStringLiteral("Calls per case (default 50)."),
        QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption targetsOpt(QStringLiteral("targets"), QStringLiteral("Fan-out targets (default 50)."),
        QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption concurrencyOpt(QStringLiteral("concurrency"),
        QStringLiteral("Fan-out concurrency (default 10)."), QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption jsonOpt(
        QStringLiteral("json"), QStringLiteral("Also write the numbers as JSON."), QStringLiteral("FILE"));
    const QCommandLineOption sshOpt(
        QStringLiteral("ssh"), QStringLiteral("OpenSSH client (default: ssh on PATH)."), QStringLiteral("PATH"));
    parser.addOptions({ iterationsOpt, targetsOpt, concurrencyOpt, jsonOpt, sshOpt });
    parser.process(app);
    const int iterations = std::max(1, parser.value(iterationsOpt).toInt());
    const int fanTargets = std::max(1, parser.value(targetsOpt).toInt());
    const int concurrency = std::max(1, parser.value(concurrencyOpt).toInt());
    const QString ssh
        = parser.isSet(sshOpt) ? parser.value(sshOpt) : QStandardPaths::findExecutable(QStringLiteral("ssh"));
    if (ssh.isEmpty()) {
        note(QStringLiteral("error: OpenSSH client not found (apt-get install openssh-client)"));
        return 1;
    }

    Testing::SshdFixture sshd;
    if (const auto started = sshd.start(); !started) {
        note(QStringLiteral("error: cannot start sshd: ") + started.error().message);
        return 1;
    }
    note(QStringLiteral("sshd pid %1 on 127.0.0.1:%2, user %3").arg(sshd.pid()).arg(sshd.port()).arg(sshd.userName()));
    QTemporaryDir scratch;
    const QString errLog = scratch.filePath(QStringLiteral("ssh.stderr"));

    Registry::Target base;
    base.id = QStringLiteral("bench");
    base.type = QStringLiteral("remote");
    base.executor = Registry::Executor::Ssh;
    base.host = sshd.host();
    base.port = sshd.port();
    base.username = sshd.userName();
    base.keyPath = sshd.clientKeyPath();
    base.connectTimeoutSeconds = 10;
    Exec::SshOptions options;
    options.knownHostsFile = sshd.knownHostsFile();

    // (a) SshExecutor on a pooled session (one warm-up call opens it).
    std::vector<double> pooled;
    {
        Exec::SshExecutor executor(base, options);
        if (const auto warm = executor.run(trueSpec(), {}); !warm || warm->exitCode != 0) {
            note(QStringLiteral("error: SshExecutor warm-up failed: ")
                + (warm ? QStringLiteral("exit %1").arg(warm->exitCode) : warm.error().toString()));
            return 1;
        }
        for (int i = 0; i < iterations; ++i) {
            const auto start = Clock::now();
            const auto r = executor.run(trueSpec(), {});
            pooled.push_back(msSince(start));
            if (!r || r->exitCode != 0) {
                note(QStringLiteral("error: pooled call failed: ")
                    + (r ? QStringLiteral("exit %1").arg(r->exitCode) : r.error().toString()));
                return 1;
            }
        }
        if (executor.poolStats().connects != 1) {
            note(QStringLiteral("warning: the pooled case opened %1 sessions").arg(executor.poolStats().connects));
        }
    }

    // (a') SshExecutor with a new session per call, for reference: what the pool saves.
    std::vector<double> unpooled;
    for (int i = 0; i < std::min(iterations, 20); ++i) {
        Exec::SshExecutor executor(base, options);
        const auto start = Clock::now();
        const auto r = executor.run(trueSpec(), {});
        unpooled.push_back(msSince(start));
        if (!r || r->exitCode != 0) {
            note(QStringLiteral("error: unpooled call failed: ")
                + (r ? QStringLiteral("exit %1").arg(r->exitCode) : r.error().toString()));
            return 1;
        }
    }

    // (b) OpenSSH, a fresh connection per call.
    std::vector<double> fresh;
    const QStringList sshArgs = QStringList { ssh } + sshd.openSshArguments();
    for (int i = 0; i < iterations; ++i) {
        const auto start = Clock::now();
        const int rc = spawnAndWait(sshArgs + QStringList { QStringLiteral("true") }, errLog);
        fresh.push_back(msSince(start));
        if (rc != 0) {
            note(QStringLiteral("error: ssh exited with %1: %2").arg(rc).arg(tail(errLog)));
            return 1;
        }
    }

    // (c) OpenSSH with a ControlMaster: the first call starts the master (ControlPersist), the rest reuse it.
    std::vector<double> master;
    const QString controlPath = scratch.filePath(QStringLiteral("cm-%C"));
    const QStringList muxArgs
        = QStringList { ssh, QStringLiteral("-o"), QStringLiteral("ControlMaster=auto"), QStringLiteral("-o"),
              QStringLiteral("ControlPath=") + controlPath, QStringLiteral("-o"), QStringLiteral("ControlPersist=120") }
        + sshd.openSshArguments();
    bool masterFailed = spawnAndWait(muxArgs + QStringList { QStringLiteral("true") }, errLog) != 0;
    for (int i = 0; i < iterations && !masterFailed; ++i) {
        const auto start = Clock::now();
        const int rc = spawnAndWait(muxArgs + QStringList { QStringLiteral("true") }, errLog);
        master.push_back(msSince(start));
        masterFailed = rc != 0;
    }
    {
        // Find the master's PID ("Master running (pid=N)"), ask it to exit, then make sure by PID.
        const QString checkLog = scratch.filePath(QStringLiteral("check.stderr"));
        spawnAndWait(muxArgs.mid(0, muxArgs.size() - 1)
                + QStringList { QStringLiteral("-O"), QStringLiteral("check"), muxArgs.last() },
            checkLog);
        const QString check = tail(checkLog);
        const qsizetype at = check.indexOf(QStringLiteral("pid="));
        const pid_t masterPid = at >= 0 ? check.mid(at + 4).section(QLatin1Char(')'), 0, 0).toInt() : 0;
        spawnAndWait(muxArgs.mid(0, muxArgs.size() - 1)
                + QStringList { QStringLiteral("-O"), QStringLiteral("exit"), muxArgs.last() },
            errLog);
        if (masterPid > 0) {
            bool alive = true;
            for (int i = 0; i < 100 && alive; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                alive = ::kill(masterPid, 0) == 0;
            }
            if (alive) {
                ::kill(masterPid, SIGTERM);
            }
        }
    }
    if (masterFailed) {
        note(QStringLiteral("error: ssh with ControlMaster failed: ") + tail(errLog));
        return 1;
    }

    // (d) Fan-out: one command to many targets (aliases of the same sshd) at a fixed concurrency, first with cold
    // executors (each connects), then again with their pools warm.
    std::vector<std::unique_ptr<Exec::SshExecutor>> executors;
    for (int i = 0; i < fanTargets; ++i) {
        Registry::Target t = base;
        t.id = QStringLiteral("fan-%1").arg(i, 2, 10, QLatin1Char('0'));
        executors.push_back(std::make_unique<Exec::SshExecutor>(t, options));
    }
    const auto fanOut = [&]() -> std::optional<double> {
        std::atomic_int next { 0 };
        std::atomic_int failures { 0 };
        const auto start = Clock::now();
        std::vector<std::thread> workers;
        for (int w = 0; w < std::min(concurrency, fanTargets); ++w) {
            workers.emplace_back([&] {
                for (int i = next++; i < fanTargets; i = next++) {
                    const auto r = executors[std::size_t(i)]->run(trueSpec(), {});
                    if (!r || r->exitCode != 0) {
                        if (failures++ == 0) {
                            note(QStringLiteral("error: fan-out call failed: ")
                                + (r ? QStringLiteral("exit %1").arg(r->exitCode) : r.error().toString()));
                        }
                    }
                }
            });
        }
        for (auto &w : workers) {
            w.join();
        }
        const double total = msSince(start);
        return failures.load() == 0 ? std::optional<double>(total) : std::nullopt;
    };
    const auto fanCold = fanOut();
    const auto fanWarm = fanCold ? fanOut() : std::nullopt;
    executors.clear();
    sshd.stop();
    if (!fanCold || !fanWarm) {
        return 1;
    }

    const Stats a = summarize(QStringLiteral("(a) SshExecutor, pooled session"), pooled);
    const Stats a2 = summarize(QStringLiteral("(a') SshExecutor, new session per call"), unpooled);
    const Stats b = summarize(QStringLiteral("(b) OpenSSH `ssh host true`, fresh connection"), fresh);
    const Stats c = summarize(QStringLiteral("(c) OpenSSH with ControlMaster (reused master)"), master);

    out() << "\n## ssh_exec: `true` on 127.0.0.1 (sshd " << sshd.port() << ", ed25519, " << iterations
          << " calls per case)\n\n";
    out() << "| case | n | mean ms | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n";
    for (const Stats &s : { a, a2, b, c }) {
        out() << "| " << s.name << " | " << s.n << " | " << QString::number(s.mean, 'f', 2) << " | "
              << QString::number(s.p50, 'f', 2) << " | " << QString::number(s.p99, 'f', 2) << " |\n";
    }
    out() << "\n| fan-out: 1 command to " << fanTargets << " targets, concurrency " << concurrency
          << " | total wall ms | per target ms |\n|---|---:|---:|\n";
    out() << "| (d) cold (each executor connects) | " << QString::number(*fanCold, 'f', 1) << " | "
          << QString::number(*fanCold / fanTargets, 'f', 2) << " |\n";
    out() << "| (d) warm (pooled sessions) | " << QString::number(*fanWarm, 'f', 1) << " | "
          << QString::number(*fanWarm / fanTargets, 'f', 2) << " |\n";

    const double vsMaster = a.mean / c.mean;
    const double vsFresh = b.mean / a.mean;
    out() << "\nratios (means):\n";
    out() << "- pooled / ControlMaster = " << QString::number(vsMaster, 'f', 2)
          << "x (target <= " << kTargetVsControlMaster
          << "x): " << (vsMaster <= kTargetVsControlMaster ? "met" : "MISSED") << "\n";
    out() << "- fresh ssh / pooled = " << QString::number(vsFresh, 'f', 1) << "x faster (target >= " << kTargetVsFresh
          << "x): " << (vsFresh >= kTargetVsFresh ? "met" : "MISSED") << "\n";
    out() << "- new session / pooled = " << QString::number(a2.mean / a.mean, 'f', 1) << "x (what the pool saves)\n";
    out().flush();

    if (parser.isSet(jsonOpt)) {
        QJsonArray cases;
        for (const Stats &s : { a, a2, b, c }) {
            cases.append(QJsonObject { { QStringLiteral("case"), s.name }, { QStringLiteral("n"), s.n },
                { QStringLiteral("mean_ms"), s.mean }, { QStringLiteral("p50_ms"), s.p50 },
                { QStringLiteral("p99_ms"), s.p99 } });
        }
        const QJsonObject doc {
            { QStringLiteral("cases"), cases },
            { QStringLiteral("fanout"),
                QJsonObject { { QStringLiteral("targets"), fanTargets }, { QStringLiteral("concurrency"), concurrency },
                    { QStringLiteral("cold_ms"), *fanCold }, { QStringLiteral("warm_ms"), *fanWarm } } },
            { QStringLiteral("pooled_vs_controlmaster"), vsMaster },
            { QStringLiteral("fresh_vs_pooled"), vsFresh },
        };
        QFile file(parser.value(jsonOpt));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            note(QStringLiteral("error: cannot write ") + file.fileName());
            return 1;
        }
        file.write(QJsonDocument(doc).toJson());
    }
    return 0;
}
