#include "gatewayservice.h"

#include "approvals/adminserver.h"
#include "approvals/approvalbroker.h"
#include "auth/oauth/httpjwkssource.h"
#include "auth/oauth/jwkssource.h"
#include "auth/oauth/oauthauthenticator.h"
#include "auth/oauth/protectedresource.h"
#include "auth/scopes.h"
#include "auth/secret.h"
#include "auth/tailnet/tailnetwhois.h"
#include "gatekeeper.h"
#include "policy/policyengine.h"
#include "policy/policyloader.h"
#include "policy/ratelimiter.h"
#include "core/logging.h"
#include "core/paths.h"
#include "connectivity/connectivitytool.h"
#include "connectivity/networktools.h"
#include "exec/docker/dockertools.h"
#include "audit/auditfiles.h"
#include "audit/auditlog.h"
#include "auditbridge.h"
#include "executorcache.h"

#include <QDir>

#include <csignal>
#include "http/httptransport.h"
#include "mcp/server.h"
#include "registry/targetregistry.h"
#include "stdio/stdiotransport.h"
#include "tools/builtintools.h"
#include "tools/commandtools.h"
#include "tools/filetools.h"
#include "tools/fleettools.h"
#include "tools/packagetools.h"
#include "tools/servicetools.h"
#include "tools/systemtools.h"

#include <QFileInfo>

namespace Tailops::Service {

namespace {

// auth.mode both: JWTs (three dot-separated parts) go to OAuth, the rest to HMAC tokens. OAuth callers
// whose token carries no scope get the scopes policy.yaml grants to their user and tags.
class GatewayAuthenticator final : public Auth::Authenticator
{
public:
    GatewayAuthenticator(std::unique_ptr<Auth::Authenticator> tokens, std::unique_ptr<Auth::Authenticator> oauth,
                         Policy::PolicyEngine &policy)
        : m_tokens(std::move(tokens))
        , m_oauth(std::move(oauth))
        , m_policy(policy)
    {
    }

    Core::Result<Auth::Caller> authenticate(const QByteArray &token) override
    {
        const bool jwt = token.count('.') == 2;
        Auth::Authenticator *chosen = jwt && m_oauth ? m_oauth.get() : (!jwt && m_tokens ? m_tokens.get() : nullptr);
        if (!chosen) {
            return Core::fail(jwt ? QStringLiteral("JWT access tokens are not accepted here (auth.mode is token)")
                                  : QStringLiteral("malformed token (auth.mode is oauth: expected a JWT access token)"));
        }
        auto caller = chosen->authenticate(token);
        if (caller && chosen == m_oauth.get() && caller->scopes.isEmpty()) {
            caller->scopes = m_policy.policy()->grantedScopes(caller->user, caller->tailnetTags);
        }
        return caller;
    }

