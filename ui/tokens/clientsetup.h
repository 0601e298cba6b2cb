#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace Tailops::Ui {

// Ready-to-paste setup of one MCP client for a gateway URL and a token.
struct ClientSetup
{
    QString id;    // "claude-desktop", "claude-code", "cursor", "generic"
    QString title; // tab title
    QString where; // where it goes, one line for people
    QString text;  // what to paste
};

// The gateway's MCP endpoint for a listen URL: the path /mcp when it has none.
QUrl mcpEndpoint(const QUrl &listenUrl);

// Claude Desktop (claude_desktop_config.json with the mcp-remote stdio bridge; the header travels in an
// environment variable so the space in "Bearer TOKEN" survives every platform), Claude Code (`claude mcp add
// --transport http`), Cursor (.cursor/mcp.json with url and headers) and a generic description with a curl
// check. NAME is the server's name in the client's configuration.
QList<ClientSetup> clientSetups(const QUrl &url, const QByteArray &token, const QString &name = QStringLiteral("tailops"));

// The Claude Code line alone.
QString claudeCodeCommand(const QUrl &url, const QByteArray &token, const QString &name = QStringLiteral("tailops"));

} // namespace Tailops::Ui
