// The network tools' SSRF guard (gateway/connectivity/netguard.h) on its own: address classes, IP literal
// forms a resolver or URL parser would accept, host name normalisation, URL parsing and the whole URL decision
// (allowlist by component, http target, every resolved address checked) with an injected resolver, so rebinding-
// style answers can be tested without DNS.
#include "connectivity/netguard.h"
#include "registry/target.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tailops;
using namespace Tailops::Connectivity;

class TestNetGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classify_data();
    void classify();
    void policy();
    void literals_data();
    void literals();
    void hosts_data();
    void hosts();
    void resolvedAllChecked();
    void urls_data();
    void urls();
    void allowEntries_data();
    void allowEntries();
};

void TestNetGuard::classify_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("cls");
    const QList<std::pair<const char *, const char *>> rows {
        { "169.254.169.254", "cloud metadata" },
        { "100.100.100.200", "cloud metadata" },
        { "fd00:ec2::254", "cloud metadata" },
        { "::ffff:169.254.169.254", "cloud metadata" },
        { "::ffff:a9fe:a9fe", "cloud metadata" },
        { "::169.254.169.254", "cloud metadata" },
        { "64:ff9b::a9fe:a9fe", "cloud metadata" },
        { "2002:a9fe:a9fe::1", "cloud metadata" },
        { "169.254.0.1", "link-local" },
        { "169.254.255.254", "link-local" },
        { "::ffff:169.254.1.1", "link-local" },
        { "fe80::1", "link-local" },
        { "febf:ffff::1", "link-local" },
        { "0.0.0.0", "unspecified" },
        { "0.1.2.3", "unspecified" },
        { "::", "unspecified" },
        { "::ffff:0.0.0.0", "unspecified" },
        { "224.0.0.1", "multicast" },
        { "239.255.255.250", "multicast" },
        { "ff02::1", "multicast" },
        { "ff0e::1", "multicast" },
        { "255.255.255.255", "broadcast" },
        { "240.0.0.1", "reserved" },
        { "127.0.0.1", "loopback" },
        { "127.255.0.9", "loopback" },
        { "::1", "loopback" },
        { "::ffff:127.0.0.1", "loopback" },
        { "10.1.2.3", "private" },
        { "172.16.0.1", "private" },
        { "172.31.255.255", "private" },
        { "192.168.1.1", "private" },
        { "100.64.0.1", "private" },
        { "100.127.255.255", "private" },
        { "fc00::1", "private" },
        { "fd12:3456::1", "private" },
        { "fec0::1", "private" },
        { "172.32.0.1", "public" },
        { "100.128.0.1", "public" },
        { "169.253.255.255", "public" },
        { "8.8.8.8", "public" },
        { "1.1.1.1", "public" },
        { "2606:4700::1111", "public" },
        { "2002:0808:0808::1", "public" },
    };
    for (const auto &[a, c] : rows) {
        QTest::newRow(a) << QString::fromLatin1(a) << QString::fromLatin1(c);
    }
}

void TestNetGuard::classify()
{
    QFETCH(QString, address);
    QFETCH(QString, cls);
    const QHostAddress a(address);
    QVERIFY2(!a.isNull(), qPrintable(address));
    QCOMPARE(addressClassName(classifyAddress(a)), cls);
}

void TestNetGuard::policy()
{
    const AddressPolicy none;
    const AddressPolicy all { true, true };
    QVERIFY(checkAddress(QHostAddress(u"8.8.8.8"_s), none));
    QVERIFY(!checkAddress(QHostAddress(u"127.0.0.1"_s), none));
    QVERIFY(checkAddress(QHostAddress(u"127.0.0.1"_s), all));
    QVERIFY(!checkAddress(QHostAddress(u"10.0.0.1"_s), none));
    QVERIFY(checkAddress(QHostAddress(u"10.0.0.1"_s), all));
    QVERIFY(!checkAddress(QHostAddress(u"10.0.0.1"_s), AddressPolicy { true, false }));
    // Never, whatever the policy.
    for (const QString &never : { u"169.254.169.254"_s, u"169.254.3.4"_s, u"fe80::1"_s, u"0.0.0.0"_s, u"::"_s, u"224.0.0.1"_s,
                                  u"ff02::1"_s, u"255.255.255.255"_s, u"fd00:ec2::254"_s, u"100.100.100.200"_s,
                                  u"::ffff:169.254.169.254"_s, u"240.1.1.1"_s }) {
        const auto r = checkAddress(QHostAddress(never), all);
        QVERIFY2(!r, qPrintable(never));
        QVERIFY2(r.error().message.contains(u"never allowed"_s), qPrintable(r.error().message));
    }
    QVERIFY(checkAddress(QHostAddress(u"169.254.169.254"_s), all).error().message.contains(u"metadata"_s));
}

