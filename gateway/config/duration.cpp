#include "duration.h"

namespace Tailops::Config {

Core::Result<qint64> parseDuration(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        return Core::fail(QStringLiteral("empty duration"));
    }
    qint64 unit = 1;
    QStringView digits(t);
    switch (t.back().toLatin1()) {
    case 's':
        digits.chop(1);
        break;
    case 'm':
        unit = 60;
        digits.chop(1);
        break;
    case 'h':
        unit = 3600;
        digits.chop(1);
        break;
    case 'd':
        unit = 86400;
        digits.chop(1);
        break;
    default:
        break;
    }
    bool ok = false;
    const qint64 value = digits.toLongLong(&ok);
    if (!ok || value < 0 || value > (qint64(1) << 40) / unit) {
        return Core::fail(QStringLiteral("'%1' is not a duration (use e.g. 30s, 15m, 8h, 7d)").arg(text));
    }
    return value * unit;
}

} // namespace Tailops::Config
