#include "targetsfile.h"

#include "config/yamlsupport_p.h"
#include "sshconfigimport.h"

#include <QFile>
#include <QSaveFile>
#include <QSet>

#include <algorithm>

namespace Tailops::Registry {

Core::Result<void> appendTargets(const QString &file, const QList<Target> &targets, QStringList *skipped)
{
    QByteArray existing;
    QFile in(file);
    if (in.exists()) {
        if (!in.open(QIODevice::ReadOnly)) {
            return Core::fail(QStringLiteral("cannot read %1: %2").arg(file, in.errorString()));
        }
        existing = in.readAll();
        in.close();
    }
    QList<Target> fresh;
    int indent = 2;
    if (!existing.trimmed().isEmpty()) {
        YAML::Node root;
        try {
            root = YAML::Load(existing.toStdString());
        } catch (const YAML::Exception &e) {
            return Core::fail(QStringLiteral("%1 does not parse (line %2): fix it first").arg(file).arg(e.mark.line + 1));
        }
        if (!root.IsMap() || !root["targets"] || !root["targets"].IsMap()) {
            return Core::fail(QStringLiteral("%1 has no top-level 'targets' map to add to").arg(file));
        }
        int targetsLine = -1;
        int lastTopLine = -1;
        for (const auto &entry : root) {
            lastTopLine = std::max(lastTopLine, entry.first.Mark().line);
            if (entry.first.Scalar() == "targets") {
                targetsLine = entry.first.Mark().line;
            }
        }
        if (targetsLine != lastTopLine || root["targets"].Style() == YAML::EmitterStyle::Flow) {
            return Core::fail(QStringLiteral("cannot append safely: 'targets' is not the last block in %1; print the "
                                             "targets without --write and paste them")
                                  .arg(file));
        }
        for (const auto &entry : root["targets"]) {
            indent = std::max(1, entry.first.Mark().column);
            break;
        }
        QSet<QString> ids;
        for (const auto &entry : root["targets"]) {
            ids.insert(QString::fromStdString(entry.first.Scalar()));
        }
        for (const Target &t : targets) {
            if (ids.contains(t.id)) {
                skipped->append(t.id);
            } else {
                fresh.append(t);
            }
        }
    } else {
        fresh = targets;
    }
    if (fresh.isEmpty()) {
        return {};
    }
    QByteArray out = existing;
    if (existing.trimmed().isEmpty()) {
        out = targetsToYaml(fresh);
    } else {
        const QByteArray doc = targetsToYaml(fresh);
        const qsizetype start = doc.indexOf("\ntargets:\n");
        if (!out.endsWith('\n')) {
            out += '\n';
        }
        for (const QByteArray &line : doc.mid(start + 10).split('\n')) {
            if (line.isEmpty()) {
                continue;
            }
            qsizetype spaces = 0;
            while (spaces < line.size() && line.at(spaces) == ' ') {
                ++spaces;
            }
            out += QByteArray((spaces / 2) * indent, ' ') + line.mid(spaces) + '\n';
        }
        QFile backup(file + QStringLiteral(".bak"));
        backup.remove();
        if (!QFile::copy(file, backup.fileName())) {
            return Core::fail(QStringLiteral("cannot write the backup %1").arg(backup.fileName()));
        }
    }
    QSaveFile save(file);
    if (!save.open(QIODevice::WriteOnly) || save.write(out) != out.size() || !save.commit()) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(file, save.errorString()));
    }
    return {};
}

Core::Result<void> writeTargetsFile(const QString &file, const QByteArray &content)
{
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (QFile::exists(file)) {
        permissions = QFile::permissions(file);
        const QString backup = file + QStringLiteral(".bak");
        QFile::remove(backup);
        if (!QFile::copy(file, backup)) {
            return Core::fail(QStringLiteral("cannot write the backup %1").arg(backup));
        }
        QFile::setPermissions(backup, permissions);
    }
    QSaveFile save(file);
    if (!save.open(QIODevice::WriteOnly)) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(file, save.errorString()));
    }
    save.setPermissions(permissions);
    if (save.write(content) != content.size() || !save.commit()) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(file, save.errorString()));
    }
    return {};
}

