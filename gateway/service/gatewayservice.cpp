#include "gatewayservice.h"

#include "auth/scopes.h"
#include "auth/secret.h"
#include "core/logging.h"
#include "http/httptransport.h"
#include "mcp/server.h"
#include "registry/targetregistry.h"
#include "stdio/stdiotransport.h"
#include "tools/builtintools.h"

namespace Tailops::Service {

GatewayService::GatewayService(Config::GatewayConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_registry(std::make_unique<Registry::TargetRegistry>())
    , m_server(std::make_unique<Mcp::Server>(*m_registry))
{
    m_server->setPageSize(m_config.pageSize);
    Tools::registerBuiltinTools(*m_server);
}

GatewayService::~GatewayService()
{
    m_http.reset();
    m_stdio.reset();
}

Config::Diagnostics GatewayService::reloadTargets()
{
    return m_registry->load(m_config.targetsFile());
}

Core::Result<QList<QUrl>> GatewayService::startHttp(bool noAuth)
{
    if (!noAuth && m_config.authMode == Config::GatewayConfig::AuthMode::Token) {
        auto secret = Auth::loadSharedSecret(m_config.secretFile);
        if (!secret) {
            return std::unexpected(secret.error());
        }
        m_authenticator = std::make_unique<Auth::TokenAuthenticator>(*secret);
    }
    m_http = std::make_unique<Http::HttpTransport>(*m_server, m_config, m_authenticator.get());
    return m_http->listen();
}

Core::Result<void> GatewayService::startStdio()
{
    Auth::Caller caller;
    caller.transport = QStringLiteral("stdio");
    caller.agent = QStringLiteral("stdio");
    caller.peer = QStringLiteral("stdio");
    const QByteArray token = qgetenv("TAILOPS_TOKEN").trimmed();
    if (!token.isEmpty()) {
        auto secret = Auth::loadSharedSecret(m_config.secretFile);
        if (!secret) {
            return Core::fail(QStringLiteral("TAILOPS_TOKEN is set but %1").arg(secret.error().message));
        }
        Auth::TokenAuthenticator authenticator(*secret);
        auto fromToken = authenticator.authenticate(token);
        if (!fromToken) {
            return Core::fail(QStringLiteral("TAILOPS_TOKEN: %1").arg(fromToken.error().message));
        }
        caller = *fromToken;
        caller.transport = QStringLiteral("stdio");
        caller.peer = QStringLiteral("stdio");
    } else {
        caller.scopes = Auth::expandScopes(m_config.stdioScopes);
    }
    m_stdio = std::make_unique<Stdio::StdioTransport>(*m_server, caller);
    connect(m_stdio.get(), &Stdio::StdioTransport::finished, this, &GatewayService::stdioFinished);
    m_stdio->start();
    qCInfo(Core::lcStdio).noquote() << "serving MCP on stdin/stdout for" << caller.agent;
    return {};
}

} // namespace Tailops::Service
