// SshExecutor against a real OpenSSH sshd on 127.0.0.1 (tests/fixtures/sshd): commands, exit codes, quoting,
// timeouts, cancel, output caps, host key checks, key files, dropped connections, the session pool.
#include "exec/ssh/sshexecutor.h"
#include "sshdfixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Tailops;
using Exec::CommandSpec;
using Exec::SshExecutor;
using KeyType = Testing::SshdFixture::KeyType;

Q_DECLARE_METATYPE(KeyType)

namespace {

// A listening TCP socket on 127.0.0.1 that never accepts: connects succeed, no SSH banner ever comes.
class SilentListener
{
public:
    SilentListener()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 && ::listen(m_fd, 16) == 0
            && ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0) {
            m_port = ntohs(addr.sin_port);
        }
    }
    ~SilentListener()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// The error text of a result, for QVERIFY2 (which evaluates its message even when the check passes).
template <typename T> QByteArray why(const Core::Result<T> &result)
{
    return result ? QByteArray() : result.error().toString().toLocal8Bit();
}

quint16 closedPort()
{
    const SilentListener probe; // bound, then closed when it goes out of scope
    return probe.port();
}

CommandSpec spec(QStringList argv, qint64 timeoutMs = 20000, qint64 maxOutputBytes = 1024 * 1024)
{
    CommandSpec s;
    s.argv = std::move(argv);
    s.timeoutMs = timeoutMs;
    s.maxOutputBytes = maxOutputBytes;
    return s;
}

QStringList sh(const QString &script) { return { QStringLiteral("sh"), QStringLiteral("-c"), script }; }

} // namespace

class TestSshExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void runsCommands_data();
    void runsCommands();
    void reusesOneSession();
    void keyTypes_data();
    void keyTypes();
    void agentAuthentication();

    void timeout();
    void cancel();
    void cancelledBeforeStart();
    void outputCap_data();
    void outputCap();
    void endlessOutputIsCut();

    void unknownHostKeyThenTrust();
    void changedHostKeyRefused_data();
    void changedHostKeyRefused();
    void keyFileModeRefused_data();
    void keyFileModeRefused();
    void wrongKeyRefused();
    void unusableKeyFile();
    void connectionRefused();
    void connectionTimeout();
    void sudoPolicy();

    void sshdKilledMidCall();
    void poolRecovers_data();
    void poolRecovers();
    void frozenServerDoesNotHang();
    void parallelCallsUseSeparateSessions();

private:
    Registry::Target target(const QString &id = QStringLiteral("ssh-test"), KeyType key = KeyType::Ed25519) const;
    Exec::SshOptions options(const QString &knownHosts = {}) const;
    QList<pid_t> remoteProcesses(const QByteArray &cmdline) const;

    Testing::SshdFixture m_sshd;
    std::unique_ptr<QTemporaryDir> m_scratch;
};

Registry::Target TestSshExecutor::target(const QString &id, KeyType key) const
{
    Registry::Target t;
    t.id = id;
    t.type = QStringLiteral("remote");
    t.executor = Registry::Executor::Ssh;
    t.host = m_sshd.host();
    t.port = m_sshd.port();
    t.username = m_sshd.userName();
    t.keyPath = m_sshd.clientKeyPath(key);
    t.connectTimeoutSeconds = 5;
    t.timeoutSeconds = 20;
    t.concurrency = 8;
    return t;
}

Exec::SshOptions TestSshExecutor::options(const QString &knownHosts) const
{
    Exec::SshOptions o;
    o.knownHostsFile = knownHosts.isEmpty() ? m_sshd.knownHostsFile() : knownHosts;
    return o;
}

// Processes below sshd whose command line is exactly cmdline (arguments separated by NUL).
QList<pid_t> TestSshExecutor::remoteProcesses(const QByteArray &cmdline) const
{
    QList<pid_t> found;
    const QList<pid_t> pids = Testing::SshdFixture::descendants(m_sshd.pid());
    for (pid_t p : pids) {
        QFile file(QStringLiteral("/proc/%1/cmdline").arg(p));
        if (file.open(QIODevice::ReadOnly) && file.readAll() == cmdline) {
            found.append(p);
        }
    }
    return found;
}

