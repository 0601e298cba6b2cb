// The remote command line of the SSH executor: per-argument POSIX shell quoting, sudo prefix, refusals.
#include "exec/ssh/sshexecutor.h"

#include <QProcess>
#include <QtTest>

using namespace Tailops;

class TestRemoteCommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quoting_data();
    void quoting();
    void roundTripThroughSh_data();
    void roundTripThroughSh();
    void refusals_data();
    void refusals();
    void sudoNeedsPolicy();
};

void TestRemoteCommandLine::quoting_data()
{
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<bool>("sudo");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QStringList { QStringLiteral("echo"), QStringLiteral("hi") } << false
                           << QByteArray("'echo' 'hi'");
    QTest::newRow("spaces and quotes") << QStringList { QStringLiteral("printf"), QStringLiteral("%s|"),
        QStringLiteral("a b"), QStringLiteral("c'd") }
                                       << false << QByteArray("'printf' '%s|' 'a b' 'c'\\''d'");
    QTest::newRow("empty argument") << QStringList { QStringLiteral("printf"), QString() } << false
                                    << QByteArray("'printf' ''");
    QTest::newRow("metacharacters") << QStringList { QStringLiteral("echo"), QStringLiteral("$(id)"),
        QStringLiteral(";"), QStringLiteral("|") }
                                    << false << QByteArray("'echo' '$(id)' ';' '|'");
    QTest::newRow("utf-8") << QStringList { QStringLiteral("echo"), QStringLiteral(u"h\u00e9") } << false
                           << QByteArray("'echo' 'h\xc3\xa9'");
    QTest::newRow("sudo") << QStringList { QStringLiteral("systemctl"), QStringLiteral("restart"),
        QStringLiteral("nginx") }
                          << true << QByteArray("sudo -n -- 'systemctl' 'restart' 'nginx'");
}

void TestRemoteCommandLine::quoting()
{
    QFETCH(QStringList, argv);
    QFETCH(bool, sudo);
    QFETCH(QByteArray, expected);
    const auto line = Exec::remoteCommandLine(argv, sudo);
    QVERIFY2(line.has_value(), line ? "" : qPrintable(line.error().message));
    QCOMPARE(*line, expected);
}

void TestRemoteCommandLine::roundTripThroughSh_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("quotes") << QStringList { QStringLiteral("a b"), QStringLiteral("c'd"), QStringLiteral("\"e\""),
        QStringLiteral("''"), QStringLiteral("'\\''") };
    QTest::newRow("expansions") << QStringList { QStringLiteral("$HOME"), QStringLiteral("$(id)"),
        QStringLiteral("`id`"), QStringLiteral("*"), QStringLiteral("~"), QStringLiteral("!!"),
        QStringLiteral("${x:-y}") };
    QTest::newRow("operators") << QStringList { QStringLiteral(";"), QStringLiteral("|"), QStringLiteral("&&"),
        QStringLiteral(">"), QStringLiteral("<"), QStringLiteral("#"), QStringLiteral("(x)") };
    QTest::newRow("whitespace") << QStringList { QString(), QStringLiteral(" "), QStringLiteral("tab\there"),
        QStringLiteral("new\nline"), QStringLiteral("back\\slash") };
}

// Whatever the argument, a POSIX shell given the quoted line passes it through unchanged.
void TestRemoteCommandLine::roundTripThroughSh()
{
    QFETCH(QStringList, args);
    QStringList argv { QStringLiteral("printf"), QStringLiteral("%s\\0") };
    argv += args;
    const auto line = Exec::remoteCommandLine(argv);
    QVERIFY(line.has_value());

    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"), { QStringLiteral("-c"), QString::fromUtf8(*line) });
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.exitCode(), 0);
    QByteArray expected;
    for (const QString &arg : std::as_const(args)) {
        expected += arg.toUtf8() + '\0';
    }
    QCOMPARE(sh.readAllStandardOutput(), expected);
}

void TestRemoteCommandLine::refusals_data()
{
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<QString>("message");
    QTest::newRow("no argv") << QStringList() << QStringLiteral("empty command");
    QTest::newRow("empty program") << QStringList { QString() } << QStringLiteral("empty command");
    QTest::newRow("NUL") << QStringList { QStringLiteral("echo"),
        QString(QStringLiteral("a") + QChar(u'\0') + QStringLiteral("b")) }
                         << QStringLiteral("argument 1 contains a NUL character");
}

void TestRemoteCommandLine::refusals()
{
    QFETCH(QStringList, argv);
    QFETCH(QString, message);
    const auto line = Exec::remoteCommandLine(argv);
    QVERIFY(!line.has_value());
    QCOMPARE(line.error().message, message);
}

// Checked before any connection is made (the target does not exist).
void TestRemoteCommandLine::sudoNeedsPolicy()
{
    Registry::Target target;
    target.id = QStringLiteral("web-01");
    target.executor = Registry::Executor::Ssh;
    target.host = QStringLiteral("127.0.0.1");
    target.port = 1;
    target.sudoPolicy = QStringLiteral("none");
    Exec::SshExecutor executor(target);
    Exec::CommandSpec spec;
    spec.argv = QStringList { QStringLiteral("id") };
    spec.sudo = true;
    const auto result = executor.run(spec, {});
    QVERIFY(!result.has_value());
    QCOMPARE(
        result.error().message, QStringLiteral("sudo is not allowed on target web-01 (constraints.sudo_policy: none)"));
    QCOMPARE(executor.poolStats().connects, 0);
}

QTEST_GUILESS_MAIN(TestRemoteCommandLine)
#include "tst_remotecommandline.moc"
