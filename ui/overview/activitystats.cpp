#include "overview/activitystats.h"

#include "audit/auditlog.h"
#include "audit/auditrecord.h"
#include "http/httptransport.h"
#include "mcp/server.h"
#include "service/gatewayservice.h"

#include <algorithm>

namespace Tailops::Ui {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kMinuteMs = 60 * 1000;

qint64 minuteOf(const QDateTime &when) { return when.toMSecsSinceEpoch() / kMinuteMs; }
qint64 minuteOf(qint64 msecs) { return msecs / kMinuteMs; }

bool isDenial(const Audit::AuditRecord &r)
{
    return r.event == Audit::Event::Decision
        && (r.decision == Audit::Decision::Deny || r.decision == Audit::Decision::Denied
            || r.decision == Audit::Decision::TimedOut);
}

QString callerOf(const Audit::AuditRecord &r)
{
    for (const QString *s : { &r.subject, &r.tailnetUser, &r.oauthSubject, &r.peer }) {
        if (!s->isEmpty()) {
            return *s;
        }
    }
    return {};
}

} // namespace

ActivityStats::ActivityStats(Service::GatewayService &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
{
    connect(&m_gateway.server(), &Mcp::Server::toolCallFinished, this,
            [this](const QString &, const QString &, const QString &, bool isError, qint64) { recordCall(isError); });
    if (Audit::AuditLog *log = m_gateway.audit()) {
        // The denials already in memory (the log's ring: records of this run), then the live ones.
        const QList<Audit::AuditRecord> records = log->records();
        for (const Audit::AuditRecord &record : records) {
            recordAudit(record);
        }
        connect(log, &Audit::AuditLog::recordAppended, this, &ActivityStats::recordAudit);
    }
    attachTransport();
    m_tickMinute = minuteOf(QDateTime::currentMSecsSinceEpoch());
    m_tick.setInterval(5000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        const qint64 now = minuteOf(QDateTime::currentMSecsSinceEpoch());
        const bool rolled = now != m_tickMinute;
        m_tickMinute = now;
        if (rolled || !m_lastMinute.empty()) {
            prune();
            Q_EMIT activityChanged();
        }
    });
    m_tick.start();
}

ActivityStats::~ActivityStats() = default;

void ActivityStats::attachTransport()
{
    Http::HttpTransport *http = m_gateway.http();
    if (!http || m_transport == http) {
        return;
    }
    m_transport = http;
    connect(http, &Http::HttpTransport::sessionOpened, this, &ActivityStats::onSessionOpened);
    connect(http, &Http::HttpTransport::sessionClosed, this, &ActivityStats::onSessionClosed);
}

void ActivityStats::onSessionOpened(const QString &id, const QString &agent, const QString &client)
{
    m_sessions.append(SessionInfo { id, agent, client, QDateTime::currentDateTime() });
    Q_EMIT sessionsChanged();
}

void ActivityStats::onSessionClosed(const QString &id)
{
    if (m_sessions.removeIf([&id](const SessionInfo &s) { return s.id == id; }) > 0) {
        Q_EMIT sessionsChanged();
    }
}

void ActivityStats::prune() const
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 oldest = minuteOf(nowMs) - kMinutes + 1;
    while (!m_buckets.empty() && minuteOf(m_buckets.front().minute) < oldest) {
        m_buckets.pop_front();
    }
    while (!m_lastMinute.empty() && m_lastMinute.front() <= nowMs - kMinuteMs) {
        m_lastMinute.pop_front();
    }
}

ActivityStats::Bucket &ActivityStats::bucketFor(const QDateTime &when)
{
    const qint64 key = minuteOf(when);
    auto it = std::ranges::find_if(m_buckets, [key](const Bucket &b) { return minuteOf(b.minute) >= key; });
    if (it == m_buckets.end() || minuteOf(it->minute) != key) {
        it = m_buckets.insert(it, Bucket { QDateTime::fromMSecsSinceEpoch(key * kMinuteMs), 0, 0, 0 });
    }
    return *it;
}

void ActivityStats::recordCall(bool isError, const QDateTime &when)
{
    prune();
    const qint64 ms = when.toMSecsSinceEpoch();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (minuteOf(ms) <= minuteOf(now) - kMinutes) {
        return; // older than the window
    }
    Bucket &bucket = bucketFor(when);
    ++bucket.calls;
    bucket.errors += isError ? 1 : 0;
    if (ms > now - kMinuteMs) {
        m_lastMinute.insert(std::ranges::upper_bound(m_lastMinute, ms), ms);
    }
    Q_EMIT activityChanged();
}

void ActivityStats::recordAudit(const Audit::AuditRecord &record)
{
    if (!isDenial(record)) {
        return;
    }
    const QDateTime when = record.timestamp.isValid() ? record.timestamp.toLocalTime() : QDateTime::currentDateTime();
    prune();
    if (minuteOf(when) > minuteOf(QDateTime::currentMSecsSinceEpoch()) - kMinutes) {
        ++bucketFor(when).denials;
        Q_EMIT activityChanged();
    }
    m_denials.prepend(Denial { when, callerOf(record), record.tool, record.target,
                               record.error.isEmpty() ? record.rule : record.error });
    if (m_denials.size() > kRecentDenials) {
        m_denials.resize(kRecentDenials);
    }
    Q_EMIT denialsChanged();
}

QList<ActivityStats::Bucket> ActivityStats::buckets() const
{
    prune();
    const qint64 now = minuteOf(QDateTime::currentMSecsSinceEpoch());
    QList<Bucket> out;
    out.reserve(kMinutes);
    auto it = m_buckets.begin();
    for (qint64 key = now - kMinutes + 1; key <= now; ++key) {
        while (it != m_buckets.end() && minuteOf(it->minute) < key) {
            ++it;
        }
        if (it != m_buckets.end() && minuteOf(it->minute) == key) {
            out.append(*it);
        } else {
            out.append(Bucket { QDateTime::fromMSecsSinceEpoch(key * kMinuteMs), 0, 0, 0 });
        }
    }
    return out;
}

QList<int> ActivityStats::callsPerMinuteSeries() const
{
    QList<int> series;
    for (const Bucket &b : buckets()) {
        series.append(b.calls);
    }
    return series;
}

int ActivityStats::callsLastMinute() const
{
    prune();
    return int(m_lastMinute.size());
}

int ActivityStats::calls() const
{
    prune();
    int n = 0;
    for (const Bucket &b : m_buckets) {
        n += b.calls;
    }
    return n;
}

int ActivityStats::errors() const
{
    prune();
    int n = 0;
    for (const Bucket &b : m_buckets) {
        n += b.errors;
    }
    return n;
}

int ActivityStats::denials() const
{
    prune();
    int n = 0;
    for (const Bucket &b : m_buckets) {
        n += b.denials;
    }
    return n;
}

} // namespace Tailops::Ui
