// The tray: its health follows the gateway (approval pending, paused, degraded, ok), its menu switches
// the kill switch and read-only mode, approval requests raise a notification that opens that approval, and
// "Start at login" writes the XDG autostart entry. Offscreen there is no tray host, so the icon itself is
// not shown; everything behind it is real.
#include "tray/autostart.h"
#include "tray/traycontroller.h"

#include "approvals/approvalbroker.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestTrayController final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void approvalRequestNotifiesAndOpens();
    void switches_data();
    void switches();
    void degraded();
    void autostart();

private:
    Tests::UiGateway m_gw;
    QByteArray m_token;
};

void TestTrayController::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n  local:\n    type: local\n    capabilities: [system:read, network:read]\n";
    options.policyYaml = "version: \"1\"\n"
                         "default: deny\n"
                         "rules:\n"
                         "  - name: status-is-fine\n    effect: allow\n    tools: [get_system_status]\n"
                         "  - name: ports-need-a-human\n    effect: require_approval\n    tools: [test_connectivity]\n";
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_token = m_gw.mint({ u"system:read"_s, u"network:read"_s }, u"tray-agent"_s);
}

void TestTrayController::approvalRequestNotifiesAndOpens()
{
    Ui::TrayController tray(m_gw.gateway());
    tray.notifier().setMinimumInterval(std::chrono::milliseconds(200));
    QCOMPARE(tray.health(), Ui::TrayHealth::Ok);
    QSignalSpy notified(&tray, &Ui::TrayController::notificationShown);
    QSignalSpy opened(&tray, &Ui::TrayController::approvalRequested);

    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    std::unique_ptr<Tests::PendingCall> call(client.startCallTool(u"test_connectivity"_s, { { u"target"_s, u"local"_s } }));
    QTRY_COMPARE_WITH_TIMEOUT(tray.health(), Ui::TrayHealth::ApprovalPending, 5000);
    const auto pending = m_gw.gateway().approvals().pending();
    QCOMPARE(pending.size(), 1);
    QCOMPARE(notified.size(), 1);
    const auto n = notified.first().first().value<Ui::Notification>();
    QCOMPARE(n.approvalId, pending.first().id);
    QVERIFY2(n.title.contains(u"test_connectivity"_s), qPrintable(n.title));
    QVERIFY(tray.toolTip().contains(u"1 approval"_s));

    // The menu lists it; clicking the notification (or the menu entry) opens that approval.
    QMenu *approvals = tray.menu()->findChild<QMenu *>(u"trayApprovals"_s);
    QVERIFY(approvals && approvals->isEnabled());
    QCOMPARE(approvals->actions().size(), 1);
    tray.activateLastNotification();
    approvals->actions().first()->trigger();
    QCOMPARE(opened.size(), 2);
    QCOMPARE(opened.at(0).first().toString(), pending.first().id);
    QCOMPARE(opened.at(1).first().toString(), pending.first().id);

    // Decided elsewhere (the panel, the admin socket): the tray goes back to ok.
    QVERIFY(m_gw.gateway().approvals().deny(pending.first().id, false, u"test"_s));
    QVERIFY(call->wait());
    QTRY_COMPARE(tray.health(), Ui::TrayHealth::Ok);
    QVERIFY(!approvals->isEnabled());
}

void TestTrayController::switches_data()
{
    QTest::addColumn<bool>("pause");
    QTest::addColumn<int>("expectedHealth");
    QTest::addColumn<QString>("refusal");
    QTest::newRow("pause") << true << int(Ui::TrayHealth::Paused) << u"paused"_s;
    QTest::newRow("read-only") << false << int(Ui::TrayHealth::Ok) << QString();
}

void TestTrayController::switches()
{
    QFETCH(bool, pause);
    QFETCH(int, expectedHealth);
    QFETCH(QString, refusal);
    Ui::TrayController tray(m_gw.gateway());
    auto &broker = m_gw.gateway().approvals();
    QAction *action = pause ? tray.pauseAction() : tray.readOnlyAction();
    action->trigger();
    QCOMPARE(pause ? broker.isPaused() : broker.isReadOnly(), true);
    QCOMPARE(int(tray.health()), expectedHealth);

    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    const QJsonObject answer = client.callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } });
    if (pause) { // the kill switch refuses everything
        QVERIFY(Tests::McpHttpClient::isError(answer));
        QVERIFY2(Tests::McpHttpClient::text(answer).contains(refusal, Qt::CaseInsensitive), qPrintable(Tests::McpHttpClient::text(answer)));
    } else { // read-only still allows reading
        QVERIFY2(!Tests::McpHttpClient::isError(answer), qPrintable(Tests::McpHttpClient::text(answer)));
    }

    // Switched from elsewhere (admin socket): the menu follows.
    pause ? broker.setPaused(false) : broker.setReadOnly(false);
    QVERIFY(!action->isChecked());
    QCOMPARE(tray.health(), Ui::TrayHealth::Ok);
}

void TestTrayController::degraded()
{
    Ui::TrayController tray(m_gw.gateway());
    tray.notifier().setMinimumInterval(std::chrono::milliseconds(50));
    QSignalSpy notified(&tray, &Ui::TrayController::notificationShown);
    tray.setTargetsDown(2);
    QCOMPARE(tray.health(), Ui::TrayHealth::Degraded);
    QVERIFY2(tray.toolTip().contains(u"2 target(s) unreachable"_s), qPrintable(tray.toolTip()));
    QCOMPARE(notified.size(), 1);
    tray.setTargetsDown(0);
    QCOMPARE(tray.health(), Ui::TrayHealth::Ok);
    tray.setProblem(u"cannot listen on 127.0.0.1:8080"_s);
    QCOMPARE(tray.health(), Ui::TrayHealth::Degraded);
    QTRY_COMPARE(notified.size(), 2);
    QCOMPARE(notified.last().first().value<Ui::Notification>().body, u"cannot listen on 127.0.0.1:8080"_s);
    // Paused outranks degraded.
    m_gw.gateway().approvals().setPaused(true);
    QCOMPARE(tray.health(), Ui::TrayHealth::Paused);
    m_gw.gateway().approvals().setPaused(false);
    QCOMPARE(tray.health(), Ui::TrayHealth::Degraded);
    QCOMPARE(tray.icon().isNull(), false);
}

void TestTrayController::autostart()
{
    QFile::remove(Ui::autostartFile());
    Ui::TrayController tray(m_gw.gateway());
    tray.setAutostartCommand(u"/opt/tail ops/tailops-console"_s, { u"--minimized"_s, u"--config-dir"_s, u"/home/a$b"_s });
    QVERIFY(!tray.autostartAction()->isChecked());
    tray.autostartAction()->trigger();
    QVERIFY(Ui::isAutostartEnabled());
    QFile f(Ui::autostartFile());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray content = f.readAll();
    QVERIFY2(content.contains("\nExec=\"/opt/tail ops/tailops-console\" --minimized --config-dir \"/home/a\\\\$b\"\n"), content.constData());
    QVERIFY(content.startsWith("[Desktop Entry]\nType=Application\n"));
    f.close();
    tray.autostartAction()->trigger();
    QVERIFY(!Ui::isAutostartEnabled());
}

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
