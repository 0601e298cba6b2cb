// ApprovalsModel over a real ApprovalBroker: requests appear with their exact arguments, decisions and
// timeouts remove them, the countdown decreases every second; QAbstractItemModelTester throughout.
#include "approvals/approvalsmodel.h"

#include "approvals/approvalbroker.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestApprovalsModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void followsTheBroker();
    void countdownDecreases();
    void timeoutRemovesTheRow();
    void startsWithWhatIsPending();

private:
    // The answer goes to CONTEXT (declared before DECISION and the broker, so no answer outlives them).
    static QString ask(QObject *context, Approvals::ApprovalBroker &broker, const QString &tool, const QJsonObject &args,
                       qint64 timeout, std::optional<Approvals::Decision> *decision)
    {
        Approvals::ApprovalRequest r;
        r.caller = u"agent-7"_s;
        r.tool = tool;
        r.target = u"local"_s;
        r.arguments = args;
        r.binding = Approvals::ApprovalBroker::bindingHash(u"agent-7"_s, tool, u"local"_s, args);
        r.rule = u"commands-need-a-human"_s;
        r.reason = u"policy says so"_s;
        return broker.request(r, timeout, context, [](const QString &, qint64, qint64) {}, [decision](const Approvals::Decision &d) { *decision = d; });
    }
};

void TestApprovalsModel::followsTheBroker()
{
    QObject context;
    Approvals::ApprovalBroker broker;
    Ui::ApprovalsModel model(broker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(Ui::ApprovalsModel::ColumnCount));

    std::optional<Approvals::Decision> first;
    std::optional<Approvals::Decision> second;
    const QJsonObject args { { u"argv"_s, QJsonArray { u"rm"_s, u"-rf"_s, u"/tmp/x y"_s } }, { u"target"_s, u"local"_s } };
    const QString id1 = ask(&context, broker, u"run_command"_s, args, 60, &first);
    const QString id2 = ask(&context, broker, u"manage_container"_s, { { u"action"_s, u"restart"_s } }, 60, &second);
    QCOMPARE(model.rowCount(), 2);
    using M = Ui::ApprovalsModel;
    QCOMPARE(model.index(0, M::IdColumn).data().toString(), id1);
    QCOMPARE(model.index(0, M::CallerColumn).data().toString(), u"agent-7"_s);
    QCOMPARE(model.index(0, M::ToolColumn).data().toString(), u"run_command"_s);
    QCOMPARE(model.index(0, M::TargetColumn).data().toString(), u"local"_s);
    QCOMPARE(model.index(0, M::ArgumentsColumn).data().toString(), u"{\"argv\":[\"rm\",\"-rf\",\"/tmp/x y\"],\"target\":\"local\"}"_s);
    QCOMPARE(model.index(0, M::ArgumentsColumn).data(M::ArgumentsRole).toJsonObject(), args);
    QCOMPARE(model.index(0, M::RuleColumn).data().toString(), u"commands-need-a-human"_s);
    QCOMPARE(model.index(0, M::ReasonColumn).data().toString(), u"policy says so"_s);
    QCOMPARE(model.index(0, M::RiskColumn).data().toString(), u"-"_s); // no server: unknown
    QCOMPARE(model.rowOf(id2), 1);

    QVERIFY(broker.approve(id1, 0, u"console (test)"_s));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowOf(id2), 0);
    QVERIFY(broker.deny(id2, false, u"console (test)"_s, u"no"_s));
    QCOMPARE(model.rowCount(), 0);
    QTRY_VERIFY(first.has_value() && second.has_value());
    QCOMPARE(first->outcome, Approvals::Outcome::Approved);
    QCOMPARE(second->outcome, Approvals::Outcome::Denied);
}

void TestApprovalsModel::countdownDecreases()
{
    QObject context;
    Approvals::ApprovalBroker broker;
    Ui::ApprovalsModel model(broker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::optional<Approvals::Decision> decision;
    ask(&context, broker, u"run_command"_s, {}, 30, &decision);
    const qint64 start = model.index(0, Ui::ApprovalsModel::RemainingColumn).data(Ui::ApprovalsModel::RemainingSecondsRole).toLongLong();
    QVERIFY2(start >= 29 && start <= 30, qPrintable(QString::number(start)));
    QCOMPARE(model.index(0, Ui::ApprovalsModel::RemainingColumn).data().toString(), u"%1 s"_s.arg(start));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy ticked(&model, &Ui::ApprovalsModel::ticked);
    QTRY_VERIFY_WITH_TIMEOUT(ticked.size() >= 2, 5000);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(changed.first().at(0).toModelIndex().column(), int(Ui::ApprovalsModel::RemainingColumn));
    const qint64 later = model.index(0, Ui::ApprovalsModel::RemainingColumn).data(Ui::ApprovalsModel::RemainingSecondsRole).toLongLong();
    QVERIFY2(later < start && later >= start - 4, qPrintable(u"%1 -> %2"_s.arg(start).arg(later)));
}

void TestApprovalsModel::timeoutRemovesTheRow()
{
    QObject context;
    Approvals::ApprovalBroker broker;
    Ui::ApprovalsModel model(broker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::optional<Approvals::Decision> decision;
    ask(&context, broker, u"run_command"_s, {}, 1, &decision);
    QCOMPARE(model.rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 0, 5000);
    QTRY_VERIFY(decision.has_value());
    QCOMPARE(decision->outcome, Approvals::Outcome::TimedOut);
}

void TestApprovalsModel::startsWithWhatIsPending()
{
    QObject context;
    Approvals::ApprovalBroker broker;
    std::optional<Approvals::Decision> decision;
    const QString id = ask(&context, broker, u"run_command"_s, { { u"argv"_s, QJsonArray { u"true"_s } } }, 60, &decision);
    Ui::ApprovalsModel model(broker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.request(0)->id, id);
    broker.cancel(id);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestApprovalsModel)
#include "tst_approvalsmodel.moc"
