#include "doctorcommand.h"

#include "clisupport.h"
#include "config/gatewayconfig.h"
#include "doctor/doctor.h"

#include <QJsonDocument>

namespace Tailops::Cli {

using namespace Qt::StringLiterals;

int runDoctorCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Runs every check of the troubleshooting guide and prints the fix for each problem."_s);
    parser.addOption(configDirOption());
    parser.addOption({ u"json"_s, u"Print the results as JSON."_s });
    parser.addOption({ u"section"_s,
                       u"Only this section (repeatable): configuration, authentication, targets, docker, audit, network, "
                       "tailscale, system."_s,
                       u"NAME"_s });
    parser.addOption({ u"timeout"_s, u"Seconds per network probe (default 5)."_s, u"S"_s, u"5"_s });
    parser.addOption({ u"full-audit"_s, u"Verify the whole audit chain, whatever its size."_s });
    int code = 0;
    if (!parseArguments(parser, u"doctor"_s, args, &code)) {
        return code;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("tailops-gateway doctor: unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
        return 2;
    }
    QList<Doctor::Section> sections;
    for (const QString &name : parser.values(u"section"_s)) {
        const auto section = Doctor::sectionFromName(name);
        if (!section) {
            printErr(QStringLiteral("tailops-gateway doctor: unknown section '%1' (configuration, authentication, targets, docker, "
                                    "audit, network, tailscale, system)")
                         .arg(name));
            return 2;
        }
        if (!sections.contains(*section)) {
            sections.append(*section);
        }
    }
    if (sections.isEmpty()) {
        sections = Doctor::allSections();
    }
    bool timeoutOk = false;
    const int timeout = parser.value(u"timeout"_s).toInt(&timeoutOk);
    if (!timeoutOk || timeout < 1 || timeout > 600) {
        printErr(u"tailops-gateway doctor: --timeout takes 1 to 600 seconds"_s);
        return 2;
    }
    Doctor::Options options;
    options.timeoutMs = timeout * 1000;
    options.auditVerifyFull = parser.isSet(u"full-audit"_s);
    Config::Diagnostics configDiagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), configDiagnostics);
    if (Config::hasErrors(configDiagnostics) && !sections.contains(Doctor::Section::Configuration)) {
        // The other sections would check defaults in place of the broken file: show why first.
        sections.prepend(Doctor::Section::Configuration);
    }
    const QList<Doctor::CheckResult> results = Doctor::runChecks(config, sections, options);
    if (parser.isSet(u"json"_s)) {
        QJsonObject report = Doctor::reportToJson(results);
        report.insert(u"config_dir"_s, config.configDir);
        printOut(QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Indented)).trimmed());
    } else {
        printOut(Doctor::formatReport(results).trimmed());
    }
    return Doctor::summarize(results).failed == 0 ? 0 : 1;
}

} // namespace Tailops::Cli
