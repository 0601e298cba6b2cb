#include "initialconfig.h"

#include "auth/secret.h"
#include "config/gatewayconfig.h"
#include "registry/targetsfile.h"
#include "tokens/clientsetup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace Tailops::Ui {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Core::Result<void> writeNewFile(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    file.setPermissions(kOwnerOnly);
    if (file.write(content) != content.size() || !file.commit()) {
        return Core::fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    return {};
}

} // namespace

QByteArray initialGatewayYaml(const QString &listen)
{
    return QByteArray("# gateway.yaml, written by the TailOps console's first-run assistant. Every key is optional;\n"
                      "# see the example gateway.yaml shipped with TailOps for all of them.\n"
                      "listen:\n"
                      "  - \"")
        + listen.toUtf8()
        + QByteArray("\"            # add your tailnet address to serve the tailnet\n\n"
                     "auth:\n"
                     "  mode: token\n"
                     "  secret_file: secret            # chmod 600; TAILOPS_SHARED_SECRET wins\n"
                     "  max_token_ttl: 90d\n"
                     "  require_expiry: true\n\n"
                     "approvals:\n"
                     "  timeout: 120s\n");
}

QByteArray initialTargetsYaml()
{
    return QByteArrayLiteral("# targets.yaml: the infrastructure targets, keyed by id. Check it with: tailops-gateway check-config\n"
                             "version: \"1.0\"\n"
                             "targets:\n"
                             "  local:\n"
                             "    type: local\n"
                             "    description: The machine the gateway runs on\n"
                             "    capabilities: [system:read, network:read, container:read, file:read, network:diag]\n"
                             "    constraints:\n"
                             "      timeout: 30\n"
                             "      concurrency: 5\n"
                             "      sudo_policy: none\n"
                             "    metadata:\n"
                             "      tags: [local]\n");
}

Core::Result<InitialConfig> createInitialConfig(const InitialConfigOptions &options)
{
    if (options.configDir.trimmed().isEmpty()) {
        return Core::fail(QStringLiteral("choose a configuration directory"), QStringLiteral("config_dir"));
    }
    QString listenError;
    const auto listen = Config::parseListenAddress(options.listen.trimmed(), &listenError);
    if (!listen) {
        return Core::fail(listenError, QStringLiteral("listen"));
    }

    InitialConfig out;
    out.configDir = QDir::cleanPath(QDir(options.configDir).absolutePath());
    const QDir dir(out.configDir);
    out.gatewayFile = dir.filePath(QStringLiteral("gateway.yaml"));
    out.targetsFile = dir.filePath(QStringLiteral("targets.yaml"));
    out.secretFile = dir.filePath(QStringLiteral("secret"));
    if (QFileInfo::exists(out.gatewayFile)) {
        return Core::fail(QStringLiteral("%1 exists already: nothing was changed").arg(out.gatewayFile), QStringLiteral("config_dir"));
    }
    if (!dir.exists() && !QDir().mkpath(out.configDir)) {
        return Core::fail(QStringLiteral("cannot create %1").arg(out.configDir), QStringLiteral("config_dir"));
    }
    if (!QFile::setPermissions(out.configDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        return Core::fail(QStringLiteral("cannot make %1 private (mode 0700)").arg(out.configDir), QStringLiteral("config_dir"));
    }

    if (!QFileInfo::exists(out.secretFile)) {
        if (auto secret = Auth::createSecretFile(out.secretFile); !secret) {
            return std::unexpected(secret.error());
        }
        out.createdFiles.append(out.secretFile);
    }
    if (!QFileInfo::exists(out.targetsFile)) {
        if (auto written = writeNewFile(out.targetsFile, initialTargetsYaml()); !written) {
            return std::unexpected(written.error());
        }
        out.createdFiles.append(out.targetsFile);
    }
    if (!options.sshTargets.isEmpty()) {
        if (auto appended = Registry::appendTargets(out.targetsFile, options.sshTargets, &out.skippedTargets); !appended) {
            return std::unexpected(appended.error());
        }
        for (const Registry::Target &t : options.sshTargets) {
            if (!out.skippedTargets.contains(t.id)) {
                out.importedTargets.append(t.id);
            }
        }
    }
    // gateway.yaml last: its presence is what tells the console the first run is done.
    if (auto written = writeNewFile(out.gatewayFile, initialGatewayYaml(options.listen.trimmed())); !written) {
        return std::unexpected(written.error());
    }
    out.createdFiles.append(out.gatewayFile);

    Config::Diagnostics diagnostics;
    const Config::GatewayConfig config = Config::loadGatewayConfig(out.configDir, diagnostics);
    for (const Config::Diagnostic &d : std::as_const(diagnostics)) {
        if (d.isError()) {
            return Core::fail(d.toString(), out.gatewayFile);
        }
    }
    out.mcpUrl = QUrl(listen->url(false));
    if (options.mintToken) {
        Auth::IssueRequest request;
        request.agent = options.tokenAgent;
        request.scopes = options.tokenScopes;
        request.ttlSeconds = options.tokenTtlSeconds;
        auto issued = Auth::issueToken(config, request);
        if (!issued) {
            return Core::fail(QStringLiteral("the configuration was written, but no token was minted: %1")
                                  .arg(issued.error().message),
                              issued.error().where);
        }
        out.claudeCodeCommand = claudeCodeCommand(out.mcpUrl, issued->token);
        out.token = std::move(*issued);
    }
    return out;
}

} // namespace Tailops::Ui
