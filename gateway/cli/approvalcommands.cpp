#include "approvalcommands.h"

#include "clisupport.h"

#include "approvals/adminclient.h"
#include "approvals/approvalbroker.h"
#include "config/duration.h"
#include "config/gatewayconfig.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <optional>

namespace Tailops::Cli {

namespace {

constexpr qsizetype kMaxArgumentsChars = 100;

QCommandLineOption socketOption()
{
    return QCommandLineOption(QStringLiteral("socket"),
                              QStringLiteral("The gateway's admin socket (default: admin.socket from gateway.yaml)."),
                              QStringLiteral("PATH"));
}

// Adds the options every command shares and parses. Returns -1 to go on, else the exit code.
int parse(QCommandLineParser &parser, const QString &name, const QStringList &args)
{
    parser.addOption(configDirOption());
    parser.addOption(socketOption());
    int code = 0;
    return parseArguments(parser, name, args, &code) ? -1 : code;
}

// The admin socket: --socket, else admin.socket of the configuration. Errors are printed.
std::optional<QString> socketPath(const QCommandLineParser &parser, const QString &name)
{
    if (parser.isSet(QStringLiteral("socket"))) {
        return QDir::cleanPath(QDir().absoluteFilePath(parser.value(QStringLiteral("socket"))));
    }
    Config::Diagnostics diagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), diagnostics);
    if (Config::hasErrors(diagnostics)) {
        printDiagnostics(diagnostics);
        printErr(QStringLiteral("tailops-gateway %1: cannot find the admin socket: fix gateway.yaml (tailops-gateway "
                                "check-config) or pass --socket PATH")
                     .arg(name));
        return std::nullopt;
    }
    return config.adminSocketPath();
}

// The options to repeat in follow-up commands so they reach the same gateway.
QString sameGatewayOptions(const QCommandLineParser &parser)
{
    QString options;
    if (parser.isSet(QStringLiteral("socket"))) {
        options += QStringLiteral(" --socket ") + parser.value(QStringLiteral("socket"));
    } else if (parser.isSet(QStringLiteral("config-dir"))) {
        options += QStringLiteral(" --config-dir ") + parser.value(QStringLiteral("config-dir"));
    }
    return options;
}

// Sends REQUEST; on success returns the answer. Otherwise prints why and sets *CODE (2: no gateway, 1: refused).
std::optional<QJsonObject> ask(const QCommandLineParser &parser, const QString &name, const QJsonObject &request,
                               int *code)
{
    const std::optional<QString> socket = socketPath(parser, name);
    if (!socket) {
        *code = 2;
        return std::nullopt;
    }
    const auto answer = Approvals::AdminClient::call(*socket, request);
    if (!answer) {
        printErr(QStringLiteral("tailops-gateway %1: %2").arg(name, answer.error().toString()));
        *code = 2;
        return std::nullopt;
    }
    if (!answer->value(QStringLiteral("ok")).toBool()) {
        const QString error = answer->value(QStringLiteral("error")).toString();
        printErr(QStringLiteral("tailops-gateway %1: refused by the gateway: %2")
                     .arg(name, error.isEmpty() ? QStringLiteral("(no reason given)") : error));
        *code = 1;
        return std::nullopt;
    }
    *code = 0;
    return *answer;
}

// One positional argument, or a usage error (printed).
std::optional<QString> onePositional(const QCommandLineParser &parser, const QString &name, const QString &what)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || positional.first().isEmpty()) {
        printErr(QStringLiteral("tailops-gateway %1: expected exactly one %2 (see --help)").arg(name, what));
        return std::nullopt;
    }
    return positional.first();
}

QString switchesLine(const QJsonObject &answer)
{
    const bool paused = answer.value(QStringLiteral("paused")).toBool();
    const bool readOnly = answer.value(QStringLiteral("read_only")).toBool();
    QStringList parts;
    parts.append(paused ? QStringLiteral("PAUSED: tool calls are refused (undo: tailops-gateway resume)")
                        : QStringLiteral("running"));
    if (readOnly) {
        parts.append(QStringLiteral("READ-ONLY: mutating tools are refused (undo: tailops-gateway read-only off)"));
    }
    return parts.join(QStringLiteral("; "));
}

