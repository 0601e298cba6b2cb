#include "approvals/adminclient.h"
#include "approvals/adminserver.h"
#include "approvals/approvalbroker.h"
#include "cli/approvalcommands.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Tailops;
using namespace Tailops::Approvals;

namespace {

// Runs WORK on its own thread while this thread's event loop serves the admin socket.
template<typename T>
T offThread(std::function<T()> work)
{
    T result {};
    std::unique_ptr<QThread> thread(QThread::create([&result, &work] { result = work(); }));
    QEventLoop loop;
    QObject::connect(thread.get(), &QThread::finished, &loop, &QEventLoop::quit);
    thread->start();
    loop.exec();
    thread->wait();
    return result;
}

Core::Result<QJsonObject> call(const QString &path, const QJsonObject &request)
{
    return offThread<Core::Result<QJsonObject>>([&] { return AdminClient::call(path, request, 3000); });
}

QJsonObject callOk(const QString &path, const QJsonObject &request)
{
    const auto answer = call(path, request);
    if (!answer) {
        qWarning() << answer.error().toString();
        return {};
    }
    return *answer;
}

// Writes BYTES on a raw connection and returns the answer lines received until EXPECTEDLINES arrived or the
// server closed the connection; *CLOSED tells which.
QList<QByteArray> exchange(const QString &path, const QByteArray &bytes, int expectedLines, bool *closed)
{
    struct Out
    {
        QList<QByteArray> lines;
        bool closed = false;
    };
    const Out out = offThread<Out>([&] {
        Out o;
        QLocalSocket socket;
        socket.connectToServer(path);
        if (!socket.waitForConnected(3000)) {
            return o;
        }
        socket.write(bytes);
        while (socket.bytesToWrite() > 0 && socket.waitForBytesWritten(3000)) {
        }
        QByteArray buffer;
        QDeadlineTimer deadline(3000);
        while (o.lines.size() < expectedLines && !deadline.hasExpired()) {
            if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(int(deadline.remainingTime()))) {
                if (socket.state() != QLocalSocket::ConnectedState) {
                    o.closed = true;
                    break;
                }
                continue;
            }
            buffer += socket.readAll();
            qsizetype nl;
            while ((nl = buffer.indexOf('\n')) >= 0) {
                o.lines.append(buffer.left(nl));
                buffer.remove(0, nl + 1);
            }
        }
        if (!o.closed) {
            // Closed after the last answer?
            o.closed = !socket.waitForReadyRead(200) && socket.state() != QLocalSocket::ConnectedState;
        }
        return o;
    });
    *closed = out.closed;
    return out.lines;
}

QJsonObject cmd(const char *name)
{
    return QJsonObject { { QStringLiteral("cmd"), QLatin1StringView(name) } };
}

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0) {
        return 0;
    }
    return st.st_mode;
}

struct Seen
{
    QList<Decision> decisions;
};

QString ask(ApprovalBroker &broker, const QObject *context, const std::shared_ptr<Seen> &seen,
            const QJsonObject &arguments = QJsonObject { { QStringLiteral("service"), QStringLiteral("nginx") } })
{
    ApprovalRequest r;
    r.caller = QStringLiteral("agent:claude-ops");
    r.tool = QStringLiteral("restart_service");
    r.target = QStringLiteral("web-1");
    r.arguments = arguments;
    r.binding = ApprovalBroker::bindingHash(r.caller, r.tool, r.target, arguments);
    r.rule = QStringLiteral("ops-restart");
    r.reason = QStringLiteral("restarts need a human");
    return broker.request(r, 60, context, {}, [seen](const Decision &d) { seen->decisions.append(d); });
}

int cli(const std::function<int()> &run)
{
    return offThread<int>(run);
}

} // namespace

class TestAdminServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void socketIsPrivate();
    void listAndStatus();
    void approveRoundTrip();
    void denyRoundTrip();
    void switchesRoundTrip();
    void errors_data();
    void errors();
    void pipelinedRequests();
    void oversizedLineIsRefused();
    void manyClients();
    void secondListenFails();
    void staleSocketIsReplaced();
    void unsafeDirectoryIsRefused();
    void notASocketIsRefused();
    void noGateway();
    void cliCommands();
    void cliUsesConfigDir();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ApprovalBroker> m_broker;
    std::unique_ptr<AdminServer> m_server;
    QString m_path;
};

