// The Approvals panel deciding real calls of the in-process gateway: a run_command that policy.yaml sends for
// approval is listed with its exact arguments, caller, target and risk, and its countdown runs; clicking
// Approve lets the waiting call finish successfully, Deny makes it return a refusal (with the reason), and
// Approve for N minutes lets an identical second call through without asking.
#include "approvals/approvalsmodel.h"
#include "approvals/approvalspanel.h"

#include "approvals/approvalbroker.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestApprovalsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void approveLetsTheCallFinish();
    void denyRefusesTheCall();
    void approveForMinutesCoversIdenticalCalls();
    void countdownInTheDetails();
    void noApprovalForAnUnseenRequest();

private:
    // Starts run_command echo WORD and waits until the panel lists it; returns its approval id.
    QString startWaitingCall(Ui::ApprovalsPanel &panel, Tests::McpHttpClient &client, const QString &word,
                             std::unique_ptr<Tests::PendingCall> *call);
    static QJsonObject echo(const QString &word)
    {
        return { { u"target"_s, u"local"_s }, { u"argv"_s, QJsonArray { u"echo"_s, word } } };
    }

    Tests::UiGateway m_gw;
    QByteArray m_token;
};

void TestApprovalsPanel::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n  local:\n    type: local\n    capabilities: [system:read, system:admin]\n";
    options.policyYaml = "version: \"1\"\n"
                         "default: deny\n"
                         "rules:\n"
                         "  - name: status-is-fine\n    effect: allow\n    tools: [get_system_status]\n"
                         "  - name: commands-need-a-human\n    effect: require_approval\n    tools: [run_command]\n";
    options.gatewayYamlExtra = "limits:\n  admin: {rate: 0}\n"; // these tests make more admin calls than the default burst
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_token = m_gw.mint({ u"system:read"_s, u"system:admin"_s }, u"approval-agent"_s);
    QVERIFY(!m_token.isEmpty());
}

QString TestApprovalsPanel::startWaitingCall(Ui::ApprovalsPanel &panel, Tests::McpHttpClient &client, const QString &word,
                                             std::unique_ptr<Tests::PendingCall> *call)
{
    const int before = panel.model().rowCount();
    call->reset(client.startCallTool(u"run_command"_s, echo(word)));
    if (!QTest::qWaitFor([&] { return panel.model().rowCount() > before; }, 10000)) {
        if ((*call)->isFinished()) { // answered without asking: say what came back
            qWarning().noquote() << "not held for approval:" << Tests::McpHttpClient::text((*call)->result());
        }
        return {};
    }
    return panel.model().index(panel.model().rowCount() - 1, 0).data(Ui::ApprovalsModel::ApprovalIdRole).toString();
}