void TestSshExecutor::initTestCase()
{
    qRegisterMetaType<KeyType>();
    const auto started = m_sshd.start();
    if (!started) {
        QSKIP(qPrintable(QStringLiteral("no sshd fixture: ") + started.error().message));
    }
    qInfo("sshd pid %d on 127.0.0.1:%d, user %s, dir %s", int(m_sshd.pid()), int(m_sshd.port()),
        qPrintable(m_sshd.userName()), qPrintable(m_sshd.directory()));
    m_scratch = std::make_unique<QTemporaryDir>();
    QVERIFY(m_scratch->isValid());
}

void TestSshExecutor::init()
{
    // Some tests stop sshd; every test starts with it running on the same port.
    if (!m_sshd.isRunning()) {
        const auto started = m_sshd.start();
        QVERIFY2(started.has_value(), why(started).constData());
    }
}

void TestSshExecutor::cleanupTestCase() { m_sshd.stop(); }

void TestSshExecutor::runsCommands_data()
{
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("out");
    QTest::addColumn<QByteArray>("err");

    QTest::newRow("stdout") << QStringList { QStringLiteral("echo"), QStringLiteral("hello") } << 0
                            << QByteArray("hello\n") << QByteArray();
    QTest::newRow("exit code") << sh(QStringLiteral("exit 3")) << 3 << QByteArray() << QByteArray();
    QTest::newRow("stderr") << sh(QStringLiteral("echo oops >&2; exit 1")) << 1 << QByteArray() << QByteArray("oops\n");
    QTest::newRow("both streams") << sh(QStringLiteral("echo out; echo err >&2")) << 0 << QByteArray("out\n")
                                  << QByteArray("err\n");
    QTest::newRow("argv preserved") << QStringList { QStringLiteral("printf"), QStringLiteral("%s|"),
        QStringLiteral("a b"), QStringLiteral("c'd") }
                                    << 0 << QByteArray("a b|c'd|") << QByteArray();
    QTest::newRow("metacharacters literal")
        << QStringList { QStringLiteral("echo"), QStringLiteral("$(id)"), QStringLiteral(";"), QStringLiteral("|") }
        << 0 << QByteArray("$(id) ; |\n") << QByteArray();
    QTest::newRow("more metacharacters") << QStringList { QStringLiteral("printf"), QStringLiteral("[%s]"),
        QStringLiteral("*"), QStringLiteral("~"), QStringLiteral("$HOME"), QStringLiteral("`id`"),
        QStringLiteral("a\nb"), QString(), QStringLiteral("&& true") }
                                         << 0 << QByteArray("[*][~][$HOME][`id`][a\nb][][&& true]") << QByteArray();
    QTest::newRow("utf-8") << QStringList { QStringLiteral("printf"), QStringLiteral("%s"),
        QStringLiteral(u"h\u00e9 \u2713") }
                           << 0 << QByteArray("h\xc3\xa9 \xe2\x9c\x93") << QByteArray();
    QTest::newRow("stdin is closed") << QStringList { QStringLiteral("cat") } << 0 << QByteArray() << QByteArray();
    QTest::newRow("stderr only, many chunks")
        << sh(QStringLiteral("i=0; while [ $i -lt 200 ]; do echo line-$i >&2; i=$((i+1)); done")) << 0 << QByteArray()
        << [] {
               QByteArray e;
               for (int i = 0; i < 200; ++i) {
                   e += "line-" + QByteArray::number(i) + '\n';
               }
               return e;
           }();
}

void TestSshExecutor::runsCommands()
{
    QFETCH(QStringList, argv);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, out);
    QFETCH(QByteArray, err);

    SshExecutor executor(target(), options());
    const auto result = executor.run(spec(argv), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->stdoutData, out);
    QCOMPARE(result->stderrData, err);
    QCOMPARE(result->exitCode, exitCode);
    QVERIFY(!result->truncated);
    QVERIFY(!result->timedOut);
    QVERIFY(!result->cancelled);
}

