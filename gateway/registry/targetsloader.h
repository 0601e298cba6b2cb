#pragma once

#include "config/diagnostic.h"
#include "config/envexpand.h"
#include "target.h"

namespace Tailops::Registry {

// Parses targets.yaml. Every problem is reported at once as "targets.yaml:LINE:COL: target 'ID': ...";
// a bad target is reported and skipped, good ones are returned.
QList<Target> parseTargets(const QByteArray &yaml, const QString &fileName, Config::Diagnostics &out,
                           const Config::EnvLookup &env = Config::processEnv);

} // namespace Tailops::Registry
