// ActivityStats against a real in-process gateway: calls per minute count real MCP tool calls (and their
// errors), refused calls count as denials with their reason, and sessions appear on initialize and disappear
// on DELETE.
#include "overview/activitystats.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;
using Ui::ActivityStats;

namespace {

const QByteArray kTargets = "targets:\n"
                            "  local:\n"
                            "    type: local\n"
                            "    capabilities: [system:read, file:read]\n";

// Calls in the last two buckets: the minute may roll over between two calls of a test.
int recentBucketCalls(const ActivityStats &stats)
{
    const QList<ActivityStats::Bucket> buckets = stats.buckets();
    return buckets.at(buckets.size() - 1).calls + buckets.at(buckets.size() - 2).calls;
}

} // namespace

class TestActivityStats final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void bucketsCoverHalfAnHour();
    void callsPerMinuteCountRealCalls_data();
    void callsPerMinuteCountRealCalls();
    void errorsAreCounted();
    void denialsAreListed_data();
    void denialsAreListed();
    void sessionsFollowTheTransport();
    void recentDenialsAreBounded();

private:
    Tests::UiGateway m_gw;
    QByteArray m_token;
    QByteArray m_filesOnly;
    std::unique_ptr<Tests::McpHttpClient> m_client;
    std::unique_ptr<ActivityStats> m_stats;
};

void TestActivityStats::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = kTargets;
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_token = m_gw.mint({ u"system:read"_s, u"file:read"_s }, u"stats-agent"_s);
    m_filesOnly = m_gw.mint({ u"file:read"_s }, u"files-only"_s);
    QVERIFY(!m_token.isEmpty() && !m_filesOnly.isEmpty());
    m_client = std::make_unique<Tests::McpHttpClient>(m_gw.mcpUrl(), m_token);
    QVERIFY(m_client->initialize());
}

void TestActivityStats::init() { m_stats = std::make_unique<ActivityStats>(m_gw.gateway()); }

void TestActivityStats::cleanup() { m_stats.reset(); }

void TestActivityStats::bucketsCoverHalfAnHour()
{
    const QList<ActivityStats::Bucket> buckets = m_stats->buckets();
    QCOMPARE(buckets.size(), ActivityStats::kMinutes);
    for (qsizetype i = 1; i < buckets.size(); ++i) {
        QCOMPARE(buckets.at(i - 1).minute.secsTo(buckets.at(i).minute), 60);
    }
    QVERIFY(buckets.last().minute <= QDateTime::currentDateTime());
    QVERIFY(buckets.last().minute.secsTo(QDateTime::currentDateTime()) < 60);
    QCOMPARE(m_stats->callsPerMinuteSeries().size(), ActivityStats::kMinutes);
    QCOMPARE(m_stats->calls(), 0);
    QCOMPARE(m_stats->callsLastMinute(), 0);
}

void TestActivityStats::callsPerMinuteCountRealCalls_data()
{
    QTest::addColumn<int>("sequential");
    QTest::addColumn<int>("concurrent");
    QTest::newRow("one call") << 1 << 0;
    QTest::newRow("five calls") << 5 << 0;
    QTest::newRow("six at once") << 0 << 6;
    QTest::newRow("mixed") << 2 << 3;
}

void TestActivityStats::callsPerMinuteCountRealCalls()
{
    QFETCH(int, sequential);
    QFETCH(int, concurrent);
    QSignalSpy changed(m_stats.get(), &ActivityStats::activityChanged);
    for (int i = 0; i < sequential; ++i) {
        QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } })));
    }
    QList<Tests::PendingCall *> calls;
    for (int i = 0; i < concurrent; ++i) {
        calls.append(m_client->startCallTool(u"list_targets"_s, {}));
    }
    for (Tests::PendingCall *call : std::as_const(calls)) {
        QVERIFY(call->wait());
        call->deleteLater();
    }
    const int total = sequential + concurrent;
    QTRY_COMPARE(m_stats->calls(), total);
    QCOMPARE(m_stats->callsLastMinute(), total);
    QCOMPARE(recentBucketCalls(*m_stats), total);
    QCOMPARE(m_stats->errors(), 0);
    QVERIFY(changed.size() >= total);
}

