#include "approvalbroker.h"

#include "core/random.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaObject>
#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace Tailops::Approvals {

Q_LOGGING_CATEGORY(lcApprovals, "tailops.approvals", QtInfoMsg)

namespace {

constexpr qint64 kMaxGrantSeconds = 24 * 3600;
constexpr qint64 kMaxTimeoutSeconds = 7 * 24 * 3600;
constexpr qsizetype kRecentIds = 4096;

} // namespace

QString outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Approved:
        return QStringLiteral("approved");
    case Outcome::Denied:
        return QStringLiteral("denied");
    case Outcome::TimedOut:
        return QStringLiteral("timed_out");
    case Outcome::Cancelled:
        return QStringLiteral("cancelled");
    case Outcome::Paused:
        return QStringLiteral("paused");
    }
    return QStringLiteral("denied");
}

QString humanDuration(qint64 seconds)
{
    seconds = std::max<qint64>(seconds, 0);
    if (seconds < 60) {
        return QStringLiteral("%1 s").arg(seconds);
    }
    if (seconds < 3600) {
        const qint64 s = seconds % 60;
        return s == 0 ? QStringLiteral("%1 min").arg(seconds / 60)
                      : QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(s);
    }
    const qint64 minutes = (seconds % 3600) / 60;
    return minutes == 0 ? QStringLiteral("%1 h").arg(seconds / 3600)
                        : QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(minutes);
}

struct ApprovalBroker::Pending
{
    ApprovalRequest request;
    quint64 sequence = 0;
    QPointer<const QObject> context;
    bool hasContext = false;
    Progress progress;
    Done done;
    QElapsedTimer elapsed;
    qint64 totalSeconds = 0;
    QTimer *deadlineTimer = nullptr;
    QTimer *progressTimer = nullptr;
    QMetaObject::Connection contextGone;
};

ApprovalBroker::ApprovalBroker(QObject *parent)
    : QObject(parent)
{
}

ApprovalBroker::~ApprovalBroker()
{
    // Shutting down: every waiting call still gets its one answer (queued to its context; called here when
    // it has none, since nothing queued to this object would run).
    Decision decision;
    decision.outcome = Outcome::Cancelled;
    decision.reason = QStringLiteral("the gateway is shutting down");
    for (auto &[id, p] : m_pending) {
        QObject::disconnect(p->contextGone);
        if (!p->done) {
            continue;
        }
        if (!p->hasContext) {
            p->done(decision);
        } else if (const QObject *context = p->context.data()) {
            QMetaObject::invokeMethod(
                const_cast<QObject *>(context), [done = std::move(p->done), decision] { done(decision); },
                Qt::QueuedConnection);
        }
    }
}

QByteArray ApprovalBroker::bindingHash(const QString &callerIdentity, const QString &tool, const QString &target,
                                       const QJsonObject &arguments)
{
    // A JSON array keeps the parts apart unambiguously; QJsonObject keeps its keys sorted at every level, so
    // the compact form is canonical.
    const QJsonArray parts { callerIdentity, tool, target, arguments };
    return QCryptographicHash::hash(QJsonDocument(parts).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256)
        .toHex();
}

QString ApprovalBroker::newId()
{
    for (;;) {
        const QString id = QString::fromLatin1(Core::randomHex(3));
        if (!m_usedIds.contains(id) && m_pending.find(id) == m_pending.end()) {
            rememberId(id);
            return id;
        }
    }
}

void ApprovalBroker::rememberId(const QString &id)
{
    m_usedIds.insert(id);
    m_usedOrder.push_back(id);
    while (qsizetype(m_usedOrder.size()) > kRecentIds) {
        m_usedIds.remove(m_usedOrder.front());
        m_usedOrder.pop_front();
    }
}

void ApprovalBroker::answerLater(const QObject *context, bool hasContext, Done done, Decision decision)
{
    if (!done) {
        return;
    }
    QObject *receiver = hasContext ? const_cast<QObject *>(context) : this;
    if (!receiver) {
        return;
    }
    QMetaObject::invokeMethod(
        receiver, [done = std::move(done), decision = std::move(decision)] { done(decision); },
        Qt::QueuedConnection);
}

void ApprovalBroker::prune()
{
    const qsizetype before = m_grants.size();
    m_grants.removeIf([](const Grant &g) { return g.expiry.hasExpired(); });
    if (m_grants.size() != before) {
        Q_EMIT grantsChanged();
    }
}

