// The Audit panel against a real in-process gateway: a new call shows in the table, the search box and the
// decision combo filter it, the details pane shows the redacted record, Verify chain reports an intact log and
// the first broken record of a tampered copy, Export writes every record, and the table follows new rows only
// while the user has not scrolled up.
#include "audit/auditfiles.h"
#include "audit/auditfiltermodel.h"
#include "audit/auditlog.h"
#include "audit/auditmodel.h"
#include "audit/auditpanel.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;
using Ui::AuditModel;
using Ui::AuditPanel;

namespace {

const QByteArray kTargets = "targets:\n"
                            "  local:\n"
                            "    type: local\n"
                            "    capabilities: [system:read]\n";

QList<QByteArray> logLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty()) {
        lines.removeLast();
    }
    return lines;
}

} // namespace

class TestAuditPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void newCallShowsInTheTable();
    void searchAndDecisionFilter();
    void detailsShowTheRedactedRecord();
    void verifyIntactLog();
    void verifyTamperedCopy_data();
    void verifyTamperedCopy();
    void exportWritesEveryRecord_data();
    void exportWritesEveryRecord();
    void exportRefusesTheLogItself();
    void followsUntilTheUserScrollsUp();

private:
    Audit::AuditLog &log() { return *m_gw.gateway().audit(); }
    void waitUntilCurrent();

    Tests::UiGateway m_gw;
    std::unique_ptr<Tests::McpHttpClient> m_client;
    std::unique_ptr<AuditPanel> m_panel;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QAbstractItemModelTester> m_filterTester;
};

void TestAuditPanel::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = kTargets;
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    const QByteArray token = m_gw.mint({ u"system:read"_s }, u"panel-agent"_s);
    QVERIFY(!token.isEmpty());
    m_client = std::make_unique<Tests::McpHttpClient>(m_gw.mcpUrl(), token);
    QVERIFY(m_client->initialize());
}

void TestAuditPanel::init()
{
    m_panel = std::make_unique<AuditPanel>(m_gw.gateway());
    m_tester = std::make_unique<QAbstractItemModelTester>(m_panel->model(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_filterTester = std::make_unique<QAbstractItemModelTester>(m_panel->filterModel(),
                                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_panel->resize(900, 600);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    QTRY_VERIFY(!m_panel->model()->isLoading());
}

void TestAuditPanel::cleanup()
{
    m_filterTester.reset();
    m_tester.reset();
    m_panel.reset();
}

void TestAuditPanel::waitUntilCurrent()
{
    QVERIFY(log().flush());
    QTRY_COMPARE(m_panel->model()->lastRecordId(), log().lastRecordId());
}

void TestAuditPanel::newCallShowsInTheTable()
{
    auto *table = m_panel->findChild<QTableView *>(u"auditTable"_s);
    QVERIFY(table);
    const int before = table->model()->rowCount();
    QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } })));
    QTRY_COMPARE(table->model()->rowCount(), before + 1);
    const int row = before;
    QCOMPARE(table->model()->index(row, AuditModel::ToolColumn).data().toString(), u"get_system_status"_s);
    QCOMPARE(table->model()->index(row, AuditModel::CallerColumn).data().toString(), u"panel-agent"_s);
    QCOMPARE(table->model()->index(row, AuditModel::TargetColumn).data().toString(), u"local"_s);
    QCOMPARE(table->model()->index(row, AuditModel::DecisionColumn).data().toString(), u"allowed"_s);
    QTRY_COMPARE(table->model()->index(row, AuditModel::ResultColumn).data().toString(), u"ok"_s);
    auto *count = m_panel->findChild<QLabel *>(u"auditCount"_s);
    QVERIFY(count);
    QTRY_COMPARE(count->text(), u"%1 of %1 records"_s.arg(before + 1));
}

