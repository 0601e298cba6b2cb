#pragma once

#include <QByteArray>
#include <QHttpServerResponder>
#include <QList>
#include <QString>

#include <utility>

namespace Tailops::Http {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// Writes a complete response with Content-Length (QtHttpServer 6.4's HeaderList is an initializer_list,
// so dynamic header sets go through the low-level calls).
void sendResponse(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status, const Headers &headers,
                  const QByteArray &body);

// A JSON-RPC error object with id null, as transports send for refusals.
QByteArray rpcErrorBody(int code, const QString &message);

} // namespace Tailops::Http
