#include "targetsloader.h"

#include "auth/scopes.h"
#include "config/yamlsupport_p.h"

#include <QRegularExpression>
#include <QSet>

namespace Tailops::Registry {

using namespace Config::Yaml;

namespace {

const QRegularExpression &idPattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    return re;
}

std::optional<Executor> executorFromName(const QString &name)
{
    if (name == u"local") {
        return Executor::Local;
    }
    if (name == u"ssh") {
        return Executor::Ssh;
    }
    if (name == u"docker") {
        return Executor::Docker;
    }
    if (name == u"http") {
        return Executor::Http;
    }
    return std::nullopt;
}

class TargetParser
{
public:
    TargetParser(Reporter &r, const Config::EnvLookup &env, QString id)
        : m_r(r)
        , m_env(env)
        , m_id(std::move(id))
    {
    }

    std::optional<Target> parse(const YAML::Node &node, const YAML::Node &keyNode)
    {
        m_target.id = m_id;
        m_target.line = keyNode.Mark().line + 1;
        if (!node.IsMap()) {
            error(node, QStringLiteral("must be a map of settings, not %1").arg(describe(node)));
            return std::nullopt;
        }
        for (const auto &entry : node) {
            const QString key = scalar(entry.first);
            static const QSet<QString> known { QStringLiteral("type"), QStringLiteral("executor"),
                                               QStringLiteral("connection"), QStringLiteral("capabilities"),
                                               QStringLiteral("constraints"), QStringLiteral("metadata"),
                                               QStringLiteral("description"), QStringLiteral("id") };
            if (!known.contains(key)) {
                m_r.warning(entry.first, prefix() + QStringLiteral("unknown key '%1' (ignored)").arg(key));
            }
        }
        if (const auto n = node["id"]; n && n.IsScalar() && scalar(n) != m_id) {
            error(n, QStringLiteral("'id: %1' differs from the map key").arg(scalar(n)));
        }
        std::optional<QString> executorName;
        if (const auto n = node["type"]) {
            if (auto v = string(n, QStringLiteral("type"))) {
                m_target.type = *v;
            }
        }
        if (const auto n = node["description"]) {
            if (auto v = string(n, QStringLiteral("description"))) {
                m_target.description = *v;
            }
        }
        if (const auto n = node["executor"]) {
            executorName = string(n, QStringLiteral("executor"));
        }
        const YAML::Node connection = node["connection"];
        if (connection) {
            parseConnection(connection, executorName);
        }
        resolveExecutor(node, executorName);
        if (const auto n = node["capabilities"]) {
            parseCapabilities(n);
        }
        if (const auto n = node["constraints"]) {
            parseConstraints(n);
        }
        if (const auto n = node["metadata"]) {
            parseMetadata(n);
        }
        validate(connection ? connection : node);
        if (m_errors > 0) {
            return std::nullopt;
        }
        return m_target;
    }

private:
    QString prefix() const { return QStringLiteral("target '%1': ").arg(m_id); }

    void error(const YAML::Node &at, const QString &message)
    {
        ++m_errors;
        m_r.error(at, prefix() + message);
    }

    std::optional<QString> string(const YAML::Node &n, const QString &what, bool expand = false)
    {
        if (!n.IsScalar()) {
            error(n, QStringLiteral("%1 must be a string, not %2").arg(what, describe(n)));
            return std::nullopt;
        }
        if (!expand) {
            return scalar(n);
        }
        auto expanded = Config::expandEnv(scalar(n), m_env);
        if (!expanded) {
            error(n, QStringLiteral("%1: %2").arg(what, expanded.error().message));
            return std::nullopt;
        }
        return *expanded;
    }

    std::optional<qint64> integer(const YAML::Node &n, const QString &what, qint64 min, qint64 max)
    {
        bool ok = false;
        const qint64 v = n.IsScalar() ? scalar(n).toLongLong(&ok) : 0;
        if (!ok) {
            error(n, QStringLiteral("%1 must be a whole number, not %2").arg(what, describe(n)));
            return std::nullopt;
        }
        if (v < min || v > max) {
            error(n, QStringLiteral("%1 must be between %2 and %3, not %4").arg(what).arg(min).arg(max).arg(v));
            return std::nullopt;
        }
        return v;
    }

