#include "networktools.h"

#include "mcp/server.h"
#include "netguard.h"
#include "tools/jsonschema.h"
#include "tools/toolsupport.h"

#include <QDateTime>
#include <QDnsLookup>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Tailops::Connectivity {

namespace {

using Mcp::Tool;
using Mcp::ToolContext;
using Mcp::ToolResult;
namespace Schema = Tools::Schema;

const QString kScope = QStringLiteral("network:diag");
constexpr qsizetype kBodyLimit = 4096;

// Diagnostics may look at the target's own and private networks, never at link-local, metadata and the like.
const AddressPolicy kDiagPolicy { true, true };

QJsonObject hostArgument(const QString &description)
{
    QJsonObject o = Schema::string(description);
    // A DNS name, or an IPv4 / IPv6 literal (IPv6 optionally in brackets). Leading '-' is refused earlier.
    o.insert(QStringLiteral("pattern"), QStringLiteral("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,252}|\\[?[0-9A-Fa-f:.]{2,45}\\]?)$"));
    o.insert(QStringLiteral("maxLength"), 255);
    return o;
}

QJsonObject boolSchema(const QString &d) { return Schema::boolean(d); }
QJsonObject num(const QString &d) { return Schema::number(d); }
QJsonObject str(const QString &d) { return Schema::string(d); }
QJsonObject intg(const QString &d) { return Schema::integer(d); }

Tool baseTool(const QString &name, const QString &title, const QString &description)
{
    Tool t;
    t.name = name;
    t.title = title;
    t.description = description;
    t.annotations = { true, false, true, true }; // reads only; reaches outside the gateway
    t.scope = kScope;
    t.tier = Mcp::Tier::Observe;
    t.risk = Mcp::Risk::Moderate;
    return t;
}

int argInt(const ToolContext &ctx, const QString &name, int fallback)
{
    return ctx.arguments.value(name).toInt(fallback);
}

// Seconds from the call, never more than the target allows.
int timeoutMs(const ToolContext &ctx, int seconds)
{
    const qint64 cap = ctx.target ? ctx.target->timeoutSeconds * 1000 : 30000;
    return int(std::max<qint64>(1000, std::min<qint64>(qint64(seconds) * 1000, cap)));
}

bool isLocal(const ToolContext &ctx) { return ctx.target && ctx.target->executor == Registry::Executor::Local; }

// The addresses HOST resolves to on the target (in-process on local targets, `getent ahosts` on ssh
// targets), all checked against POLICY; IP literals are not looked up.
Core::Result<QList<QHostAddress>> resolveOnTarget(const ToolContext &ctx, const QString &host, const AddressPolicy &policy)
{
    const auto name = normaliseHost(host);
    if (!name) {
        return std::unexpected(name.error());
    }
    if (const auto literal = parseIpLiteral(*name)) {
        return checkResolved(*name, { *literal }, policy);
    }
    if (isLocal(ctx) || !ctx.executor) {
        return resolveAndCheck(*name, policy);
    }
    const QStringList argv { QStringLiteral("getent"), QStringLiteral("ahosts"), QStringLiteral("--"), *name };
    const auto run = Tools::runOnTarget(ctx, argv, 64 * 1024, timeoutMs(ctx, 15));
    if (!run) {
        return std::unexpected(run.error());
    }
    if (run->exitCode == 2) {
        return Core::fail(QStringLiteral("cannot resolve %1 on %2 (getent: not found)").arg(*name, ctx.target->id));
    }
    if (run->exitCode != 0) {
        return Core::fail(QStringLiteral("cannot resolve %1 on %2: `getent ahosts` exited with %3: %4")
                              .arg(*name, ctx.target->id)
                              .arg(run->exitCode)
                              .arg(QString::fromUtf8(run->stderrData.left(300)).trimmed()));
    }
    QList<QHostAddress> addresses;
    const QStringList lines = QString::fromUtf8(run->stdoutData).split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        QHostAddress a;
        if (a.setAddress(line.section(u' ', 0, 0, QString::SectionSkipEmpty)) && !addresses.contains(a)) {
            addresses.append(a);
        }
    }
    return checkResolved(*name, addresses, policy);
}

// ---- TCP ------------------------------------------------------------------------------------------------

