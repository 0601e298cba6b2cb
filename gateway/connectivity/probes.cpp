#include "probes.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QTcpSocket>
#include <QTimeZone>
#include <QUrl>

#include <curl/curl.h>

namespace Tailops::Connectivity {

Core::Result<TcpProbe> probeTcp(const QString &host, int port, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        return Core::fail(QStringLiteral("host unreachable: cannot resolve %1 (%2)").arg(host, info.errorString()));
    }
    QString lastError;
    for (const QHostAddress &address : info.addresses()) {
        QTcpSocket socket;
        const qint64 left = timeoutMs - timer.elapsed();
        if (left <= 0) {
            break;
        }
        QElapsedTimer connectTimer;
        connectTimer.start();
        socket.connectToHost(address, quint16(port));
        if (socket.waitForConnected(int(left))) {
            return TcpProbe { connectTimer.elapsed(), address.toString() };
        }
        lastError = socket.error() == QAbstractSocket::ConnectionRefusedError
            ? QStringLiteral("connection refused by %1:%2").arg(address.toString()).arg(port)
            : socket.error() == QAbstractSocket::SocketTimeoutError ? QStringLiteral("Connection timeout")
                                                                    : QStringLiteral("host unreachable: %1").arg(socket.errorString());
    }
    return Core::fail(lastError.isEmpty() ? QStringLiteral("Connection timeout") : lastError);
}

namespace {

size_t discardBody(char *, size_t size, size_t count, void *userdata)
{
    auto *received = static_cast<qint64 *>(userdata);
    *received += qint64(size * count);
    return *received > 65536 ? 0 : size * count; // stop reading large bodies; a check needs the status only
}

QDateTime parseCurlDate(const QString &text)
{
    // e.g. "Jan 10 12:00:00 2027 GMT"
    const QString simplified = text.simplified().remove(QStringLiteral(" GMT"));
    QDateTime t = QDateTime::fromString(simplified, QStringLiteral("MMM d HH:mm:ss yyyy"));
    t.setTimeZone(QTimeZone::utc());
    return t;
}

} // namespace

Core::Result<HttpProbe> probeHttp(const QString &url, int timeoutMs, bool insecure)
{
    const QUrl parsed(url);
    if (!parsed.isValid() || (parsed.scheme() != u"http" && parsed.scheme() != u"https") || parsed.host().isEmpty()) {
        return Core::fail(QStringLiteral("'%1' is not an http(s) URL").arg(url));
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        return Core::fail(QStringLiteral("cannot initialise libcurl"));
    }
    const QByteArray u = parsed.toEncoded();
    qint64 received = 0;
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, u.constData());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(timeoutMs));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(timeoutMs));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discardBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "tailops-gateway/" TAILOPS_VERSION);
    if (insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    QElapsedTimer timer;
    timer.start();
    const CURLcode rc = curl_easy_perform(curl);
    HttpProbe probe;
    probe.latencyMs = timer.elapsed();
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
        const QString why = rc == CURLE_OPERATION_TIMEDOUT ? QStringLiteral("Connection timeout")
            : rc == CURLE_COULDNT_CONNECT                  ? QStringLiteral("connection refused: %1").arg(QString::fromUtf8(error))
            : rc == CURLE_COULDNT_RESOLVE_HOST             ? QStringLiteral("host unreachable: cannot resolve %1").arg(parsed.host())
                                                           : QString::fromUtf8(error[0] ? error : curl_easy_strerror(rc));
        curl_easy_cleanup(curl);
        return Core::fail(why);
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    probe.status = int(status);
    char *location = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
        probe.redirect = QString::fromUtf8(location);
    }
    curl_certinfo *certs = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &certs) == CURLE_OK && certs && certs->num_of_certs > 0) {
        for (curl_slist *field = certs->certinfo[0]; field; field = field->next) {
            const QString line = QString::fromUtf8(field->data);
            if (line.startsWith(u"Expire date:")) {
                probe.certExpiry = parseCurlDate(line.mid(12));
            } else if (line.startsWith(u"Subject:")) {
                probe.certSubject = line.mid(8).trimmed();
            }
        }
    }
    curl_easy_cleanup(curl);
    return probe;
}

} // namespace Tailops::Connectivity
