#include "exec/localexecutor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Tailops::Exec;

class TestLocalExecutor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsArgvWithoutShell_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QByteArray>("stdoutData");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("words kept apart") << QStringList { QStringLiteral("printf"), QStringLiteral("%s|"), QStringLiteral("a b"), QStringLiteral("c'd") }
                                          << QByteArray("a b|c'd|") << 0;
        QTest::newRow("metacharacters literal") << QStringList { QStringLiteral("echo"), QStringLiteral("$(id)"), QStringLiteral(";"), QStringLiteral("|"), QStringLiteral("`id`") }
                                                << QByteArray("$(id) ; | `id`\n") << 0;
        QTest::newRow("exit code") << QStringList { QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 3") } << QByteArray() << 3;
    }

    void runsArgvWithoutShell()
    {
        QFETCH(QStringList, argv);
        QFETCH(QByteArray, stdoutData);
        QFETCH(int, exitCode);
        LocalExecutor executor;
        const auto r = executor.run({ argv, 5000, 65536, false }, {});
        QVERIFY(r.has_value());
        QCOMPARE(r->stdoutData, stdoutData);
        QCOMPARE(r->exitCode, exitCode);
        QVERIFY(!r->timedOut);
    }

    void separatesStderr()
    {
        LocalExecutor executor;
        const auto r = executor.run({ { QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo out; echo err >&2") }, 5000, 65536, false }, {});
        QVERIFY(r.has_value());
        QCOMPARE(r->stdoutData, QByteArray("out\n"));
        QCOMPARE(r->stderrData, QByteArray("err\n"));
    }

    void missingProgramIsAnError()
    {
        LocalExecutor executor;
        const auto r = executor.run({ { QStringLiteral("/nonexistent/tool") }, 5000, 65536, false }, {});
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(QStringLiteral("/nonexistent/tool")));
    }

    void timeoutKillsTheProcessGroup()
    {
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("child.pid"));
        LocalExecutor executor;
        QElapsedTimer t;
        t.start();
        // The shell starts a grandchild; both must die.
        const auto r = executor.run({ { QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 30 & echo $! > %1; wait").arg(pidFile) }, 500, 65536, false }, {});
        QVERIFY(r.has_value());
        QVERIFY(r->timedOut);
        QVERIFY(t.elapsed() < 5000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const pid_t grandchild = pid_t(f.readAll().trimmed().toInt());
        QVERIFY(grandchild > 0);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(grandchild, 0) != 0, 3000);
    }

    void cancelStops()
    {
        LocalExecutor executor;
        auto cancel = std::make_shared<std::atomic_bool>(false);
        QElapsedTimer t;
        t.start();
        std::thread canceller([cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            cancel->store(true);
        });
        const auto r = executor.run({ { QStringLiteral("sleep"), QStringLiteral("30") }, 60000, 65536, false }, cancel);
        canceller.join();
        QVERIFY(r.has_value());
        QVERIFY(r->cancelled);
        QVERIFY(t.elapsed() < 5000);
    }

    void outputIsCapped()
    {
        LocalExecutor executor;
        const auto r = executor.run({ { QStringLiteral("head"), QStringLiteral("-c"), QStringLiteral("100000"), QStringLiteral("/dev/zero") }, 5000, 1024, false }, {});
        QVERIFY(r.has_value());
        QVERIFY(r->truncated);
        QVERIFY(r->stdoutData.startsWith(QByteArray(1024, '\0')));
        QVERIFY(r->stdoutData.endsWith(truncationMarker(1024)));
    }

    void sudoNeedsPolicy()
    {
        LocalExecutor executor(QStringLiteral("none"));
        const auto r = executor.run({ { QStringLiteral("true") }, 5000, 1024, true }, {});
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(QStringLiteral("sudo_policy")));
    }
};

QTEST_GUILESS_MAIN(TestLocalExecutor)
#include "tst_localexecutor.moc"