struct Fd
{
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// A connected blocking socket to ADDRESS:PORT (the checked address, never a name), within TIMEOUTMS.
Core::Result<void> connectTcp(Fd &sock, const QHostAddress &address, int port, int timeoutMs, const ToolContext &ctx,
                              qint64 *latencyMs)
{
    sockaddr_storage ss {};
    socklen_t len = 0;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(quint16(port));
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        len = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&ss);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(quint16(port));
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, a.c, 16);
        len = sizeof(sockaddr_in6);
    }
    sock.fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock.fd < 0) {
        return Core::fail(QStringLiteral("cannot create a socket: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    const QString where = QStringLiteral("%1:%2").arg(addressForUrl(address)).arg(port);
    QElapsedTimer timer;
    timer.start();
    int rc = ::connect(sock.fd, reinterpret_cast<sockaddr *>(&ss), len);
    if (rc != 0 && errno != EINPROGRESS) {
        return Core::fail(errno == ECONNREFUSED ? QStringLiteral("connection refused by %1").arg(where)
                                                : QStringLiteral("cannot connect to %1: %2").arg(where, QString::fromLocal8Bit(std::strerror(errno))));
    }
    while (rc != 0) {
        if (ctx.isCancelled()) {
            return Core::fail(QStringLiteral("cancelled"));
        }
        const qint64 left = timeoutMs - timer.elapsed();
        if (left <= 0) {
            return Core::fail(QStringLiteral("no answer from %1 within %2 ms (filtered or down)").arg(where).arg(timeoutMs));
        }
        pollfd p { sock.fd, POLLOUT, 0 };
        const int ready = ::poll(&p, 1, int(std::min<qint64>(left, 100)));
        if (ready < 0 && errno != EINTR) {
            return Core::fail(QStringLiteral("poll: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        }
        if (ready > 0) {
            int err = 0;
            socklen_t errLen = sizeof err;
            ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &err, &errLen);
            if (err == ECONNREFUSED) {
                return Core::fail(QStringLiteral("connection refused by %1").arg(where));
            }
            if (err != 0) {
                return Core::fail(QStringLiteral("cannot connect to %1: %2").arg(where, QString::fromLocal8Bit(std::strerror(err))));
            }
            rc = 0;
        }
    }
    *latencyMs = timer.elapsed();
    // Blocking from here on, with timeouts on every read and write.
    ::fcntl(sock.fd, F_SETFL, ::fcntl(sock.fd, F_GETFL) & ~O_NONBLOCK);
    timeval tv { timeoutMs / 1000, (timeoutMs % 1000) * 1000 };
    ::setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return {};
}

// ---- ping -----------------------------------------------------------------------------------------------

Tool pingHost()
{
    Tool t = baseTool(QStringLiteral("ping_host"), QStringLiteral("Ping a host"),
                      QStringLiteral("Send ICMP echo requests from a target (iputils `ping -c N -W T -n`) and report "
                                     "packets sent and received, loss and round-trip times. The host is resolved on the "
                                     "target first and link-local and cloud metadata addresses are refused."));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                     { QStringLiteral("host"), hostArgument(QStringLiteral("Host name or IP address")) },
                                     { QStringLiteral("count"), Schema::integer(QStringLiteral("Echo requests (default 3)"), 1, 10) },
                                     { QStringLiteral("timeout"), Schema::integer(QStringLiteral("Seconds to wait for each reply (default 2)"), 1, 10) } },
                                   { QStringLiteral("host") });
    t.outputSchema = Schema::object({ { QStringLiteral("target"), str(QStringLiteral("Target id")) },
                                      { QStringLiteral("host"), str(QStringLiteral("Host as given")) },
                                      { QStringLiteral("address"), str(QStringLiteral("The checked address pinged")) },
                                      { QStringLiteral("reachable"), boolSchema(QStringLiteral("At least one reply")) },
                                      { QStringLiteral("sent"), intg(QStringLiteral("Requests sent")) },
                                      { QStringLiteral("received"), intg(QStringLiteral("Replies received")) },
                                      { QStringLiteral("loss_percent"), num(QStringLiteral("Packet loss")) },
                                      { QStringLiteral("rtt_min_ms"), num(QStringLiteral("Fastest reply")) },
                                      { QStringLiteral("rtt_avg_ms"), num(QStringLiteral("Mean reply time")) },
                                      { QStringLiteral("rtt_max_ms"), num(QStringLiteral("Slowest reply")) },
                                      { QStringLiteral("argv"), Schema::array(str(QStringLiteral("Argument"))) } },
                                    { QStringLiteral("target"), QStringLiteral("host"), QStringLiteral("address"), QStringLiteral("reachable"),
                                      QStringLiteral("sent"), QStringLiteral("received"), QStringLiteral("loss_percent"), QStringLiteral("argv") });
    t.run = [](const ToolContext &ctx) {
        if (auto refused = Tools::requireExecutor(ctx, QStringLiteral("ping_host"))) {
            return *refused;
        }
        const QString host = ctx.arguments.value(QStringLiteral("host")).toString();
        const int count = argInt(ctx, QStringLiteral("count"), 3);
        const int wait = argInt(ctx, QStringLiteral("timeout"), 2);
        const auto addresses = resolveOnTarget(ctx, host, kDiagPolicy);
        if (!addresses) {
            return ToolResult::error(QStringLiteral("ping_host refused: %1").arg(addresses.error().message));
        }
        const QString address = addresses->constFirst().toString();
        const QStringList argv { QStringLiteral("ping"), QStringLiteral("-c"), QString::number(count), QStringLiteral("-W"),
                                 QString::number(wait), QStringLiteral("-n"), QStringLiteral("--"), address };
        const auto run = Tools::runOnTarget(ctx, argv, 256 * 1024, timeoutMs(ctx, count * (wait + 1) + 5));
        const QString fix = QStringLiteral("install iputils-ping on %1 (apt-get install iputils-ping)").arg(ctx.target->id);
        if (!run) {
            if (run.error().message.contains(QStringLiteral("No such file")) || run.error().message.contains(QStringLiteral("not found"))) {
                return ToolResult::error(QStringLiteral("ping_host: ping is not installed on %1; fix: %2").arg(ctx.target->id, fix));
            }
            return ToolResult::error(QStringLiteral("ping_host on %1").arg(run.error().message));
        }
        const QString out = QString::fromUtf8(run->stdoutData);
        const QString err = QString::fromUtf8(run->stderrData).trimmed();
        if (run->exitCode == 127 || err.contains(QStringLiteral("command not found")) || err.contains(QStringLiteral("No such file"))) {
            return ToolResult::error(QStringLiteral("ping_host: ping is not installed on %1; fix: %2").arg(ctx.target->id, fix));
        }
        if (err.contains(QStringLiteral("Operation not permitted")) || err.contains(QStringLiteral("Permission denied"))
            || err.contains(QStringLiteral("socktype"))) {
            return ToolResult::error(QStringLiteral("ping_host: ping is not permitted on %1 (%2): it needs CAP_NET_RAW or "
                                                    "unprivileged ICMP sockets; fix: `setcap cap_net_raw+p /usr/bin/ping` or "
                                                    "`sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` on the target")
                                         .arg(ctx.target->id, err.left(200)));
        }
        static const QRegularExpression stats(QStringLiteral("(\\d+) packets transmitted, (\\d+) received.*?, ([\\d.]+)% packet loss"));
        static const QRegularExpression rtt(QStringLiteral("= ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms"));
        const auto m = stats.match(out);
        if (run->timedOut || run->cancelled || !m.hasMatch()) {
            return Tools::commandFailed(ctx, QStringLiteral("ping_host"), argv, *run);
        }
        QJsonObject o { { QStringLiteral("target"), ctx.target->id },
                        { QStringLiteral("host"), host },
                        { QStringLiteral("address"), address },
                        { QStringLiteral("sent"), m.captured(1).toInt() },
                        { QStringLiteral("received"), m.captured(2).toInt() },
                        { QStringLiteral("loss_percent"), m.captured(3).toDouble() },
                        { QStringLiteral("reachable"), m.captured(2).toInt() > 0 },
                        { QStringLiteral("argv"), Tools::argvJson(argv) } };
        QString rttText;
        if (const auto r = rtt.match(out); r.hasMatch()) {
            o.insert(QStringLiteral("rtt_min_ms"), r.captured(1).toDouble());
            o.insert(QStringLiteral("rtt_avg_ms"), r.captured(2).toDouble());
            o.insert(QStringLiteral("rtt_max_ms"), r.captured(3).toDouble());
            rttText = QStringLiteral(", rtt min/avg/max %1/%2/%3 ms").arg(r.captured(1), r.captured(2), r.captured(3));
        }
        ToolResult result;
        result.structured = o;
        result.exitCode = run->exitCode;
        result.text = QStringLiteral("ping %1 (%2) from %3: %4 sent, %5 received, %6% loss%7")
                          .arg(host, address, ctx.target->id, m.captured(1), m.captured(2), m.captured(3), rttText);
        return result;
    };
    return t;
}

// ---- DNS ------------------------------------------------------------------------------------------------

QString reverseName(const QHostAddress &a)
{
    if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v = a.toIPv4Address();
        return QStringLiteral("%1.%2.%3.%4.in-addr.arpa").arg(v & 0xff).arg((v >> 8) & 0xff).arg((v >> 16) & 0xff).arg(v >> 24);
    }
    const Q_IPV6ADDR b = a.toIPv6Address();
    QStringList nibbles;
    for (int i = 15; i >= 0; --i) {
        nibbles.append(QString::number(b[i] & 0xf, 16));
        nibbles.append(QString::number(b[i] >> 4, 16));
    }
    return nibbles.join(u'.') + QStringLiteral(".ip6.arpa");
}

Core::Result<QStringList> getaddrinfoRecords(const QString &name, int family)
{
    addrinfo hints {};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const QByteArray ascii = name.toLatin1();
    const int rc = getaddrinfo(ascii.constData(), nullptr, &hints, &found);
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) {
        return QStringList();
    }
    if (rc != 0) {
        return Core::fail(QStringLiteral("cannot resolve %1: %2").arg(name, QString::fromUtf8(gai_strerror(rc))));
    }
    QStringList out;
    for (const addrinfo *ai = found; ai; ai = ai->ai_next) {
        QHostAddress a(ai->ai_addr);
        if (!a.isNull()) {
            a.setScopeId(QString());
            if (!out.contains(a.toString())) {
                out.append(a.toString());
            }
        }
    }
    freeaddrinfo(found);
    return out;
}

