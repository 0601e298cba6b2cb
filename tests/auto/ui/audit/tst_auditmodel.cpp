// AuditModel and AuditFilterModel against a real in-process gateway: tool calls made over MCP Streamable HTTP
// become rows (allowed, denied, failed), the files-then-live seam has no duplicates, the ring bound holds and
// the filter finds rows by text, by decision and by error. QAbstractItemModelTester watches every model.
#include "audit/auditfiltermodel.h"
#include "audit/auditlog.h"
#include "audit/auditmodel.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;
using Ui::AuditFilterModel;
using Ui::AuditModel;

namespace {

const QByteArray kTargets = "targets:\n"
                            "  local:\n"
                            "    type: local\n"
                            "    tags: [local]\n"
                            "    capabilities: [system:read, file:read]\n";

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestAuditModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initialFillFromTheFile();
    void toolCallBecomesOneRow();
    void refusedCallIsDenied_data();
    void refusedCallIsDenied();
    void failedCallIsAnError();
    void seamHasNoDuplicates();
    void ringBoundHolds();
    void filter_data();
    void filter();
    void withoutAuditLogStaysEmpty();

private:
    std::unique_ptr<AuditModel> makeModel();

    Tests::UiGateway m_gw;
    QByteArray m_reader; // system:read + file:read, agent "audit-reader"
    QByteArray m_filesOnly; // file:read only, agent "files-only"
    std::unique_ptr<Tests::McpHttpClient> m_client;
    std::unique_ptr<Tests::McpHttpClient> m_filesClient;
    std::unique_ptr<AuditModel> m_live; // lives through the whole test: sees everything live
    std::unique_ptr<QAbstractItemModelTester> m_liveTester;
};

std::unique_ptr<AuditModel> TestAuditModel::makeModel()
{
    auto model = std::make_unique<AuditModel>(m_gw.gateway().audit());
    QSignalSpy loaded(model.get(), &AuditModel::loaded);
    [&] { QVERIFY(loaded.wait(10000)); }();
    return model;
}

