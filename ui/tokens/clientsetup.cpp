#include "clientsetup.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Tailops::Ui {

namespace {

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}

bool isLocalHost(const QUrl &url)
{
    const QString host = url.host();
    return host == u"localhost" || QHostAddress(host).isLoopback();
}

} // namespace

QUrl mcpEndpoint(const QUrl &listenUrl)
{
    QUrl url = listenUrl;
    if (url.path().isEmpty() || url.path() == u"/") {
        url.setPath(QStringLiteral("/mcp"));
    }
    return url;
}

QString claudeCodeCommand(const QUrl &url, const QByteArray &token, const QString &name)
{
    return QStringLiteral("claude mcp add --transport http %1 %2 --header \"Authorization: Bearer %3\"")
        .arg(name, mcpEndpoint(url).toString(), QString::fromLatin1(token));
}

QList<ClientSetup> clientSetups(const QUrl &listenUrl, const QByteArray &token, const QString &name)
{
    const QUrl url = mcpEndpoint(listenUrl);
    const QString endpoint = url.toString();
    const QString bearer = QString(QStringLiteral("Bearer ") + QString::fromLatin1(token));
    QList<ClientSetup> setups;

    // Claude Desktop: its config file starts local (stdio) servers; mcp-remote bridges to Streamable HTTP.
    QJsonArray args { QStringLiteral("-y"), QStringLiteral("mcp-remote"), endpoint, QStringLiteral("--header"),
                      QStringLiteral("Authorization:${TAILOPS_AUTH}") };
    if (url.scheme() == u"http" && !isLocalHost(url)) {
        args.append(QStringLiteral("--allow-http")); // mcp-remote refuses plain http off localhost otherwise
    }
    const QJsonObject desktopServer { { QStringLiteral("command"), QStringLiteral("npx") },
                                      { QStringLiteral("args"), args },
                                      { QStringLiteral("env"), QJsonObject { { QStringLiteral("TAILOPS_AUTH"), bearer } } } };
    setups.append({ QStringLiteral("claude-desktop"), QStringLiteral("Claude Desktop"),
                    QStringLiteral("Merge into claude_desktop_config.json (Linux: ~/.config/Claude/, macOS: ~/Library/"
                                   "Application Support/Claude/, Windows: %APPDATA%\\Claude\\); needs Node.js for npx. "
                                   "Restart Claude Desktop afterwards."),
                    json(QJsonObject { { QStringLiteral("mcpServers"), QJsonObject { { name, desktopServer } } } }) });

    setups.append({ QStringLiteral("claude-code"), QStringLiteral("Claude Code"),
                    QStringLiteral("Run in a terminal (add --scope user to use it in every project)."),
                    claudeCodeCommand(url, token, name) });

    const QJsonObject cursorServer { { QStringLiteral("url"), endpoint },
                                     { QStringLiteral("headers"), QJsonObject { { QStringLiteral("Authorization"), bearer } } } };
    setups.append({ QStringLiteral("cursor"), QStringLiteral("Cursor"),
                    QStringLiteral("Merge into .cursor/mcp.json in a project, or ~/.cursor/mcp.json for every project."),
                    json(QJsonObject { { QStringLiteral("mcpServers"), QJsonObject { { name, cursorServer } } } }) });

    const QString generic = QStringLiteral(
                                "Transport:  MCP Streamable HTTP\n"
                                "URL:        %1\n"
                                "Header:     Authorization: %2\n\n"
                                "Check it from a shell:\n"
                                "curl -sS %1 -H 'Authorization: %2' -H 'Content-Type: application/json' "
                                "-H 'Accept: application/json, text/event-stream' "
                                "-d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                                "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}'")
                                .arg(endpoint, bearer);
    setups.append({ QStringLiteral("generic"), QStringLiteral("Other clients"),
                    QStringLiteral("Any MCP client that speaks Streamable HTTP and can send a header."), generic });
    return setups;
}

} // namespace Tailops::Ui
