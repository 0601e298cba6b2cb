#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>

namespace Tailops::Ui {

struct Notification
{
    QString title;
    QString body;
    QString approvalId; // the approval a click opens; empty: none
    int count = 1;      // how many posts this one stands for (a summary when > 1)
};

// Desktop notifications without a flood: the first post shows at once; posts within the minimum interval
// after it are held and shown together as one summary when the interval ends ("5 approval requests: ...").
class Notifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    static constexpr std::chrono::milliseconds kDefaultInterval { 15000 };

    explicit Notifier(QObject *parent = nullptr);

    void setMinimumInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }
    std::chrono::milliseconds minimumInterval() const { return m_timer.intervalAsDuration(); }

    // KIND groups posts in a summary ("approval requests", "target problems").
    void post(const QString &kind, const QString &title, const QString &body, const QString &approvalId = {});
    int heldCount() const { return int(m_held.size()); }
    int shownCount() const { return m_shown; }

Q_SIGNALS:
    void notificationReady(const Tailops::Ui::Notification &notification);

private:
    struct Held
    {
        QString kind;
        QString title;
        QString body;
        QString approvalId;
    };
    void flush();
    void show(const Notification &n);

    QTimer m_timer;
    QList<Held> m_held;
    int m_shown = 0;
};

} // namespace Tailops::Ui
