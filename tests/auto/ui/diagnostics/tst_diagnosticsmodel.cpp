// DiagnosticsModel under QAbstractItemModelTester: rows arrive one by one, a repeated id replaces its row, the
// status column carries green/amber/red/grey, the report is the CLI's text.
#include "diagnostics/diagnosticsmodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

using namespace Tailops;
using namespace Qt::StringLiterals;

namespace {

Doctor::CheckResult result(const QString &id, Doctor::Status status, Doctor::Section section = Doctor::Section::Authentication)
{
    Doctor::CheckResult r;
    r.id = id;
    r.section = section;
    r.title = u"Title of "_s + id;
    r.status = status;
    r.detail = u"detail of "_s + id + u"\nsecond line"_s;
    r.fix = status == Doctor::Status::Ok ? QString() : u"fix for "_s + id;
    r.where = u"/etc/"_s + id;
    r.durationMs = 3;
    return r;
}

} // namespace

class tst_DiagnosticsModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsStreamInAndReplace();
    void statusColumn_data();
    void statusColumn();
    void reportMatchesCli();
};

void tst_DiagnosticsModel::rowsStreamInAndReplace()
{
    Ui::DiagnosticsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.addResult(result(u"a"_s, Doctor::Status::Ok));
    model.addResult(result(u"b"_s, Doctor::Status::Failed));
    model.addResult(result(u"c"_s, Doctor::Status::Warning, Doctor::Section::Docker));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(Ui::DiagnosticsModel::ColumnCount));
    QCOMPARE(inserted.size(), 3);

    model.addResult(result(u"b"_s, Doctor::Status::Ok)); // re-run of one check: same row
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.rowOf(u"b"_s), 1);
    QCOMPARE(model.index(1, Ui::DiagnosticsModel::StatusColumn).data().toString(), u"OK"_s);
    QCOMPARE(model.index(1, Ui::DiagnosticsModel::FixColumn).data().toString(), QString()); // no fix for a passing check

    const QModelIndex c = model.index(2, 0);
    QCOMPARE(c.data().toString(), u"Docker"_s);
    QCOMPARE(model.index(2, Ui::DiagnosticsModel::CheckColumn).data().toString(), u"Title of c"_s);
    QCOMPARE(model.index(2, Ui::DiagnosticsModel::DetailColumn).data().toString(), u"detail of c …"_s); // first line
    QCOMPARE(model.index(2, Ui::DiagnosticsModel::FixColumn).data().toString(), u"fix for c"_s);
    QCOMPARE(c.data(Ui::DiagnosticsModel::IdRole).toString(), u"c"_s);
    QCOMPARE(c.data(Ui::DiagnosticsModel::FixRole).toString(), u"fix for c"_s);
    QCOMPARE(c.data(Ui::DiagnosticsModel::WhereRole).toString(), u"/etc/c"_s);
    QCOMPARE(c.data(Ui::DiagnosticsModel::StatusRole).toInt(), int(Doctor::Status::Warning));
    QVERIFY(c.data(Qt::ToolTipRole).toString().contains(u"fix: fix for c"_s));
    QCOMPARE(model.headerData(Ui::DiagnosticsModel::FixColumn, Qt::Horizontal).toString(), u"Fix"_s);

    model.setResults({ result(u"x"_s, Doctor::Status::Skipped) });
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rowOf(u"x"_s), -1);
    QVERIFY(!model.resultAt(0));
}

void tst_DiagnosticsModel::statusColumn_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mark");
    QTest::addColumn<QColor>("color");
    QTest::newRow("ok") << int(Doctor::Status::Ok) << u"OK"_s << QColor(0x2e, 0x9d, 0x4f);
    QTest::newRow("warning") << int(Doctor::Status::Warning) << u"WARN"_s << QColor(0xd9, 0x8e, 0x04);
    QTest::newRow("failed") << int(Doctor::Status::Failed) << u"FAIL"_s << QColor(0xc6, 0x28, 0x28);
    QTest::newRow("skipped") << int(Doctor::Status::Skipped) << u"SKIP"_s << QColor(0x9e, 0x9e, 0x9e);
}

void tst_DiagnosticsModel::statusColumn()
{
    QFETCH(int, status);
    QFETCH(QString, mark);
    QFETCH(QColor, color);
    Ui::DiagnosticsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addResult(result(u"s"_s, Doctor::Status(status)));
    const QModelIndex i = model.index(0, Ui::DiagnosticsModel::StatusColumn);
    QCOMPARE(i.data().toString(), mark);
    QCOMPARE(i.data(Qt::DecorationRole).value<QColor>(), color);
    QVERIFY(!model.index(0, Ui::DiagnosticsModel::DetailColumn).data(Qt::DecorationRole).isValid());
}

void tst_DiagnosticsModel::reportMatchesCli()
{
    Ui::DiagnosticsModel model;
    const QList<Doctor::CheckResult> results { result(u"a"_s, Doctor::Status::Ok), result(u"b"_s, Doctor::Status::Failed) };
    for (const auto &r : results) {
        model.addResult(r);
    }
    QCOMPARE(model.report(), Doctor::formatReport(results));
    QVERIFY(model.report().contains(u"        fix: fix for b\n"_s));
    QCOMPARE(model.summary().failed, 1);
    QCOMPARE(model.summary().ok, 1);
}

QTEST_MAIN(tst_DiagnosticsModel)
#include "tst_diagnosticsmodel.moc"
