// ConnectivityRunner + ConnectivityModel: checks run off the GUI thread against the local target (ok) and a
// closed loopback port (failed, with cause and fix); the matrix grows a column per check seen.
#include "connectivity/connectivitymodel.h"
#include "connectivity/connectivityrunner.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestConnectivityModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matrix();
    void cells_data();
    void cells();
    void runOne();
    void removedTargetsLeaveTheCounts();
    void periodic();

private:
    Tests::UiGateway m_gw;
    quint16 m_closed = 0;
    std::unique_ptr<Ui::ConnectivityRunner> m_runner;
    std::unique_ptr<Ui::ConnectivityModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestConnectivityModel::initTestCase()
{
    m_closed = closedPort();
    Tests::UiGateway::Options options;
    options.targetsYaml = "targets:\n"
                          "  local:\n"
                          "    type: local\n"
                          "  closed:\n"
                          "    type: remote\n"
                          "    connection: {host: 127.0.0.1, port: "
        + QByteArray::number(m_closed) + ", username: nobody, timeout: 3}\n";
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
    m_runner = std::make_unique<Ui::ConnectivityRunner>(m_gw.gateway());
    m_runner->setCheckTimeout(std::chrono::seconds(3));
    m_model = std::make_unique<Ui::ConnectivityModel>(m_gw.gateway().registry(), *m_runner);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestConnectivityModel::matrix()
{
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->columnCount(), 2); // Target, Result: no check seen yet
    QCOMPARE(m_model->index(0, Ui::ConnectivityModel::ResultColumn).data().toString(), u"not run"_s);

    QSignalSpy started(m_runner.get(), &Ui::ConnectivityRunner::started);
    QSignalSpy reports(m_runner.get(), &Ui::ConnectivityRunner::reportReady);
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    QSignalSpy columns(m_model.get(), &QAbstractItemModel::columnsInserted);
    m_runner->run();
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.at(0).at(0).toStringList(), (QStringList { u"local"_s, u"closed"_s }));
    QVERIFY(m_runner->isRunning());
    QCOMPARE(m_model->state(u"local"_s, QString()), Ui::ConnectivityModel::CellState::Checking);
    m_runner->run(); // already running: nothing new starts
    QCOMPARE(started.size(), 1);
    QVERIFY(finished.wait(20000));
    QCOMPARE(reports.size(), 2);
    QCOMPARE(finished.size(), 1);
    QVERIFY(columns.size() >= 2);
    QCOMPARE(m_model->checkNames(), (QStringList { u"tcp"_s, u"exec"_s }));
    QCOMPARE(m_model->headerData(m_model->columnOf(u"tcp"_s), Qt::Horizontal).toString(), u"tcp"_s);
    QCOMPARE(m_runner->upCount(), 1);
    QCOMPARE(m_runner->downCount(), 1);
    QVERIFY(m_runner->checkedAt(u"local"_s).isValid());
    const auto report = m_runner->report(u"closed"_s);
    QVERIFY(report);
    QVERIFY(!report->ok);
    QCOMPARE(report->checks.size(), 1);
    QVERIFY(!report->checks.at(0).cause.isEmpty());
    QVERIFY(!report->checks.at(0).fix.isEmpty());
}

void TestConnectivityModel::cells_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("check"); // empty: the Result column
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("text");    // the display starts with it
    QTest::addColumn<QString>("tooltip"); // contained in the tooltip
    QTest::newRow("local result") << u"local"_s << QString() << int(Ui::ConnectivityModel::CellState::Ok) << u"ok · "_s << QString();
    QTest::newRow("local exec") << u"local"_s << u"exec"_s << int(Ui::ConnectivityModel::CellState::Ok) << u"ok · "_s
                                << u"ran a local command"_s;
    QTest::newRow("local has no tcp") << u"local"_s << u"tcp"_s << int(Ui::ConnectivityModel::CellState::NotRun)
                                      << u"not run"_s << QString();
    QTest::newRow("closed result") << u"closed"_s << QString() << int(Ui::ConnectivityModel::CellState::Failed)
                                   << u"failed"_s << u"Fix: start sshd on the target"_s;
    QTest::newRow("closed tcp") << u"closed"_s << u"tcp"_s << int(Ui::ConnectivityModel::CellState::Failed) << u"failed"_s
                                << u"Cause: nothing listens on 127.0.0.1:"_s;
    QTest::newRow("closed exec") << u"closed"_s << u"exec"_s << int(Ui::ConnectivityModel::CellState::NotRun)
                                 << u"not run"_s << QString();
}