void TestSshExecutor::reusesOneSession()
{
    SshExecutor executor(target(), options());
    QElapsedTimer clock;
    qint64 first = 0;
    qint64 later = 0;
    for (int i = 0; i < 10; ++i) {
        clock.start();
        const auto result = executor.run(spec({ QStringLiteral("echo"), QString::number(i) }), {});
        QVERIFY2(result.has_value(), why(result).constData());
        QCOMPARE(result->stdoutData, QByteArray::number(i) + '\n');
        (i == 0 ? first : later) += clock.elapsed();
    }
    qInfo("first call (connect + auth + exec) %lld ms, pooled calls %.1f ms on average", first, later / 9.0);
    const auto stats = executor.poolStats();
    QCOMPARE(stats.connects, 1);
    QCOMPARE(stats.idle, 1);
    QCOMPARE(stats.busy, 0);
    QCOMPARE(stats.discarded, 0);
}

void TestSshExecutor::keyTypes_data()
{
    QTest::addColumn<KeyType>("key");
    QTest::newRow("ed25519") << KeyType::Ed25519;
    QTest::newRow("ecdsa") << KeyType::Ecdsa;
    QTest::newRow("rsa") << KeyType::Rsa;
}

void TestSshExecutor::keyTypes()
{
    QFETCH(KeyType, key);
    SshExecutor executor(target(QStringLiteral("ssh-test"), key), options());
    const auto result = executor.run(spec({ QStringLiteral("id"), QStringLiteral("-un") }), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->exitCode, 0);
    QCOMPARE(result->stdoutData.trimmed(), m_sshd.userName().toUtf8());
}

// No key_path: the keys of ssh-agent (SSH_AUTH_SOCK).
void TestSshExecutor::agentAuthentication()
{
    const QString agentBinary = QStandardPaths::findExecutable(QStringLiteral("ssh-agent"));
    const QString addBinary = QStandardPaths::findExecutable(QStringLiteral("ssh-add"));
    if (agentBinary.isEmpty() || addBinary.isEmpty()) {
        QSKIP("ssh-agent/ssh-add not installed");
    }
    const QString socket = m_scratch->filePath(QStringLiteral("agent.sock"));
    QProcess agent; // ends with this test: QProcess kills its own child by PID
    agent.start(agentBinary, { QStringLiteral("-D"), QStringLiteral("-a"), socket });
    QVERIFY(agent.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 5000);
    const auto stopAgent = qScopeGuard([&] {
        agent.kill();
        agent.waitForFinished(3000);
    });

    QProcess add;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SSH_AUTH_SOCK"), socket);
    add.setProcessEnvironment(env);
    add.start(addBinary, { m_sshd.clientKeyPath(KeyType::Ecdsa) });
    QVERIFY(add.waitForFinished(10000));
    QCOMPARE(add.exitCode(), 0);

    const QByteArray previous = qgetenv("SSH_AUTH_SOCK");
    qputenv("SSH_AUTH_SOCK", QFile::encodeName(socket));
    const auto restoreEnv = qScopeGuard([&] {
        if (previous.isEmpty()) {
            qunsetenv("SSH_AUTH_SOCK");
        } else {
            qputenv("SSH_AUTH_SOCK", previous);
        }
    });
    Registry::Target t = target();
    t.keyPath.clear();
    SshExecutor executor(t, options());
    const auto result = executor.run(spec({ QStringLiteral("echo"), QStringLiteral("via agent") }), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->stdoutData, QByteArray("via agent\n"));
}

void TestSshExecutor::timeout()
{
    SshExecutor executor(target(), options());
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec(sh(QStringLiteral("echo started; exec sleep 5")), 500), {});
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(result.has_value(), why(result).constData());
    QVERIFY(result->timedOut);
    QVERIFY(!result->cancelled);
    QCOMPARE(result->stdoutData, QByteArray("started\n")); // the output so far
    QCOMPARE(result->exitCode, -1);
    QVERIFY2(elapsed >= 480 && elapsed < 3000, qPrintable(QString::number(elapsed))); // the command sleeps 5 s
    qInfo("500 ms timeout returned after %lld ms", elapsed);
    // The remote command was stopped (a "signal" request, then the connection closed).
    QTRY_VERIFY_WITH_TIMEOUT(remoteProcesses(QByteArray("sleep\0"
                                                        "5\0",
                                                 8))
                                 .isEmpty(),
        3000);
    QCOMPARE(executor.poolStats().discarded, 1);
    // The executor keeps working on a fresh session.
    const auto next = executor.run(spec({ QStringLiteral("echo"), QStringLiteral("again") }), {});
    QVERIFY2(next.has_value(), why(next).constData());
    QCOMPARE(next->stdoutData, QByteArray("again\n"));
}

