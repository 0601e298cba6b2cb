#include "netguard.h"

#include "core/paths.h"
#include "registry/target.h"

#include <QRegularExpression>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace Tailops::Connectivity {

namespace {

bool inV4(quint32 a, quint32 net, int bits)
{
    const quint32 mask = bits == 0 ? 0 : ~quint32(0) << (32 - bits);
    return (a & mask) == (net & mask);
}

constexpr quint32 v4(quint8 a, quint8 b, quint8 c, quint8 d)
{
    return (quint32(a) << 24) | (quint32(b) << 16) | (quint32(c) << 8) | quint32(d);
}

AddressClass classifyV4(quint32 a)
{
    if (a == v4(169, 254, 169, 254) || a == v4(100, 100, 100, 200)) {
        return AddressClass::Metadata;
    }
    if (inV4(a, v4(0, 0, 0, 0), 8)) {
        return AddressClass::Unspecified;
    }
    if (inV4(a, v4(127, 0, 0, 0), 8)) {
        return AddressClass::Loopback;
    }
    if (inV4(a, v4(169, 254, 0, 0), 16)) {
        return AddressClass::LinkLocal;
    }
    if (inV4(a, v4(10, 0, 0, 0), 8) || inV4(a, v4(172, 16, 0, 0), 12) || inV4(a, v4(192, 168, 0, 0), 16)
        || inV4(a, v4(100, 64, 0, 0), 10)) {
        return AddressClass::Private;
    }
    if (a == v4(255, 255, 255, 255)) {
        return AddressClass::Broadcast;
    }
    if (inV4(a, v4(224, 0, 0, 0), 4)) {
        return AddressClass::Multicast;
    }
    if (inV4(a, v4(240, 0, 0, 0), 4)) {
        return AddressClass::Reserved;
    }
    return AddressClass::Public;
}

quint32 v4At(const Q_IPV6ADDR &b, int offset)
{
    return (quint32(b[offset]) << 24) | (quint32(b[offset + 1]) << 16) | (quint32(b[offset + 2]) << 8) | quint32(b[offset + 3]);
}

bool allZero(const Q_IPV6ADDR &b, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

AddressClass classifyV6(const Q_IPV6ADDR &b)
{
    if (allZero(b, 0, 16)) {
        return AddressClass::Unspecified;
    }
    if (allZero(b, 0, 15) && b[15] == 1) {
        return AddressClass::Loopback;
    }
    // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d
    if (allZero(b, 0, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
        return classifyV4(v4At(b, 12));
    }
    // NAT64 64:ff9b::/96 (and the local-use 64:ff9b:1::/48, classified by its last 32 bits too)
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
        return classifyV4(v4At(b, 12));
    }
    // 6to4 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
    if (b[0] == 0x20 && b[1] == 0x02) {
        const AddressClass embedded = classifyV4(v4At(b, 2));
        if (embedded != AddressClass::Public) {
            return embedded;
        }
    }
    // fd00:ec2::254 (AWS IMDS over IPv6)
    static const Q_IPV6ADDR awsMetadata = QHostAddress(QStringLiteral("fd00:ec2::254")).toIPv6Address();
    if (std::memcmp(b.c, awsMetadata.c, 16) == 0) {
        return AddressClass::Metadata;
    }
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
        return AddressClass::LinkLocal;
    }
    if (b[0] == 0xff) {
        return AddressClass::Multicast;
    }
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)) {
        return AddressClass::Private; // ULA fc00::/7, deprecated site-local fec0::/10
    }
    return AddressClass::Public;
}

bool isDnsName(const QString &name)
{
    static const QRegularExpression label(QStringLiteral("^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$"));
    if (name.isEmpty() || name.size() > 253) {
        return false;
    }
    const QStringList labels = name.split(u'.');
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch()) {
            return false;
        }
    }
    return true;
}

QString withoutTrailingDot(QString host)
{
    if (host.endsWith(u'.') && host.size() > 1) {
        host.chop(1);
    }
    return host;
}

// Only digits, hex digits, 'x' and dots, with a digit first: what inet_aton might read as a number.
bool looksNumeric(const QString &host)
{
    static const QRegularExpression numeric(QStringLiteral("^[0-9][0-9a-fA-FxX.]*$"));
    return numeric.match(host).hasMatch();
}

