#include "dockerclient.h"

#include "exec/docker/muxstreamdecoder.h"
#include "exec/executor.h"
#include "registry/target.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QList>
#include <QRegularExpression>
#include <QUrl>
#include <algorithm>
#include <cerrno>
#include <curl/curl.h>
#include <functional>
#include <memory>
#include <mutex>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace Tailops::Exec {

namespace {

constexpr qint64 kMinJsonCap = 16 * 1024 * 1024; // JSON answers must parse whole: never cut them below this
constexpr int kDefaultStopGraceSeconds = 10; // the daemon's default for stop/restart without t=
constexpr qsizetype kMaxErrorBodyChars = 300;

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter
{
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

QString currentUserName()
{
    passwd pw {};
    passwd *found = nullptr;
    char buffer[4096];
    if (getpwuid_r(geteuid(), &pw, buffer, sizeof buffer, &found) == 0 && found != nullptr
        && found->pw_name != nullptr) {
        return QString::fromLocal8Bit(found->pw_name);
    }
    return QStringLiteral("USER");
}

QString socketNotFound(const QString &path)
{
    return QStringLiteral("Docker socket %1 not found (is dockerd running?)").arg(path);
}

QString socketPermissionDenied(const QString &path)
{
    return QStringLiteral("permission denied on %1: add the gateway's user to the docker group (usermod -aG docker %2)")
        .arg(path, currentUserName());
}

QString secondsText(qint64 ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(static_cast<double>(ms) / 1000.0, 'f', 1);
}

// Everything the write callback needs; one per transfer.
struct Transfer
{
    CURL *curl = nullptr;
    QByteArray body; // buffered answer (JSON, or an error body when streaming)
    qint64 bodyCap = 0;
    bool overCap = false;
    std::function<bool(QByteArrayView)> sink; // streaming consumer for 2xx bodies; false stops the transfer
    bool sinkStopped = false;
    int status = -1; // read on the first write
};

size_t onWrite(char *data, size_t size, size_t count, void *userdata)
{
    auto *t = static_cast<Transfer *>(userdata);
    const size_t bytes = size * count;
    if (t->status < 0) {
        long code = 0;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
        t->status = static_cast<int>(code);
    }
    const QByteArrayView chunk(data, static_cast<qsizetype>(bytes));
    if (t->sink && t->status >= 200 && t->status < 300) {
        if (!t->sink(chunk)) {
            t->sinkStopped = true;
            return 0; // aborts the transfer with CURLE_WRITE_ERROR; perform() knows it was us
        }
        return bytes;
    }
    if (t->body.size() + chunk.size() > t->bodyCap) {
        t->overCap = true;
        return 0;
    }
    t->body.append(chunk);
    return bytes;
}

QString apiErrorMessage(int status, const QByteArray &body)
{
    QString message;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        message = doc.object().value(QStringLiteral("message")).toString().trimmed();
    }
    if (message.isEmpty()) {
        message = QString::fromUtf8(body).trimmed().left(kMaxErrorBodyChars);
    }
    if (message.isEmpty()) {
        message = QStringLiteral("Docker answered");
    }
    return QStringLiteral("%1 (HTTP %2)").arg(message).arg(status);
}

QString normalizedRef(const QString &idOrName) { return idOrName.startsWith(u'/') ? idOrName.mid(1) : idOrName; }

QString encodedRef(const QString &idOrName)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(normalizedRef(idOrName)));
}

QString invalidRef(const QString &idOrName)
{
    return QStringLiteral("Invalid container name or id \"%1\": expected [A-Za-z0-9][A-Za-z0-9_.-]* (at most 128 "
                          "characters) or a hex id")
        .arg(idOrName.left(160));
}

QString queryItem(const QString &key, const QString &value)
{
    return key + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QString actionPath(const QString &idOrName, const QString &verb)
{
    return QStringLiteral("/containers/%1/%2").arg(encodedRef(idOrName), verb);
}

QString actionQuery(const QString &verb, int timeoutSeconds)
{
    return verb != QStringLiteral("start") && timeoutSeconds >= 0
        ? queryItem(QStringLiteral("t"), QString::number(timeoutSeconds))
        : QString();
}

} // namespace