Core::Result<QStringList> dnsRecords(const QString &name, QDnsLookup::Type type, int timeout, const ToolContext &ctx)
{
    QDnsLookup lookup(type, name);
    QEventLoop loop;
    QObject::connect(&lookup, &QDnsLookup::finished, &loop, &QEventLoop::quit);
    QTimer tick;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (ctx.isCancelled() || clock.elapsed() > timeout) {
            lookup.abort();
        }
    });
    tick.start(100);
    lookup.lookup();
    if (!lookup.isFinished()) {
        loop.exec();
    }
    if (lookup.error() == QDnsLookup::NotFoundError) {
        return QStringList();
    }
    if (lookup.error() == QDnsLookup::OperationCancelledError) {
        return Core::fail(QStringLiteral("DNS lookup of %1 timed out after %2 ms").arg(name).arg(timeout));
    }
    if (lookup.error() != QDnsLookup::NoError) {
        return Core::fail(QStringLiteral("DNS lookup of %1 failed: %2").arg(name, lookup.errorString()));
    }
    QStringList out;
    switch (type) {
    case QDnsLookup::MX:
        for (const auto &r : lookup.mailExchangeRecords()) {
            out.append(QStringLiteral("%1 %2").arg(r.preference()).arg(r.exchange()));
        }
        break;
    case QDnsLookup::TXT:
        for (const auto &r : lookup.textRecords()) {
            QStringList parts;
            for (const QByteArray &v : r.values()) {
                parts.append(QString::fromUtf8(v));
            }
            out.append(parts.join(QString()));
        }
        break;
    case QDnsLookup::CNAME:
        for (const auto &r : lookup.canonicalNameRecords()) {
            out.append(r.value());
        }
        break;
    case QDnsLookup::NS:
        for (const auto &r : lookup.nameServerRecords()) {
            out.append(r.value());
        }
        break;
    case QDnsLookup::PTR:
        for (const auto &r : lookup.pointerRecords()) {
            out.append(r.value());
        }
        break;
    default:
        break;
    }
    return out;
}

