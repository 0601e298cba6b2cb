#include "concurrencylimiter.h"

#include <QTimer>

namespace Tailops::Exec {

ConcurrencyLimiter::ConcurrencyLimiter(QObject *parent)
    : QObject(parent)
{
}

ConcurrencyLimiter::Ticket ConcurrencyLimiter::acquire(const QString &target, int limit,
                                                       std::function<void()> granted, QString *error)
{
    Slot &slot = m_slots[target];
    slot.limit = std::max(1, limit);
    const Ticket ticket = m_next++;
    if (slot.running < slot.limit && slot.waiting.empty()) {
        ++slot.running;
        granted();
        return ticket;
    }
    const qsizetype maxQueue = qsizetype(slot.limit) * m_queueFactor;
    if (qsizetype(slot.waiting.size()) >= maxQueue) {
        *error = QStringLiteral("target '%1' is busy: %2 call(s) running and %3 queued (constraints.concurrency: %4); "
                                "retry later")
                     .arg(target)
                     .arg(slot.running)
                     .arg(slot.waiting.size())
                     .arg(slot.limit);
        return 0;
    }
    slot.waiting.push_back({ ticket, std::move(granted) });
    return ticket;
}

void ConcurrencyLimiter::release(const QString &target)
{
    auto it = m_slots.find(target);
    if (it == m_slots.end()) {
        return;
    }
    Slot &slot = *it;
    slot.running = std::max(0, slot.running - 1);
    while (slot.running < slot.limit && !slot.waiting.empty()) {
        Waiter next = std::move(slot.waiting.front());
        slot.waiting.pop_front();
        ++slot.running;
        // Grant on a fresh stack frame: release() is often called from the previous holder's completion.
        QTimer::singleShot(0, this, std::move(next.granted));
    }
    if (slot.running == 0 && slot.waiting.empty()) {
        m_slots.erase(it);
    }
}

void ConcurrencyLimiter::withdraw(const QString &target, Ticket ticket)
{
    auto it = m_slots.find(target);
    if (it == m_slots.end()) {
        return;
    }
    auto &waiting = it->waiting;
    waiting.erase(std::remove_if(waiting.begin(), waiting.end(), [ticket](const Waiter &w) { return w.ticket == ticket; }),
                  waiting.end());
}

int ConcurrencyLimiter::running(const QString &target) const
{
    return m_slots.value(target).running;
}

int ConcurrencyLimiter::queued(const QString &target) const
{
    const auto it = m_slots.constFind(target);
    return it == m_slots.cend() ? 0 : int(it->waiting.size());
}

} // namespace Tailops::Exec