QByteArray targetToYaml(const Target &t)
{
    YAML::Emitter e;
    const auto s = [](const QString &v) { return v.toStdString(); };
    const auto list = [&](const QStringList &items) {
        e << YAML::Flow << YAML::BeginSeq;
        for (const QString &item : items) {
            e << s(item);
        }
        e << YAML::EndSeq;
    };
    e << YAML::BeginMap << YAML::Key << s(t.id) << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "type" << YAML::Value << s(t.type);
    if (!t.description.isEmpty()) {
        e << YAML::Key << "description" << YAML::Value << s(t.description);
    }
    e << YAML::Key << "connection" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "executor" << YAML::Value << s(executorName(t.executor));
    const std::pair<const char *, const QString *> strings[] = {
        { "host", &t.host }, { "username", &t.username }, { "key_path", &t.keyPath }, { "socket_path", &t.socketPath },
        { "url", &t.url }, { "tls_ca", &t.tlsCaFile }, { "tls_cert", &t.tlsCertFile }, { "tls_key", &t.tlsKeyFile },
        { "docker_host", &t.dockerHost },
    };
    for (const auto &[key, value] : strings) {
        if (!value->isEmpty()) {
            e << YAML::Key << key << YAML::Value << s(*value);
        }
        if (std::string_view(key) == "host" && t.port > 0) {
            e << YAML::Key << "port" << YAML::Value << t.port;
        }
    }
    if (t.connectTimeoutSeconds != Target().connectTimeoutSeconds) {
        e << YAML::Key << "timeout" << YAML::Value << t.connectTimeoutSeconds;
    }
    if (!t.allowedPaths.isEmpty()) {
        e << YAML::Key << "allowed_paths" << YAML::Value;
        list(t.allowedPaths);
    }
    e << YAML::EndMap;
    e << YAML::Key << "capabilities" << YAML::Value;
    list(t.capabilities);
    e << YAML::Key << "constraints" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "timeout" << YAML::Value << t.timeoutSeconds;
    e << YAML::Key << "concurrency" << YAML::Value << t.concurrency;
    e << YAML::Key << "sudo_policy" << YAML::Value << s(t.sudoPolicy);
    e << YAML::Key << "max_output_bytes" << YAML::Value << t.maxOutputBytes;
    e << YAML::EndMap;
    e << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "tags" << YAML::Value;
    list(t.tags);
    e << YAML::EndMap;
    e << YAML::EndMap << YAML::EndMap;
    return QByteArray(e.c_str()) + '\n';
}

namespace {

// A target's lines in the file: [first, end), trailing blank and comment lines left out (they belong to what follows).
struct Block
{
    QString id;
    qsizetype first = 0;
    qsizetype end = 0;
};

bool isBlankOrComment(const QByteArray &line)
{
    const QByteArray t = line.trimmed();
    return t.isEmpty() || t.startsWith('#');
}

QByteArray indented(const QByteArray &yaml, int column)
{
    QByteArray out;
    for (const QByteArray &line : yaml.split('\n')) {
        if (!line.isEmpty()) {
            out += QByteArray(column, ' ') + line + '\n';
        }
    }
    return out;
}

} // namespace