void TestNetGuard::literals_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("address"); // empty: not a literal
    QTest::newRow("dotted") << u"169.254.169.254"_s << u"169.254.169.254"_s;
    QTest::newRow("decimal") << u"2852039166"_s << u"169.254.169.254"_s;
    QTest::newRow("hex dotted") << u"0xa9.0xfe.0xa9.0xfe"_s << u"169.254.169.254"_s;
    QTest::newRow("hex whole") << u"0xA9FEA9FE"_s << u"169.254.169.254"_s;
    QTest::newRow("octal") << u"0251.0376.0251.0376"_s << u"169.254.169.254"_s;
    QTest::newRow("short form") << u"169.254.43518"_s << u"169.254.169.254"_s;
    QTest::newRow("two parts") << u"127.1"_s << u"127.0.0.1"_s;
    QTest::newRow("trailing dot") << u"169.254.169.254."_s << u"169.254.169.254"_s;
    QTest::newRow("ipv6") << u"::1"_s << u"::1"_s;
    QTest::newRow("ipv6 brackets") << u"[::ffff:a9fe:a9fe]"_s << u"::ffff:169.254.169.254"_s;
    QTest::newRow("ipv6 scope") << u"fe80::1%eth0"_s << QString();
    QTest::newRow("name") << u"example.com"_s << QString();
    QTest::newRow("digit name") << u"1e100.net"_s << QString();
    QTest::newRow("hexish name") << u"deadbeef.cafe"_s << QString();
    QTest::newRow("bad octets") << u"999.1.1.1"_s << QString();
}

void TestNetGuard::literals()
{
    QFETCH(QString, host);
    QFETCH(QString, address);
    const auto literal = parseIpLiteral(host);
    if (address.isEmpty()) {
        QVERIFY2(!literal, qPrintable(literal ? literal->toString() : QString()));
    } else {
        QVERIFY(literal);
        QCOMPARE(*literal, QHostAddress(address));
    }
}

void TestNetGuard::hosts_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("normal"); // empty: refused
    QTest::newRow("upper + trailing dot") << u"Example.COM."_s << u"example.com"_s;
    QTest::newRow("underscore") << u"_dmarc.example.com"_s << u"_dmarc.example.com"_s;
    QTest::newRow("localhost") << u"localhost"_s << u"localhost"_s;
    QTest::newRow("decimal ip") << u"2130706433"_s << u"127.0.0.1"_s;
    QTest::newRow("ipv6") << u"[0:0::1]"_s << u"::1"_s;
    QTest::newRow("bad octets") << u"999.1.1.1"_s << QString();
    QTest::newRow("five parts") << u"1.2.3.4.5"_s << QString();
    QTest::newRow("numeric last label") << u"foo.123"_s << QString();
    QTest::newRow("hex last label") << u"foo.0x1f"_s << QString();
    QTest::newRow("space") << u"exa mple.com"_s << QString();
    QTest::newRow("empty label") << u"a..b"_s << QString();
    QTest::newRow("label dash") << u"-a.b"_s << QString();
    QTest::newRow("slash") << u"a/b"_s << QString();
    QTest::newRow("at") << u"a@b"_s << QString();
    QTest::newRow("percent") << u"a%2eb"_s << QString();
    QTest::newRow("unicode") << u"exämple.com"_s << QString();
}