void TestSshExecutor::cancel()
{
    SshExecutor executor(target(), options());
    auto flag = std::make_shared<std::atomic_bool>(false);
    std::thread canceller([flag] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        flag->store(true);
    });
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec({ QStringLiteral("sleep"), QStringLiteral("5") }, 20000), flag);
    const qint64 elapsed = clock.elapsed();
    canceller.join();
    QVERIFY2(result.has_value(), why(result).constData());
    QVERIFY(result->cancelled);
    QVERIFY(!result->timedOut);
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed))); // the command sleeps 5 s
}

void TestSshExecutor::cancelledBeforeStart()
{
    SshExecutor executor(target(), options());
    auto flag = std::make_shared<std::atomic_bool>(true);
    const auto result = executor.run(spec({ QStringLiteral("true") }), flag);
    QVERIFY(result.has_value());
    QVERIFY(result->cancelled);
    QCOMPARE(executor.poolStats().connects, 0);
}

void TestSshExecutor::outputCap_data()
{
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<bool>("truncated");

    QTest::newRow("stdout cut") << QStringList { QStringLiteral("seq"), QStringLiteral("1"), QStringLiteral("20000") }
                                << qint64(1000) << true;
    QTest::newRow("stdout and stderr share the cap")
        << sh(QStringLiteral("seq 1 1000 >&2; seq 1 1000; seq 1 1000 >&2")) << qint64(5000) << true;
    QTest::newRow("exactly at the limit")
        << QStringList { QStringLiteral("printf"), QStringLiteral("1234567890") } << qint64(10) << false;
    QTest::newRow("one byte over") << QStringList { QStringLiteral("printf"), QStringLiteral("12345678901") }
                                   << qint64(10) << true;
    QTest::newRow("large, drained to the end") << QStringList { QStringLiteral("head"), QStringLiteral("-c"),
        QStringLiteral("3000000"), QStringLiteral("/dev/zero") }
                                               << qint64(64 * 1024) << true;
}

void TestSshExecutor::outputCap()
{
    QFETCH(QStringList, argv);
    QFETCH(qint64, limit);
    QFETCH(bool, truncated);

    SshExecutor executor(target(), options());
    const auto result = executor.run(spec(argv, 20000, limit), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->truncated, truncated);
    const QByteArray marker = Exec::truncationMarker(limit);
    const qint64 total = result->stdoutData.size() + result->stderrData.size();
    if (truncated) {
        QCOMPARE(total, limit + marker.size());
        QVERIFY(result->stdoutData.endsWith(marker)); // after stdout, whichever stream went over
        QVERIFY(!result->stderrData.contains("[tailops: output truncated"));
        // Drained to the end: the command finished normally and reported its status; the session stays pooled.
        QCOMPARE(result->exitCode, 0);
        QCOMPARE(executor.poolStats().idle, 1);
    } else {
        QCOMPARE(total, limit);
        QCOMPARE(result->exitCode, 0);
    }
    if (QTest::currentDataTag() == QByteArrayLiteral("stdout cut")) {
        QVERIFY(result->stdoutData.startsWith("1\n2\n3\n"));
    }
}

// Output that never ends: cut at the cap, drained for a while, then stopped; never waits for the timeout.
void TestSshExecutor::endlessOutputIsCut()
{
    SshExecutor executor(target(), options());
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec({ QStringLiteral("yes") }, 15000, 1000), {});
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(result.has_value(), why(result).constData());
    QVERIFY(result->truncated);
    QVERIFY(!result->timedOut);
    QCOMPARE(result->stdoutData.size(), 1000 + Exec::truncationMarker(1000).size());
    QVERIFY2(elapsed < 10000, qPrintable(QString::number(elapsed)));
    qInfo("endless output stopped after %lld ms", elapsed);
    QTRY_VERIFY_WITH_TIMEOUT(remoteProcesses(QByteArray("yes\0", 4)).isEmpty(), 3000);
}

