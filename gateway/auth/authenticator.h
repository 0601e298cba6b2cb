#pragma once

#include "caller.h"
#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>

namespace Tailops::Auth {

// Turns a bearer token into a Caller, or an error message safe to show (it never contains the token).
class Authenticator
{
public:
    virtual ~Authenticator() = default;
    virtual Core::Result<Caller> authenticate(const QByteArray &bearerToken) = 0;
};

// HMAC shared-secret tokens (the original's format). Verified tokens are cached by their hash, and
// their expiry is checked on every use.
class TokenAuthenticator final : public Authenticator
{
public:
    explicit TokenAuthenticator(QByteArray secret);

    Core::Result<Caller> authenticate(const QByteArray &bearerToken) override;

private:
    struct Cached
    {
        Caller caller;
        QDateTime expiry;
    };

    QByteArray m_secret;
    QHash<QByteArray, Cached> m_cache;
};

} // namespace Tailops::Auth
