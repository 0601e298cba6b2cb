// The network tools' SSRF guard: host and URL arguments. Input lines: line 1 a host / URL, the rest
// allowlist entries. The resolver is injected (never real DNS): names map to fixed addresses chosen by
// their text (metadata, link-local, private, loopback, IPv4-mapped, public).
// Invariants: normaliseHost is idempotent; a host that parses as an IP literal normalises to it; an
// accepted URL is http(s) with a port in 1..65535, a path starting with '/' and without "."/".."
// components, and re-parsing its re-encoded form gives the same scheme, host, port and path; checkUrl
// never passes a link-local, metadata, unspecified, multicast, broadcast or reserved address, nor loopback
// or private ones when allowed only by a wildcard entry; the addresses it returns are non-empty.
#include "connectivity/netguard.h"
#include "fuzz_support.h"
#include "registry/target.h"

using namespace Tailops;
using namespace Tailops::Connectivity;

namespace {

Core::Result<QList<QHostAddress>> fakeResolve(const QString &name)
{
    const auto a = [](const char *s) { return QHostAddress(QString::fromLatin1(s)); };
    if (name.contains(u"meta")) {
        return QList<QHostAddress> { a("93.184.216.34"), a("169.254.169.254") };
    }
    if (name.contains(u"link")) {
        return QList<QHostAddress> { a("fe80::1") };
    }
    if (name.contains(u"internal")) {
        return QList<QHostAddress> { a("10.1.2.3") };
    }
    if (name.contains(u"local")) {
        return QList<QHostAddress> { a("127.0.0.1"), a("::1") };
    }
    if (name.contains(u"mapped")) {
        return QList<QHostAddress> { a("::ffff:169.254.169.254") };
    }
    if (name.contains(u"nx")) {
        return Core::fail(QStringLiteral("no such host"));
    }
    if (name.contains(u"empty")) {
        return QList<QHostAddress> {};
    }
    return QList<QHostAddress> { a("93.184.216.34"), a("2606:2800:220:1::") };
}

const Registry::Target &httpTarget()
{
    static const Registry::Target t = [] {
        Registry::Target x;
        x.id = QStringLiteral("api");
        x.type = QStringLiteral("http");
        x.url = QStringLiteral("http://internal.example.net:8080/api");
        x.allowedPaths = { QStringLiteral("/api"), QStringLiteral("/health") };
        return x;
    }();
    return t;
}

bool alwaysRefused(AddressClass c)
{
    return c == AddressClass::LinkLocal || c == AddressClass::Metadata || c == AddressClass::Unspecified
        || c == AddressClass::Multicast || c == AddressClass::Broadcast || c == AddressClass::Reserved;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8 * 1024) {
        return -1;
    }
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QStringList lines = text.split(u'\n');
    const QString first = lines.takeFirst();

    // Hosts.
    if (const auto literal = parseIpLiteral(first)) {
        const AddressClass c = classifyAddress(*literal);
        addressClassName(c);
        const auto ok = checkAddress(*literal, AddressPolicy { true, true });
        FUZZ_CHECK(ok.has_value() != alwaysRefused(c), first + QStringLiteral(" -> ") + literal->toString());
        addressForUrl(*literal);
    }
    if (const auto host = normaliseHost(first)) {
        const auto again = normaliseHost(*host);
        FUZZ_CHECK(again && *again == *host, first + QStringLiteral(" -> ") + *host);
        FUZZ_CHECK(!host->endsWith(u'.'), *host);
        const auto resolved = resolveAndCheck(*host, AddressPolicy {}, fakeResolve);
        if (resolved) {
            FUZZ_CHECK(!resolved->isEmpty(), *host);
            for (const QHostAddress &a : *resolved) {
                const AddressClass c = classifyAddress(a);
                FUZZ_CHECK(c == AddressClass::Public, *host + QStringLiteral(" -> ") + a.toString());
            }
        }
    }

    // URLs.
    for (const QString &entry : lines) {
        (void)validateAllowEntry(entry);
    }
    const auto url = parseHttpUrl(first);
    if (url) {
        const QString ctx = first + QStringLiteral(" -> ") + QString::fromLatin1(url->url.toEncoded());
        FUZZ_CHECK(url->scheme == u"http" || url->scheme == u"https", ctx);
        FUZZ_CHECK(url->port >= 1 && url->port <= 65535, ctx);
        FUZZ_CHECK(url->path.startsWith(u'/'), ctx);
        for (const QStringView part : QStringView(url->path).split(u'/')) {
            FUZZ_CHECK(part != u"." && part != u"..", ctx);
        }
        const auto again = parseHttpUrl(QString::fromLatin1(url->url.toEncoded())); // what networktools requests
        FUZZ_CHECK(again.has_value(), ctx + QStringLiteral(": re-parse failed: ") + (again ? QString() : again.error().message));
        FUZZ_CHECK(again->scheme == url->scheme && again->host == url->host && again->port == url->port
                       && again->path == url->path,
                   ctx + QStringLiteral(" -> ") + again->url.toString() + u' ' + again->host + u' ' + again->path);
        for (const QString &entry : lines) {
            matchAllowEntry(*url, entry);
        }
    }
    const auto decision = checkUrl(first, lines, lines.size() % 2 ? &httpTarget() : nullptr, fakeResolve);
    if (decision) {
        FUZZ_CHECK(!decision->addresses.isEmpty(), first);
        const AllowMatch how = matchAllowlist(decision->url, lines);
        for (const QHostAddress &a : decision->addresses) {
            const AddressClass c = classifyAddress(a);
            FUZZ_CHECK(!alwaysRefused(c), first + QStringLiteral(" -> ") + a.toString());
            if (decision->allowedBy == u"allowlist" && how == AllowMatch::Wildcard) {
                FUZZ_CHECK(c == AddressClass::Public, first + QStringLiteral(" (wildcard) -> ") + a.toString());
            }
        }
    }
    return 0;
}
