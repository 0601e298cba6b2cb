// Auth::TailnetWhois against a FAKE of tailscaled's LocalAPI (tests/fixtures/fakelocalapi) on a real
// unix socket in a temporary directory: the address filter, identities of user and tagged nodes, every
// HTTP framing, each error branch, the timeout, the cache and the callback guarantees.

#include "auth/tailnet/tailnetwhois.h"
#include "fakelocalapi.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Tailops::Auth::TailnetIdentity;
using Tailops::Auth::TailnetWhois;
using Tailops::Testing::FakeLocalApi;

using WhoisResult = Tailops::Core::Result<TailnetIdentity>;

namespace {

const QString kUserIp = u"100.64.0.7"_s;
const QString kUserIp6 = u"fd7a:115c:a1e0::7"_s;
const QString kTaggedIp = u"100.100.1.2"_s;

QString errorOf(const WhoisResult &result)
{
    return result ? QString() : result.error().toString();
}

// One lookup, waited for; counts the calls of done (which must be exactly one).
struct Waited
{
    std::optional<WhoisResult> result;
    int calls = 0;
};

Waited lookupAndWait(TailnetWhois &whois, const QHostAddress &address, quint16 port = 443, int timeoutMs = 5000)
{
    auto state = std::make_shared<Waited>();
    QObject context;
    whois.lookup(address, port, &context, [state](WhoisResult result) {
        ++state->calls;
        state->result = std::move(result);
    });
    if (!QTest::qWaitFor([&] { return state->calls > 0; }, timeoutMs)) {
        state->result = Tailops::Core::fail(u"test: no answer within the test's wait"_s);
        return *state;
    }
    QTest::qWait(10); // a second (wrong) call would arrive here
    return *state;
}

} // namespace

