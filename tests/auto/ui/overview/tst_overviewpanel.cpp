// The Overview panel against a real in-process gateway: its labels follow the gateway (state and switches,
// listen URLs, sessions and clients, calls per minute, pending approvals, targets, recent denials) and its
// buttons emit the navigation signals.
#include "approvals/approvalbroker.h"
#include "overview/activitystats.h"
#include "overview/overviewpanel.h"
#include "overview/sparkline.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;
using Ui::OverviewPanel;

namespace {

const QByteArray kTargets = "targets:\n"
                            "  local:\n"
                            "    type: local\n"
                            "    capabilities: [system:read]\n";

const QByteArray kPolicy = "version: \"1\"\n"
                           "default: deny\n"
                           "rules:\n"
                           "  - name: observe\n"
                           "    effect: allow\n"
                           "    tools: [list_targets, get_system_status]\n"
                           "  - name: disk-needs-a-human\n"
                           "    effect: require_approval\n"
                           "    tools: [get_disk_usage]\n";

} // namespace

class TestOverviewPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void stateFollowsTheSwitches();
    void listenUrlsAreShownAndCopied();
    void sessionsAndClients();
    void callsPerMinute();
    void pendingApprovals();
    void targetCounts_data();
    void targetCounts();
    void recentDenials();

private:
    template<typename T>
    T *child(const QString &name)
    {
        return m_panel->findChild<T *>(name);
    }

    Tests::UiGateway m_gw;
    QByteArray m_token;
    std::unique_ptr<OverviewPanel> m_panel;
};

void TestOverviewPanel::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = kTargets;
    options.policyYaml = kPolicy;
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_token = m_gw.mint({ u"system:read"_s }, u"overview-agent"_s);
    QVERIFY(!m_token.isEmpty());
}

void TestOverviewPanel::init()
{
    m_panel = std::make_unique<OverviewPanel>(m_gw.gateway());
    m_panel->resize(900, 640);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestOverviewPanel::cleanup() { m_panel.reset(); }

void TestOverviewPanel::stateFollowsTheSwitches()
{
    Approvals::ApprovalBroker &broker = m_gw.gateway().approvals();
    QCOMPARE(m_panel->stateText(), u"Running"_s);
    QVERIFY(child<QLabel>(u"overviewStateDetail"_s)->isHidden());
    broker.setReadOnly(true);
    QCOMPARE(m_panel->stateText(), u"Read-only"_s);
    QVERIFY(child<QLabel>(u"overviewStateDetail"_s)->text().contains(u"Read-only"_s));
    broker.setPaused(true);
    QCOMPARE(m_panel->stateText(), u"Paused"_s);
    QVERIFY(child<QLabel>(u"overviewStateDetail"_s)->text().contains(u"kill switch"_s));
    broker.setPaused(false);
    broker.setReadOnly(false);
    QCOMPARE(m_panel->stateText(), u"Running"_s);
    QVERIFY(child<QLabel>(u"overviewStateDetail"_s)->isHidden());
}

void TestOverviewPanel::listenUrlsAreShownAndCopied()
{
    auto *urls = child<QLabel>(u"overviewUrls"_s);
    QVERIFY(urls);
    QVERIFY2(urls->text().contains(m_gw.mcpUrl().toString()), qPrintable(urls->text()));
    QVERIFY(urls->textInteractionFlags() & Qt::TextSelectableByMouse);
    auto *copy = child<QPushButton>(u"overviewCopyUrls"_s);
    QVERIFY(copy && copy->isEnabled());
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), urls->text());
}

void TestOverviewPanel::sessionsAndClients()
{
    auto *clients = child<QTableWidget>(u"overviewClients"_s);
    QVERIFY(clients);
    QCOMPARE(m_panel->sessionsText(), u"0 session(s)"_s);
    QCOMPARE(clients->rowCount(), 0);
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize(u"overview-client"_s));
    QTRY_COMPARE(m_panel->sessionsText(), u"1 session(s)"_s);
    QCOMPARE(clients->rowCount(), 1);
    QCOMPARE(clients->item(0, 0)->text(), u"overview-agent"_s);
    QCOMPARE(clients->item(0, 1)->text(), u"overview-client"_s);
    QVERIFY(!clients->item(0, 2)->text().isEmpty());
    QVERIFY(client.close());
    QTRY_COMPARE(m_panel->sessionsText(), u"0 session(s)"_s);
    QCOMPARE(clients->rowCount(), 0);
}