void TestAuditPanel::searchAndDecisionFilter()
{
    // One refused call (unknown target) next to the allowed ones.
    QVERIFY(Tests::McpHttpClient::isError(m_client->callTool(u"get_system_status"_s, { { u"target"_s, u"elsewhere"_s } })));
    waitUntilCurrent();
    QTableView *table = m_panel->table();
    auto *search = m_panel->findChild<QLineEdit *>(u"auditSearch"_s);
    auto *decision = m_panel->findChild<QComboBox *>(u"auditDecision"_s);
    auto *errorsOnly = m_panel->findChild<QCheckBox *>(u"auditErrorsOnly"_s);
    QVERIFY(search && decision && errorsOnly);

    search->setFocus();
    QTest::keyClicks(search, u"elsewhere"_s);
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, AuditModel::DecisionColumn).data().toString(), u"denied"_s);
    search->clear();
    QVERIFY(table->model()->rowCount() > 2);

    decision->setCurrentIndex(decision->findData(int(Ui::AuditFilterModel::DecisionFilter::Denied)));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, AuditModel::TargetColumn).data().toString(), u"elsewhere"_s);
    decision->setCurrentIndex(decision->findData(int(Ui::AuditFilterModel::DecisionFilter::System)));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, AuditModel::DecisionColumn).data().toString(), u"startup"_s);
    decision->setCurrentIndex(0);
    errorsOnly->setChecked(true);
    QCOMPARE(table->model()->rowCount(), 0); // refusals are not errors; no call failed
    errorsOnly->setChecked(false);
    QCOMPARE(table->model()->rowCount(), m_panel->model()->rowCount());
}

void TestAuditPanel::detailsShowTheRedactedRecord()
{
    // A secret in the arguments: the log redacts it, and the details pane shows what the log holds.
    const QJsonObject reply = m_client->callTool(
        u"get_system_status"_s, { { u"target"_s, u"local"_s }, { u"password"_s, u"hunter2-very-secret"_s } });
    Q_UNUSED(reply) // allowed or refused by the schema: either way it is recorded
    waitUntilCurrent();
    auto *details = m_panel->findChild<QPlainTextEdit *>(u"auditDetails"_s);
    QVERIFY(details);
    QVERIFY(details->toPlainText().isEmpty());
    const int last = m_panel->filterModel()->rowCount() - 1;
    QVERIFY(m_panel->selectRow(last));
    const QString text = details->toPlainText();
    QVERIFY2(text.contains(u"\"tool\": \"get_system_status\""_s), qPrintable(text));
    QVERIFY2(text.contains(u"\"hash\": "_s), qPrintable(text));
    QVERIFY2(!text.contains(u"hunter2-very-secret"_s), qPrintable(text));
    QVERIFY(!m_panel->selectRow(m_panel->filterModel()->rowCount()));
}

void TestAuditPanel::verifyIntactLog()
{
    QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"list_targets"_s, {})));
    QVERIFY(log().flush());
    auto *verify = m_panel->findChild<QPushButton *>(u"auditVerify"_s);
    QVERIFY(verify && verify->isEnabled());
    QSignalSpy finished(m_panel.get(), &AuditPanel::verifyFinished);
    QTest::mouseClick(verify, Qt::LeftButton);
    QVERIFY(m_panel->isBusy());
    QVERIFY(!verify->isEnabled());
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(verify->isEnabled());
    const Audit::VerifyReport report = m_panel->lastVerifyReport();
    QVERIFY(report.ok);
    QCOMPARE(report.records, log().lastRecordId());
    auto *status = m_panel->findChild<QLabel *>(u"auditStatus"_s);
    QVERIFY(status->text().contains(QString::number(report.records)));
}

void TestAuditPanel::verifyTamperedCopy_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("edited field") << u"edit"_s;
    QTest::newRow("deleted line") << u"delete"_s;
    QTest::newRow("garbage line") << u"garbage"_s;
}

void TestAuditPanel::verifyTamperedCopy()
{
    QFETCH(QString, how);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"list_targets"_s, {})));
    }
    QVERIFY(log().flush());
    QList<QByteArray> lines = logLines(log().path());
    QVERIFY(lines.size() >= 6);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString copy = dir.filePath(u"audit.jsonl"_s);
    // Tamper with record 3 (a line in the middle): its record_id is what Verify must name.
    const int victim = 2;
    QJsonObject record = QJsonDocument::fromJson(lines.at(victim)).object();
    const qint64 victimId = record.value(u"record_id"_s).toInteger();
    QCOMPARE(victimId, 3);
    if (how == u"edit"_s) {
        record.insert(u"transport"_s, u"tampered"_s);
        lines[victim] = QJsonDocument(record).toJson(QJsonDocument::Compact);
    } else if (how == u"delete"_s) {
        lines.removeAt(victim);
    } else {
        lines[victim] = "this is not a record";
    }
    QFile out(copy);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(lines.join('\n') + '\n');
    out.close();

    QSignalSpy finished(m_panel.get(), &AuditPanel::verifyFinished);
    m_panel->verifyChain(copy);
    QVERIFY(finished.wait(20000));
    QVERIFY(!finished.at(0).at(0).toBool());
    const Audit::VerifyReport report = m_panel->lastVerifyReport();
    QVERIFY(!report.ok);
    QCOMPARE(report.brokenRecord, victimId);
    QVERIFY2(finished.at(0).at(1).toString().contains(u"record 3"_s), qPrintable(finished.at(0).at(1).toString()));
    auto *status = m_panel->findChild<QLabel *>(u"auditStatus"_s);
    QCOMPARE(status->text(), finished.at(0).at(1).toString());

    // The live log itself is still intact.
    finished.clear();
    m_panel->verifyChain();
    QVERIFY(finished.wait(20000));
    QVERIFY(finished.at(0).at(0).toBool());
}

