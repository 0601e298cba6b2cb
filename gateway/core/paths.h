#pragma once

#include "core/result.h"

#include <QString>
#include <QStringView>

namespace Tailops::Core {

// Lexical path normalisation for path_prefixes constraints and path arguments. The path must be absolute and contain no NUL;
// empty and "." components are dropped, ".." removes the previous component (and stays at "/" at the
// root, as the kernel does), trailing slashes disappear: "/var/log/../../etc/shadow" -> "/etc/shadow",
// "/tmp/./x/" -> "/tmp/x". Symlinks are NOT resolved here: file tools resolve them on the target and check again.
Core::Result<QString> normalizePath(QStringView path);

// Whether a normalised path is `prefix` itself or below it, compared by component: "/tmpfoo" is not
// under "/tmp", "/tmp/x" is. Both arguments must already be normalised.
bool isUnderPrefix(QStringView normalisedPath, QStringView normalisedPrefix);

} // namespace Tailops::Core
