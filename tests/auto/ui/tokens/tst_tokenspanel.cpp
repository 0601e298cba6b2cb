// The Tokens panel against a real in-process gateway: a token minted by filling the form and clicking Mint
// is accepted by the gateway with exactly the scopes asked for; a lifetime above auth.max_token_ttl and a
// missing agent are refused inline without writing anything; revoking in the panel makes the gateway refuse
// the token at once; the list shows the token's last use after a call.
#include "tokens/tokenresultdialog.h"
#include "tokens/tokensmodel.h"
#include "tokens/tokenspanel.h"

#include "auth/hmactoken.h"
#include "auth/secret.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestTokensPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mintYieldsAcceptedToken_data();
    void mintYieldsAcceptedToken();
    void refusedInline_data();
    void refusedInline();
    void revokeMakesGatewayRefuse();
    void lastUseAfterCall();

private:
    // Fills the form, clicks Mint and returns the token the result dialog shows.
    QByteArray mintThroughPanel(Ui::TokensPanel &panel, const QString &agent, const QStringList &scopes);
    QStringList toolNames(Tests::McpHttpClient &client);

    Tests::UiGateway m_gw;
};

void TestTokensPanel::initTestCase()
{
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n  local:\n    type: local\n    capabilities: [system:read, network:read, file:read, "
                          "system:admin]\n    tags: [local]\n";
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
}

QByteArray TestTokensPanel::mintThroughPanel(Ui::TokensPanel &panel, const QString &agent, const QStringList &scopes)
{
    panel.setAgent(agent);
    panel.setScopes(scopes);
    panel.setTtl(u"24h"_s);
    QSignalSpy minted(&panel, &Ui::TokensPanel::tokenMinted);
    auto *button = panel.findChild<QPushButton *>(u"mintButton"_s);
    if (!button) {
        return {};
    }
    QTest::mouseClick(button, Qt::LeftButton);
    if (!minted.wait(10000) || !panel.resultDialog()) {
        qWarning() << "no token:" << panel.formError();
        return {};
    }
    const auto *edit = panel.resultDialog()->findChild<QLineEdit *>(u"mintedToken"_s);
    return edit ? edit->text().toLatin1() : QByteArray();
}

QStringList TestTokensPanel::toolNames(Tests::McpHttpClient &client)
{
    QStringList names;
    const QJsonObject list = client.request(u"tools/list"_s);
    for (const QJsonValue &t : list.value(u"result"_s).toObject().value(u"tools"_s).toArray()) {
        names.append(t.toObject().value(u"name"_s).toString());
    }
    return names;
}

void TestTokensPanel::mintYieldsAcceptedToken_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QStringList>("claimed");
    QTest::addColumn<QString>("visibleTool");
    QTest::addColumn<QString>("hiddenTool");
    QTest::newRow("read-only preset") << QStringList { u"readonly"_s } << QStringList { u"readonly"_s }
                                      << u"get_system_status"_s << u"run_command"_s;
    QTest::newRow("one scope") << QStringList { u"system:read"_s } << QStringList { u"system:read"_s }
                               << u"get_system_status"_s << u"read_file"_s;
    QTest::newRow("admin preset") << QStringList { u"admin"_s } << QStringList { u"admin"_s } << u"run_command"_s << QString();
}

