#pragma once

#include "auth/authenticator.h"
#include "mcp/callgate.h"
#include "exec/executorprovider.h"
#include "config/gatewayconfig.h"
#include "core/result.h"

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace Tailops::Registry {
class TargetRegistry;
}
namespace Tailops::Mcp {
class Server;
}
namespace Tailops::Audit {
class AuditLog;
}
namespace Tailops::Mcp {
class CallAuditor;
}
namespace Tailops::Http {
class HttpTransport;
}
namespace Tailops::Stdio {
class StdioTransport;
}
namespace Tailops::Policy {
class PolicyEngine;
class RateLimiter;
}
namespace Tailops::Approvals {
class ApprovalBroker;
class AdminServer;
}
namespace Tailops::Auth {
class TailnetWhois;
class HttpJwksSource;
}

namespace Tailops::Service {

// The whole gateway as one object: registry, MCP server with its tools, authentication and transports.
// The headless gateway and the console both run exactly this, on their event loop.
class GatewayService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayService)

public:
    explicit GatewayService(Config::GatewayConfig config, QObject *parent = nullptr);
    ~GatewayService() override;

    const Config::GatewayConfig &config() const { return m_config; }
    Registry::TargetRegistry &registry() { return *m_registry; }
    Mcp::Server &server() { return *m_server; }
    Http::HttpTransport *http() { return m_http.get(); }

    // (Re)loads targets.yaml; returns its findings. A file that yields no usable target keeps the
    // previous set; calls in flight keep the snapshot they started with.
    Config::Diagnostics reloadTargets();

    // Reloads targets.yaml whenever it changes on disk (also when an editor replaces it).
    void watchTargets();

    // (Re)loads policy.yaml (strictly). Without the file at startup the gate is scopes x target capabilities;
    // a file with errors, or one that disappears later, keeps the policy in force. Returns the findings.
    Config::Diagnostics reloadPolicy();
    Policy::PolicyEngine &policy() { return *m_policy; }
    Approvals::ApprovalBroker &approvals() { return *m_broker; }

    // Listens on the owner-only admin socket (approvals, pause, read-only) at admin.socket.
    Core::Result<QString> startAdmin();

    // Opens the audit log (audit.path, $TAILOPS_AUDIT_LOG, ...); tool calls are refused if it fails.
    Core::Result<QString> openAudit();
    Audit::AuditLog *audit() { return m_audit.get(); }

    // Starts Streamable HTTP. Without NOAUTH the shared secret must be available.
    Core::Result<QList<QUrl>> startHttp(bool noAuth);
    // Where Streamable HTTP listens (empty before startHttp() succeeded).
    const QList<QUrl> &listenUrls() const { return m_listenUrls; }

    // Starts MCP over stdin/stdout; the caller is $TAILOPS_TOKEN's, else auth.stdio_scopes.
    Core::Result<void> startStdio();

Q_SIGNALS:
    void stdioFinished();
    void targetsReloaded(const Config::Diagnostics &diagnostics);
    void policyReloaded(const Config::Diagnostics &diagnostics);

private:
    Core::Result<std::unique_ptr<Auth::Authenticator>> makeAuthenticator();
    void onConfigDirChanged();

    Config::GatewayConfig m_config;
    std::unique_ptr<Registry::TargetRegistry> m_registry;
    std::unique_ptr<Mcp::Server> m_server;
    std::unique_ptr<Auth::Authenticator> m_authenticator;
    std::unique_ptr<Exec::ExecutorProvider> m_executors;
    std::unique_ptr<Audit::AuditLog> m_audit;
    std::unique_ptr<Mcp::CallAuditor> m_auditBridge;
    std::unique_ptr<Http::HttpTransport> m_http;
    std::unique_ptr<Stdio::StdioTransport> m_stdio;
    std::unique_ptr<Policy::PolicyEngine> m_policy;
    std::unique_ptr<Policy::RateLimiter> m_limiter;
    std::unique_ptr<Approvals::ApprovalBroker> m_broker;
    std::unique_ptr<Mcp::CallGate> m_gate;
    std::unique_ptr<Approvals::AdminServer> m_admin;
    std::unique_ptr<Auth::TailnetWhois> m_whois;
    std::shared_ptr<Auth::HttpJwksSource> m_jwks;
    QFileSystemWatcher m_watcher;
    QTimer m_reloadDebounce;
    QTimer m_policyDebounce;
    QDateTime m_targetsStamp;
    QDateTime m_policyStamp;
    bool m_policyLoaded = false;
    QList<QUrl> m_listenUrls;
};

} // namespace Tailops::Service
