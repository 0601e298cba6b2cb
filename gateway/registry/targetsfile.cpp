#include "targetsfile.h"

#include "config/yamlsupport_p.h"
#include "sshconfigimport.h"

#include <QFile>
#include <QSaveFile>

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

} // namespace Tailops::Registry