struct DockerClient::Request
{
    QByteArray method = "GET";
    QString path; // below the version prefix, e.g. "/containers/json"
    QString query; // already encoded
    bool versioned = true;
    qint64 extraTimeoutMs = 0;
    std::function<bool(QByteArrayView)> sink; // stream a 2xx body instead of buffering it
};

struct DockerClient::Response
{
    int status = 0;
    QByteArray body;
    bool sinkStopped = false;
};

// ---------------------------------------------------------------------------------------------------------

DockerClientOptions DockerClientOptions::fromTarget(const Registry::Target &target, const DockerTls &tls)
{
    DockerClientOptions o;
    o.tls = tls.isEmpty() ? DockerTls { target.tlsCaFile, target.tlsCertFile, target.tlsKeyFile } : tls;
    if (target.connectTimeoutSeconds > 0) {
        o.connectTimeoutMs = target.connectTimeoutSeconds * 1000;
    }
    if (target.timeoutSeconds > 0) {
        o.timeoutMs = target.timeoutSeconds * 1000;
    }
    if (target.maxOutputBytes > 0) {
        o.maxOutputBytes = target.maxOutputBytes;
    }
    if (!target.socketPath.isEmpty()) {
        o.socketPath = target.socketPath;
    } else if (!target.url.isEmpty()) {
        o.endpoint = target.url;
    } else if (!target.host.isEmpty()) {
        const int port = target.port > 0 ? target.port : (o.tls.isEmpty() ? 2375 : 2376);
        const QString host = target.host.contains(u':') && !target.host.startsWith(u'[')
            ? QString(u'[' + target.host + u']')
            : target.host;
        o.endpoint = QStringLiteral("tcp://%1:%2").arg(host).arg(port);
    } else {
        o.socketPath = QStringLiteral("/var/run/docker.sock");
    }
    return o;
}

DockerClient::DockerClient(DockerClientOptions options)
    : m_options(std::move(options))
{
    initCurlOnce();
    if (!m_options.socketPath.isEmpty()) {
        m_socketPath = m_options.socketPath;
        m_baseUrl = "http://localhost";
        return;
    }
    const QString endpoint = m_options.endpoint.trimmed();
    if (endpoint.startsWith(QStringLiteral("unix://"))) {
        m_socketPath = endpoint.mid(7);
        m_baseUrl = "http://localhost";
        if (m_socketPath.isEmpty()) {
            m_endpointError = QStringLiteral("Invalid Docker endpoint \"%1\": no socket path").arg(endpoint);
        }
        return;
    }
    const QUrl url(endpoint, QUrl::StrictMode);
    QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (url.path() != QString() && url.path() != QStringLiteral("/"))
        || !url.query().isEmpty() || !url.userInfo().isEmpty()) {
        m_endpointError = QStringLiteral("Invalid Docker endpoint \"%1\": expected tcp://HOST:PORT, "
                                         "https://HOST:PORT or unix:///path")
                              .arg(endpoint);
        return;
    }
    int port = url.port();
    if (scheme == QStringLiteral("tcp")) {
        scheme = m_options.tls.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
        if (port < 0) {
            port = m_options.tls.isEmpty() ? 2375 : 2376;
        }
    } else if (scheme != QStringLiteral("http") && scheme != QStringLiteral("https")) {
        m_endpointError
            = QStringLiteral("Invalid Docker endpoint \"%1\": unsupported scheme \"%2\"").arg(endpoint, scheme);
        return;
    }
    QUrl base;
    base.setScheme(scheme);
    base.setHost(url.host());
    base.setPort(port);
    m_baseUrl = base.toEncoded();
}

QString DockerClient::describeEndpoint() const
{
    return m_socketPath.isEmpty() ? QString::fromUtf8(m_baseUrl) : QString(QStringLiteral("unix://") + m_socketPath);
}

bool DockerClient::isValidContainerRef(const QString &idOrName)
{
    // Hex ids (12 to 64 digits) are a subset of the name pattern.
    static const QRegularExpression pattern(QStringLiteral("\\A[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\\z"));
    return pattern.match(normalizedRef(idOrName)).hasMatch();
}