void TestAdminServer::init()
{
    // Short: a unix socket path must fit in 108 bytes.
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/tst_admin-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_broker = std::make_unique<ApprovalBroker>();
    m_server = std::make_unique<AdminServer>(m_broker.get());
    const auto listening = m_server->listen(m_dir->filePath(QStringLiteral("run/admin.sock")));
    QVERIFY2(listening.has_value(), qPrintable(listening ? QString() : listening.error().toString()));
    m_path = *listening;
}

void TestAdminServer::cleanup()
{
    m_server.reset();
    m_broker.reset();
    m_dir.reset();
}

void TestAdminServer::socketIsPrivate()
{
    QCOMPARE(m_path, m_dir->filePath(QStringLiteral("run/admin.sock")));
    const mode_t socketMode = modeOf(m_path);
    QVERIFY(S_ISSOCK(socketMode));
    QCOMPARE(socketMode & 07777, mode_t(0600));
    const mode_t dirMode = modeOf(m_dir->filePath(QStringLiteral("run")));
    QVERIFY(S_ISDIR(dirMode));
    QCOMPARE(dirMode & 07777, mode_t(0700));

    m_server->close();
    QVERIFY(!QFileInfo::exists(m_path)); // removed on close
}

void TestAdminServer::listAndStatus()
{
    QJsonObject list = callOk(m_path, cmd("list"));
    QCOMPARE(list.value(QStringLiteral("ok")).toBool(), true);
    QVERIFY(list.value(QStringLiteral("pending")).toArray().isEmpty());
    QVERIFY(list.value(QStringLiteral("grants")).toArray().isEmpty());
    QCOMPARE(list.value(QStringLiteral("paused")), QJsonValue(false));
    QCOMPARE(list.value(QStringLiteral("read_only")), QJsonValue(false));

    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(*m_broker, &context, seen);
    list = callOk(m_path, cmd("list"));
    const QJsonArray pending = list.value(QStringLiteral("pending")).toArray();
    QCOMPARE(pending.size(), 1);
    const QJsonObject r = pending.first().toObject();
    QCOMPARE(r.value(QStringLiteral("id")).toString(), id);
    QCOMPARE(r.value(QStringLiteral("tool")).toString(), QStringLiteral("restart_service"));
    QCOMPARE(r.value(QStringLiteral("target")).toString(), QStringLiteral("web-1"));
    QCOMPARE(r.value(QStringLiteral("caller")).toString(), QStringLiteral("agent:claude-ops"));
    QCOMPARE(r.value(QStringLiteral("arguments")).toObject().value(QStringLiteral("service")).toString(),
             QStringLiteral("nginx"));
    QVERIFY(r.value(QStringLiteral("seconds_left")).toInteger() > 50);

    const QJsonObject status = callOk(m_path, cmd("status"));
    QCOMPARE(status.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(status.value(QStringLiteral("pending_count")).toInteger(), 1);
    QCOMPARE(status.value(QStringLiteral("socket")).toString(), m_path);
}

void TestAdminServer::approveRoundTrip()
{
    QSignalSpy handled(m_server.get(), &AdminServer::commandHandled);
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(*m_broker, &context, seen);

    const QJsonObject answer = callOk(
        m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("approve") }, { QStringLiteral("id"), id },
                              { QStringLiteral("for_seconds"), 600 } });
    QCOMPARE(answer.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(answer.value(QStringLiteral("grant")).toString(), QStringLiteral("granted for 10 min"));
    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Approved);
    const QString approver = QStringLiteral("admin-socket (uid %1)").arg(::geteuid());
    QCOMPARE(seen->decisions.first().approver, approver);
    QCOMPARE(handled.size(), 1);
    QCOMPARE(handled.at(0).at(0).toString(), QStringLiteral("approve"));
    QCOMPARE(handled.at(0).at(1).toString(), approver);

    const QJsonArray grants = callOk(m_path, cmd("list")).value(QStringLiteral("grants")).toArray();
    QCOMPARE(grants.size(), 1);
    QCOMPARE(grants.first().toObject().value(QStringLiteral("approver")).toString(), approver);
    QVERIFY(grants.first().toObject().value(QStringLiteral("seconds_left")).toInteger() > 590);

    // Replay: refused.
    const QJsonObject replay = callOk(
        m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("approve") }, { QStringLiteral("id"), id } });
    QCOMPARE(replay.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(replay.value(QStringLiteral("error")).toString(), QStringLiteral("no pending approval '%1'").arg(id));

    // revoke_grant over the socket.
    const QString binding = grants.first().toObject().value(QStringLiteral("binding")).toString();
    QCOMPARE(callOk(m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("revoke_grant") },
                                          { QStringLiteral("binding"), binding } })
                 .value(QStringLiteral("ok"))
                 .toBool(),
             true);
    QVERIFY(m_broker->grants().isEmpty());
}

