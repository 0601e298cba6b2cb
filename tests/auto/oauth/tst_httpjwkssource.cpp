// Auth::HttpJwksSource against documents served on 127.0.0.1 by an in-test QHttpServer (and a raw
// QTcpServer for silent and streamed answers): discovery and its fallback, the issuer check, size and
// time limits, redirects, the URL rule, keeping the last good set, refresh on max-age, on failure and on
// unknownKeyId() (rate-limited), and the keys() error before any set was loaded.

#include "auth/oauth/httpjwkssource.h"
#include "testkeys.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Tailops::Auth::HttpJwksSource;
using Tailops::Auth::HttpJwksSourceOptions;
using TestKeys::Key;

namespace {

const QString kOpenId = u"/.well-known/openid-configuration"_s;
const QString kOAuth = u"/.well-known/oauth-authorization-server"_s;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray jwksDocument(const QList<QJsonObject> &keys)
{
    QJsonArray array;
    for (const QJsonObject &key : keys) {
        array.append(key);
    }
    return json(QJsonObject { { u"keys"_s, array } });
}

QByteArray discoveryDocument(const QString &issuer, const QString &jwksUri)
{
    return json(QJsonObject {
        { u"issuer"_s, issuer },
        { u"jwks_uri"_s, jwksUri },
        { u"authorization_endpoint"_s, QString(issuer + u"/authorize"_s) },
        { u"token_endpoint"_s, QString(issuer + u"/token"_s) },
    });
}

// A coarse QTimer may fire up to 5 % off its interval, and remainingTime() says so.
bool isAbout(qint64 actualMs, qint64 expectedMs)
{
    return actualMs >= expectedMs * 94 / 100 && actualMs <= expectedMs * 106 / 100;
}

template<typename T>
QString errorOf(const Tailops::Core::Result<T> &result)
{
    return result ? QString() : result.error().toString();
}

// Documents by path on 127.0.0.1; unknown paths are 404. Counts requests per path.
class DocServer
{
public:
    struct Reply
    {
        int status = 200;
        QByteArray body;
        QList<std::pair<QByteArray, QByteArray>> headers;
    };

    static inline const QStringList kPaths {
        kOpenId, kOAuth, u"/jwks"_s, u"/jwks2"_s, u"/tenant/.well-known/openid-configuration"_s,
        u"/.well-known/oauth-authorization-server/tenant"_s,
    };

    bool start()
    {
        for (const QString &path : kPaths) {
            m_server.route(path, [this, path](const QHttpServerRequest &) { return respond(path); });
        }
        m_port = m_server.listen(QHostAddress::LocalHost, 0);
        return m_port != 0;
    }

    QString origin() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QString url(const QString &path) const { return origin() + path; }

    void set(const QString &path, QByteArray body, QList<std::pair<QByteArray, QByteArray>> headers = {})
    {
        m_replies.insert(path, Reply { 200, std::move(body), std::move(headers) });
    }
    void setStatus(const QString &path, int status, QList<std::pair<QByteArray, QByteArray>> headers = {})
    {
        m_replies.insert(path, Reply { status, QByteArray("{}"), std::move(headers) });
    }
    void remove(const QString &path) { m_replies.remove(path); }
    int hits(const QString &path) const { return m_hits.value(path); }
    int totalHits() const
    {
        int total = 0;
        for (const int n : m_hits) {
            total += n;
        }
        return total;
    }

private:
    QHttpServerResponse respond(const QString &path)
    {
        ++m_hits[path];
        const auto it = m_replies.constFind(path);
        if (it == m_replies.cend()) {
            return QHttpServerResponse(QHttpServerResponder::StatusCode::NotFound);
        }
        QHttpServerResponse response(QByteArray("application/json"), it->body, QHttpServerResponder::StatusCode(it->status));
        for (const auto &[name, value] : it->headers) {
            response.setHeader(name, value);
        }
        return response;
    }

    QHttpServer m_server;
    quint16 m_port = 0;
    QHash<QString, Reply> m_replies;
    QHash<QString, int> m_hits;
};

// A raw HTTP peer: answers every request with fixed bytes and closes, or (empty bytes) never answers.
class RawServer
{
public:
    explicit RawServer(QByteArray response)
        : m_response(std::move(response))
    {
    }

