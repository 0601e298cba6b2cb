#pragma once

#include <QString>
#include <QStringList>

// The approval and switch commands talk to the running gateway over its admin socket (AdminClient) only.
// The socket is admin.socket from gateway.yaml (--config-dir DIR), or --socket PATH.
// Exit codes: 0 ok, 1 refused by the gateway (unknown id, already decided...), 2 usage error or no gateway.
namespace Tailops::Cli {

// tailops-gateway approvals <command>: ARGS are the words after "approvals".
//   list [--json]                               pending approvals, active grants, remembered denials
//   approve ID [--for 10m]                      approve; --for also approves identical calls for that long
//   deny ID [--remember] [--reason TEXT]        deny; --remember denies identical calls from now on
//   revoke BINDING                              ends a grant early
//   forget BINDING                              drops a remembered denial
int runApprovalsCommand(const QStringList &args);

// tailops-gateway pause | resume | read-only on|off: COMMAND is "pause", "resume" or "read-only", ARGS the
// words after it.
int runSwitchCommand(const QString &command, const QStringList &args);

} // namespace Tailops::Cli