void TestAuditModel::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = kTargets;
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    QVERIFY(m_gw.gateway().audit());
    m_reader = m_gw.mint({ u"system:read"_s, u"file:read"_s }, u"audit-reader"_s);
    m_filesOnly = m_gw.mint({ u"file:read"_s }, u"files-only"_s);
    QVERIFY(!m_reader.isEmpty() && !m_filesOnly.isEmpty());
    m_client = std::make_unique<Tests::McpHttpClient>(m_gw.mcpUrl(), m_reader);
    m_filesClient = std::make_unique<Tests::McpHttpClient>(m_gw.mcpUrl(), m_filesOnly);
    QVERIFY(m_client->initialize());
    QVERIFY(m_filesClient->initialize());
    m_live = makeModel();
    m_liveTester = std::make_unique<QAbstractItemModelTester>(m_live.get(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestAuditModel::initialFillFromTheFile()
{
    // The log was opened by the gateway: its startup record is on disk before the model exists.
    QVERIFY(m_live->rowCount() >= 1);
    QCOMPARE(m_live->index(0, 0).data(AuditModel::RecordIdRole).toLongLong(), 1);
    QCOMPARE(cell(*m_live, 0, AuditModel::DecisionColumn), u"startup"_s);
    QCOMPARE(cell(*m_live, 0, AuditModel::CallerColumn), u"gateway"_s);
    QCOMPARE(AuditModel::Category(m_live->index(0, 0).data(AuditModel::CategoryRole).toInt()), AuditModel::Category::System);
    QCOMPARE(m_live->index(0, 0).data(AuditModel::RecordJsonRole).toJsonObject().value(u"event"_s).toString(), u"startup"_s);
    QVERIFY(m_live->loadError().isEmpty());
    QCOMPARE(m_live->columnCount(), int(AuditModel::ColumnCount));
}

void TestAuditModel::toolCallBecomesOneRow()
{
    const int before = m_live->rowCount();
    const QJsonObject reply = m_client->callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } });
    QVERIFY2(!Tests::McpHttpClient::isError(reply), qPrintable(Tests::McpHttpClient::text(reply)));
    // The decision and the result record fold into one row, with the duration and the outcome.
    QTRY_COMPARE(cell(*m_live, m_live->rowCount() - 1, AuditModel::ResultColumn), u"ok"_s);
    QCOMPARE(m_live->rowCount(), before + 1);
    const int row = m_live->rowCount() - 1;
    QCOMPARE(cell(*m_live, row, AuditModel::ToolColumn), u"get_system_status"_s);
    QCOMPARE(cell(*m_live, row, AuditModel::TargetColumn), u"local"_s);
    QCOMPARE(cell(*m_live, row, AuditModel::CallerColumn), u"audit-reader"_s);
    QCOMPARE(cell(*m_live, row, AuditModel::DecisionColumn), u"allowed"_s);
    QVERIFY(cell(*m_live, row, AuditModel::DurationColumn).endsWith(u" ms"_s)
            || cell(*m_live, row, AuditModel::DurationColumn).endsWith(u" s"_s));
    const QModelIndex index = m_live->index(row, 0);
    const QJsonObject decision = index.data(AuditModel::RecordJsonRole).toJsonObject();
    QCOMPARE(decision.value(u"event"_s).toString(), u"decision"_s);
    QCOMPARE(decision.value(u"decision"_s).toString(), u"allow"_s);
    QCOMPARE(decision.value(u"subject"_s).toString(), u"audit-reader"_s);
    QVERIFY(!decision.value(u"hash"_s).toString().isEmpty());
    const QJsonObject result = index.data(AuditModel::ResultJsonRole).toJsonObject();
    QCOMPARE(result.value(u"event"_s).toString(), u"result"_s);
    QCOMPARE(result.value(u"result_status"_s).toString(), u"success"_s);
    QVERIFY(!index.data(AuditModel::IsErrorRole).toBool());
    QVERIFY(m_live->detailsText(row).contains(u"\"result_status\": \"success\""_s));
    // The token itself never shows: only its hash.
    QVERIFY(!m_live->detailsText(row).contains(QString::fromLatin1(m_reader)));
}

void TestAuditModel::refusedCallIsDenied_data()
{
    QTest::addColumn<bool>("filesOnly");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("caller");
    QTest::newRow("unknown target") << false << u"nowhere"_s << u"audit-reader"_s;
    QTest::newRow("missing scope") << true << u"local"_s << u"files-only"_s;
}

void TestAuditModel::refusedCallIsDenied()
{
    QFETCH(bool, filesOnly);
    QFETCH(QString, target);
    QFETCH(QString, caller);
    Tests::McpHttpClient &client = filesOnly ? *m_filesClient : *m_client;
    const int before = m_live->rowCount();
    const QJsonObject reply = client.callTool(u"get_system_status"_s, { { u"target"_s, target } });
    QVERIFY(Tests::McpHttpClient::isError(reply));
    QTRY_COMPARE(m_live->rowCount(), before + 1);
    const int row = m_live->rowCount() - 1;
    QCOMPARE(cell(*m_live, row, AuditModel::ToolColumn), u"get_system_status"_s);
    QCOMPARE(cell(*m_live, row, AuditModel::TargetColumn), target);
    QCOMPARE(cell(*m_live, row, AuditModel::CallerColumn), caller);
    QCOMPARE(cell(*m_live, row, AuditModel::DecisionColumn), u"denied"_s);
    QCOMPARE(cell(*m_live, row, AuditModel::ResultColumn), u"refused"_s);
    const QModelIndex index = m_live->index(row, AuditModel::DecisionColumn);
    QCOMPARE(AuditModel::Category(index.data(AuditModel::CategoryRole).toInt()), AuditModel::Category::Denied);
    QCOMPARE(index.data(Qt::ForegroundRole).value<QColor>(), QColor(0xc0, 0x1c, 0x28));
    QVERIFY(!index.data(Qt::DecorationRole).isNull());
    QVERIFY(!index.data(Qt::ToolTipRole).toString().isEmpty()); // the reason
    QCOMPARE(index.data(AuditModel::RecordJsonRole).toJsonObject().value(u"decision"_s).toString(), u"deny"_s);
    QVERIFY(index.data(AuditModel::ResultJsonRole).toJsonObject().isEmpty());
}

