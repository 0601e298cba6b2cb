#include "notifier.h"

#include <QHash>

namespace Tailops::Ui {

Notifier::Notifier(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(kDefaultInterval);
    connect(&m_timer, &QTimer::timeout, this, &Notifier::flush);
}

void Notifier::post(const QString &kind, const QString &title, const QString &body, const QString &approvalId)
{
    if (m_timer.isActive()) {
        m_held.append({ kind, title, body, approvalId });
        return;
    }
    show({ title, body, approvalId, 1 });
}

void Notifier::show(const Notification &n)
{
    ++m_shown;
    m_timer.start(); // the next one waits at least the interval
    Q_EMIT notificationReady(n);
}

void Notifier::flush()
{
    if (m_held.isEmpty()) {
        return;
    }
    const QList<Held> held = std::exchange(m_held, {});
    if (held.size() == 1) {
        show({ held.first().title, held.first().body, held.first().approvalId, 1 });
        return;
    }
    // One summary: counts per kind, the latest few titles, and the newest approval to open on click.
    QStringList kinds;
    QHash<QString, int> perKind;
    QString approvalId;
    for (const Held &h : held) {
        if (!perKind.contains(h.kind)) {
            kinds.append(h.kind);
        }
        ++perKind[h.kind];
        if (!h.approvalId.isEmpty()) {
            approvalId = h.approvalId;
        }
    }
    QStringList counts;
    for (const QString &k : std::as_const(kinds)) {
        counts.append(QStringLiteral("%1 %2").arg(perKind.value(k)).arg(k));
    }
    QStringList lines;
    for (qsizetype i = std::max<qsizetype>(0, held.size() - 3); i < held.size(); ++i) {
        lines.append(held.at(i).title);
    }
    if (held.size() > 3) {
        lines.prepend(tr("… and %n earlier", nullptr, int(held.size() - 3)));
    }
    show({ counts.join(QStringLiteral(", ")), lines.join(u'\n'), approvalId, int(held.size()) });
}

} // namespace Tailops::Ui