QString compactArguments(const QJsonObject &arguments)
{
    QString text = QString::fromUtf8(QJsonDocument(arguments).toJson(QJsonDocument::Compact));
    if (text.size() > kMaxArgumentsChars) {
        // Loud, so nobody approves what they did not see.
        text = QString(text.left(kMaxArgumentsChars) + QStringLiteral(" ...[TRUNCATED: %1 more characters; read them "
                                                                     "all with: approvals list --json]")
                                                          .arg(text.size() - kMaxArgumentsChars));
    }
    return text;
}

// Prints ROWS as left-aligned columns under HEADER.
void printTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header) {
        widths.append(h.size());
    }
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths.at(i), row.at(i).size());
        }
    }
    auto line = [&widths](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            text += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.at(i) + 2) : cells.at(i);
        }
        return text;
    };
    printOut(line(header));
    for (const QStringList &row : rows) {
        printOut(line(row));
    }
}

int list(const QStringList &args)
{
    const QString name = QStringLiteral("approvals list");
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the gateway's answer as JSON.") });
    if (const int code = parse(parser, name, args); code >= 0) {
        return code;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("tailops-gateway %1: takes no arguments (see --help)").arg(name));
        return 2;
    }
    int code = 0;
    const auto answer = ask(parser, name, QJsonObject { { QStringLiteral("cmd"), QStringLiteral("list") } }, &code);
    if (!answer) {
        return code;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(*answer).toJson(QJsonDocument::Compact)));
        return 0;
    }
    const QString again = sameGatewayOptions(parser);
    printOut(QStringLiteral("gateway: %1").arg(switchesLine(*answer)));

    const QJsonArray pending = answer->value(QStringLiteral("pending")).toArray();
    if (pending.isEmpty()) {
        printOut(QStringLiteral("no approvals pending"));
    } else {
        printOut(QStringLiteral("%1 pending:").arg(pending.size() == 1 ? QStringLiteral("1 approval")
                                                                        : QStringLiteral("%1 approvals").arg(pending.size())));
        QList<QStringList> rows;
        for (const QJsonValue &v : pending) {
            const QJsonObject r = v.toObject();
            rows.append(QStringList { r.value(QStringLiteral("id")).toString(),
                Approvals::humanDuration(r.value(QStringLiteral("age_seconds")).toInteger()),
                Approvals::humanDuration(r.value(QStringLiteral("seconds_left")).toInteger()),
                r.value(QStringLiteral("caller")).toString(), r.value(QStringLiteral("tool")).toString(),
                r.value(QStringLiteral("target")).toString(),
                compactArguments(r.value(QStringLiteral("arguments")).toObject()) });
        }
        printTable({ QStringLiteral("ID"), QStringLiteral("AGE"), QStringLiteral("LEFT"), QStringLiteral("CALLER"),
                       QStringLiteral("TOOL"), QStringLiteral("TARGET"), QStringLiteral("ARGUMENTS") },
                   rows);
        for (const QJsonValue &v : pending) {
            const QJsonObject r = v.toObject();
            const QString reason = r.value(QStringLiteral("reason")).toString();
            const QString rule = r.value(QStringLiteral("rule")).toString();
            if (!reason.isEmpty() || !rule.isEmpty()) {
                printOut(QStringLiteral("  %1: %2%3")
                             .arg(r.value(QStringLiteral("id")).toString(), reason,
                                  rule.isEmpty() ? QString() : QStringLiteral(" (rule %1)").arg(rule)));
            }
        }
        const QString id = pending.first().toObject().value(QStringLiteral("id")).toString();
        printOut(QString());
        printOut(QStringLiteral("approve:                     tailops-gateway approvals approve %1%2").arg(id, again));
        printOut(
            QStringLiteral("approve identical calls too: tailops-gateway approvals approve %1 --for 10m%2").arg(id, again));
        printOut(QStringLiteral("deny:                        tailops-gateway approvals deny %1 --reason TEXT%2")
                     .arg(id, again));
        printOut(QStringLiteral("deny identical calls too:    tailops-gateway approvals deny %1 --remember%2")
                     .arg(id, again));
    }

    const QJsonArray grants = answer->value(QStringLiteral("grants")).toArray();
    if (!grants.isEmpty()) {
        printOut(QString());
        printOut(QStringLiteral("active grants (identical calls are approved without asking):"));
        QList<QStringList> rows;
        for (const QJsonValue &v : grants) {
            const QJsonObject g = v.toObject();
            rows.append(QStringList { Approvals::humanDuration(g.value(QStringLiteral("seconds_left")).toInteger()),
                g.value(QStringLiteral("caller")).toString(), g.value(QStringLiteral("tool")).toString(),
                g.value(QStringLiteral("target")).toString(), g.value(QStringLiteral("approver")).toString(),
                g.value(QStringLiteral("binding")).toString() });
        }
        printTable({ QStringLiteral("LEFT"), QStringLiteral("CALLER"), QStringLiteral("TOOL"), QStringLiteral("TARGET"),
                       QStringLiteral("BY"), QStringLiteral("BINDING") },
                   rows);
        printOut(QStringLiteral("end a grant: tailops-gateway approvals revoke BINDING%1").arg(again));
    }

    const QJsonArray denials = answer->value(QStringLiteral("denials")).toArray();
    if (!denials.isEmpty()) {
        printOut(QString());
        printOut(QStringLiteral("remembered denials (identical calls are denied at once):"));
        QList<QStringList> rows;
        for (const QJsonValue &v : denials) {
            const QJsonObject d = v.toObject();
            rows.append(QStringList { d.value(QStringLiteral("caller")).toString(), d.value(QStringLiteral("tool")).toString(),
                d.value(QStringLiteral("target")).toString(), d.value(QStringLiteral("approver")).toString(),
                d.value(QStringLiteral("binding")).toString() });
        }
        printTable({ QStringLiteral("CALLER"), QStringLiteral("TOOL"), QStringLiteral("TARGET"), QStringLiteral("BY"),
                       QStringLiteral("BINDING") },
                   rows);
        printOut(QStringLiteral("forget one: tailops-gateway approvals forget BINDING%1").arg(again));
    }
    return 0;
}

