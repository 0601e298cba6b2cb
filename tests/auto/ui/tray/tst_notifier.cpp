// Notifications are rate-limited and summarised: a burst of approval requests becomes one notification now
// and one summary later, never a flood.
#include "tray/notifier.h"

#include <QSignalSpy>
#include <QTest>

using namespace Tailops;
using namespace Qt::Literals::StringLiterals;

class TestNotifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burst_data();
    void burst();
    void spacedPostsEachShow();
};

void TestNotifier::burst_data()
{
    QTest::addColumn<int>("posts");
    QTest::addColumn<int>("expectedShown");     // after the interval has passed
    QTest::addColumn<int>("summaryCount");      // what the second notification stands for (0: none)
    QTest::addColumn<QString>("summaryTitle");
    QTest::newRow("one") << 1 << 1 << 0 << QString();
    QTest::newRow("two: the second held, shown alone") << 2 << 2 << 1 << u"Approval needed: tool1"_s;
    QTest::newRow("fifty: one now, one summary") << 50 << 2 << 49 << u"49 approval requests"_s;
}

void TestNotifier::burst()
{
    QFETCH(int, posts);
    QFETCH(int, expectedShown);
    QFETCH(int, summaryCount);
    QFETCH(QString, summaryTitle);
    Ui::Notifier notifier;
    notifier.setMinimumInterval(std::chrono::milliseconds(300));
    QSignalSpy shown(&notifier, &Ui::Notifier::notificationReady);
    for (int i = 0; i < posts; ++i) {
        notifier.post(u"approval requests"_s, u"Approval needed: tool%1"_s.arg(i), u"body"_s, u"id%1"_s.arg(i));
    }
    QCOMPARE(shown.size(), 1); // the first shows at once
    QCOMPARE(shown.first().first().value<Ui::Notification>().approvalId, u"id0"_s);
    QCOMPARE(notifier.heldCount(), posts - 1);
    QTest::qWait(800);
    QCOMPARE(shown.size(), expectedShown);
    if (summaryCount > 0) {
        const auto n = shown.at(1).first().value<Ui::Notification>();
        QCOMPARE(n.count, summaryCount);
        QCOMPARE(n.title, summaryTitle);
        // A click opens the newest approval.
        QCOMPARE(n.approvalId, u"id%1"_s.arg(posts - 1));
        if (summaryCount > 3) {
            QVERIFY2(n.body.contains(u"tool%1"_s.arg(posts - 1)), qPrintable(n.body));
            QVERIFY2(n.body.contains(u"earlier"_s), qPrintable(n.body));
        }
    }
    QCOMPARE(notifier.heldCount(), 0);
}

void TestNotifier::spacedPostsEachShow()
{
    Ui::Notifier notifier;
    notifier.setMinimumInterval(std::chrono::milliseconds(100));
    QSignalSpy shown(&notifier, &Ui::Notifier::notificationReady);
    notifier.post(u"problems"_s, u"a"_s, u"x"_s);
    QTest::qWait(250);
    notifier.post(u"problems"_s, u"b"_s, u"y"_s);
    QCOMPARE(shown.size(), 2);
    QCOMPARE(shown.at(1).first().value<Ui::Notification>().title, u"b"_s);
}

QTEST_GUILESS_MAIN(TestNotifier)
#include "tst_notifier.moc"
