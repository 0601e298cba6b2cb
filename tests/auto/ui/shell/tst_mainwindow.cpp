// The window: panels in the sidebar, Ctrl+N and arrow keys switch them, geometry and the last panel survive a
// restart (QSettings), closing with close-to-tray hides instead of quitting; a second launch reaches the first.
#include "shell/mainwindow.h"
#include "shell/singleinstance.h"

#include "approvals/approvalbroker.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QLabel>
#include <QListWidget>
#include <QLocalServer>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTest>
#include <QThread>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void keyboardNavigation_data();
    void keyboardNavigation();
    void settingsSurviveRestart();
    void closeToTray();
    void statusFollowsSwitches();
    void secondLaunchActivatesFirst();
    void staleSocketIsTakenOver();

private:
    void addPanels(Ui::MainWindow &w);
    Tests::UiGateway m_gw;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(u"TailOpsTest"_s);
    QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
    QSettings().clear();
    QVERIFY2(m_gw.start(), qPrintable(m_gw.error()));
}

void TestMainWindow::addPanels(Ui::MainWindow &w)
{
    for (const QString &id : { u"overview"_s, u"targets"_s, u"audit"_s }) {
        auto *panel = new QLabel(id);
        panel->setObjectName(id);
        w.addPanel(id, id.toUpper(), QIcon(), panel);
    }
}

void TestMainWindow::keyboardNavigation_data()
{
    QTest::addColumn<QKeyCombination>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("Ctrl+2") << QKeyCombination(Qt::CTRL, Qt::Key_2) << u"targets"_s;
    QTest::newRow("Ctrl+3") << QKeyCombination(Qt::CTRL, Qt::Key_3) << u"audit"_s;
    QTest::newRow("Ctrl+9 (no such panel)") << QKeyCombination(Qt::CTRL, Qt::Key_9) << u"overview"_s;
    QTest::newRow("Down in the sidebar") << QKeyCombination(Qt::NoModifier, Qt::Key_Down) << u"targets"_s;
}

void TestMainWindow::keyboardNavigation()
{
    QFETCH(QKeyCombination, key);
    QFETCH(QString, expected);
    Ui::MainWindow w(m_gw.gateway());
    addPanels(w);
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    auto *sidebar = w.findChild<QListWidget *>(u"sidebar"_s);
    sidebar->setFocus();
    QCOMPARE(w.currentPanel(), u"overview"_s);
    QSignalSpy changed(&w, &Ui::MainWindow::panelChanged);
    QTest::keyClick(QApplication::focusWidget(), key.key(), key.keyboardModifiers());
    QCOMPARE(w.currentPanel(), expected);
    QCOMPARE(w.findChild<QStackedWidget *>(u"panels"_s)->currentWidget()->objectName(), expected);
    QCOMPARE(changed.size(), expected == u"overview"_s ? 0 : 1);
}

void TestMainWindow::settingsSurviveRestart()
{
    {
        Ui::MainWindow w(m_gw.gateway());
        addPanels(w);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.resize(777, 555);
        QVERIFY(w.showPanel(u"audit"_s));
        QVERIFY(!w.showPanel(u"nonsense"_s));
        w.close();
    }
    Ui::MainWindow again(m_gw.gateway());
    addPanels(again);
    again.restoreSettings();
    QCOMPARE(again.currentPanel(), u"audit"_s);
    QCOMPARE(again.size(), QSize(777, 555));
}

void TestMainWindow::closeToTray()
{
    Ui::MainWindow w(m_gw.gateway());
    addPanels(w);
    w.setCloseToTray(true);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy hidden(&w, &Ui::MainWindow::hiddenToTray);
    QVERIFY(!w.close()); // refused: hidden instead
    QCOMPARE(hidden.size(), 1);
    QVERIFY(!w.isVisible());
    w.bringToFront();
    QVERIFY(w.isVisible());
    w.setCloseToTray(false);
    QVERIFY(w.close());
}

void TestMainWindow::statusFollowsSwitches()
{
    Ui::MainWindow w(m_gw.gateway());
    auto *status = w.findChild<QLabel *>(u"gatewayStatus"_s);
    QCOMPARE(status->text(), u"Gateway running"_s);
    m_gw.gateway().approvals().setPaused(true);
    QVERIFY2(status->text().contains(u"PAUSED"_s), qPrintable(status->text()));
    m_gw.gateway().approvals().setPaused(false);
    w.setGatewayError(u"cannot listen on 127.0.0.1:8080: address in use"_s);
    QVERIFY2(status->text().contains(u"address in use"_s), qPrintable(status->text()));
}

void TestMainWindow::secondLaunchActivatesFirst()
{
    const QString key = u"/tmp/config-a"_s;
    Ui::SingleInstance first(key);
    QVERIFY(first.claim());
    QSignalSpy activated(&first, &Ui::SingleInstance::activated);

    // The second launch is another process in real life; here another thread, with its own sockets.
    bool sent = false;
    bool claimedBySecond = true;
    QThread *second = QThread::create([&] {
        Ui::SingleInstance other(key);
        claimedBySecond = other.claim();
        if (!claimedBySecond) {
            sent = other.sendToPrimary({ u"--show"_s, u"approvals"_s });
        }
    });
    second->start();
    QTRY_VERIFY_WITH_TIMEOUT(second->isFinished(), 10000);
    delete second;
    QVERIFY(!claimedBySecond);
    QVERIFY(sent);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toStringList(), (QStringList { u"--show"_s, u"approvals"_s }));

    // Another configuration is another instance.
    Ui::SingleInstance elsewhere(u"/tmp/config-b"_s);
    QVERIFY(elsewhere.claim());
}

void TestMainWindow::staleSocketIsTakenOver()
{
    const QString key = u"/tmp/config-stale"_s;
    // A crashed instance leaves its socket file behind: a server that is gone without removing it.
    {
        QLocalServer crashed;
        crashed.setSocketOptions(QLocalServer::UserAccessOption);
        QVERIFY(crashed.listen(Ui::SingleInstance::socketName(key)));
        const QString path = crashed.fullServerName();
        crashed.close(); // (close removes it; recreate the file to mimic the crash)
        QFile stale(path);
        QVERIFY(stale.open(QIODevice::WriteOnly));
    }
    Ui::SingleInstance next(key);
    QVERIFY(next.claim());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