void TestAuditModel::failedCallIsAnError()
{
    const int before = m_live->rowCount();
    const QJsonObject reply = m_client->callTool(
        u"get_file_info"_s, { { u"target"_s, u"local"_s }, { u"path"_s, u"/nonexistent/tailops-ui-audit-test"_s } });
    QVERIFY(Tests::McpHttpClient::isError(reply));
    QTRY_COMPARE(cell(*m_live, m_live->rowCount() - 1, AuditModel::ResultColumn), u"error"_s);
    QCOMPARE(m_live->rowCount(), before + 1);
    const QModelIndex index = m_live->index(m_live->rowCount() - 1, AuditModel::ResultColumn);
    QCOMPARE(cell(*m_live, index.row(), AuditModel::DecisionColumn), u"allowed"_s);
    QVERIFY(index.data(AuditModel::IsErrorRole).toBool());
    QCOMPARE(index.data(Qt::ForegroundRole).value<QColor>(), QColor(0xb3, 0x5c, 0x00));
}

void TestAuditModel::seamHasNoDuplicates()
{
    // A model created while calls keep coming: what the files hold and what the signal brings meet once.
    QList<Tests::PendingCall *> calls;
    for (int i = 0; i < 4; ++i) {
        calls.append(m_client->startCallTool(u"list_targets"_s, {}));
    }
    AuditModel fresh(m_gw.gateway().audit());
    QAbstractItemModelTester tester(&fresh, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 4; ++i) {
        calls.append(m_client->startCallTool(u"list_targets"_s, {}));
    }
    for (Tests::PendingCall *call : std::as_const(calls)) {
        QVERIFY(call->wait());
        call->deleteLater();
    }
    QVERIFY(m_gw.gateway().audit()->flush());
    QTRY_VERIFY(!fresh.isLoading());
    QTRY_COMPARE(fresh.lastRecordId(), m_gw.gateway().audit()->lastRecordId());
    QTRY_COMPARE(m_live->lastRecordId(), m_gw.gateway().audit()->lastRecordId());
    QTRY_COMPARE(fresh.rowCount(), m_live->rowCount());
    qint64 previous = 0;
    for (int row = 0; row < fresh.rowCount(); ++row) {
        const qint64 id = fresh.index(row, 0).data(AuditModel::RecordIdRole).toLongLong();
        QVERIFY2(id > previous, qPrintable(u"row %1: record %2 after %3"_s.arg(row).arg(id).arg(previous)));
        QCOMPARE(id, m_live->index(row, 0).data(AuditModel::RecordIdRole).toLongLong());
        QCOMPARE(cell(fresh, row, AuditModel::ResultColumn), cell(*m_live, row, AuditModel::ResultColumn));
        previous = id;
    }
}

void TestAuditModel::ringBoundHolds()
{
    std::unique_ptr<AuditModel> model = makeModel();
    QAbstractItemModelTester tester(model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model->rowCount() > 3);
    model->setCapacity(3);
    QCOMPARE(model->rowCount(), 3);
    const qint64 oldest = model->index(0, 0).data(AuditModel::RecordIdRole).toLongLong();
    for (int i = 0; i < 5; ++i) {
        QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"list_targets"_s, {})));
    }
    QTRY_COMPARE(model->lastRecordId(), m_gw.gateway().audit()->lastRecordId());
    QCOMPARE(model->rowCount(), 3);
    QVERIFY(model->index(0, 0).data(AuditModel::RecordIdRole).toLongLong() > oldest);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(*model, row, AuditModel::ToolColumn), u"list_targets"_s);
        QCOMPARE(cell(*model, row, AuditModel::ResultColumn), u"ok"_s);
    }
    // A small bound from the start: the initial fill keeps only the newest rows.
    model->setCapacity(1);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, 0).data(AuditModel::RecordIdRole).toLongLong() + 1, model->lastRecordId());
}