Core::Result<QString> DockerClient::sinceToApi(const QString &sinceIn, qint64 nowMs)
{
    const QString since = sinceIn.trimmed();
    if (since.isEmpty()) {
        return QString();
    }
    static const QRegularExpression unixSeconds(QStringLiteral("\\A\\d{1,12}(\\.\\d{1,9})?\\z"));
    if (unixSeconds.match(since).hasMatch()) {
        return since;
    }

    static const QRegularExpression duration(QStringLiteral("\\A(?:\\d{1,9}(?:ms|s|m|h|d))+\\z"));
    if (duration.match(since).hasMatch()) {
        static const QRegularExpression part(QStringLiteral("(\\d+)(ms|s|m|h|d)"));
        qint64 ms = 0;
        auto it = part.globalMatch(since);
        while (it.hasNext()) {
            const auto m = it.next();
            const qint64 n = m.captured(1).toLongLong();
            const QString unit = m.captured(2);
            const qint64 factor = unit == QStringLiteral("ms") ? 1
                : unit == QStringLiteral("s")                  ? 1000
                : unit == QStringLiteral("m")                  ? 60'000
                : unit == QStringLiteral("h")                  ? 3'600'000
                                                               : 86'400'000;
            ms += n * factor;
        }
        const qint64 at = std::max<qint64>(nowMs - ms, 0);
        return QStringLiteral("%1.%2").arg(at / 1000).arg(at % 1000, 3, 10, QLatin1Char('0'));
    }

    // RFC 3339 with up to nanoseconds (QDateTime stops at milliseconds, so the fraction is carried as text),
    // or a bare date (midnight UTC).
    static const QRegularExpression rfc3339(QStringLiteral(
        "\\A(\\d{4}-\\d{2}-\\d{2})(?:[Tt ](\\d{2}:\\d{2}:\\d{2})(?:\\.(\\d{1,9}))?([Zz]|[+-]\\d{2}:\\d{2}))?\\z"));
    const auto m = rfc3339.match(since);
    if (m.hasMatch()) {
        const QString time = m.captured(2).isEmpty() ? QStringLiteral("00:00:00") : m.captured(2);
        const QString zone = m.captured(4).isEmpty() ? QStringLiteral("Z") : m.captured(4).toUpper();
        const QDateTime dt = QDateTime::fromString(m.captured(1) + u'T' + time + zone, Qt::ISODate);
        if (dt.isValid()) {
            const QString fraction = m.captured(3);
            if (fraction.isEmpty()) {
                return QString::number(dt.toSecsSinceEpoch());
            }
            return QString::number(dt.toSecsSinceEpoch()) + u'.' + fraction.leftJustified(9, u'0');
        }
    }
    return Core::fail(QStringLiteral("Invalid since value \"%1\": use unix seconds, RFC 3339 "
                                     "(2024-05-01T12:00:00Z) or a duration such as 90s, 10m, 1h30m")
                          .arg(since.left(80)));
}

// ---------------------------------------------------------------------------------------------------------

