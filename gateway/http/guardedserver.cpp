#include "guardedserver.h"

#include "core/logging.h"

#include <QPointer>
#include <QSslSocket>
#include <QTimer>

namespace Tailops::Http {

namespace {

// Watches one connection's incoming bytes (it is connected to readyRead before QHttpServer is, and only
// peeks) and its silence.
class ConnectionGuard final : public QObject
{
public:
    ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits)
        : QObject(socket)
        , m_socket(socket)
        , m_limits(limits)
    {
        m_idle.setSingleShot(true);
        m_idle.setInterval(limits.idleTimeoutMs);
        m_idle.callOnTimeout(this, [this] { refuse(0, "idle timeout"); });
        m_headerDeadline.setSingleShot(true);
        m_headerDeadline.setInterval(limits.headerTimeoutMs);
        m_headerDeadline.callOnTimeout(this, [this] { refuse(408, "request headers not received in time"); });
        connect(socket, &QIODevice::readyRead, this, &ConnectionGuard::inspect);
        connect(socket, &QIODevice::bytesWritten, this, [this] { m_idle.start(); });
        m_idle.start();
        m_headerDeadline.start(); // the first request's headers (and a TLS handshake) must come in time
    }

private:
    enum class State { Headers, Body, Chunked };

    void inspect()
    {
        m_idle.start();
        const QByteArray data = m_socket->peek(m_socket->bytesAvailable());
        qsizetype pos = 0;
        while (pos < data.size() && !m_refused) {
            switch (m_state) {
            case State::Headers:
                pos = readHeaders(data, pos);
                break;
            case State::Body: {
                const qint64 take = std::min<qint64>(m_remaining, data.size() - pos);
                m_remaining -= take;
                pos += take;
                if (m_remaining == 0) {
                    m_state = State::Headers;
                }
                break;
            }
            case State::Chunked:
                pos = readChunked(data, pos);
                break;
            }
        }
    }

    qsizetype readHeaders(const QByteArray &data, qsizetype pos)
    {
        if (m_head.isEmpty()) {
            // Skip blank lines between requests.
            while (pos < data.size() && (data.at(pos) == '\r' || data.at(pos) == '\n')) {
                ++pos;
            }
            if (pos == data.size()) {
                return pos;
            }
            if (!m_headerDeadline.isActive()) {
                m_headerDeadline.start();
            }
        }
        const qsizetype before = m_head.size();
        m_head.append(data.mid(pos));
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_head.size() > m_limits.maxHeaderBytes) {
                refuse(431, "request headers too large");
            }
            return data.size();
        }
        if (end > m_limits.maxHeaderBytes) {
            refuse(431, "request headers too large");
            return data.size();
        }
        m_headerDeadline.stop();
        const qsizetype consumed = end + 4 - before;
        qint64 length = 0;
        bool chunked = false;
        for (const QByteArray &line : m_head.left(end).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length") {
                bool ok = false;
                length = value.toLongLong(&ok);
                if (!ok || length < 0) {
                    refuse(400, "invalid Content-Length");
                    return data.size();
                }
            } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
                chunked = true;
            }
        }
        m_head.clear();
        if (length > m_limits.maxRequestBytes) {
            refuse(413, "request body too large");
            return data.size();
        }
        if (chunked) {
            m_state = State::Chunked;
            m_chunkedBytes = 0;
            m_tail.clear();
        } else if (length > 0) {
            m_state = State::Body;
            m_remaining = length;
        }
        return pos + consumed;
    }

    qsizetype readChunked(const QByteArray &data, qsizetype pos)
    {
        // Counts raw bytes up to the terminating zero-size chunk; good enough to bound memory.
        const QByteArray rest = data.mid(pos);
        m_chunkedBytes += rest.size();
        if (m_chunkedBytes > m_limits.maxRequestBytes + 64 * 1024) {
            refuse(413, "request body too large");
            return data.size();
        }
        m_tail = QByteArray(m_tail + rest).right(7);
        if (m_tail.endsWith("0\r\n\r\n")) {
            m_state = State::Headers;
        }
        return data.size();
    }

    void refuse(int status, const char *why)
    {
        if (m_refused || !m_socket) {
            return;
        }
        m_refused = true;
        m_idle.stop();
        m_headerDeadline.stop();
        qCInfo(Core::lcHttp).noquote() << "closing connection from" << m_socket->peerAddress().toString() << ":"
                                       << QString::fromLatin1(why);
        if (status != 0) {
            const char *reason = status == 413 ? "Payload Too Large"
                : status == 431                ? "Request Header Fields Too Large"
                : status == 408                ? "Request Timeout"
                                               : "Bad Request";
            const QByteArray body = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\""
                + QByteArray(reason) + ": " + QByteArray(why) + "\"}}";
            m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        }
        m_socket->readAll(); // QHttpServer must not parse what we refused
        m_socket->disconnectFromHost();
    }

    QPointer<QTcpSocket> m_socket;
    ConnectionLimits m_limits;
    QTimer m_idle;
    QTimer m_headerDeadline;
    State m_state = State::Headers;
    QByteArray m_head;
    QByteArray m_tail;
    qint64 m_remaining = 0;
    qint64 m_chunkedBytes = 0;
    bool m_refused = false;
};

} // namespace

GuardedServer::GuardedServer(ConnectionLimits limits, std::optional<QSslConfiguration> tls, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_tls(std::move(tls))
{
}

void GuardedServer::incomingConnection(qintptr handle)
{
    QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    if (m_open >= m_limits.maxConnections) {
        qCWarning(Core::lcHttp) << "connection limit reached (" << m_limits.maxConnections << "): refusing"
                                << socket->peerAddress().toString();
        socket->abort();
        socket->deleteLater();
        return;
    }
    ++m_open;
    connect(socket, &QObject::destroyed, this, [this] { --m_open; });
    new ConnectionGuard(socket, m_limits);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(*m_tls);
        connect(ssl, &QSslSocket::encrypted, this, [this, ssl] { addPendingConnection(ssl); });
        connect(ssl, &QSslSocket::errorOccurred, ssl, [ssl] { ssl->abort(); });
        connect(ssl, &QAbstractSocket::disconnected, ssl, &QObject::deleteLater);
        ssl->startServerEncryption();
        return;
    }
    addPendingConnection(socket);
}

} // namespace Tailops::Http