void TestTokensPanel::mintYieldsAcceptedToken()
{
    QFETCH(QStringList, scopes);
    QFETCH(QStringList, claimed);
    QFETCH(QString, visibleTool);
    QFETCH(QString, hiddenTool);
    Ui::TokensPanel panel(m_gw.gateway());
    panel.show();
    QAbstractItemModelTester tester(&panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QByteArray token = mintThroughPanel(panel, u"panel-agent"_s, scopes);
    QVERIFY2(!token.isEmpty(), qPrintable(panel.formError()));

    // The token carries exactly what the form asked for, with a 24 h lifetime.
    const auto secret = Auth::loadSharedSecret(m_gw.gateway().config().secretFile);
    QVERIFY(secret);
    const auto claims = Auth::verifyToken(token, *secret, QDateTime::currentDateTimeUtc());
    QVERIFY2(claims, qPrintable(claims ? QString() : claims.error().message));
    QCOMPARE(claims->agent, u"panel-agent"_s);
    QCOMPARE(claims->scopes, claimed);
    QVERIFY(std::abs(claims->issuedAt.secsTo(claims->expiry) - 86400) <= 1);

    // The running gateway accepts it, and shows the tools those scopes allow.
    Tests::McpHttpClient client(m_gw.mcpUrl(), token);
    QVERIFY2(client.initialize(), qPrintable(QString::number(client.lastStatus())));
    const QStringList tools = toolNames(client);
    QVERIFY2(tools.contains(visibleTool), qPrintable(tools.join(u',')));
    if (!hiddenTool.isEmpty()) {
        QVERIFY2(!tools.contains(hiddenTool), qPrintable(tools.join(u',')));
    }

    // The dialog's setup tabs carry the real URL and token.
    Ui::TokenResultDialog *dialog = panel.resultDialog();
    const QString url = m_gw.mcpUrl().toString();
    const QString claudeCode = dialog->setupText(u"claude-code"_s);
    QCOMPARE(claudeCode, u"claude mcp add --transport http tailops %1 --header \"Authorization: Bearer %2\""_s.arg(url, QString::fromLatin1(token)));
    const QJsonObject desktop = QJsonDocument::fromJson(dialog->setupText(u"claude-desktop"_s).toUtf8()).object();
    const QJsonObject server = desktop.value(u"mcpServers"_s).toObject().value(u"tailops"_s).toObject();
    QCOMPARE(server.value(u"command"_s).toString(), u"npx"_s);
    QVERIFY(server.value(u"args"_s).toArray().contains(QJsonValue(url)));
    QCOMPARE(server.value(u"env"_s).toObject().value(u"TAILOPS_AUTH"_s).toString(), QString(u"Bearer "_s + QString::fromLatin1(token)));
    const QJsonObject cursor = QJsonDocument::fromJson(dialog->setupText(u"cursor"_s).toUtf8()).object();
    const QJsonObject cursorServer = cursor.value(u"mcpServers"_s).toObject().value(u"tailops"_s).toObject();
    QCOMPARE(cursorServer.value(u"url"_s).toString(), url);
    QCOMPARE(cursorServer.value(u"headers"_s).toObject().value(u"Authorization"_s).toString(), QString(u"Bearer "_s + QString::fromLatin1(token)));
    QVERIFY(dialog->setupText(u"generic"_s).contains(url));

    // Copy puts the token on the clipboard; closing the dialog wipes it from the widgets.
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"copyToken"_s), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), QString::fromLatin1(token));
    QPointer<Ui::TokenResultDialog> guard(dialog);
    dialog->close();
    QTRY_VERIFY(guard.isNull());

    // The list shows the new token.
    const QString id = claims->id;
    QTRY_VERIFY_WITH_TIMEOUT(panel.model().rowOf(id) >= 0, 5000);
    QVERIFY(panel.selectToken(id));
    QCOMPARE(panel.selectedToken(), id);
}

void TestTokensPanel::refusedInline_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("ttl");
    QTest::addColumn<QString>("error");
    QTest::newRow("ttl above max") << u"a"_s << QStringList { u"readonly"_s } << u"120d"_s
                                   << u"Lifetime exceeds the maximum of 90 days (auth.max_token_ttl)"_s;
    QTest::newRow("bad ttl") << u"a"_s << QStringList { u"readonly"_s } << u"soon"_s << u"Lifetime "_s;
    QTest::newRow("no agent") << u"  "_s << QStringList { u"readonly"_s } << u"8h"_s << u"Agent: an agent name is required"_s;
    QTest::newRow("no scope") << u"a"_s << QStringList() << u"8h"_s << u"Scopes: at least one scope is required"_s;
}

void TestTokensPanel::refusedInline()
{
    QFETCH(QString, agent);
    QFETCH(QStringList, scopes);
    QFETCH(QString, ttl);
    QFETCH(QString, error);
    Ui::TokensPanel panel(m_gw.gateway());
    panel.show();
    QSignalSpy refreshed(&panel.model(), &Ui::TokensModel::refreshed);
    QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), 5000);
    const int before = panel.model().rowCount();
    panel.setAgent(agent);
    panel.setScopes(scopes);
    panel.setTtl(ttl);
    QSignalSpy failed(&panel, &Ui::TokensPanel::mintFailed);
    QTest::mouseClick(panel.findChild<QPushButton *>(u"mintButton"_s), Qt::LeftButton);
    QCOMPARE(failed.size(), 1); // refused before anything runs
    QVERIFY2(panel.formError().startsWith(error), qPrintable(panel.formError()));
    QVERIFY(panel.findChild<QLabel *>(u"tokenError"_s)->isVisible());
    QVERIFY(!panel.resultDialog());
    panel.model().refresh();
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(panel.model().rowCount(), before);
    if (ttl == u"120d") {
        // The hint beside the lifetime says so while typing, too.
        QVERIFY(panel.findChild<QLabel *>(u"tokenTtlHint"_s)->text().contains(u"exceeds the maximum of 90 days"_s));
    }
}