QString ApprovalBroker::request(ApprovalRequest req, qint64 timeoutSeconds, const QObject *context,
                                Progress progress, Done done)
{
    const QString id = newId();
    req.id = id;
    const bool hasContext = context != nullptr;
    prune();

    Decision immediate;
    bool answered = true;
    if (m_paused) {
        immediate.outcome = Outcome::Paused;
        immediate.reason = QStringLiteral("the gateway is paused (tailops-gateway resume)");
    } else if (const auto denial = std::find_if(m_denials.cbegin(), m_denials.cend(),
                                                [&req](const RememberedDenial &d) { return d.binding == req.binding; });
               !req.binding.isEmpty() && denial != m_denials.cend()) {
        immediate.outcome = Outcome::Denied;
        immediate.approver = denial->approver;
        immediate.reason = denial->reason.isEmpty()
            ? QStringLiteral("an identical call was denied and remembered")
            : QStringLiteral("an identical call was denied and remembered: %1").arg(denial->reason);
    } else if (const auto grant = std::find_if(m_grants.cbegin(), m_grants.cend(),
                                               [&req](const Grant &g) { return g.binding == req.binding; });
               !req.binding.isEmpty() && grant != m_grants.cend()) {
        immediate.outcome = Outcome::Approved;
        immediate.approver = QStringLiteral("grant");
        immediate.reason = QStringLiteral("approved by a grant from %1").arg(grant->approver);
        immediate.grant = QStringLiteral("covered by a grant from %1 (%2 left)")
                              .arg(grant->approver, humanDuration(grant->expiry.remainingTime() / 1000));
    } else if (qsizetype(m_pending.size()) >= m_maxPending) {
        immediate.outcome = Outcome::Denied;
        immediate.reason = QStringLiteral("too many approvals are pending (%1): decide some first "
                                          "(tailops-gateway approvals list)")
                               .arg(m_maxPending);
    } else {
        answered = false;
    }
    if (answered) {
        qCInfo(lcApprovals).noquote() << "approval" << id << "for" << req.tool << "on" << req.target
                                      << "answered at once:" << outcomeName(immediate.outcome);
        answerLater(context, hasContext, std::move(done), std::move(immediate));
        return id;
    }

    timeoutSeconds = std::clamp<qint64>(timeoutSeconds, 1, kMaxTimeoutSeconds);
    req.requested = QDateTime::currentDateTimeUtc();
    req.deadline = req.requested.addSecs(timeoutSeconds);

    auto p = std::make_unique<Pending>();
    p->request = req;
    p->sequence = ++m_sequence;
    p->context = context;
    p->hasContext = hasContext;
    p->progress = std::move(progress);
    p->done = std::move(done);
    p->totalSeconds = timeoutSeconds;
    p->elapsed.start();

    p->deadlineTimer = new QTimer(this);
    p->deadlineTimer->setSingleShot(true);
    p->deadlineTimer->setTimerType(Qt::PreciseTimer);
    connect(p->deadlineTimer, &QTimer::timeout, this, [this, id] {
        Decision decision;
        decision.outcome = Outcome::TimedOut;
        decision.reason = QStringLiteral("nobody approved the call in time");
        finish(id, std::move(decision));
    });
    p->deadlineTimer->start(std::chrono::seconds(timeoutSeconds));

    if (p->progress) {
        p->progressTimer = new QTimer(this);
        connect(p->progressTimer, &QTimer::timeout, this, [this, id] { sendProgress(id); });
        p->progressTimer->start(m_progressInterval);
    }
    if (hasContext) {
        p->contextGone = connect(context, &QObject::destroyed, this, [this, id] {
            Decision decision;
            decision.outcome = Outcome::Cancelled;
            decision.reason = QStringLiteral("the caller went away");
            finish(id, std::move(decision));
        });
    }
    m_pending.emplace(id, std::move(p));

    qCInfo(lcApprovals).noquote() << "approval" << id << "pending:" << req.caller << "wants" << req.tool << "on"
                                  << req.target << "rule" << req.rule;
    sendProgress(id);
    Q_EMIT requested(req);
    return id;
}

void ApprovalBroker::sendProgress(const QString &id)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end() || !it->second->progress) {
        return;
    }
    Pending &p = *it->second;
    const qint64 elapsed = p.elapsed.elapsed() / 1000;
    const qint64 left = std::max<qint64>(p.totalSeconds - elapsed, 0);
    const QString message = QStringLiteral("waiting for approval %1 (tailops-gateway approvals approve %1), %2 s left")
                                .arg(id)
                                .arg(left);
    QObject *receiver = p.hasContext ? const_cast<QObject *>(p.context.data()) : this;
    if (!receiver) {
        return;
    }
    QMetaObject::invokeMethod(
        receiver, [progress = p.progress, message, elapsed, total = p.totalSeconds] { progress(message, elapsed, total); },
        Qt::QueuedConnection);
}

