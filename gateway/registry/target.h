#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Tailops::Registry {

enum class Executor { Local, Ssh, Docker, Http };

QString executorName(Executor executor);

// One infrastructure target as declared in targets.yaml (a map keyed by id, as in the original).
struct Target
{
    QString id;
    QString type = QStringLiteral("local");
    Executor executor = Executor::Local;
    QString description;

    // connection
    QString host;
    int port = 0;
    QString username;
    QString keyPath;
    QString socketPath;
    QString url;
    qint64 connectTimeoutSeconds = 30;
    // Docker over TCP with TLS client certificates (tls_ca/tls_cert/tls_key, or the original's cert_path
    // directory holding ca.pem, cert.pem, key.pem).
    QString tlsCaFile;
    QString tlsCertFile;
    QString tlsKeyFile;
    // HTTP targets: the URL paths requests may go to (connection.allowed_paths; default: url's own path).
    QStringList allowedPaths;
    // SSH (and local) targets: the Docker daemon the docker CLI talks to there (connection.docker_host,
    // passed as "docker -H VALUE"; empty: the CLI's default). Not shown to clients.
    QString dockerHost;

    QStringList capabilities; // scope names this target allows at all
    QStringList tags;         // metadata.tags

    // constraints
    qint64 timeoutSeconds = 60;
    int concurrency = 1;
    QString sudoPolicy = QStringLiteral("none"); // none | limited | full
    qint64 maxOutputBytes = 1024 * 1024;

    int line = 0; // where it is declared, 0 for built-in

    // The built-in target for the machine the gateway runs on.
    static Target builtinLocal();
};

// An immutable, indexed set of targets; swapped whole on reload.
class TargetSet
{
public:
    TargetSet() = default;
    explicit TargetSet(QList<Target> targets);

    const QList<Target> &targets() const { return m_targets; }
    const Target *find(const QString &id) const;
    qsizetype size() const { return m_targets.size(); }

private:
    QList<Target> m_targets;
    QHash<QString, qsizetype> m_index;
};

using TargetSetPtr = std::shared_ptr<const TargetSet>;

} // namespace Tailops::Registry

#include "core/result.h"

#include <QJsonObject>
#include <QUrl>

namespace Tailops::Registry {

// Whether HOST can be a host name or address of a target: not empty-with-garbage, no leading '-' (it would
// read as an option to ssh), no whitespace or control characters.
bool isPlausibleHost(const QString &host);

// A target as shown to clients (list_targets, tailops://targets): no key paths, no secrets.
QJsonObject targetToJson(const Target &target);

// Whether URL may be requested on an http target: same scheme, host and port as the target's url, and a
// path under one of its allowed_paths, compared by component after normalisation ("/healthz" is not
// under "/health"; ".." cannot climb out). The reason when not.
Core::Result<void> httpTargetAllows(const Target &target, const QUrl &url);

} // namespace Tailops::Registry
