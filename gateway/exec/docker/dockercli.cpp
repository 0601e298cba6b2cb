#include "dockercli.h"

#include "dockerclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

namespace Tailops::Exec::DockerCli {

namespace {

QString jsonFormat()
{
    return QStringLiteral("{{json .}}");
}

} // namespace

QStringList prefix(const QString &dockerHost)
{
    QStringList argv { QStringLiteral("docker") };
    if (!dockerHost.isEmpty()) {
        argv << QStringLiteral("-H") << dockerHost;
    }
    return argv;
}

QStringList psArgv(const QString &dockerHost, bool all)
{
    QStringList argv = prefix(dockerHost) << QStringLiteral("ps");
    if (all) {
        argv << QStringLiteral("-a");
    }
    return argv << QStringLiteral("--no-trunc") << QStringLiteral("--format") << jsonFormat();
}

QStringList inspectArgv(const QString &dockerHost, const QString &container)
{
    return prefix(dockerHost) << QStringLiteral("inspect") << QStringLiteral("--type") << QStringLiteral("container")
                              << QStringLiteral("--") << container;
}

QStringList logsArgv(const QString &dockerHost, const QString &container, int tail, const QString &since)
{
    QStringList argv = prefix(dockerHost) << QStringLiteral("logs") << QStringLiteral("--tail")
                                          << (tail < 0 ? QStringLiteral("all") : QString::number(tail));
    if (!since.isEmpty()) {
        argv << QStringLiteral("--since") << since;
    }
    return argv << QStringLiteral("--") << container;
}

QStringList actionArgv(const QString &dockerHost, const QString &verb, const QString &container, int timeoutSeconds)
{
    QStringList argv = prefix(dockerHost) << verb;
    if (verb != u"start" && timeoutSeconds >= 0) {
        argv << QStringLiteral("-t") << QString::number(timeoutSeconds);
    }
    return argv << QStringLiteral("--") << container;
}

QStringList imagesArgv(const QString &dockerHost)
{
    return prefix(dockerHost) << QStringLiteral("images") << QStringLiteral("--no-trunc") << QStringLiteral("--format")
                              << jsonFormat();
}

Core::Result<QString> sinceArgument(const QString &sinceIn, qint64 nowMs)
{
    const QString since = sinceIn.trimmed();
    if (since.isEmpty()) {
        return QString();
    }
    static const QRegularExpression duration(QStringLiteral("\\A(?:\\d{1,9}(?:ms|s|m|h|d))+\\z"));
    if (duration.match(since).hasMatch()) {
        // Go's durations know no days: the total, in seconds (or milliseconds when it has a fraction).
        static const QRegularExpression part(QStringLiteral("(\\d+)(ms|s|m|h|d)"));
        qint64 ms = 0;
        auto it = part.globalMatch(since);
        while (it.hasNext()) {
            const auto m = it.next();
            const qint64 n = m.captured(1).toLongLong();
            const QString unit = m.captured(2);
            ms += n * (unit == u"ms" ? 1 : unit == u"s" ? 1000 : unit == u"m" ? 60'000 : unit == u"h" ? 3'600'000 : 86'400'000);
        }
        return ms % 1000 == 0 ? QString(QString::number(ms / 1000) + u's') : QString(QString::number(ms) + u"ms");
    }
    // Unix seconds, RFC 3339, dates: the API's form (unix seconds) means the same everywhere.
    return DockerClient::sinceToApi(since, nowMs);
}

Core::Result<QJsonArray> parseJsonLines(const QByteArray &output)
{
    QJsonArray out;
    int lineNo = 0;
    for (const QByteArray &raw : output.split('\n')) {
        ++lineNo;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty()) {
            continue;
        }
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (!doc.isObject()) {
            return Core::fail(QStringLiteral("line %1 of the docker CLI's output is not a JSON object: %2")
                                  .arg(lineNo)
                                  .arg(QString::fromUtf8(line.left(120))));
        }
        out.append(doc.object());
    }
    return out;
}

Core::Result<QJsonObject> parseInspect(const QByteArray &output)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(output, &error);
    if (!doc.isArray() || doc.array().isEmpty() || !doc.array().at(0).isObject()) {
        return Core::fail(QStringLiteral("docker inspect printed something other than a JSON array of objects%1")
                              .arg(error.error != QJsonParseError::NoError ? QString(u": " + error.errorString()) : QString()));
    }
    return doc.array().at(0).toObject();
}

} // namespace Tailops::Exec::DockerCli

