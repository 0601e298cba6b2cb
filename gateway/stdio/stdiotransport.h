#pragma once

#include "auth/caller.h"

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace Tailops::Mcp {
class Server;
class Session;
} // namespace Tailops::Mcp

namespace Tailops::Stdio {

// MCP over stdio: newline-delimited JSON-RPC on stdin/stdout (stdout carries only MCP messages). On EOF it
// lets calls in flight finish (bounded), then emits finished().
class StdioTransport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StdioTransport)

public:
    StdioTransport(Mcp::Server &server, Auth::Caller caller, int inputFd = 0, int outputFd = 1,
                   QObject *parent = nullptr);
    ~StdioTransport() override;

    void start();

    static constexpr qsizetype kMaxLineBytes = 10 * 1024 * 1024;

Q_SIGNALS:
    void finished();

private:
    void readInput();
    void handleLine(const QByteArray &line);
    void writeMessage(const QJsonObject &message);
    void inputClosed();

    Mcp::Server &m_server;
    std::unique_ptr<Mcp::Session> m_session;
    int m_in;
    int m_out;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_buffer;
    bool m_discarding = false; // skipping the rest of an over-long line
    bool m_closed = false;
};

} // namespace Tailops::Stdio