void TestSshExecutor::unknownHostKeyThenTrust()
{
    // A known_hosts file in a directory that does not exist yet: trust creates both.
    const QString knownHosts = m_scratch->filePath(QStringLiteral("fresh/.ssh/known_hosts"));
    const auto opts = options(knownHosts);
    const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(m_sshd.port());
    const QString fingerprint = m_sshd.hostKeyFingerprint();
    QVERIFY(fingerprint.startsWith(QStringLiteral("SHA256:")));

    SshExecutor executor(target(QStringLiteral("web-01")), opts);
    auto result = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message,
        QStringLiteral("unknown host key for %1 (%2); verify it and run: tailops-gateway targets trust web-01")
            .arg(hostPort, fingerprint));

    auto info = Exec::fetchHostKey(target(QStringLiteral("web-01")), opts);
    QVERIFY2(info.has_value(), why(info).constData());
    QCOMPARE(info->status, Exec::HostKeyStatus::Unknown);
    QCOMPARE(info->fingerprint, fingerprint);
    QCOMPARE(info->keyType, QStringLiteral("ssh-ed25519"));
    QCOMPARE(info->hostPort, hostPort);

    // A fingerprint the user did not verify is refused.
    const auto wrong = Exec::trustHostKey(
        target(QStringLiteral("web-01")), opts, QStringLiteral("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    QVERIFY(!wrong.has_value());
    QVERIFY(wrong.error().message.contains(QStringLiteral("not the expected")));
    QVERIFY(!QFile::exists(knownHosts));

    const auto trusted = Exec::trustHostKey(target(QStringLiteral("web-01")), opts, fingerprint);
    QVERIFY2(trusted.has_value(), why(trusted).constData());
    QFile file(knownHosts);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY2(written.contains(QStringLiteral("[127.0.0.1]:%1 ssh-ed25519 ").arg(m_sshd.port()).toUtf8()),
        written.constData());

    info = Exec::fetchHostKey(target(QStringLiteral("web-01")), opts);
    QVERIFY(info.has_value());
    QCOMPARE(info->status, Exec::HostKeyStatus::Known);
    QVERIFY(Exec::trustHostKey(target(QStringLiteral("web-01")), opts).has_value()); // already known: no-op

    result = executor.run(spec({ QStringLiteral("echo"), QStringLiteral("trusted") }), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->stdoutData, QByteArray("trusted\n"));

    // OpenSSH agrees with what was written.
    QProcess ssh;
    QStringList args = m_sshd.openSshArguments();
    args.replace(args.indexOf(QStringLiteral("UserKnownHostsFile=") + m_sshd.knownHostsFile()),
        QStringLiteral("UserKnownHostsFile=") + knownHosts);
    ssh.start(QStringLiteral("ssh"), args << QStringLiteral("true"));
    QVERIFY(ssh.waitForFinished(10000));
    QCOMPARE(ssh.exitCode(), 0);
}

void TestSshExecutor::changedHostKeyRefused_data()
{
    QTest::addColumn<KeyType>("otherKey");
    QTest::newRow("same type, other key") << KeyType::Ed25519;
    QTest::newRow("other type only") << KeyType::Ecdsa;
}

void TestSshExecutor::changedHostKeyRefused()
{
    QFETCH(KeyType, otherKey);
    const auto other
        = m_sshd.generateKey(QStringLiteral("impostor_") + Testing::SshdFixture::keyTypeName(otherKey), otherKey);
    QVERIFY2(other.has_value(), why(other).constData());
    QFile pub(*other + QStringLiteral(".pub"));
    QVERIFY(pub.open(QIODevice::ReadOnly));
    const QString knownHosts = m_scratch->filePath(QStringLiteral("changed_known_hosts"));
    QFile file(knownHosts);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    const QByteArray content = m_sshd.knownHostsLine(QString::fromLatin1(pub.readAll())).toUtf8();
    file.write(content);
    file.close();

    const QString prefix = QStringLiteral("HOST KEY CHANGED for 127.0.0.1:%1: now %2")
                               .arg(m_sshd.port())
                               .arg(m_sshd.hostKeyFingerprint());
    SshExecutor executor(target(), options(knownHosts));
    const auto result = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QVERIFY2(result.error().message.startsWith(prefix), why(result).constData());
    QVERIFY2(result.error().message.endsWith(QStringLiteral(u"— possible man-in-the-middle; refusing")),
        why(result).constData());
    if (otherKey == KeyType::Ed25519) {
        QCOMPARE(result.error().message, prefix + QStringLiteral(u" — possible man-in-the-middle; refusing"));
    }

    const auto info = Exec::fetchHostKey(target(), options(knownHosts));
    QVERIFY(info.has_value());
    QCOMPARE(
        info->status, otherKey == KeyType::Ed25519 ? Exec::HostKeyStatus::Changed : Exec::HostKeyStatus::OtherType);

    // trust does not overwrite a changed key.
    const auto trusted = Exec::trustHostKey(target(), options(knownHosts));
    QVERIFY(!trusted.has_value());
    QVERIFY2(trusted.error().message.contains(QStringLiteral("ssh-keygen -R")), why(trusted).constData());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), content);
}

