#include "auditfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Tailops::Audit {

namespace {

constexpr int kRotationDigits = 12;

QString errnoText() { return QString::fromLocal8Bit(std::strerror(errno)); }

} // namespace

QString defaultAuditPath()
{
    for (const char *name : { "TAILOPS_AUDIT_LOG", "SYSTEMMANAGER_AUDIT_LOG" }) {
        const QString value = qEnvironmentVariable(name);
        if (!value.isEmpty()) {
            return QDir::cleanPath(QDir(value).absolutePath());
        }
    }
    const QString logs = qEnvironmentVariable("LOGS_DIRECTORY").section(u':', 0, 0);
    if (!logs.isEmpty()) {
        return QDir::cleanPath(logs + QStringLiteral("/audit.jsonl"));
    }
    QString data = qEnvironmentVariable("XDG_DATA_HOME");
    if (data.isEmpty() || !QDir::isAbsolutePath(data)) {
        data = QDir::homePath() + QStringLiteral("/.local/share");
    }
    return QDir::cleanPath(data + QStringLiteral("/tailops/audit.jsonl"));
}

QString auditHeadPath(const QString &logPath) { return logPath + QStringLiteral(".head"); }

QString rotatedAuditPath(const QString &logPath, qint64 firstRecordId)
{
    return logPath + u'.' + QStringLiteral("%1").arg(firstRecordId, kRotationDigits, 10, QLatin1Char('0'));
}

std::optional<qint64> rotatedFirstId(const QString &file, const QString &logPath)
{
    const QString name = QFileInfo(file).fileName();
    const QString base = QFileInfo(logPath).fileName() + u'.';
    if (!name.startsWith(base) || name.size() <= base.size()) {
        return std::nullopt;
    }
    const QStringView suffix = QStringView(name).sliced(base.size());
    for (const QChar c : suffix) {
        if (!c.isDigit()) {
            return std::nullopt;
        }
    }
    bool ok = false;
    const qint64 id = suffix.toLongLong(&ok);
    return ok ? std::optional<qint64>(id) : std::nullopt;
}

QStringList auditFiles(const QString &logPath)
{
    const QFileInfo info(logPath);
    const QDir dir = info.absoluteDir();
    QList<std::pair<qint64, QString>> rotated;
    const QStringList names = dir.entryList({ info.fileName() + QStringLiteral(".*") }, QDir::Files | QDir::Hidden);
    for (const QString &name : names) {
        const QString full = dir.filePath(name);
        if (const auto id = rotatedFirstId(full, logPath)) {
            rotated.append({ *id, full });
        }
    }
    std::sort(rotated.begin(), rotated.end());
    QStringList files;
    for (const auto &r : std::as_const(rotated)) {
        files.append(r.second);
    }
    if (info.exists()) {
        files.append(info.absoluteFilePath());
    }
    return files;
}

QString activeAuditPath(const QString &file)
{
    const qsizetype dot = file.lastIndexOf(u'.');
    if (dot > 0 && file.size() - dot - 1 == kRotationDigits) {
        const QString active = file.left(dot);
        if (rotatedFirstId(file, active)) {
            return active;
        }
    }
    return file;
}

QByteArray AuditHead::toJson() const
{
    QJsonObject o { { QStringLiteral("v"), 1 }, { QStringLiteral("record_id"), recordId },
        { QStringLiteral("hash"), hash } };
    if (oldestRecordId > 0) {
        o.insert(QStringLiteral("oldest_record_id"), oldestRecordId);
        o.insert(QStringLiteral("oldest_prev_hash"), oldestPrevHash);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

Core::Result<std::optional<AuditHead>> readAuditHead(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        return std::optional<AuditHead>();
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(64 * 1024), &error);
    const QJsonObject o = doc.object();
    AuditHead head;
    head.recordId = o.value(QStringLiteral("record_id")).toInteger(-1);
    head.hash = o.value(QStringLiteral("hash")).toString();
    head.oldestRecordId = o.value(QStringLiteral("oldest_record_id")).toInteger(0);
    head.oldestPrevHash = o.value(QStringLiteral("oldest_prev_hash")).toString();
    if (error.error != QJsonParseError::NoError || !doc.isObject() || head.recordId < 0 || head.hash.size() != 64) {
        return Core::fail(QStringLiteral("not a valid audit head file"), path);
    }
    return std::optional<AuditHead>(head);
}

Core::Result<void> writeAuditHead(const QString &path, const AuditHead &head, bool sync)
{
    const QString tmp = path + QStringLiteral(".tmp");
    const QByteArray tmpName = QFile::encodeName(tmp);
    const int fd = ::open(tmpName.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Core::fail(QStringLiteral("cannot write the audit head: %1").arg(errnoText()), tmp);
    }
    const QByteArray bytes = head.toJson();
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const QString reason = errnoText();
            ::close(fd);
            ::unlink(tmpName.constData());
            return Core::fail(QStringLiteral("cannot write the audit head: %1").arg(reason), tmp);
        }
        done += n;
    }
    if (sync && ::fdatasync(fd) != 0) {
        const QString reason = errnoText();
        ::close(fd);
        ::unlink(tmpName.constData());
        return Core::fail(QStringLiteral("cannot sync the audit head: %1").arg(reason), tmp);
    }
    ::close(fd);
    if (::rename(tmpName.constData(), QFile::encodeName(path).constData()) != 0) {
        const QString reason = errnoText();
        ::unlink(tmpName.constData());
        return Core::fail(QStringLiteral("cannot replace the audit head: %1").arg(reason), path);
    }
    return {};
}

AuditLineReader::AuditLineReader(QStringList files)
    : m_files(std::move(files))
{
}

bool AuditLineReader::next(AuditLine &line)
{
    for (;;) {
        if (!m_file) {
            if (++m_index >= m_files.size()) {
                return false;
            }
            m_file = std::make_unique<QFile>(m_files.at(m_index));
            m_lineNumber = 0;
            if (!m_file->open(QIODevice::ReadOnly)) {
                m_error = QStringLiteral("%1: %2").arg(m_files.at(m_index), m_file->errorString());
                m_file.reset();
                return false;
            }
        }
        if (m_file->atEnd()) {
            m_file.reset();
            continue;
        }
        QByteArray bytes = m_file->readLine();
        if (bytes.isEmpty() && m_file->error() != QFileDevice::NoError) {
            m_error = QStringLiteral("%1: %2").arg(m_files.at(m_index), m_file->errorString());
            m_file.reset();
            return false;
        }
        line.file = m_files.at(m_index);
        line.lineNumber = ++m_lineNumber;
        line.terminated = bytes.endsWith('\n');
        if (line.terminated) {
            bytes.chop(1);
        }
        line.bytes = std::move(bytes);
        return true;
    }
}

} // namespace Tailops::Audit