Core::Result<void> changeTargets(const QString &file, const QList<TargetChange> &changes)
{
    QByteArray existing;
    if (QFile in(file); in.exists()) {
        if (!in.open(QIODevice::ReadOnly)) {
            return Core::fail(QStringLiteral("cannot read %1: %2").arg(file, in.errorString()));
        }
        existing = in.readAll();
    }
    QList<QByteArray> lines = existing.split('\n');
    if (existing.endsWith('\n')) {
        lines.removeLast();
    }
    QList<Block> blocks;
    int column = 2;
    qsizetype insertAt = -1; // where added targets go (a line index)
    if (existing.trimmed().isEmpty()) {
        lines = { QByteArrayLiteral("version: \"1.0\""), QByteArrayLiteral("targets:") };
        insertAt = lines.size();
    } else {
        YAML::Node root;
        try {
            root = YAML::Load(existing.toStdString());
        } catch (const YAML::Exception &e) {
            return Core::fail(QStringLiteral("%1 does not parse (line %2): fix it first").arg(file).arg(e.mark.line + 1));
        }
        if (!root.IsMap()) {
            return Core::fail(QStringLiteral("%1 is not a map with a 'targets' key").arg(file));
        }
        qsizetype targetsLine = -1;
        qsizetype sectionEnd = lines.size();
        QList<qsizetype> topLines;
        for (const auto &entry : root) {
            topLines.append(entry.first.Mark().line);
            if (entry.first.Scalar() == "targets") {
                targetsLine = entry.first.Mark().line;
            }
        }
        if (targetsLine < 0) {
            lines.append(QByteArrayLiteral("targets:"));
            targetsLine = lines.size() - 1;
        } else {
            for (const qsizetype l : std::as_const(topLines)) {
                if (l > targetsLine) {
                    sectionEnd = std::min(sectionEnd, l);
                }
            }
        }
        const YAML::Node targets = root["targets"];
        const bool empty = !targets || targets.IsNull() || (targets.IsMap() && targets.size() == 0);
        if (!empty && (!targets.IsMap() || targets.Style() == YAML::EmitterStyle::Flow)) {
            return Core::fail(QStringLiteral("'targets' in %1 is not a block map of targets: edit it by hand").arg(file));
        }
        if (empty) {
            if (targets && (targets.IsMap() || targets.IsNull())) { // "targets: {}", "targets: ~", "targets: null"
                const QByteArray &old = lines.at(targetsLine);
                const qsizetype comment = old.indexOf(" #");
                lines[targetsLine] = QByteArrayLiteral("targets:") + (comment >= 0 ? old.mid(comment) : QByteArray());
            }
            insertAt = targetsLine + 1;
        } else {
            for (const auto &entry : targets) {
                Block b;
                b.id = QString::fromStdString(entry.first.Scalar());
                b.first = entry.first.Mark().line;
                column = entry.first.Mark().column;
                blocks.append(b);
            }
            std::sort(blocks.begin(), blocks.end(), [](const Block &a, const Block &b) { return a.first < b.first; });
            for (qsizetype i = 0; i < blocks.size(); ++i) {
                qsizetype end = i + 1 < blocks.size() ? blocks.at(i + 1).first : sectionEnd;
                while (end > blocks.at(i).first + 1 && isBlankOrComment(lines.value(end - 1))) {
                    --end;
                }
                blocks[i].end = end;
            }
            insertAt = blocks.constLast().end;
        }
    }

    QSet<QString> ids;
    for (const Block &b : std::as_const(blocks)) {
        ids.insert(b.id);
    }
    QHash<QString, std::optional<Target>> replaced; // declared id -> new settings (nullopt: removed)
    QList<Target> added;
    for (const TargetChange &c : changes) {
        if (c.id.isEmpty()) {
            if (!c.target) {
                return Core::fail(QStringLiteral("nothing to add"));
            }
            if (ids.contains(c.target->id)) {
                return Core::fail(QStringLiteral("target '%1' already exists in %2").arg(c.target->id, file));
            }
            ids.insert(c.target->id);
            added.append(*c.target);
            continue;
        }
        if (!std::any_of(blocks.cbegin(), blocks.cend(), [&](const Block &b) { return b.id == c.id; })) {
            return Core::fail(QStringLiteral("target '%1' is not declared in %2").arg(c.id, file));
        }
        if (c.target) {
            // The new settings come from the loaded target, whose ${VAR} references are already expanded:
            // rewriting the block would put their current values (maybe secrets) into the file.
            const Block &b = *std::find_if(blocks.cbegin(), blocks.cend(), [&](const Block &x) { return x.id == c.id; });
            for (qsizetype l = b.first; l < b.end; ++l) {
                if (lines.value(l).contains("${")) {
                    return Core::fail(QStringLiteral("target '%1' uses ${VARIABLE} references (%2 line %3): edit it by hand so "
                                                     "they stay references").arg(c.id, file).arg(l + 1));
                }
            }
        }
        if (c.target && c.target->id != c.id) {
            if (ids.contains(c.target->id)) {
                return Core::fail(QStringLiteral("target '%1' already exists in %2").arg(c.target->id, file));
            }
            ids.remove(c.id);
            ids.insert(c.target->id);
        } else if (!c.target) {
            ids.remove(c.id);
        }
        replaced.insert(c.id, c.target);
    }

    QByteArray out;
    qsizetype line = 0;
    const auto copyUntil = [&](qsizetype end) {
        for (; line < end && line < lines.size(); ++line) {
            out += lines.at(line) + '\n';
        }
    };
    for (const Block &b : std::as_const(blocks)) {
        copyUntil(b.first);
        if (const auto it = replaced.constFind(b.id); it != replaced.cend()) {
            if (*it) {
                out += indented(targetToYaml(**it), column);
            }
            line = b.end;
        }
        if (b.end == insertAt) {
            copyUntil(insertAt);
        }
    }
    copyUntil(insertAt);
    for (const Target &t : std::as_const(added)) {
        out += indented(targetToYaml(t), column);
    }
    copyUntil(lines.size());

    try {
        const YAML::Node check = YAML::Load(out.toStdString());
        if (!check.IsMap() || !check["targets"]) {
            return Core::fail(QStringLiteral("the edited %1 lost its 'targets' map; nothing written").arg(file));
        }
        // Exactly the targets intended, as the loader will read them (a "---" or "..." after the targets, say,
        // would hide an added one in a second document, or lose what follows a removed one).
        QSet<QString> written;
        if (check["targets"].IsMap()) {
            for (const auto &entry : check["targets"]) {
                written.insert(QString::fromStdString(entry.first.Scalar()));
            }
        }
        if (written != ids) {
            return Core::fail(QStringLiteral("the edited %1 would not hold exactly the intended targets (its layout is "
                                             "unusual: edit it by hand); nothing written").arg(file));
        }
    } catch (const YAML::Exception &e) {
        return Core::fail(QStringLiteral("the edited %1 would not parse (line %2); nothing written").arg(file).arg(e.mark.line + 1));
    }
    return writeTargetsFile(file, out);
}

} // namespace Tailops::Registry
