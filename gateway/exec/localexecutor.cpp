#include "localexecutor.h"

#include <QElapsedTimer>
#include <QProcess>

#include <csignal>
#include <unistd.h>

namespace Tailops::Exec {

namespace {
constexpr qint64 kMaxDrainBytes = 16 * 1024 * 1024; // read and dropped after truncation before giving up (as over SSH)
constexpr int kPollSliceMs = 20;
} // namespace

LocalExecutor::LocalExecutor(QString sudoPolicy)
    : m_sudoPolicy(std::move(sudoPolicy))
{
}

Core::Result<CommandResult> LocalExecutor::run(const CommandSpec &spec, const CancelFlag &cancel)
{
    if (spec.argv.isEmpty() || spec.argv.constFirst().isEmpty()) {
        return Core::fail(QStringLiteral("empty command"));
    }
    for (const QString &arg : spec.argv) {
        if (arg.contains(QChar(0))) {
            return Core::fail(QStringLiteral("command arguments must not contain NUL bytes"));
        }
    }
    QStringList argv = spec.argv;
    if (spec.sudo) {
        if (m_sudoPolicy == u"none") {
            return Core::fail(QStringLiteral("sudo is not allowed on this target (constraints.sudo_policy: none)"));
        }
        argv = QStringList { QStringLiteral("sudo"), QStringLiteral("-n"), QStringLiteral("--") } + argv;
    }
    QProcess process;
    process.setProgram(argv.takeFirst());
    process.setArguments(argv);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setChildProcessModifier([] { ::setpgid(0, 0); });
    QElapsedTimer timer;
    timer.start();
    process.start();
    if (!process.waitForStarted(10000)) {
        return Core::fail(QStringLiteral("cannot run %1: %2").arg(process.program(), process.errorString()));
    }
    const qint64 pid = process.processId();
    CommandResult result;
    qint64 captured = 0;
    qint64 dropped = 0;
    const auto collect = [&] {
        for (auto channel : { QProcess::StandardOutput, QProcess::StandardError }) {
            process.setReadChannel(channel);
            const QByteArray data = process.readAll();
            QByteArray &sink = channel == QProcess::StandardOutput ? result.stdoutData : result.stderrData;
            const qint64 room = spec.maxOutputBytes - captured;
            if (data.size() > room) {
                sink += data.left(std::max<qint64>(room, 0));
                dropped += data.size() - std::max<qint64>(room, 0);
                captured = spec.maxOutputBytes;
                result.truncated = true;
            } else {
                sink += data;
                captured += data.size();
            }
        }
    };
    const auto killGroup = [&] {
        ::kill(-pid_t(pid), SIGKILL);
        process.waitForFinished(2000);
    };
    // Wait for output rather than for the end: QProcess buffers everything the child writes while it waits,
    // so waiting for readyRead keeps what is held between two collects to a pipe's worth, not to whatever a
    // chatty command writes in a whole slice.
    while (process.state() != QProcess::NotRunning) {
        process.setReadChannel(QProcess::StandardOutput);
        if (!process.waitForReadyRead(kPollSliceMs) && process.state() != QProcess::NotRunning) {
            process.setReadChannel(QProcess::StandardError);
            process.waitForReadyRead(1);
        }
        collect();
        if (result.truncated && dropped > kMaxDrainBytes) {
            // An endless writer: stop it (exit -1) instead of reading and dropping until the timeout, as over SSH.
            killGroup();
            break;
        }
        if (cancel && cancel->load()) {
            result.cancelled = true;
            killGroup();
            break;
        }
        if (timer.elapsed() > spec.timeoutMs) {
            result.timedOut = true;
            killGroup();
            break;
        }
        if (process.state() == QProcess::NotRunning) {
            break;
        }
    }
    collect();
    if (result.truncated) {
        result.stdoutData += truncationMarker(spec.maxOutputBytes);
    }
    result.durationMs = timer.elapsed();
    result.exitCode = process.exitStatus() == QProcess::NormalExit && !result.timedOut && !result.cancelled
        ? process.exitCode()
        : -1;
    return result;
}

} // namespace Tailops::Exec