Core::Result<DockerClient::Response> DockerClient::perform(const Request &request) const
{
    if (!m_endpointError.isEmpty()) {
        return Core::fail(m_endpointError);
    }
    if (!m_socketPath.isEmpty()) {
        const QByteArray path = m_socketPath.toLocal8Bit();
        struct stat st
        {
        };
        if (::stat(path.constData(), &st) != 0) {
            const int error = errno;
            return Core::fail(error == EACCES ? socketPermissionDenied(m_socketPath) : socketNotFound(m_socketPath));
        }
        if (!S_ISSOCK(st.st_mode)) {
            return Core::fail(
                QStringLiteral("%1 is not a socket (expected the Docker daemon's socket)").arg(m_socketPath));
        }
    }

    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) {
        return Core::fail(QStringLiteral("Cannot initialise libcurl"));
    }
    CURL *h = curl.get();

    QByteArray url = m_baseUrl;
    if (request.versioned) {
        url += "/v" + m_options.apiVersion.toLatin1();
    }
    url += request.path.toLatin1();
    if (!request.query.isEmpty()) {
        url += '?' + request.query.toLatin1();
    }

    Transfer transfer;
    transfer.curl = h;
    transfer.bodyCap = std::max(m_options.maxOutputBytes, kMinJsonCap);
    transfer.sink = request.sink;

    char errorBuffer[CURL_ERROR_SIZE] = {};
    const QByteArray socketPath = m_socketPath.toLocal8Bit();
    const QByteArray caFile = m_options.tls.caFile.toLocal8Bit();
    const QByteArray certFile = m_options.tls.certFile.toLocal8Bit();
    const QByteArray keyFile = m_options.tls.keyFile.toLocal8Bit();
    const QByteArray userAgent = QByteArrayLiteral("TailOps/") + TAILOPS_VERSION;
    std::unique_ptr<curl_slist, SlistDeleter> headers(curl_slist_append(nullptr, "Content-Type:"));

    curl_easy_setopt(h, CURLOPT_URL, url.constData());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); // never through an environment proxy
    curl_easy_setopt(h, CURLOPT_USERAGENT, userAgent.constData());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<qint64>(m_options.connectTimeoutMs, 1)));
    curl_easy_setopt(
        h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<qint64>(m_options.timeoutMs, 1) + request.extraTimeoutMs));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onWrite);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    if (!m_socketPath.isEmpty()) {
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socketPath.constData());
    }
    if (request.method == "POST") {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (request.method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.constData());
    }
    if (m_baseUrl.startsWith("https:")) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!caFile.isEmpty()) {
            curl_easy_setopt(h, CURLOPT_CAINFO, caFile.constData());
        }
        if (!certFile.isEmpty()) {
            curl_easy_setopt(h, CURLOPT_SSLCERT, certFile.constData());
            curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        }
        if (!keyFile.isEmpty()) {
            curl_easy_setopt(h, CURLOPT_SSLKEY, keyFile.constData());
            curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        }
    }

    const CURLcode rc = curl_easy_perform(h);

    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    const QString where = describeEndpoint();
    const QString what = QString::fromLatin1(request.method) + u' ' + request.path;
    const QString detail
        = errorBuffer[0] != 0 ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(rc));

    if (rc == CURLE_WRITE_ERROR && transfer.sinkStopped) {
        // we stopped reading on purpose (output cap)
    } else if (rc == CURLE_WRITE_ERROR && transfer.overCap) {
        return Core::fail(QStringLiteral("Docker's answer to %1 exceeded %2 bytes").arg(what).arg(transfer.bodyCap));
    } else if (rc != CURLE_OK) {
        long osErrno = 0;
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &osErrno);
        curl_off_t connectedAfter = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connectedAfter);
        switch (rc) {
        case CURLE_COULDNT_CONNECT:
            if (!m_socketPath.isEmpty() && osErrno == EACCES) {
                return Core::fail(socketPermissionDenied(m_socketPath));
            }
            if (!m_socketPath.isEmpty() && osErrno == ENOENT) {
                return Core::fail(socketNotFound(m_socketPath));
            }
            if (osErrno == ECONNREFUSED) {
                return Core::fail(m_socketPath.isEmpty()
                        ? QStringLiteral("Connection refused by %1 (is dockerd listening there?)").arg(where)
                        : QStringLiteral("Connection refused on %1 (is dockerd running?)").arg(m_socketPath));
            }
            return Core::fail(QStringLiteral("Cannot connect to Docker at %1: %2").arg(where, detail));
        case CURLE_OPERATION_TIMEDOUT:
            if (connectedAfter == 0) {
                return Core::fail(QStringLiteral("Connection timeout: no connection to Docker at %1 within %2 s")
                                      .arg(where, secondsText(m_options.connectTimeoutMs)));
            }
            return Core::fail(QStringLiteral("Connection timeout: Docker at %1 did not answer %2 within %3 s")
                                  .arg(where, what, secondsText(m_options.timeoutMs + request.extraTimeoutMs)));
        case CURLE_COULDNT_RESOLVE_HOST:
            return Core::fail(QStringLiteral("Cannot resolve the Docker host of %1: %2").arg(where, detail));
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_USE_SSL_FAILED:
            return Core::fail(QStringLiteral("TLS error with Docker at %1: %2").arg(where, detail));
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
            if (m_baseUrl.startsWith("https:") && detail.contains(QStringLiteral("SSL"))) {
                // TLS 1.3 reports a refused client certificate after the handshake, on the first read
                const bool clientCert = detail.contains(QStringLiteral("bad certificate"))
                    || detail.contains(QStringLiteral("certificate required"))
                    || detail.contains(QStringLiteral("unknown ca"));
                return Core::fail(
                    QStringLiteral("TLS error with Docker at %1: %2%3")
                        .arg(where, detail,
                            clientCert ? QStringLiteral(" (the daemon did not accept our client certificate: "
                                                        "check the target's TLS cert and key)")
                                       : QString()));
            }
            return Core::fail(
                QStringLiteral("Docker at %1 closed the connection during %2: %3").arg(where, what, detail));
        default:
            return Core::fail(QStringLiteral("Docker request %1 to %2 failed: %3").arg(what, where, detail));
        }
    }

    Response response;
    response.status = static_cast<int>(status);
    response.body = std::move(transfer.body);
    response.sinkStopped = transfer.sinkStopped;
    if (response.status >= 400) {
        return Core::fail(apiErrorMessage(response.status, response.body));
    }
    return response;
}