    void parseConnection(const YAML::Node &c, std::optional<QString> &executorName)
    {
        if (!c.IsMap()) {
            error(c, QStringLiteral("connection must be a map, not %1").arg(describe(c)));
            return;
        }
        static const QSet<QString> known { QStringLiteral("executor"), QStringLiteral("host"), QStringLiteral("port"),
                                           QStringLiteral("username"), QStringLiteral("key_path"),
                                           QStringLiteral("socket_path"), QStringLiteral("url"),
                                           QStringLiteral("timeout"), QStringLiteral("tls_verify"),
                                           QStringLiteral("cert_path"), QStringLiteral("tls_ca"),
                                           QStringLiteral("tls_cert"), QStringLiteral("tls_key"),
                                           QStringLiteral("allowed_paths"), QStringLiteral("docker_host") };
        for (const auto &entry : c) {
            if (!known.contains(scalar(entry.first))) {
                m_r.warning(entry.first,
                            prefix() + QStringLiteral("connection: unknown key '%1' (ignored)").arg(scalar(entry.first)));
            }
        }
        if (const auto n = c["executor"]) {
            executorName = string(n, QStringLiteral("connection.executor"));
        }
        if (const auto n = c["host"]) {
            if (auto v = string(n, QStringLiteral("connection.host"), true)) {
                m_target.host = *v;
            }
        }
        if (const auto n = c["port"]) {
            if (auto v = integer(n, QStringLiteral("connection.port"), 1, 65535)) {
                m_target.port = int(*v);
            }
        }
        if (const auto n = c["username"]) {
            if (auto v = string(n, QStringLiteral("connection.username"), true)) {
                m_target.username = *v;
            }
        }
        if (const auto n = c["key_path"]) {
            if (auto v = string(n, QStringLiteral("connection.key_path"), true)) {
                m_target.keyPath = *v;
            }
        }
        if (const auto n = c["socket_path"]) {
            if (auto v = string(n, QStringLiteral("connection.socket_path"), true)) {
                m_target.socketPath = *v;
            }
        }
        if (const auto n = c["url"]) {
            if (auto v = string(n, QStringLiteral("connection.url"), true)) {
                m_target.url = *v;
            }
        }
        if (const auto n = c["timeout"]) {
            if (auto v = integer(n, QStringLiteral("connection.timeout"), 1, 3600)) {
                m_target.connectTimeoutSeconds = *v;
            }
        }
        if (const auto n = c["allowed_paths"]) {
            if (!n.IsSequence()) {
                error(n, QStringLiteral("connection.allowed_paths must be a list of URL paths, not %1").arg(describe(n)));
            } else {
                for (const auto &item : n) {
                    const auto v = string(item, QStringLiteral("connection.allowed_paths"));
                    if (v && !v->startsWith(u'/')) {
                        error(item, QStringLiteral("connection.allowed_paths: '%1' must start with /").arg(*v));
                    } else if (v) {
                        m_target.allowedPaths.append(*v);
                    }
                }
            }
        }
        if (const auto n = c["docker_host"]) {
            if (auto v = string(n, QStringLiteral("connection.docker_host"), true)) {
                static const QRegularExpression whitespace(QStringLiteral("\\s"));
                if (!v->startsWith(u"unix://") && !v->startsWith(u"tcp://") && !v->startsWith(u"ssh://")) {
                    error(n, QStringLiteral("connection.docker_host '%1' must start with unix://, tcp:// or ssh://").arg(*v));
                } else if (v->contains(whitespace) || v->contains(QChar(0)) || v->section(QStringLiteral("://"), 1).isEmpty()) {
                    error(n, QStringLiteral("connection.docker_host '%1' is not a valid Docker endpoint").arg(*v));
                } else {
                    m_target.dockerHost = *v;
                    m_dockerHostNode = n;
                }
            }
        }
        if (const auto n = c["cert_path"]) {
            if (auto v = string(n, QStringLiteral("connection.cert_path"), true)) {
                m_target.tlsCaFile = *v + QStringLiteral("/ca.pem");
                m_target.tlsCertFile = *v + QStringLiteral("/cert.pem");
                m_target.tlsKeyFile = *v + QStringLiteral("/key.pem");
            }
        }
        for (const auto &[key, field] : { std::pair { "tls_ca", &m_target.tlsCaFile }, std::pair { "tls_cert", &m_target.tlsCertFile },
                                          std::pair { "tls_key", &m_target.tlsKeyFile } }) {
            if (const auto n = c[key]) {
                if (auto v = string(n, QStringLiteral("connection.") + QLatin1StringView(key), true)) {
                    *field = *v;
                }
            }
        }
        // The original writes docker endpoints as host: "tcp://HOST:PORT".
        for (const QString &scheme : { QStringLiteral("tcp://"), QStringLiteral("unix://"), QStringLiteral("http://"), QStringLiteral("https://") }) {
            if (m_target.host.startsWith(scheme) && m_target.url.isEmpty()) {
                m_target.url = m_target.host;
                m_target.host.clear();
            }
        }
    }

