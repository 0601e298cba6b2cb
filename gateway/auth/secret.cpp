#include "secret.h"

#include <QFile>
#include <QFileInfo>
#include "core/random.h"

namespace Tailops::Auth {

namespace {

Core::Result<QByteArray> checked(QByteArray secret, const QString &source)
{
    secret = secret.trimmed();
    if (secret.size() < kMinSecretLength) {
        return Core::fail(QStringLiteral("the shared secret from %1 is too short (at least %2 characters; "
                                         "generate one with: openssl rand -hex 32)")
                              .arg(source)
                              .arg(kMinSecretLength));
    }
    return secret;
}

} // namespace

Core::Result<QByteArray> loadSharedSecret(const QString &secretFile)
{
    for (const char *name : { "TAILOPS_SHARED_SECRET", "SYSTEMMANAGER_SHARED_SECRET" }) {
        if (qEnvironmentVariableIsSet(name) && !qEnvironmentVariableIsEmpty(name)) {
            return checked(qgetenv(name), QString::fromLatin1(name));
        }
    }
    if (secretFile.isEmpty()) {
        return Core::fail(QStringLiteral("no shared secret: set TAILOPS_SHARED_SECRET or auth.secret_file in "
                                         "gateway.yaml"));
    }
    QFile file(secretFile);
    if (!file.exists()) {
        return Core::fail(QStringLiteral("secret file %1 does not exist").arg(secretFile));
    }
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (file.permissions() & others) {
        return Core::fail(QStringLiteral("secret file %1 is readable by others; run: chmod 600 %1").arg(secretFile));
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Core::fail(QStringLiteral("cannot read secret file %1: %2").arg(secretFile, file.errorString()));
    }
    return checked(file.read(4096), secretFile);
}

Core::Result<void> createSecretFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        return Core::fail(QStringLiteral("cannot create secret file %1: %2").arg(path, file.errorString()));
    }
    const QByteArray hex = Core::randomHex(32) + '\n';
    if (file.write(hex) != hex.size() || !file.flush()) {
        return Core::fail(QStringLiteral("cannot write secret file %1: %2").arg(path, file.errorString()));
    }
    return {};
}

} // namespace Tailops::Auth
