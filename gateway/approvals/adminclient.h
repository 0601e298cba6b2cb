#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QString>

namespace Tailops::Approvals {

// A small blocking client of the admin socket, for the command line (not for the event-loop thread).
class AdminClient
{
public:
    static constexpr int kTimeoutMs = 5000;

    // Sends REQUEST as one line to the gateway listening on SOCKETPATH and returns its answer, whatever its
    // "ok" says. Errors are about reaching the gateway only: "no gateway is running on SOCKET (start it with
    // tailops-gateway serve)", permission denied, no answer within TIMEOUTMS, an answer that is not JSON.
    static Core::Result<QJsonObject> call(const QString &socketPath, const QJsonObject &request,
                                          int timeoutMs = kTimeoutMs);
};

} // namespace Tailops::Approvals