void TestApprovalsPanel::approveLetsTheCallFinish()
{
    Ui::ApprovalsPanel panel(m_gw.gateway());
    panel.show();
    QAbstractItemModelTester tester(&panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    std::unique_ptr<Tests::PendingCall> call;
    const QString id = startWaitingCall(panel, client, u"approved-call"_s, &call);
    QVERIFY(!id.isEmpty());
    QVERIFY(!call->isFinished());

    // Listed with the exact arguments, the caller, the target, the tool's risk and the rule.
    using M = Ui::ApprovalsModel;
    const int row = panel.model().rowOf(id);
    QCOMPARE(panel.model().index(row, M::ArgumentsColumn).data().toString(),
             QString::fromUtf8(QJsonDocument(echo(u"approved-call"_s)).toJson(QJsonDocument::Compact)));
    QCOMPARE(panel.model().index(row, M::CallerColumn).data().toString(), u"approval-agent"_s);
    QCOMPARE(panel.model().index(row, M::TargetColumn).data().toString(), u"local"_s);
    QCOMPARE(panel.model().index(row, M::ToolColumn).data().toString(), u"run_command"_s);
    QCOMPARE(panel.model().index(row, M::RiskColumn).data().toString(), u"critical (admin)"_s);
    QCOMPARE(panel.model().index(row, M::RuleColumn).data().toString(), u"policy:commands-need-a-human"_s);

    // Selected (the first pending), with the arguments pretty-printed in the details.
    QVERIFY(panel.showRequest(id));
    QCOMPARE(panel.selectedRequest(), id);
    QVERIFY2(panel.detailsText().contains(QString::fromUtf8(QJsonDocument(echo(u"approved-call"_s)).toJson(QJsonDocument::Indented)).trimmed()),
             qPrintable(panel.detailsText()));
    QVERIFY(panel.detailsText().contains(u"critical (admin)"_s));

    QSignalSpy decided(&m_gw.gateway().approvals(), &Approvals::ApprovalBroker::decided);
    QTest::mouseClick(panel.findChild<QPushButton *>(u"approveButton"_s), Qt::LeftButton);
    QCOMPARE(decided.size(), 1);
    const auto decision = decided.first().at(1).value<Approvals::Decision>();
    QCOMPARE(decision.outcome, Approvals::Outcome::Approved);
    QCOMPARE(decision.approver, Ui::ApprovalsPanel::approverName());
    QVERIFY(decision.approver.startsWith(u"console ("_s));
    QVERIFY(call->wait(15000));
    QVERIFY2(!Tests::McpHttpClient::isError(call->result()), qPrintable(Tests::McpHttpClient::text(call->result())));
    QVERIFY2(QJsonDocument(call->result()).toJson().contains("approved-call"), QJsonDocument(call->result()).toJson().constData());
    QCOMPARE(panel.model().rowCount(), 0);
    QVERIFY(panel.statusText().contains(id));
}

void TestApprovalsPanel::denyRefusesTheCall()
{
    Ui::ApprovalsPanel panel(m_gw.gateway());
    panel.show();
    QAbstractItemModelTester tester(&panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    std::unique_ptr<Tests::PendingCall> call;
    const QString id = startWaitingCall(panel, client, u"denied-call"_s, &call);
    QVERIFY(!id.isEmpty());
    QVERIFY(panel.showRequest(id));
    panel.setDenyReason(u"not today"_s);
    QTest::mouseClick(panel.findChild<QPushButton *>(u"denyButton"_s), Qt::LeftButton);
    QVERIFY(call->wait(15000));
    QVERIFY(Tests::McpHttpClient::isError(call->result()));
    const QString text = Tests::McpHttpClient::text(call->result());
    QVERIFY2(text.contains(u"the approver denied run_command"_s) && text.contains(u"not today"_s), qPrintable(text));
    QCOMPARE(panel.model().rowCount(), 0);
    QVERIFY(!panel.showRequest(id));
}

void TestApprovalsPanel::approveForMinutesCoversIdenticalCalls()
{
    Ui::ApprovalsPanel panel(m_gw.gateway());
    panel.show();
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    std::unique_ptr<Tests::PendingCall> call;
    const QString id = startWaitingCall(panel, client, u"granted-call"_s, &call);
    QVERIFY(!id.isEmpty());
    QVERIFY(panel.showRequest(id));
    panel.setGrantMinutes(5);
    QTest::mouseClick(panel.findChild<QPushButton *>(u"approveForButton"_s), Qt::LeftButton);
    QVERIFY(call->wait(15000));
    QVERIFY2(!Tests::McpHttpClient::isError(call->result()), qPrintable(Tests::McpHttpClient::text(call->result())));
    const auto grants = m_gw.gateway().approvals().grants();
    QCOMPARE(grants.size(), 1);
    QVERIFY(std::abs(grants.first().granted.secsTo(grants.first().expires) - 300) <= 1);

    // The identical call passes without asking; a different one asks again.
    QSignalSpy requested(&m_gw.gateway().approvals(), &Approvals::ApprovalBroker::requested);
    const QJsonObject again = client.callTool(u"run_command"_s, echo(u"granted-call"_s), 15000);
    QVERIFY2(!Tests::McpHttpClient::isError(again), qPrintable(Tests::McpHttpClient::text(again)));
    QCOMPARE(requested.size(), 0);
    QCOMPARE(panel.model().rowCount(), 0);
    std::unique_ptr<Tests::PendingCall> other;
    const QString otherId = startWaitingCall(panel, client, u"other-call"_s, &other);
    QVERIFY(!otherId.isEmpty());
    QVERIFY(panel.showRequest(otherId));
    QVERIFY(panel.denySelected());
    QVERIFY(other->wait(15000));
    QVERIFY(Tests::McpHttpClient::isError(other->result()));
    QVERIFY(m_gw.gateway().approvals().revokeGrant(grants.first().binding));
}

void TestApprovalsPanel::countdownInTheDetails()
{
    Ui::ApprovalsPanel panel(m_gw.gateway());
    panel.show();
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    std::unique_ptr<Tests::PendingCall> call;
    const QString id = startWaitingCall(panel, client, u"slow-decision"_s, &call);
    QVERIFY(!id.isEmpty());
    QVERIFY(panel.showRequest(id));
    const auto remaining = [&] {
        return panel.model().index(panel.model().rowOf(id), Ui::ApprovalsModel::RemainingColumn)
            .data(Ui::ApprovalsModel::RemainingSecondsRole)
            .toLongLong();
    };
    const qint64 first = remaining();
    QVERIFY2(first > 100 && first <= 120, qPrintable(QString::number(first))); // approvals.timeout: 120 s
    QVERIFY(panel.detailsText().contains(u"Time left %1 s"_s.arg(first)));
    QTRY_VERIFY_WITH_TIMEOUT(remaining() <= first - 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(panel.detailsText().contains(u"Time left %1 s"_s.arg(remaining())), 3000);
    QVERIFY(panel.denySelected());
    QVERIFY(call->wait(15000));
}

// A request decided elsewhere leaves nothing selected in its place, and one the panel selects by itself
// (it just arrived) cannot be approved until the operator could have read it.
void TestApprovalsPanel::noApprovalForAnUnseenRequest()
{
    Ui::ApprovalsPanel panel(m_gw.gateway());
    panel.show();
    Tests::McpHttpClient client(m_gw.mcpUrl(), m_token);
    QVERIFY(client.initialize());
    auto *approve = panel.findChild<QPushButton *>(u"approveButton"_s);

    // Arrives with nothing selected: shown, but Approve stays off for a moment.
    std::unique_ptr<Tests::PendingCall> first;
    const QString firstId = startWaitingCall(panel, client, u"first-call"_s, &first);
    QVERIFY(!firstId.isEmpty());
    QCOMPARE(panel.selectedRequest(), firstId);
    QVERIFY(!panel.isArmed());
    QVERIFY(!approve->isEnabled());
    QVERIFY(!panel.approveSelected());
    QVERIFY2(panel.statusText().contains(u"just arrived"_s), qPrintable(panel.statusText()));
    QTRY_VERIFY_WITH_TIMEOUT(approve->isEnabled(), 3000);

    // A second one waits behind it; the first is decided from the command line's side (the broker).
    std::unique_ptr<Tests::PendingCall> second;
    const QString secondId = startWaitingCall(panel, client, u"second-call"_s, &second);
    QVERIFY(!secondId.isEmpty());
    QCOMPARE(panel.selectedRequest(), firstId);
    QVERIFY(m_gw.gateway().approvals().deny(firstId, false, u"cli"_s));
    QVERIFY(first->wait(15000));
    QTRY_COMPARE(panel.model().rowCount(), 1);
    QVERIFY(panel.selectedRequest().isEmpty()); // not the second in its place
    QVERIFY(!approve->isEnabled());
    QVERIFY(!panel.approveSelected());
    QVERIFY2(panel.statusText().contains(u"decided elsewhere"_s), qPrintable(panel.statusText()));
    QVERIFY(!second->isFinished());
    QVERIFY(panel.showRequest(secondId));
    QVERIFY(panel.denySelected());
    QVERIFY(second->wait(15000));
}

QTEST_MAIN(TestApprovalsPanel)
#include "tst_approvalspanel.moc"
