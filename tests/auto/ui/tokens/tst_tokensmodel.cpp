// TokensModel over a real registry written through Auth::TokenStore: rows, statuses, last use, appends
// that keep rows in place, a broken registry keeping the last good rows; QAbstractItemModelTester throughout.
#include "tokens/tokensmodel.h"

#include "auth/tokenstore.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

namespace {

Auth::TokenRecord record(const QString &id, const QString &agent, const QDateTime &issued, const QDateTime &expiry)
{
    Auth::TokenRecord r;
    r.id = id;
    r.agent = agent;
    r.scopes = { u"readonly"_s };
    r.hostTags = { u"lab"_s };
    r.issuedAt = issued;
    r.expiry = expiry;
    r.hash = u"sha256:%1"_s.arg(QString::fromLatin1(id.toLatin1().toHex().leftJustified(12, '0').left(12)));
    return r;
}

QString cell(const Ui::TokensModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestTokensModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingRegistryIsEmpty();
    void rowsStatusesAndLastUse();
    void newTokensAreAppendedInPlace();
    void brokenRegistryKeepsRows();
    void describeLastUse_data();
    void describeLastUse();
};

void TestTokensModel::missingRegistryIsEmpty()
{
    QTemporaryDir dir;
    Ui::TokensModel model(dir.filePath(u"tokens.json"_s));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &Ui::TokensModel::refreshed);
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(Ui::TokensModel::ColumnCount));
    QVERIFY2(model.error().isEmpty(), qPrintable(model.error()));
}

void TestTokensModel::rowsStatusesAndLastUse()
{
    QTemporaryDir dir;
    const Auth::TokenStore store(dir.filePath(u"tokens.json"_s));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(store.add(record(u"active1"_s, u"claude"_s, now.addSecs(-600), now.addSecs(3600))));
    QVERIFY(store.add(record(u"expired1"_s, u"old-bot"_s, now.addDays(-3), now.addDays(-2))));
    QVERIFY(store.add(record(u"revoked1"_s, u"leaky"_s, now.addSecs(-60), now.addDays(2))));
    QVERIFY(store.revoke(u"revoked1"_s, u"leaked in CI"_s, now));
    QHash<QString, Auth::TokenUsage> uses;
    uses.insert(record(u"active1"_s, {}, {}, {}).hash, Auth::TokenUsage { now.addSecs(-300), u"127.0.0.1"_s, 7 });
    QVERIFY(store.recordUsage(uses));

    Ui::TokensModel model(store.path());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, 5000);
    using M = Ui::TokensModel;
    QCOMPARE(cell(model, 0, M::IdColumn), u"active1"_s);
    QCOMPARE(cell(model, 0, M::AgentColumn), u"claude"_s);
    QCOMPARE(cell(model, 0, M::ScopesColumn), u"readonly"_s);
    QCOMPARE(cell(model, 0, M::HostTagsColumn), u"lab"_s);
    QCOMPARE(cell(model, 0, M::StatusColumn), u"active"_s);
    QCOMPARE(cell(model, 0, M::LastUseColumn), u"5 min ago from 127.0.0.1"_s);
    QCOMPARE(cell(model, 0, M::UsesColumn), u"7"_s);
    QVERIFY(cell(model, 0, M::ExpiresColumn).startsWith(u"in "_s));
    QCOMPARE(cell(model, 1, M::StatusColumn), u"expired"_s);
    QCOMPARE(cell(model, 1, M::LastUseColumn), u"never"_s);
    QCOMPARE(cell(model, 1, M::ExpiresColumn), u"2 days ago"_s);
    QCOMPARE(cell(model, 2, M::StatusColumn), u"revoked"_s);
    QCOMPARE(model.index(2, M::StatusColumn).data(M::StatusRole).toString(), u"revoked"_s);
    QVERIFY(model.index(2, M::StatusColumn).data(Qt::ToolTipRole).toString().contains(u"leaked in CI"_s));
    QCOMPARE(model.rowOf(u"expired1"_s), 1);
    QCOMPARE(model.rowOf(u"nope"_s), -1);
    QCOMPARE(model.record(0)->agent, u"claude"_s);
    QCOMPARE(model.usage(0)->uses, qint64(7));
}

void TestTokensModel::newTokensAreAppendedInPlace()
{
    QTemporaryDir dir;
    const Auth::TokenStore store(dir.filePath(u"tokens.json"_s));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(store.add(record(u"first"_s, u"a"_s, now, now.addSecs(3600))));
    Ui::TokensModel model(store.path());
    model.setRefreshInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy refreshed(&model, &Ui::TokensModel::refreshed);
    QVERIFY(store.add(record(u"second"_s, u"b"_s, now, now.addSecs(3600))));
    model.refresh();
    model.refresh(); // asked again while the first runs: runs after it
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 2, 5000);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(cell(model, 1, Ui::TokensModel::IdColumn), u"second"_s);

    // A revocation changes a row in place.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(store.revoke(u"first"_s, {}, now));
    model.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, 0, Ui::TokensModel::StatusColumn), u"revoked"_s, 5000);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(reset.size(), 0);
}

void TestTokensModel::brokenRegistryKeepsRows()
{
    QTemporaryDir dir;
    const Auth::TokenStore store(dir.filePath(u"tokens.json"_s));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(store.add(record(u"kept"_s, u"a"_s, now, now.addSecs(3600))));
    Ui::TokensModel model(store.path());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);
    QFile f(store.path());
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("{ not json");
    f.close();
    QSignalSpy refreshed(&model, &Ui::TokensModel::refreshed);
    model.refresh();
    QVERIFY(refreshed.wait(5000));
    QVERIFY2(model.error().contains(store.path()), qPrintable(model.error()));
    QCOMPARE(model.rowCount(), 1);
}

void TestTokensModel::describeLastUse_data()
{
    QTest::addColumn<qint64>("secondsAgo");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("text");
    QTest::newRow("just now") << qint64(2) << u"127.0.0.1"_s << u"just now from 127.0.0.1"_s;
    QTest::newRow("seconds") << qint64(42) << QString() << u"42 s ago"_s;
    QTest::newRow("minutes") << qint64(300) << u"100.64.0.7"_s << u"5 min ago from 100.64.0.7"_s;
    QTest::newRow("hours") << qint64(3 * 3600) << u"::1"_s << u"3 h ago from ::1"_s;
    QTest::newRow("days") << qint64(5 * 86400) << QString() << u"5 days ago"_s;
}

void TestTokensModel::describeLastUse()
{
    QFETCH(qint64, secondsAgo);
    QFETCH(QString, peer);
    QFETCH(QString, text);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QCOMPARE(Ui::TokensModel::describeLastUse(Auth::TokenUsage { now.addSecs(-secondsAgo), peer, 1 }, now), text);
    QCOMPARE(Ui::TokensModel::describeLastUse(std::nullopt, now), u"never"_s);
}

QTEST_MAIN(TestTokensModel)
#include "tst_tokensmodel.moc"