Core::Result<QJsonObject> DockerClient::getObject(const QString &path) const
{
    Request request;
    request.path = path;
    auto response = perform(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(response->body, &error);
    if (!doc.isObject()) {
        return Core::fail(
            QStringLiteral("Docker answered GET %1 with something other than a JSON object%2")
                .arg(path, error.error != QJsonParseError::NoError ? QString(u": " + error.errorString()) : QString()));
    }
    return doc.object();
}

Core::Result<QJsonArray> DockerClient::getArray(const QString &path, const QString &query) const
{
    Request request;
    request.path = path;
    request.query = query;
    auto response = perform(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(response->body, &error);
    if (!doc.isArray()) {
        return Core::fail(
            QStringLiteral("Docker answered GET %1 with something other than a JSON array%2")
                .arg(path, error.error != QJsonParseError::NoError ? QString(u": " + error.errorString()) : QString()));
    }
    return doc.array();
}

Core::Result<QString> DockerClient::ping() const
{
    Request request;
    request.path = QStringLiteral("/_ping");
    request.versioned = false;
    auto response = perform(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    const QString body = QString::fromUtf8(response->body).trimmed();
    if (body != QStringLiteral("OK")) {
        return Core::fail(
            QStringLiteral("Unexpected answer to /_ping from %1: \"%2\"").arg(describeEndpoint(), body.left(80)));
    }
    return body;
}

Core::Result<QJsonObject> DockerClient::version() const { return getObject(QStringLiteral("/version")); }

Core::Result<QJsonArray> DockerClient::listContainers(bool all) const
{
    return getArray(QStringLiteral("/containers/json"), all ? QStringLiteral("all=1") : QString());
}

Core::Result<QJsonArray> DockerClient::listImages() const { return getArray(QStringLiteral("/images/json")); }

Core::Result<QJsonObject> DockerClient::inspectContainer(const QString &idOrName) const
{
    if (!isValidContainerRef(idOrName)) {
        return Core::fail(invalidRef(idOrName));
    }
    return getObject(QStringLiteral("/containers/%1/json").arg(encodedRef(idOrName)));
}

Core::Result<DockerLogs> DockerClient::containerLogs(
    const QString &idOrName, int tail, const QString &since, bool timestamps) const
{
    if (!isValidContainerRef(idOrName)) {
        return Core::fail(invalidRef(idOrName));
    }
    const auto sinceValue = sinceToApi(since, QDateTime::currentMSecsSinceEpoch());
    if (!sinceValue) {
        return std::unexpected(sinceValue.error());
    }

    // A container with a TTY has one raw stream; without, the stream is multiplexed. Config.Tty says which;
    // if an engine leaves it out, the decoder looks at the first bytes.
    const auto inspected = inspectContainer(idOrName);
    if (!inspected) {
        return std::unexpected(inspected.error());
    }
    const QJsonValue ttyValue = inspected->value(QStringLiteral("Config")).toObject().value(QStringLiteral("Tty"));
    const MuxStreamDecoder::Mode mode = !ttyValue.isBool() ? MuxStreamDecoder::Mode::Auto
        : ttyValue.toBool()                                ? MuxStreamDecoder::Mode::Raw
                                                           : MuxStreamDecoder::Mode::Multiplexed;

    QStringList query { QStringLiteral("stdout=1"), QStringLiteral("stderr=1"),
        queryItem(QStringLiteral("tail"), tail < 0 ? QStringLiteral("all") : QString::number(tail)) };
    if (!sinceValue->isEmpty()) {
        query << queryItem(QStringLiteral("since"), *sinceValue);
    }
    if (timestamps) {
        query << QStringLiteral("timestamps=1");
    }

    MuxStreamDecoder decoder(mode, m_options.maxOutputBytes);
    Request request;
    request.path = QStringLiteral("/containers/%1/logs").arg(encodedRef(idOrName));
    request.query = query.join(u'&');
    request.sink = [&decoder](QByteArrayView chunk) { return decoder.feed(chunk); };
    const auto response = perform(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    decoder.finish();
    if (decoder.hasError()) {
        return Core::fail(decoder.error());
    }

    DockerLogs logs;
    logs.tty = decoder.mode() == MuxStreamDecoder::Mode::Raw;
    logs.truncated = decoder.truncated();
    logs.incomplete = decoder.incomplete();
    QByteArray out = decoder.stdoutData();
    QByteArray err = decoder.stderrData();
    if (decoder.truncated()) {
        (decoder.truncatedStream() == MuxStreamDecoder::Stream::Stderr ? err : out)
            += truncationMarker(m_options.maxOutputBytes);
    }
    logs.stdoutText = QString::fromUtf8(out);
    logs.stderrText = QString::fromUtf8(err);
    return logs;
}

Core::Result<DockerActionResult> DockerClient::action(
    const QString &idOrName, const QString &verb, int timeoutSeconds, const QString &alreadyNote) const
{
    if (!isValidContainerRef(idOrName)) {
        return Core::fail(invalidRef(idOrName));
    }
    Request request;
    request.method = "POST";
    request.path = actionPath(idOrName, verb);
    request.query = actionQuery(verb, timeoutSeconds);
    if (verb != QStringLiteral("start")) {
        // the daemon waits up to the grace period before it answers
        request.extraTimeoutMs
            = static_cast<qint64>(timeoutSeconds >= 0 ? timeoutSeconds : kDefaultStopGraceSeconds) * 1000;
    }
    const auto response = perform(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    DockerActionResult result;
    if (response->status == 304) {
        result.changed = false;
        result.note = alreadyNote;
    }
    return result;
}

QString DockerClient::actionRequest(const QString &verb, const QString &idOrName, int timeoutSeconds) const
{
    const QString query = actionQuery(verb, timeoutSeconds);
    return QStringLiteral("POST /v%1%2%3")
        .arg(m_options.apiVersion, actionPath(idOrName, verb), query.isEmpty() ? QString() : QString(u'?' + query));
}

Core::Result<DockerActionResult> DockerClient::startContainer(const QString &idOrName) const
{
    return action(idOrName, QStringLiteral("start"), -1, QStringLiteral("container already started"));
}

Core::Result<DockerActionResult> DockerClient::stopContainer(const QString &idOrName, int timeoutSeconds) const
{
    return action(idOrName, QStringLiteral("stop"), timeoutSeconds, QStringLiteral("container already stopped"));
}

Core::Result<DockerActionResult> DockerClient::restartContainer(const QString &idOrName, int timeoutSeconds) const
{
    return action(idOrName, QStringLiteral("restart"), timeoutSeconds, QStringLiteral("container not restarted"));
}

} // namespace Tailops::Exec