void TestConnectivityModel::cells()
{
    QFETCH(QString, target);
    QFETCH(QString, check);
    QFETCH(int, state);
    QFETCH(QString, text);
    QFETCH(QString, tooltip);
    const int row = m_model->rowOf(target);
    const int column = check.isEmpty() ? int(Ui::ConnectivityModel::ResultColumn) : m_model->columnOf(check);
    QVERIFY(row >= 0 && column >= 0);
    const QModelIndex cell = m_model->index(row, column);
    QCOMPARE(cell.data(Ui::ConnectivityModel::StateRole).toInt(), state);
    QVERIFY2(cell.data().toString().startsWith(text), qPrintable(cell.data().toString()));
    QCOMPARE(cell.data(Ui::ConnectivityModel::TargetIdRole).toString(), target);
    QCOMPARE(cell.data(Ui::ConnectivityModel::CheckNameRole).toString(), check);
    if (!tooltip.isEmpty()) {
        QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains(tooltip), qPrintable(cell.data(Qt::ToolTipRole).toString()));
    }
    if (state == int(Ui::ConnectivityModel::CellState::Failed) || state == int(Ui::ConnectivityModel::CellState::Ok)) {
        QVERIFY(cell.data(Qt::BackgroundRole).value<QColor>().isValid());
    }
}

void TestConnectivityModel::runOne()
{
    const QDateTime before = m_runner->checkedAt(u"closed"_s);
    QSignalSpy finished(m_runner.get(), &Ui::ConnectivityRunner::finished);
    QSignalSpy started(m_runner.get(), &Ui::ConnectivityRunner::started);
    QThread::msleep(5);
    m_runner->run({ u"local"_s, u"no-such-target"_s });
    QCOMPARE(started.at(0).at(0).toStringList(), QStringList { u"local"_s });
    QVERIFY(finished.wait(20000));
    QCOMPARE(m_runner->checkedAt(u"closed"_s), before); // not re-checked
    QVERIFY(m_runner->checkedAt(u"local"_s) > before);
    m_runner->run({ u"no-such-target"_s });
    QVERIFY(!m_runner->isRunning());
}

void TestConnectivityModel::removedTargetsLeaveTheCounts()
{
    QFile f(m_gw.gateway().config().targetsFile());
    const QByteArray before = [&] {
        QFile r(f.fileName());
        return r.open(QIODevice::ReadOnly) ? r.readAll() : QByteArray();
    }();
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("targets:\n  local:\n    type: local\n");
    f.close();
    m_gw.gateway().reloadTargets();
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_runner->downCount(), 0);
    QCOMPARE(m_runner->upCount(), 1);
    QVERIFY(!m_runner->report(u"closed"_s));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(before);
    f.close();
    m_gw.gateway().reloadTargets();
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->index(m_model->rowOf(u"closed"_s), Ui::ConnectivityModel::ResultColumn).data().toString(), u"not run"_s);
}

void TestConnectivityModel::periodic()
{
    QSignalSpy started(m_runner.get(), &Ui::ConnectivityRunner::started);
    m_runner->setInterval(std::chrono::seconds(1));
    QCOMPARE(m_runner->interval(), std::chrono::seconds(1));
    QTRY_VERIFY_WITH_TIMEOUT(started.size() >= 2, 15000);
    m_runner->setInterval(std::chrono::seconds(0));
    QTRY_VERIFY_WITH_TIMEOUT(!m_runner->isRunning(), 20000);
    const qsizetype count = started.size();
    QTest::qWait(1500);
    QCOMPARE(started.size(), count);
}

QTEST_MAIN(TestConnectivityModel)
#include "tst_connectivitymodel.moc"