    bool start()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_requests.append(socket->readAll());
                    if (m_requests.last().contains("\r\n\r\n") && !m_response.isEmpty()) {
                        socket->write(m_response);
                        socket->disconnectFromHost();
                    }
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }

    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path); }

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArrayList m_requests;
};

quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace

class TestHttpJwksSource : public QObject
{
    Q_OBJECT

private:
    Key m_rsa1;
    Key m_rsa2;
    Key m_ec;
    std::unique_ptr<DocServer> m_server;

    // Options for tests: no automatic retry during a test unless it asks for one.
    HttpJwksSourceOptions options(const QString &issuer) const
    {
        HttpJwksSourceOptions o;
        o.issuer = issuer;
        o.timeout = 5s;
        o.retryDelay = 10min;
        o.minRefresh = 10min;
        return o;
    }

    // Discovery at the root of m_server, keys rsa1 (k1) and ec (e1).
    void serveDefault()
    {
        m_server->set(kOpenId, discoveryDocument(m_server->origin(), m_server->url(u"/jwks"_s)));
        m_server->set(u"/jwks"_s, jwksDocument({ m_rsa1.jwk(u"k1"_s, u"RS256"_s), m_ec.jwk(u"e1"_s, u"ES256"_s) }));
    }

    static bool waitLoaded(HttpJwksSource &source, QSignalSpy &updated, int count = 1)
    {
        return QTest::qWaitFor([&] { return updated.count() >= count; }, 10000) && source.isLoaded();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa1 = Key::rsa();
        m_rsa2 = Key::rsa();
        m_ec = Key::ecP256();
        QVERIFY(!m_rsa1.isNull() && !m_rsa2.isNull() && !m_ec.isNull());
    }

    void init()
    {
        m_server = std::make_unique<DocServer>();
        QVERIFY(m_server->start());
    }

    void cleanup() { m_server.reset(); }

    void firstLoadViaDiscovery()
    {
        serveDefault();
        HttpJwksSource source(options(m_server->origin()));
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);

        QCOMPARE(errorOf(source.keys()), QStringLiteral("JWKS not loaded yet from %1 (discovery): not started").arg(m_server->origin()));
        QVERIFY(source.start().has_value());
        QCOMPARE(errorOf(source.keys()),
                 QStringLiteral("JWKS not loaded yet from %1 (discovery): the first fetch has not finished").arg(m_server->origin()));
        QVERIFY(source.isFetching());