int approve(const QStringList &args)
{
    const QString name = QStringLiteral("approvals approve");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The approval's id (see approvals list)."),
                                 QStringLiteral("ID"));
    parser.addOption({ QStringLiteral("for"),
                       QStringLiteral("Also approve identical calls (same caller, tool, target and arguments) "
                                      "without asking for this long: 90s, 10m, 2h (at most 24h)."),
                       QStringLiteral("DURATION") });
    if (const int code = parse(parser, name, args); code >= 0) {
        return code;
    }
    const std::optional<QString> id = onePositional(parser, name, QStringLiteral("ID"));
    if (!id) {
        return 2;
    }
    qint64 seconds = 0;
    if (parser.isSet(QStringLiteral("for"))) {
        const auto duration = Config::parseDuration(parser.value(QStringLiteral("for")));
        if (!duration || *duration <= 0) {
            printErr(QStringLiteral("tailops-gateway %1: --for: expected a duration like 90s, 10m or 2h, got '%2'")
                         .arg(name, parser.value(QStringLiteral("for"))));
            return 2;
        }
        seconds = *duration;
    }
    QJsonObject request { { QStringLiteral("cmd"), QStringLiteral("approve") }, { QStringLiteral("id"), *id } };
    if (seconds > 0) {
        request.insert(QStringLiteral("for_seconds"), seconds);
    }
    int code = 0;
    const auto answer = ask(parser, name, request, &code);
    if (!answer) {
        return code;
    }
    const QString grant = answer->value(QStringLiteral("grant")).toString();
    printOut(grant.isEmpty()
                 ? QStringLiteral("approved %1").arg(*id)
                 : QStringLiteral("approved %1; identical calls are approved without asking (%2)").arg(*id, grant));
    return 0;
}

int deny(const QStringList &args)
{
    const QString name = QStringLiteral("approvals deny");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The approval's id (see approvals list)."),
                                 QStringLiteral("ID"));
    parser.addOption({ QStringLiteral("remember"),
                       QStringLiteral("Also deny identical calls at once from now on (until the gateway restarts or "
                                      "approvals forget).") });
    parser.addOption({ QStringLiteral("reason"), QStringLiteral("Why, for the caller and the audit log."),
                       QStringLiteral("TEXT") });
    if (const int code = parse(parser, name, args); code >= 0) {
        return code;
    }
    const std::optional<QString> id = onePositional(parser, name, QStringLiteral("ID"));
    if (!id) {
        return 2;
    }
    QJsonObject request { { QStringLiteral("cmd"), QStringLiteral("deny") }, { QStringLiteral("id"), *id },
        { QStringLiteral("remember"), parser.isSet(QStringLiteral("remember")) } };
    if (parser.isSet(QStringLiteral("reason"))) {
        request.insert(QStringLiteral("reason"), parser.value(QStringLiteral("reason")));
    }
    int code = 0;
    const auto answer = ask(parser, name, request, &code);
    if (!answer) {
        return code;
    }
    printOut(answer->value(QStringLiteral("remembered")).toBool()
                 ? QStringLiteral("denied %1; identical calls are denied at once from now on (see approvals list)")
                       .arg(*id)
                 : QStringLiteral("denied %1").arg(*id));
    return 0;
}