namespace Tailops::Exec::ContainerJson {

namespace {

// "sha256:0123abcd..." or "0123abcd...": the first 12 hex digits, as docker shows ids.
QString shortId(const QString &id)
{
    const QString hex = id.startsWith(QStringLiteral("sha256:")) ? id.mid(7) : id;
    return hex.left(12);
}

// "2024-05-01 12:00:00 +0000 UTC" (the CLI's time format) as ISO 8601; other text unchanged.
QString cliTime(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("\\A(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}) ([+-]\\d{2})(\\d{2})"));
    const auto m = re.match(text);
    if (!m.hasMatch()) {
        return text;
    }
    const QDateTime t = QDateTime::fromString(m.captured(1) + u'T' + m.captured(2) + m.captured(3) + u':' + m.captured(4), Qt::ISODate);
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : text;
}

QString stateFromStatus(const QString &status)
{
    const QString s = status.toLower();
    if (s.startsWith(QStringLiteral("up"))) {
        return s.contains(QStringLiteral("(paused)")) ? QStringLiteral("paused") : QStringLiteral("running");
    }
    if (s.startsWith(QStringLiteral("exited"))) {
        return QStringLiteral("exited");
    }
    if (s.startsWith(QStringLiteral("created"))) {
        return QStringLiteral("created");
    }
    if (s.startsWith(QStringLiteral("restarting"))) {
        return QStringLiteral("restarting");
    }
    if (s.startsWith(QStringLiteral("removal"))) {
        return QStringLiteral("removing");
    }
    if (s.startsWith(QStringLiteral("dead"))) {
        return QStringLiteral("dead");
    }
    return QStringLiteral("unknown");
}

} // namespace

QJsonObject fromApiListItem(const QJsonObject &c)
{
    QString name = c.value(QStringLiteral("Names")).toArray().at(0).toString();
    if (name.startsWith(u'/')) {
        name.remove(0, 1);
    }
    return { { QStringLiteral("id"), shortId(c.value(QStringLiteral("Id")).toString()) },
             { QStringLiteral("name"), name },
             { QStringLiteral("image"), c.value(QStringLiteral("Image")).toString() },
             { QStringLiteral("state"), c.value(QStringLiteral("State")).toString() },
             { QStringLiteral("status"), c.value(QStringLiteral("Status")).toString() } };
}

QJsonObject fromCliListItem(const QJsonObject &c)
{
    const QString status = c.value(QStringLiteral("Status")).toString();
    QString state = c.value(QStringLiteral("State")).toString();
    if (state.isEmpty()) {
        state = stateFromStatus(status);
    }
    return { { QStringLiteral("id"), shortId(c.value(QStringLiteral("ID")).toString()) },
             { QStringLiteral("name"), c.value(QStringLiteral("Names")).toString().section(u',', 0, 0) },
             { QStringLiteral("image"), c.value(QStringLiteral("Image")).toString() },
             { QStringLiteral("state"), state },
             { QStringLiteral("status"), status } };
}

QJsonObject inspectSummary(const QJsonObject &info)
{
    const QJsonObject state = info.value(QStringLiteral("State")).toObject();
    const QJsonObject config = info.value(QStringLiteral("Config")).toObject();
    QString name = info.value(QStringLiteral("Name")).toString();
    if (name.startsWith(u'/')) {
        name.remove(0, 1);
    }
    return { { QStringLiteral("id"), shortId(info.value(QStringLiteral("Id")).toString()) },
             { QStringLiteral("name"), name },
             { QStringLiteral("image"), config.value(QStringLiteral("Image")).toString() },
             { QStringLiteral("state"), state.value(QStringLiteral("Status")).toString() },
             { QStringLiteral("exit_code"), state.value(QStringLiteral("ExitCode")) },
             { QStringLiteral("pid"), state.value(QStringLiteral("Pid")) },
             { QStringLiteral("started_at"), state.value(QStringLiteral("StartedAt")) },
             { QStringLiteral("finished_at"), state.value(QStringLiteral("FinishedAt")) },
             { QStringLiteral("restart_count"), info.value(QStringLiteral("RestartCount")) },
             { QStringLiteral("created"), info.value(QStringLiteral("Created")) },
             { QStringLiteral("command"), config.value(QStringLiteral("Cmd")) },
             { QStringLiteral("labels"), config.value(QStringLiteral("Labels")) } };
}

QJsonObject fromApiImage(const QJsonObject &image)
{
    QJsonArray tags;
    for (const QJsonValue &t : image.value(QStringLiteral("RepoTags")).toArray()) {
        if (t.toString() != u"<none>:<none>") {
            tags.append(t);
        }
    }
    const qint64 size = image.value(QStringLiteral("Size")).toInteger();
    return { { QStringLiteral("id"), shortId(image.value(QStringLiteral("Id")).toString()) },
             { QStringLiteral("repo_tags"), tags },
             { QStringLiteral("created"),
               QDateTime::fromSecsSinceEpoch(image.value(QStringLiteral("Created")).toInteger(), Qt::UTC).toString(Qt::ISODate) },
             { QStringLiteral("size"), QStringLiteral("%1 bytes").arg(size) },
             { QStringLiteral("size_bytes"), size } };
}

QJsonObject fromCliImage(const QJsonObject &image)
{
    QJsonArray tags;
    const QString repo = image.value(QStringLiteral("Repository")).toString();
    const QString tag = image.value(QStringLiteral("Tag")).toString();
    if (!repo.isEmpty() && repo != u"<none>" && !tag.isEmpty() && tag != u"<none>") {
        tags.append(QString(repo + u':' + tag));
    }
    return { { QStringLiteral("id"), shortId(image.value(QStringLiteral("ID")).toString()) },
             { QStringLiteral("repo_tags"), tags },
             { QStringLiteral("created"), cliTime(image.value(QStringLiteral("CreatedAt")).toString()) },
             { QStringLiteral("size"), image.value(QStringLiteral("Size")).toString() } };
}

} // namespace Tailops::Exec::ContainerJson