    void noteUse(const Auth::Caller &caller) override
    {
        if (m_tokens && !caller.agent.startsWith(QStringLiteral("oauth:"))) {
            m_tokens->noteUse(caller);
        }
    }

private:
    std::unique_ptr<Auth::Authenticator> m_tokens;
    std::unique_ptr<Auth::Authenticator> m_oauth;
    Policy::PolicyEngine &m_policy;
};

Policy::TierLimits tierLimits(const Config::GatewayConfig::TierLimit &l)
{
    return { l.ratePerSecond, l.burst, l.daily };
}

} // namespace

GatewayService::GatewayService(Config::GatewayConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_registry(std::make_unique<Registry::TargetRegistry>())
    , m_server(std::make_unique<Mcp::Server>(*m_registry))
{
    m_server->setPageSize(m_config.pageSize);
    Exec::SshOptions ssh;
    ssh.knownHostsFile = m_config.knownHostsFile;
    m_executors = std::make_unique<ExecutorCache>(ssh);
    m_server->setExecutorProvider(m_executors.get());
    Connectivity::CheckOptions checks;
    checks.ssh = ssh;
    Connectivity::registerConnectivityTool(*m_server, checks);
    Exec::registerDockerTools(*m_server);
    Tools::registerBuiltinTools(*m_server);
    Tools::registerCommandTools(*m_server);
    Tools::registerSystemTools(*m_server);
    Tools::registerServiceTools(*m_server);
    Tools::registerFileTools(*m_server);
    Tools::registerPackageTools(*m_server);
    Connectivity::registerNetworkTools(*m_server, Connectivity::NetworkOptions { m_config.networkAllowedUrls });
    Tools::registerFleetTools(*m_server);

    m_policy = std::make_unique<Policy::PolicyEngine>(Policy::Policy::permissive());
    m_limiter = std::make_unique<Policy::RateLimiter>(
        std::array<Policy::TierLimits, 3> { tierLimits(m_config.observeLimit), tierLimits(m_config.controlLimit),
                                            tierLimits(m_config.adminLimit) },
        m_config.perCallerConcurrency);
    m_broker = std::make_unique<Approvals::ApprovalBroker>();
    auto gate = std::make_unique<Gatekeeper>(*m_policy, *m_limiter, *m_broker, m_config.approvalTimeoutSeconds);
    gate->setRegistry(m_registry.get());
    const QString home = QDir::homePath();
    gate->setProtectedPaths({ m_config.secretFile.isEmpty() ? QDir(m_config.configDir).filePath(QStringLiteral("secret"))
                                                            : m_config.secretFile,
                              QFileInfo(m_config.tokensPath()).absolutePath(),
                              QFileInfo(m_config.auditPath.isEmpty() ? Audit::defaultAuditPath() : m_config.auditPath).absolutePath(),
                              QFileInfo(m_config.adminSocketPath()).absolutePath(),
                              m_config.knownHostsFile,
                              QDir(home).filePath(QStringLiteral(".ssh")),
                              QStringLiteral("/root/.ssh"),
                              QStringLiteral("/etc/ssh"),
                              QStringLiteral("/proc") });
    // Parsed when the configuration was loaded: the patterns are known to be valid here.
    const auto fileDeny = Core::PathPatterns::parse(
        (m_config.fileDenySecrets ? Core::PathPatterns::secretDefaults() : QStringList()) + m_config.fileDeny);
    gate->setFileRules(fileDeny ? *fileDeny : Core::PathPatterns(), m_config.fileAllow);
    m_gate = std::move(gate);
    m_server->setGate(m_gate.get());
}

GatewayService::~GatewayService()
{
    m_http.reset();
    m_stdio.reset();
    m_admin.reset();
    m_server->pool().waitForDone(); // running tools may still ask the gate (recheck)
    m_server->setGate(nullptr);
    m_server->setAuditor(nullptr);
    if (m_audit) {
        m_audit->close();
    }
}

Config::Diagnostics GatewayService::reloadTargets()
{
    const Config::Diagnostics diagnostics = m_registry->load(m_config.targetsFile());
    Q_EMIT targetsReloaded(diagnostics);
    return diagnostics;
}

void GatewayService::watchTargets()
{
    m_reloadDebounce.setSingleShot(true);
    m_reloadDebounce.setInterval(250);
    connect(&m_reloadDebounce, &QTimer::timeout, this, [this] {
        const Config::Diagnostics diagnostics = reloadTargets();
        for (const auto &d : diagnostics) {
            qCWarning(Core::lcConfig).noquote() << d.toString();
        }
        qCInfo(Core::lcConfig).noquote() << "targets.yaml reloaded:" << m_registry->snapshot()->size() << "target(s)"
                                         << (Config::hasErrors(diagnostics) ? "(with errors; bad targets skipped)" : "");
        // Editors replace files: watch the new inode too.
        if (!m_watcher.files().contains(m_config.targetsFile()) && QFileInfo::exists(m_config.targetsFile())) {
            m_watcher.addPath(m_config.targetsFile());
        }
    });
    m_policyDebounce.setSingleShot(true);
    m_policyDebounce.setInterval(250);
    connect(&m_policyDebounce, &QTimer::timeout, this, [this] {
        const Config::Diagnostics diagnostics = reloadPolicy();
        for (const auto &d : diagnostics) {
            qCWarning(Core::lcConfig).noquote() << d.toString();
        }
        if (!m_watcher.files().contains(m_config.policyFile()) && QFileInfo::exists(m_config.policyFile())) {
            m_watcher.addPath(m_config.policyFile());
        }
    });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this](const QString &path) {
        (path == m_config.policyFile() ? m_policyDebounce : m_reloadDebounce).start();
    });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &GatewayService::onConfigDirChanged);
    if (QFileInfo::exists(m_config.configDir)) {
        m_watcher.addPath(m_config.configDir);
    }
    for (const QString &file : { m_config.targetsFile(), m_config.policyFile() }) {
        if (QFileInfo::exists(file)) {
            m_watcher.addPath(file);
        }
    }
    m_targetsStamp = QFileInfo(m_config.targetsFile()).lastModified();
    m_policyStamp = QFileInfo(m_config.policyFile()).lastModified();
}