void TestNetGuard::hosts()
{
    QFETCH(QString, host);
    QFETCH(QString, normal);
    const auto r = normaliseHost(host);
    if (normal.isEmpty()) {
        QVERIFY2(!r, qPrintable(r ? *r : QString()));
    } else {
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(*r, normal);
    }
}

void TestNetGuard::resolvedAllChecked()
{
    const AddressPolicy diag { true, true };
    // One bad address among good ones refuses the name.
    auto r = checkResolved(u"rebind.example"_s, { QHostAddress(u"93.184.216.34"_s), QHostAddress(u"169.254.169.254"_s) }, diag);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"rebind.example resolves to 169.254.169.254"_s), qPrintable(r.error().message));
    // IPv4-mapped answers are checked (and used) as IPv4.
    r = checkResolved(u"mapped.example"_s, { QHostAddress(u"::ffff:127.0.0.1"_s) }, diag);
    QVERIFY(r);
    QCOMPARE(r->constFirst(), QHostAddress(u"127.0.0.1"_s));
    QCOMPARE(r->constFirst().protocol(), QAbstractSocket::IPv4Protocol);
    r = checkResolved(u"mapped.example"_s, { QHostAddress(u"::ffff:169.254.169.254"_s) }, diag);
    QVERIFY(!r);
    // Order kept, duplicates removed.
    r = checkResolved(u"two.example"_s, { QHostAddress(u"10.0.0.2"_s), QHostAddress(u"10.0.0.1"_s), QHostAddress(u"10.0.0.2"_s) }, diag);
    QVERIFY(r);
    QCOMPARE(r->size(), 2);
    QCOMPARE(r->constFirst(), QHostAddress(u"10.0.0.2"_s));
    QVERIFY(!checkResolved(u"empty.example"_s, {}, diag));
    // resolveAndCheck: literals are never looked up, names go through the resolver.
    bool looked = false;
    const Resolver spy = [&looked](const QString &) -> Core::Result<QList<QHostAddress>> {
        looked = true;
        return QList<QHostAddress> { QHostAddress(u"169.254.169.254"_s) };
    };
    QVERIFY(!resolveAndCheck(u"0xa9fea9fe"_s, diag, spy));
    QVERIFY(!looked);
    QVERIFY(resolveAndCheck(u"10.1.1.1"_s, diag, spy));
    QVERIFY(!looked);
    const auto named = resolveAndCheck(u"Name.Example."_s, diag, spy);
    QVERIFY(looked);
    QVERIFY(!named);
    QVERIFY2(named.error().message.contains(u"name.example resolves to 169.254.169.254 is a cloud metadata"_s),
             qPrintable(named.error().message));
    // The real resolver: localhost is loopback.
    const auto local = resolveAndCheck(u"localhost"_s, diag);
    QVERIFY2(local, qPrintable(local ? QString() : local.error().message));
    QVERIFY(local->constFirst().isLoopback());
    QVERIFY(!resolveAndCheck(u"localhost"_s, AddressPolicy {}));
}