void TestAdminServer::denyRoundTrip()
{
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(*m_broker, &context, seen);
    const QJsonObject answer = callOk(
        m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("deny") }, { QStringLiteral("id"), id },
                              { QStringLiteral("remember"), true }, { QStringLiteral("reason"), QStringLiteral("no") } });
    QCOMPARE(answer.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(answer.value(QStringLiteral("remembered")).toBool(), true);
    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Denied);
    QCOMPARE(seen->decisions.first().reason, QStringLiteral("no"));
    QCOMPARE(m_broker->rememberedDenials().size(), 1);
    QCOMPARE(callOk(m_path, cmd("list")).value(QStringLiteral("denials")).toArray().size(), 1);

    auto again = std::make_shared<Seen>();
    ask(*m_broker, &context, again);
    QTRY_COMPARE(again->decisions.size(), 1);
    QCOMPARE(again->decisions.first().outcome, Outcome::Denied);
}

void TestAdminServer::switchesRoundTrip()
{
    QObject context;
    auto seen = std::make_shared<Seen>();
    ask(*m_broker, &context, seen);

    QJsonObject answer = callOk(m_path, cmd("pause"));
    QCOMPARE(answer.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(answer.value(QStringLiteral("paused")).toBool(), true);
    QVERIFY(m_broker->isPaused());
    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Paused);
    QCOMPARE(callOk(m_path, cmd("status")).value(QStringLiteral("paused")).toBool(), true);

    answer = callOk(m_path, cmd("resume"));
    QCOMPARE(answer.value(QStringLiteral("paused")).toBool(), false);
    QVERIFY(!m_broker->isPaused());

    answer = callOk(m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("read_only") },
                                          { QStringLiteral("on"), true } });
    QCOMPARE(answer.value(QStringLiteral("read_only")).toBool(), true);
    QVERIFY(m_broker->isReadOnly());
    answer = callOk(m_path, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("read_only") },
                                          { QStringLiteral("on"), false } });
    QCOMPARE(answer.value(QStringLiteral("read_only")).toBool(), false);
    QVERIFY(!m_broker->isReadOnly());
}

