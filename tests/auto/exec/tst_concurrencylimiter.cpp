#include "exec/concurrencylimiter.h"

#include <QTest>

using namespace Tailops::Exec;

class TestConcurrencyLimiter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void grantsInOrderWithinTheLimit()
    {
        ConcurrencyLimiter limiter;
        QList<int> granted;
        QString error;
        for (int i = 0; i < 5; ++i) {
            QVERIFY(limiter.acquire(QStringLiteral("t"), 2, [&granted, i] { granted.append(i); }, &error) != 0);
        }
        QCOMPARE(granted, (QList<int> { 0, 1 }));
        QCOMPARE(limiter.running(QStringLiteral("t")), 2);
        QCOMPARE(limiter.queued(QStringLiteral("t")), 3);
        limiter.release(QStringLiteral("t"));
        QTRY_COMPARE(granted, (QList<int> { 0, 1, 2 }));
        limiter.release(QStringLiteral("t"));
        limiter.release(QStringLiteral("t"));
        QTRY_COMPARE(granted, (QList<int> { 0, 1, 2, 3, 4 })); // first come, first served
        QCOMPARE(limiter.running(QStringLiteral("t")), 2);
    }

    void targetsAreIndependent()
    {
        ConcurrencyLimiter limiter;
        int a = 0;
        int b = 0;
        QString error;
        limiter.acquire(QStringLiteral("a"), 1, [&a] { ++a; }, &error);
        limiter.acquire(QStringLiteral("a"), 1, [&a] { ++a; }, &error);
        limiter.acquire(QStringLiteral("b"), 1, [&b] { ++b; }, &error);
        QCOMPARE(a, 1);
        QCOMPARE(b, 1);
    }

    void refusesBeyondTheQueue()
    {
        ConcurrencyLimiter limiter;
        limiter.setQueueFactor(2);
        QString error;
        int granted = 0;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(limiter.acquire(QStringLiteral("web"), 1, [&granted] { ++granted; }, &error) != 0);
        }
        QCOMPARE(limiter.acquire(QStringLiteral("web"), 1, [&granted] { ++granted; }, &error), ConcurrencyLimiter::Ticket(0));
        QVERIFY(error.contains(QStringLiteral("target 'web' is busy: 1 call(s) running and 2 queued")));
        QCOMPARE(granted, 1);
    }

    void withdrawnTicketsAreSkipped()
    {
        ConcurrencyLimiter limiter;
        QString error;
        QList<int> granted;
        limiter.acquire(QStringLiteral("t"), 1, [&granted] { granted.append(0); }, &error);
        const auto second = limiter.acquire(QStringLiteral("t"), 1, [&granted] { granted.append(1); }, &error);
        limiter.acquire(QStringLiteral("t"), 1, [&granted] { granted.append(2); }, &error);
        limiter.withdraw(QStringLiteral("t"), second);
        limiter.release(QStringLiteral("t"));
        QTRY_COMPARE(granted, (QList<int> { 0, 2 }));
    }
};

QTEST_GUILESS_MAIN(TestConcurrencyLimiter)
#include "tst_concurrencylimiter.moc"
