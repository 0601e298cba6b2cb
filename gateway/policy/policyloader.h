#pragma once

#include "policy.h"

#include "config/diagnostic.h"
#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace Tailops::Policy {

enum class LoadMode {
    Strict,  // any error fails the load (use for startup and check-config)
    Lenient, // rules with errors are reported and skipped; file-level errors, or a broken rule that is
             // (or might be) a deny rule, still fail the load: dropping a deny would widen access
};

// Parses and compiles policy.yaml text. Every problem is appended to `diagnostics` as
// "policy.yaml:LINE:COL: rule 'NAME': what is wrong" (warnings for unknown keys); the whole file is
// validated in one pass. `fileName` is what the diagnostics call the file.
Core::Result<PolicyPtr> loadPolicy(const QByteArray &content, const QString &fileName, Config::Diagnostics &diagnostics,
                                   LoadMode mode = LoadMode::Strict);

// Reads the file first (a missing or unreadable file is an error).
Core::Result<PolicyPtr> loadPolicyFile(const QString &path, Config::Diagnostics &diagnostics,
                                       LoadMode mode = LoadMode::Strict);

} // namespace Tailops::Policy