// revoke BINDING / forget BINDING.
int byBinding(const QString &command, const QString &cmd, const QString &done, const QStringList &args)
{
    const QString name = QStringLiteral("approvals ") + command;
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("binding"), QStringLiteral("The binding shown by approvals list."),
                                 QStringLiteral("BINDING"));
    if (const int code = parse(parser, name, args); code >= 0) {
        return code;
    }
    const std::optional<QString> binding = onePositional(parser, name, QStringLiteral("BINDING"));
    if (!binding) {
        return 2;
    }
    int code = 0;
    const auto answer = ask(parser, name,
                            QJsonObject { { QStringLiteral("cmd"), cmd }, { QStringLiteral("binding"), *binding } },
                            &code);
    if (answer) {
        printOut(done);
    }
    return code;
}

void approvalsUsage()
{
    printErr(QStringLiteral(
        "usage: tailops-gateway approvals list [--json]\n"
        "       tailops-gateway approvals approve ID [--for 10m]\n"
        "       tailops-gateway approvals deny ID [--remember] [--reason TEXT]\n"
        "       tailops-gateway approvals revoke BINDING\n"
        "       tailops-gateway approvals forget BINDING\n"
        "Every command takes --config-dir DIR (whose gateway.yaml names admin.socket) or --socket PATH."));
}

} // namespace

int runApprovalsCommand(const QStringList &args)
{
    if (args.isEmpty()) {
        approvalsUsage();
        return 2;
    }
    const QString command = args.first();
    const QStringList rest = args.mid(1);
    if (command == u"list") {
        return list(rest);
    }
    if (command == u"approve") {
        return approve(rest);
    }
    if (command == u"deny") {
        return deny(rest);
    }
    if (command == u"revoke") {
        return byBinding(command, QStringLiteral("revoke_grant"), QStringLiteral("grant revoked"), rest);
    }
    if (command == u"forget") {
        return byBinding(command, QStringLiteral("forget"), QStringLiteral("denial forgotten"), rest);
    }
    if (command == u"help" || command == u"--help" || command == u"-h") {
        approvalsUsage();
        return 0;
    }
    printErr(QStringLiteral("tailops-gateway approvals: unknown command '%1'").arg(command));
    approvalsUsage();
    return 2;
}

int runSwitchCommand(const QString &command, const QStringList &args)
{
    QCommandLineParser parser;
    QJsonObject request;
    if (command == u"pause") {
        request.insert(QStringLiteral("cmd"), QStringLiteral("pause"));
    } else if (command == u"resume") {
        request.insert(QStringLiteral("cmd"), QStringLiteral("resume"));
    } else if (command == u"read-only") {
        parser.addPositionalArgument(QStringLiteral("state"), QStringLiteral("on: refuse mutating tools; off: allow "
                                                                             "them again."),
                                     QStringLiteral("on|off"));
        request.insert(QStringLiteral("cmd"), QStringLiteral("read_only"));
    } else {
        printErr(QStringLiteral("tailops-gateway: unknown switch '%1' (pause, resume, read-only on|off)").arg(command));
        return 2;
    }
    if (const int code = parse(parser, command, args); code >= 0) {
        return code;
    }
    if (command == u"read-only") {
        const std::optional<QString> state = onePositional(parser, command, QStringLiteral("on or off"));
        if (!state) {
            return 2;
        }
        if (*state != u"on" && *state != u"off") {
            printErr(QStringLiteral("tailops-gateway read-only: expected on or off, got '%1'").arg(*state));
            return 2;
        }
        request.insert(QStringLiteral("on"), *state == u"on");
    } else if (!parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("tailops-gateway %1: takes no arguments (see --help)").arg(command));
        return 2;
    }
    int code = 0;
    const auto answer = ask(parser, command, request, &code);
    if (!answer) {
        return code;
    }
    printOut(QStringLiteral("gateway: %1").arg(switchesLine(*answer)));
    return 0;
}

} // namespace Tailops::Cli
