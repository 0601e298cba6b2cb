#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <sys/types.h>

// Small system probes of the doctor: file facts, users, sockets, ports. Blocking; worker threads only.
namespace Tailops::Doctor {

struct FileFacts
{
    bool exists = false;
    bool isRegular = false;
    bool isDir = false;
    bool isSocket = false;
    mode_t mode = 0; // permission bits only (07777)
    uid_t uid = 0;
    gid_t gid = 0;
    qint64 size = 0;
};

// lstat() for sockets and files alike (a symlink is followed: what the gateway opens counts).
FileFacts fileFacts(const QString &path);
QString modeString(mode_t mode);   // "0600"
QString userName(uid_t uid);       // "ann", or the number
QString groupName(gid_t gid);      // "docker", or the number
QString shellQuote(const QString &text); // as-is when safe, else '...'
QString humanSize(qint64 bytes);   // "512 B", "1.5 MiB"

// Whether known_hosts FILE records HOST (port 22) or [HOST]:PORT, also as a hashed (|1|salt|hash) entry.
// Returns "FILE:LINE (keytype)" of the entry, an empty string when there is none, an error when the
// file cannot be read.
Core::Result<QString> findKnownHost(const QString &file, const QString &host, int port);

// connect(2) to a unix socket: 0, or the errno (EACCES, ECONNREFUSED, ENOENT...).
int connectUnixSocket(const QString &path, int timeoutMs);

// Creates and removes a file in DIR: 0, or the errno. Honest for root too (read-only file systems).
int probeWritable(const QString &dir);

struct BindProbe
{
    bool ok = false;
    bool inUse = false;
    QString error;
};
BindProbe probeBind(const QHostAddress &address, quint16 port);

struct PortOwner
{
    qint64 pid = 0;
    QString command;
};
// Processes (visible to this user) with a TCP socket listening on PORT, from /proc.
QList<PortOwner> portOwners(quint16 port);

// GET /localapi/v0/status from tailscaled over its unix socket.
Core::Result<QJsonObject> localApiStatus(const QString &socketPath, int timeoutMs);

} // namespace Tailops::Doctor