void ApprovalBroker::finish(const QString &id, Decision decision)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end()) {
        return;
    }
    std::unique_ptr<Pending> p = std::move(it->second);
    m_pending.erase(it);
    QObject::disconnect(p->contextGone);
    p->deadlineTimer->stop();
    p->deadlineTimer->deleteLater(); // we may be inside its timeout()
    if (p->progressTimer) {
        p->progressTimer->stop();
        p->progressTimer->deleteLater();
    }
    qCInfo(lcApprovals).noquote() << "approval" << id << outcomeName(decision.outcome) << decision.approver;
    answerLater(p->context.data(), p->hasContext, std::move(p->done), decision);
    Q_EMIT decided(id, decision);
}

Core::Result<void> ApprovalBroker::approve(const QString &id, qint64 grantSeconds, const QString &approver)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end()) {
        return Core::fail(QStringLiteral("no pending approval '%1'").arg(id));
    }
    const ApprovalRequest &req = it->second->request;
    if (grantSeconds < 0) {
        return Core::fail(QStringLiteral("a grant cannot last a negative time"));
    }
    if (grantSeconds > kMaxGrantSeconds) {
        return Core::fail(QStringLiteral("a grant can last at most %1").arg(humanDuration(kMaxGrantSeconds)));
    }
    if (grantSeconds > 0 && req.binding.isEmpty()) {
        return Core::fail(QStringLiteral("approval '%1' has no call binding, so it cannot be granted for later calls")
                              .arg(id));
    }
    Decision decision;
    decision.outcome = Outcome::Approved;
    decision.approver = approver;
    decision.reason = approver.isEmpty() ? QStringLiteral("approved") : QStringLiteral("approved by %1").arg(approver);
    if (grantSeconds > 0) {
        Grant grant;
        grant.binding = req.binding;
        grant.caller = req.caller;
        grant.tool = req.tool;
        grant.target = req.target;
        grant.approver = approver.isEmpty() ? QStringLiteral("unknown") : approver;
        grant.granted = QDateTime::currentDateTimeUtc();
        grant.expires = grant.granted.addSecs(grantSeconds);
        grant.expiry = QDeadlineTimer(std::chrono::seconds(grantSeconds));
        m_grants.removeIf([&req](const Grant &g) { return g.binding == req.binding; });
        m_denials.removeIf([&req](const RememberedDenial &d) { return d.binding == req.binding; });
        m_grants.append(grant);
        while (m_grants.size() > kMaxRemembered) {
            m_grants.removeFirst();
        }
        decision.grant = QStringLiteral("granted for %1").arg(humanDuration(grantSeconds));
        qCInfo(lcApprovals).noquote() << "grant for" << req.tool << "on" << req.target << "by" << req.caller << "for"
                                      << humanDuration(grantSeconds);
        Q_EMIT grantsChanged();
    }
    const QByteArray binding = req.binding;
    const QString grantApprover = approver.isEmpty() ? QStringLiteral("unknown") : approver;
    finish(id, std::move(decision));
    if (grantSeconds > 0) {
        // Identical calls already waiting are covered by the new grant too.
        const QStringList others = sameBinding(binding);
        for (const QString &other : others) {
            Decision covered;
            covered.outcome = Outcome::Approved;
            covered.approver = QStringLiteral("grant");
            covered.reason = QStringLiteral("approved by a grant from %1").arg(grantApprover);
            covered.grant = QStringLiteral("covered by a grant from %1 (%2 left)")
                                .arg(grantApprover, humanDuration(grantSeconds));
            finish(other, std::move(covered));
        }
    }
    return {};
}

