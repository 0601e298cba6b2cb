#include "tokencommands.h"

#include "clisupport.h"

#include "auth/scopes.h"
#include "auth/tokenissuer.h"
#include "auth/tokenstore.h"
#include "config/duration.h"
#include "config/gatewayconfig.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdlib>

namespace Tailops::Cli {

namespace {

// gateway.yaml of the command line's --config-dir; nullopt (after printing why) when it has errors.
std::optional<Config::GatewayConfig> loadConfig(const QCommandLineParser &parser, const QString &command)
{
    Config::Diagnostics diagnostics;
    Config::GatewayConfig config = Config::loadGatewayConfig(configDir(parser), diagnostics);
    printDiagnostics(diagnostics);
    if (Config::hasErrors(diagnostics)) {
        printErr(QStringLiteral("tailops-gateway %1: fix the errors in gateway.yaml first (tailops-gateway check-config)").arg(command));
        return std::nullopt;
    }
    return config;
}

QString ago(const QDateTime &t, const QDateTime &now)
{
    if (!t.isValid()) {
        return QStringLiteral("-");
    }
    const qint64 delta = t.secsTo(now);
    return delta >= 0 ? QString(Auth::span(delta) + QStringLiteral(" ago")) : QString(QStringLiteral("in ") + Auth::span(delta));
}

QString expires(const QDateTime &expiry, const QDateTime &now)
{
    if (!expiry.isValid()) {
        return QStringLiteral("never");
    }
    const qint64 left = now.secsTo(expiry);
    return left >= 0 ? QString(QStringLiteral("in ") + Auth::span(left))
                     : QString(QStringLiteral("expired ") + Auth::span(left) + QStringLiteral(" ago"));
}

QString lastUsed(const std::optional<Auth::TokenUsage> &usage, const QDateTime &now)
{
    if (!usage || !usage->lastUsed.isValid()) {
        return QStringLiteral("never");
    }
    return usage->lastPeer.isEmpty() ? ago(usage->lastUsed, now)
                                     : QString(ago(usage->lastUsed, now) + QStringLiteral(" from ") + usage->lastPeer);
}

// An issueToken() error as `token mint` words it, naming its options.
QString mintError(const Core::Error &error, const Auth::IssueRequest &request)
{
    QString text;
    if (error.where == Auth::kIssueFieldAgent && request.agent.trimmed().isEmpty()) {
        text = QStringLiteral("--agent NAME is required");
    } else if (error.where == Auth::kIssueFieldScopes && request.scopes.isEmpty()) {
        text = QStringLiteral("--scopes is required (known: %1)").arg(Auth::knownScopes().join(QStringLiteral(", ")));
    } else if (error.where == Auth::kIssueFieldExpiry) {
        text = QString(QStringLiteral("--no-expiry ") + error.message);
    } else if (error.where == Auth::kIssueFieldTtl) {
        text = QString(QStringLiteral("--ttl ") + error.message);
    } else {
        text = error.message;
    }
    return QString(QStringLiteral("tailops-gateway token mint: ") + text);
}

int mint(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("agent"), QStringLiteral("Name of the agent the token is for."), QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("scopes"), QStringLiteral("Comma-separated scopes (e.g. system:read,network:read, "
                                                                "readonly, admin)."),
                       QStringLiteral("S1,S2") });
    parser.addOption({ QStringLiteral("host-tags"), QStringLiteral("Comma-separated target tags the token is limited to."),
                       QStringLiteral("T1,T2") });
    parser.addOption({ QStringLiteral("ttl"), QStringLiteral("Lifetime, e.g. 30m, 8h, 7d (default 8h; at most "
                                                             "auth.max_token_ttl)."),
                       QStringLiteral("TTL"), QStringLiteral("8h") });
    parser.addOption({ QStringLiteral("no-expiry"), QStringLiteral("A token that never expires (only with "
                                                                   "auth.require_expiry: false in gateway.yaml).") });
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("token mint"), args, &code)) {
        return code;
    }
    Auth::IssueRequest request;
    request.agent = parser.value(QStringLiteral("agent")).trimmed();
    for (const QString &s : parser.value(QStringLiteral("scopes")).split(u',', Qt::SkipEmptyParts)) {
        request.scopes.append(s.trimmed());
    }
    request.scopes.removeAll(QString());
    for (const QString &t : parser.value(QStringLiteral("host-tags")).split(u',', Qt::SkipEmptyParts)) {
        if (!t.trimmed().isEmpty()) {
            request.hostTags.append(t.trimmed());
        }
    }
    // What needs no configuration is checked before gateway.yaml is read.
    if (auto checked = Auth::checkIssueRequest(request); !checked) {
        printErr(mintError(checked.error(), request));
        return 2;
    }
    const auto config = loadConfig(parser, QStringLiteral("token mint"));
    if (!config) {
        return 2;
    }
    if (parser.isSet(QStringLiteral("no-expiry"))) {
        if (parser.isSet(QStringLiteral("ttl"))) {
            printErr(QStringLiteral("tailops-gateway token mint: --ttl and --no-expiry exclude each other"));
            return 2;
        }
        request.ttlSeconds = 0;
    } else {
        const auto ttl = Config::parseDuration(parser.value(QStringLiteral("ttl")));
        if (!ttl || *ttl <= 0) {
            printErr(QStringLiteral("tailops-gateway token mint: --ttl: %1")
                         .arg(ttl ? QStringLiteral("must be longer than 0") : ttl.error().message));
            return 2;
        }
        request.ttlSeconds = *ttl;
    }
    const auto issued = Auth::issueToken(*config, request);
    if (!issued) {
        printErr(mintError(issued.error(), request));
        return issued.error().where == Auth::kIssueFieldRegistry ? 1 : 2;
    }
    const Auth::TokenRecord &record = issued->record;
    printErr(QStringLiteral("token %1 for %2 recorded in %3 (revoke with: tailops-gateway token revoke %1)")
                 .arg(record.id, record.agent, issued->registryPath));
    printOut(QString::fromLatin1(issued->token));
    return 0;
}

