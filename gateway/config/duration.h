#pragma once

#include "core/result.h"

namespace Tailops::Config {

// "90", "90s", "15m", "8h", "30d" -> seconds. Rejects negatives, garbage and overflow.
Core::Result<qint64> parseDuration(const QString &text);

} // namespace Tailops::Config
