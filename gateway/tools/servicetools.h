#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace Tailops::Mcp {
class Server;
}

namespace Tailops::Tools {

// get_service_status, list_services, get_journal_logs (system:read, observe) and restart_service
// (system:admin, control). systemd targets (those with /run/systemd/system) use systemctl; others the
// sysvinit "service" command and /etc/init.d. The journal is read with journalctl -o json.
void registerServiceTools(Mcp::Server &server);

// The parsers and argument checks behind the service tools, exposed for unit tests.
namespace Services {

// ^[A-Za-z0-9][A-Za-z0-9@._:-]{0,254}$ : a unit or init script name, never a path or an option.
bool isValidServiceName(const QString &name);

// What "systemctl show --property=... -- UNIT" prints (KEY=VALUE lines).
struct UnitStatus
{
    QString id;
    QString description;
    QString loadState;     // loaded, not-found, masked, ...
    QString activeState;   // active, inactive, failed, activating, ...
    QString subState;      // running, dead, exited, ...
    QString unitFileState; // enabled, disabled, static, ... (empty when not reported)
    qint64 mainPid = 0;
    QString since;         // StateChangeTimestamp: ISO 8601 when it was in UTC or "@unix", else systemctl's text
};
UnitStatus parseSystemctlShow(const QByteArray &output);
QStringList systemctlShowProperties();

// One line of "systemctl list-units --type=service --all --no-legend --plain --no-pager".
struct UnitListEntry
{
    QString unit;
    QString load;
    QString active;
    QString sub;
    QString description;
};
QList<UnitListEntry> parseListUnits(const QByteArray &output);

// sysvinit: LSB status exit codes (0 running, 1/2 dead with a pid or lock file, 3 stopped, 4 unknown)
// as systemd's words: {active_state, sub_state}.
std::pair<QString, QString> sysvStates(int exitCode, const QByteArray &output);
// Names of "ls -1 /etc/init.d" that are init scripts (not README, skeleton, rc, ... as service(8) skips them).
QStringList initScriptNames(const QByteArray &lsOutput);
// A main PID in a status message ("... is running (pid 1234)"), or 0.
qint64 pidInStatusOutput(const QByteArray &output);

// One entry of "journalctl -o json".
struct JournalEntry
{
    QString time;       // ISO 8601 UTC with milliseconds, from __REALTIME_TIMESTAMP
    QString unit;       // _SYSTEMD_UNIT, else UNIT; may be empty
    QString identifier; // SYSLOG_IDENTIFIER, else _COMM
    int priority = 6;   // 0 (emerg) .. 7 (debug)
    qint64 pid = 0;
    QString message;
};
struct JournalParse
{
    QList<JournalEntry> entries;
    int skippedLines = 0; // not JSON (e.g. a truncation marker or a line cut by the output cap)
};
JournalParse parseJournalJson(const QByteArray &output);
QString priorityName(int priority);

// journalctl arguments from the tool's: since ("1h" -> "-1h", dates, today/yesterday, "@unix") and
// priority (emerg..debug or 0..7). An error names what is accepted.
Core::Result<QString> journalSince(const QString &since);
Core::Result<QString> journalPriority(const QString &priority);

} // namespace Services

} // namespace Tailops::Tools
