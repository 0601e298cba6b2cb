#include "sshconfigimport.h"

#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace Tailops::Registry {

namespace {

struct HostBlock
{
    QStringList patterns;
    int line = 0;
    QHash<QString, QString> options; // lower-case keyword -> first value (ssh uses the first one it sees)
};

QString expandHome(QString path, const QString &home)
{
    if (path.startsWith(QStringLiteral("~/"))) {
        path = home + path.mid(1);
    }
    return path.replace(QStringLiteral("%d"), home);
}

QString sanitizeId(const QString &alias)
{
    QString id = alias;
    id.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("-"));
    while (id.startsWith(u'-') || id.startsWith(u'.') || id.startsWith(u'_')) {
        id.remove(0, 1);
    }
    return id.left(64);
}

void parseInto(const QByteArray &text, const QString &fileName, const QString &home, QList<HostBlock> &blocks,
               Config::Diagnostics &out, int depth)
{
    int lineNo = 0;
    for (const QByteArray &raw : text.split('\n')) {
        ++lineNo;
        QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(u'#')) {
            continue;
        }
        // "Keyword value" or "Keyword=value"
        static const QRegularExpression split(QStringLiteral("^(\\S+?)\\s*(?:=\\s*|\\s+)(.*)$"));
        const auto m = split.match(line);
        if (!m.hasMatch()) {
            out.append({ Config::Diagnostic::Severity::Warning, fileName, lineNo, 1,
                         QStringLiteral("cannot read '%1' (ignored)").arg(line.left(80)) });
            continue;
        }
        const QString keyword = m.captured(1).toLower();
        QString value = m.captured(2).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"')) {
            value = value.mid(1, value.size() - 2);
        }
        if (keyword == u"host") {
            blocks.append(HostBlock { value.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts), lineNo, {} });
        } else if (keyword == u"match") {
            blocks.append(HostBlock { {}, lineNo, {} }); // Match blocks are not imported
        } else if (keyword == u"include") {
            if (depth >= 3) {
                continue;
            }
            for (const QString &pattern : value.split(u' ', Qt::SkipEmptyParts)) {
                QString path = expandHome(pattern, home);
                if (QDir::isRelativePath(path)) {
                    path = home + QStringLiteral("/.ssh/") + path;
                }
                const QFileInfo info(path);
                const QStringList matches = QDir(info.path()).entryList({ info.fileName() }, QDir::Files, QDir::Name);
                for (const QString &match : matches) {
                    QFile f(QDir(info.path()).filePath(match));
                    if (f.open(QIODevice::ReadOnly)) {
                        parseInto(f.read(1024 * 1024), f.fileName(), home, blocks, out, depth + 1);
                    }
                }
            }
        } else if (!blocks.isEmpty() && !blocks.last().options.contains(keyword)) {
            blocks.last().options.insert(keyword, value);
        } else if (blocks.isEmpty()) {
            // options before any Host apply to all hosts, like "Host *"
            blocks.append(HostBlock { { QStringLiteral("*") }, lineNo, { { keyword, value } } });
        }
    }
}

// As ssh matches Host lines: a negated pattern that matches excludes the block, else any pattern matching
// (with * and ?) includes it; case-insensitive.
bool blockApplies(const QStringList &patterns, const QString &alias)
{
    const QString name = alias.toLower();
    bool positive = false;
    for (const QString &p : patterns) {
        if (p.startsWith(u'!')) {
            if (Core::globMatch(p.mid(1).toLower(), name)) {
                return false;
            }
        } else if (Core::globMatch(p.toLower(), name)) {
            positive = true;
        }
    }
    return positive;
}

} // namespace

