#pragma once

#include "auth/tokenissuer.h"
#include "core/result.h"
#include "registry/target.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace Tailops::Ui {

// What the first-run wizard collected.
struct InitialConfigOptions
{
    QString configDir;                                 // created (0700) when missing
    QString listen = QStringLiteral("127.0.0.1:8080"); // gateway.yaml listen
    QList<Registry::Target> sshTargets;                // imported from ~/.ssh/config, appended to targets.yaml
    bool mintToken = true;                             // a first read-only token
    QString tokenAgent = QStringLiteral("claude");
    QStringList tokenScopes { QStringLiteral("readonly") };
    qint64 tokenTtlSeconds = 30 * 86400;
};

struct InitialConfig
{
    QString configDir;
    QString gatewayFile;
    QString targetsFile;
    QString secretFile;
    QStringList createdFiles;    // what this run wrote (files that existed were kept)
    QStringList importedTargets; // ids added from ~/.ssh/config
    QStringList skippedTargets;  // ids already in targets.yaml
    QUrl mcpUrl;                 // http://LISTEN/mcp
    std::optional<Auth::IssuedToken> token;
    QString claudeCodeCommand;   // `claude mcp add ...` for the token, when one was minted
};

// Creates a working configuration in OPTIONS.configDir: the directory (0700), a shared secret (0600, kept
// when present), gateway.yaml (listen address, auth.secret_file; refused when it exists: nothing is
// overwritten), targets.yaml with the local target (kept when present) plus the imported SSH hosts, and, if
// asked, a first token recorded in the registry. Touches files: call it off the GUI thread.
Core::Result<InitialConfig> createInitialConfig(const InitialConfigOptions &options);

// The gateway.yaml createInitialConfig writes.
QByteArray initialGatewayYaml(const QString &listen);
// The targets.yaml createInitialConfig writes (before imported hosts are appended).
QByteArray initialTargetsYaml();

} // namespace Tailops::Ui
