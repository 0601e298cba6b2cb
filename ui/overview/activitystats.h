#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>

namespace Tailops::Audit {
struct AuditRecord;
}
namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

// The gateway's activity for the Overview, from its signals (no widgets): tool calls per minute over the
// last half hour (Mcp::Server::toolCallFinished), errors, denials (audit decision records that refuse a
// call), the open MCP sessions (HttpTransport::sessionOpened / sessionClosed) and the latest denials.
class ActivityStats final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityStats)

public:
    static constexpr int kMinutes = 30;
    static constexpr int kRecentDenials = 20;

    struct Bucket
    {
        QDateTime minute; // local start of the minute
        int calls = 0;
        int errors = 0;
        int denials = 0;
    };

    struct SessionInfo
    {
        QString id;
        QString agent;
        QString client;
        QDateTime since;
    };

    struct Denial
    {
        QDateTime time;
        QString caller;
        QString tool;
        QString target;
        QString reason;
    };

    explicit ActivityStats(Service::GatewayService &gateway, QObject *parent = nullptr);
    ~ActivityStats() override;

    // Connects to the HTTP transport once the gateway has one (the constructor tries too); idempotent.
    void attachTransport();

    // kMinutes buckets, oldest first, the last one being the current minute.
    QList<Bucket> buckets() const;
    QList<int> callsPerMinuteSeries() const;
    // Calls that finished in the last 60 seconds.
    int callsLastMinute() const;
    // Totals over the last kMinutes minutes.
    int calls() const;
    int errors() const;
    int denials() const;

    QList<SessionInfo> sessions() const { return m_sessions; } // oldest first
    QList<Denial> recentDenials() const { return m_denials; } // newest first, at most kRecentDenials

    // What the signals feed in (public so the console can replay or a tour can stage activity).
    void recordCall(bool isError, const QDateTime &when = QDateTime::currentDateTime());
    void recordAudit(const Audit::AuditRecord &record);

Q_SIGNALS:
    void activityChanged(); // calls, errors or denials changed, or the minute rolled over
    void sessionsChanged();
    void denialsChanged();

private:
    Bucket &bucketFor(const QDateTime &when);
    void prune() const;
    void onSessionOpened(const QString &id, const QString &agent, const QString &client);
    void onSessionClosed(const QString &id);

    Service::GatewayService &m_gateway;
    QPointer<QObject> m_transport;
    mutable std::deque<Bucket> m_buckets; // oldest first, only minutes that saw activity
    mutable std::deque<qint64> m_lastMinute; // msecs since epoch of the calls of the last 60 s
    QList<SessionInfo> m_sessions;
    QList<Denial> m_denials;
    QTimer m_tick;
    qint64 m_tickMinute = 0;
};

} // namespace Tailops::Ui
