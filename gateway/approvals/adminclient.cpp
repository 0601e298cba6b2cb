#include "adminclient.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QLocalSocket>

namespace Tailops::Approvals {

namespace {

constexpr qsizetype kMaxAnswerBytes = 16 * 1024 * 1024;

} // namespace

Core::Result<QJsonObject> AdminClient::call(const QString &socketPath, const QJsonObject &request, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(int(deadline.remainingTime()))) {
        switch (socket.error()) {
        case QLocalSocket::ServerNotFoundError:
        case QLocalSocket::ConnectionRefusedError:
            return Core::fail(
                QStringLiteral("no gateway is running on %1 (start it with tailops-gateway serve)").arg(socketPath));
        case QLocalSocket::SocketAccessError:
            return Core::fail(QStringLiteral("cannot connect to %1: permission denied (the gateway runs as another "
                                             "user; run this command as that user)")
                                  .arg(socketPath));
        case QLocalSocket::SocketTimeoutError:
            return Core::fail(QStringLiteral("the gateway on %1 did not accept the connection within %2 ms")
                                  .arg(socketPath)
                                  .arg(timeoutMs));
        default:
            return Core::fail(QStringLiteral("cannot connect to %1: %2").arg(socketPath, socket.errorString()));
        }
    }
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(int(deadline.remainingTime()))) {
            return Core::fail(QStringLiteral("cannot send the request to the gateway on %1: %2")
                                  .arg(socketPath, socket.errorString()));
        }
    }
    QByteArray answer;
    qsizetype newline = -1;
    while ((newline = answer.indexOf('\n')) < 0) {
        if (answer.size() > kMaxAnswerBytes) {
            return Core::fail(QStringLiteral("the gateway on %1 sent an answer over %2 bytes")
                                  .arg(socketPath)
                                  .arg(kMaxAnswerBytes));
        }
        if (socket.bytesAvailable() == 0) {
            if (socket.state() != QLocalSocket::ConnectedState) {
                return Core::fail(
                    QStringLiteral("the gateway on %1 closed the connection without answering").arg(socketPath));
            }
            if (deadline.hasExpired() || !socket.waitForReadyRead(int(deadline.remainingTime()))) {
                if (socket.state() != QLocalSocket::ConnectedState && socket.bytesAvailable() == 0) {
                    return Core::fail(
                        QStringLiteral("the gateway on %1 closed the connection without answering").arg(socketPath));
                }
                if (socket.bytesAvailable() == 0) {
                    return Core::fail(QStringLiteral("the gateway on %1 did not answer within %2 s")
                                          .arg(socketPath)
                                          .arg(double(timeoutMs) / 1000.0));
                }
            }
        }
        answer += socket.readAll();
    }
    socket.disconnectFromServer();
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(answer.left(newline), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return Core::fail(QStringLiteral("the gateway on %1 sent an answer that is not a JSON object").arg(socketPath));
    }
    return doc.object();
}

} // namespace Tailops::Approvals
