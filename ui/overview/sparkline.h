#pragma once

#include <QList>
#include <QWidget>

namespace Tailops::Ui {

// A small line chart of a series (calls per minute), drawn with QPainter: the area under the line, the
// newest point marked, and the peak as text. No axes: the Overview says what the numbers are.
class Sparkline final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Sparkline)

public:
    explicit Sparkline(QWidget *parent = nullptr);

    void setValues(const QList<int> &values);
    QList<int> values() const { return m_values; }
    int peak() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<int> m_values;
};

} // namespace Tailops::Ui
