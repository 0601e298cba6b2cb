#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>

namespace Tailops::Approvals {

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

// One tools/call waiting for a human.
struct ApprovalRequest
{
    QString id;             // short and random (6 hex digits), what a human types
    QString caller;         // for display: the agent or user
    QString tool;
    QString target;
    QJsonObject arguments;  // already redacted by whoever asks, for display only
    QByteArray binding;     // ApprovalBroker::bindingHash() of the call: what an approval or a grant is for
    QString rule;           // the policy rule that asked for approval
    QString reason;         // why, for the human
    QDateTime requested;    // set by request()
    QDateTime deadline;     // set by request()
};

enum class Outcome { Approved, Denied, TimedOut, Cancelled, Paused };

// "approved", "denied", "timed_out", "cancelled", "paused".
QString outcomeName(Outcome outcome);

struct Decision
{
    Outcome outcome = Outcome::Denied;
    QString approver; // "admin-socket (uid 1000)", "grant", "console"...; empty when nobody decided
    QString reason;
    QString grant;    // "granted for 10 min", "covered by a grant from ... (9 min left)"
};

// "Allow the same call for N minutes": identical calls (same binding) are approved without asking.
struct Grant
{
    QByteArray binding;
    QString caller;
    QString tool;
    QString target;
    QString approver;
    QDateTime granted;
    QDateTime expires;
    QDeadlineTimer expiry; // monotonic: what decides
};

// "Deny, and deny identical calls from now on" (until forget() or a restart).
struct RememberedDenial
{
    QByteArray binding;
    QString caller;
    QString tool;
    QString target;
    QString approver;
    QString reason;
    QDateTime denied;
};

// "45 s", "10 min", "2 h", "1 h 30 min".
QString humanDuration(qint64 seconds);

// The human-approval broker: calls the policy sends for approval wait here until a human approves or
// denies them (admin socket, console), the deadline passes, the caller cancels, or the kill switch is
// thrown. Lives on the event-loop thread and never blocks; every answer is delivered asynchronously.
// Call its methods on its own thread only (the admin socket and the console do).
class ApprovalBroker : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultMaxPending = 256;
    static constexpr int kMaxRemembered = 1024; // grants and remembered denials each
    static constexpr std::chrono::milliseconds kDefaultProgressInterval { 5000 };

    using Progress = std::function<void(const QString &progressMessage, qint64 elapsedSeconds, qint64 totalSeconds)>;
    using Done = std::function<void(const Decision &decision)>;

    explicit ApprovalBroker(QObject *parent = nullptr);
    ~ApprovalBroker() override;

    // SHA-256 (lowercase hex) of the caller's identity, the tool, the target and the arguments in canonical
    // form (compact JSON, object keys sorted at every level): an approval or grant covers exactly this call.
    static QByteArray bindingHash(const QString &callerIdentity, const QString &tool, const QString &target,
                                  const QJsonObject &arguments);

    // Asks for approval of REQ (its id, requested and deadline are filled in here). Answered at once, but
    // never inside this call, when the broker is paused (Paused), a remembered denial covers the binding
    // (Denied), a grant covers it (Approved, approver "grant") or too many requests are pending (Denied).
    // Otherwise the request is pending: requested() is emitted, PROGRESS runs at once and then every
    // progress interval, and the deadline answers TimedOut. DONE runs exactly once, on CONTEXT's thread,
    // never after CONTEXT is destroyed (a pending request whose context goes away is dropped as
    // Cancelled); PROGRESS likewise. A null CONTEXT means the broker's thread. Returns the id.
    QString request(ApprovalRequest req, qint64 timeoutSeconds, const QObject *context, Progress progress, Done done);

    // Approves the pending request ID. GRANTSECONDS > 0 also approves identical calls (same binding) without
    // asking for that long. Error "no pending approval 'ID'" when ID is unknown or already decided.
    Core::Result<void> approve(const QString &id, qint64 grantSeconds = 0, const QString &approver = {});
    // Denies the pending request ID; REMEMBER denies identical calls at once from now on.
    Core::Result<void> deny(const QString &id, bool remember = false, const QString &approver = {},
                            const QString &reason = {});
    // The call was cancelled: answered Cancelled, no further callbacks. Unknown ids are ignored.
    void cancel(const QString &id);

    QList<ApprovalRequest> pending() const; // oldest first
    QList<Grant> grants() const;            // active ones
    QList<RememberedDenial> rememberedDenials() const;
    Core::Result<void> revokeGrant(const QByteArray &binding);
    Core::Result<void> forget(const QByteArray &binding); // drops a remembered denial

    // Kill switch: while paused every pending request is answered Paused, and new ones too.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // Read-only mode: only stored here; the gateway refuses mutating tools while it is set.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    void setMaxPending(int maxPending) { m_maxPending = maxPending; }
    int maxPending() const { return m_maxPending; }
    void setProgressInterval(std::chrono::milliseconds interval) { m_progressInterval = interval; }

Q_SIGNALS:
    void requested(const Tailops::Approvals::ApprovalRequest &request);
    void decided(const QString &id, const Tailops::Approvals::Decision &decision);
    void switchesChanged(bool paused, bool readOnly);
    void grantsChanged();

private:
    struct Pending;

    QString newId();
    void answerLater(const QObject *context, bool hasContext, Done done, Decision decision);
    void finish(const QString &id, Decision decision);
    void sendProgress(const QString &id);
    void prune();
    QStringList sameBinding(const QByteArray &binding) const;
    void rememberId(const QString &id);

    std::map<QString, std::unique_ptr<Pending>> m_pending;
    QList<Grant> m_grants;
    QList<RememberedDenial> m_denials;
    QSet<QString> m_usedIds;       // ids handed out recently: never reused, so a decision cannot be replayed
    std::deque<QString> m_usedOrder;
    quint64 m_sequence = 0;
    int m_maxPending = kDefaultMaxPending;
    std::chrono::milliseconds m_progressInterval = kDefaultProgressInterval;
    bool m_paused = false;
    bool m_readOnly = false;
};

} // namespace Tailops::Approvals