void GatewayService::onConfigDirChanged()
{
    // Only react when targets.yaml or policy.yaml itself appeared, disappeared or was replaced.
    const auto changed = [](const QString &file, QDateTime &stamp) {
        const QFileInfo info(file);
        const QDateTime now = info.exists() ? info.lastModified() : QDateTime();
        if (now == stamp) {
            return false;
        }
        stamp = now;
        return true;
    };
    if (changed(m_config.targetsFile(), m_targetsStamp)) {
        m_reloadDebounce.start();
    }
    if (changed(m_config.policyFile(), m_policyStamp)) {
        m_policyDebounce.start();
    }
}

Config::Diagnostics GatewayService::reloadPolicy()
{
    Config::Diagnostics diagnostics;
    const QString path = m_config.policyFile();
    if (!QFileInfo::exists(path)) {
        if (m_policyLoaded) {
            // Editors delete and recreate files: a policy once in force stays until a valid file replaces it.
            qCWarning(Core::lcConfig).noquote() << "policy.yaml disappeared; the policy in force stays (restart to drop it)";
        } else {
            m_policy->setPolicy(Policy::Policy::permissive());
            qCInfo(Core::lcConfig).noquote() << "no policy.yaml: calls are decided by token scopes x target capabilities";
        }
        Q_EMIT policyReloaded(diagnostics);
        return diagnostics;
    }
    // Strict on reload too: skipping a broken rule could widen access (its constraints no longer apply).
    auto loaded = Policy::loadPolicyFile(path, diagnostics, Policy::LoadMode::Strict);
    if (!loaded) {
        diagnostics.append({ Config::Diagnostic::Severity::Error, QStringLiteral("policy.yaml"), 0, 0,
                             QStringLiteral("not applied: %1; the policy in force stays").arg(loaded.error().message) });
        qCCritical(Core::lcConfig).noquote() << "policy.yaml has errors; keeping the policy in force";
    } else {
        m_policy->setPolicy(*loaded);
        m_policyLoaded = true;
        qCInfo(Core::lcConfig).noquote() << "policy.yaml loaded:" << (*loaded)->rules().size() << "rule(s), default"
                                         << Policy::effectName((*loaded)->defaultEffect());
    }
    Q_EMIT policyReloaded(diagnostics);
    return diagnostics;
}

Core::Result<QString> GatewayService::startAdmin()
{
    m_admin = std::make_unique<Approvals::AdminServer>(m_broker.get());
    connect(m_admin.get(), &Approvals::AdminServer::commandHandled, this,
            [](const QString &command, const QString &approver, bool ok) {
                qCInfo(Core::lcGateway).noquote() << "admin socket:" << command << "by" << approver << (ok ? "ok" : "refused");
            });
    return m_admin->listen(m_config.adminSocketPath());
}