    void resolveExecutor(const YAML::Node &node, const std::optional<QString> &executorName)
    {
        if (executorName) {
            if (const auto e = executorFromName(*executorName)) {
                m_target.executor = *e;
            } else {
                const YAML::Node connection = node["connection"];
                const YAML::Node at = connection && connection.IsMap() && connection["executor"] ? connection["executor"]
                                                                                                  : node["executor"];
                error(at, QStringLiteral("unknown executor '%1' (use local, ssh, docker or http)").arg(*executorName));
            }
            return;
        }
        // The original's examples omit connection.executor; infer it from the type.
        const QString type = m_target.type;
        if (type == u"local") {
            m_target.executor = Executor::Local;
        } else if (type == u"docker") {
            m_target.executor = Executor::Docker;
        } else if (type == u"http") {
            m_target.executor = Executor::Http;
        } else if (type == u"remote" || type == u"ssh") {
            m_target.executor = Executor::Ssh;
        } else {
            error(node["type"] ? node["type"] : node,
                  QStringLiteral("cannot tell the executor: set connection.executor (local, ssh, docker or http)"));
        }
    }

    void parseCapabilities(const YAML::Node &n)
    {
        if (!n.IsSequence()) {
            error(n, QStringLiteral("capabilities must be a list of scope names, not %1").arg(describe(n)));
            return;
        }
        for (const auto &item : n) {
            const auto v = string(item, QStringLiteral("capabilities"));
            if (!v) {
                continue;
            }
            if (!Auth::isKnownScope(*v)) {
                error(item, QStringLiteral("unknown capability '%1' (known: %2)")
                                .arg(*v, Auth::knownScopes().join(QStringLiteral(", "))));
                continue;
            }
            m_target.capabilities.append(*v);
        }
    }

    void parseConstraints(const YAML::Node &c)
    {
        if (!c.IsMap()) {
            error(c, QStringLiteral("constraints must be a map, not %1").arg(describe(c)));
            return;
        }
        static const QSet<QString> known { QStringLiteral("timeout"), QStringLiteral("concurrency"),
                                           QStringLiteral("sudo_policy"), QStringLiteral("max_output_bytes"),
                                           QStringLiteral("max_memory"), QStringLiteral("max_cpu") };
        for (const auto &entry : c) {
            if (!known.contains(scalar(entry.first))) {
                m_r.warning(entry.first,
                            prefix() + QStringLiteral("constraints: unknown key '%1' (ignored)").arg(scalar(entry.first)));
            }
        }
        if (const auto n = c["timeout"]) {
            if (auto v = integer(n, QStringLiteral("constraints.timeout"), 1, 86400)) {
                m_target.timeoutSeconds = *v;
            }
        }
        if (const auto n = c["concurrency"]) {
            if (auto v = integer(n, QStringLiteral("constraints.concurrency"), 1, 1024)) {
                m_target.concurrency = int(*v);
            }
        }
        if (const auto n = c["sudo_policy"]) {
            if (auto v = string(n, QStringLiteral("constraints.sudo_policy"))) {
                if (*v != u"none" && *v != u"limited" && *v != u"full") {
                    error(n, QStringLiteral("constraints.sudo_policy must be none, limited or full, not '%1'").arg(*v));
                } else {
                    m_target.sudoPolicy = *v;
                }
            }
        }
        if (const auto n = c["max_output_bytes"]) {
            if (auto v = integer(n, QStringLiteral("constraints.max_output_bytes"), 1024, 256 * 1024 * 1024)) {
                m_target.maxOutputBytes = *v;
            }
        }
    }

    void parseMetadata(const YAML::Node &m)
    {
        if (!m.IsMap()) {
            error(m, QStringLiteral("metadata must be a map, not %1").arg(describe(m)));
            return;
        }
        if (const auto tags = m["tags"]) {
            if (!tags.IsSequence()) {
                error(tags, QStringLiteral("metadata.tags must be a list, not %1").arg(describe(tags)));
                return;
            }
            for (const auto &t : tags) {
                if (auto v = string(t, QStringLiteral("metadata.tags"))) {
                    m_target.tags.append(*v);
                }
            }
        }
    }