int list(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print JSON instead of a table.") });
    parser.addOption({ QStringLiteral("all"), QStringLiteral("Include expired and revoked tokens.") });
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("token list"), args, &code)) {
        return code;
    }
    const auto config = loadConfig(parser, QStringLiteral("token list"));
    if (!config) {
        return 2;
    }
    const Auth::TokenStore store(config->tokensPath());
    const auto records = store.records();
    if (!records) {
        printErr(QStringLiteral("tailops-gateway token list: %1").arg(records.error().toString()));
        return 1;
    }
    auto usage = store.usage();
    if (!usage) {
        printErr(QStringLiteral("tailops-gateway token list: last use unknown: %1").arg(usage.error().toString()));
        usage = QHash<QString, Auth::TokenUsage> {};
    }
    const bool all = parser.isSet(QStringLiteral("all"));
    const QDateTime now = QDateTime::currentDateTimeUtc();

    QJsonArray json;
    QList<QStringList> rows;
    for (const Auth::TokenRecord &r : *records) {
        const Auth::TokenStatus status = Auth::tokenStatus(r, now);
        if (!all && status != Auth::TokenStatus::Active) {
            continue;
        }
        const std::optional<Auth::TokenUsage> used = usage->contains(r.hash) ? std::optional(usage->value(r.hash)) : std::nullopt;
        QJsonObject o = r.toJson();
        o.insert(QStringLiteral("status"), Auth::tokenStatusName(status));
        o.insert(QStringLiteral("last_used"), used ? QJsonValue(Auth::registryTime(used->lastUsed)) : QJsonValue());
        o.insert(QStringLiteral("last_peer"), used ? QJsonValue(used->lastPeer) : QJsonValue());
        o.insert(QStringLiteral("uses"), used ? used->uses : 0);
        json.append(o);
        rows.append({ r.id.isEmpty() ? r.hash : r.id, r.agent.isEmpty() ? QStringLiteral("-") : r.agent,
                      r.scopes.isEmpty() ? QStringLiteral("-") : r.scopes.join(u','), ago(r.issuedAt, now),
                      r.isRevoked() ? QStringLiteral("-") : expires(r.expiry, now), lastUsed(used, now),
                      Auth::tokenStatusName(status) });
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)).trimmed());
        return 0;
    }
    if (rows.isEmpty()) {
        printOut(all ? QStringLiteral("no tokens in %1").arg(store.path())
                     : QStringLiteral("no active tokens in %1 (--all shows expired and revoked ones)").arg(store.path()));
        return 0;
    }
    rows.prepend({ QStringLiteral("ID"), QStringLiteral("AGENT"), QStringLiteral("SCOPES"), QStringLiteral("ISSUED"),
                   QStringLiteral("EXPIRES"), QStringLiteral("LAST USED"), QStringLiteral("STATUS") });
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &row : std::as_const(rows)) {
        for (qsizetype i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths.at(i), row.at(i).size());
        }
    }
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i) {
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 2) : row.at(i);
        }
        printOut(line);
    }
    return 0;
}

