#include "doctorprobes_p.h"

#include "core/paths.h"
#include "core/random.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>

#include <cerrno>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace Tailops::Doctor {

using namespace Qt::StringLiterals;

FileFacts fileFacts(const QString &path)
{
    FileFacts f;
    struct stat st {};
    if (path.isEmpty() || ::stat(QFile::encodeName(path).constData(), &st) != 0) {
        return f;
    }
    f.exists = true;
    f.isRegular = S_ISREG(st.st_mode);
    f.isDir = S_ISDIR(st.st_mode);
    f.isSocket = S_ISSOCK(st.st_mode);
    f.mode = st.st_mode & 07777;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    f.size = qint64(st.st_size);
    return f;
}

QString modeString(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode), 4, 8, QLatin1Char('0'));
}

QString userName(uid_t uid)
{
    std::array<char, 4096> buffer {};
    passwd pw {};
    passwd *found = nullptr;
    if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found) {
        return QString::fromLocal8Bit(found->pw_name);
    }
    return QString::number(uid);
}

QString groupName(gid_t gid)
{
    std::array<char, 8192> buffer {};
    group gr {};
    group *found = nullptr;
    if (::getgrgid_r(gid, &gr, buffer.data(), buffer.size(), &found) == 0 && found) {
        return QString::fromLocal8Bit(found->gr_name);
    }
    return QString::number(gid);
}

QString shellQuote(const QString &text)
{
    static const QRegularExpression safe(u"^[A-Za-z0-9_./:@%+=,-]+$"_s);
    if (!text.isEmpty() && safe.match(text).hasMatch()) {
        return text;
    }
    QString quoted = text;
    quoted.replace(u"'"_s, u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

QString humanSize(qint64 bytes)
{
    if (bytes < 1024) {
        return QStringLiteral("%1 B").arg(bytes);
    }
    const char *units[] = { "KiB", "MiB", "GiB", "TiB" };
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QString::fromLatin1(units[unit]));
}

namespace {

bool hostMatches(const QString &pattern, const QString &name)
{
    if (pattern.startsWith(u"|1|"_s)) {
        const QList<QString> parts = pattern.split(u'|');
        if (parts.size() != 4) {
            return false;
        }
        const QByteArray salt = QByteArray::fromBase64(parts.at(2).toLatin1());
        const QByteArray hash = QByteArray::fromBase64(parts.at(3).toLatin1());
        // OpenSSH hashes the host name lowercased.
        return QMessageAuthenticationCode::hash(name.toLower().toUtf8(), salt, QCryptographicHash::Sha1) == hash;
    }
    if (pattern.contains(u'*') || pattern.contains(u'?')) {
        return Core::globMatch(pattern.toLower(), name.toLower());
    }
    return pattern.compare(name, Qt::CaseInsensitive) == 0;
}

} // namespace

Core::Result<QString> findKnownHost(const QString &file, const QString &host, int port)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
    }
    const QString name = port == 22 || port == 0 ? host : QStringLiteral("[%1]:%2").arg(host).arg(port);
    qint64 lineNumber = 0;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine(64 * 1024)).trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u'@')) {
            continue; // comments; @cert-authority and @revoked entries do not record a host key
        }
        const QStringList fields = line.split(u' ', Qt::SkipEmptyParts);
        if (fields.size() < 3) {
            continue;
        }
        bool matched = false;
        for (const QString &pattern : fields.at(0).split(u',')) {
            if (pattern.startsWith(u'!')) {
                if (hostMatches(pattern.mid(1), name)) {
                    matched = false;
                    break;
                }
                continue;
            }
            matched = matched || hostMatches(pattern, name);
        }
        if (matched) {
            return QStringLiteral("%1:%2 (%3)").arg(file).arg(lineNumber).arg(fields.at(1));
        }
    }
    return QString();
}

