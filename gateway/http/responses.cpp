#include "responses.h"

#include "mcp/jsonrpc.h"

#include <QJsonDocument>
#include <QTcpSocket>

namespace Tailops::Http {

void sendResponse(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status, const Headers &headers,
                  const QByteArray &body)
{
    if (!responder.socket() || responder.socket()->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    responder.writeStatusLine(status);
    for (const auto &[name, value] : headers) {
        responder.writeHeader(name, value);
    }
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeBody(body);
}

QByteArray rpcErrorBody(int code, const QString &message)
{
    return QJsonDocument(Mcp::makeError(QJsonValue::Null, Mcp::RpcError { code, message, {} }))
        .toJson(QJsonDocument::Compact);
}

} // namespace Tailops::Http