Core::Result<std::unique_ptr<Auth::Authenticator>> GatewayService::makeAuthenticator()
{
    using Mode = Config::GatewayConfig::AuthMode;
    std::unique_ptr<Auth::Authenticator> tokens;
    std::unique_ptr<Auth::Authenticator> oauth;
    if (m_config.authMode == Mode::Token || m_config.authMode == Mode::Both) {
        auto secret = Auth::loadSharedSecret(m_config.secretFile);
        if (!secret) {
            return std::unexpected(secret.error());
        }
        Auth::TokenAuthOptions options;
        options.requireExpiry = m_config.requireExpiry;
        options.maxTtlSeconds = m_config.maxTokenTtlSeconds;
        options.tokensPath = m_config.tokensPath();
        tokens = std::make_unique<Auth::TokenAuthenticator>(*secret, options);
    }
    if (m_config.authMode == Mode::OAuth || m_config.authMode == Mode::Both) {
        std::shared_ptr<Auth::JwksSource> keys;
        if (!m_config.oauthJwksFile.isEmpty()) {
            auto fixed = Auth::StaticJwksSource::fromFile(m_config.oauthJwksFile);
            if (!fixed) {
                return std::unexpected(fixed.error());
            }
            keys = std::shared_ptr<Auth::JwksSource>(std::move(*fixed));
        } else {
            Auth::HttpJwksSourceOptions options;
            options.issuer = m_config.oauthIssuer;
            options.jwksUrl = QUrl(m_config.oauthJwksUrl);
            if (auto ok = Auth::HttpJwksSource::checkOptions(options); !ok) {
                return Core::fail(QStringLiteral("auth.oauth: %1").arg(ok.error().message));
            }
            m_jwks = std::make_shared<Auth::HttpJwksSource>(options);
            connect(m_jwks.get(), &Auth::HttpJwksSource::fetchFailed, this, [](const QString &error) {
                qCWarning(Core::lcAuth).noquote() << "JWKS:" << error;
            });
            if (auto started = m_jwks->start(); !started) {
                return std::unexpected(started.error());
            }
            keys = m_jwks;
        }
        Auth::JwtVerifierOptions verifier;
        verifier.issuer = m_config.oauthIssuer;
        verifier.audience = m_config.oauthAudience.isEmpty() ? m_config.oauthResource : m_config.oauthAudience;
        verifier.allowedAlgorithms = m_config.oauthAlgorithms;
        oauth = std::make_unique<Auth::OAuthAuthenticator>(verifier, keys);
    }
    return std::unique_ptr<Auth::Authenticator>(std::make_unique<GatewayAuthenticator>(std::move(tokens), std::move(oauth), *m_policy));
}

Core::Result<QString> GatewayService::openAudit()
{
    const QString path = m_config.auditPath.isEmpty() ? Audit::defaultAuditPath() : m_config.auditPath;
    Audit::AuditLogOptions options;
    options.durability = Audit::durabilityFromName(m_config.auditDurability).value_or(Audit::Durability::Group);
    options.syslog = m_config.auditSyslog;
    options.maxFileBytes = m_config.auditMaxFileBytes;
    options.maxFileAgeSeconds = m_config.auditMaxAgeSeconds;
    options.redaction.extraKeys = m_config.auditRedactKeys;
    options.redaction.extraPatterns = m_config.auditRedactPatterns;
    // With a file-size limit (systemd LimitFSIZE, a quota) the kernel would kill the process on SIGXFSZ;
    // ignored, the write fails with EFBIG and the log fails closed instead.
    ::signal(SIGXFSZ, SIG_IGN);
    options.startupDetails = QJsonObject { { QStringLiteral("version"), QStringLiteral(TAILOPS_VERSION) },
                                           { QStringLiteral("config_dir"), m_config.configDir } };
    QDir().mkpath(QFileInfo(path).absolutePath());
    m_audit = std::make_unique<Audit::AuditLog>(path, options);
    m_auditBridge = std::make_unique<AuditBridge>(*m_audit);
    // Installed even when opening fails: every call is then refused instead of running unaudited.
    m_server->setAuditor(m_auditBridge.get());
    connect(m_audit.get(), &Audit::AuditLog::failed, this, [](const QString &reason) {
        qCCritical(Core::lcGateway).noquote() << "AUDIT LOG FAILED:" << reason << "- refusing tool calls until it can be written";
    });
    auto opened = m_audit->open();
    if (!opened) {
        return std::unexpected(opened.error());
    }
    return path;
}

