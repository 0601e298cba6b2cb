// TargetsModel: the registry as a table that follows reloads of targets.yaml and the connectivity runner's
// results (status with a colored decoration, latency, last check).
#include "connectivity/connectivityrunner.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"
#include "targets/targetsmodel.h"
#include "uigateway.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFile>
#include <QIcon>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTcpServer>
#include <QTest>

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

QByteArray targetsYaml(quint16 closed, bool withExtra)
{
    QByteArray yaml = "targets:\n"
                      "  local:\n"
                      "    type: local\n"
                      "    capabilities: [system:read]\n"
                      "    metadata: {tags: [here, local]}\n"
                      "  closed:\n"
                      "    type: remote\n"
                      "    connection: {host: 127.0.0.1, port: "
        + QByteArray::number(closed)
        + ", username: nobody, timeout: 3}\n"
          "    capabilities: [system:read, network:read]\n";
    if (withExtra) {
        yaml += "  api:\n"
                "    type: http\n"
                "    connection: {url: \"http://127.0.0.1:9/health\"}\n";
    }
    return yaml;
}

int row(const Ui::TargetsModel &model, const QString &id)
{
    return model.rowOf(id);
}

} // namespace

class TestTargetsModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void columns_data();
    void columns();
    void followsReloads();
    void followsRunner();
    void sortsThroughProxy();

private:
    Tests::UiGateway m_gw;
    quint16 m_closed = 0;
};

void TestTargetsModel::initTestCase()
{
    m_closed = closedPort();
    Tests::UiGateway::Options options;
    options.targetsYaml = targetsYaml(m_closed, false);
    QVERIFY2(m_gw.start(options), qPrintable(m_gw.error()));
}

void TestTargetsModel::columns_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");
    QTest::newRow("local id") << u"local"_s << int(Ui::TargetsModel::IdColumn) << u"local"_s;
    QTest::newRow("local type") << u"local"_s << int(Ui::TargetsModel::TypeColumn) << u"local"_s;
    QTest::newRow("local endpoint") << u"local"_s << int(Ui::TargetsModel::EndpointColumn) << u"this machine"_s;
    QTest::newRow("local tags") << u"local"_s << int(Ui::TargetsModel::TagsColumn) << u"here, local"_s;
    QTest::newRow("ssh type") << u"closed"_s << int(Ui::TargetsModel::TypeColumn) << u"remote (ssh)"_s;
    QTest::newRow("ssh capabilities") << u"closed"_s << int(Ui::TargetsModel::CapabilitiesColumn)
                                      << u"system:read, network:read"_s;
    QTest::newRow("status before any check") << u"closed"_s << int(Ui::TargetsModel::StatusColumn) << u"unknown"_s;
    QTest::newRow("never checked") << u"closed"_s << int(Ui::TargetsModel::LastCheckColumn) << u"never"_s;
}

void TestTargetsModel::columns()
{
    QFETCH(QString, id);
    QFETCH(int, column);
    QFETCH(QString, expected);
    Ui::ConnectivityRunner runner(m_gw.gateway());
    Ui::TargetsModel model(m_gw.gateway().registry(), &runner);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(Ui::TargetsModel::ColumnCount));
    const int r = row(model, id);
    QVERIFY(r >= 0);
    QCOMPARE(model.index(r, column).data().toString(), expected);
    QCOMPARE(model.index(r, column).data(Ui::TargetsModel::TargetIdRole).toString(), id);
    QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
    if (id == u"closed") {
        QCOMPARE(model.index(r, Ui::TargetsModel::EndpointColumn).data().toString(),
                 u"nobody@127.0.0.1:%1"_s.arg(m_closed));
    }
}

void TestTargetsModel::followsReloads()
{
    Ui::TargetsModel model(m_gw.gateway().registry());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 2);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    const QString file = m_gw.gateway().config().targetsFile();
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(targetsYaml(m_closed, true));
    f.close();
    const auto diagnostics = m_gw.gateway().reloadTargets();
    QVERIFY(!Config::hasErrors(diagnostics));
    QVERIFY(reset.size() >= 1);
    QCOMPARE(model.rowCount(), 3);
    const int api = model.rowOf(u"api"_s);
    QVERIFY(api >= 0);
    QCOMPARE(model.index(api, Ui::TargetsModel::EndpointColumn).data().toString(), u"http://127.0.0.1:9/health"_s);

    // Back to two targets: the row goes away.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(targetsYaml(m_closed, false));
    f.close();
    m_gw.gateway().reloadTargets();
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(u"api"_s), -1);
}

void TestTargetsModel::followsRunner()
{
    Ui::ConnectivityRunner runner(m_gw.gateway());
    runner.setCheckTimeout(std::chrono::seconds(3));
    Ui::TargetsModel model(m_gw.gateway().registry(), &runner);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy finished(&runner, &Ui::ConnectivityRunner::finished);
    const int local = model.rowOf(u"local"_s);
    const int closed = model.rowOf(u"closed"_s);

    runner.run();
    QVERIFY(runner.isRunning());
    QCOMPARE(model.index(local, Ui::TargetsModel::StatusColumn).data().toString(), u"checking"_s);
    QVERIFY(finished.wait(20000));
    QVERIFY(!runner.isRunning());
    QVERIFY(changed.size() >= 4); // started + report for each

    const auto status = [&](int r) { return model.index(r, Ui::TargetsModel::StatusColumn); };
    QCOMPARE(status(local).data().toString(), u"up"_s);
    QCOMPARE(status(closed).data().toString(), u"down"_s);
    QCOMPARE(status(local).data(Ui::TargetsModel::StatusRole).toInt(), int(Ui::TargetsModel::Status::Up));
    QCOMPARE(status(closed).data(Ui::TargetsModel::StatusRole).toInt(), int(Ui::TargetsModel::Status::Down));
    QVERIFY(!status(local).data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(!status(closed).data(Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(status(closed).data(Qt::ForegroundRole).value<QColor>(), QColor(0xb7, 0x1c, 0x1c));
    QCOMPARE(status(local).data(Qt::ForegroundRole).value<QColor>(), QColor(0x1b, 0x7f, 0x3b));
    QVERIFY2(status(closed).data(Qt::ToolTipRole).toString().contains(u"nothing listens"_s),
             qPrintable(status(closed).data(Qt::ToolTipRole).toString()));
    QVERIFY(model.index(local, Ui::TargetsModel::LatencyColumn).data().toString().endsWith(u" ms"_s));
    QVERIFY(model.index(local, Ui::TargetsModel::LastCheckColumn).data().toString() != u"never"_s);
    QCOMPARE(runner.upCount(), 1);
    QCOMPARE(runner.downCount(), 1);
}

void TestTargetsModel::sortsThroughProxy()
{
    Ui::TargetsModel model(m_gw.gateway().registry());
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(Ui::TargetsModel::SortRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(Ui::TargetsModel::IdColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, 0).data().toString(), u"closed"_s);
    proxy.sort(Ui::TargetsModel::IdColumn, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, 0).data().toString(), u"local"_s);
}

QTEST_MAIN(TestTargetsModel)
#include "tst_targetsmodel.moc"