void TestAuditPanel::exportWritesEveryRecord_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("headerLines");
    QTest::newRow("csv") << int(Audit::ExportFormat::Csv) << 1;
    QTest::newRow("jsonl") << int(Audit::ExportFormat::Jsonl) << 0;
}

void TestAuditPanel::exportWritesEveryRecord()
{
    QFETCH(int, format);
    QFETCH(int, headerLines);
    QVERIFY(!Tests::McpHttpClient::isError(m_client->callTool(u"list_targets"_s, {})));
    QVERIFY(log().flush());
    const qint64 expected = logLines(log().path()).size();
    QCOMPARE(expected, log().lastRecordId()); // one file, ids from 1
    QTemporaryDir dir;
    const QString path = dir.filePath(u"export.out"_s);
    QSignalSpy finished(m_panel.get(), &AuditPanel::exportFinished);
    m_panel->exportTo(path, Audit::ExportFormat(format));
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(2).toString()));
    QCOMPARE(finished.at(0).at(1).toLongLong(), expected);
    QCOMPARE(qint64(logLines(path).size()), expected + headerLines);
    if (Audit::ExportFormat(format) == Audit::ExportFormat::Jsonl) {
        QCOMPARE(logLines(path), logLines(log().path()));
    } else {
        QVERIFY(logLines(path).first().contains("record_id"));
    }
}

void TestAuditPanel::exportRefusesTheLogItself()
{
    QVERIFY(log().flush());
    const QByteArray before = [&] {
        QFile f(log().path());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(!before.isEmpty());
    for (const QString &path : { log().path(), log().headPath() }) {
        QSignalSpy finished(m_panel.get(), &AuditPanel::exportFinished);
        m_panel->exportTo(path, Audit::ExportFormat::Jsonl);
        QCOMPARE(finished.size(), 1); // refused at once, nothing started
        QVERIFY(!finished.at(0).at(0).toBool());
        QVERIFY2(finished.at(0).at(2).toString().contains(u"part of the audit log"_s), qPrintable(finished.at(0).at(2).toString()));
    }
    QFile f(log().path());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().startsWith(before));
}

void TestAuditPanel::followsUntilTheUserScrollsUp()
{
    m_panel->resize(700, 260); // a few rows visible
    QTableView *table = m_panel->table();
    QScrollBar *bar = table->verticalScrollBar();
    const auto appendRecords = [this](int n) {
        for (int i = 0; i < n; ++i) {
            Audit::AuditRecord record;
            record.tool = u"follow_probe"_s;
            record.target = u"local"_s;
            record.subject = u"scroll-test"_s;
            record.decision = Audit::Decision::Allow;
            log().append(record);
        }
        return log().flush();
    };
    QVERIFY(appendRecords(40));
    QTRY_COMPARE(m_panel->model()->lastRecordId(), log().lastRecordId());
    QTRY_VERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(m_panel->isFollowing());

    // The user scrolls up: new rows no longer move the view.
    bar->setValue(0);
    QVERIFY(!m_panel->isFollowing());
    const int oldMax = bar->maximum();
    QVERIFY(appendRecords(20));
    QTRY_COMPARE(m_panel->model()->lastRecordId(), log().lastRecordId());
    QTRY_VERIFY(bar->maximum() > oldMax);
    QCOMPARE(bar->value(), 0);

    // Back at the bottom: following again.
    bar->setValue(bar->maximum());
    QVERIFY(m_panel->isFollowing());
    QVERIFY(appendRecords(20));
    QTRY_COMPARE(m_panel->model()->lastRecordId(), log().lastRecordId());
    QTRY_COMPARE(bar->value(), bar->maximum());
}

QTEST_MAIN(TestAuditPanel)
#include "tst_auditpanel.moc"