class TestTailnetWhois : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeLocalApi> m_fake;
    std::unique_ptr<TailnetWhois> m_whois;

    QString socketPath() const { return m_dir->filePath(u"tailscaled.sock"_s); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>(u"/tmp/tst_tailnet-XXXXXX"_s);
        QVERIFY(m_dir->isValid());
        m_fake = std::make_unique<FakeLocalApi>();
        QVERIFY2(m_fake->listen(socketPath()), qPrintable(m_fake->errorString()));
        const QStringList userAddresses { kUserIp + u"/32"_s, kUserIp6 + u"/128"_s };
        m_fake->addPeer(kUserIp, FakeLocalApi::userPeer(u"alice@example.com"_s, u"Alice Example"_s,
                                                        u"laptop.tail1234.ts.net"_s, userAddresses, 1001));
        m_fake->addPeer(kUserIp6, FakeLocalApi::userPeer(u"alice@example.com"_s, u"Alice Example"_s,
                                                         u"laptop.tail1234.ts.net"_s, userAddresses, 1001));
        m_fake->addPeer(kTaggedIp, FakeLocalApi::taggedPeer({ u"tag:ops"_s, u"tag:prod"_s }, u"runner.tail1234.ts.net"_s,
                                                            { kTaggedIp + u"/32"_s }, 2002));
        m_whois = std::make_unique<TailnetWhois>(socketPath());
    }

    void cleanup()
    {
        m_whois.reset();
        m_fake.reset();
        m_dir.reset();
    }

    void isTailnetAddress_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("tailnet");
        QTest::newRow("v4 first") << u"100.64.0.0"_s << true;
        QTest::newRow("v4 node") << u"100.64.0.7"_s << true;
        QTest::newRow("v4 quad100") << u"100.100.100.100"_s << true;
        QTest::newRow("v4 last") << u"100.127.255.255"_s << true;
        QTest::newRow("v4 above") << u"100.128.0.0"_s << false;
        QTest::newRow("v4 below") << u"100.63.255.255"_s << false;
        QTest::newRow("v4 private") << u"10.1.2.3"_s << false;
        QTest::newRow("v4 loopback") << u"127.0.0.1"_s << false;
        QTest::newRow("v4 public") << u"192.0.2.1"_s << false;
        QTest::newRow("v4-mapped in") << u"::ffff:100.64.0.7"_s << true;
        QTest::newRow("v4-mapped last") << u"::ffff:100.127.255.255"_s << true;
        QTest::newRow("v4-mapped above") << u"::ffff:100.128.0.0"_s << false;
        QTest::newRow("v4-mapped below") << u"::ffff:100.63.255.255"_s << false;
        QTest::newRow("v6 first") << u"fd7a:115c:a1e0::"_s << true;
        QTest::newRow("v6 node") << u"fd7a:115c:a1e0:ab12:4843:cd96:6258:b240"_s << true;
        QTest::newRow("v6 last") << u"fd7a:115c:a1e0:ffff:ffff:ffff:ffff:ffff"_s << true;
        QTest::newRow("v6 above") << u"fd7a:115c:a1e1::"_s << false;
        QTest::newRow("v6 below") << u"fd7a:115c:a1df:ffff:ffff:ffff:ffff:ffff"_s << false;
        QTest::newRow("v6 other ula") << u"fd00::1"_s << false;
        QTest::newRow("v6 loopback") << u"::1"_s << false;
        QTest::newRow("v6 link-local") << u"fe80::1"_s << false;
        QTest::newRow("null") << QString() << false;
    }

    void isTailnetAddress()
    {
        QFETCH(QString, address);
        QFETCH(bool, tailnet);
        QCOMPARE(Tailops::Auth::isTailnetAddress(QHostAddress(address)), tailnet);
    }

    void lookup_data()
    {
        QTest::addColumn<QString>("ip");
        QTest::addColumn<int>("framing");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("displayName");
        QTest::addColumn<QStringList>("tags");
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("nodeId");

        const QStringList noTags;
        const QStringList opsTags { u"tag:ops"_s, u"tag:prod"_s };
        const struct
        {
            const char *name;
            FakeLocalApi::Framing framing;
        } framings[] = {
            { "content-length", FakeLocalApi::Framing::ContentLength },
            { "chunked", FakeLocalApi::Framing::Chunked },
            { "until close", FakeLocalApi::Framing::UntilClose },
        };
        for (const auto &f : framings) {
            QTest::addRow("user node, %s", f.name) << kUserIp << int(f.framing) << u"alice@example.com"_s << u"Alice Example"_s
                                                  << noTags << u"laptop.tail1234.ts.net"_s << u"n1001CNTRL"_s;
            QTest::addRow("tagged node, %s", f.name) << kTaggedIp << int(f.framing) << QString() << QString() << opsTags
                                                    << u"runner.tail1234.ts.net"_s << u"n2002CNTRL"_s;
        }
        QTest::newRow("user node over IPv6") << kUserIp6 << int(FakeLocalApi::Framing::ContentLength) << u"alice@example.com"_s
                                             << u"Alice Example"_s << noTags << u"laptop.tail1234.ts.net"_s << u"n1001CNTRL"_s;
        QTest::newRow("user node, v4-mapped") << (u"::ffff:"_s + kUserIp) << int(FakeLocalApi::Framing::Chunked)
                                              << u"alice@example.com"_s << u"Alice Example"_s << noTags
                                              << u"laptop.tail1234.ts.net"_s << u"n1001CNTRL"_s;
    }

    void lookup()
    {
        QFETCH(QString, ip);
        QFETCH(int, framing);
        QFETCH(QString, user);
        QFETCH(QString, displayName);
        QFETCH(QStringList, tags);
        QFETCH(QString, node);
        QFETCH(QString, nodeId);

        m_fake->setFraming(FakeLocalApi::Framing(framing));
        const Waited w = lookupAndWait(*m_whois, QHostAddress(ip), 51234);
        QCOMPARE(w.calls, 1);
        QVERIFY2(w.result->has_value(), qPrintable(errorOf(*w.result)));
        const TailnetIdentity &id = **w.result;
        QCOMPARE(id.user, user);
        QCOMPARE(id.displayName, displayName);
        QCOMPARE(id.tags, tags);
        QCOMPARE(id.isTagged(), !tags.isEmpty());
        QCOMPARE(id.node, node);
        QCOMPARE(id.nodeId, nodeId);
        QCOMPARE(id.address, QHostAddress(ip).protocol() == QAbstractSocket::IPv6Protocol && ip.startsWith(u"::ffff:"_s)
                     ? QHostAddress(kUserIp)
                     : QHostAddress(ip));
        QCOMPARE(m_fake->requestCount(), 1);
    }

    void requestFormat()
    {
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp), 443).result->has_value());
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp6), 8443).result->has_value());
        QCOMPARE(m_fake->requestCount(), 2);
        const auto lines = [](const QByteArray &head) {
            QList<QByteArray> result = head.split('\n');
            for (QByteArray &line : result) {
                line = line.trimmed();
            }
            return result;
        };
        const QList<QByteArray> first = lines(m_fake->requests().at(0));
        QCOMPARE(first.at(0), QByteArray("GET /localapi/v0/whois?addr=100.64.0.7%3A443 HTTP/1.1"));
        QVERIFY(first.contains("Host: local-tailscaled.sock"));
        QVERIFY(first.contains("Connection: close"));
        const QList<QByteArray> second = lines(m_fake->requests().at(1));
        QCOMPARE(second.at(0), QByteArray("GET /localapi/v0/whois?addr=%5Bfd7a%3A115c%3Aa1e0%3A%3A7%5D%3A8443 HTTP/1.1"));
        QCOMPARE(m_fake->addrParams(), QStringList({ u"100.64.0.7:443"_s, u"[fd7a:115c:a1e0::7]:8443"_s }));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("ip");
        QTest::addColumn<int>("status");      // setErrorStatus, 0 = none
        QTest::addColumn<QByteArray>("body"); // error body, or garbage when status is 0
        QTest::addColumn<QByteArray>("raw");  // raw response bytes
        QTest::addColumn<int>("framing");
        QTest::addColumn<QString>("expected");

        const int cl = int(FakeLocalApi::Framing::ContentLength);
        const int chunked = int(FakeLocalApi::Framing::Chunked);
        const int close = int(FakeLocalApi::Framing::UntilClose);
        const QByteArray none;
        const QByteArray huge(2 * 1024 * 1024, 'x');
        QTest::newRow("unknown peer 404") << u"100.64.0.9"_s << 0 << none << none << cl
                                         << u"tailscaled whois for 100.64.0.9: 404 no match for IP:port"_s;
        QTest::newRow("unknown peer 404 chunked") << u"100.64.0.9"_s << 0 << none << none << chunked
                                                 << u"tailscaled whois for 100.64.0.9: 404 no match for IP:port"_s;
        QTest::newRow("500 with body") << kUserIp << 500 << QByteArray("boom\n") << none << cl
                                      << u"tailscaled whois for 100.64.0.7: 500 boom"_s;
        QTest::newRow("403 empty body") << kUserIp << 403 << QByteArray() << none << cl
                                       << u"tailscaled whois for 100.64.0.7: 403"_s;
        QTest::newRow("long error body cut at 200") << kUserIp << 502 << QByteArray(300, 'e') + "TAIL" << none << cl
                                                   << (u"tailscaled whois for 100.64.0.7: 502 "_s + QString(200, u'e'));
        QTest::newRow("garbage JSON") << kUserIp << 0 << QByteArray("{\"Node\": ") << none << cl
                                     << u"tailscaled whois for 100.64.0.7: malformed JSON response"_s;
        QTest::newRow("garbage chunked") << kUserIp << 0 << QByteArray("<html>not json</html>") << none << chunked
                                        << u"tailscaled whois for 100.64.0.7: malformed JSON response"_s;
        QTest::newRow("JSON array") << kUserIp << 0 << QByteArray("[1,2]") << none << cl
                                   << u"tailscaled whois for 100.64.0.7: malformed response: not a JSON object"_s;
        QTest::newRow("no Node") << kUserIp << 0 << QByteArray("{\"UserProfile\":{}}") << none << cl
                                << u"tailscaled whois for 100.64.0.7: malformed response: no \"Node\" object"_s;
        QTest::newRow("neither user nor tags") << kUserIp << 0 << QByteArray(R"({"Node":{"Name":"x."},"UserProfile":{}})") << none
                                              << cl << u"tailscaled whois for 100.64.0.7: the node has neither a user nor tags"_s;
        QTest::newRow("oversized content-length") << kUserIp << 0 << huge << none << cl
                                                 << u"tailscaled whois for 100.64.0.7: response too large (over 1048576 bytes)"_s;
        QTest::newRow("oversized chunked") << kUserIp << 0 << huge << none << chunked
                                          << u"tailscaled whois for 100.64.0.7: response too large (over 1048576 bytes)"_s;
        QTest::newRow("oversized until close") << kUserIp << 0 << huge << none << close
                                              << u"tailscaled whois for 100.64.0.7: response too large (over 1048576 bytes)"_s;
        QTest::newRow("bad status line") << kUserIp << 0 << none << QByteArray("SSH-2.0-OpenSSH\r\n\r\n") << cl
                                        << u"tailscaled whois for 100.64.0.7: malformed response: bad status line"_s;
        QTest::newRow("truncated body") << kUserIp << 0 << none << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{") << cl
                                       << u"tailscaled whois for 100.64.0.7: truncated response"_s;
        QTest::newRow("truncated chunk") << kUserIp << 0 << none
                                        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"No") << cl
                                        << u"tailscaled whois for 100.64.0.7: truncated response"_s;
        QTest::newRow("bad chunk size") << kUserIp << 0 << none
                                       << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n") << cl
                                       << u"tailscaled whois for 100.64.0.7: malformed chunked encoding: bad chunk size"_s;
        QTest::newRow("closed without answer") << kUserIp << 0 << none << QByteArray("\r\n") << cl
                                              << u"tailscaled whois for 100.64.0.7: truncated response"_s;
    }

    void errors()
    {
        QFETCH(QString, ip);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, raw);
        QFETCH(int, framing);
        QFETCH(QString, expected);

        m_fake->setFraming(FakeLocalApi::Framing(framing));
        if (status != 0) {
            m_fake->setErrorStatus(status, body);
        } else if (!body.isEmpty()) {
            m_fake->setGarbage(body);
        }
        m_fake->setRawResponse(raw);

        const Waited w = lookupAndWait(*m_whois, QHostAddress(ip));
        QCOMPARE(w.calls, 1);
        QVERIFY(!w.result->has_value());
        const QString error = errorOf(*w.result);
        QVERIFY2(error.startsWith(expected), qPrintable(error));
        QVERIFY2(error.size() < expected.size() + 200, qPrintable(error));

        // Errors are not cached: the next lookup asks again.
        QCOMPARE(lookupAndWait(*m_whois, QHostAddress(ip)).calls, 1);
        QCOMPARE(m_fake->requestCount(), 2);
    }

    void missingSocket()
    {
        const QString path = m_dir->filePath(u"absent.sock"_s);
        TailnetWhois whois(path);
        const Waited w = lookupAndWait(whois, QHostAddress(kUserIp));
        QCOMPARE(w.calls, 1);
        const QString error = errorOf(*w.result);
        QVERIFY2(error.startsWith(u"tailscaled LocalAPI not reachable at "_s + path + u": "_s), qPrintable(error));
    }

    void connectionRefused()
    {
        // A path that exists but where nobody listens: connect() fails with ECONNREFUSED.
        const QString path = m_dir->filePath(u"stale.sock"_s);
        QFile stale(path);
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.close();
        TailnetWhois whois(path);
        const Waited w = lookupAndWait(whois, QHostAddress(kTaggedIp));
        QCOMPARE(w.calls, 1);
        const QString error = errorOf(*w.result);
        QVERIFY2(error.startsWith(u"tailscaled LocalAPI not reachable at "_s + path + u": "_s), qPrintable(error));
    }

    void timeout()
    {
        m_fake->setDelay(3s);
        m_whois->setTimeout(200ms);
        QElapsedTimer clock;
        clock.start();
        const Waited w = lookupAndWait(*m_whois, QHostAddress(kUserIp));
        QCOMPARE(w.calls, 1);
        const QString error = errorOf(*w.result);
        QCOMPARE(error, u"tailscaled whois for 100.64.0.7: no answer within 200 ms"_s);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    }

    void delayedAnswerWithinTimeout()
    {
        m_fake->setDelay(150ms);
        const Waited w = lookupAndWait(*m_whois, QHostAddress(kUserIp));
        QVERIFY2(w.result->has_value(), qPrintable(errorOf(*w.result)));
    }

    void cacheHit()
    {
        const Waited first = lookupAndWait(*m_whois, QHostAddress(kUserIp), 1111);
        QVERIFY(first.result->has_value());
        const Waited second = lookupAndWait(*m_whois, QHostAddress(kUserIp), 2222); // another port: same IP
        QCOMPARE(second.calls, 1);
        QVERIFY(second.result->has_value());
        QCOMPARE((*second.result)->user, u"alice@example.com"_s);
        QCOMPARE(m_fake->requestCount(), 1);
        QCOMPARE(m_fake->connectionCount(), 1);
        QCOMPARE(m_whois->cachedEntries(), 1);

        m_whois->clearCache();
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        QCOMPARE(m_fake->requestCount(), 2);
    }

    void cacheExpires()
    {
        m_whois->setCacheTtl(100ms);
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        QCOMPARE(m_fake->requestCount(), 1);
        QTest::qWait(150);
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        QCOMPARE(m_fake->requestCount(), 2);
    }

    void cacheIsBounded()
    {
        m_whois->setCacheCapacity(2);
        for (const QString &ip : { kUserIp, kTaggedIp, kUserIp6 }) {
            QVERIFY(lookupAndWait(*m_whois, QHostAddress(ip)).result->has_value());
        }
        QCOMPARE(m_whois->cachedEntries(), 2);
        // The oldest (kUserIp) was evicted; the newest is still cached.
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp6)).result->has_value());
        QCOMPARE(m_fake->requestCount(), 3);
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        QCOMPARE(m_fake->requestCount(), 4);
    }

    void concurrentLookupsShareOneRequest()
    {
        m_fake->setDelay(50ms);
        int calls = 0;
        QObject context;
        for (int i = 0; i < 5; ++i) {
            m_whois->lookup(QHostAddress(kTaggedIp), quint16(40000 + i), &context, [&calls](WhoisResult r) {
                QVERIFY(r.has_value());
                QCOMPARE(r->tags, QStringList({ u"tag:ops"_s, u"tag:prod"_s }));
                ++calls;
            });
        }
        QTRY_COMPARE(calls, 5);
        QTest::qWait(20);
        QCOMPARE(calls, 5);
        QCOMPARE(m_fake->requestCount(), 1);
    }

    void nonTailnetAddressDoesNoIo_data()
    {
        QTest::addColumn<QString>("ip");
        QTest::newRow("public v4") << u"192.0.2.1"_s;
        QTest::newRow("loopback") << u"127.0.0.1"_s;
        QTest::newRow("just outside") << u"100.128.0.1"_s;
        QTest::newRow("v6") << u"2001:db8::1"_s;
    }

    void nonTailnetAddressDoesNoIo()
    {
        QFETCH(QString, ip);
        int calls = 0;
        std::optional<WhoisResult> result;
        QObject context;
        m_whois->lookup(QHostAddress(ip), 22, &context, [&](WhoisResult r) {
            ++calls;
            result = std::move(r);
        });
        QCOMPARE(calls, 0); // never from inside lookup()
        QTRY_COMPARE(calls, 1);
        QCOMPARE(errorOf(*result), u"not a tailnet address: "_s + ip);
        QCOMPARE(m_fake->connectionCount(), 0);
        QCOMPARE(m_fake->requestCount(), 0);
    }

    void answersAreAlwaysAsynchronous()
    {
        QVERIFY(lookupAndWait(*m_whois, QHostAddress(kUserIp)).result->has_value());
        int calls = 0;
        QObject context;
        m_whois->lookup(QHostAddress(kUserIp), 1, &context, [&calls](WhoisResult) { ++calls; }); // cache hit
        QCOMPARE(calls, 0);
        QTRY_COMPARE(calls, 1);

        TailnetWhois missing(m_dir->filePath(u"absent.sock"_s));
        missing.lookup(QHostAddress(kUserIp), 1, &context, [&calls](WhoisResult) { ++calls; }); // fails at connect
        QCOMPARE(calls, 1);
        QTRY_COMPARE(calls, 2);
    }

    void notCalledAfterContextDestroyed()
    {
        m_fake->setDelay(100ms);
        int calls = 0;
        auto context = std::make_unique<QObject>();
        m_whois->lookup(QHostAddress(kUserIp), 1, context.get(), [&calls](WhoisResult) { ++calls; });
        QTRY_COMPARE(m_fake->requestCount(), 1);
        context.reset();
        QTest::qWait(300);
        QCOMPARE(calls, 0);
        // The answer still fills the cache for the next caller.
        QCOMPARE(m_whois->cachedEntries(), 1);
    }

    void destroyedWhileWaiting()
    {
        m_fake->setDelay(2s);
        int calls = 0;
        std::optional<WhoisResult> result;
        QObject context;
        m_whois->lookup(QHostAddress(kUserIp), 1, &context, [&](WhoisResult r) {
            ++calls;
            result = std::move(r);
        });
        QTRY_COMPARE(m_fake->requestCount(), 1);
        m_whois.reset();
        QTRY_COMPARE(calls, 1);
        QVERIFY(errorOf(*result).contains(u"cancelled"_s));
        QTest::qWait(50);
        QCOMPARE(calls, 1);
    }

    void parseWhoisResponse()
    {
        // Node.ID is the fallback when StableID is absent; a lone trailing dot is dropped from the name.
        const QByteArray json = R"({"Node":{"ID":123456789012,"Name":"db.tail1234.ts.net.","Tags":["tag:db"]},
                                    "UserProfile":{"LoginName":"bob@example.com","DisplayName":"Bob"}})";
        const auto id = TailnetWhois::parseWhoisResponse(json, QHostAddress(u"::ffff:100.64.0.8"_s));
        QVERIFY2(id.has_value(), qPrintable(errorOf(id)));
        QCOMPARE(id->nodeId, u"123456789012"_s);
        QCOMPARE(id->node, u"db.tail1234.ts.net"_s);
        QCOMPARE(id->tags, QStringList { u"tag:db"_s });
        QVERIFY(id->user.isEmpty()); // tags own the node, whatever the profile says
        QCOMPARE(id->address, QHostAddress(u"100.64.0.8"_s));
    }
};

QTEST_GUILESS_MAIN(TestTailnetWhois)
#include "tst_tailnetwhois.moc"