Tool dnsLookup()
{
    Tool t = baseTool(QStringLiteral("dns_lookup"), QStringLiteral("DNS lookup"),
                      QStringLiteral("Resolve a name as a target sees it. On local targets A and AAAA use the system "
                                     "resolver (getaddrinfo, so /etc/hosts counts) and MX, TXT, CNAME, NS and PTR (name = an "
                                     "IP address) query DNS; on ssh targets A and AAAA run `getent ahostsv4|ahostsv6` there "
                                     "(other types only on local targets). Record values are untrusted data."));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                     { QStringLiteral("name"), hostArgument(QStringLiteral("Name to resolve (an IP address for PTR)")) },
                                     { QStringLiteral("record_type"), Schema::oneOf({ QStringLiteral("A"), QStringLiteral("AAAA"), QStringLiteral("MX"),
                                                                                      QStringLiteral("TXT"), QStringLiteral("CNAME"), QStringLiteral("NS"),
                                                                                      QStringLiteral("PTR") },
                                                                                    QStringLiteral("Record type (default A)")) } },
                                   { QStringLiteral("name") });
    t.outputSchema = Schema::object({ { QStringLiteral("target"), str(QStringLiteral("Target id")) },
                                      { QStringLiteral("name"), str(QStringLiteral("Name looked up")) },
                                      { QStringLiteral("record_type"), str(QStringLiteral("Record type")) },
                                      { QStringLiteral("records"), Schema::array(str(QStringLiteral("Record value"))) },
                                      { QStringLiteral("found"), boolSchema(QStringLiteral("At least one record")) },
                                      { QStringLiteral("resolver"), str(QStringLiteral("getaddrinfo, dns or getent")) } },
                                    { QStringLiteral("target"), QStringLiteral("name"), QStringLiteral("record_type"), QStringLiteral("records"),
                                      QStringLiteral("found"), QStringLiteral("resolver") });
    t.run = [](const ToolContext &ctx) {
        const QString type = ctx.arguments.value(QStringLiteral("record_type")).toString(QStringLiteral("A"));
        const QString given = ctx.arguments.value(QStringLiteral("name")).toString();
        const auto normal = normaliseHost(given);
        if (!normal) {
            return ToolResult::error(QStringLiteral("dns_lookup: %1").arg(normal.error().message));
        }
        const std::optional<QHostAddress> literal = parseIpLiteral(*normal);
        QString name = *normal;
        if (type == u"PTR") {
            if (!literal) {
                return ToolResult::error(QStringLiteral("dns_lookup: PTR needs an IP address as name, not '%1'").arg(given));
            }
            name = reverseName(*literal);
        } else if (literal) {
            return ToolResult::error(QStringLiteral("dns_lookup: '%1' is an IP address; use record_type PTR for its name").arg(given));
        }
        const bool address = type == u"A" || type == u"AAAA";
        Core::Result<QStringList> records;
        QString resolver;
        if (isLocal(ctx)) {
            if (address) {
                resolver = QStringLiteral("getaddrinfo");
                records = getaddrinfoRecords(name, type == u"A" ? AF_INET : AF_INET6);
            } else {
                resolver = QStringLiteral("dns");
                const QDnsLookup::Type qtype = type == u"MX" ? QDnsLookup::MX
                    : type == u"TXT"                         ? QDnsLookup::TXT
                    : type == u"CNAME"                       ? QDnsLookup::CNAME
                    : type == u"NS"                          ? QDnsLookup::NS
                                                             : QDnsLookup::PTR;
                records = dnsRecords(name, qtype, timeoutMs(ctx, 10), ctx);
            }
        } else {
            if (auto refused = Tools::requireExecutor(ctx, QStringLiteral("dns_lookup"))) {
                return *refused;
            }
            if (!address) {
                return ToolResult::error(QStringLiteral("dns_lookup: %1 records can be looked up on local targets only; on "
                                                        "ssh target '%2' only A and AAAA (through getent) are supported")
                                             .arg(type, ctx.target->id));
            }
            resolver = QStringLiteral("getent");
            const QStringList argv { QStringLiteral("getent"), type == u"A" ? QStringLiteral("ahostsv4") : QStringLiteral("ahostsv6"),
                                     QStringLiteral("--"), name };
            const auto run = Tools::runOnTarget(ctx, argv, 64 * 1024, timeoutMs(ctx, 15));
            if (!run) {
                return ToolResult::error(QStringLiteral("dns_lookup on %1").arg(run.error().message));
            }
            if (run->exitCode != 0 && run->exitCode != 2) {
                return Tools::commandFailed(ctx, QStringLiteral("dns_lookup"), argv, *run);
            }
            QStringList out;
            const QStringList lines = QString::fromUtf8(run->stdoutData).split(u'\n', Qt::SkipEmptyParts);
            for (const QString &line : lines) {
                QHostAddress a;
                if (!a.setAddress(line.section(u' ', 0, 0, QString::SectionSkipEmpty))) {
                    continue;
                }
                bool mapped = false;
                a.toIPv4Address(&mapped);
                // ahostsv6 maps IPv4 answers into ::ffff:a.b.c.d; those are not AAAA records.
                if ((type == u"AAAA" && (a.protocol() != QAbstractSocket::IPv6Protocol || mapped)) || out.contains(a.toString())) {
                    continue;
                }
                out.append(a.toString());
            }
            records = out;
        }
        if (!records) {
            return ToolResult::error(QStringLiteral("dns_lookup on %1: %2").arg(ctx.target->id, records.error().message));
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id },
                                     { QStringLiteral("name"), name },
                                     { QStringLiteral("record_type"), type },
                                     { QStringLiteral("records"), QJsonArray::fromStringList(*records) },
                                     { QStringLiteral("found"), !records->isEmpty() },
                                     { QStringLiteral("resolver"), resolver } };
        r.text = records->isEmpty() ? QStringLiteral("%1 %2 on %3: no records").arg(name, type, ctx.target->id)
                                    : QStringLiteral("%1 %2 on %3 (%4):\n%5")
                                          .arg(name, type, ctx.target->id, resolver,
                                               Tools::untrusted(QStringLiteral("DNS answer"), records->join(u'\n')));
        return r;
    };
    return t;
}

// ---- TLS certificate ------------------------------------------------------------------------------------

QString x509Name(X509_NAME *name)
{
    if (!name) {
        return {};
    }
    BIO *bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    QString out = QString::fromUtf8(data, n);
    BIO_free(bio);
    return out;
}

QDateTime asn1Time(const ASN1_TIME *t)
{
    std::tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        return {};
    }
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), QTime(tm.tm_hour, tm.tm_min, tm.tm_sec),
                     QTimeZone::utc());
}