QList<Target> parseSshConfig(const QByteArray &text, const QString &fileName, const QString &homeDir,
                             Config::Diagnostics &out)
{
    QList<HostBlock> blocks;
    parseInto(text, fileName, homeDir, blocks, out, 0);
    QList<Target> targets;
    QSet<QString> seen;
    for (const HostBlock &block : std::as_const(blocks)) {
        for (const QString &alias : block.patterns) {
            if (alias.contains(u'*') || alias.contains(u'?') || alias.startsWith(u'!')) {
                continue;
            }
            const QString id = sanitizeId(alias);
            if (id.isEmpty() || seen.contains(id)) {
                continue;
            }
            // ssh takes the first value for each option, in file order, across matching blocks.
            QHash<QString, QString> options;
            for (const HostBlock &b : std::as_const(blocks)) {
                if (!blockApplies(b.patterns, alias)) {
                    continue;
                }
                for (auto it = b.options.cbegin(); it != b.options.cend(); ++it) {
                    if (!options.contains(it.key())) {
                        options.insert(it.key(), it.value());
                    }
                }
            }
            Target t;
            t.id = id;
            t.type = QStringLiteral("remote");
            t.executor = Executor::Ssh;
            t.host = options.value(QStringLiteral("hostname"), alias).replace(QStringLiteral("%h"), alias);
            if (!isPlausibleHost(t.host)) {
                // The targets loader would refuse it: say so here, where the Host block is known.
                out.append({ Config::Diagnostic::Severity::Warning, fileName, block.line, 1,
                             QStringLiteral("Host %1: HostName '%2' is not a valid host name or address (skipped)")
                                 .arg(alias, t.host) });
                continue;
            }
            bool ok = false;
            const int port = options.value(QStringLiteral("port"), QStringLiteral("22")).toInt(&ok);
            if (!ok || port < 1 || port > 65535) {
                out.append({ Config::Diagnostic::Severity::Warning, fileName, block.line, 1,
                             QStringLiteral("Host %1: bad Port '%2' (using 22)").arg(alias, options.value(QStringLiteral("port"))) });
            }
            t.port = ok && port >= 1 && port <= 65535 ? port : 22;
            t.username = options.value(QStringLiteral("user"));
            if (options.contains(QStringLiteral("identityfile"))) {
                t.keyPath = expandHome(options.value(QStringLiteral("identityfile")), homeDir);
            }
            // A control character or undecodable byte in a user name or key path is a broken file, never a
            // real account or key: refuse the host rather than write a value that means something else.
            const auto garbled = [](const QString &v) {
                return std::any_of(v.cbegin(), v.cend(), [](QChar c) { return c.category() == QChar::Other_Control || c == QChar::ReplacementCharacter; });
            };
            if (garbled(t.username) || garbled(t.keyPath)) {
                out.append({ Config::Diagnostic::Severity::Warning, fileName, block.line, 1,
                             QStringLiteral("Host %1: User or IdentityFile holds control characters or invalid UTF-8 (skipped)")
                                 .arg(alias) });
                continue;
            }
            t.description = QStringLiteral("imported from %1 (Host %2)").arg(QFileInfo(fileName).fileName(), alias);
            t.capabilities = { QStringLiteral("system:read"), QStringLiteral("network:read") };
            t.tags = { QStringLiteral("ssh-config") };
            t.line = block.line;
            seen.insert(id);
            targets.append(t);
        }
    }
    return targets;
}

QList<Target> importSshConfig(const QString &file, const QString &homeDir, Config::Diagnostics &out)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        out.append({ Config::Diagnostic::Severity::Error, QFileInfo(file).fileName(), 0, 0,
                     QStringLiteral("cannot read %1: %2").arg(file, f.errorString()) });
        return {};
    }
    return parseSshConfig(f.read(4 * 1024 * 1024), file, homeDir, out);
}

QByteArray targetsToYaml(const QList<Target> &targets)
{
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << "1.0";
    e << YAML::Key << "targets" << YAML::Value << YAML::BeginMap;
    const auto s = [](const QString &v) { return v.toStdString(); };
    for (const Target &t : targets) {
        e << YAML::Key << s(t.id) << YAML::Value << YAML::BeginMap;
        e << YAML::Key << "type" << YAML::Value << s(t.type);
        if (!t.description.isEmpty()) {
            e << YAML::Key << "description" << YAML::Value << s(t.description);
        }
        e << YAML::Key << "connection" << YAML::Value << YAML::BeginMap;
        e << YAML::Key << "executor" << YAML::Value << s(executorName(t.executor));
        if (!t.host.isEmpty()) {
            e << YAML::Key << "host" << YAML::Value << s(t.host);
        }
        if (t.port > 0) {
            e << YAML::Key << "port" << YAML::Value << t.port;
        }
        if (!t.username.isEmpty()) {
            e << YAML::Key << "username" << YAML::Value << s(t.username);
        }
        if (!t.keyPath.isEmpty()) {
            e << YAML::Key << "key_path" << YAML::Value << s(t.keyPath);
        }
        if (!t.socketPath.isEmpty()) {
            e << YAML::Key << "socket_path" << YAML::Value << s(t.socketPath);
        }
        if (!t.url.isEmpty()) {
            e << YAML::Key << "url" << YAML::Value << s(t.url);
        }
        e << YAML::EndMap;
        e << YAML::Key << "capabilities" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &c : t.capabilities) {
            e << s(c);
        }
        e << YAML::EndSeq;
        e << YAML::Key << "constraints" << YAML::Value << YAML::Flow << YAML::BeginMap;
        e << YAML::Key << "timeout" << YAML::Value << t.timeoutSeconds;
        e << YAML::Key << "concurrency" << YAML::Value << t.concurrency;
        e << YAML::Key << "sudo_policy" << YAML::Value << s(t.sudoPolicy);
        e << YAML::Key << "max_output_bytes" << YAML::Value << t.maxOutputBytes;
        e << YAML::EndMap;
        e << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "tags" << YAML::Value << YAML::Flow
          << YAML::BeginSeq;
        for (const QString &tag : t.tags) {
            e << s(tag);
        }
        e << YAML::EndSeq << YAML::EndMap;
        e << YAML::EndMap;
    }
    e << YAML::EndMap << YAML::EndMap;
    return QByteArray(e.c_str()) + '\n';
}

} // namespace Tailops::Registry
