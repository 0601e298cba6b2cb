// RateLimiter: token buckets per caller and tier, daily quotas reset at 00:00 UTC, the concurrency cap,
// and Retry-After values, on a controlled clock.
#include "policy/ratelimiter.h"

#include <QTest>

using namespace Tailops::Policy;
using namespace Qt::StringLiterals;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucket_data();
    void bucket();
    void callersAndTiersAreSeparate();
    void dailyQuotaResetsAtMidnightUtc();
    void concurrencyCap();
    void refusedCallsTakeNothing();
};

void TestRateLimiter::bucket_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("burst");
    QTest::addColumn<int>("admitted");   // back to back at t=0
    QTest::addColumn<qint64>("retryAfter"); // of the first refusal
    QTest::addColumn<qint64>("waitMs");  // after this, one more call passes

    QTest::newRow("10/s burst 5") << 10.0 << 5 << 5 << qint64(1) << qint64(100);
    QTest::newRow("1/m burst 3") << 1.0 / 60 << 3 << 3 << qint64(60) << qint64(60000);
    QTest::newRow("1/h burst 1") << 1.0 / 3600 << 1 << 1 << qint64(3600) << qint64(3600000);
    QTest::newRow("0.5/s burst 2") << 0.5 << 2 << 2 << qint64(2) << qint64(2000);
}

void TestRateLimiter::bucket()
{
    QFETCH(double, rate);
    QFETCH(int, burst);
    QFETCH(int, admitted);
    QFETCH(qint64, retryAfter);
    QFETCH(qint64, waitMs);
    qint64 now = 1'700'000'000'000;
    RateLimiter limiter({ TierLimits { rate, burst, 0 }, TierLimits {}, TierLimits {} }, 0, [&now] { return now; });
    for (int i = 0; i < admitted; ++i) {
        QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
        limiter.release(u"token:a"_s);
    }
    const auto refused = limiter.admit(u"token:a"_s, Tier::Observe);
    QVERIFY(!refused.admitted);
    QCOMPARE(refused.rule, u"rate"_s);
    QCOMPARE(refused.retryAfterSeconds, retryAfter);
    QVERIFY(refused.reason.contains(u"Rate limit exceeded for observe-tier tools"_s));
    now += waitMs - 1;
    QVERIFY(!limiter.admit(u"token:a"_s, Tier::Observe).admitted);
    now += 1;
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
}

void TestRateLimiter::callersAndTiersAreSeparate()
{
    qint64 now = 0;
    RateLimiter limiter({ TierLimits { 1, 1, 0 }, TierLimits { 1, 1, 0 }, TierLimits {} }, 0, [&now] { return now; });
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
    QVERIFY(!limiter.admit(u"token:a"_s, Tier::Observe).admitted);
    QVERIFY(limiter.admit(u"token:b"_s, Tier::Observe).admitted);
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Control).admitted);
    for (int i = 0; i < 100; ++i) { // no limits configured for admin: unlimited
        QVERIFY(limiter.admit(u"token:a"_s, Tier::Admin).admitted);
    }
}

void TestRateLimiter::dailyQuotaResetsAtMidnightUtc()
{
    const qint64 midnight = QDateTime(QDate(2026, 11, 24), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    qint64 now = midnight + 23 * 3600 * 1000; // 23:00 UTC
    RateLimiter limiter({ TierLimits {}, TierLimits { 0, 0, 2 }, TierLimits {} }, 0, [&now] { return now; });
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Control).admitted);
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Control).admitted);
    const auto refused = limiter.admit(u"token:a"_s, Tier::Control);
    QVERIFY(!refused.admitted);
    QCOMPARE(refused.rule, u"quota"_s);
    QCOMPARE(refused.retryAfterSeconds, 3600);
    QVERIFY(refused.reason.contains(u"limits.control.daily"_s));
    now = midnight + 24 * 3600 * 1000; // the next day
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Control).admitted);
}

void TestRateLimiter::concurrencyCap()
{
    RateLimiter limiter({ TierLimits {}, TierLimits {}, TierLimits {} }, 2);
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Admin).admitted);
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
    const auto refused = limiter.admit(u"token:a"_s, Tier::Observe);
    QVERIFY(!refused.admitted);
    QCOMPARE(refused.rule, u"concurrency"_s);
    QCOMPARE(refused.retryAfterSeconds, 1);
    QVERIFY(limiter.admit(u"token:b"_s, Tier::Observe).admitted);
    limiter.release(u"token:a"_s);
    QCOMPARE(limiter.inFlight(u"token:a"_s), 1);
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
    limiter.release(u"unknown"_s); // harmless
    limiter.release(u"token:a"_s);
    limiter.release(u"token:a"_s);
    limiter.release(u"token:a"_s); // never below zero
    QCOMPARE(limiter.inFlight(u"token:a"_s), 0);
}

void TestRateLimiter::refusedCallsTakeNothing()
{
    qint64 now = 0;
    RateLimiter limiter({ TierLimits { 1, 1, 5 }, TierLimits {}, TierLimits {} }, 1, [&now] { return now; });
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);        // holds the only slot
    QCOMPARE(limiter.admit(u"token:a"_s, Tier::Observe).rule, u"concurrency"_s);
    limiter.release(u"token:a"_s);
    now += 1000; // one token back; the refused call above consumed none
    QVERIFY(limiter.admit(u"token:a"_s, Tier::Observe).admitted);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
