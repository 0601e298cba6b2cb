#include "gatewayservice.h"

#include "auth/scopes.h"
#include "auth/secret.h"
#include "core/logging.h"
#include "connectivity/connectivitytool.h"
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

#include <QFileInfo>

namespace Tailops::Service {

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
}

GatewayService::~GatewayService()
{
    m_http.reset();
    m_stdio.reset();
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
    const auto schedule = [this] { m_reloadDebounce.start(); };
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, schedule);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this, schedule] {
        // Only react when targets.yaml itself appeared, disappeared or was replaced.
        const QFileInfo info(m_config.targetsFile());
        const QDateTime stamp = info.exists() ? info.lastModified() : QDateTime();
        if (stamp != m_targetsStamp) {
            m_targetsStamp = stamp;
            schedule();
        }
    });
    if (QFileInfo::exists(m_config.configDir)) {
        m_watcher.addPath(m_config.configDir);
    }
    if (QFileInfo::exists(m_config.targetsFile())) {
        m_watcher.addPath(m_config.targetsFile());
        m_targetsStamp = QFileInfo(m_config.targetsFile()).lastModified();
    }
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
