#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Tailops::Registry {
struct Target;
}

namespace Tailops::Exec {

// TLS client material for a Docker daemon on TCP (dockerd --tlsverify). Empty caFile: the system CAs.
struct DockerTls
{
    QString caFile;
    QString certFile;
    QString keyFile;

    bool isEmpty() const { return caFile.isEmpty() && certFile.isEmpty() && keyFile.isEmpty(); }
};

struct DockerClientOptions
{
    // Where the Engine API listens: a unix socket path, or an endpoint "tcp://HOST:PORT", "http://HOST:PORT",
    // "https://HOST:PORT" or "unix:///path". tcp:// means https when TLS material is given, http otherwise.
    QString socketPath;
    QString endpoint;
    DockerTls tls;
    qint64 connectTimeoutMs = 30000;
    qint64 timeoutMs = 60000; // the whole request (stop/restart add their grace period)
    qint64 maxOutputBytes = 1024 * 1024; // log payload kept; JSON answers may be up to max(this, 16 MiB)
    QString apiVersion = QStringLiteral("1.41"); // spoken by dockerd 20.10 and podman 4.3

    // socket_path wins; then url ("unix://", "tcp://", "http(s)://"); then host (+ port, default 2375, or 2376
    // with TLS); with none of them the local /var/run/docker.sock.
    static DockerClientOptions fromTarget(const Registry::Target &target, const DockerTls &tls = {});
};

struct DockerLogs
{
    QString stdoutText;
    QString stderrText; // empty for a TTY container: its streams are merged into stdoutText
    bool tty = false;
    bool truncated = false; // cut at maxOutputBytes; truncationMarker() ends the stream that was cut
    bool incomplete = false; // the daemon closed the stream inside a frame
};

// The result of start/stop/restart: HTTP 304 (nothing to do) is a success with a note.
struct DockerActionResult
{
    bool changed = true;
    QString note; // e.g. "container already started"
};

// A blocking Docker Engine API client (pinned to /v<apiVersion>) on libcurl. Calls are made from worker
// threads, several at once: every call uses its own curl handle, so one client may be shared freely.
// Container references are checked (a name or a hex id) before any request is built.
class DockerClient
{
public:
    explicit DockerClient(DockerClientOptions options);

    const DockerClientOptions &options() const { return m_options; }
    QString describeEndpoint() const; // "unix:///run/docker.sock" or "https://host:2376"

    Core::Result<QString> ping() const; // "OK"
    Core::Result<QJsonObject> version() const;
    Core::Result<QJsonArray> listContainers(bool all = false) const;
    Core::Result<QJsonObject> inspectContainer(const QString &idOrName) const;
    // tail < 0: all lines. since: empty, unix seconds ("1700000000.5"), RFC 3339 (nanoseconds kept) or a
    // duration before now ("90s", "10m", "1h30m").
    Core::Result<DockerLogs> containerLogs(
        const QString &idOrName, int tail = -1, const QString &since = {}, bool timestamps = false) const;
    Core::Result<DockerActionResult> startContainer(const QString &idOrName) const;
    // timeoutSeconds: grace period before SIGKILL; < 0 for the daemon's default.
    Core::Result<DockerActionResult> stopContainer(const QString &idOrName, int timeoutSeconds = -1) const;
    Core::Result<DockerActionResult> restartContainer(const QString &idOrName, int timeoutSeconds = -1) const;
    Core::Result<QJsonArray> listImages() const;
    // The request start/stop/restart would send, for dry runs: "POST /v1.41/containers/web/stop?t=10".
    QString actionRequest(const QString &verb, const QString &idOrName, int timeoutSeconds = -1) const;

    // "name", "/name" (as listed in Names) or a hex id; anything else is refused before a request is made.
    static bool isValidContainerRef(const QString &idOrName);
    // The since parameter as the Engine API wants it (unix seconds with an optional fraction); now is unix ms.
    static Core::Result<QString> sinceToApi(const QString &since, qint64 nowMs);

private:
    struct Request;
    struct Response;
    Core::Result<Response> perform(const Request &request) const;
    Core::Result<QJsonObject> getObject(const QString &path) const;
    Core::Result<QJsonArray> getArray(const QString &path, const QString &query = {}) const;
    Core::Result<DockerActionResult> action(
        const QString &idOrName, const QString &verb, int timeoutSeconds, const QString &alreadyNote) const;

    DockerClientOptions m_options;
    QString m_socketPath; // unix socket, or empty for TCP
    QByteArray m_baseUrl; // "http://localhost" for a socket, else "http(s)://host:port"
    QString m_endpointError;
};

} // namespace Tailops::Exec
