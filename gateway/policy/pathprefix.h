#pragma once

#include "core/result.h"

#include <QString>
#include <QStringView>

namespace Tailops::Policy {

// Lexical path normalisation for path_prefixes constraints. The path must be absolute and contain no NUL;
// empty and "." components are dropped, ".." removes the previous component (and stays at "/" at the
// root, as the kernel does), trailing slashes disappear: "/var/log/../../etc/shadow" -> "/etc/shadow",
// "/tmp/./x/" -> "/tmp/x". Symlinks are NOT resolved: the tool must still open the file safely.
Core::Result<QString> normalizePath(QStringView path);

// Whether a normalised path is `prefix` itself or below it, compared by component: "/tmpfoo" is not
// under "/tmp", "/tmp/x" is. Both arguments must already be normalised.
bool isUnderPrefix(QStringView normalisedPath, QStringView normalisedPrefix);

} // namespace Tailops::Policy