void TestSshExecutor::keyFileModeRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("0644") << 0644;
    QTest::newRow("0640") << 0640;
    QTest::newRow("0604") << 0604;
}

void TestSshExecutor::keyFileModeRefused()
{
    QFETCH(int, mode);
    const QString key = m_scratch->filePath(QStringLiteral("open_key"));
    QFile::remove(key);
    QVERIFY(QFile::copy(m_sshd.clientKeyPath(), key));
    QVERIFY(::chmod(QFile::encodeName(key).constData(), mode_t(mode)) == 0);
    Registry::Target t = target();
    t.keyPath = key;
    SshExecutor executor(t, options());
    const auto result = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QVERIFY2(result.error().message.endsWith(QStringLiteral("fix it with: chmod 600 ") + key), why(result).constData());
    QVERIFY(result.error().message.contains(QStringLiteral("(mode 0%1)").arg(mode, 3, 8, QLatin1Char('0'))));

    QVERIFY(::chmod(QFile::encodeName(key).constData(), 0600) == 0);
    const auto fixed = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY2(fixed.has_value(), why(fixed).constData());
}

void TestSshExecutor::wrongKeyRefused()
{
    const auto stranger = m_sshd.generateKey(QStringLiteral("stranger"));
    QVERIFY(stranger.has_value());
    Registry::Target t = target();
    t.keyPath = *stranger;
    SshExecutor executor(t, options());
    const auto result = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message,
        QStringLiteral("authentication refused for %1@127.0.0.1 (tried key %2)").arg(m_sshd.userName(), *stranger));
}

// A missing key file and a passphrase-protected one: clear errors, no prompt.
void TestSshExecutor::unusableKeyFile()
{
    Registry::Target t = target();
    t.keyPath = m_scratch->filePath(QStringLiteral("no_such_key"));
    SshExecutor missing(t, options());
    auto result = missing.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message,
             QStringLiteral("cannot read key file %1: No such file or directory").arg(t.keyPath));

    t.keyPath = m_scratch->filePath(QStringLiteral("locked_key"));
    QFile::remove(t.keyPath);
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), { QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                 QStringLiteral("-N"), QStringLiteral("secret phrase"),
                                                 QStringLiteral("-f"), t.keyPath });
    QVERIFY(keygen.waitForFinished(10000));
    QCOMPARE(keygen.exitCode(), 0);
    SshExecutor locked(t, options());
    result = locked.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QVERIFY2(result.error().message.startsWith(QStringLiteral("cannot load private key %1").arg(t.keyPath)),
             why(result).constData());
    QVERIFY(result.error().message.contains(QStringLiteral("ssh-agent")));
}

void TestSshExecutor::connectionRefused()
{
    Registry::Target t = target();
    t.port = closedPort();
    SshExecutor executor(t, options());
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message, QStringLiteral("connection refused by 127.0.0.1:%1").arg(t.port));
    QVERIFY(clock.elapsed() < 3000);
    QCOMPARE(executor.poolStats().busy, 0);
}

void TestSshExecutor::connectionTimeout()
{
    const SilentListener silent;
    QVERIFY(silent.port() != 0);
    Registry::Target t = target();
    t.port = silent.port();
    t.connectTimeoutSeconds = 1;
    SshExecutor executor(t, options());
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec({ QStringLiteral("true") }), {});
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message, QStringLiteral("Connection timeout"));
    QCOMPARE(result.error().where, QStringLiteral("127.0.0.1:%1").arg(t.port));
    QVERIFY2(elapsed >= 900 && elapsed < 4000, qPrintable(QString::number(elapsed)));

    const auto info = Exec::fetchHostKey(t, options());
    QVERIFY(!info.has_value());
    QCOMPARE(info.error().message, QStringLiteral("Connection timeout"));
}

