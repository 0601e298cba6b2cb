// Exec::DockerClient without a Docker daemon: mapping a Target to options, endpoint parsing, container name
// checks, the since parameter, and the errors for a missing socket, a dead socket and a daemon that never answers.

#include "exec/docker/dockerclient.h"
#include "registry/target.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Tailops::Exec::DockerClient;
using Tailops::Exec::DockerClientOptions;
using Tailops::Exec::DockerTls;
using Tailops::Registry::Target;

namespace {

// A unix socket file bound (and listening, if asked) by us; closed at the end. Not closing it through
// QLocalServer keeps the file: after close() it is a stale socket nobody listens on.
class RawUnixSocket
{
public:
    RawUnixSocket(const QString &path, bool listening)
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        const QByteArray p = path.toLocal8Bit();
        memcpy(addr.sun_path, p.constData(), std::min<size_t>(p.size(), sizeof addr.sun_path - 1));
        m_ok = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
            && (!listening || ::listen(m_fd, 8) == 0);
    }
    ~RawUnixSocket() { close(); }
    void close()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    bool ok() const { return m_ok; }

private:
    int m_fd = -1;
    bool m_ok = false;
};

DockerClientOptions socketOptions(const QString &path)
{
    DockerClientOptions o;
    o.socketPath = path;
    o.connectTimeoutMs = 2000;
    o.timeoutMs = 2000;
    return o;
}

} // namespace

class TestDockerOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromTarget()
    {
        Target t;
        t.id = u"docker-local"_s;
        t.socketPath = u"/run/user/1000/docker.sock"_s;
        t.connectTimeoutSeconds = 5;
        t.timeoutSeconds = 20;
        t.maxOutputBytes = 4096;
        auto o = DockerClientOptions::fromTarget(t);
        QCOMPARE(o.socketPath, u"/run/user/1000/docker.sock"_s);
        QVERIFY(o.endpoint.isEmpty());
        QCOMPARE(o.connectTimeoutMs, 5000);
        QCOMPARE(o.timeoutMs, 20000);
        QCOMPARE(o.maxOutputBytes, 4096);
        QCOMPARE(DockerClient(o).describeEndpoint(), u"unix:///run/user/1000/docker.sock"_s);

        Target remote;
        remote.host = u"docker.example"_s;
        QCOMPARE(DockerClientOptions::fromTarget(remote).endpoint, u"tcp://docker.example:2375"_s);
        QCOMPARE(
            DockerClient(DockerClientOptions::fromTarget(remote)).describeEndpoint(), u"http://docker.example:2375"_s);
        const DockerTls tls { u"/etc/tailops/ca.pem"_s, u"/etc/tailops/cert.pem"_s, u"/etc/tailops/key.pem"_s };
        const auto withTls = DockerClientOptions::fromTarget(remote, tls);
        QCOMPARE(withTls.endpoint, u"tcp://docker.example:2376"_s);
        QCOMPARE(withTls.tls.certFile, u"/etc/tailops/cert.pem"_s);
        QCOMPARE(DockerClient(withTls).describeEndpoint(), u"https://docker.example:2376"_s);
        remote.port = 12375;
        QCOMPARE(DockerClientOptions::fromTarget(remote).endpoint, u"tcp://docker.example:12375"_s);

        Target v6;
        v6.host = u"::1"_s;
        QCOMPARE(DockerClient(DockerClientOptions::fromTarget(v6)).describeEndpoint(), u"http://[::1]:2375"_s);

        Target byUrl;
        byUrl.url = u"https://docker.example:2376"_s;
        byUrl.host = u"ignored.example"_s;
        QCOMPARE(DockerClient(DockerClientOptions::fromTarget(byUrl, tls)).describeEndpoint(),
            u"https://docker.example:2376"_s);

        QCOMPARE(DockerClientOptions::fromTarget(Target()).socketPath, u"/var/run/docker.sock"_s);
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QString>("described"); // empty: refused
        QTest::addRow("tcp") << u"tcp://h.example:2375"_s << false << u"http://h.example:2375"_s;
        QTest::addRow("tcp+tls") << u"tcp://h.example:2376"_s << true << u"https://h.example:2376"_s;
        QTest::addRow("tcp no port") << u"tcp://h.example"_s << false << u"http://h.example:2375"_s;
        QTest::addRow("https") << u"https://h.example:2376"_s << true << u"https://h.example:2376"_s;
        QTest::addRow("http slash") << u"http://h.example:2375/"_s << false << u"http://h.example:2375"_s;
        QTest::addRow("unix") << u"unix:///var/run/docker.sock"_s << false << u"unix:///var/run/docker.sock"_s;
        QTest::addRow("ftp") << u"ftp://h.example"_s << false << QString();
        QTest::addRow("path") << u"tcp://h.example:2375/v1.41"_s << false << QString();
        QTest::addRow("no host") << u"tcp://:2375"_s << false << QString();
        QTest::addRow("user") << u"https://me:pw@h.example:2376"_s << false << QString();
        QTest::addRow("unix empty") << u"unix://"_s << false << QString();
    }
    void endpoints()
    {
        QFETCH(QString, endpoint);
        QFETCH(bool, tls);
        QFETCH(QString, described);
        DockerClientOptions o;
        o.endpoint = endpoint;
        if (tls) {
            o.tls.caFile = u"/nonexistent/ca.pem"_s;
        }
        DockerClient client(o);
        if (!described.isEmpty()) {
            QCOMPARE(client.describeEndpoint(), described);
            return;
        }
        const auto r = client.ping();
        QVERIFY(!r);
        QVERIFY2(r.error().message.startsWith(u"Invalid Docker endpoint"_s), qPrintable(r.error().message));
    }

    void containerRefs_data()
    {
        QTest::addColumn<QString>("ref");
        QTest::addColumn<bool>("valid");
        QTest::addRow("name") << u"web-1"_s << true;
        QTest::addRow("dots underscores") << u"my_app.v2-blue"_s << true;
        QTest::addRow("listed name") << u"/web-1"_s << true;
        QTest::addRow("short id") << u"4f2a9c0b1d3e"_s << true;
        QTest::addRow("full id") << QString(64, u'a') << true;
        QTest::addRow("128 chars") << QString(128, u'x') << true;
        QTest::addRow("129 chars") << QString(129, u'x') << false;
        QTest::addRow("empty") << QString() << false;
        QTest::addRow("slash only") << u"/"_s << false;
        QTest::addRow("dotdot") << u"../x"_s << false;
        QTest::addRow("space") << u"a b"_s << false;
        QTest::addRow("leading dash") << u"-x"_s << false;
        QTest::addRow("leading dot") << u".x"_s << false;
        QTest::addRow("inner slash") << u"x/y"_s << false;
        QTest::addRow("query") << u"a?b=1"_s << false;
        QTest::addRow("percent") << u"a%2e"_s << false;
        QTest::addRow("newline") << u"a\nb"_s << false;
        QTest::addRow("trailing newline") << u"ab\n"_s << false;
        QTest::addRow("unicode") << u"caf\u00e9"_s << false;
    }
    void containerRefs()
    {
        QFETCH(QString, ref);
        QFETCH(bool, valid);
        QCOMPARE(DockerClient::isValidContainerRef(ref), valid);
    }

    void invalidRefIsRefusedBeforeAnyRequest()
    {
        // The socket does not exist: an attempted request would say so instead.
        DockerClient client(socketOptions(u"/nonexistent/docker.sock"_s));
        for (const QString &ref : { u"../x"_s, u"a b"_s }) {
            for (const auto &error : { client.inspectContainer(ref).error(), client.containerLogs(ref).error(),
                     client.startContainer(ref).error(), client.stopContainer(ref, 1).error(),
                     client.restartContainer(ref).error() }) {
                QVERIFY2(error.message.startsWith(u"Invalid container name or id \""_s + ref + u'"'),
                    qPrintable(error.message));
            }
        }
    }

    void since_data()
    {
        QTest::addColumn<QString>("since");
        QTest::addColumn<QString>("api"); // "!" = refused
        // now = 1'700'000'000'000 ms = 2023-11-14T22:13:20Z
        QTest::addRow("empty") << QString() << QString();
        QTest::addRow("unix") << u"1700000000"_s << u"1700000000"_s;
        QTest::addRow("unix fraction") << u"1700000000.123456789"_s << u"1700000000.123456789"_s;
        QTest::addRow("seconds ago") << u"90s"_s << u"1699999910.000"_s;
        QTest::addRow("composite") << u"1h30m"_s << u"1699994600.000"_s;
        QTest::addRow("ms") << u"250ms"_s << u"1699999999.750"_s;
        QTest::addRow("days") << u"1d"_s << u"1699913600.000"_s;
        QTest::addRow("rfc3339 Z") << u"2023-11-14T22:13:20Z"_s << u"1700000000"_s;
        QTest::addRow("rfc3339 nanos") << u"2023-11-14T22:13:20.000000042Z"_s << u"1700000000.000000042"_s;
        QTest::addRow("rfc3339 millis") << u"2023-11-14T22:13:20.5Z"_s << u"1700000000.500000000"_s;
        QTest::addRow("rfc3339 offset") << u"2023-11-14T23:13:20+01:00"_s << u"1700000000"_s;
        QTest::addRow("date") << u"2023-11-14"_s << u"1699920000"_s;
        QTest::addRow("words") << u"yesterday"_s << u"!"_s;
        QTest::addRow("injection") << u"1&follow=1"_s << u"!"_s;
        QTest::addRow("no unit") << u"10"_s << u"10"_s;
        QTest::addRow("bad unit") << u"10w"_s << u"!"_s;
        QTest::addRow("bad date") << u"2023-13-45T00:00:00Z"_s << u"!"_s;
    }
    void since()
    {
        QFETCH(QString, since);
        QFETCH(QString, api);
        const auto r = DockerClient::sinceToApi(since, 1'700'000'000'000);
        if (api == u"!"_s) {
            QVERIFY(!r);
            QVERIFY2(r.error().message.startsWith(u"Invalid since value"_s), qPrintable(r.error().message));
        } else {
            QVERIFY2(r, r ? "" : qPrintable(r.error().message));
            QCOMPARE(*r, api);
        }
    }

    void missingSocket()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"docker.sock"_s);
        DockerClient client(socketOptions(path));
        const auto r = client.ping();
        QVERIFY(!r);
        QCOMPARE(r.error().message, u"Docker socket "_s + path + u" not found (is dockerd running?)"_s);
        QCOMPARE(client.listContainers(true).error().message, r.error().message);
    }

    void notASocket()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"docker.sock"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const auto r = DockerClient(socketOptions(path)).version();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"is not a socket"_s), qPrintable(r.error().message));
    }

    void staleSocketIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"docker.sock"_s);
        RawUnixSocket socket(path, false);
        QVERIFY(socket.ok());
        socket.close(); // the file stays, nobody listens: what a crashed daemon leaves
        QElapsedTimer timer;
        timer.start();
        const auto r = DockerClient(socketOptions(path)).ping();
        QVERIFY(!r);
        QCOMPARE(r.error().message, u"Connection refused on "_s + path + u" (is dockerd running?)"_s);
        QVERIFY(timer.elapsed() < 1000);
    }

    void refusedTcpPort()
    {
        DockerClientOptions o;
        o.endpoint = u"tcp://127.0.0.1:1"_s;
        o.connectTimeoutMs = 2000;
        const auto r = DockerClient(o).ping();
        QVERIFY(!r);
        QVERIFY2(
            r.error().message.startsWith(u"Connection refused by http://127.0.0.1:1"_s), qPrintable(r.error().message));
    }

    void permissionDenied_data()
    {
        QTest::addColumn<bool>("hiddenDir");
        QTest::addRow("socket mode 0600") << false; // connect() fails with EACCES
        QTest::addRow("directory mode 0700") << true; // stat() fails with EACCES
    }
    void permissionDenied()
    {
        QFETCH(bool, hiddenDir);
        if (geteuid() != 0) {
            QSKIP("needs root, to run the probe as nobody");
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(u"docker.sock"_s);
        RawUnixSocket socket(path, true);
        QVERIFY(socket.ok());
        QCOMPARE(::chmod(path.toLocal8Bit().constData(), 0600), 0);
        QCOMPARE(::chmod(dir.path().toLocal8Bit().constData(), hiddenDir ? 0700 : 0755), 0);

        // This binary again, as nobody (65534), asked to ping the socket (see main()).
        QProcess probe;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"TAILOPS_DOCKER_PROBE_SOCKET"_s, path);
        probe.setProcessEnvironment(env);
        probe.setChildProcessModifier([] {
            if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
                ::_exit(97);
            }
        });
        probe.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(probe.waitForFinished(10000));
        const QString out = QString::fromUtf8(probe.readAllStandardOutput());
        if (probe.exitCode() != 0 || out.isEmpty()) {
            QSKIP(qPrintable(u"the probe could not run as nobody (the build tree must be readable by all): "_s
                + QString::fromUtf8(probe.readAllStandardError()).left(200)));
        }
        QVERIFY2(out.startsWith(u"permission denied on "_s + path
                     + u": add the gateway's user to the docker group (usermod -aG docker "_s),
            qPrintable(out));
        QVERIFY2(out.endsWith(u"docker nobody)"_s) || out.endsWith(u"docker USER)"_s), qPrintable(out));
    }

    void daemonThatNeverAnswers()
    {
        // Listening but never accepting: the connection completes in the kernel and the request is never read.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"docker.sock"_s);
        RawUnixSocket socket(path, true);
        QVERIFY(socket.ok());
        auto options = socketOptions(path);
        options.timeoutMs = 600;
        QElapsedTimer timer;
        timer.start();
        const auto r = DockerClient(options).listContainers(true);
        QVERIFY(!r);
        QVERIFY2(r.error().message.startsWith(u"Connection timeout"_s), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(u"GET /containers/json"_s), qPrintable(r.error().message));
        QVERIFY(timer.elapsed() >= 500);
        QVERIFY(timer.elapsed() < 3000);

        // stop adds its grace period to the request timeout
        timer.restart();
        const auto stopped = DockerClient(options).stopContainer(u"web"_s, 1);
        QVERIFY(!stopped);
        QVERIFY2(stopped.error().message.startsWith(u"Connection timeout"_s), qPrintable(stopped.error().message));
        QVERIFY(timer.elapsed() >= 1500);
        QVERIFY(timer.elapsed() < 4000);
    }
};

// With TAILOPS_DOCKER_PROBE_SOCKET set, pings that socket and prints the outcome (for permissionDenied).
int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString probe = qEnvironmentVariable("TAILOPS_DOCKER_PROBE_SOCKET");
    if (!probe.isEmpty()) {
        const auto r = DockerClient(socketOptions(probe)).ping();
        std::fputs(r ? "OK" : r.error().message.toUtf8().constData(), stdout);
        return 0;
    }
    TestDockerOptions test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_dockeroptions.moc"