void TestNetGuard::urls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("allowlist");
    QTest::addColumn<QString>("targetUrl");        // an http target's url, or empty
    QTest::addColumn<QStringList>("targetPaths");  // its allowed_paths
    QTest::addColumn<QStringList>("resolved");     // what names resolve to ("FAIL": resolution fails)
    QTest::addColumn<QString>("expect");           // the first address when allowed, or "!" + part of the refusal

    const QStringList none;
    const QStringList pub { u"93.184.216.34"_s };
    const QStringList allowed { u"http://allowed.example/api"_s };
    // Metadata and link-local in every spelling, even when listed explicitly.
    QTest::newRow("metadata literal") << u"http://169.254.169.254/latest/meta-data"_s << QStringList { u"http://169.254.169.254/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata decimal") << u"http://2852039166/"_s << QStringList { u"http://2852039166/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata hex") << u"http://0xa9.0xfe.0xa9.0xfe/"_s << QStringList { u"http://169.254.169.254/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata octal") << u"http://0251.0376.0251.0376/"_s << QStringList { u"http://169.254.169.254/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata short") << u"http://169.254.43518/"_s << QStringList { u"http://169.254.169.254/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata trailing dot") << u"http://169.254.169.254./"_s << QStringList { u"http://169.254.169.254/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata mapped v6") << u"http://[::ffff:a9fe:a9fe]/"_s << QStringList { u"http://[::ffff:a9fe:a9fe]/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata aws v6") << u"http://[fd00:ec2::254]/"_s << QStringList { u"http://[fd00:ec2::254]/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata alibaba") << u"http://100.100.100.200/"_s << QStringList { u"http://100.100.100.200/"_s } << QString() << none << none << u"!cloud metadata"_s;
    QTest::newRow("metadata via name") << u"http://meta.example/"_s << QStringList { u"http://meta.example/"_s } << QString() << none << QStringList { u"169.254.169.254"_s } << u"!meta.example resolves to 169.254.169.254"_s;
    QTest::newRow("link-local v4") << u"http://169.254.10.10/"_s << QStringList { u"http://169.254.10.10/"_s } << QString() << none << none << u"!link-local"_s;
    QTest::newRow("link-local v6") << u"http://[fe80::1]/"_s << QStringList { u"http://[fe80::1]/"_s } << QString() << none << none << u"!link-local"_s;
    QTest::newRow("link-local v6 scope") << u"http://[fe80::1%25eth0]/"_s << QStringList { u"http://[fe80::1]/"_s } << QString() << none << none << u"!"_s;
    QTest::newRow("unspecified v4") << u"http://0.0.0.0:8080/"_s << QStringList { u"http://0.0.0.0:8080/"_s } << QString() << none << none << u"!unspecified"_s;
    QTest::newRow("unspecified zero") << u"http://0/"_s << QStringList { u"http://0/"_s } << QString() << none << none << u"!unspecified"_s;
    QTest::newRow("unspecified v6") << u"http://[::]/"_s << QStringList { u"http://[::]/"_s } << QString() << none << none << u"!unspecified"_s;
    QTest::newRow("multicast") << u"http://224.0.0.1/"_s << QStringList { u"http://224.0.0.1/"_s } << QString() << none << none << u"!multicast"_s;
    QTest::newRow("broadcast") << u"http://255.255.255.255/"_s << QStringList { u"http://255.255.255.255/"_s } << QString() << none << none << u"!broadcast"_s;
    // User info, backslashes and other parser tricks.
    QTest::newRow("userinfo") << u"http://allowed.example@169.254.169.254/"_s << allowed << QString() << none << pub << u"!user info"_s;
    QTest::newRow("userinfo password") << u"http://allowed.example:80@evil.example/api"_s << allowed << QString() << none << pub << u"!user info"_s;
    QTest::newRow("userinfo encoded") << u"http://allowed.example%40evil.example/api"_s << allowed << QString() << none << pub << u"!"_s;
    QTest::newRow("backslash") << u"http://allowed.example\\@169.254.169.254/api"_s << allowed << QString() << none << pub << u"!backslash"_s;
    QTest::newRow("space") << u"http://allowed.example /api"_s << allowed << QString() << none << pub << u"!space"_s;
    QTest::newRow("ftp") << u"ftp://allowed.example/api"_s << allowed << QString() << none << pub << u"!only http and https"_s;
    QTest::newRow("file") << u"file:///etc/passwd"_s << allowed << QString() << none << pub << u"!only http and https"_s;
    QTest::newRow("gopher") << u"gopher://allowed.example/api"_s << allowed << QString() << none << pub << u"!only http and https"_s;
    QTest::newRow("bad octets") << u"http://999.1.1.1/api"_s << QStringList { u"http://999.1.1.1/api"_s } << QString() << none << pub << u"!"_s;
    // Rebinding-style answers: every address counts.
    QTest::newRow("rebind one bad") << u"http://rebind.example/"_s << QStringList { u"http://rebind.example/"_s } << QString() << none
                                    << QStringList { u"93.184.216.34"_s, u"169.254.169.254"_s } << u"!rebind.example resolves to 169.254.169.254"_s;
    QTest::newRow("rebind mapped") << u"http://rebind.example/"_s << QStringList { u"http://rebind.example/"_s } << QString() << none
                                   << QStringList { u"::ffff:169.254.169.254"_s } << u"!cloud metadata"_s;
    QTest::newRow("unresolvable") << u"http://nx.example/"_s << QStringList { u"http://nx.example/"_s } << QString() << none
                                  << QStringList { u"FAIL"_s } << u"!cannot resolve"_s;
    QTest::newRow("no addresses") << u"http://empty.example/"_s << QStringList { u"http://empty.example/"_s } << QString() << none
                                  << none << u"!resolves to no address"_s;
    // Loopback and private: only for hosts allowed by name.
    QTest::newRow("explicit loopback") << u"http://localhost:8080/health"_s << QStringList { u"http://localhost:8080/"_s } << QString() << none
                                       << QStringList { u"127.0.0.1"_s, u"::1"_s } << u"127.0.0.1"_s;
    QTest::newRow("explicit private") << u"http://nas.lan/status"_s << QStringList { u"http://nas.lan/"_s } << QString() << none
                                      << QStringList { u"192.168.1.20"_s } << u"192.168.1.20"_s;
    QTest::newRow("explicit private literal") << u"http://10.0.0.5:9100/metrics"_s << QStringList { u"http://10.0.0.5:9100/metrics"_s } << QString() << none
                                              << none << u"10.0.0.5"_s;
    QTest::newRow("wildcard public") << u"http://api.example.com/x"_s << QStringList { u"https://*.example.com/"_s, u"http://*.example.com/"_s } << QString() << none
                                     << pub << u"93.184.216.34"_s;
    QTest::newRow("wildcard loopback") << u"http://evil.example.com/"_s << QStringList { u"http://*.example.com/"_s } << QString() << none
                                       << QStringList { u"127.0.0.1"_s } << u"!loopback"_s;
    QTest::newRow("wildcard private") << u"http://evil.example.com/"_s << QStringList { u"http://*/"_s } << QString() << none
                                      << QStringList { u"10.0.0.5"_s } << u"!private"_s;
    QTest::newRow("wildcard suffix only") << u"http://example.com.evil.net/"_s << QStringList { u"http://*.example.com/"_s } << QString() << none
                                          << pub << u"!not allowed"_s;
    QTest::newRow("wildcard plus explicit") << u"http://db.example.com/"_s << QStringList { u"http://*/"_s, u"http://db.example.com/"_s } << QString() << none
                                            << QStringList { u"10.0.0.7"_s } << u"10.0.0.7"_s;
    // The allowlist by component.
    QTest::newRow("allowlist miss") << u"http://other.example/api"_s << allowed << QString() << none << pub << u"!not on the gateway's network allowlist"_s;
    QTest::newRow("empty allowlist") << u"http://allowed.example/api"_s << none << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("path exact") << u"http://allowed.example/api"_s << allowed << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("path below") << u"http://allowed.example/api/v1?x=1"_s << allowed << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("path prefix not component") << u"http://allowed.example/apix"_s << allowed << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("path dotdot") << u"http://allowed.example/api/../admin"_s << allowed << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("path encoded dotdot") << u"http://allowed.example/api/%2e%2e/admin"_s << allowed << QString() << none << pub << u"!"_s;
    QTest::newRow("trailing dot host") << u"http://allowed.example./api/x"_s << allowed << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("uppercase") << u"HTTP://ALLOWED.EXAMPLE/api"_s << allowed << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("uppercase entry") << u"http://allowed.example/api"_s << QStringList { u"HTTP://Allowed.Example./api/"_s } << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("path case") << u"http://allowed.example/API"_s << allowed << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("port mismatch") << u"http://allowed.example:8080/api"_s << allowed << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("default port") << u"http://allowed.example:80/api"_s << allowed << QString() << none << pub << u"93.184.216.34"_s;
    QTest::newRow("scheme mismatch") << u"https://allowed.example/api"_s << allowed << QString() << none << pub << u"!not allowed"_s;
    QTest::newRow("ip vs name") << u"http://93.184.216.34/api"_s << allowed << QString() << none << none << u"!not allowed"_s;
    // http targets: their url and allowed_paths.
    const QString api = u"http://127.0.0.1:8080/health"_s;
    QTest::newRow("target path") << u"http://127.0.0.1:8080/health/live"_s << none << api << none << none << u"127.0.0.1"_s;
    QTest::newRow("target decimal form") << u"http://2130706433:8080/health"_s << none << api << none << none << u"127.0.0.1"_s;
    QTest::newRow("target outside path") << u"http://127.0.0.1:8080/admin"_s << none << api << none << none << u"!allowed_paths"_s;
    QTest::newRow("target other port") << u"http://127.0.0.1:8081/health"_s << none << api << none << none << u"!is not on target"_s;
    QTest::newRow("target name alias") << u"http://localhost:8080/health"_s << none << api << none << QStringList { u"127.0.0.1"_s } << u"!is not on target"_s;
    QTest::newRow("target allowed_paths") << u"http://127.0.0.1:8080/metrics"_s << none << api << QStringList { u"/health"_s, u"/metrics"_s } << none << u"127.0.0.1"_s;
    QTest::newRow("target or allowlist") << u"http://other.example/api"_s << QStringList { u"http://other.example/"_s } << api << none << pub << u"93.184.216.34"_s;
    QTest::newRow("target metadata") << u"http://169.254.169.254/latest"_s << none << u"http://169.254.169.254/"_s << none << none << u"!cloud metadata"_s;
}

