#pragma once

#include "core/result.h"

#include <functional>

namespace Tailops::Config {

using EnvLookup = std::function<std::optional<QString>(const QString &name)>;

// Expands ${NAME} and ${NAME:-default}; "$$" is a literal '$'. An unset NAME without a default, an
// unterminated "${" or a bad name is an error naming the variable. Other '$' characters stay as they are.
Core::Result<QString> expandEnv(const QString &text, const EnvLookup &lookup);

// The process environment.
std::optional<QString> processEnv(const QString &name);

} // namespace Tailops::Config
