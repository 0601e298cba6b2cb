#include "ratelimiter.h"

#include <QDateTime>

#include <cmath>

namespace Tailops::Policy {

namespace {
constexpr qint64 kDayMs = 86400 * 1000;
constexpr qsizetype kPruneAbove = 10000;
} // namespace

RateLimiter::RateLimiter(const std::array<TierLimits, 3> &limits, int maxConcurrent, Clock clock)
    : m_limits(limits)
    , m_maxConcurrent(maxConcurrent)
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
}

RateLimiter::Verdict RateLimiter::admit(const QString &identity, Tier tier)
{
    const qint64 now = m_clock();
    if (m_callers.size() > kPruneAbove) {
        prune(now);
    }
    CallerState &state = m_callers[identity];
    state.lastSeenMs = now;
    const TierLimits &limits = m_limits[std::size_t(tier)];
    const QString tierText = tierName(tier);

    if (m_maxConcurrent > 0 && state.inFlight >= m_maxConcurrent) {
        return { false, QStringLiteral("concurrency"),
                 QStringLiteral("Too many calls in flight: this caller already runs %1 (limits.concurrency); retry when "
                                "one finishes")
                     .arg(state.inFlight),
                 1 };
    }
    Bucket &bucket = state.buckets[std::size_t(tier)];
    const qint64 day = now / kDayMs;
    if (bucket.day != day) {
        bucket.day = day;
        bucket.usedToday = 0;
    }
    if (limits.daily > 0 && bucket.usedToday >= limits.daily) {
        const qint64 untilMidnight = (day + 1) * kDayMs - now;
        return { false, QStringLiteral("quota"),
                 QStringLiteral("Daily quota exhausted: %1 %2-tier calls today (limits.%2.daily); it resets at 00:00 UTC")
                     .arg(bucket.usedToday)
                     .arg(tierText),
                 std::max<qint64>(1, (untilMidnight + 999) / 1000) };
    }
    if (limits.ratePerSecond > 0) {
        const double burst = std::max(1, limits.burst);
        if (bucket.tokens < 0) {
            bucket.tokens = burst;
        } else {
            bucket.tokens = std::min(burst, bucket.tokens + double(now - bucket.updatedMs) / 1000.0 * limits.ratePerSecond);
        }
        bucket.updatedMs = now;
        if (bucket.tokens < 1.0 - 1e-9) { // tolerance: refilled rates are not exact in binary
            const qint64 wait = qint64(std::ceil((1.0 - bucket.tokens) / limits.ratePerSecond));
            return { false, QStringLiteral("rate"),
                     QStringLiteral("Rate limit exceeded for %1-tier tools (limits.%1: %2/s, burst %3); retry after %4 s")
                         .arg(tierText)
                         .arg(limits.ratePerSecond)
                         .arg(int(burst))
                         .arg(std::max<qint64>(1, wait)),
                     std::max<qint64>(1, wait) };
        }
        bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
    }
    ++bucket.usedToday;
    ++state.inFlight;
    return {};
}

void RateLimiter::release(const QString &identity)
{
    const auto it = m_callers.find(identity);
    if (it != m_callers.end() && it->inFlight > 0) {
        --it->inFlight;
    }
}

void RateLimiter::prune(qint64 nowMs)
{
    // Forget callers idle for a day with nothing in flight: their buckets are full again anyway.
    for (auto it = m_callers.begin(); it != m_callers.end();) {
        if (it->inFlight == 0 && nowMs - it->lastSeenMs > kDayMs) {
            it = m_callers.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace Tailops::Policy