void TestOverviewPanel::callsPerMinute()
{
    QCOMPARE(m_panel->callRateText(), u"0 call(s)/min"_s);
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!Tests::McpHttpClient::isError(client.callTool(u"list_targets"_s, {})));
    }
    QTRY_COMPARE(m_panel->callRateText(), u"3 call(s)/min"_s);
    QCOMPARE(child<QLabel>(u"overviewCallTotals"_s)->text(), u"3 calls, 0 errors, 0 denials"_s);
    auto *sparkline = child<Ui::Sparkline>(u"overviewSparkline"_s);
    QVERIFY(sparkline);
    const QList<int> values = sparkline->values();
    QCOMPARE(values.size(), Ui::ActivityStats::kMinutes);
    QCOMPARE(values.at(values.size() - 1) + values.at(values.size() - 2), 3);
    QCOMPARE(sparkline->peak(), std::max(values.last(), values.at(values.size() - 2)));
    QVERIFY(!sparkline->grab().isNull()); // paints
    QVERIFY(client.close());
}

void TestOverviewPanel::pendingApprovals()
{
    auto *approvals = child<QPushButton>(u"overviewApprovals"_s);
    QVERIFY(approvals);
    QCOMPARE(m_panel->approvalsText(), u"&Approvals: 0 pending"_s);
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    Tests::PendingCall *call = client.startCallTool(u"get_disk_usage"_s, { { u"target"_s, u"local"_s } });
    QTRY_COMPARE(m_panel->approvalsText(), u"&Approvals: 1 pending"_s);
    QSignalSpy requested(m_panel.get(), &OverviewPanel::approvalsRequested);
    QTest::mouseClick(approvals, Qt::LeftButton);
    QCOMPARE(requested.size(), 1);

    // Denied elsewhere (the admin socket, the Approvals panel): the count drops, the denial is listed.
    Approvals::ApprovalBroker &broker = m_gw.gateway().approvals();
    QCOMPARE(broker.pending().size(), 1);
    QVERIFY(broker.deny(broker.pending().first().id, false, u"test"_s, u"not now"_s));
    QCOMPARE(m_panel->approvalsText(), u"&Approvals: 0 pending"_s);
    QVERIFY(call->wait());
    QVERIFY(Tests::McpHttpClient::isError(call->result()));
    call->deleteLater();
    auto *denials = child<QTreeWidget>(u"overviewDenials"_s);
    QTRY_VERIFY(denials->topLevelItemCount() >= 1);
    QCOMPARE(denials->topLevelItem(0)->text(2), u"get_disk_usage"_s);
    QVERIFY(client.close());
}

void TestOverviewPanel::targetCounts_data()
{
    QTest::addColumn<int>("up");
    QTest::addColumn<int>("down");
    QTest::addColumn<int>("unknown");
    QTest::addColumn<QString>("expected");
    QTest::newRow("all up") << 3 << 0 << 0 << u"&Targets: 3 up, 0 down, 0 unknown"_s;
    QTest::newRow("some down") << 1 << 2 << 0 << u"&Targets: 1 up, 2 down, 0 unknown"_s;
    QTest::newRow("unchecked") << 0 << 0 << 4 << u"&Targets: 0 up, 0 down, 4 unknown"_s;
}

void TestOverviewPanel::targetCounts()
{
    QFETCH(int, up);
    QFETCH(int, down);
    QFETCH(int, unknown);
    QFETCH(QString, expected);
    // Before the connectivity runner reports, every target of the registry is unknown.
    QCOMPARE(m_panel->targetsText(), u"&Targets: 0 up, 0 down, 1 unknown"_s);
    m_panel->setTargetCounts(up, down, unknown);
    QCOMPARE(m_panel->targetsText(), expected);
    QSignalSpy requested(m_panel.get(), &OverviewPanel::targetsRequested);
    QTest::mouseClick(child<QPushButton>(u"overviewTargets"_s), Qt::LeftButton);
    QCOMPARE(requested.size(), 1);
}

void TestOverviewPanel::recentDenials()
{
    auto *denials = child<QTreeWidget>(u"overviewDenials"_s);
    QVERIFY(denials);
    const int before = denials->topLevelItemCount(); // this run's earlier denials, from the log's memory
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    QVERIFY(Tests::McpHttpClient::isError(client.callTool(u"get_system_status"_s, { { u"target"_s, u"nowhere"_s } })));
    QTRY_COMPARE(denials->topLevelItemCount(), before + 1);
    const QTreeWidgetItem *item = denials->topLevelItem(0);
    QCOMPARE(item->text(1), u"overview-agent"_s);
    QCOMPARE(item->text(2), u"get_system_status"_s);
    QCOMPARE(item->text(3), u"nowhere"_s);
    QVERIFY(!item->text(4).isEmpty());
    QVERIFY(m_panel->stats().denials() >= 1);
    QVERIFY(child<QLabel>(u"overviewCallTotals"_s)->text().endsWith(u"%1 denials"_s.arg(m_panel->stats().denials())));
    QSignalSpy audit(m_panel.get(), &OverviewPanel::auditRequested);
    QTest::mouseClick(child<QPushButton>(u"overviewOpenAudit"_s), Qt::LeftButton);
    QCOMPARE(audit.size(), 1);
    QVERIFY(client.close());
}

QTEST_MAIN(TestOverviewPanel)
#include "tst_overviewpanel.moc"
