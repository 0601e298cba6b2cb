#include "policyloader.h"

#include "core/paths.h"

#include "auth/scopes.h"
#include "config/yamlsupport_p.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <cmath>

namespace Tailops::Policy {

namespace Y = Config::Yaml;

namespace {

constexpr qint64 kDefaultApprovalTimeout = 0; // 0: approvals.timeout of gateway.yaml (120 s by default)
constexpr qsizetype kMaxRules = 100000;

// Reads a list of glob strings, reporting each bad item at its own position. nullopt on any error.
std::optional<QList<Glob>> readGlobs(const YAML::Node &node, Y::Reporter &r, const QString &context)
{
    if (!node.IsSequence()) {
        r.error(node, QStringLiteral("%1 must be a list of strings, not %2").arg(context, Y::describe(node)));
        return std::nullopt;
    }
    if (node.size() == 0) {
        r.error(node, QStringLiteral("%1 must not be empty (use [\"*\"] for any)").arg(context));
        return std::nullopt;
    }
    QList<Glob> out;
    bool good = true;
    for (const auto &item : node) {
        if (!item.IsScalar()) {
            r.error(item, QStringLiteral("%1 must contain only strings, not %2").arg(context, Y::describe(item)));
            good = false;
            continue;
        }
        const QString text = Y::scalar(item);
        auto glob = Glob::compile(text);
        if (!glob) {
            r.error(item, QStringLiteral("%1: bad glob '%2': %3").arg(context, text, glob.error().message));
            good = false;
            continue;
        }
        out.append(std::move(*glob));
    }
    return good ? std::optional(out) : std::nullopt;
}

struct Patterns
{
    QList<Glob> plain; // bare globs
    QList<std::pair<QString, Glob>> prefixed; // ("user", glob), ("tag", glob), ("agent", glob)
};

// Splits "kind:rest" entries; `kinds` lists the accepted kinds; bare entries are allowed when
// `bareAllowed`. The shorthand "tag:ops" for callers becomes the tailnet tag "tag:ops".
std::optional<Patterns> readPatterns(const YAML::Node &node, Y::Reporter &r, const QString &context,
                                     const QStringList &kinds, bool bareAllowed, bool tailnetTags)
{
    if (!node.IsSequence()) {
        r.error(node, QStringLiteral("%1 must be a list of strings, not %2").arg(context, Y::describe(node)));
        return std::nullopt;
    }
    if (node.size() == 0) {
        r.error(node, QStringLiteral("%1 must not be empty (leave it out, or use [\"*\"], for any)").arg(context));
        return std::nullopt;
    }
    Patterns out;
    bool good = true;
    for (const auto &item : node) {
        if (!item.IsScalar()) {
            r.error(item, QStringLiteral("%1 must contain only strings, not %2").arg(context, Y::describe(item)));
            good = false;
            continue;
        }
        const QString text = Y::scalar(item);
        QString kind;
        QString rest = text;
        for (const QString &k : kinds) {
            if (text.startsWith(k + u':')) {
                kind = k;
                rest = text.mid(k.size() + 1);
                break;
            }
        }
        if (kind.isEmpty() && !bareAllowed) {
            r.error(item, QStringLiteral("%1: '%2' must start with %3").arg(context, text, kinds.join(QStringLiteral(": or ")) + u':'));
            good = false;
            continue;
        }
        if (kind == u"tag" && tailnetTags && !rest.startsWith(QStringLiteral("tag:")) && rest != u"*") {
            rest.prepend(QStringLiteral("tag:"));
        }
        auto glob = Glob::compile(rest);
        if (!glob) {
            r.error(item, QStringLiteral("%1: bad glob '%2': %3").arg(context, text, glob.error().message));
            good = false;
            continue;
        }
        if (kind.isEmpty()) {
            out.plain.append(std::move(*glob));
        } else {
            out.prefixed.append({ kind, std::move(*glob) });
        }
    }
    return good ? std::optional(out) : std::nullopt;
}

std::optional<double> readNumber(const YAML::Node &node, Y::Reporter &r, const QString &context)
{
    bool ok = false;
    const double value = node.IsScalar() ? Y::scalar(node).toDouble(&ok) : 0.0;
    if (!ok || !std::isfinite(value)) {
        r.error(node, QStringLiteral("%1 must be a number, not %2").arg(context, Y::describe(node)));
        return std::nullopt;
    }
    return value;
}

std::optional<ParamConstraint> readConstraint(const QString &argName, const YAML::Node &node, Y::Reporter &r,
                                              const QString &ruleContext)
{
    const QString context = QStringLiteral("%1: params.%2").arg(ruleContext, argName);
    if (!Y::checkMap(node, r, context, { "required", "enum", "pattern", "min", "max", "max_length", "path_prefixes" })) {
        return std::nullopt;
    }
    ParamConstraint c;
    c.name = argName;
    bool good = true;
    if (const auto n = node["required"]) {
        const auto v = Y::readBool(n, r, context + QStringLiteral(".required"));
        good = good && v.has_value();
        c.required = v.value_or(false);
    }
    if (const auto n = node["enum"]) {
        auto v = Y::readStringList(n, r, context + QStringLiteral(".enum"));
        if (v && v->isEmpty()) {
            r.error(n, QStringLiteral("%1.enum must not be empty").arg(context));
            v.reset();
        }
        good = good && v.has_value();
        c.enumValues = v;
    }
    if (const auto n = node["pattern"]) {
        if (const auto v = Y::readString(n, r, context + QStringLiteral(".pattern"))) {
            if (v->size() > ParamConstraint::kMaxPatternLength) {
                r.error(n, QStringLiteral("%1.pattern is %2 characters; the limit is %3")
                               .arg(context).arg(v->size()).arg(ParamConstraint::kMaxPatternLength));
                good = false;
            } else if (v->isEmpty()) {
                r.error(n, QStringLiteral("%1.pattern must not be empty").arg(context));
                good = false;
            } else {
                // Checked as written first, so the error offset refers to the user's text.
                const QRegularExpression plain(*v, QRegularExpression::UseUnicodePropertiesOption);
                QRegularExpression re(QRegularExpression::anchoredPattern(*v), QRegularExpression::UseUnicodePropertiesOption);
                if (!plain.isValid() || !re.isValid()) {
                    const QRegularExpression &bad = plain.isValid() ? re : plain;
                    r.error(n, QStringLiteral("%1.pattern is not a valid regular expression: %2 at offset %3")
                                   .arg(context, bad.errorString()).arg(bad.patternErrorOffset()));
                    good = false;
                } else {
                    re.optimize();
                    c.patternText = *v;
                    c.pattern = std::move(re);
                }
            }
        } else {
            good = false;
        }
    }
    if (const auto n = node["min"]) {
        c.min = readNumber(n, r, context + QStringLiteral(".min"));
        good = good && c.min.has_value();
    }
    if (const auto n = node["max"]) {
        c.max = readNumber(n, r, context + QStringLiteral(".max"));
        good = good && c.max.has_value();
    }
    if (c.min && c.max && *c.min > *c.max) {
        r.error(node["min"], QStringLiteral("%1: min (%2) is greater than max (%3)").arg(context).arg(*c.min).arg(*c.max));
        good = false;
    }
    if (const auto n = node["max_length"]) {
        c.maxLength = Y::readInt(n, r, context + QStringLiteral(".max_length"), 0, 100'000'000);
        good = good && c.maxLength.has_value();
    }
    if (const auto n = node["path_prefixes"]) {
        if (!n.IsSequence() || n.size() == 0) {
            r.error(n, QStringLiteral("%1.path_prefixes must be a non-empty list of absolute paths, not %2").arg(context, Y::describe(n)));
            good = false;
        } else {
            for (const auto &item : n) {
                const auto text = Y::readString(item, r, context + QStringLiteral(".path_prefixes"));
                if (!text) {
                    good = false;
                    continue;
                }
                if (text->split(u'/').contains(QStringLiteral(".."))) {
                    r.error(item, QStringLiteral("%1.path_prefixes: '%2' must not contain '..'").arg(context, *text));
                    good = false;
                    continue;
                }
                const auto normalised = Core::normalizePath(*text);
                if (!normalised) {
                    r.error(item, QStringLiteral("%1.path_prefixes: bad path prefix '%2': %3")
                                      .arg(context, QString(*text).replace(QChar(u'\0'), QStringLiteral("\\0")),
                                           normalised.error().message));
                    good = false;
                    continue;
                }
                if (*normalised == u"/") {
                    r.warning(item, QStringLiteral("%1.path_prefixes: '/' allows every path").arg(context));
                }
                c.pathPrefixes.append(*normalised);
            }
        }
    }
    if (!good) {
        return std::nullopt;
    }
    return c;
}

// Parses one rule. Returns nullopt on errors; `mightDeny` tells whether the broken rule was (or might
// have been) a deny rule.
std::optional<Rule> readRule(const YAML::Node &node, int position, Y::Reporter &r, QHash<QString, int> &names,
                             bool &mightDeny)
{
    mightDeny = true;
    const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    QString context = QStringLiteral("rule #%1").arg(position + 1);
    if (!node.IsMap()) {
        r.error(node, QStringLiteral("%1 must be a map, not %2").arg(context, Y::describe(node)));
        return std::nullopt;
    }
    Rule rule;
    rule.line = line;
    bool good = true;

    const auto nameNode = node["name"];
    if (!nameNode) {
        r.error(node, QStringLiteral("%1: 'name' is missing").arg(context));
        good = false;
    } else if (const auto name = Y::readString(nameNode, r, context + QStringLiteral(": name"))) {
        if (name->trimmed().isEmpty()) {
            r.error(nameNode, QStringLiteral("%1: name must not be empty").arg(context));
            good = false;
        } else {
            rule.name = *name;
            context = QStringLiteral("rule '%1'").arg(*name);
            if (const auto it = names.constFind(*name); it != names.cend()) {
                r.error(nameNode, QStringLiteral("%1: duplicate name (first used at line %2)").arg(context).arg(*it));
                good = false;
            } else {
                names.insert(*name, nameNode.Mark().line + 1);
            }
        }
    } else {
        good = false;
    }

    Y::checkMap(node, r, context,
                { "name", "description", "effect", "tools", "targets", "callers", "tier", "risk", "params", "approval_timeout" });

    if (const auto n = node["description"]) {
        const auto v = Y::readString(n, r, context + QStringLiteral(": description"));
        good = good && v.has_value();
        rule.description = v.value_or(QString());
    }

    const auto effectNode = node["effect"];
    bool effectKnown = false;
    if (!effectNode) {
        r.error(node, QStringLiteral("%1: 'effect' is missing (allow, deny or require_approval)").arg(context));
        good = false;
    } else if (const auto text = Y::readString(effectNode, r, context + QStringLiteral(": effect"))) {
        if (const auto effect = effectFromName(*text)) {
            rule.effect = *effect;
            mightDeny = *effect == Effect::Deny;
            effectKnown = true;
        } else {
            r.error(effectNode, QStringLiteral("%1: unknown effect '%2' (expected allow, deny or require_approval)").arg(context, *text));
            good = false;
        }
    } else {
        good = false;
    }

    const auto toolsNode = node["tools"];
    if (!toolsNode) {
        r.error(node, QStringLiteral("%1: 'tools' is missing (use [\"*\"] for every tool)").arg(context));
        good = false;
    } else if (auto globs = readGlobs(toolsNode, r, context + QStringLiteral(": tools"))) {
        for (Glob &g : *globs) {
            rule.tools.add(std::move(g));
        }
    } else {
        good = false;
    }

    if (const auto n = node["targets"]) {
        if (auto patterns = readPatterns(n, r, context + QStringLiteral(": targets"), { QStringLiteral("tag") }, true, false)) {
            rule.anyTarget = false;
            for (Glob &g : patterns->plain) {
                rule.anyTarget = rule.anyTarget || g.matchesEverything();
                rule.targetIds.add(std::move(g));
            }
            for (auto &[kind, g] : patterns->prefixed) {
                rule.targetTags.add(std::move(g));
            }
        } else {
            good = false;
        }
    }

    if (const auto n = node["callers"]) {
        if (auto patterns = readPatterns(n, r, context + QStringLiteral(": callers"),
                                         { QStringLiteral("user"), QStringLiteral("tag"), QStringLiteral("agent") }, true, true)) {
            rule.anyCaller = false;
            for (Glob &g : patterns->plain) {
                rule.anyCaller = rule.anyCaller || g.matchesEverything();
                rule.callerAgents.add(std::move(g));
            }
            for (auto &[kind, g] : patterns->prefixed) {
                if (kind == u"user") {
                    rule.callerUsers.add(std::move(g));
                } else if (kind == u"tag") {
                    rule.callerTags.add(std::move(g));
                } else {
                    rule.callerAgents.add(std::move(g));
                }
            }
        } else {
            good = false;
        }
    }

    if (const auto n = node["tier"]) {
        if (const auto text = Y::readString(n, r, context + QStringLiteral(": tier"))) {
            rule.tier = tierFromName(*text);
            if (!rule.tier) {
                r.error(n, QStringLiteral("%1: unknown tier '%2' (expected observe, control or admin)").arg(context, *text));
                good = false;
            }
        } else {
            good = false;
        }
    }

    if (const auto n = node["risk"]) {
        if (const auto list = Y::readStringList(n, r, context + QStringLiteral(": risk"))) {
            rule.riskMask = 0;
            for (const QString &text : *list) {
                if (const auto risk = riskFromName(text)) {
                    rule.riskMask |= 1u << static_cast<unsigned>(*risk);
                } else {
                    r.error(n, QStringLiteral("%1: unknown risk '%2' (expected low, moderate, high or critical)").arg(context, text));
                    good = false;
                }
            }
            if (list->isEmpty()) {
                r.error(n, QStringLiteral("%1: risk must not be empty").arg(context));
                good = false;
            }
        } else {
            good = false;
        }
    }

    if (const auto n = node["params"]) {
        if (effectKnown && rule.effect == Effect::Deny) {
            r.error(n, QStringLiteral("%1: params have no meaning on a deny rule (constraints narrow allow and require_approval rules)").arg(context));
            good = false;
        } else if (!n.IsMap()) {
            r.error(n, QStringLiteral("%1: params must be a map of argument names, not %2").arg(context, Y::describe(n)));
            good = false;
        } else {
            for (const auto &entry : n) {
                const QString argName = Y::scalar(entry.first);
                if (auto constraint = readConstraint(argName, entry.second, r, context)) {
                    rule.params.append(std::move(*constraint));
                } else {
                    good = false;
                }
            }
        }
    }

    if (const auto n = node["approval_timeout"]) {
        if (const auto seconds = Y::readDuration(n, r, context + QStringLiteral(": approval_timeout"))) {
            rule.approvalTimeoutSeconds = *seconds;
            if (rule.effect != Effect::RequireApproval) {
                r.warning(n, QStringLiteral("%1: approval_timeout only matters for require_approval rules").arg(context));
            }
        } else {
            good = false;
        }
    }

    if (!good) {
        return std::nullopt;
    }
    return rule;
}

std::optional<Grant> readGrant(const YAML::Node &node, int position, Y::Reporter &r)
{
    const QString context = QStringLiteral("grant #%1").arg(position + 1);
    if (!Y::checkMap(node, r, context, { "callers", "scopes" })) {
        return std::nullopt;
    }
    Grant grant;
    grant.line = node.Mark().line + 1;
    bool good = true;
    const auto callers = node["callers"];
    if (!callers) {
        r.error(node, QStringLiteral("%1: 'callers' is missing").arg(context));
        good = false;
    } else if (auto patterns = readPatterns(callers, r, context + QStringLiteral(": callers"),
                                            { QStringLiteral("user"), QStringLiteral("tag") }, false, true)) {
        for (auto &[kind, g] : patterns->prefixed) {
            (kind == u"user" ? grant.users : grant.tags).add(std::move(g));
        }
    } else {
        good = false;
    }
    const auto scopes = node["scopes"];
    if (!scopes) {
        r.error(node, QStringLiteral("%1: 'scopes' is missing").arg(context));
        good = false;
    } else if (const auto list = Y::readStringList(scopes, r, context + QStringLiteral(": scopes"))) {
        for (const QString &scope : *list) {
            if (!Auth::isKnownScope(scope)) {
                r.error(scopes, QStringLiteral("%1: unknown scope '%2'").arg(context, scope));
                good = false;
            }
        }
        grant.scopes = *list;
    } else {
        good = false;
    }
    return good ? std::optional(grant) : std::nullopt;
}

} // namespace

Core::Result<PolicyPtr> loadPolicy(const QByteArray &content, const QString &fileName, Config::Diagnostics &diagnostics,
                                   LoadMode mode)
{
    Y::Reporter r(fileName, diagnostics);
    const qsizetype errorsBefore = r.errorCount();
    const auto failed = [&] {
        return Core::fail(QStringLiteral("%1 has %2 error(s)").arg(fileName).arg(r.errorCount() - errorsBefore), fileName);
    };

    const auto parsed = Y::parse(content, r);
    if (!parsed) {
        return failed();
    }
    const YAML::Node &root = *parsed;
    if (!Y::checkMap(root, r, QStringLiteral("the policy"), { "version", "default", "approval_timeout", "grants", "rules" })) {
        return failed();
    }
    bool fileLevelError = false;

    if (const auto n = root["version"]) {
        const auto v = Y::readString(n, r, QStringLiteral("version"));
        if (!v) {
            fileLevelError = true;
        } else if (*v != u"1" && *v != u"1.0") {
            r.error(n, QStringLiteral("unsupported version '%1' (expected \"1\")").arg(*v));
            fileLevelError = true;
        }
    } else {
        r.warning(root, QStringLiteral("'version' is missing; assuming \"1\""));
    }

    Effect defaultEffect = Effect::Deny;
    if (const auto n = root["default"]) {
        const auto v = Y::readString(n, r, QStringLiteral("default"));
        if (v && *v == u"allow") {
            defaultEffect = Effect::Allow;
        } else if (!v || *v != u"deny") {
            if (v) {
                r.error(n, QStringLiteral("default must be deny or allow, not '%1'").arg(*v));
            }
            fileLevelError = true;
        }
    }

    qint64 approvalTimeout = kDefaultApprovalTimeout;
    if (const auto n = root["approval_timeout"]) {
        const auto v = Y::readDuration(n, r, QStringLiteral("approval_timeout"));
        fileLevelError = fileLevelError || !v;
        approvalTimeout = v.value_or(kDefaultApprovalTimeout);
    }

    QList<Grant> grants;
    if (const auto n = root["grants"]) {
        if (!n.IsSequence()) {
            r.error(n, QStringLiteral("grants must be a list, not %1").arg(Y::describe(n)));
            fileLevelError = true;
        } else {
            int i = 0;
            for (const auto &item : n) {
                if (auto grant = readGrant(item, i++, r)) {
                    grants.append(std::move(*grant));
                } else {
                    fileLevelError = true; // a broken grant is never silently dropped or half-applied
                }
            }
        }
    }

    QList<Rule> rules;
    bool droppedDeny = false;
    if (const auto n = root["rules"]) {
        if (!n.IsSequence()) {
            r.error(n, QStringLiteral("rules must be a list, not %1").arg(Y::describe(n)));
            fileLevelError = true;
        } else if (static_cast<qsizetype>(n.size()) > kMaxRules) {
            r.error(n, QStringLiteral("%1 rules; the limit is %2").arg(n.size()).arg(kMaxRules));
            fileLevelError = true;
        } else {
            QHash<QString, int> names;
            int i = 0;
            for (const auto &item : n) {
                bool mightDeny = true;
                if (auto rule = readRule(item, i++, r, names, mightDeny)) {
                    rules.append(std::move(*rule));
                } else {
                    droppedDeny = droppedDeny || mightDeny;
                }
            }
        }
    }

    const bool anyError = r.errorCount() > errorsBefore;
    if (fileLevelError || (anyError && (mode == LoadMode::Strict || droppedDeny))) {
        return failed();
    }
    return std::make_shared<const Policy>(defaultEffect, approvalTimeout, std::move(rules), std::move(grants));
}

Core::Result<PolicyPtr> loadPolicyFile(const QString &path, Config::Diagnostics &diagnostics, LoadMode mode)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        diagnostics.append(Config::Diagnostic { Config::Diagnostic::Severity::Error, path, 0, 0,
                                                QStringLiteral("cannot read: %1").arg(file.errorString()) });
        return Core::fail(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    }
    const QByteArray content = file.read(Y::kMaxFileBytes + 1);
    return loadPolicy(content, QFileInfo(path).fileName(), diagnostics, mode);
}

} // namespace Tailops::Policy