QStringList subjectAltNames(X509 *cert)
{
    QStringList out;
    auto *names = static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names) {
        return out;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            const auto *d = n->d.dNSName;
            out.append(QStringLiteral("DNS:") + QString::fromUtf8(reinterpret_cast<const char *>(ASN1_STRING_get0_data(d)), ASN1_STRING_length(d)));
        } else if (n->type == GEN_IPADD) {
            const auto *ip = n->d.iPAddress;
            QHostAddress a;
            if (ASN1_STRING_length(ip) == 4) {
                const unsigned char *b = ASN1_STRING_get0_data(ip);
                a.setAddress(quint32((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]));
            } else if (ASN1_STRING_length(ip) == 16) {
                a.setAddress(ASN1_STRING_get0_data(ip));
            }
            out.append(QStringLiteral("IP:") + a.toString());
        } else if (n->type == GEN_EMAIL) {
            const auto *e = n->d.rfc822Name;
            out.append(QStringLiteral("email:") + QString::fromUtf8(reinterpret_cast<const char *>(ASN1_STRING_get0_data(e)), ASN1_STRING_length(e)));
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

struct SslDeleter
{
    void operator()(SSL_CTX *p) const { SSL_CTX_free(p); }
    void operator()(SSL *p) const { SSL_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
};

QString opensslError()
{
    const unsigned long e = ERR_get_error();
    if (e == 0) {
        return QStringLiteral("the TLS handshake failed");
    }
    char buf[256] = {};
    ERR_error_string_n(e, buf, sizeof buf);
    return QString::fromUtf8(buf);
}

Tool checkSslCertificate()
{
    Tool t = baseTool(QStringLiteral("check_ssl_certificate"), QStringLiteral("Check a TLS certificate"),
                      QStringLiteral("Connect to host:port over TLS from the gateway (local targets; SNI set to the host "
                                     "name) and report the server certificate: subject, issuer, SANs, validity and days "
                                     "left, SHA-256 fingerprint, and whether it verifies against the system CAs for that "
                                     "name (the verify error when not: a self-signed certificate is reported, not an "
                                     "error). The host is resolved and checked first; link-local and metadata addresses "
                                     "are refused."));
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                     { QStringLiteral("host"), hostArgument(QStringLiteral("Host name (used for SNI and verification) or IP")) },
                                     { QStringLiteral("port"), Schema::integer(QStringLiteral("TCP port (default 443)"), 1, 65535) },
                                     { QStringLiteral("timeout"), Schema::integer(QStringLiteral("Seconds (default 10)"), 1, 30) } },
                                   { QStringLiteral("host") });
    t.outputSchema = Schema::object({ { QStringLiteral("target"), str(QStringLiteral("Target id")) },
                                      { QStringLiteral("host"), str(QStringLiteral("Host")) },
                                      { QStringLiteral("port"), intg(QStringLiteral("Port")) },
                                      { QStringLiteral("address"), str(QStringLiteral("The checked address connected to")) },
                                      { QStringLiteral("subject"), str(QStringLiteral("Subject (RFC 2253)")) },
                                      { QStringLiteral("issuer"), str(QStringLiteral("Issuer (RFC 2253)")) },
                                      { QStringLiteral("san"), Schema::array(str(QStringLiteral("DNS:name, IP:address or email:"))) },
                                      { QStringLiteral("not_before"), str(QStringLiteral("ISO 8601, UTC")) },
                                      { QStringLiteral("not_after"), str(QStringLiteral("ISO 8601, UTC")) },
                                      { QStringLiteral("days_left"), intg(QStringLiteral("Whole days until not_after (negative: expired)")) },
                                      { QStringLiteral("sha256_fingerprint"), str(QStringLiteral("AA:BB:... of the DER certificate")) },
                                      { QStringLiteral("verified"), boolSchema(QStringLiteral("Chain and name verify against the system CAs")) },
                                      { QStringLiteral("verify_error"), str(QStringLiteral("Why not (empty when verified)")) },
                                      { QStringLiteral("protocol"), str(QStringLiteral("TLS version")) } },
                                    { QStringLiteral("target"), QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("address"),
                                      QStringLiteral("subject"), QStringLiteral("issuer"), QStringLiteral("san"), QStringLiteral("not_before"),
                                      QStringLiteral("not_after"), QStringLiteral("days_left"), QStringLiteral("sha256_fingerprint"),
                                      QStringLiteral("verified"), QStringLiteral("verify_error"), QStringLiteral("protocol") });
    t.run = [](const ToolContext &ctx) {
        if (!isLocal(ctx)) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate runs from the gateway itself: use a local "
                                                    "target ('%1' is a %2 target)")
                                         .arg(ctx.target->id, Registry::executorName(ctx.target->executor)));
        }
        const QString host = ctx.arguments.value(QStringLiteral("host")).toString();
        const int port = argInt(ctx, QStringLiteral("port"), 443);
        const int timeout = timeoutMs(ctx, argInt(ctx, QStringLiteral("timeout"), 10));
        const auto addresses = resolveOnTarget(ctx, host, kDiagPolicy);
        if (!addresses) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate refused: %1").arg(addresses.error().message));
        }
        const QString name = *normaliseHost(host);
        const std::optional<QHostAddress> literal = parseIpLiteral(name);
        const QHostAddress address = addresses->constFirst();
        Fd sock;
        qint64 latency = 0;
        if (auto connected = connectTcp(sock, address, port, timeout, ctx, &latency); !connected) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate: %1").arg(connected.error().message));
        }
        ERR_clear_error();
        std::unique_ptr<SSL_CTX, SslDeleter> sslCtx(SSL_CTX_new(TLS_client_method()));
        if (!sslCtx) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate: cannot initialise OpenSSL"));
        }
        SSL_CTX_set_default_verify_paths(sslCtx.get());
        SSL_CTX_set_verify(sslCtx.get(), SSL_VERIFY_NONE, nullptr); // verification is reported, not enforced
        std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(sslCtx.get()));
        const QByteArray nameBytes = name.toLatin1();
        if (literal) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), nameBytes.constData());
        } else {
            SSL_set_tlsext_host_name(ssl.get(), nameBytes.constData());
            SSL_set1_host(ssl.get(), nameBytes.constData());
        }
        SSL_set_fd(ssl.get(), sock.fd);
        if (SSL_connect(ssl.get()) != 1) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate: TLS handshake with %1:%2 failed: %3")
                                         .arg(addressForUrl(address)).arg(port).arg(opensslError()));
        }
        std::unique_ptr<X509, SslDeleter> cert(SSL_get1_peer_certificate(ssl.get()));
        if (!cert) {
            return ToolResult::error(QStringLiteral("check_ssl_certificate: %1:%2 sent no certificate").arg(name).arg(port));
        }
        const long verify = SSL_get_verify_result(ssl.get());
        const QString verifyError = verify == X509_V_OK ? QString() : QString::fromUtf8(X509_verify_cert_error_string(verify));
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdLen = 0;
        X509_digest(cert.get(), EVP_sha256(), md, &mdLen);
        const QString fingerprint = QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(md), int(mdLen)).toHex(':').toUpper());
        const QDateTime notBefore = asn1Time(X509_get0_notBefore(cert.get()));
        const QDateTime notAfter = asn1Time(X509_get0_notAfter(cert.get()));
        const qint64 secondsLeft = QDateTime::currentDateTimeUtc().secsTo(notAfter);
        const qint64 daysLeft = secondsLeft >= 0 ? secondsLeft / 86400 : -((-secondsLeft + 86399) / 86400);
        const QString subject = x509Name(X509_get_subject_name(cert.get()));
        const QString issuer = x509Name(X509_get_issuer_name(cert.get()));
        const QStringList san = subjectAltNames(cert.get());
        const QString protocol = QString::fromLatin1(SSL_get_version(ssl.get()));
        SSL_shutdown(ssl.get());

        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id },
                                     { QStringLiteral("host"), name },
                                     { QStringLiteral("port"), port },
                                     { QStringLiteral("address"), address.toString() },
                                     { QStringLiteral("subject"), subject },
                                     { QStringLiteral("issuer"), issuer },
                                     { QStringLiteral("san"), QJsonArray::fromStringList(san) },
                                     { QStringLiteral("not_before"), notBefore.toString(Qt::ISODate) },
                                     { QStringLiteral("not_after"), notAfter.toString(Qt::ISODate) },
                                     { QStringLiteral("days_left"), daysLeft },
                                     { QStringLiteral("sha256_fingerprint"), fingerprint },
                                     { QStringLiteral("verified"), verify == X509_V_OK },
                                     { QStringLiteral("verify_error"), verifyError },
                                     { QStringLiteral("protocol"), protocol } };
        const QString details = QStringLiteral("subject: %1\nissuer: %2\nSANs: %3")
                                    .arg(subject, issuer, san.join(QStringLiteral(", ")));
        r.text = QStringLiteral("%1:%2 (%3, %4): %5; expires %6 (%7 days left); SHA-256 %8\n%9")
                     .arg(name)
                     .arg(port)
                     .arg(address.toString(), protocol,
                          verify == X509_V_OK ? QStringLiteral("verifies against the system CAs")
                                              : QString(QStringLiteral("does NOT verify: ") + verifyError),
                          notAfter.toString(Qt::ISODate))
                     .arg(daysLeft)
                     .arg(fingerprint, Tools::untrusted(QStringLiteral("certificate fields"), details));
        return r;
    };
    return t;
}

