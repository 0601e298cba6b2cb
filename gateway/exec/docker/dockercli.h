#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// The docker CLI as argv arrays, for targets that run commands (ssh, local) instead of speaking the Engine
// API: what to run and how to read its answers. Never a shell string: the Go template of --format is one
// argument, and every container reference follows "--".
namespace Tailops::Exec::DockerCli {

// "docker" or "docker -H HOST" (connection.docker_host of the target).
QStringList prefix(const QString &dockerHost);

QStringList psArgv(const QString &dockerHost, bool all);
QStringList inspectArgv(const QString &dockerHost, const QString &container);
// tail < 0: all lines. since: as sinceArgument() returns it (empty: none).
QStringList logsArgv(const QString &dockerHost, const QString &container, int tail, const QString &since);
// verb: start, stop or restart; timeoutSeconds >= 0 adds "-t N" to stop and restart.
QStringList actionArgv(const QString &dockerHost, const QString &verb, const QString &container, int timeoutSeconds);
QStringList imagesArgv(const QString &dockerHost);

// The since value for "docker logs --since": durations stay relative (the remote clock decides, "1h30m" in
// Go's syntax: "5400s"), unix seconds stay, RFC 3339 and dates become unix seconds. The same inputs as
// DockerClient::sinceToApi.
Core::Result<QString> sinceArgument(const QString &since, qint64 nowMs);

// One JSON object per line (the output of --format '{{json .}}'); empty lines are skipped.
Core::Result<QJsonArray> parseJsonLines(const QByteArray &output);
// The object of "docker inspect" (a JSON array with one element).
Core::Result<QJsonObject> parseInspect(const QByteArray &output);

} // namespace Tailops::Exec::DockerCli

namespace Tailops::Exec {

// The same summaries whichever way the data came (Engine API or CLI), as the tools' outputSchemas want them.
namespace ContainerJson {

// get_container_list entry {id, name, image, state, status} from a GET /containers/json item.
QJsonObject fromApiListItem(const QJsonObject &item);
// ... from one line of docker ps --format '{{json .}}' (Names comma-separated, State missing on old CLIs).
QJsonObject fromCliListItem(const QJsonObject &item);
// inspect_container summary from the inspect object (the API and "docker inspect" print the same thing).
QJsonObject inspectSummary(const QJsonObject &inspect);
// list_docker_images entry {id, repo_tags, created, size, size_bytes?} from GET /images/json.
QJsonObject fromApiImage(const QJsonObject &image);
// ... from one line of docker images --format '{{json .}}'.
QJsonObject fromCliImage(const QJsonObject &image);

} // namespace ContainerJson

} // namespace Tailops::Exec