void TestAdminServer::errors_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");

    QTest::newRow("bad JSON") << QByteArray("{\"cmd\": list}") << QStringLiteral("bad JSON: ");
    QTest::newRow("not an object") << QByteArray("[1,2]") << QStringLiteral("bad request: expected a JSON object like {\"cmd\":\"list\"}");
    QTest::newRow("missing cmd") << QByteArray("{}") << QStringLiteral("missing 'cmd'");
    QTest::newRow("cmd not a string") << QByteArray(R"({"cmd":5})") << QStringLiteral("'cmd' must be a string");
    QTest::newRow("unknown cmd") << QByteArray(R"({"cmd":"frobnicate"})")
                                 << QStringLiteral("unknown cmd 'frobnicate' (known: approve, deny, forget, list, "
                                                   "pause, read_only, resume, revoke_grant, status)");
    QTest::newRow("approve without id") << QByteArray(R"({"cmd":"approve"})") << QStringLiteral("missing 'id'");
    QTest::newRow("deny without id") << QByteArray(R"({"cmd":"deny","reason":"x"})") << QStringLiteral("missing 'id'");
    QTest::newRow("id not a string") << QByteArray(R"({"cmd":"approve","id":7})") << QStringLiteral("'id' must be a string");
    QTest::newRow("unknown id") << QByteArray(R"({"cmd":"approve","id":"abcdef"})")
                                << QStringLiteral("no pending approval 'abcdef'");
    QTest::newRow("negative grant") << QByteArray(R"({"cmd":"approve","id":"abcdef","for_seconds":-5})")
                                    << QStringLiteral("'for_seconds' must be a whole number of seconds, 0 or more");
    QTest::newRow("grant as text") << QByteArray(R"({"cmd":"approve","id":"abcdef","for_seconds":"10m"})")
                                   << QStringLiteral("'for_seconds' must be a whole number of seconds, 0 or more");
    QTest::newRow("remember not a bool") << QByteArray(R"({"cmd":"deny","id":"abcdef","remember":"yes"})")
                                         << QStringLiteral("'remember' must be true or false");
    QTest::newRow("read_only without on") << QByteArray(R"({"cmd":"read_only"})")
                                          << QStringLiteral("missing 'on' (true or false)");
    QTest::newRow("read_only on not a bool") << QByteArray(R"({"cmd":"read_only","on":"yes"})")
                                             << QStringLiteral("'on' must be true or false");
    QTest::newRow("revoke unknown") << QByteArray(R"({"cmd":"revoke_grant","binding":"00"})")
                                    << QStringLiteral("no grant for '00'");
}

void TestAdminServer::errors()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);

    // The error, then the same connection still answers.
    bool closed = false;
    const QList<QByteArray> lines = exchange(m_path, line + "\n{\"cmd\":\"status\"}\n", 2, &closed);
    QCOMPARE(lines.size(), 2);
    const QJsonObject answer = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(answer.value(QStringLiteral("ok")), QJsonValue(false));
    const QString got = answer.value(QStringLiteral("error")).toString();
    QVERIFY2(got.startsWith(error), qPrintable(got));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("ok")), QJsonValue(true));
    QVERIFY(!closed);
}

void TestAdminServer::pipelinedRequests()
{
    bool closed = false;
    const QList<QByteArray> lines
        = exchange(m_path, "{\"cmd\":\"status\"}\n\n{\"cmd\":\"list\"}\r\n{\"cmd\":\"pause\"}\n", 3, &closed);
    QCOMPARE(lines.size(), 3);
    for (const QByteArray &line : lines) {
        QCOMPARE(QJsonDocument::fromJson(line).object().value(QStringLiteral("ok")), QJsonValue(true));
    }
    QVERIFY(QJsonDocument::fromJson(lines.at(1)).object().contains(QStringLiteral("pending")));
    QVERIFY(m_broker->isPaused());
}

void TestAdminServer::oversizedLineIsRefused()
{
    // Over 64 KiB without a newline.
    bool closed = false;
    QList<QByteArray> lines = exchange(m_path, QByteArray(70 * 1024, 'x'), 1, &closed);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("request line over 65536 bytes"));
    QVERIFY(closed);

    // A complete line over the limit, followed by a valid request that is not answered.
    QByteArray big = "{\"cmd\":\"status\",\"pad\":\"" + QByteArray(66 * 1024, 'y') + "\"}\n{\"cmd\":\"pause\"}\n";
    lines = exchange(m_path, big, 2, &closed);
    QCOMPARE(lines.size(), 1);
    QVERIFY(closed);
    QVERIFY(!m_broker->isPaused());

    // Just under the limit is fine.
    QByteArray fits = "{\"cmd\":\"status\",\"pad\":\"";
    fits += QByteArray(AdminServer::kMaxLineBytes - fits.size() - 2, 'z') + "\"}\n";
    lines = exchange(m_path, fits, 1, &closed);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("ok")), QJsonValue(true));
}

