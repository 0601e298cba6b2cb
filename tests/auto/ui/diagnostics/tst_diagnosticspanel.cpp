// The Diagnostics panel against a real in-process gateway: "Run all" returns at once and the checks run off the
// GUI thread (a 10 ms QTimer keeps ticking while a target hangs), results stream into the table, a broken
// secret shows as a red row whose fix is in the details pane, "Copy report" copies the CLI's text.
#include "diagnostics/diagnosticsmodel.h"
#include "diagnostics/diagnosticspanel.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

using namespace Tailops;
using namespace Qt::StringLiterals;

class tst_DiagnosticsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void runsOffTheGuiThreadAndShowsRedRows();
    void runOneSection();

private:
    QTcpServer m_silent; // accepts (in the kernel backlog) and never answers: an http target that hangs
    Tests::UiGateway m_gateway;
};

void tst_DiagnosticsPanel::initTestCase()
{
    qunsetenv("TAILOPS_SHARED_SECRET");
    qunsetenv("SYSTEMMANAGER_SHARED_SECRET");
    QVERIFY(m_silent.listen(QHostAddress::LocalHost, 0));
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n  local:\n    type: local\n    capabilities: [system:read]\n"
                          "  slow:\n    type: remote\n    connection:\n      executor: http\n      url: http://127.0.0.1:"
        + QByteArray::number(m_silent.serverPort()) + "/health\n    capabilities: [network:read]\n";
    QVERIFY2(m_gateway.start(options), qPrintable(m_gateway.error()));
}

void tst_DiagnosticsPanel::runsOffTheGuiThreadAndShowsRedRows()
{
    // Break the secret after the gateway read it: the running gateway is fine, the file on disk is not.
    const QString secret = m_gateway.configDir() + u"/secret"_s;
    QVERIFY(QFile::setPermissions(secret, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));

    Ui::DiagnosticsPanel panel(m_gateway.gateway());
    QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    Doctor::Options options;
    options.timeoutMs = 1500; // the hanging http target costs this much
    panel.setOptions(options);
    panel.resize(1000, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    QSignalSpy started(&panel, &Ui::DiagnosticsPanel::runStarted);
    QSignalSpy completed(&panel, &Ui::DiagnosticsPanel::checkCompleted);
    QSignalSpy finished(&panel, &Ui::DiagnosticsPanel::runFinished);

    int ticks = 0;
    qint64 longestGap = 0;
    QElapsedTimer sinceTick;
    QTimer timer;
    timer.setInterval(10);
    connect(&timer, &QTimer::timeout, this, [&] {
        if (sinceTick.isValid()) {
            longestGap = std::max(longestGap, sinceTick.elapsed());
        }
        sinceTick.restart();
        ++ticks;
    });
    timer.start();

    auto *runAll = panel.findChild<QPushButton *>(u"runAllButton"_s);
    QVERIFY(runAll);
    QElapsedTimer clicked;
    clicked.start();
    QTest::mouseClick(runAll, Qt::LeftButton);
    QVERIFY2(clicked.elapsed() < 500, "Run all returns at once"); // the checks take > 1.5 s
    QCOMPARE(started.size(), 1);
    QVERIFY(panel.isRunning());
    QVERIFY(!runAll->isEnabled());

    QVERIFY(finished.wait(60000));
    timer.stop();
    QVERIFY(!panel.isRunning());
    QVERIFY(runAll->isEnabled());
    QVERIFY2(clicked.elapsed() >= 1400, "the hanging target was waited for");
    QVERIFY2(ticks > clicked.elapsed() / 10 / 4, qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(clicked.elapsed())));
    QVERIFY2(longestGap < 750, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(longestGap)));

    // Streamed: one signal per row, rows arrived while the run was in progress.
    Ui::DiagnosticsModel *model = panel.model();
    QVERIFY(model->rowCount() > 10);
    QCOMPARE(completed.size(), model->rowCount());

    const int secretRow = model->rowOf(u"auth.secret"_s);
    QVERIFY(secretRow >= 0);
    const QModelIndex status = model->index(secretRow, Ui::DiagnosticsModel::StatusColumn);
    QCOMPARE(status.data().toString(), u"FAIL"_s);
    QCOMPARE(status.data(Qt::DecorationRole).value<QColor>(), Ui::DiagnosticsModel::statusColor(Doctor::Status::Failed));
    QCOMPARE(model->index(secretRow, Ui::DiagnosticsModel::FixColumn).data().toString(), u"chmod 600 "_s + secret);

    const int slowRow = model->rowOf(u"targets.reachable:slow"_s);
    QVERIFY(slowRow >= 0);
    QCOMPARE(model->index(slowRow, Ui::DiagnosticsModel::StatusColumn).data().toString(), u"FAIL"_s);
    QVERIFY(!model->index(slowRow, Ui::DiagnosticsModel::FixColumn).data().toString().isEmpty());

    QCOMPARE(finished.constFirst().at(0).toInt(), model->summary().failed);
    QVERIFY(model->summary().failed >= 2);

    // The first failure is selected; the details pane shows its fix, selectable.
    auto *details = panel.findChild<QPlainTextEdit *>(u"detailsPane"_s);
    QVERIFY(details);
    QVERIFY(panel.selectCheck(u"auth.secret"_s));
    QVERIFY2(details->toPlainText().contains(u"Fix:\nchmod 600 "_s + secret), qPrintable(details->toPlainText()));
    QVERIFY(details->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(!panel.selectCheck(u"no.such.check"_s));

    auto *copyFix = panel.findChild<QPushButton *>(u"copyFixButton"_s);
    QVERIFY(copyFix && copyFix->isEnabled());
    QTest::mouseClick(copyFix, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), u"chmod 600 "_s + secret);

    auto *copyReport = panel.findChild<QPushButton *>(u"copyReportButton"_s);
    QVERIFY(copyReport && copyReport->isEnabled());
    QTest::mouseClick(copyReport, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), Doctor::formatReport(model->results()));
    QVERIFY(QApplication::clipboard()->text().contains(u"  FAIL  Shared secret"_s));

    QVERIFY(QFile::setPermissions(secret, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
}

void tst_DiagnosticsPanel::runOneSection()
{
    Ui::DiagnosticsPanel panel(m_gateway.gateway());
    QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&panel, &Ui::DiagnosticsPanel::runFinished);
    panel.runSection(Doctor::Section::Configuration);
    panel.runAll(); // ignored while a run is in progress
    QVERIFY(finished.wait(30000));
    QTest::qWait(50);
    QCOMPARE(finished.size(), 1);
    QVERIFY(panel.model()->rowCount() > 0);
    for (const auto &r : panel.model()->results()) {
        QCOMPARE(r.section, Doctor::Section::Configuration);
        QVERIFY2(r.status == Doctor::Status::Ok, qPrintable(r.id + u": "_s + r.detail));
    }
}

QTEST_MAIN(tst_DiagnosticsPanel)
#include "tst_diagnosticspanel.moc"
