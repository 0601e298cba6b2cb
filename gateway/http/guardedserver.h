#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

#include <optional>

namespace Tailops::Http {

// Limits applied to every connection before QHttpServer sees its bytes.
struct ConnectionLimits
{
    qint64 maxRequestBytes = 1024 * 1024; // body
    qint64 maxHeaderBytes = 16 * 1024;
    int idleTimeoutMs = 60000;   // no traffic either way
    int headerTimeoutMs = 10000; // a request's headers must arrive within this (slowloris)
    int maxConnections = 1024;
};

// A QTcpServer that attaches a guard to each connection: request-size limit (413), header-size limit
// (431), header deadline and idle timeout (connection closed), connection cap, and optional TLS.
class GuardedServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedServer)

public:
    GuardedServer(ConnectionLimits limits, std::optional<QSslConfiguration> tls, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr handle) override;

private:
    ConnectionLimits m_limits;
    std::optional<QSslConfiguration> m_tls;
    int m_open = 0;
};

} // namespace Tailops::Http