void TestSshExecutor::sudoPolicy()
{
    Registry::Target t = target(QStringLiteral("db-01"));
    CommandSpec s = spec({ QStringLiteral("true") });
    s.sudo = true;
    SshExecutor refusing(t, options());
    const auto refused = refusing.run(s, {});
    QVERIFY(!refused.has_value());
    QCOMPARE(
        refused.error().message, QStringLiteral("sudo is not allowed on target db-01 (constraints.sudo_policy: none)"));
    QCOMPARE(refusing.poolStats().connects, 0);

    // Allowed: the remote side runs "sudo -n -- 'true'". Whether sudo exists there or lets the test user in is
    // not this test's business; the command must run and report some exit status.
    t.sudoPolicy = QStringLiteral("full");
    SshExecutor allowing(t, options());
    const auto ran = allowing.run(s, {});
    QVERIFY2(ran.has_value(), why(ran).constData());
    QVERIFY(ran->exitCode >= 0);
}

void TestSshExecutor::sshdKilledMidCall()
{
    SshExecutor executor(target(), options());
    QVERIFY(executor.run(spec({ QStringLiteral("true") }), {}).has_value());
    std::thread killer([this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        m_sshd.stop(); // the listener and every connection process
    });
    QElapsedTimer clock;
    clock.start();
    const auto result = executor.run(spec(sh(QStringLiteral("echo begun; sleep 5")), 20000), {});
    const qint64 elapsed = clock.elapsed();
    killer.join();
    QVERIFY(!result.has_value());
    QVERIFY2(result.error().message.startsWith(
                 QStringLiteral("connection to 127.0.0.1:%1 lost while the command was running").arg(m_sshd.port())),
        why(result).constData());
    QVERIFY2(elapsed < 4000, qPrintable(QString::number(elapsed))); // the command sleeps 5 s
    qInfo("dropped connection reported after %lld ms: %s", elapsed, why(result).constData());
    const auto stats = executor.poolStats();
    QCOMPARE(stats.busy, 0);
    QCOMPARE(stats.idle, 0);

    // sshd is down: a clean connect error, no hang.
    const auto down = executor.run(spec({ QStringLiteral("true") }), {});
    QVERIFY(!down.has_value());
    QCOMPARE(down.error().message, QStringLiteral("connection refused by 127.0.0.1:%1").arg(m_sshd.port()));
}

void TestSshExecutor::poolRecovers_data()
{
    QTest::addColumn<bool>("restart"); // else: only the connections are dropped
    QTest::addColumn<int>("keepAliveSeconds");
    QTest::newRow("sshd restarted") << true << 30;
    QTest::newRow("sshd restarted, keepalive probe") << true << 0;
    QTest::newRow("connections dropped") << false << 30;
    QTest::newRow("connections dropped, keepalive probe") << false << 0;
}

// A pooled session whose connection died is replaced transparently: the command is retried once on a fresh
// session because it failed before the command started.
void TestSshExecutor::poolRecovers()
{
    QFETCH(bool, restart);
    QFETCH(int, keepAliveSeconds);
    Exec::SshOptions opts = options();
    opts.keepAliveSeconds = keepAliveSeconds;
    SshExecutor executor(target(), opts);
    QVERIFY(executor.run(spec({ QStringLiteral("true") }), {}).has_value());
    QCOMPARE(executor.poolStats().idle, 1);

    if (restart) {
        const auto restarted = m_sshd.restart();
        QVERIFY2(restarted.has_value(), why(restarted).constData());
    } else {
        m_sshd.killConnections();
    }
    QTest::qWait(100); // let the FIN arrive

    const auto result = executor.run(spec({ QStringLiteral("echo"), QStringLiteral("recovered") }), {});
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->stdoutData, QByteArray("recovered\n"));
    const auto stats = executor.poolStats();
    QCOMPARE(stats.connects, 2);
    QCOMPARE(stats.idle, 1);
    QVERIFY(stats.discarded >= 1);
    if (keepAliveSeconds > 0) {
        QCOMPARE(stats.retries, 1); // the dead session was found at channel open
    } else {
        QVERIFY(stats.retries <= 1); // 0 when the keepalive probe already noticed the dead connection
    }
}