// ---- HTTP -----------------------------------------------------------------------------------------------

struct Transfer
{
    QByteArray body;
    qint64 received = 0;
    bool truncated = false;
    QByteArray statusLine;
    QHash<QByteArray, QByteArray> headers; // lower-case names, last response only
    QHostAddress allowed;                  // the only address a socket may be opened to
    int allowedPort = 0;
    bool refusedSocket = false;
    const ToolContext *ctx = nullptr;
};

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const qsizetype n = qsizetype(size * count);
    t->received += n;
    const qsizetype room = kBodyLimit - t->body.size();
    if (room > 0) {
        t->body.append(data, std::min(room, n));
    }
    if (t->received > kBodyLimit) {
        t->truncated = true;
        return 0; // stop the download: the rest is not wanted
    }
    return size * count;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.startsWith("HTTP/")) {
        t->statusLine = line;
        t->headers.clear();
    } else if (const qsizetype colon = line.indexOf(':'); colon > 0 && t->headers.size() < 100) {
        t->headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed().left(1024));
    }
    return size * count;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *t = static_cast<Transfer *>(user);
    return t->ctx->isCancelled() ? 1 : 0;
}

// Defence in depth: whatever curl thinks it resolved, only the checked address gets a socket.
curl_socket_t onOpenSocket(void *user, curlsocktype purpose, curl_sockaddr *address)
{
    auto *t = static_cast<Transfer *>(user);
    QHostAddress a;
    if (purpose == CURLSOCKTYPE_IPCXN) {
        a.setAddress(&address->addr);
    }
    const bool parsed = !a.isNull();
    int port = 0;
    if (parsed && address->family == AF_INET) {
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&address->addr)->sin_port);
    } else if (parsed && address->family == AF_INET6) {
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address->addr)->sin6_port);
    }
    if (parsed) {
        a.setScopeId(QString());
    }
    if (!parsed || a != t->allowed || port != t->allowedPort) {
        t->refusedSocket = true;
        return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

Tool httpRequestTest(const NetworkOptions &options)
{
    Tool t = baseTool(QStringLiteral("http_request_test"), QStringLiteral("Test an HTTP request"),
                      QStringLiteral("Make one GET or HEAD request from the gateway (local or http targets) and report "
                                     "status, latency, content-type, server and location headers and at most 4 KiB of "
                                     "the body (untrusted data). Only URLs on the chosen http target (its url and "
                                     "allowed_paths) or on the gateway's network allowlist (network.allowed_urls) may be "
                                     "requested. The host is resolved first and every address checked (link-local, cloud "
                                     "metadata, multicast and the like are refused; loopback and private addresses only "
                                     "for hosts allowed by name); the request then goes to that address. Redirects are "
                                     "reported, not followed."));
    t.risk = Mcp::Risk::High;
    QJsonObject url = Schema::string(QStringLiteral("http:// or https:// URL"));
    url.insert(QStringLiteral("pattern"), QStringLiteral("^[Hh][Tt][Tt][Pp][Ss]?://[^\\s\\\\]+$"));
    url.insert(QStringLiteral("maxLength"), 2048);
    t.inputSchema = Schema::object({ { QStringLiteral("target"), Schema::targetArgument() },
                                     { QStringLiteral("url"), url },
                                     { QStringLiteral("method"), Schema::oneOf({ QStringLiteral("GET"), QStringLiteral("HEAD") }, QStringLiteral("Default GET")) },
                                     { QStringLiteral("timeout"), Schema::integer(QStringLiteral("Seconds (default 10)"), 1, 30) } },
                                   { QStringLiteral("url") });
    const QJsonObject headers = Schema::object({ { QStringLiteral("content_type"), str(QStringLiteral("Content-Type")) },
                                                 { QStringLiteral("server"), str(QStringLiteral("Server")) },
                                                 { QStringLiteral("location"), str(QStringLiteral("Location (not followed)")) } },
                                               {}, false);
    t.outputSchema = Schema::object({ { QStringLiteral("target"), str(QStringLiteral("Target id")) },
                                      { QStringLiteral("url"), str(QStringLiteral("URL requested")) },
                                      { QStringLiteral("method"), str(QStringLiteral("Method")) },
                                      { QStringLiteral("address"), str(QStringLiteral("The checked address connected to")) },
                                      { QStringLiteral("status"), intg(QStringLiteral("HTTP status")) },
                                      { QStringLiteral("reason"), str(QStringLiteral("Reason phrase")) },
                                      { QStringLiteral("latency_ms"), intg(QStringLiteral("Total time")) },
                                      { QStringLiteral("headers"), headers },
                                      { QStringLiteral("body"), str(QStringLiteral("At most 4 KiB of the body (untrusted)")) },
                                      { QStringLiteral("body_truncated"), boolSchema(QStringLiteral("The body was longer")) },
                                      { QStringLiteral("allowed_by"), str(QStringLiteral("target or allowlist")) } },
                                    { QStringLiteral("target"), QStringLiteral("url"), QStringLiteral("method"), QStringLiteral("address"),
                                      QStringLiteral("status"), QStringLiteral("reason"), QStringLiteral("latency_ms"), QStringLiteral("headers"),
                                      QStringLiteral("body"), QStringLiteral("body_truncated"), QStringLiteral("allowed_by") });
    t.run = [options](const ToolContext &ctx) {
        const Registry::Executor kind = ctx.target->executor;
        if (kind != Registry::Executor::Local && kind != Registry::Executor::Http) {
            return ToolResult::error(QStringLiteral("http_request_test runs from the gateway: use a local or http target "
                                                    "('%1' is a %2 target)")
                                         .arg(ctx.target->id, Registry::executorName(kind)));
        }
        const QString raw = ctx.arguments.value(QStringLiteral("url")).toString();
        const QString method = ctx.arguments.value(QStringLiteral("method")).toString(QStringLiteral("GET"));
        const int timeout = timeoutMs(ctx, argInt(ctx, QStringLiteral("timeout"), 10));
        const auto decision = checkUrl(raw, options.allowedUrls, kind == Registry::Executor::Http ? ctx.target : nullptr);
        if (!decision) {
            return ToolResult::error(QStringLiteral("http_request_test refused: %1").arg(decision.error().message));
        }
        const ParsedUrl *parsed = &decision->url;
        const QString allowedBy = decision->allowedBy;
        const QHostAddress address = decision->addresses.constFirst();

        Transfer transfer;
        transfer.allowed = address;
        transfer.allowedPort = parsed->port;
        transfer.ctx = &ctx;
        CURL *curl = curl_easy_init();
        if (!curl) {
            return ToolResult::error(QStringLiteral("http_request_test: cannot initialise libcurl"));
        }
        const QByteArray encoded = parsed->url.toEncoded();
        const QByteArray connectTo = QStringLiteral("::%1:%2").arg(addressForUrl(address)).arg(parsed->port).toLatin1();
        curl_slist *pins = curl_slist_append(nullptr, connectTo.constData());
        char error[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(curl, CURLOPT_URL, encoded.constData());
        curl_easy_setopt(curl, CURLOPT_CONNECT_TO, pins); // the checked address, whatever the name resolves to now
        curl_easy_setopt(curl, CURLOPT_PROXY, "");        // no proxy from the environment
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(timeout));
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(timeout));
        curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(64 * 1024 * 1024));
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, onOpenSocket);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "tailops-gateway/" TAILOPS_VERSION " (http_request_test)");
        if (method == u"HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        }
        QElapsedTimer timer;
        timer.start();
        const CURLcode rc = curl_easy_perform(curl);
        const qint64 latency = timer.elapsed();
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(curl);
        curl_slist_free_all(pins);
        if (transfer.refusedSocket) {
            return ToolResult::error(QStringLiteral("http_request_test refused: the connection would not have gone to the "
                                                    "checked address %1").arg(address.toString()));
        }
        if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && transfer.truncated)) {
            const QString why = rc == CURLE_OPERATION_TIMEDOUT ? QStringLiteral("no answer within %1 ms").arg(timeout)
                : rc == CURLE_ABORTED_BY_CALLBACK             ? QStringLiteral("cancelled")
                                                              : QString::fromUtf8(error[0] ? error : curl_easy_strerror(rc));
            return ToolResult::error(QStringLiteral("http_request_test: %1 %2 (%3) failed: %4")
                                         .arg(method, parsed->url.toString(), address.toString(), why));
        }
        const QString reason = QString::fromUtf8(transfer.statusLine).section(u' ', 2).trimmed();
        const QString body = QString::fromUtf8(transfer.body);
        QJsonObject hdrs;
        QStringList headerLines;
        for (const auto &[key, name] : { std::pair { QByteArrayLiteral("content-type"), QStringLiteral("content_type") },
                                         std::pair { QByteArrayLiteral("server"), QStringLiteral("server") },
                                         std::pair { QByteArrayLiteral("location"), QStringLiteral("location") } }) {
            if (transfer.headers.contains(key)) {
                const QString v = QString::fromUtf8(transfer.headers.value(key));
                hdrs.insert(name, v);
                headerLines.append(QString::fromLatin1(key) + QStringLiteral(": ") + v);
            }
        }
        ToolResult r;
        r.structured = QJsonObject { { QStringLiteral("target"), ctx.target->id },
                                     { QStringLiteral("url"), parsed->url.toString() },
                                     { QStringLiteral("method"), method },
                                     { QStringLiteral("address"), address.toString() },
                                     { QStringLiteral("status"), int(status) },
                                     { QStringLiteral("reason"), reason },
                                     { QStringLiteral("latency_ms"), latency },
                                     { QStringLiteral("headers"), hdrs },
                                     { QStringLiteral("body"), body },
                                     { QStringLiteral("body_truncated"), transfer.truncated },
                                     { QStringLiteral("allowed_by"), allowedBy } };
        r.bytes = transfer.received;
        r.truncated = transfer.truncated;
        r.text = QStringLiteral("%1 %2 via %3: %4 %5 in %6 ms%7\n%8")
                     .arg(method, parsed->url.toString(), address.toString())
                     .arg(status)
                     .arg(reason)
                     .arg(latency)
                     .arg(transfer.truncated ? QStringLiteral(" (body cut at 4 KiB)") : QString(),
                          Tools::untrusted(QStringLiteral("HTTP response from %1").arg(parsed->host),
                                           headerLines.join(u'\n') + QStringLiteral("\n\n") + body));
        return r;
    };
    return t;
}

} // namespace

