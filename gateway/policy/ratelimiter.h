#pragma once

#include "policy.h"

#include <QHash>
#include <QString>

#include <array>
#include <functional>

namespace Tailops::Policy {

// Limits for one tier: a token bucket (rate per second, burst) and a quota per UTC day. 0 = unlimited.
struct TierLimits
{
    double ratePerSecond = 0;
    int burst = 0;
    qint64 daily = 0;
};

// Rate limits, daily quotas and a concurrency cap per caller identity (Auth::Caller::identity()) and tier.
// Used on the event-loop thread only.
class RateLimiter
{
public:
    using Clock = std::function<qint64()>; // milliseconds since the epoch, UTC

    struct Verdict
    {
        bool admitted = true;
        QString rule;   // "rate", "quota" or "concurrency"
        QString reason; // for the client
        qint64 retryAfterSeconds = 0;
    };

    RateLimiter(const std::array<TierLimits, 3> &limits, int maxConcurrent, Clock clock = {});

    // Admits one call: takes a token from the tier's bucket, counts it against the daily quota and takes
    // one of the caller's concurrency slots, which release() gives back. Nothing is taken when refused.
    Verdict admit(const QString &identity, Tier tier);
    void release(const QString &identity);

    int inFlight(const QString &identity) const { return m_callers.value(identity).inFlight; }
    qsizetype trackedCallers() const { return m_callers.size(); }

private:
    struct Bucket
    {
        double tokens = -1; // -1: not started (full)
        qint64 updatedMs = 0;
        qint64 day = -1;
        qint64 usedToday = 0;
    };
    struct CallerState
    {
        std::array<Bucket, 3> buckets;
        int inFlight = 0;
        qint64 lastSeenMs = 0;
    };

    void prune(qint64 nowMs);

    std::array<TierLimits, 3> m_limits;
    int m_maxConcurrent;
    Clock m_clock;
    QHash<QString, CallerState> m_callers;
};

} // namespace Tailops::Policy