// The connection processes of a pooled session stop answering (SIGSTOP) while the connection stays up, as
// behind a dead NAT or a hung host: the channel open gives up after connect_timeout, the command is retried on a
// fresh session, and a command that is already running ends at its own timeout.
void TestSshExecutor::frozenServerDoesNotHang()
{
    Registry::Target t = target();
    t.connectTimeoutSeconds = 1;
    SshExecutor executor(t, options());
    QVERIFY(executor.run(spec({ QStringLiteral("true") }), {}).has_value());

    const QList<pid_t> frozen = Testing::SshdFixture::descendants(m_sshd.pid());
    QVERIFY(!frozen.isEmpty());
    for (pid_t p : frozen) {
        ::kill(p, SIGSTOP);
    }
    const auto thaw = qScopeGuard([&] {
        for (pid_t p : frozen) {
            ::kill(p, SIGKILL);
        }
    });
    QElapsedTimer clock;
    clock.start();
    auto result = executor.run(spec({ QStringLiteral("echo"), QStringLiteral("fresh") }), {});
    qint64 elapsed = clock.elapsed();
    QVERIFY2(result.has_value(), why(result).constData());
    QCOMPARE(result->stdoutData, QByteArray("fresh\n"));
    QVERIFY2(elapsed >= 900 && elapsed < 5000, qPrintable(QString::number(elapsed)));
    QCOMPARE(executor.poolStats().retries, 1);

    // Freeze the new connection in the middle of a command.
    std::thread freezer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        for (pid_t p : Testing::SshdFixture::descendants(m_sshd.pid())) {
            if (!frozen.contains(p)) {
                ::kill(p, SIGSTOP);
            }
        }
    });
    clock.start();
    result = executor.run(spec(sh(QStringLiteral("sleep 10")), 1000), {});
    elapsed = clock.elapsed();
    freezer.join();
    QVERIFY2(result.has_value(), why(result).constData());
    QVERIFY(result->timedOut);
    QVERIFY2(elapsed < 4000, qPrintable(QString::number(elapsed)));
    m_sshd.killConnections(); // SIGKILL ends stopped processes too
}

void TestSshExecutor::parallelCallsUseSeparateSessions()
{
    constexpr int threads = 8;
    Exec::SshOptions opts = options();
    opts.maxIdleSessions = 2;
    SshExecutor executor(target(), opts);

    std::vector<Core::Result<Exec::CommandResult>> results(threads, Core::fail(QStringLiteral("not run")));
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&, i] {
            // $SSH_CLIENT is "client-ip client-port server-port": one client port per connection.
            results[std::size_t(i)]
                = executor.run(spec(sh(QStringLiteral("echo %1 $SSH_CLIENT; sleep 0.5").arg(i))), {});
        });
    }
    for (auto &w : workers) {
        w.join();
    }
    QSet<QByteArray> clientPorts;
    for (int i = 0; i < threads; ++i) {
        const auto &r = results[std::size_t(i)];
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->exitCode, 0);
        const QList<QByteArray> fields = r->stdoutData.trimmed().split(' ');
        QCOMPARE(fields.size(), 4);
        QCOMPARE(fields[0], QByteArray::number(i));
        clientPorts.insert(fields[2]);
    }
    QCOMPARE(clientPorts.size(), threads); // no session was shared by two commands
    const auto stats = executor.poolStats();
    QCOMPARE(stats.connects, threads);
    QCOMPARE(stats.busy, 0);
    QCOMPARE(stats.idle, 2); // the rest were closed
    QCOMPARE(stats.discarded, 0);

    // The next wave reuses the two idle sessions and opens the rest.
    workers.clear();
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&, i] { results[std::size_t(i)] = executor.run(spec({ QStringLiteral("true") }), {}); });
    }
    for (auto &w : workers) {
        w.join();
    }
    for (const auto &r : results) {
        QVERIFY(r.has_value());
    }
    QVERIFY(executor.poolStats().connects <= 2 * threads);
    QCOMPARE(executor.poolStats().idle, 2);
}

QTEST_GUILESS_MAIN(TestSshExecutor)
#include "tst_sshexecutor.moc"
