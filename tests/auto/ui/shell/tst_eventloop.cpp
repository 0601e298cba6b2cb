// The console's promise: the GUI thread never waits for a target. While a call to an SSH target that accepts
// TCP and never answers is in flight, the event loop keeps serving timers, repaints and other calls.
#include "shell/mainwindow.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kConnectTimeoutS = 3;

} // namespace

class TestEventLoop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hangingTargetDoesNotFreeze_data();
    void hangingTargetDoesNotFreeze();

private:
    QTcpServer m_silent; // accepts, never says a word (not even the SSH banner)
    QList<QTcpSocket *> m_held;
    Tests::UiGateway m_gw;
    QByteArray m_token;
};

void TestEventLoop::initTestCase()
{
    QVERIFY(m_silent.listen(QHostAddress::LocalHost));
    connect(&m_silent, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_silent.nextPendingConnection()) {
            m_held.append(s);
        }
    });
    Tests::UiGateway::Options options;
    const QString key = QDir::tempPath() + u"/tailops-eventloop-unused-key"_s;
    QFile keyFile(key);
    QVERIFY(keyFile.open(QIODevice::WriteOnly));
    keyFile.write("not used: the connection never gets that far\n");
    keyFile.close();
    QFile::setPermissions(key, QFile::ReadOwner | QFile::WriteOwner);
    options.targetsYaml = QStringLiteral("targets:\n"
                                         "  local:\n"
                                         "    type: local\n"
                                         "    capabilities: [system:read]\n"
                                         "    constraints: {timeout: 30, concurrency: 8}\n"
                                         "  hang:\n"
                                         "    type: remote\n"
                                         "    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: nobody, key_path: \"%2\", timeout: %3}\n"
                                         "    capabilities: [system:read]\n"
                                         "    constraints: {timeout: 30, concurrency: 8}\n")
                              .arg(m_silent.serverPort())
                              .arg(key)
                              .arg(kConnectTimeoutS)
                              .toUtf8();
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_token = m_gw.mint({ u"system:read"_s });
    QVERIFY(!m_token.isEmpty());
}

void TestEventLoop::hangingTargetDoesNotFreeze_data()
{
    QTest::addColumn<int>("hangingCalls");
    QTest::newRow("one hanging call") << 1;
    QTest::newRow("eight hanging calls") << 8;
}

void TestEventLoop::hangingTargetDoesNotFreeze()
{
    QFETCH(int, hangingCalls);
    Ui::MainWindow window(m_gw.gateway());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    Tests::McpHttpClient hanging(m_gw.mcpUrl(), m_token);
    Tests::McpHttpClient other(m_gw.mcpUrl(), m_token);
    QVERIFY(hanging.initialize());
    QVERIFY(other.initialize());

    // A 10 ms timer: the longest gap between its ticks is the longest the GUI thread was busy.
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longestGap = 0;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        longestGap = std::max(longestGap, now - last);
        last = now;
        ++ticks;
    });

    const int heldBefore = m_held.size();
    QList<Tests::PendingCall *> calls;
    for (int i = 0; i < hangingCalls; ++i) {
        calls.append(hanging.startCallTool(u"get_system_status"_s, { { u"target"_s, u"hang"_s } }));
    }
    clock.start();
    ticker.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_held.size() > heldBefore, 5000); // the gateway is connected and waiting

    // Other calls are served meanwhile, on the same gateway, and the window repaints.
    for (int i = 0; i < 3; ++i) {
        const QJsonObject answer = other.callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } });
        QVERIFY2(!Tests::McpHttpClient::isError(answer), qPrintable(Tests::McpHttpClient::text(answer)));
        window.update();
    }
    for (auto *c : std::as_const(calls)) {
        QVERIFY2(!c->isFinished(), "the hanging call finished before the other calls: the test proves nothing");
    }

    // The hanging calls end with a clear error in bounded time (the connect timeout), not never.
    for (auto *c : std::as_const(calls)) {
        QVERIFY(c->wait((kConnectTimeoutS + 15) * 1000));
        QVERIFY(Tests::McpHttpClient::isError(c->result()));
        const QString text = Tests::McpHttpClient::text(c->result());
        QVERIFY2(text.contains(u"hang"_s), qPrintable(text));
    }
    ticker.stop();
    qInfo("timer ticks: %d in %lld ms, longest gap %lld ms", ticks, clock.elapsed(), longestGap);
    // A blocked event loop would show a gap of the whole connect timeout (3 s or more).
    QVERIFY2(longestGap < 1000, qPrintable(QString::number(longestGap)));
    QVERIFY(ticks > clock.elapsed() / 10 / 4);
}

QTEST_MAIN(TestEventLoop)
#include "tst_eventloop.moc"