void TestTokensPanel::revokeMakesGatewayRefuse()
{
    Ui::TokensPanel panel(m_gw.gateway());
    panel.show();
    const QByteArray token = mintThroughPanel(panel, u"to-revoke"_s, { u"system:read"_s });
    QVERIFY(!token.isEmpty());
    panel.resultDialog()->close();
    Tests::McpHttpClient client(m_gw.mcpUrl(), token);
    QVERIFY(client.initialize());
    QVERIFY(!toolNames(client).isEmpty());

    const auto secret = Auth::loadSharedSecret(m_gw.gateway().config().secretFile);
    const QString id = Auth::verifyToken(token, *secret, QDateTime::currentDateTimeUtc())->id;
    QTRY_VERIFY_WITH_TIMEOUT(panel.selectToken(id), 5000);
    auto *revoke = panel.findChild<QPushButton *>(u"revokeButton"_s);
    QVERIFY(revoke->isEnabled());
    QTest::mouseClick(revoke, Qt::LeftButton);
    QDialog *confirm = panel.revokeConfirmation();
    QVERIFY(confirm);
    QTRY_VERIFY(confirm->isVisible());
    confirm->findChild<QLineEdit *>(u"revokeReason"_s)->setText(u"test says so"_s);
    QSignalSpy revoked(&panel, &Ui::TokensPanel::tokenRevoked);
    QTest::mouseClick(confirm->findChild<QPushButton *>(u"confirmRevoke"_s), Qt::LeftButton);
    QVERIFY(revoked.wait(10000));
    QCOMPARE(revoked.first().first().toString(), id);

    // The gateway refuses it at once: the open session and a new one.
    QVERIFY(Tests::McpHttpClient::isError(client.request(u"tools/list"_s)) || client.lastStatus() == 401);
    Tests::McpHttpClient again(m_gw.mcpUrl(), token);
    QVERIFY(!again.initialize());
    QCOMPARE(again.lastStatus(), 401);

    // The list shows it revoked (with "show expired and revoked").
    const int row = panel.model().rowOf(id);
    QTRY_COMPARE_WITH_TIMEOUT(panel.model().index(row, Ui::TokensModel::StatusColumn).data().toString(), u"revoked"_s, 5000);
    QVERIFY(panel.model().record(row)->revokedReason == u"test says so"_s);
    QVERIFY(panel.selectToken(id));
    QVERIFY(!revoke->isEnabled());
}

void TestTokensPanel::lastUseAfterCall()
{
    Ui::TokensPanel panel(m_gw.gateway());
    panel.model().setRefreshInterval(500);
    const QByteArray token = mintThroughPanel(panel, u"used-agent"_s, { u"system:read"_s });
    QVERIFY(!token.isEmpty());
    panel.resultDialog()->close();
    const auto secret = Auth::loadSharedSecret(m_gw.gateway().config().secretFile);
    const QString id = Auth::verifyToken(token, *secret, QDateTime::currentDateTimeUtc())->id;
    QTRY_VERIFY_WITH_TIMEOUT(panel.model().rowOf(id) >= 0, 5000);
    QCOMPARE(panel.model().index(panel.model().rowOf(id), Ui::TokensModel::LastUseColumn).data().toString(), u"never"_s);

    Tests::McpHttpClient client(m_gw.mcpUrl(), token);
    QVERIFY(client.initialize());
    const QJsonObject status = client.callTool(u"get_system_status"_s, { { u"target"_s, u"local"_s } });
    QVERIFY2(!Tests::McpHttpClient::isError(status), qPrintable(Tests::McpHttpClient::text(status)));
    // The gateway writes tokens-usage.json at most every 30 s; the model rereads it every 500 ms here.
    QTRY_VERIFY_WITH_TIMEOUT(panel.model().index(panel.model().rowOf(id), Ui::TokensModel::LastUseColumn).data().toString()
                                 .endsWith(u" from 127.0.0.1"_s),
                             45000);
    QVERIFY(panel.model().index(panel.model().rowOf(id), Ui::TokensModel::UsesColumn).data().toInt() >= 3);
}

QTEST_MAIN(TestTokensPanel)
#include "tst_tokenspanel.moc"
