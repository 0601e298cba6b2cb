#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Tailops::Registry {
struct Target;
}

// The network tools' guard against being turned on the gateway's own neighbourhood (SSRF): what kind of
// address an address is, which kinds may be connected to, and whether a URL is on an allowlist. Names are
// always resolved first and every address they resolve to is checked; the caller then connects to a checked
// address, never to the name again (no DNS rebinding between check and connect).
namespace Tailops::Connectivity {

enum class AddressClass {
    Public,
    Loopback,    // 127/8, ::1
    Private,     // RFC 1918, CGNAT 100.64/10, ULA fc00::/7, site-local fec0::/10
    LinkLocal,   // 169.254/16, fe80::/10
    Metadata,    // cloud metadata services: 169.254.169.254, fd00:ec2::254, 100.100.100.200
    Unspecified, // 0.0.0.0/8, ::
    Multicast,   // 224/4, ff00::/8
    Broadcast,   // 255.255.255.255
    Reserved,    // 240/4, and an invalid address
};

QString addressClassName(AddressClass c);

// The class of ADDRESS. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible
// ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are classified by that IPv4 address.
AddressClass classifyAddress(const QHostAddress &address);

struct AddressPolicy
{
    bool allowLoopback = false;
    bool allowPrivate = false;
};

// Whether ADDRESS may be connected to; the refusal names the address and its class. Link-local, metadata,
// unspecified, multicast, broadcast and reserved addresses are always refused.
Core::Result<void> checkAddress(const QHostAddress &address, const AddressPolicy &policy);

// An IP literal in any form the resolver would accept: dotted IPv4, the inet_aton forms (decimal
// "2852039166", hex "0xa9.0xfe.0xa9.0xfe", octal "0251.0376.0251.0376", short "169.254.43518"), IPv6 with or
// without brackets. A trailing dot is ignored. nullopt for a name.
std::optional<QHostAddress> parseIpLiteral(const QString &host);

// A host argument as the tools use it: an IP literal (canonical text) or a DNS name (lower case, without a
// trailing dot, labels of letters, digits, '-' and '_'). Anything else is refused.
Core::Result<QString> normaliseHost(const QString &host);

// Checks every address NAME resolved to (all must pass: one bad address refuses the name) and returns them
// in the resolver's order, duplicates removed. An empty list is an error ("resolves to nothing").
Core::Result<QList<QHostAddress>> checkResolved(const QString &name, const QList<QHostAddress> &addresses,
                                                const AddressPolicy &policy);

// Every address NAME resolves to in-process (getaddrinfo, unchecked), in the resolver's order.
Core::Result<QList<QHostAddress>> lookupName(const QString &name);
using Resolver = std::function<Core::Result<QList<QHostAddress>>(const QString &name)>;

// Resolves HOST (with RESOLVE, default lookupName; an IP literal is not looked up) and checks all its addresses.
Core::Result<QList<QHostAddress>> resolveAndCheck(const QString &host, const AddressPolicy &policy,
                                                  const Resolver &resolve = {});

// An http(s) URL taken apart for the checks: no user info, a host (IP literals canonical), an explicit
// port, a normalised decoded path (no "..").
struct ParsedUrl
{
    QUrl url;       // re-encoded from the parts below (what is requested)
    QString scheme; // http | https
    QString host;   // lower case, no trailing dot; an IPv6 literal without brackets
    int port = 0;
    QString path;   // decoded and normalised, at least "/"
    std::optional<QHostAddress> literal; // when the host is an IP literal
};

Core::Result<ParsedUrl> parseHttpUrl(const QString &url);

// How URL matches one allowlist entry ("https://api.example.com:8443/v1"): same scheme, host and port,
// and the path under the entry's path by component ("/v1" covers "/v1" and "/v1/x", not "/v10"). An entry
// host "*" or "*.example.com" matches any host (or any below example.com), public addresses only.
enum class AllowMatch { None, Explicit, Wildcard };
AllowMatch matchAllowEntry(const ParsedUrl &url, const QString &entry);

// The best match of URL against ENTRIES (Explicit over Wildcard).
AllowMatch matchAllowlist(const ParsedUrl &url, const QStringList &entries);

// Whether an allowlist entry is well-formed; the reason when not (for configuration checks).
Core::Result<void> validateAllowEntry(const QString &entry);

// The whole decision for a URL a tool is asked to request: parsed, allowed by HTTPTARGET (an http target's url
// and allowed_paths; may be null) or by ALLOWLIST, resolved with RESOLVE (default lookupName) and every
// address checked (loopback and private only when the host is allowed by name: the target or an explicit
// allowlist entry). The request must then go to addresses.first(), never to the name again.
struct UrlDecision
{
    ParsedUrl url;
    QList<QHostAddress> addresses;
    QString allowedBy; // "target" or "allowlist"
};
Core::Result<UrlDecision> checkUrl(const QString &url, const QStringList &allowlist, const Registry::Target *httpTarget,
                                   const Resolver &resolve = {});

// How an address is written in a URL authority or CURLOPT_CONNECT_TO: IPv6 in brackets.
QString addressForUrl(const QHostAddress &address);

} // namespace Tailops::Connectivity