void TestAdminServer::manyClients()
{
    // Clients that connect and stay idle do not hold up the others.
    QList<QLocalSocket *> idle;
    for (int i = 0; i < 10; ++i) {
        auto *socket = new QLocalSocket(this);
        socket->connectToServer(m_path);
        QVERIFY(socket->waitForConnected(1000));
        idle.append(socket);
    }
    QTRY_COMPARE(m_server->clientCount(), 10);

    constexpr int kThreads = 8;
    QList<QThread *> threads;
    std::atomic<int> ok { 0 };
    for (int i = 0; i < kThreads; ++i) {
        threads.append(QThread::create([this, &ok] {
            for (int j = 0; j < 5; ++j) {
                const auto answer = AdminClient::call(m_path, cmd("status"), 3000);
                if (answer && answer->value(QStringLiteral("ok")).toBool()) {
                    ++ok;
                }
            }
        }));
        threads.last()->start();
    }
    QTRY_VERIFY(std::all_of(threads.cbegin(), threads.cend(), [](QThread *t) { return t->isFinished(); }));
    for (QThread *t : std::as_const(threads)) {
        t->wait();
        delete t;
    }
    QCOMPARE(ok.load(), kThreads * 5);

    for (QLocalSocket *socket : std::as_const(idle)) {
        socket->disconnectFromServer();
        delete socket;
    }
    QTRY_COMPARE(m_server->clientCount(), 0);
}

void TestAdminServer::secondListenFails()
{
    ApprovalBroker other;
    AdminServer second(&other);
    const auto result = second.listen(m_path);
    QVERIFY(!result);
    QCOMPARE(result.error().message, QStringLiteral("another gateway is already listening on %1").arg(m_path));
    // The first one is untouched.
    QCOMPARE(callOk(m_path, cmd("status")).value(QStringLiteral("ok")).toBool(), true);
}

void TestAdminServer::staleSocketIsReplaced()
{
    const QString stale = m_dir->filePath(QStringLiteral("run/stale.sock"));
    // A socket file nothing listens on, as a crashed gateway leaves behind.
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray name = QFile::encodeName(stale);
        std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        ::close(fd);
    }
    QVERIFY(S_ISSOCK(modeOf(stale)));
    QVERIFY(!AdminClient::call(stale, cmd("status"), 1000)); // nobody answers

    ApprovalBroker broker;
    AdminServer server(&broker);
    const auto listening = server.listen(stale);
    QVERIFY2(listening.has_value(), qPrintable(listening ? QString() : listening.error().toString()));
    QCOMPARE(callOk(stale, cmd("status")).value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(modeOf(stale) & 07777, mode_t(0600));
}

void TestAdminServer::unsafeDirectoryIsRefused()
{
    const QString dir = m_dir->filePath(QStringLiteral("open"));
    QVERIFY(QDir().mkdir(dir));
    QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0777), 0);
    ApprovalBroker broker;
    AdminServer server(&broker);
    const auto result = server.listen(dir + QStringLiteral("/admin.sock"));
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("writable by group or others (mode 0777)")),
             qPrintable(result.error().message));

    if (::geteuid() != 0) {
        const auto tmp = server.listen(QStringLiteral("/tmp/admin-%1.sock").arg(::getpid()));
        QVERIFY(!tmp); // /tmp belongs to root
        QVERIFY2(tmp.error().message.contains(QStringLiteral("belongs to uid 0")), qPrintable(tmp.error().message));
    }
}