void TestActivityStats::errorsAreCounted()
{
    QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"list_targets"_s, {})));
    QVERIFY(Tests::McpHttpClient::isError(m_client->callTool(
        u"get_file_info"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/nonexistent/tailops-ui-stats"_s } })));
    QTRY_COMPARE(m_stats->calls(), 2);
    QCOMPARE(m_stats->errors(), 1);
    const QList<ActivityStats::Bucket> buckets = m_stats->buckets();
    QCOMPARE(buckets.at(buckets.size() - 1).errors + buckets.at(buckets.size() - 2).errors, 1);
}

void TestActivityStats::denialsAreListed_data()
{
    QTest::addColumn<bool>("filesOnly");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("caller");
    QTest::newRow("unknown target") << false << u"nowhere"_s << u"stats-agent"_s;
    QTest::newRow("missing scope") << true << u"local"_s << u"files-only"_s;
}

void TestActivityStats::denialsAreListed()
{
    QFETCH(bool, filesOnly);
    QFETCH(QString, target);
    QFETCH(QString, caller);
    Tests::McpHttpClient other(m_gw.mcpUrl(), m_filesOnly);
    Tests::McpHttpClient &client = filesOnly ? other : *m_client;
    if (filesOnly) {
        QVERIFY(other.initialize());
    }
    QSignalSpy denials(m_stats.get(), &ActivityStats::denialsChanged);
    const int before = m_stats->denials();
    QVERIFY(Tests::McpHttpClient::isError(client.callTool(u"get_system_status"_s, { { u"target"_s, target } })));
    QTRY_COMPARE(m_stats->denials(), before + 1);
    QVERIFY(denials.size() >= 1);
    const ActivityStats::Denial latest = m_stats->recentDenials().first();
    QCOMPARE(latest.tool, u"get_system_status"_s);
    QCOMPARE(latest.target, target);
    QCOMPARE(latest.caller, caller);
    QVERIFY(!latest.reason.isEmpty());
    QVERIFY(latest.time.secsTo(QDateTime::currentDateTime()) < 60);
    QCOMPARE(m_stats->calls(), 0); // refused calls never ran
    // A new ActivityStats finds the denials of this run in the log's memory.
    ActivityStats later(m_gw.gateway());
    QCOMPARE(later.recentDenials().first().target, target);
    QVERIFY(later.denials() >= m_stats->denials()); // it also sees the denials from before m_stats existed
    if (filesOnly) {
        QVERIFY(other.close());
    }
}

void TestActivityStats::sessionsFollowTheTransport()
{
    QSignalSpy changed(m_stats.get(), &ActivityStats::sessionsChanged);
    QVERIFY(m_stats->sessions().isEmpty()); // opened before the stats existed: not known
    Tests::McpHttpClient first(m_gw.mcpUrl(), m_token);
    QVERIFY(first.initialize(u"first-client"_s));
    QTRY_COMPARE(m_stats->sessions().size(), 1);
    ActivityStats::SessionInfo s = m_stats->sessions().first();
    QCOMPARE(s.id, first.sessionId());
    QCOMPARE(s.agent, u"stats-agent"_s);
    QCOMPARE(s.client, u"first-client"_s);
    QVERIFY(s.since.secsTo(QDateTime::currentDateTime()) < 60);

    Tests::McpHttpClient second(m_gw.mcpUrl(), m_filesOnly);
    QVERIFY(second.initialize(u"second-client"_s));
    QTRY_COMPARE(m_stats->sessions().size(), 2);
    QCOMPARE(m_stats->sessions().at(1).agent, u"files-only"_s);
    QCOMPARE(m_stats->sessions().at(1).client, u"second-client"_s);

    QVERIFY(first.close());
    QTRY_COMPARE(m_stats->sessions().size(), 1);
    QCOMPARE(m_stats->sessions().first().client, u"second-client"_s);
    QVERIFY(second.close());
    QTRY_VERIFY(m_stats->sessions().isEmpty());
    QVERIFY(changed.size() >= 4);
}

void TestActivityStats::recentDenialsAreBounded()
{
    for (int i = 0; i < ActivityStats::kRecentDenials + 5; ++i) {
        QVERIFY(Tests::McpHttpClient::isError(
            m_client->callTool(u"get_system_status"_s, { { u"target"_s, u"missing-%1"_s.arg(i) } })));
    }
    QTRY_COMPARE(m_stats->recentDenials().first().target, u"missing-%1"_s.arg(ActivityStats::kRecentDenials + 4));
    QCOMPARE(m_stats->recentDenials().size(), ActivityStats::kRecentDenials);
    QCOMPARE(m_stats->recentDenials().last().target, u"missing-5"_s);
}

QTEST_MAIN(TestActivityStats)
#include "tst_activitystats.moc"