Core::Result<QList<QUrl>> GatewayService::startHttp(bool noAuth)
{
    const bool oauth = m_config.authMode == Config::GatewayConfig::AuthMode::OAuth
        || m_config.authMode == Config::GatewayConfig::AuthMode::Both;
    if (!noAuth && m_config.authMode != Config::GatewayConfig::AuthMode::None) {
        if (oauth && m_config.oauthResource.isEmpty() && m_config.oauthAudience.isEmpty()) {
            return Core::fail(QStringLiteral("auth.oauth.resource is required: the URL clients use for this gateway "
                                             "(e.g. https://gateway.tailnet.ts.net/mcp), which tokens must name as "
                                             "their audience"));
        }
        auto authenticator = makeAuthenticator();
        if (!authenticator) {
            return std::unexpected(authenticator.error());
        }
        m_authenticator = std::move(*authenticator);
    }
    m_http = std::make_unique<Http::HttpTransport>(*m_server, m_config, m_authenticator.get());
    if (m_authenticator && m_config.tailnetEnabled) {
        m_whois = std::make_unique<Auth::TailnetWhois>(m_config.tailnetSocket);
        m_http->setCallerResolver([this](const QHostAddress &address, quint16 port, const QObject *context,
                                         std::function<void(Core::Result<Auth::Caller>)> done) {
            if (!Auth::isTailnetAddress(address)) {
                return false;
            }
            m_whois->lookup(address, port, context, [this, done = std::move(done)](Core::Result<Auth::TailnetIdentity> who) {
                if (!who) {
                    done(std::unexpected(who.error()));
                    return;
                }
                Auth::Caller caller;
                caller.user = who->user;
                caller.node = who->node;
                caller.tailnetTags = who->tags;
                caller.agent = QString(QStringLiteral("tailnet:") + (who->user.isEmpty() ? who->node : who->user));
                caller.scopes = m_policy->policy()->grantedScopes(who->user, who->tags);
                if (caller.scopes.isEmpty()) {
                    done(Core::fail(QStringLiteral("policy.yaml grants no scopes to %1 (add it under grants:)")
                                        .arg(who->user.isEmpty() ? who->tags.join(QStringLiteral(", ")) : who->user)));
                    return;
                }
                done(caller);
            });
            return true;
        });
    }
    auto urls = m_http->listen();
    if (urls && oauth && m_authenticator) {
        const QString resource = m_config.oauthResource.isEmpty() ? m_config.oauthAudience : m_config.oauthResource;
        const auto metadataUrl = Auth::protectedResourceMetadataUrl(resource);
        if (!metadataUrl) {
            return Core::fail(QStringLiteral("auth.oauth.resource: %1").arg(metadataUrl.error().message));
        }
        m_http->setProtectedResource(Auth::protectedResourceMetadata(resource, { m_config.oauthIssuer }, Auth::knownScopes(),
                                                                     QStringLiteral("TailOps gateway")),
                                     *metadataUrl);
    }
    if (urls) {
        m_listenUrls = *urls;
    }
    return urls;
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
        Auth::TokenAuthOptions options;
        options.requireExpiry = m_config.requireExpiry;
        options.maxTtlSeconds = m_config.maxTokenTtlSeconds;
        options.tokensPath = m_config.tokensPath();
        Auth::TokenAuthenticator authenticator(*secret, options);
        auto fromToken = authenticator.authenticate(token);
        if (!fromToken) {
            return Core::fail(QStringLiteral("TAILOPS_TOKEN: %1").arg(fromToken.error().message));
        }
        caller = *fromToken;
        caller.transport = QStringLiteral("stdio");
        caller.peer = QStringLiteral("stdio");
        authenticator.noteUse(caller);
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
