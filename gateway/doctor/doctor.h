#pragma once

#include "config/gatewayconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Tailops::Doctor {

// The checks of the troubleshooting guide, one counterpart each, grouped as the guide groups them.
enum class Section { Configuration, Authentication, Targets, Docker, Audit, Network, Tailscale, System };

QString sectionName(Section section);                        // "Configuration", ...
std::optional<Section> sectionFromName(const QString &name); // case-insensitive, "configuration", "config", ...
QList<Section> allSections();

enum class Status { Ok, Warning, Failed, Skipped };

QString statusName(Status status); // "ok", "warning", "failed", "skipped"
QString statusMark(Status status); // "OK", "WARN", "FAIL", "SKIP" (the report's column)

// One finding: what was checked, how it went, and for anything but Ok, the command or edit that fixes it.
struct CheckResult
{
    QString id;    // stable: "auth.secret", "targets.ssh-key:web1", "network.listen:127.0.0.1:8080"
    Section section = Section::Configuration;
    QString title; // "Shared secret", "SSH identity of web1"
    Status status = Status::Ok;
    QString detail; // what was found (file:line:col findings, modes, owners, latencies)
    QString fix;    // a concrete command or edit; empty when Ok
    QString where;  // the file, socket, URL or address concerned
    qint64 durationMs = 0;

    QJsonObject toJson() const;
};

struct Options
{
    int timeoutMs = 5000;               // per network probe (TCP, HTTP, Docker, LocalAPI, OAuth)
    qint64 auditVerifyMaxBytes = 64LL << 20; // the chain check verifies at most this much of the newest files
    bool auditVerifyFull = false;       // verify every file of the log, head included, whatever its size
    // Listen addresses this process already serves (the console's running gateway): "in use" is then fine.
    QList<QUrl> servedUrls;
    // Called for every result as soon as it is known, on the thread running the checks.
    std::function<void(const CheckResult &)> progress;
};

// Runs every check (or those of SECTIONS) against CONFIG and the files of CONFIG.configDir. Blocking, each
// probe bounded by OPTIONS.timeoutMs: call it from a worker thread (or a command-line program).
QList<CheckResult> runChecks(const Config::GatewayConfig &config, const Options &options = {});
QList<CheckResult> runChecks(const Config::GatewayConfig &config, const QList<Section> &sections, const Options &options = {});
QList<CheckResult> runSection(const Config::GatewayConfig &config, Section section, const Options &options = {});

// Loads DIR/gateway.yaml as the gateway would (the findings are checked again by the Configuration section).
Config::GatewayConfig loadConfig(const QString &configDir);

// The readable report (the CLI prints it, the console's "Copy report" copies it):
//   Configuration
//     OK    gateway.yaml                    /home/ann/.config/tailops/gateway.yaml: valid
//     FAIL  Shared secret                   /home/ann/.config/tailops/secret is readable by others (mode 0644)
//           fix: chmod 600 /home/ann/.config/tailops/secret
//   ...
//   12 ok, 1 warning, 1 failed, 3 skipped
QString formatReport(const QList<CheckResult> &results);
QJsonObject reportToJson(const QList<CheckResult> &results);

struct Summary
{
    int ok = 0;
    int warnings = 0;
    int failed = 0;
    int skipped = 0;
};
Summary summarize(const QList<CheckResult> &results);

} // namespace Tailops::Doctor