Core::Result<void> ApprovalBroker::deny(const QString &id, bool remember, const QString &approver,
                                        const QString &reason)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end()) {
        return Core::fail(QStringLiteral("no pending approval '%1'").arg(id));
    }
    const ApprovalRequest &req = it->second->request;
    if (remember && req.binding.isEmpty()) {
        return Core::fail(QStringLiteral("approval '%1' has no call binding, so the denial cannot be remembered")
                              .arg(id));
    }
    Decision decision;
    decision.outcome = Outcome::Denied;
    decision.approver = approver;
    decision.reason = reason.isEmpty()
        ? (approver.isEmpty() ? QStringLiteral("denied") : QStringLiteral("denied by %1").arg(approver))
        : reason;
    if (remember) {
        RememberedDenial denial;
        denial.binding = req.binding;
        denial.caller = req.caller;
        denial.tool = req.tool;
        denial.target = req.target;
        denial.approver = approver;
        denial.reason = reason;
        denial.denied = QDateTime::currentDateTimeUtc();
        const qsizetype grantsBefore = m_grants.size();
        m_grants.removeIf([&req](const Grant &g) { return g.binding == req.binding; });
        m_denials.removeIf([&req](const RememberedDenial &d) { return d.binding == req.binding; });
        m_denials.append(denial);
        while (m_denials.size() > kMaxRemembered) {
            m_denials.removeFirst();
        }
        if (m_grants.size() != grantsBefore) {
            Q_EMIT grantsChanged();
        }
    }
    const QByteArray binding = req.binding;
    finish(id, decision);
    if (remember) {
        // Identical calls already waiting get the same answer.
        const QStringList others = sameBinding(binding);
        for (const QString &other : others) {
            finish(other, decision);
        }
    }
    return {};
}

QStringList ApprovalBroker::sameBinding(const QByteArray &binding) const
{
    QStringList ids;
    if (binding.isEmpty()) {
        return ids;
    }
    for (const auto &[id, p] : m_pending) {
        if (p->request.binding == binding) {
            ids.append(id);
        }
    }
    return ids;
}

void ApprovalBroker::cancel(const QString &id)
{
    Decision decision;
    decision.outcome = Outcome::Cancelled;
    decision.reason = QStringLiteral("the call was cancelled");
    finish(id, std::move(decision));
}

QList<ApprovalRequest> ApprovalBroker::pending() const
{
    std::vector<const Pending *> ordered;
    ordered.reserve(m_pending.size());
    for (const auto &[id, p] : m_pending) {
        ordered.push_back(p.get());
    }
    std::sort(ordered.begin(), ordered.end(), [](const Pending *a, const Pending *b) { return a->sequence < b->sequence; });
    QList<ApprovalRequest> out;
    out.reserve(qsizetype(ordered.size()));
    for (const Pending *p : ordered) {
        out.append(p->request);
    }
    return out;
}

QList<Grant> ApprovalBroker::grants() const
{
    QList<Grant> out;
    for (const Grant &g : m_grants) {
        if (!g.expiry.hasExpired()) {
            out.append(g);
        }
    }
    return out;
}

QList<RememberedDenial> ApprovalBroker::rememberedDenials() const
{
    return m_denials;
}

Core::Result<void> ApprovalBroker::revokeGrant(const QByteArray &binding)
{
    prune();
    if (m_grants.removeIf([&binding](const Grant &g) { return g.binding == binding; }) == 0) {
        return Core::fail(QStringLiteral("no grant for '%1'").arg(QString::fromLatin1(binding)));
    }
    qCInfo(lcApprovals).noquote() << "grant" << QString::fromLatin1(binding.left(12)) << "revoked";
    Q_EMIT grantsChanged();
    return {};
}

Core::Result<void> ApprovalBroker::forget(const QByteArray &binding)
{
    if (m_denials.removeIf([&binding](const RememberedDenial &d) { return d.binding == binding; }) == 0) {
        return Core::fail(QStringLiteral("no remembered denial for '%1'").arg(QString::fromLatin1(binding)));
    }
    return {};
}

void ApprovalBroker::setPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    qCWarning(lcApprovals) << (paused ? "PAUSED: every call waiting for approval is refused" : "resumed");
    if (paused) {
        QStringList ids;
        for (const auto &[id, p] : m_pending) {
            ids.append(id);
        }
        for (const QString &id : std::as_const(ids)) {
            Decision decision;
            decision.outcome = Outcome::Paused;
            decision.reason = QStringLiteral("the gateway was paused (tailops-gateway resume)");
            finish(id, std::move(decision));
        }
    }
    Q_EMIT switchesChanged(m_paused, m_readOnly);
}

void ApprovalBroker::setReadOnly(bool readOnly)
{
    if (readOnly == m_readOnly) {
        return;
    }
    m_readOnly = readOnly;
    qCWarning(lcApprovals) << (readOnly ? "read-only mode ON: mutating tools are refused" : "read-only mode off");
    Q_EMIT switchesChanged(m_paused, m_readOnly);
}

} // namespace Tailops::Approvals
