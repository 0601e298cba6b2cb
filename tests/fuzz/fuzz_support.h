// Shared by the fuzz harnesses: one QCoreApplication, quiet logging, invariant checks that abort (so
// libFuzzer records the input), and a private scratch directory on tmpfs for loaders that read files.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QString>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace FuzzSupport {

inline void quietMessages(QtMsgType, const QMessageLogContext &, const QString &) { }

// Call from LLVMFuzzerInitialize (or lazily): creates the application object once, silences logging.
inline QCoreApplication *app()
{
    static int argc = 1;
    static char name[] = "tailops-fuzz";
    static char *argv[] = { name, nullptr };
    static QCoreApplication *instance = [] {
        auto *a = new QCoreApplication(argc, argv);
        QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
        qInstallMessageHandler(quietMessages);
        return a;
    }();
    return instance;
}

// A per-process scratch directory: /dev/shm when there is one (no disk writes), else the temp dir.
inline QString scratchDir()
{
    // Never destroyed: the exit handler that removes the directory runs after static destructors.
    static const QString *dir = [] {
        const QString base = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
        // Directories of fuzzer processes that died without running exit handlers (crash, abort, -timeout).
        for (const QString &stale : QDir(base).entryList({ QStringLiteral("tailops-fuzz-*") }, QDir::Dirs)) {
            const QString pid = stale.mid(13);
            if (!QFileInfo::exists(QStringLiteral("/proc/") + pid)) {
                QDir(base + u'/' + stale).removeRecursively();
            }
        }
        auto *d = new QString(base + QStringLiteral("/tailops-fuzz-") + QString::number(::getpid()));
        QDir().mkpath(*d);
        std::atexit([] { QDir(scratchDir()).removeRecursively(); });
        return d;
    }();
    return *dir;
}

inline QString writeScratch(const QString &name, const QByteArray &content)
{
    const QString path = scratchDir() + u'/' + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", qPrintable(path));
        std::abort();
    }
    f.write(content);
    return path;
}

[[noreturn]] inline void invariantFailed(const char *what, const char *file, int line, const QString &detail)
{
    std::fprintf(stderr, "\n==== INVARIANT VIOLATED at %s:%d: %s\n%s\n", file, line, what, qPrintable(detail));
    std::abort();
}

// Splits fuzz input into parts at a separator byte sequence (for harnesses taking several strings).
inline QList<QByteArray> splitInput(const QByteArray &data, const QByteArray &separator, qsizetype maxParts)
{
    QList<QByteArray> parts;
    qsizetype pos = 0;
    while (parts.size() + 1 < maxParts) {
        const qsizetype at = data.indexOf(separator, pos);
        if (at < 0) {
            break;
        }
        parts.append(data.mid(pos, at - pos));
        pos = at + separator.size();
    }
    parts.append(data.mid(pos));
    return parts;
}

} // namespace FuzzSupport

#define FUZZ_CHECK(cond, detail)                                                                                 \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            FuzzSupport::invariantFailed(#cond, __FILE__, __LINE__, (detail));                                  \
        }                                                                                                        \
    } while (false)