void TestAuditModel::filter_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<int>("decision");
    QTest::addColumn<bool>("errorsOnly");
    QTest::addColumn<QString>("expectTool"); // every row shown has this tool ("" = any)
    QTest::addColumn<QString>("expectDecision"); // and this decision text ("" = any)
    QTest::addColumn<int>("minRows");
    QTest::addColumn<int>("maxRows");

    using F = AuditFilterModel::DecisionFilter;
    QTest::newRow("everything") << QString() << int(F::Any) << false << QString() << QString() << 10 << 1000;
    QTest::newRow("text: tool") << u"GET_SYSTEM"_s << int(F::Any) << false << u"get_system_status"_s << QString() << 3 << 3;
    QTest::newRow("text: two words") << u"nowhere audit-reader"_s << int(F::Any) << false << u"get_system_status"_s
                                     << u"denied"_s << 1 << 1;
    QTest::newRow("text: reason") << u"scope"_s << int(F::Any) << false << u"get_system_status"_s << u"denied"_s << 1 << 1;
    QTest::newRow("text: no match") << u"no-such-thing-anywhere"_s << int(F::Any) << false << QString() << QString() << 0 << 0;
    QTest::newRow("decision: denied") << QString() << int(F::Denied) << false << u"get_system_status"_s << u"denied"_s << 2 << 2;
    QTest::newRow("decision: allowed") << QString() << int(F::Allowed) << false << QString() << u"allowed"_s << 10 << 1000;
    QTest::newRow("decision: system") << QString() << int(F::System) << false << QString() << u"startup"_s << 1 << 1;
    QTest::newRow("decision: pending") << QString() << int(F::Pending) << false << QString() << QString() << 0 << 0;
    QTest::newRow("errors only") << QString() << int(F::Any) << true << u"get_file_info"_s << u"allowed"_s << 1 << 1;
    QTest::newRow("denied + text") << u"files-only"_s << int(F::Denied) << false << u"get_system_status"_s << u"denied"_s << 1 << 1;
    QTest::newRow("allowed + tool text") << u"get_system_status"_s << int(F::Allowed) << false << u"get_system_status"_s
                                         << u"allowed"_s << 1 << 1;
}

void TestAuditModel::filter()
{
    QFETCH(QString, search);
    QFETCH(int, decision);
    QFETCH(bool, errorsOnly);
    QFETCH(QString, expectTool);
    QFETCH(QString, expectDecision);
    QFETCH(int, minRows);
    QFETCH(int, maxRows);
    AuditFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(m_live.get());
    filter.setSearchText(search);
    filter.setDecisionFilter(AuditFilterModel::DecisionFilter(decision));
    filter.setErrorsOnly(errorsOnly);
    QVERIFY2(filter.rowCount() >= minRows && filter.rowCount() <= maxRows, qPrintable(QString::number(filter.rowCount())));
    for (int row = 0; row < filter.rowCount(); ++row) {
        if (!expectTool.isEmpty()) {
            QCOMPARE(cell(filter, row, AuditModel::ToolColumn), expectTool);
        }
        if (!expectDecision.isEmpty()) {
            QCOMPARE(cell(filter, row, AuditModel::DecisionColumn), expectDecision);
        }
    }
    // Clearing the filters shows every row again.
    filter.setSearchText({});
    filter.setDecisionFilter(AuditFilterModel::DecisionFilter::Any);
    filter.setErrorsOnly(false);
    QCOMPARE(filter.rowCount(), m_live->rowCount());
}

void TestAuditModel::withoutAuditLogStaysEmpty()
{
    AuditModel model(nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.isLoading());
    QVERIFY(model.logPath().isEmpty());
}

QTEST_MAIN(TestAuditModel)
#include "tst_auditmodel.moc"
