#include "tokenstore.h"

#include "hmactoken.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>

namespace Tailops::Auth {

namespace {

constexpr int kVersion = 1;
constexpr int kLockTimeoutMs = 10000;
constexpr int kStaleLockMs = 30000;
constexpr qint64 kMaxFileBytes = 64 * 1024 * 1024;

const QString kTokens = QStringLiteral("tokens");
const QString kUsage = QStringLiteral("usage");

QDateTime readTime(const QJsonValue &v, bool *ok)
{
    if (v.isUndefined() || v.isNull()) {
        return {};
    }
    const QDateTime t = v.isString() ? parseIsoTimestamp(v.toString()) : QDateTime();
    if (!t.isValid()) {
        *ok = false;
    }
    return t;
}

std::optional<QStringList> readStrings(const QJsonValue &v)
{
    if (v.isUndefined() || v.isNull()) {
        return QStringList {};
    }
    if (!v.isArray()) {
        return std::nullopt;
    }
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString()) {
            return std::nullopt;
        }
        out.append(item.toString());
    }
    return out;
}

// Creates DIR (mode 0700) and its missing parents.
Core::Result<void> ensureDirectory(const QString &dir)
{
    if (QFileInfo(dir).isDir()) {
        return {};
    }
    const QFileInfo info(dir);
    if (!QDir().mkpath(info.absolutePath())) {
        return Core::fail(QStringLiteral("cannot create the directory"), info.absolutePath());
    }
    if (!QDir().mkdir(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)
        && !QFileInfo(dir).isDir()) {
        return Core::fail(QStringLiteral("cannot create the directory"), dir);
    }
    return {};
}

// The JSON object in PATH; std::nullopt when the file does not exist.
Core::Result<std::optional<QJsonObject>> readObject(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        return std::optional<QJsonObject> {};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    }
    if (file.size() > kMaxFileBytes) {
        return Core::fail(QStringLiteral("file is larger than %1 MiB").arg(kMaxFileBytes / (1024 * 1024)), path);
    }
    const QByteArray data = file.readAll();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
    if (error.error != QJsonParseError::NoError) {
        return Core::fail(QStringLiteral("invalid JSON at offset %1: %2").arg(error.offset).arg(error.errorString()), path);
    }
    if (!doc.isObject()) {
        return Core::fail(QStringLiteral("not a JSON object"), path);
    }
    const QJsonValue version = doc.object().value(QStringLiteral("version"));
    if (!version.isUndefined() && version.toInt(-1) != kVersion) {
        return Core::fail(QStringLiteral("unsupported version %1 (this gateway reads version %2)")
                              .arg(version.toVariant().toString().left(20))
                              .arg(kVersion),
                          path);
    }
    return std::optional<QJsonObject>(doc.object());
}

Core::Result<void> writeObject(const QString &path, const QJsonObject &object)
{
    if (auto dir = ensureDirectory(QFileInfo(path).absolutePath()); !dir) {
        return dir;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Core::fail(QStringLiteral("cannot write: %1").arg(file.errorString()), path);
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        return Core::fail(QStringLiteral("cannot write: %1").arg(file.errorString()), path);
    }
    // The temporary file was created 0600 already; make sure of it whatever the platform did.
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

// Runs CHANGE while holding PATH.lock.
template<typename Change>
auto underLock(const QString &path, Change change) -> decltype(change())
{
    if (auto dir = ensureDirectory(QFileInfo(path).absolutePath()); !dir) {
        return std::unexpected(dir.error());
    }
    QLockFile lock(path + QStringLiteral(".lock"));
    lock.setStaleLockTime(kStaleLockMs);
    if (!lock.tryLock(kLockTimeoutMs)) {
        return Core::fail(lock.error() == QLockFile::LockFailedError
                              ? QStringLiteral("locked by another process for more than %1 s").arg(kLockTimeoutMs / 1000)
                              : QStringLiteral("cannot create the lock file %1.lock").arg(QFileInfo(path).fileName()),
                          path);
    }
    return change();
}

Core::Result<QList<TokenRecord>> parseRecords(const QString &path)
{
    const auto object = readObject(path);
    if (!object) {
        return std::unexpected(object.error());
    }
    QList<TokenRecord> out;
    if (!*object) {
        return out;
    }
    const QJsonValue tokens = (*object)->value(kTokens);
    if (tokens.isUndefined()) {
        return out;
    }
    if (!tokens.isArray()) {
        return Core::fail(QStringLiteral("\"tokens\" must be a list"), path);
    }
    const QJsonArray array = tokens.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        QString error = QStringLiteral("not an object");
        const auto record = array.at(i).isObject() ? TokenRecord::fromJson(array.at(i).toObject(), &error) : std::nullopt;
        if (!record) {
            return Core::fail(QStringLiteral("tokens[%1]: %2").arg(i).arg(error), path);
        }
        out.append(*record);
    }
    return out;
}