QString normalisedPath(const QString &decoded, bool *ok)
{
    QString path = decoded.isEmpty() ? QStringLiteral("/") : decoded;
    if (!path.startsWith(u'/')) {
        path.prepend(u'/');
    }
    // By component, as file paths are: empty and "." segments go, ".." removes the one before (and cannot
    // climb above the root), so the path checked is the path requested and checking twice changes nothing.
    // A trailing '/' is kept: servers tell "/api/" from "/api".
    const auto normal = Core::normalizePath(path);
    *ok = normal.has_value();
    if (!normal) {
        return QStringLiteral("/");
    }
    return path.endsWith(u'/') && *normal != u"/" ? QString(*normal + u'/') : *normal;
}

bool pathUnder(const QString &path, QString prefix)
{
    while (prefix.size() > 1 && prefix.endsWith(u'/')) {
        prefix.chop(1);
    }
    return prefix == u"/" || prefix.isEmpty() || path == prefix || path.startsWith(prefix + u'/');
}

} // namespace

QString addressClassName(AddressClass c)
{
    switch (c) {
    case AddressClass::Public:
        return QStringLiteral("public");
    case AddressClass::Loopback:
        return QStringLiteral("loopback");
    case AddressClass::Private:
        return QStringLiteral("private");
    case AddressClass::LinkLocal:
        return QStringLiteral("link-local");
    case AddressClass::Metadata:
        return QStringLiteral("cloud metadata");
    case AddressClass::Unspecified:
        return QStringLiteral("unspecified");
    case AddressClass::Multicast:
        return QStringLiteral("multicast");
    case AddressClass::Broadcast:
        return QStringLiteral("broadcast");
    case AddressClass::Reserved:
        return QStringLiteral("reserved");
    }
    return QStringLiteral("reserved");
}

AddressClass classifyAddress(const QHostAddress &address)
{
    switch (address.protocol()) {
    case QAbstractSocket::IPv4Protocol:
        return classifyV4(address.toIPv4Address());
    case QAbstractSocket::IPv6Protocol:
        return classifyV6(address.toIPv6Address());
    default:
        return AddressClass::Reserved;
    }
}

Core::Result<void> checkAddress(const QHostAddress &address, const AddressPolicy &policy)
{
    const AddressClass c = classifyAddress(address);
    const QString text = address.toString();
    switch (c) {
    case AddressClass::Public:
        return {};
    case AddressClass::Loopback:
        if (policy.allowLoopback) {
            return {};
        }
        return Core::fail(QStringLiteral("%1 is a loopback address, allowed only for a host an http target or "
                                         "the network allowlist names explicitly").arg(text));
    case AddressClass::Private:
        if (policy.allowPrivate) {
            return {};
        }
        return Core::fail(QStringLiteral("%1 is a private address (RFC 1918, CGNAT or ULA), allowed only for a host "
                                         "an http target or the network allowlist names explicitly").arg(text));
    case AddressClass::Metadata:
        return Core::fail(QStringLiteral("%1 is a cloud metadata service address, which is never allowed").arg(text));
    default:
        return Core::fail(QStringLiteral("%1 is a %2 address, which is never allowed").arg(text, addressClassName(c)));
    }
}

std::optional<QHostAddress> parseIpLiteral(const QString &hostIn)
{
    QString host = hostIn.trimmed();
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    }
    if (host.contains(u':')) {
        QHostAddress a;
        if (host.contains(u'%') || !a.setAddress(host) || a.protocol() != QAbstractSocket::IPv6Protocol) {
            return std::nullopt;
        }
        return a;
    }
    host = withoutTrailingDot(host);
    if (!looksNumeric(host)) {
        return std::nullopt;
    }
    in_addr in {};
    const QByteArray latin = host.toLatin1();
    if (inet_aton(latin.constData(), &in) == 0) {
        return std::nullopt;
    }
    return QHostAddress(ntohl(in.s_addr));
}

Core::Result<QString> normaliseHost(const QString &host)
{
    if (host.isEmpty() || host.size() > 255) {
        return Core::fail(QStringLiteral("host name is empty or too long"));
    }
    if (const auto literal = parseIpLiteral(host)) {
        return literal->toString();
    }
    const QString name = withoutTrailingDot(host.toLower());
    // A name whose last label is a number ("999.1.1.1", "1.2.3.4.5", "1.0x1ff") is no name: resolvers and
    // URL parsers read such things as addresses in different ways. Refuse rather than guess.
    static const QRegularExpression numericLast(QStringLiteral("(^|\\.)([0-9]+|0x[0-9a-f]*)$"));
    if (numericLast.match(name).hasMatch()) {
        return Core::fail(QStringLiteral("'%1' is neither a valid IP address nor a host name").arg(host));
    }
    if (!isDnsName(name)) {
        return Core::fail(QStringLiteral("'%1' is not a valid host name (letters, digits, '-', '_' and dots) or IP "
                                         "address").arg(host));
    }
    return name;
}

