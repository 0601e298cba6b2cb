#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QStringList>

namespace Tailops::Connectivity {

struct TcpProbe
{
    qint64 latencyMs = 0;
    QString address; // the address that answered
};

// Connects to HOST:PORT (names are resolved first) within TIMEOUTMS. Blocking; for worker threads.
Core::Result<TcpProbe> probeTcp(const QString &host, int port, int timeoutMs);

struct HttpProbe
{
    int status = 0;
    qint64 latencyMs = 0;
    QString redirect;        // Location of a 3xx (never followed)
    QDateTime certExpiry;    // https only
    QString certSubject;
};

// GETs URL with libcurl: no redirects followed, body discarded past 64 KiB, TLS verified against the system
// CAs unless INSECURE. Blocking; for worker threads.
Core::Result<HttpProbe> probeHttp(const QString &url, int timeoutMs, bool insecure = false);

} // namespace Tailops::Connectivity
