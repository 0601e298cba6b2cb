#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>

namespace Tailops::Exec {

// Per-target concurrency (constraints.concurrency) on the event-loop thread: calls beyond the limit wait
// in a first-come, first-served queue of bounded length without holding a worker thread; beyond the
// queue they are refused as busy.
class ConcurrencyLimiter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConcurrencyLimiter)

public:
    explicit ConcurrencyLimiter(QObject *parent = nullptr);

    using Ticket = quint64;

    // Calls GRANTED (now or later, on this thread) when a slot is free; returns 0 and sets ERROR when the
    // target is busy. The holder must release() after its work, or withdraw() a ticket still queued.
    Ticket acquire(const QString &target, int limit, std::function<void()> granted, QString *error);
    void release(const QString &target);
    void withdraw(const QString &target, Ticket ticket);

    int running(const QString &target) const;
    int queued(const QString &target) const;

    void setQueueFactor(int factor) { m_queueFactor = std::max(1, factor); }

private:
    struct Waiter
    {
        Ticket ticket;
        std::function<void()> granted;
    };
    struct Slot
    {
        int running = 0;
        int limit = 1;
        std::deque<Waiter> waiting;
    };

    QHash<QString, Slot> m_slots;
    Ticket m_next = 1;
    int m_queueFactor = 8; // queue length = limit * factor
};

} // namespace Tailops::Exec
