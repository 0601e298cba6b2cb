#include "overview/sparkline.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace Tailops::Ui {

Sparkline::Sparkline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void Sparkline::setValues(const QList<int> &values)
{
    if (values == m_values) {
        return;
    }
    m_values = values;
    setToolTip(tr("Peak %1 calls per minute over the last %n minute(s)", nullptr, int(values.size())).arg(peak()));
    update();
}

int Sparkline::peak() const { return m_values.isEmpty() ? 0 : *std::ranges::max_element(m_values); }

QSize Sparkline::sizeHint() const { return { 240, fontMetrics().height() * 3 }; }

QSize Sparkline::minimumSizeHint() const { return { 80, fontMetrics().height() * 2 }; }

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(2, 2, -2, -2);
    const QColor line = palette().color(QPalette::Highlight);
    QColor fill = line;
    fill.setAlphaF(0.18f);
    // Baseline.
    QColor base = palette().color(QPalette::Mid);
    p.setPen(QPen(base, 1));
    p.drawLine(area.bottomLeft(), area.bottomRight());
    if (m_values.size() < 2) {
        return;
    }
    const double top = std::max(1, peak());
    const double step = area.width() / double(m_values.size() - 1);
    QPainterPath path;
    for (qsizetype i = 0; i < m_values.size(); ++i) {
        const QPointF point(area.left() + step * double(i), area.bottom() - area.height() * (m_values.at(i) / top));
        if (i == 0) {
            path.moveTo(point);
        } else {
            path.lineTo(point);
        }
    }
    QPainterPath under = path;
    under.lineTo(area.bottomRight());
    under.lineTo(area.bottomLeft());
    under.closeSubpath();
    p.fillPath(under, fill);
    p.setPen(QPen(line, 1.5));
    p.drawPath(path);
    p.setBrush(line);
    p.drawEllipse(path.currentPosition(), 2.5, 2.5);
    if (peak() > 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignTop | Qt::AlignLeft, tr("peak %1/min").arg(peak()));
    }
}

} // namespace Tailops::Ui