// ---- test_connectivity, host mode -----------------------------------------------------------------------

Mcp::ToolResult testTcpFromTarget(const Mcp::ToolContext &ctx)
{
    const QString host = ctx.arguments.value(QStringLiteral("host")).toString();
    const int port = ctx.arguments.value(QStringLiteral("port")).toInt();
    const int timeout = timeoutMs(ctx, ctx.arguments.value(QStringLiteral("timeout")).toInt(5));
    if (port < 1 || port > 65535) {
        return ToolResult::error(QStringLiteral("test_connectivity: port must be 1..65535"));
    }
    if (!isLocal(ctx) && !ctx.executor) {
        return ToolResult::error(QStringLiteral("test_connectivity with host and port needs a local or ssh target; '%1' is a %2 target")
                                     .arg(ctx.target->id, Registry::executorName(ctx.target->executor)));
    }
    const auto addresses = resolveOnTarget(ctx, host, kDiagPolicy);
    if (!addresses) {
        return ToolResult::error(QStringLiteral("test_connectivity refused: %1").arg(addresses.error().message));
    }
    const QHostAddress address = addresses->constFirst();
    bool reachable = false;
    qint64 latency = -1;
    QString detail;
    if (isLocal(ctx)) {
        Fd sock;
        auto connected = connectTcp(sock, address, port, timeout, ctx, &latency);
        reachable = connected.has_value();
        detail = reachable ? QStringLiteral("connected to %1:%2").arg(addressForUrl(address)).arg(port) : connected.error().message;
    } else {
        // No shell string with values in it: a fixed script, the address and port as its positional parameters.
        static const QString script = QStringLiteral(
            "s=$EPOCHREALTIME; exec 3<>\"/dev/tcp/$1/$2\" || exit 3; e=$EPOCHREALTIME; exec 3>&-; echo \"connected $s $e\"");
        const QStringList argv { QStringLiteral("timeout"), QString::number((timeout + 999) / 1000), QStringLiteral("bash"),
                                 QStringLiteral("-c"), script, QStringLiteral("tailops-tcp"), address.toString(), QString::number(port) };
        const auto run = Tools::runOnTarget(ctx, argv, 16 * 1024, timeout + 10000);
        if (!run) {
            return ToolResult::error(QStringLiteral("test_connectivity on %1").arg(run.error().message));
        }
        const QString out = QString::fromUtf8(run->stdoutData).trimmed();
        const QString err = QString::fromUtf8(run->stderrData).trimmed();
        if (run->exitCode == 0 && out.startsWith(QStringLiteral("connected "))) {
            reachable = true;
            const QStringList parts = out.split(u' ');
            if (parts.size() == 3) {
                latency = qint64((parts.at(2).toDouble() - parts.at(1).toDouble()) * 1000.0 + 0.5);
            }
            detail = QStringLiteral("connected to %1:%2").arg(addressForUrl(address)).arg(port);
        } else if (run->exitCode == 124) {
            detail = QStringLiteral("no answer from %1:%2 within %3 ms (filtered or down)").arg(addressForUrl(address)).arg(port).arg(timeout);
        } else if (run->exitCode == 127 || err.contains(QStringLiteral("not found"))) {
            return ToolResult::error(QStringLiteral("test_connectivity: bash or timeout is missing on %1 (needed for the "
                                                    "TCP test there)").arg(ctx.target->id));
        } else if (err.contains(QStringLiteral("refused"))) {
            detail = QStringLiteral("connection refused by %1:%2").arg(addressForUrl(address)).arg(port);
        } else {
            detail = QStringLiteral("cannot connect to %1:%2: %3").arg(addressForUrl(address)).arg(port)
                         .arg(err.section(u'\n', -1).section(QStringLiteral(": "), -1));
        }
    }
    QJsonObject check { { QStringLiteral("name"), QStringLiteral("tcp") },
                        { QStringLiteral("ok"), reachable },
                        { QStringLiteral("detail"), detail } };
    if (latency >= 0) {
        check.insert(QStringLiteral("latency_ms"), latency);
    }
    QJsonObject report { { QStringLiteral("target"), ctx.target->id },
                         { QStringLiteral("ok"), reachable },
                         { QStringLiteral("checks"), QJsonArray { check } } };
    QJsonObject o { { QStringLiteral("results"), QJsonArray { report } },
                    { QStringLiteral("mode"), QStringLiteral("host") },
                    { QStringLiteral("target"), ctx.target->id },
                    { QStringLiteral("host"), host },
                    { QStringLiteral("port"), port },
                    { QStringLiteral("address"), address.toString() },
                    { QStringLiteral("reachable"), reachable },
                    { QStringLiteral("detail"), detail } };
    if (latency >= 0) {
        o.insert(QStringLiteral("latency_ms"), latency);
    }
    ToolResult r;
    r.structured = o;
    r.text = reachable ? QStringLiteral("%1:%2 (%3) is reachable from %4 in %5 ms")
                             .arg(host)
                             .arg(port)
                             .arg(address.toString(), ctx.target->id)
                             .arg(latency)
                       : QStringLiteral("%1:%2 (%3) is NOT reachable from %4: %5").arg(host).arg(port).arg(address.toString(), ctx.target->id, detail);
    return r;
}

void registerNetworkTools(Mcp::Server &server, const NetworkOptions &options)
{
    server.addTool(pingHost());
    server.addTool(dnsLookup());
    server.addTool(checkSslCertificate());
    server.addTool(httpRequestTest(options));
}

} // namespace Tailops::Connectivity