Core::Result<QList<QHostAddress>> checkResolved(const QString &name, const QList<QHostAddress> &addresses,
                                                const AddressPolicy &policy)
{
    if (addresses.isEmpty()) {
        return Core::fail(QStringLiteral("%1 resolves to no address").arg(name));
    }
    QList<QHostAddress> out;
    for (const QHostAddress &a : addresses) {
        // An IPv4-mapped IPv6 address is checked and used as the IPv4 address it carries.
        bool mapped = false;
        const quint32 v4address = a.protocol() == QAbstractSocket::IPv6Protocol ? a.toIPv4Address(&mapped) : 0;
        const QHostAddress address = mapped ? QHostAddress(v4address) : a;
        if (auto ok = checkAddress(address, policy); !ok) {
            const bool literal = parseIpLiteral(name).has_value();
            return Core::fail(literal ? ok.error().message
                                      : QStringLiteral("%1 resolves to %2").arg(name, ok.error().message));
        }
        if (!out.contains(address)) {
            out.append(address);
        }
    }
    return out;
}

Core::Result<QList<QHostAddress>> lookupName(const QString &name)
{
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const QByteArray ascii = name.toLatin1();
    const int rc = getaddrinfo(ascii.constData(), nullptr, &hints, &found);
    if (rc != 0) {
        return Core::fail(QStringLiteral("cannot resolve %1: %2").arg(name, QString::fromUtf8(gai_strerror(rc))));
    }
    QList<QHostAddress> addresses;
    for (const addrinfo *ai = found; ai; ai = ai->ai_next) {
        QHostAddress a(ai->ai_addr);
        if (!a.isNull()) {
            a.setScopeId(QString());
            addresses.append(a);
        }
    }
    freeaddrinfo(found);
    return addresses;
}

Core::Result<QList<QHostAddress>> resolveAndCheck(const QString &host, const AddressPolicy &policy, const Resolver &resolve)
{
    const auto name = normaliseHost(host);
    if (!name) {
        return std::unexpected(name.error());
    }
    if (const auto literal = parseIpLiteral(*name)) {
        return checkResolved(*name, { *literal }, policy);
    }
    const auto addresses = resolve ? resolve(*name) : lookupName(*name);
    if (!addresses) {
        return std::unexpected(addresses.error());
    }
    return checkResolved(*name, *addresses, policy);
}

Core::Result<ParsedUrl> parseHttpUrl(const QString &raw)
{
    for (const QChar c : raw) {
        if (c.unicode() <= 0x20 || c == u'\\' || c.unicode() == 0x7f) {
            return Core::fail(QStringLiteral("the URL contains a space, a control character or a backslash"));
        }
    }
    const QUrl url(raw, QUrl::StrictMode);
    if (!url.isValid()) {
        return Core::fail(QStringLiteral("'%1' is not a valid URL: %2").arg(raw, url.errorString()));
    }
    ParsedUrl p;
    p.scheme = url.scheme().toLower();
    if (p.scheme != u"http" && p.scheme != u"https") {
        return Core::fail(QStringLiteral("only http and https URLs are allowed, not '%1'").arg(url.scheme()));
    }
    if (!url.userInfo().isEmpty() || raw.section(u'/', 2, 2).contains(u'@')) {
        return Core::fail(QStringLiteral("URLs with user info (user@host) are not allowed"));
    }
    const QString host = url.host(QUrl::FullyEncoded);
    if (host.isEmpty()) {
        return Core::fail(QStringLiteral("the URL has no host"));
    }
    if (host.contains(u'%')) {
        return Core::fail(QStringLiteral("IPv6 scope ids are not allowed in URLs"));
    }
    const auto normal = normaliseHost(host);
    if (!normal) {
        return std::unexpected(normal.error());
    }
    p.host = *normal;
    p.literal = parseIpLiteral(p.host);
    p.port = url.port(p.scheme == u"https" ? 443 : 80);
    if (p.port <= 0 || p.port > 65535) {
        return Core::fail(QStringLiteral("the URL port is out of range"));
    }
    bool pathOk = false;
    p.path = normalisedPath(url.path(QUrl::FullyDecoded), &pathOk);
    if (!pathOk) {
        return Core::fail(QStringLiteral("path '%1' is not allowed").arg(url.path()));
    }
    QUrl rebuilt;
    rebuilt.setScheme(p.scheme);
    rebuilt.setHost(p.host);
    if (url.port() != -1) {
        rebuilt.setPort(p.port);
    }
    rebuilt.setPath(p.path, QUrl::DecodedMode);
    if (url.hasQuery()) {
        rebuilt.setQuery(url.query(QUrl::FullyEncoded), QUrl::StrictMode);
    }
    if (!rebuilt.isValid()) {
        return Core::fail(QStringLiteral("'%1' cannot be requested: %2").arg(raw, rebuilt.errorString()));
    }
    p.url = rebuilt;
    return p;
}

