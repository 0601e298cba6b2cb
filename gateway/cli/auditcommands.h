#pragma once

#include <QStringList>

namespace Tailops::Cli {

// tailops-gateway audit <command>: ARGS are the words after "audit".
//   verify [FILES...] [--path LOG] [--head FILE | --no-head]
//   export [--format csv|jsonl] [--since T] [--until T] [--tool NAME] [--target ID] [--caller WHO]
//          [--path LOG] [--output FILE]
//   tail [-f] [--json] [-n N] [--path LOG]
//   redact-test [--key NAME]... [--pattern REGEX]...      (text on stdin)
// LOG defaults to defaultAuditPath(). Returns the exit code: 0 ok, 1 chain broken (verify) or I/O error,
// 2 usage error.
int runAuditCommand(const QStringList &args);

} // namespace Tailops::Cli