int connectUnixSocket(const QString &path, int timeoutMs)
{
    const QByteArray native = QFile::encodeName(path);
    sockaddr_un address {};
    if (native.size() >= qsizetype(sizeof address.sun_path)) {
        return ENAMETOOLONG;
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    timeval tv { timeoutMs / 1000, (timeoutMs % 1000) * 1000 };
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int error = 0;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        error = errno;
    }
    ::close(fd);
    return error;
}

int probeWritable(const QString &dir)
{
    const QString probe = QDir(dir).filePath(QStringLiteral(".tailops-doctor-%1").arg(QString::fromLatin1(Core::randomHex(8))));
    const QByteArray native = QFile::encodeName(probe);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno;
    }
    ::close(fd);
    ::unlink(native.constData());
    return 0;
}

BindProbe probeBind(const QHostAddress &address, quint16 port)
{
    BindProbe probe;
    QTcpServer server;
    if (server.listen(address, port)) {
        server.close();
        probe.ok = true;
        return probe;
    }
    probe.inUse = server.serverError() == QAbstractSocket::AddressInUseError;
    probe.error = server.errorString();
    return probe;
}

QList<PortOwner> portOwners(quint16 port)
{
    QSet<QString> inodes;
    for (const QString &table : { u"/proc/net/tcp"_s, u"/proc/net/tcp6"_s }) {
        QFile f(table);
        if (!f.open(QIODevice::ReadOnly)) {
            continue;
        }
        f.readLine(); // header
        while (!f.atEnd()) {
            const QStringList fields = QString::fromLatin1(f.readLine()).split(u' ', Qt::SkipEmptyParts);
            if (fields.size() < 10 || fields.at(3) != u"0A") { // 0A: LISTEN
                continue;
            }
            bool ok = false;
            const uint localPort = fields.at(1).section(u':', -1).toUInt(&ok, 16);
            if (ok && localPort == port) {
                inodes.insert(fields.at(9));
            }
        }
    }
    QList<PortOwner> owners;
    if (inodes.isEmpty()) {
        return owners;
    }
    const QDir proc(u"/proc"_s);
    for (const QString &pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 id = pid.toLongLong(&numeric);
        if (!numeric) {
            continue;
        }
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
        const QStringList entries = fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
        for (const QString &fd : entries) {
            const QString target = QFile::symLinkTarget(fds.filePath(fd));
            const QString name = QFileInfo(target).fileName();
            if (name.startsWith(u"socket:["_s) && inodes.contains(name.mid(8).chopped(1))) {
                QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
                const QString command = comm.open(QIODevice::ReadOnly) ? QString::fromUtf8(comm.readAll()).trimmed() : u"?"_s;
                owners.append({ id, command });
                break;
            }
        }
    }
    return owners;
}

Core::Result<QJsonObject> localApiStatus(const QString &socketPath, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(timeoutMs)) {
        return Core::fail(QStringLiteral("tailscaled LocalAPI not reachable at %1: %2").arg(socketPath, socket.errorString()));
    }
    // HTTP/1.0: tailscaled answers with the whole body and closes (no chunked encoding).
    socket.write("GET /localapi/v0/status HTTP/1.0\r\nHost: local-tailscaled.sock\r\n\r\n");
    QByteArray response;
    while (timer.elapsed() < timeoutMs && response.size() < (qint64(4) << 20)) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - timer.elapsed())))) {
            break;
        }
        response += socket.readAll();
    }
    const qsizetype split = response.indexOf("\r\n\r\n");
    if (split < 0) {
        return Core::fail(QStringLiteral("tailscaled at %1 gave no answer in %2 ms").arg(socketPath).arg(timeoutMs));
    }
    const QList<QByteArray> statusLine = response.left(response.indexOf("\r\n")).split(' ');
    const int status = statusLine.value(1).toInt();
    const QByteArray body = response.mid(split + 4);
    if (status != 200) {
        return Core::fail(QStringLiteral("tailscaled status: HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(200)).trimmed()));
    }
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (!document.isObject()) {
        return Core::fail(QStringLiteral("tailscaled status is not JSON: %1").arg(error.errorString()));
    }
    return document.object();
}

} // namespace Tailops::Doctor