        QVERIFY(waitLoaded(source, updated));
        QCOMPARE(updated.first().first().toInt(), 2);
        QCOMPARE(failed.count(), 0);
        const auto keys = source.keys();
        QVERIFY2(keys.has_value(), qPrintable(errorOf(keys)));
        QCOMPARE(keys->size(), 2);
        QCOMPARE(keys->findByKid(u"k1"_s).size(), 1);
        QCOMPARE(keys->findByKid(u"e1"_s).size(), 1);
        QCOMPARE(source.jwksUrl(), QUrl(m_server->url(u"/jwks"_s)));
        QCOMPARE(m_server->hits(kOpenId), 1);
        QCOMPARE(m_server->hits(kOAuth), 0);
        QCOMPARE(m_server->hits(u"/jwks"_s), 1);
        // No Cache-Control: the default hour.
        QVERIFY2(isAbout(source.nextRefreshInMs(), 3600000), qPrintable(QString::number(source.nextRefreshInMs())));
        QVERIFY(source.start().has_value()); // a second start() does nothing
        QTest::qWait(50);
        QCOMPARE(m_server->totalHits(), 2);
    }

    void discovery_data()
    {
        QTest::addColumn<QString>("issuerPath");
        QTest::addColumn<QString>("documentPath");
        QTest::addColumn<int>("expectedHits"); // requests in all

        QTest::newRow("openid-configuration") << QString() << kOpenId << 2;
        QTest::newRow("fallback to oauth-authorization-server") << QString() << kOAuth << 3;
        QTest::newRow("issuer with path, openid") << u"/tenant"_s << u"/tenant/.well-known/openid-configuration"_s << 2;
        QTest::newRow("issuer with path, RFC 8414 fallback") << u"/tenant"_s << u"/.well-known/oauth-authorization-server/tenant"_s << 3;
    }

    void discovery()
    {
        QFETCH(QString, issuerPath);
        QFETCH(QString, documentPath);
        QFETCH(int, expectedHits);

        const QString issuer = m_server->origin() + issuerPath;
        m_server->set(documentPath, discoveryDocument(issuer, m_server->url(u"/jwks2"_s)));
        m_server->set(u"/jwks2"_s, jwksDocument({ m_rsa2.jwk(u"k2"_s) }));
        HttpJwksSource source(options(issuer));
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY2(waitLoaded(source, updated), qPrintable(source.lastError()));
        QCOMPARE(source.keys()->findByKid(u"k2"_s).size(), 1);
        QCOMPARE(m_server->hits(documentPath), 1);
        QCOMPARE(m_server->totalHits(), expectedHits);
    }

    void configuredJwksUrlSkipsDiscovery()
    {
        serveDefault();
        HttpJwksSourceOptions o = options(QString());
        o.jwksUrl = QUrl(m_server->url(u"/jwks"_s));
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY(waitLoaded(source, updated));
        QCOMPARE(m_server->hits(kOpenId), 0);
        QCOMPARE(m_server->hits(u"/jwks"_s), 1);
    }

    void issuerMismatchRefused_data()
    {
        QTest::addColumn<QString>("documentIssuer"); // "<origin>" replaced
        QTest::addColumn<QString>("expected");
        QTest::newRow("trailing slash") << u"<origin>/"_s << u"issuer mismatch"_s;
        QTest::newRow("other host") << u"https://idp.example.com"_s << u"issuer mismatch"_s;
        QTest::newRow("case") << u"HTTP://127.0.0.1"_s << u"issuer mismatch"_s;
        QTest::newRow("missing") << QString() << u"no \"issuer\""_s;
    }

    void issuerMismatchRefused()
    {
        QFETCH(QString, documentIssuer);
        QFETCH(QString, expected);
        documentIssuer.replace(u"<origin>"_s, m_server->origin());
        QJsonObject doc { { u"jwks_uri"_s, m_server->url(u"/jwks"_s) } };
        if (!documentIssuer.isEmpty()) {
            doc.insert(u"issuer"_s, documentIssuer);
        }
        serveDefault();
        m_server->set(kOpenId, json(doc));
        m_server->set(kOAuth, json(doc));

        HttpJwksSource source(options(m_server->origin()));
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.startsWith(u"discovery failed: "_s) && error.count(expected) == 2, qPrintable(error));
        QCOMPARE(m_server->hits(u"/jwks"_s), 0);
        QVERIFY(!source.isLoaded());
        const QString keysError = errorOf(source.keys());
        QVERIFY2(keysError.startsWith(QStringLiteral("JWKS not loaded yet from %1 (discovery): discovery failed: ").arg(m_server->origin())),
                 qPrintable(keysError));
    }

    void oversizedDocumentRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("JWKS") << u"/jwks"_s;
        QTest::newRow("discovery") << kOpenId;
    }

    void oversizedDocumentRefused()
    {
        QFETCH(QString, path);
        serveDefault();
        // Valid JSON, one byte over the limit.
        const QByteArray prefix = "{\"keys\":[],\"pad\":\"";
        const QByteArray suffix = "\"}";
        m_server->set(path, prefix + QByteArray((1 << 20) + 1 - prefix.size() - suffix.size(), 'x') + suffix);

        HttpJwksSource source(options(m_server->origin()));
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QStringLiteral("GET %1: document too large (over 1048576 bytes)").arg(m_server->url(path))), qPrintable(error));
        QVERIFY(!source.isLoaded());
    }

    void oversizedStreamWithoutLengthRefused()
    {
        QByteArray response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        const QByteArray chunk(64 * 1024, 'x');
        for (int i = 0; i < 20; ++i) { // 1.25 MiB
            response += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
        }
        response += "0\r\n\r\n";
        RawServer raw(response);
        QVERIFY(raw.start());
        HttpJwksSourceOptions o = options(QString());
        o.jwksUrl = QUrl(raw.url(u"/jwks"_s));
        HttpJwksSource source(o);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().endsWith(u"document too large (over 1048576 bytes)"_s), qPrintable(failed.first().first().toString()));
    }

    void badDocumentKeepsOldSet_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bad JSON") << QByteArray("{\"keys\": [") << 200 << u"/jwks: "_s;
        QTest::newRow("no usable key") << QByteArray("{\"keys\": []}") << 200 << u"/jwks: "_s;
        QTest::newRow("HTTP 500") << QByteArray() << 500 << u"/jwks: HTTP 500"_s;
    }

    void badDocumentKeepsOldSet()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, expected);
        serveDefault();
        HttpJwksSourceOptions o = options(m_server->origin());
        o.unknownKidInterval = 0ms;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QVERIFY(waitLoaded(source, updated));

        if (status == 200) {
            m_server->set(u"/jwks"_s, body);
        } else {
            m_server->setStatus(u"/jwks"_s, status);
        }
        source.unknownKeyId();
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(expected), qPrintable(failed.first().first().toString()));
        QCOMPARE(updated.count(), 1);
        const auto keys = source.keys();
        QVERIFY2(keys.has_value(), qPrintable(errorOf(keys)));
        QCOMPARE(keys->size(), 2);
        QCOMPARE(keys->findByKid(u"k1"_s).size(), 1);
        QVERIFY(source.lastError().contains(expected));
        // A failed JWKS fetch forgets the discovered URL: the next attempt discovers again.
        QVERIFY(source.jwksUrl().isEmpty());
        serveDefault();
        source.unknownKeyId();
        QTRY_COMPARE(updated.count(), 2);
        QCOMPARE(m_server->hits(kOpenId), 2);
        QVERIFY(source.lastError().isEmpty());
    }

    void keyRotationAfterUnknownKid()
    {
        serveDefault();
        HttpJwksSourceOptions o = options(m_server->origin());
        o.unknownKidInterval = 60s;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY(waitLoaded(source, updated));
        QCOMPARE(m_server->hits(u"/jwks"_s), 1);

        // The issuer rotates: k1 is gone, k2 is new. A token with kid k2 arrives.
        m_server->set(u"/jwks"_s, jwksDocument({ m_rsa2.jwk(u"k2"_s, u"RS256"_s) }));
        QVERIFY(source.keys()->findByKid(u"k2"_s).isEmpty());
        source.unknownKeyId();
        QVERIFY(source.isFetching());
        source.unknownKeyId(); // while fetching: nothing more
        QTRY_COMPARE(updated.count(), 2);
        QCOMPARE(updated.last().first().toInt(), 1);
        QCOMPARE(source.keys()->findByKid(u"k2"_s).size(), 1);
        QVERIFY(source.keys()->findByKid(u"k1"_s).isEmpty());
        QCOMPARE(m_server->hits(u"/jwks"_s), 2);

        // Within the interval another unknown kid does not fetch.
        m_server->set(u"/jwks"_s, jwksDocument({ m_ec.jwk(u"k3"_s) }));
        source.unknownKeyId();
        source.unknownKeyId();
        QVERIFY(!source.isFetching());
        QTest::qWait(300);
        QCOMPARE(m_server->hits(u"/jwks"_s), 2);
        QCOMPARE(updated.count(), 2);
        QVERIFY(source.keys()->findByKid(u"k3"_s).isEmpty());
    }

    void unknownKidRateLimitInterval()
    {
        serveDefault();
        HttpJwksSourceOptions o = options(m_server->origin());
        o.unknownKidInterval = 400ms;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY(waitLoaded(source, updated));

        QElapsedTimer clock;
        clock.start();
        source.unknownKeyId();
        QTRY_COMPARE(updated.count(), 2);
        source.unknownKeyId();
        QTest::qWait(50);
        if (clock.elapsed() < 350) {
            QCOMPARE(m_server->hits(u"/jwks"_s), 2);
        }
        QTest::qWait(450);
        source.unknownKeyId();
        QTRY_COMPARE(updated.count(), 3);
        QCOMPARE(m_server->hits(u"/jwks"_s), 3);
    }

    void refreshOnMaxAge()
    {
        serveDefault();
        m_server->set(u"/jwks"_s, jwksDocument({ m_rsa1.jwk(u"k1"_s) }), { { "Cache-Control", "public, max-age=0" } });
        HttpJwksSourceOptions o = options(m_server->origin());
        o.minRefresh = 200ms;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY(waitLoaded(source, updated));
        QVERIFY(source.nextRefreshInMs() <= 250); // max-age=0 clamped up to minRefresh (a coarse timer may add 5 %)

        m_server->set(u"/jwks"_s, jwksDocument({ m_rsa2.jwk(u"k2"_s) }), { { "Cache-Control", "max-age=600" } });
        QTRY_COMPARE_WITH_TIMEOUT(updated.count(), 2, 3000);
        QCOMPARE(source.keys()->findByKid(u"k2"_s).size(), 1);
        QVERIFY2(isAbout(source.nextRefreshInMs(), 600000), qPrintable(QString::number(source.nextRefreshInMs())));
    }

    void retryAfterFailure()
    {
        serveDefault();
        m_server->setStatus(u"/jwks"_s, 503);
        HttpJwksSourceOptions o = options(m_server->origin());
        o.retryDelay = 100ms;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(u"HTTP 503"_s), qPrintable(failed.first().first().toString()));
        QVERIFY(source.nextRefreshInMs() <= 150);
        QTRY_VERIFY(failed.count() >= 2); // retried on its own
        serveDefault();
        QVERIFY(waitLoaded(source, updated));
    }

    void refreshDelay_data()
    {
        QTest::addColumn<QByteArray>("cacheControl");
        QTest::addColumn<qint64>("seconds");
        QTest::newRow("none") << QByteArray() << qint64(3600);
        QTest::newRow("max-age in range") << QByteArray("max-age=600") << qint64(600);
        QTest::newRow("with other directives") << QByteArray("public, max-age=7200, must-revalidate") << qint64(7200);
        QTest::newRow("too short") << QByteArray("max-age=60") << qint64(300);
        QTest::newRow("zero") << QByteArray("max-age=0") << qint64(300);
        QTest::newRow("too long") << QByteArray("max-age=31536000") << qint64(86400);
        QTest::newRow("huge") << QByteArray("max-age=9223372036854775807") << qint64(86400);
        QTest::newRow("overflowing") << QByteArray("max-age=99999999999999999999") << qint64(3600);
        QTest::newRow("quoted") << QByteArray("max-age=\"900\"") << qint64(900);
        QTest::newRow("upper case") << QByteArray("MAX-AGE=900") << qint64(900);
        QTest::newRow("negative") << QByteArray("max-age=-5") << qint64(3600);
        QTest::newRow("garbage") << QByteArray("max-age=soon") << qint64(3600);
        QTest::newRow("no-cache") << QByteArray("no-cache") << qint64(300);
        QTest::newRow("no-store wins") << QByteArray("no-store, max-age=600") << qint64(300);
    }

    void refreshDelay()
    {
        QFETCH(QByteArray, cacheControl);
        QFETCH(qint64, seconds);
        const auto delay = HttpJwksSource::refreshDelay(cacheControl, HttpJwksSourceOptions {});
        QCOMPARE(qint64(delay.count()), seconds * 1000);
    }

    void jwksUriRule_data()
    {
        QTest::addColumn<QString>("issuer");
        QTest::addColumn<QString>("jwksUri");
        QTest::addColumn<QString>("error"); // empty: accepted

        QTest::newRow("https, same host") << u"https://idp.example.com"_s << u"https://idp.example.com/jwks"_s << QString();
        QTest::newRow("https, other host") << u"https://accounts.example.com"_s << u"https://keys.example-cdn.com/certs"_s << QString();
        QTest::newRow("http loopback issuer, http loopback keys on another port")
            << u"http://127.0.0.1:9000"_s << u"http://127.0.0.1:9001/jwks"_s << QString();
        QTest::newRow("localhost and ::1") << u"http://localhost:9000"_s << u"http://[::1]:9001/jwks"_s << QString();
        QTest::newRow("http loopback issuer, https remote keys") << u"http://127.0.0.1:9000"_s << u"https://keys.example.com/jwks"_s << QString();
        QTest::newRow("https issuer, http keys") << u"https://idp.example.com"_s << u"http://idp.example.com/jwks"_s
                                                 << u"must use https unless the issuer itself is http on a loopback host"_s;
        QTest::newRow("http loopback issuer, http remote keys") << u"http://127.0.0.1:9000"_s << u"http://keys.example.com/jwks"_s
                                                                << u"must use https unless the issuer itself is http on a loopback host"_s;
        QTest::newRow("remote issuer, loopback keys") << u"https://idp.example.com"_s << u"https://127.0.0.1:8443/jwks"_s
                                                      << u"on a loopback host is accepted only from a loopback issuer"_s;
        QTest::newRow("not http") << u"https://idp.example.com"_s << u"file:///etc/passwd"_s << u"not an absolute http(s) URL"_s;
        QTest::newRow("ftp") << u"https://idp.example.com"_s << u"ftp://idp.example.com/jwks"_s << u"must be an http(s) URL"_s;
        QTest::newRow("credentials") << u"https://idp.example.com"_s << u"https://user:pw@idp.example.com/jwks"_s
                                     << u"must not carry credentials"_s;
        QTest::newRow("relative") << u"https://idp.example.com"_s << u"/jwks"_s << u"not an absolute http(s) URL"_s;
    }

    void jwksUriRule()
    {
        QFETCH(QString, issuer);
        QFETCH(QString, jwksUri);
        QFETCH(QString, error);
        const auto result = HttpJwksSource::checkJwksUri(QUrl(jwksUri, QUrl::StrictMode), QUrl(issuer));
        if (error.isEmpty()) {
            QVERIFY2(result.has_value(), qPrintable(errorOf(result)));
        } else {
            QVERIFY(!result.has_value());
            QVERIFY2(errorOf(result).contains(error), qPrintable(errorOf(result)));
            QVERIFY(!errorOf(result).contains(u"pw"_s));
        }
    }

    void checkOptions_data()
    {
        QTest::addColumn<QString>("issuer");
        QTest::addColumn<QString>("jwksUrl");
        QTest::addColumn<QString>("error");
        QTest::newRow("https issuer") << u"https://idp.example.com"_s << QString() << QString();
        QTest::newRow("issuer with path") << u"https://idp.example.com/realms/ops"_s << QString() << QString();
        QTest::newRow("http loopback issuer") << u"http://127.0.0.1:8080"_s << QString() << QString();
        QTest::newRow("https jwks_url") << QString() << u"https://idp.example.com/jwks"_s << QString();
        QTest::newRow("nothing") << QString() << QString() << u"neither an issuer nor a jwks_url"_s;
        QTest::newRow("http remote issuer") << u"http://idp.example.com"_s << QString() << u"issuer must use https"_s;
        QTest::newRow("http remote jwks_url") << QString() << u"http://idp.example.com/jwks"_s << u"jwks_url must use https"_s;
        QTest::newRow("file jwks_url") << QString() << u"file:///tmp/jwks.json"_s << u"jwks_url is not an absolute http(s) URL"_s;
        QTest::newRow("issuer with query") << u"https://idp.example.com?x=1"_s << QString() << u"query or fragment"_s;
    }

    void checkOptions()
    {
        QFETCH(QString, issuer);
        QFETCH(QString, jwksUrl);
        QFETCH(QString, error);
        HttpJwksSourceOptions o;
        o.issuer = issuer;
        o.jwksUrl = QUrl(jwksUrl);
        const auto result = HttpJwksSource::checkOptions(o);
        if (error.isEmpty()) {
            QVERIFY2(result.has_value(), qPrintable(errorOf(result)));
            return;
        }
        QVERIFY2(errorOf(result).contains(error), qPrintable(errorOf(result)));
        // start() refuses the same way and keys() names the reason; nothing is fetched.
        HttpJwksSource source(o);
        QCOMPARE(errorOf(source.start()), errorOf(result));
        QVERIFY(errorOf(source.keys()).contains(error));
        QVERIFY(!source.isFetching());
    }

    void jwksUriOnAnotherOrigin()
    {
        DocServer keys; // another port: another origin
        QVERIFY(keys.start());
        keys.set(u"/jwks"_s, jwksDocument({ m_ec.jwk(u"e9"_s) }));
        m_server->set(kOpenId, discoveryDocument(m_server->origin(), keys.url(u"/jwks"_s)));
        HttpJwksSource source(options(m_server->origin()));
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QVERIFY(source.start().has_value());
        QVERIFY2(waitLoaded(source, updated), qPrintable(source.lastError()));
        QCOMPARE(source.keys()->findByKid(u"e9"_s).size(), 1);
        QCOMPARE(m_server->hits(u"/jwks"_s), 0);
        QCOMPARE(keys.hits(u"/jwks"_s), 1);
    }

    void plaintextRemoteJwksUriRefused()
    {
        const QString remote = u"http://keys.example.com/jwks"_s; // never contacted
        m_server->set(kOpenId, discoveryDocument(m_server->origin(), remote));
        HttpJwksSource source(options(m_server->origin()));
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(u"jwks_uri must use https unless the issuer itself is http on a loopback host: "_s + remote), qPrintable(error));
    }

    void redirects()
    {
        DocServer other;
        QVERIFY(other.start());
        other.set(u"/jwks"_s, jwksDocument({ m_rsa2.jwk(u"evil"_s) }));
        m_server->set(u"/jwks2"_s, jwksDocument({ m_rsa1.jwk(u"k1"_s) }));

        // Same origin: followed.
        m_server->setStatus(u"/jwks"_s, 302, { { "Location", "/jwks2" } });
        HttpJwksSourceOptions o = options(QString());
        o.jwksUrl = QUrl(m_server->url(u"/jwks"_s));
        o.unknownKidInterval = 0ms;
        HttpJwksSource source(o);
        QSignalSpy updated(&source, &HttpJwksSource::keysUpdated);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QVERIFY2(waitLoaded(source, updated), qPrintable(source.lastError()));
        QCOMPARE(m_server->hits(u"/jwks2"_s), 1);

        // Another origin (another port): refused, the old set stays.
        m_server->setStatus(u"/jwks"_s, 302, { { "Location", other.url(u"/jwks"_s).toUtf8() } });
        source.unknownKeyId();
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.startsWith(QStringLiteral("GET %1: redirect to another origin refused").arg(m_server->url(u"/jwks"_s))), qPrintable(error));
        QCOMPARE(other.hits(u"/jwks"_s), 0);
        QCOMPARE(source.keys()->findByKid(u"k1"_s).size(), 1);
    }

    void serverDown_data()
    {
        QTest::addColumn<bool>("discovery");
        QTest::newRow("jwks_url") << false;
        QTest::newRow("discovery") << true;
    }

    void serverDown()
    {
        QFETCH(bool, discovery);
        const QString origin = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        HttpJwksSourceOptions o = options(origin);
        if (!discovery) {
            o.jwksUrl = QUrl(origin + u"/jwks"_s);
        }
        HttpJwksSource source(o);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        const QString error = errorOf(source.keys());
        const QString expected = discovery
            ? QStringLiteral("JWKS not loaded yet from %1 (discovery): discovery failed: GET %1/.well-known/openid-configuration: ").arg(origin)
            : QStringLiteral("JWKS not loaded yet from %1/jwks: GET %1/jwks: ").arg(origin);
        QVERIFY2(error.startsWith(expected), qPrintable(error));
        QVERIFY2(error.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(error));
    }

    void timeout()
    {
        RawServer silent {QByteArray()};
        QVERIFY(silent.start());
        HttpJwksSourceOptions o = options(QString());
        o.jwksUrl = QUrl(silent.url(u"/jwks"_s));
        o.timeout = 300ms;
        HttpJwksSource source(o);
        QSignalSpy failed(&source, &HttpJwksSource::fetchFailed);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(source.start().has_value());
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(clock.elapsed() < 3000);
        QCOMPARE(failed.first().first().toString(), QStringLiteral("GET %1: no complete answer within 300 ms").arg(silent.url(u"/jwks"_s)));
        QVERIFY(errorOf(source.keys()).endsWith(u"no complete answer within 300 ms"_s));
    }

    void destroyedWhileFetching()
    {
        RawServer silent {QByteArray()};
        QVERIFY(silent.start());
        HttpJwksSourceOptions o = options(QString());
        o.jwksUrl = QUrl(silent.url(u"/jwks"_s));
        auto source = std::make_unique<HttpJwksSource>(o);
        QVERIFY(source->start().has_value());
        QTest::qWait(50);
        QVERIFY(source->isFetching());
        source.reset(); // must not crash or call back
        QTest::qWait(50);
    }
};

QTEST_GUILESS_MAIN(TestHttpJwksSource)
#include "tst_httpjwkssource.moc"