    void validate(const YAML::Node &at)
    {
        switch (m_target.executor) {
        case Executor::Local:
            break;
        case Executor::Ssh:
            if (m_target.host.isEmpty()) {
                error(at, QStringLiteral("an ssh target needs connection.host"));
            }
            if (m_target.port == 0) {
                m_target.port = 22;
            }
            break;
        case Executor::Docker:
            if (!m_target.dockerHost.isEmpty()) {
                error(m_dockerHostNode, QStringLiteral("connection.docker_host is for ssh and local targets (the docker "
                                                       "CLI there); a docker target uses socket_path or host"));
            }
            if (m_target.socketPath.isEmpty() && m_target.host.isEmpty() && m_target.url.isEmpty()) {
                error(at, QStringLiteral("a docker target needs connection.socket_path or connection.host"));
            }
            if (!m_target.tlsCertFile.isEmpty() != !m_target.tlsKeyFile.isEmpty()) {
                error(at, QStringLiteral("TLS client authentication needs both tls_cert and tls_key"));
            }
            break;
        case Executor::Http:
            if (!m_target.dockerHost.isEmpty()) {
                error(m_dockerHostNode, QStringLiteral("connection.docker_host is for ssh and local targets, not http targets"));
            }
            if (m_target.url.isEmpty()) {
                error(at, QStringLiteral("an http target needs connection.url"));
            } else if (!m_target.url.startsWith(u"http://") && !m_target.url.startsWith(u"https://")) {
                error(at, QStringLiteral("connection.url must start with http:// or https://"));
            }
            break;
        }
        const QString &h = m_target.host;
        if (!h.isEmpty() && !isPlausibleHost(h)) {
            error(at, QStringLiteral("connection.host '%1' is not a valid host name or address").arg(h));
        }
    }

    Reporter &m_r;
    const Config::EnvLookup &m_env;
    QString m_id;
    Target m_target;
    YAML::Node m_dockerHostNode;
    int m_errors = 0;
};

} // namespace

QList<Target> parseTargets(const QByteArray &yaml, const QString &fileName, Config::Diagnostics &out,
                           const Config::EnvLookup &env)
{
    Reporter r(fileName, out);
    const auto root = parse(yaml, r);
    if (!root) {
        return {};
    }
    if (!root->IsMap()) {
        r.error(*root, QStringLiteral("the file must be a map with a 'targets' key, not %1").arg(describe(*root)));
        return {};
    }
    for (const auto &entry : *root) {
        const QString key = scalar(entry.first);
        if (key != u"version" && key != u"targets" && key != u"gateway") {
            r.warning(entry.first, QStringLiteral("unknown top-level key '%1' (ignored)").arg(key));
        }
    }
    const YAML::Node targets = (*root)["targets"];
    if (!targets) {
        r.error(*root, QStringLiteral("missing 'targets' (a map of target id to its settings)"));
        return {};
    }
    if (!targets.IsMap()) {
        r.error(targets, QStringLiteral("'targets' must be a map keyed by target id, not %1").arg(describe(targets)));
        return {};
    }
    QList<Target> result;
    QHash<QString, int> seen;
    for (const auto &entry : targets) {
        if (!entry.first.IsScalar()) {
            r.error(entry.first, QStringLiteral("a target id must be a string, not %1").arg(describe(entry.first)));
            continue;
        }
        const QString id = scalar(entry.first);
        if (!idPattern().match(id).hasMatch()) {
            r.error(entry.first, QStringLiteral("target '%1': the id must be 1-64 letters, digits, '.', '_' or '-'")
                                     .arg(id.left(80)));
            continue;
        }
        if (const auto it = seen.constFind(id); it != seen.cend()) {
            r.error(entry.first, QStringLiteral("target '%1': duplicate id (first defined on line %2)").arg(id).arg(*it));
            result.removeIf([&](const Target &t) { return t.id == id; });
            continue;
        }
        seen.insert(id, entry.first.Mark().line + 1);
        TargetParser parser(r, env, id);
        try {
            if (auto t = parser.parse(entry.second, entry.first)) {
                result.append(*t);
            }
        } catch (const YAML::Exception &e) {
            // yaml-cpp throws on some malformed shapes; report it against this target instead of crashing.
            r.error(entry.first, QStringLiteral("target '%1': %2").arg(id, QString::fromStdString(e.msg)));
        }
    }
    return result;
}

} // namespace Tailops::Registry
