// ConnectivityPanel against real targets: the local machine (ok), a closed loopback port (failed, with the cause
// and the fix in the details pane), the sshd fixture with its host key recorded (tcp, host-key, ssh-auth ok), and
// a port that accepts and never answers, while the GUI thread keeps serving timers.
#include "connectivity/connectivitymodel.h"
#include "connectivity/connectivitypanel.h"
#include "connectivity/connectivityrunner.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"
#include "sshdfixture.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kTimeoutS = 3;

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestConnectivityPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void runAll();
    void details_data();
    void details();
    void runOneAndSelected();
    void sshFixture();
    void silentPortDoesNotBlock();

private:
    Testing::SshdFixture m_sshd;
    QTcpServer m_silent; // accepts, never says a word
    QList<QTcpSocket *> m_held;
    Tests::UiGateway m_gw;
    std::unique_ptr<Ui::ConnectivityRunner> m_runner;
    std::unique_ptr<Ui::ConnectivityPanel> m_panel;
};

void TestConnectivityPanel::initTestCase()
{
    if (auto started = m_sshd.start(); !started) {
        QFAIL(qPrintable(started.error().message));
    }
    QVERIFY(m_silent.listen(QHostAddress::LocalHost));
    connect(&m_silent, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_silent.nextPendingConnection()) {
            m_held.append(s);
        }
    });
    Tests::UiGateway::Options options;
    options.targetsYaml = u"targets:\n"
                          "  local:\n"
                          "    type: local\n"
                          "  closed:\n"
                          "    type: remote\n"
                          "    connection: {host: 127.0.0.1, port: %1, username: nobody, timeout: %2}\n"
                          "  sshd:\n"
                          "    type: remote\n"
                          "    connection: {host: 127.0.0.1, port: %3, username: %4, key_path: \"%5\", timeout: %2}\n"
                          "  silent:\n"
                          "    type: remote\n"
                          "    connection: {host: 127.0.0.1, port: %6, username: nobody, key_path: \"%5\", timeout: %2}\n"_s
                              .arg(closedPort())
                              .arg(kTimeoutS)
                              .arg(m_sshd.port())
                              .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                              .arg(m_silent.serverPort())
                              .toUtf8();
    options.gatewayYamlExtra = u"ssh:\n  known_hosts: \"%1\"\n"_s.arg(m_sshd.knownHostsFile()).toUtf8();
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    QCOMPARE(m_gw.gateway().registry().snapshot()->size(), 4);
    m_runner = std::make_unique<Ui::ConnectivityRunner>(m_gw.gateway());
    m_runner->setCheckTimeout(std::chrono::seconds(kTimeoutS));
    m_panel = std::make_unique<Ui::ConnectivityPanel>(m_gw.gateway(), *m_runner);
    m_panel->resize(900, 600);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestConnectivityPanel::cleanupTestCase()
{
    m_panel.reset();
    m_runner.reset();
    m_sshd.stop();
}

void TestConnectivityPanel::runAll()
{
    QAbstractItemModelTester tester(m_panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    auto *runAll = m_panel->findChild<QPushButton *>(u"runAllButton"_s);
    QVERIFY(runAll);
    QTest::mouseClick(runAll, Qt::LeftButton);
    QVERIFY(m_runner->isRunning());
    QCOMPARE(m_panel->progressMaximum(), 4);
    QVERIFY(finished.wait(30000));
    QCOMPARE(m_panel->progressValue(), 4);
    QVERIFY(m_runner->report(u"local"_s)->ok);
    QVERIFY(!m_runner->report(u"closed"_s)->ok);
    QVERIFY(m_runner->report(u"sshd"_s)->ok);
    QVERIFY(!m_runner->report(u"silent"_s)->ok);
    QCOMPARE(m_runner->upCount(), 2);
    QCOMPARE(m_runner->downCount(), 2);
    for (const QString &check : { u"tcp"_s, u"host-key"_s, u"ssh-auth"_s, u"exec"_s }) {
        QVERIFY2(m_panel->model()->columnOf(check) >= 0, qPrintable(check));
    }
    // No current target: the details pane lists every failure with its cause and fix.
    m_panel->view()->selectionModel()->clearCurrentIndex();
    const QString text = m_panel->detailsText();
    QVERIFY2(text.contains(u"closed tcp"_s) && text.contains(u"silent host-key"_s), qPrintable(text));
    QCOMPARE(text.count(u"Cause:"_s), 2);
    QCOMPARE(text.count(u"Fix:"_s), 2);
}

void TestConnectivityPanel::details_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("local") << u"local"_s << QStringList { u"All checks passed"_s, u"exec: ok"_s };
    QTest::newRow("closed port") << u"closed"_s
                                 << QStringList { u"Failed"_s, u"tcp: failed"_s, u"Cause: nothing listens on 127.0.0.1:"_s,
                                                  u"Fix: start sshd on the target"_s };
    QTest::newRow("sshd fixture") << u"sshd"_s
                                  << QStringList { u"All checks passed"_s, u"tcp: ok"_s, u"host-key: ok"_s, u"ssh-auth: ok"_s };
    QTest::newRow("silent port") << u"silent"_s
                                 << QStringList { u"Failed"_s, u"tcp: ok"_s, u"host-key: failed"_s, u"Cause:"_s, u"Fix:"_s };
}