void TestAdminServer::notASocketIsRefused()
{
    const QString path = m_dir->filePath(QStringLiteral("run/file.sock"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    ApprovalBroker broker;
    AdminServer server(&broker);
    const auto result = server.listen(path);
    QVERIFY(!result);
    QCOMPARE(result.error().message,
             QStringLiteral("%1 exists and is not a socket; remove it or set admin.socket elsewhere").arg(path));
    QVERIFY(QFileInfo::exists(path)); // untouched
}

void TestAdminServer::noGateway()
{
    const QString missing = m_dir->filePath(QStringLiteral("run/none.sock"));
    const auto result = AdminClient::call(missing, cmd("status"), 1000);
    QVERIFY(!result);
    QCOMPARE(result.error().message,
             QStringLiteral("no gateway is running on %1 (start it with tailops-gateway serve)").arg(missing));
}

void TestAdminServer::cliCommands()
{
    const QStringList socket { QStringLiteral("--socket"), m_path };
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(*m_broker, &context, seen);

    QCOMPARE(cli([&] { return Cli::runApprovalsCommand(QStringList { QStringLiteral("list") } + socket); }), 0);
    QCOMPARE(cli([&] {
                 return Cli::runApprovalsCommand(QStringList { QStringLiteral("list"), QStringLiteral("--json") } + socket);
             }),
             0);
    // Usage errors: 2.
    QCOMPARE(cli([&] { return Cli::runApprovalsCommand(QStringList { QStringLiteral("approve") } + socket); }), 2);
    QCOMPARE(cli([&] {
                 return Cli::runApprovalsCommand(
                     QStringList { QStringLiteral("approve"), id, QStringLiteral("--for"), QStringLiteral("soon") }
                     + socket);
             }),
             2);
    QCOMPARE(cli([&] { return Cli::runApprovalsCommand(QStringList { QStringLiteral("frobnicate") }); }), 2);
    QVERIFY(seen->decisions.isEmpty());

    QCOMPARE(cli([&] {
                 return Cli::runApprovalsCommand(
                     QStringList { QStringLiteral("approve"), id, QStringLiteral("--for"), QStringLiteral("10m") }
                     + socket);
             }),
             0);
    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Approved);
    QCOMPARE(m_broker->grants().size(), 1);
    QVERIFY(m_broker->grants().first().expiry.remainingTime() > 590 * 1000);
    // Refused by the gateway (already decided): 1.
    QCOMPARE(cli([&] { return Cli::runApprovalsCommand(QStringList { QStringLiteral("approve"), id } + socket); }), 1);

    auto second = std::make_shared<Seen>();
    const QString other = ask(*m_broker, &context, second, QJsonObject { { QStringLiteral("service"), 2 } });
    QCOMPARE(cli([&] {
                 return Cli::runApprovalsCommand(QStringList { QStringLiteral("deny"), other, QStringLiteral("--remember"),
                                                               QStringLiteral("--reason"), QStringLiteral("not now") }
                                                 + socket);
             }),
             0);
    QTRY_COMPARE(second->decisions.size(), 1);
    QCOMPARE(second->decisions.first().outcome, Outcome::Denied);
    QCOMPARE(second->decisions.first().reason, QStringLiteral("not now"));

    // The switches.
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("pause"), socket); }), 0);
    QVERIFY(m_broker->isPaused());
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("resume"), socket); }), 0);
    QVERIFY(!m_broker->isPaused());
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("read-only"), QStringList { QStringLiteral("on") } + socket); }),
             0);
    QVERIFY(m_broker->isReadOnly());
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("read-only"), QStringList { QStringLiteral("off") } + socket); }),
             0);
    QVERIFY(!m_broker->isReadOnly());
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("read-only"), QStringList { QStringLiteral("maybe") } + socket); }),
             2);
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("pause"), QStringList { QStringLiteral("now") } + socket); }),
             2);
    QVERIFY(!m_broker->isPaused());

    // No gateway: 2.
    const QStringList nowhere { QStringLiteral("--socket"), m_dir->filePath(QStringLiteral("run/none.sock")) };
    QCOMPARE(cli([&] { return Cli::runApprovalsCommand(QStringList { QStringLiteral("list") } + nowhere); }), 2);
    QCOMPARE(cli([&] { return Cli::runSwitchCommand(QStringLiteral("pause"), nowhere); }), 2);
}

void TestAdminServer::cliUsesConfigDir()
{
    // admin.socket from gateway.yaml in --config-dir.
    const QString configDir = m_dir->filePath(QStringLiteral("config"));
    QVERIFY(QDir().mkpath(configDir));
    QFile yaml(configDir + QStringLiteral("/gateway.yaml"));
    QVERIFY(yaml.open(QIODevice::WriteOnly));
    yaml.write("admin:\n  socket: " + QFile::encodeName(m_path) + "\n");
    yaml.close();
    QCOMPARE(cli([&] {
                 return Cli::runSwitchCommand(QStringLiteral("pause"), QStringList { QStringLiteral("--config-dir"), configDir });
             }),
             0);
    QVERIFY(m_broker->isPaused());
}

QTEST_GUILESS_MAIN(TestAdminServer)
#include "tst_adminserver.moc"