int revoke(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(configDirOption());
    parser.addOption({ QStringLiteral("reason"), QStringLiteral("Why, for the registry (e.g. \"leaked in CI log\")."),
                       QStringLiteral("TEXT") });
    parser.addPositionalArgument(QStringLiteral("ID|HASH"), QStringLiteral("The token's id (see: tailops-gateway token list), "
                                                                           "or its hash sha256:... as the logs and the "
                                                                           "audit show it."));
    int code = 0;
    if (!parseArguments(parser, QStringLiteral("token revoke"), args, &code)) {
        return code;
    }
    if (parser.positionalArguments().size() != 1 || parser.positionalArguments().constFirst().trimmed().isEmpty()) {
        printErr(QStringLiteral("tailops-gateway token revoke: give exactly one token id or hash (see: tailops-gateway token list)"));
        return 2;
    }
    const QString which = parser.positionalArguments().constFirst().trimmed();
    if (which.startsWith(QStringLiteral("sha256:")) && !Auth::normalizeTokenHash(which)) {
        printErr(QStringLiteral("tailops-gateway token revoke: '%1' is not a token hash (sha256: and 12 hex digits)").arg(which.left(100)));
        return 2;
    }
    const auto config = loadConfig(parser, QStringLiteral("token revoke"));
    if (!config) {
        return 2;
    }
    const Auth::TokenStore store(config->tokensPath());
    const auto result = store.revoke(which, parser.value(QStringLiteral("reason")), QDateTime::currentDateTimeUtc());
    if (!result) {
        printErr(QStringLiteral("tailops-gateway token revoke: %1").arg(result.error().toString()));
        return 1;
    }
    const Auth::TokenRecord &r = result->record;
    const QString name = r.id.isEmpty() ? r.hash : r.id;
    if (result->alreadyRevoked) {
        printOut(QStringLiteral("token %1 was already revoked at %2").arg(name, Auth::registryTime(r.revokedAt)));
    } else if (result->added) {
        printOut(QStringLiteral("revoked token %1 (not minted here: recorded as a revocation)").arg(name));
    } else {
        printOut(QStringLiteral("revoked token %1 of %2").arg(name, r.agent));
    }
    return 0;
}

int help(const QStringList &)
{
    printOut(QStringLiteral("usage: tailops-gateway token COMMAND [--config-dir DIR] ...\n\n"
                            "  mint --agent NAME --scopes S1,S2 [--ttl 8h | --no-expiry] [--host-tags T1,T2]\n"
                            "                       print a new token and record it (never the token itself) in the registry\n"
                            "  list [--json] [--all] the registry: active tokens, with --all also expired and revoked ones\n"
                            "  revoke ID|HASH [--reason TEXT]\n"
                            "                       refuse a token from now on (a running gateway picks it up at once)\n\n"
                            "Run a command with --help for its options."));
    return 0;
}

} // namespace

int runTokenCommand(const QStringList &args)
{
    using Command = int (*)(const QStringList &);
    static const QHash<QString, Command> commands {
        { QStringLiteral("mint"), mint },
        { QStringLiteral("list"), list },
        { QStringLiteral("revoke"), revoke },
        { QStringLiteral("help"), help },
        { QStringLiteral("--help"), help },
    };
    const auto it = commands.constFind(args.value(0));
    if (it == commands.cend()) {
        printErr(args.isEmpty() ? QStringLiteral("tailops-gateway token: a command is needed")
                                : QStringLiteral("tailops-gateway token: unknown command '%1'").arg(args.value(0).left(100)));
        help({});
        return 2;
    }
    return (*it)(args.mid(1));
}

} // namespace Tailops::Cli