void TestConnectivityPanel::details()
{
    QFETCH(QString, target);
    QFETCH(QStringList, expected);
    QVERIFY(m_panel->selectTarget(target));
    QCOMPARE(m_panel->currentTargetId(), target);
    const QString text = m_panel->detailsText();
    for (const QString &e : std::as_const(expected)) {
        QVERIFY2(text.contains(e), qPrintable(u"missing '%1' in:\n%2"_s.arg(e, text)));
    }
}

void TestConnectivityPanel::runOneAndSelected()
{
    QSignalSpy started(m_runner.get(), &Ui::ConnectivityRunner::started);
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    // Double click runs that row's target.
    const QModelIndex local = m_panel->model()->index(m_panel->model()->rowOf(u"local"_s), 0);
    const QRect rect = m_panel->view()->visualRect(local);
    QTest::mouseClick(m_panel->view()->viewport(), Qt::LeftButton, {}, rect.center()); // the view acts on a press it saw
    QTest::mouseDClick(m_panel->view()->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_VERIFY(!started.isEmpty());
    QCOMPARE(started.at(0).at(0).toStringList(), QStringList { u"local"_s });
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 20000);
    finished.clear();

    // Run selected: two rows.
    started.clear();
    m_panel->view()->selectionModel()->clearSelection();
    for (const QString &id : { u"local"_s, u"closed"_s }) {
        m_panel->view()->selectionModel()->select(m_panel->model()->index(m_panel->model()->rowOf(id), 0),
                                                  QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    auto *runSelected = m_panel->findChild<QPushButton *>(u"runSelectedButton"_s);
    QVERIFY(runSelected->isEnabled());
    QTest::mouseClick(runSelected, Qt::LeftButton);
    QCOMPARE(started.size(), 1);
    QStringList ids = started.at(0).at(0).toStringList();
    ids.sort();
    QCOMPARE(ids, (QStringList { u"closed"_s, u"local"_s }));
    QVERIFY(finished.wait(20000));
    QCOMPARE(m_panel->progressValue(), m_panel->progressMaximum());
}

void TestConnectivityPanel::sshFixture()
{
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    m_panel->runTarget(u"sshd"_s);
    QVERIFY(finished.wait(20000));
    const auto report = m_runner->report(u"sshd"_s);
    QVERIFY(report && report->ok);
    QStringList names;
    for (const auto &c : report->checks) {
        names.append(c.name);
        QVERIFY2(c.ok, qPrintable(c.detail));
    }
    QCOMPARE(names, (QStringList { u"tcp"_s, u"host-key"_s, u"ssh-auth"_s }));
    const int row = m_panel->model()->rowOf(u"sshd"_s);
    QCOMPARE(m_panel->model()->index(row, m_panel->model()->columnOf(u"ssh-auth"_s)).data(Ui::ConnectivityModel::StateRole).toInt(),
             int(Ui::ConnectivityModel::CellState::Ok));
}

void TestConnectivityPanel::silentPortDoesNotBlock()
{
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
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    const qsizetype heldBefore = m_held.size();
    clock.start();
    ticker.start();
    m_panel->runAll();
    QTRY_VERIFY_WITH_TIMEOUT(m_held.size() > heldBefore, 5000); // the check is connected and waiting
    QVERIFY(m_runner->isChecking(u"silent"_s));
    QVERIFY(finished.wait((kTimeoutS + 20) * 1000));
    ticker.stop();
    qInfo("timer ticks: %d in %lld ms, longest gap %lld ms", ticks, clock.elapsed(), longestGap);
    QVERIFY2(clock.elapsed() >= (kTimeoutS - 1) * 1000, "the silent target answered: the test proves nothing");
    QVERIFY2(longestGap < 1000, qPrintable(QString::number(longestGap)));
    QVERIFY(ticks > clock.elapsed() / 10 / 4);
    const auto report = m_runner->report(u"silent"_s);
    QVERIFY(report && !report->ok);
    QVERIFY(!report->checks.constLast().cause.isEmpty());
    QVERIFY(!report->checks.constLast().fix.isEmpty());
}

QTEST_MAIN(TestConnectivityPanel)
#include "tst_connectivitypanel.moc"
