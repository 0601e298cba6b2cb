#include "jwkssource.h"

namespace Tailops::Auth {

StaticJwksSource::StaticJwksSource(Jwks keys)
    : m_keys(std::move(keys))
{
}

Core::Result<std::unique_ptr<StaticJwksSource>> StaticJwksSource::fromJson(const QByteArray &json, QStringList *warnings)
{
    auto jwks = Jwks::parse(json, warnings);
    if (!jwks) {
        return std::unexpected(jwks.error());
    }
    return std::make_unique<StaticJwksSource>(std::move(*jwks));
}

Core::Result<std::unique_ptr<StaticJwksSource>> StaticJwksSource::fromFile(const QString &path, QStringList *warnings)
{
    auto jwks = Jwks::fromFile(path, warnings);
    if (!jwks) {
        return std::unexpected(jwks.error());
    }
    return std::make_unique<StaticJwksSource>(std::move(*jwks));
}

} // namespace Tailops::Auth