Core::Result<void> saveRecords(const QString &path, const QList<TokenRecord> &records)
{
    QJsonArray array;
    for (const TokenRecord &r : records) {
        array.append(r.toJson());
    }
    return writeObject(path, QJsonObject { { QStringLiteral("version"), kVersion }, { kTokens, array } });
}

Core::Result<QHash<QString, TokenUsage>> parseUsage(const QString &path)
{
    const auto object = readObject(path);
    if (!object) {
        return std::unexpected(object.error());
    }
    QHash<QString, TokenUsage> out;
    if (!*object) {
        return out;
    }
    const QJsonValue usage = (*object)->value(kUsage);
    if (!usage.isUndefined() && !usage.isObject()) {
        return Core::fail(QStringLiteral("\"usage\" must be an object"), path);
    }
    const QJsonObject map = usage.toObject();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QJsonObject o = it.value().toObject();
        bool ok = it.value().isObject();
        TokenUsage u;
        u.lastUsed = readTime(o.value(QStringLiteral("last_used")), &ok);
        u.lastPeer = o.value(QStringLiteral("last_peer")).toString();
        u.uses = qint64(o.value(QStringLiteral("uses")).toDouble(0));
        if (!ok) {
            return Core::fail(QStringLiteral("usage \"%1\": bad entry").arg(it.key().left(80)), path);
        }
        out.insert(it.key(), u);
    }
    return out;
}

} // namespace

QJsonObject TokenRecord::toJson() const
{
    QJsonObject o {
        { QStringLiteral("id"), id },
        { QStringLiteral("agent"), agent },
        { QStringLiteral("scopes"), QJsonArray::fromStringList(scopes) },
        { QStringLiteral("host_tags"), QJsonArray::fromStringList(hostTags) },
        { QStringLiteral("issued_at"), issuedAt.isValid() ? QJsonValue(registryTime(issuedAt)) : QJsonValue() },
        { QStringLiteral("expiry"), expiry.isValid() ? QJsonValue(registryTime(expiry)) : QJsonValue() },
        { QStringLiteral("hash"), hash },
    };
    if (revokedAt.isValid()) {
        o.insert(QStringLiteral("revoked_at"), registryTime(revokedAt));
        o.insert(QStringLiteral("revoked_reason"), revokedReason);
    }
    return o;
}

std::optional<TokenRecord> TokenRecord::fromJson(const QJsonObject &o, QString *error)
{
    TokenRecord r;
    const auto normalized = normalizeTokenHash(o.value(QStringLiteral("hash")).toString());
    if (!normalized) {
        *error = QStringLiteral("\"hash\" must be a token hash (sha256:...)");
        return std::nullopt;
    }
    r.hash = *normalized;
    r.id = o.value(QStringLiteral("id")).toString();
    r.agent = o.value(QStringLiteral("agent")).toString();
    const auto scopes = readStrings(o.value(QStringLiteral("scopes")));
    const auto tags = readStrings(o.value(QStringLiteral("host_tags")));
    if (!scopes || !tags) {
        *error = QStringLiteral("\"scopes\" and \"host_tags\" must be lists of strings");
        return std::nullopt;
    }
    r.scopes = *scopes;
    r.hostTags = *tags;
    bool ok = true;
    r.issuedAt = readTime(o.value(QStringLiteral("issued_at")), &ok);
    r.expiry = readTime(o.value(QStringLiteral("expiry")), &ok);
    r.revokedAt = readTime(o.value(QStringLiteral("revoked_at")), &ok);
    if (!ok) {
        *error = QStringLiteral("issued_at, expiry and revoked_at must be ISO-8601 times");
        return std::nullopt;
    }
    r.revokedReason = o.value(QStringLiteral("revoked_reason")).toString();
    return r;
}

TokenStatus tokenStatus(const TokenRecord &record, const QDateTime &now)
{
    if (record.isRevoked()) {
        return TokenStatus::Revoked;
    }
    if (record.expiry.isValid() && record.expiry < now) {
        return TokenStatus::Expired;
    }
    return TokenStatus::Active;
}