void TestNetGuard::urls()
{
    QFETCH(QString, url);
    QFETCH(QStringList, allowlist);
    QFETCH(QString, targetUrl);
    QFETCH(QStringList, targetPaths);
    QFETCH(QStringList, resolved);
    QFETCH(QString, expect);

    Registry::Target target;
    target.id = u"api"_s;
    target.type = u"http"_s;
    target.executor = Registry::Executor::Http;
    target.url = targetUrl;
    target.allowedPaths = targetPaths;
    const Resolver resolver = [&resolved](const QString &name) -> Core::Result<QList<QHostAddress>> {
        if (resolved.contains(u"FAIL"_s)) {
            return Core::fail(u"cannot resolve %1: Name or service not known"_s.arg(name));
        }
        QList<QHostAddress> out;
        for (const QString &a : resolved) {
            out.append(QHostAddress(a));
        }
        return out;
    };
    const auto d = checkUrl(url, allowlist, targetUrl.isEmpty() ? nullptr : &target, resolver);
    if (expect.startsWith(u'!')) {
        QVERIFY2(!d, qPrintable(d ? u"allowed, to "_s + d->addresses.constFirst().toString() : QString()));
        QVERIFY2(d.error().message.contains(expect.mid(1)), qPrintable(d.error().message));
    } else {
        QVERIFY2(d, qPrintable(d ? QString() : d.error().message));
        QCOMPARE(d->addresses.constFirst(), QHostAddress(expect));
        // What is requested is rebuilt from the checked parts: no user info, a canonical host.
        QVERIFY(d->url.url.userInfo().isEmpty());
        QCOMPARE(d->url.url.host(), d->url.host);
    }
}

void TestNetGuard::allowEntries_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << u"https://api.example.com/v1"_s << true;
    QTest::newRow("port") << u"http://10.0.0.5:9100/metrics"_s << true;
    QTest::newRow("wildcard") << u"https://*.example.com/"_s << true;
    QTest::newRow("any") << u"https://*"_s << true;
    QTest::newRow("ipv6") << u"http://[fd12::1]:8080/"_s << true;
    QTest::newRow("ftp") << u"ftp://example.com/"_s << false;
    QTest::newRow("userinfo") << u"http://u@example.com/"_s << false;
    QTest::newRow("no host") << u"http:///x"_s << false;
    QTest::newRow("mid wildcard") << u"http://a.*.example.com/"_s << false;
}

void TestNetGuard::allowEntries()
{
    QFETCH(QString, entry);
    QFETCH(bool, valid);
    const auto r = validateAllowEntry(entry);
    QVERIFY2(r.has_value() == valid, qPrintable(r ? u"valid"_s : r.error().message));
}

QTEST_GUILESS_MAIN(TestNetGuard)
#include "tst_netguard.moc"