namespace {

struct AllowEntry
{
    ParsedUrl url;
    bool wildcard = false;
    QString suffix; // ".example.com" for "*.example.com"; empty for "*"
};

Core::Result<AllowEntry> parseAllowEntry(const QString &entry)
{
    static const QRegularExpression wild(QStringLiteral("^([A-Za-z]+)://\\*((?:\\.[A-Za-z0-9_-]+)*)(:[0-9]{1,5})?(/.*)?$"));
    AllowEntry e;
    QString text = entry.trimmed();
    if (const auto m = wild.match(text); m.hasMatch()) {
        e.wildcard = true;
        e.suffix = withoutTrailingDot(m.captured(2).toLower());
        text = m.captured(1) + QStringLiteral("://wildcard.invalid") + m.captured(3) + m.captured(4);
    }
    auto parsed = parseHttpUrl(text);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    e.url = std::move(*parsed);
    return e;
}

} // namespace

AllowMatch matchAllowEntry(const ParsedUrl &url, const QString &entry)
{
    const auto e = parseAllowEntry(entry);
    if (!e || e->url.scheme != url.scheme || e->url.port != url.port || !pathUnder(url.path, e->url.path)) {
        return AllowMatch::None;
    }
    if (e->wildcard) {
        return e->suffix.isEmpty() || url.host.endsWith(e->suffix) ? AllowMatch::Wildcard : AllowMatch::None;
    }
    return e->url.host == url.host ? AllowMatch::Explicit : AllowMatch::None;
}

AllowMatch matchAllowlist(const ParsedUrl &url, const QStringList &entries)
{
    AllowMatch best = AllowMatch::None;
    for (const QString &entry : entries) {
        const AllowMatch m = matchAllowEntry(url, entry);
        if (m == AllowMatch::Explicit) {
            return m;
        }
        if (m == AllowMatch::Wildcard) {
            best = m;
        }
    }
    return best;
}

Core::Result<void> validateAllowEntry(const QString &entry)
{
    const auto e = parseAllowEntry(entry);
    if (!e) {
        return std::unexpected(e.error());
    }
    return {};
}

Core::Result<UrlDecision> checkUrl(const QString &url, const QStringList &allowlist, const Registry::Target *httpTarget,
                                   const Resolver &resolve)
{
    auto parsed = parseHttpUrl(url);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    UrlDecision d;
    AllowMatch match = AllowMatch::None;
    QString targetWhy;
    if (httpTarget) {
        if (auto ok = Registry::httpTargetAllows(*httpTarget, parsed->url); ok) {
            match = AllowMatch::Explicit;
            d.allowedBy = QStringLiteral("target");
        } else {
            targetWhy = ok.error().message;
        }
    }
    if (match == AllowMatch::None) {
        match = matchAllowlist(*parsed, allowlist);
        d.allowedBy = QStringLiteral("allowlist");
    }
    if (match == AllowMatch::None) {
        return Core::fail(QStringLiteral("%1 is not allowed: %2it is not on the gateway's network allowlist "
                                         "(network.allowed_urls in gateway.yaml)")
                              .arg(parsed->url.toString(), targetWhy.isEmpty() ? QString() : QString(targetWhy + QStringLiteral("; "))));
    }
    const bool byName = match == AllowMatch::Explicit;
    auto addresses = resolveAndCheck(parsed->host, AddressPolicy { byName, byName }, resolve);
    if (!addresses) {
        return std::unexpected(addresses.error());
    }
    d.url = std::move(*parsed);
    d.addresses = std::move(*addresses);
    return d;
}

QString addressForUrl(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? QString(u'[' + address.toString() + u']')
                                                                : address.toString();
}

} // namespace Tailops::Connectivity