QString tokenStatusName(TokenStatus status)
{
    switch (status) {
    case TokenStatus::Active:
        return QStringLiteral("active");
    case TokenStatus::Expired:
        return QStringLiteral("expired");
    case TokenStatus::Revoked:
        return QStringLiteral("revoked");
    }
    return {};
}

Revocations revocationsOf(const QList<TokenRecord> &records)
{
    Revocations out;
    for (const TokenRecord &r : records) {
        if (r.isRevoked()) {
            out.hashes.insert(r.hash);
            if (!r.id.isEmpty()) {
                out.ids.insert(r.id);
            }
        }
    }
    return out;
}

std::optional<QString> normalizeTokenHash(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^sha256:([0-9a-fA-F]{12,64})$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch()) {
        return std::nullopt;
    }
    return QString(QStringLiteral("sha256:") + m.captured(1).left(12).toLower());
}

QString registryTime(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + u'Z';
}

TokenStore::TokenStore(QString path)
    : m_path(std::move(path))
{
}

QString TokenStore::usagePathFor(const QString &tokensPath)
{
    return QFileInfo(tokensPath).absoluteDir().filePath(QStringLiteral("tokens-usage.json"));
}

Core::Result<void> TokenStore::ensureDirectory() const
{
    return Auth::ensureDirectory(QFileInfo(m_path).absolutePath());
}

Core::Result<QList<TokenRecord>> TokenStore::records() const
{
    return parseRecords(m_path);
}

Core::Result<void> TokenStore::add(const TokenRecord &record) const
{
    return underLock(m_path, [&]() -> Core::Result<void> {
        auto records = parseRecords(m_path);
        if (!records) {
            return std::unexpected(records.error()); // never overwrite a file that cannot be read
        }
        records->append(record);
        return saveRecords(m_path, *records);
    });
}

Core::Result<RevokeResult> TokenStore::revoke(const QString &idOrHash, const QString &reason, const QDateTime &now) const
{
    return underLock(m_path, [&]() -> Core::Result<RevokeResult> {
        auto records = parseRecords(m_path);
        if (!records) {
            return std::unexpected(records.error());
        }
        const auto hash = normalizeTokenHash(idOrHash);
        const QString id = idOrHash.trimmed();
        RevokeResult result;
        bool found = false;
        bool changed = false;
        for (TokenRecord &r : *records) {
            if (hash ? r.hash != *hash : r.id != id) {
                continue;
            }
            if (!r.isRevoked()) {
                r.revokedAt = now;
                r.revokedReason = reason;
                changed = true;
            }
            result.record = r;
            found = true;
        }
        if (!found) {
            if (!hash) {
                return Core::fail(QStringLiteral("no token with id '%1' (see: tailops-gateway token list --all)").arg(id.left(100)));
            }
            TokenRecord r;
            r.hash = *hash;
            r.revokedAt = now;
            r.revokedReason = reason;
            records->append(r);
            result.record = r;
            result.added = true;
            changed = true;
        }
        result.alreadyRevoked = !changed;
        if (changed) {
            if (auto saved = saveRecords(m_path, *records); !saved) {
                return std::unexpected(saved.error());
            }
        }
        return result;
    });
}

Core::Result<QHash<QString, TokenUsage>> TokenStore::usage() const
{
    return parseUsage(usagePath());
}

Core::Result<void> TokenStore::recordUsage(const QHash<QString, TokenUsage> &uses) const
{
    const QString path = usagePath();
    return underLock(path, [&]() -> Core::Result<void> {
        auto merged = parseUsage(path);
        if (!merged) {
            // Statistics only: a damaged file is replaced rather than blocking every later update.
            merged = QHash<QString, TokenUsage> {};
        }
        for (auto it = uses.constBegin(); it != uses.constEnd(); ++it) {
            TokenUsage &u = (*merged)[it.key()];
            u.uses += it->uses;
            if (!u.lastUsed.isValid() || it->lastUsed >= u.lastUsed) {
                u.lastUsed = it->lastUsed;
                u.lastPeer = it->lastPeer;
            }
        }
        QJsonObject map;
        for (auto it = merged->constBegin(); it != merged->constEnd(); ++it) {
            map.insert(it.key(), QJsonObject { { QStringLiteral("last_used"), registryTime(it->lastUsed) },
                                               { QStringLiteral("last_peer"), it->lastPeer },
                                               { QStringLiteral("uses"), it->uses } });
        }
        return writeObject(path, QJsonObject { { QStringLiteral("version"), kVersion }, { kUsage, map } });
    });
}

} // namespace Tailops::Auth
