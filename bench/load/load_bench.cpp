// load_bench: the real tailops-gateway under many concurrent MCP clients, and under slow clients (issue 8).
//
// One thread, non-blocking QTcpSockets. Starts a real sshd (tests/fixtures/sshd) and `tailops-gateway serve`
// on 127.0.0.1, mints a token, then runs:
//   1. load:     N MCP sessions (Streamable HTTP, keep-alive), closed loop, mixing tools/list (20 %),
//                list_targets (30 %), get_system_status on local (30 %) and on the ssh target (20 %);
//   2. baseline: M normal clients, nothing else;
//   3. slow:     M normal clients plus 200 slowloris connections (one header byte per second, never finishing)
//                and 50 connections that never read (25 open the GET /mcp SSE stream, 25 POST a call answered
//                as SSE), tiny receive buffers; then waits for the gateway to cut them (header_timeout 5s,
//                idle_timeout 15s);
//   4. optionally the same load without SSH calls against @modelcontextprotocol/server-everything.
// The gateway's VmRSS, Threads and open fds are sampled every second. Prints Markdown tables and verdicts.
// Exit 0 when it ran (targets missed or not), 1 when something could not run.

#include "sshdfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// ------------------------------------------------------------------------------------------------ options

struct Options
{
    int duration = 60;     // load phase, s
    int clients = 200;     // load phase clients
    int slowDuration = 20; // baseline and slow phase, s each
    int slowNormal = 50;   // normal clients during baseline and slow phase
    int slowloris = 200;
    int nonReaders = 50;
    int watchExtra = 25; // after the slow phase: keep watching the slow connections up to this long, s
    int refDuration = -1; // reference server load; -1: same as duration, 0: skip
    bool quick = false;
    QString gateway;
    QString node;
    QString everything; // server-everything's dist/index.js
    QString loopbackPreload;
    bool keep = false;
};

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
}

double nowSeconds()
{
    static QElapsedTimer t = [] {
        QElapsedTimer e;
        e.start();
        return e;
    }();
    return double(t.nsecsElapsed()) / 1e9;
}

void wait(double seconds, const std::function<bool()> &done = {})
{
    const double end = nowSeconds() + seconds;
    if (nowSeconds() >= end || g_interrupted || (done && done())) {
        return;
    }
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(20);
    tick.callOnTimeout(&loop, [&] {
        if (nowSeconds() >= end || g_interrupted || (done && done())) {
            loop.quit();
        }
    });
    tick.start();
    loop.exec();
}

// ------------------------------------------------------------------------------------------------ statistics

enum Kind { ToolsList, ListTargets, StatusLocal, StatusSsh, Echo, KindCount };

const char *kindName(int k)
{
    switch (k) {
    case ToolsList: return "tools/list";
    case ListTargets: return "tools/call list_targets";
    case StatusLocal: return "tools/call get_system_status (local)";
    case StatusSsh: return "tools/call get_system_status (ssh)";
    case Echo: return "tools/call echo";
    default: return "?";
    }
}

struct KindStats
{
    std::vector<double> latencyMs; // successful and failed calls that got an answer
    qint64 calls = 0;
    qint64 errors = 0;
};

struct PhaseStats
{
    KindStats kinds[KindCount];
    double started = 0;
    double ended = 0;
    QStringList errorSamples;
    QHash<QString, int> errorReasons;

    void error(int kind, const QString &reason, const QString &sample)
    {
        ++kinds[kind].errors;
        ++errorReasons[reason];
        if (errorSamples.size() < 5) {
            errorSamples.append(QString::fromLatin1(kindName(kind)) + u": "_s + sample.left(300));
        }
    }
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(std::ceil(p / 100.0 * double(v.size()))) - (p > 0 ? 1 : 0));
    return v[i];
}

// ------------------------------------------------------------------------------------------------ HTTP

struct Response
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
    bool close = false;
};

// Parses one response at the front of buf; removes it. False: incomplete.
bool takeResponse(QByteArray &buf, Response &out)
{
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
        return false;
    }
    Response r;
    const QList<QByteArray> lines = buf.first(end).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0) {
            r.headers.insert(line.first(colon).trimmed().toLower(), line.sliced(colon + 1).trimmed());
        }
    }
    const qsizetype start = end + 4;
    qsizetype consumed = 0;
    if (r.headers.contains("content-length")) {
        const qsizetype length = r.headers.value("content-length").toLongLong();
        if (buf.size() - start < length) {
            return false;
        }
        r.body = buf.sliced(start, length);
        consumed = start + length;
    } else if (r.headers.value("transfer-encoding").toLower().contains("chunked")) {
        qsizetype pos = start;
        QByteArray body;
        for (;;) {
            const qsizetype lineEnd = buf.indexOf("\r\n", pos);
            if (lineEnd < 0) {
                return false;
            }
            bool ok = false;
            const qsizetype size = buf.sliced(pos, lineEnd - pos).split(';').value(0).trimmed().toLongLong(&ok, 16);
            if (!ok) {
                return false;
            }
            if (size == 0) {
                // Trailers (none expected) end with an empty line.
                const qsizetype trailerEnd = buf.indexOf("\r\n", lineEnd + 2);
                if (trailerEnd < 0) {
                    return false;
                }
                consumed = trailerEnd + 2;
                break;
            }
            if (buf.size() < lineEnd + 2 + size + 2) {
                return false;
            }
            body += buf.sliced(lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
        r.body = body;
    } else {
        consumed = start; // no body (202, 204)
    }
    r.close = r.headers.value("connection").toLower() == "close";
    buf.remove(0, consumed);
    out = std::move(r);
    return true;
}

// The JSON-RPC message with an id in a JSON or SSE body.
QJsonObject rpcMessage(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    if (trimmed.startsWith('{')) {
        return QJsonDocument::fromJson(trimmed).object();
    }
    QJsonObject last;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("data:")) {
            const QJsonObject o = QJsonDocument::fromJson(line.mid(5).trimmed()).object();
            if (o.contains(u"id"_s) && (o.contains(u"result"_s) || o.contains(u"error"_s))) {
                last = o;
            }
        }
    }
    return last;
}

struct Endpoint
{
    quint16 port = 0;
    QByteArray token; // empty: no Authorization header
    QByteArray hostHeader() const { return "127.0.0.1:" + QByteArray::number(port); }
};

QByteArray request(const Endpoint &ep, const QByteArray &method, const QByteArray &session, const QByteArray &body,
                   const QByteArray &accept = "application/json, text/event-stream")
{
    QByteArray r = method + " /mcp HTTP/1.1\r\nHost: " + ep.hostHeader() + "\r\nAccept: " + accept + "\r\n";
    if (!ep.token.isEmpty()) {
        r += "Authorization: Bearer " + ep.token + "\r\n";
    }
    if (!session.isEmpty()) {
        r += "Mcp-Session-Id: " + session + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
    }
    if (method == "POST") {
        r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    return r + "\r\n" + body;
}

QByteArray initializeBody()
{
    return QByteArrayLiteral(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                             R"("capabilities":{},"clientInfo":{"name":"load_bench","version":"1"}}})");
}

// ------------------------------------------------------------------------------------------------ MCP client

// One MCP session on one keep-alive connection, closed loop: the next request goes out when the answer is in.
class Client final : public QObject
{
public:
    enum class Mode { Gateway, Reference, InitOnly };

    Client(const Endpoint &ep, Mode mode, quint32 seed, PhaseStats *stats)
        : m_ep(ep)
        , m_mode(mode)
        , m_rng(seed)
        , m_stats(stats)
    {
        m_timeout.setSingleShot(true);
        m_timeout.setInterval(30000);
        m_timeout.callOnTimeout(this, [this] { fail(u"timeout"_s, u"no answer within 30 s"_s); });
    }

    std::function<void()> onReady; // session initialized (InitOnly: then idle)
    std::function<void(const QString &)> onFatal;

    QByteArray session() const { return m_session; }
    bool ready() const { return !m_session.isEmpty(); }
    bool idle() const { return !m_inFlight; }

    void start()
    {
        m_running = true;
        connectSocket();
    }

    // Stops issuing requests; the one in flight finishes (not counted after the phase ended).
    void stop() { m_running = false; }

    // DELETE the session; calls done when answered or the socket is gone.
    void close(const std::function<void()> &done)
    {
        m_running = false;
        m_onDeleted = done;
        if (m_inFlight) {
            // Never drop a connection with a call in flight: the answer comes first, then the DELETE.
            // (Dropping it crashes tailops-gateway 0.1.0 on Qt 6.4: see the report.)
            m_closeWanted = true;
            return;
        }
        sendDelete();
    }

    void sendDelete()
    {
        m_closeWanted = false;
        if (m_session.isEmpty() || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
            finishDelete();
            return;
        }
        send(Step::Delete, request(m_ep, "DELETE", m_session, {}));
    }

    void abortSocket()
    {
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
            m_socket->deleteLater();
            m_socket = nullptr;
        }
        m_inFlight = false;
        m_timeout.stop();
    }

private:
    enum class Step { Initialize, Initialized, Call, Delete };

    void connectSocket()
    {
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->deleteLater();
        }
        m_buf.clear();
        m_socket = new QTcpSocket(this);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(m_socket, &QTcpSocket::connected, this, [this] { next(); });
        connect(m_socket, &QTcpSocket::readyRead, this, [this] { onRead(); });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { onDisconnected(); });
        connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError) {
                onDisconnected();
            }
        });
        m_socket->connectToHost(QHostAddress::LocalHost, m_ep.port);
    }

    void onDisconnected()
    {
        if (m_step == Step::Delete) {
            finishDelete();
            return;
        }
        if (m_inFlight) {
            fail(u"connection closed"_s, u"the gateway closed the connection during a request"_s);
            return; // fail() reconnects
        }
        if (m_running) {
            ++m_reconnects;
            QTimer::singleShot(10, this, [this] {
                if (m_running) {
                    connectSocket();
                }
            });
        }
    }

    void send(Step step, const QByteArray &bytes)
    {
        m_step = step;
        m_inFlight = true;
        m_sent.start();
        m_timeout.start();
        m_socket->write(bytes);
    }

    void next()
    {
        if (!m_running || m_inFlight || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        if (m_session.isEmpty()) {
            send(Step::Initialize, request(m_ep, "POST", {}, initializeBody()));
            return;
        }
        if (!m_initializedSent) {
            send(Step::Initialized, request(m_ep, "POST", m_session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
            return;
        }
        if (m_mode == Mode::InitOnly) {
            return;
        }
        const quint32 roll = m_rng.bounded(100u);
        const QByteArray id = QByteArray::number(++m_id);
        QByteArray body;
        if (roll < 20) {
            m_kind = ToolsList;
            body = R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/list","params":{}})";
        } else if (m_mode == Mode::Reference) {
            m_kind = Echo;
            body = R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}})";
        } else if (roll < 50) {
            m_kind = ListTargets;
            body = R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/call","params":{"name":"list_targets","arguments":{}}})";
        } else if (roll < 80) {
            m_kind = StatusLocal;
            body = R"({"jsonrpc":"2.0","id":)" + id
                + R"(,"method":"tools/call","params":{"name":"get_system_status","arguments":{"target":"local"}}})";
        } else {
            m_kind = StatusSsh;
            body = R"({"jsonrpc":"2.0","id":)" + id
                + R"(,"method":"tools/call","params":{"name":"get_system_status","arguments":{"target":"box"}}})";
        }
        send(Step::Call, request(m_ep, "POST", m_session, body));
    }

    void onRead()
    {
        m_buf += m_socket->readAll();
        Response r;
        while (m_inFlight && takeResponse(m_buf, r)) {
            handle(r);
            if (r.close && m_socket) {
                m_socket->disconnectFromHost();
            }
        }
    }

    void handle(const Response &r)
    {
        const double ms = double(m_sent.nsecsElapsed()) / 1e6;
        m_inFlight = false;
        m_timeout.stop();
        switch (m_step) {
        case Step::Initialize: {
            m_session = r.headers.value("mcp-session-id");
            if (r.status != 200 || !rpcMessage(r.body).value(u"result"_s).isObject()) {
                fatal(u"initialize: HTTP %1: %2"_s.arg(r.status).arg(QString::fromUtf8(r.body.left(300))));
                return;
            }
            if (m_session.isEmpty() && m_mode != Mode::Reference) {
                fatal(u"initialize: no Mcp-Session-Id"_s);
                return;
            }
            break;
        }
        case Step::Initialized:
            if (r.status != 202 && r.status != 200) {
                fatal(u"notifications/initialized: HTTP %1: %2"_s.arg(r.status).arg(QString::fromUtf8(r.body.left(300))));
                return;
            }
            m_initializedSent = true;
            if (onReady) {
                onReady();
            }
            break;
        case Step::Call:
            record(r, ms);
            break;
        case Step::Delete:
            finishDelete();
            return;
        }
        if (m_closeWanted) {
            sendDelete();
            return;
        }
        QTimer::singleShot(0, this, [this] { next(); });
    }

    void record(const Response &r, double ms)
    {
        if (!counting()) {
            return; // warm-up answers and answers after the phase ended are not counted
        }
        KindStats &k = m_stats->kinds[m_kind];
        ++k.calls;
        k.latencyMs.push_back(ms);
        if (r.status != 200) {
            m_stats->error(m_kind, u"HTTP %1"_s.arg(r.status), QString::fromUtf8(r.body.left(300)));
            return;
        }
        const QJsonObject msg = rpcMessage(r.body);
        if (msg.contains(u"error"_s)) {
            m_stats->error(m_kind, u"JSON-RPC error %1"_s.arg(msg.value(u"error"_s).toObject().value(u"code"_s).toInt()),
                           QString::fromUtf8(QJsonDocument(msg).toJson(QJsonDocument::Compact)));
        } else if (!msg.value(u"result"_s).isObject()) {
            m_stats->error(m_kind, u"no JSON-RPC result"_s, QString::fromUtf8(r.body.left(300)));
        } else if (msg.value(u"result"_s).toObject().value(u"isError"_s).toBool()) {
            const QJsonArray content = msg.value(u"result"_s).toObject().value(u"content"_s).toArray();
            m_stats->error(m_kind, u"tool isError"_s, content.isEmpty() ? QString() : content.at(0).toObject().value(u"text"_s).toString());
        }
    }

    void fail(const QString &reason, const QString &sample)
    {
        const bool counted = m_step == Step::Call && counting();
        if (counted) {
            ++m_stats->kinds[m_kind].calls;
            m_stats->error(m_kind, reason, sample);
        }
        const Step step = m_step;
        abortSocket();
        if (step == Step::Delete || m_closeWanted) {
            finishDelete();
            return;
        }
        if (step != Step::Call && m_mode != Mode::Reference) {
            fatal(u"session setup: "_s + sample);
            return;
        }
        if (m_running) {
            ++m_reconnects;
            QTimer::singleShot(10, this, [this] {
                if (m_running) {
                    connectSocket();
                }
            });
        }
    }

    bool counting() const { return m_stats && m_stats->started > 0 && m_stats->ended == 0; }

    void fatal(const QString &why)
    {
        m_running = false;
        abortSocket();
        if (onFatal) {
            onFatal(why);
        }
    }

    void finishDelete()
    {
        m_step = Step::Call;
        abortSocket();
        if (auto done = std::exchange(m_onDeleted, {})) {
            done();
        }
    }

    Endpoint m_ep;
    Mode m_mode;
    QRandomGenerator m_rng;
    PhaseStats *m_stats;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_buf;
    QByteArray m_session;
    bool m_initializedSent = false;
    bool m_running = false;
    bool m_inFlight = false;
    bool m_closeWanted = false;
    Step m_step = Step::Initialize;
    int m_kind = ToolsList;
    qint64 m_id = 0;
    int m_reconnects = 0;
    QElapsedTimer m_sent;
    QTimer m_timeout;
    std::function<void()> m_onDeleted;
};

// A pool of clients for one phase.
class Load
{
public:
    Load(const Endpoint &ep, Client::Mode mode, int n, PhaseStats *stats, quint32 seedBase)
    {
        for (int i = 0; i < n; ++i) {
            auto c = std::make_unique<Client>(ep, mode, seedBase + quint32(i) * 7919u, stats);
            c->onFatal = [this](const QString &why) {
                if (m_fatal.isEmpty()) {
                    m_fatal = why;
                }
            };
            m_clients.push_back(std::move(c));
        }
    }

    // Starts every client (their sessions open in parallel). The phase clock starts when all are ready.
    bool open(double timeout)
    {
        for (auto &c : m_clients) {
            c->start();
        }
        wait(timeout, [this] { return !m_fatal.isEmpty() || std::all_of(m_clients.begin(), m_clients.end(), [](auto &c) { return c->ready(); }); });
        return m_fatal.isEmpty() && std::all_of(m_clients.begin(), m_clients.end(), [](auto &c) { return c->ready(); });
    }

    void stop()
    {
        for (auto &c : m_clients) {
            c->stop();
        }
    }

    // DELETE every session (in parallel), then drop the connections.
    void close()
    {
        int pending = int(m_clients.size());
        for (auto &c : m_clients) {
            c->close([&pending] { --pending; });
        }
        wait(40, [&pending] { return pending <= 0; });
        for (auto &c : m_clients) {
            c->abortSocket();
        }
    }

    QString fatal() const { return m_fatal; }
    std::vector<std::unique_ptr<Client>> &clients() { return m_clients; }

private:
    std::vector<std::unique_ptr<Client>> m_clients;
    QString m_fatal;
};

// ------------------------------------------------------------------------------------------------ slow clients

// A raw non-blocking socket that the bench writes to and never reads from (tiny SO_RCVBUF, set before connect).
// Whether the peer closed it is seen with poll(POLLRDHUP) without reading.
struct RawConn
{
    int fd = -1;
    double opened = 0;
    double cut = -1; // when the gateway was seen closing it (seconds since opened)
    QByteArray pending; // bytes still to send
    qsizetype sent = 0;

    bool open(quint16 port, int rcvbuf)
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        if (rcvbuf > 0) {
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        }
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0 && errno != EINPROGRESS) {
            ::close(fd);
            fd = -1;
            return false;
        }
        opened = nowSeconds();
        return true;
    }

    // Sends up to n more bytes of pending (n < 0: all). Connection errors count as cut.
    void pump(qsizetype n)
    {
        if (fd < 0 || cut >= 0 || sent >= pending.size()) {
            return;
        }
        const qsizetype len = n < 0 ? pending.size() - sent : std::min<qsizetype>(n, pending.size() - sent);
        const ssize_t w = ::send(fd, pending.constData() + sent, size_t(len), MSG_NOSIGNAL);
        if (w > 0) {
            sent += w;
        } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN) {
            cut = nowSeconds() - opened;
        }
    }

    void check()
    {
        if (fd < 0 || cut >= 0) {
            return;
        }
        pollfd p { fd, POLLRDHUP, 0 };
        if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
            cut = nowSeconds() - opened;
        }
    }

    void close()
    {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    }
};

struct CutSummary
{
    int total = 0;
    int cut = 0;
    double minCut = 0;
    double maxCut = 0;
};

CutSummary summarize(const std::vector<RawConn> &conns)
{
    CutSummary s;
    s.total = int(conns.size());
    std::vector<double> cuts;
    for (const RawConn &c : conns) {
        if (c.cut >= 0) {
            cuts.push_back(c.cut);
        }
    }
    s.cut = int(cuts.size());
    if (!cuts.empty()) {
        s.minCut = *std::min_element(cuts.begin(), cuts.end());
        s.maxCut = *std::max_element(cuts.begin(), cuts.end());
    }
    return s;
}

// ------------------------------------------------------------------------------------------------ resources

struct Sample
{
    double t = 0; // since the load phase began
    QString phase;
    qint64 rssKb = 0;
    int threads = 0;
    int fds = 0;
};

bool sampleProcess(qint64 pid, Sample &s)
{
    QFile f(u"/proc/%1/status"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return false;
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            s.rssKb = line.mid(6).trimmed().split(' ').value(0).toLongLong();
        } else if (line.startsWith("Threads:")) {
            s.threads = line.mid(8).trimmed().toInt();
        }
    }
    s.fds = int(QDir(u"/proc/%1/fd"_s.arg(pid)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
    return true;
}

// Least-squares slope (per second) of y over t.
double slope(const std::vector<std::pair<double, double>> &pts)
{
    if (pts.size() < 2) {
        return 0;
    }
    double st = 0, sy = 0;
    for (const auto &[t, y] : pts) {
        st += t;
        sy += y;
    }
    const double n = double(pts.size()), mt = st / n, my = sy / n;
    double num = 0, den = 0;
    for (const auto &[t, y] : pts) {
        num += (t - mt) * (y - my);
        den += (t - mt) * (t - mt);
    }
    return den > 0 ? num / den : 0;
}

// ------------------------------------------------------------------------------------------------ processes

class ServerProcess
{
public:
    ~ServerProcess() { stop(); }

    QProcess process;
    QByteArray log;
    QString logFile;

    bool start(const QString &program, const QStringList &args, const QProcessEnvironment &env, double timeout,
               const std::function<bool()> &listening, QString *error)
    {
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] { drain(); });
        process.start(program, args);
        if (!process.waitForStarted(10000)) {
            *error = u"%1 did not start: %2"_s.arg(program, process.errorString());
            return false;
        }
        wait(timeout, [&] { return listening() || process.state() == QProcess::NotRunning; });
        if (!listening()) {
            *error = (process.state() == QProcess::NotRunning ? u"%1 exited:\n"_s : u"%1 is not listening after %2 s:\n"_s.arg(program).arg(timeout))
                         .arg(program)
                + QString::fromUtf8(log.right(3000));
            return false;
        }
        return true;
    }

    void drain()
    {
        const QByteArray data = process.readAllStandardOutput();
        log += data;
        if (log.size() > 4 * 1024 * 1024) {
            log = log.right(1024 * 1024); // counts below are kept separately
        }
        for (const QByteArray &line : data.split('\n')) {
            if (line.contains("idle timeout")) {
                ++idleCuts;
            } else if (line.contains("request headers not received in time")) {
                ++headerCuts;
            } else if (line.contains("connection limit reached")) {
                ++limitRefusals;
            }
            const QByteArray lower = line.toLower();
            if (lower.contains("warning") || lower.contains("critical") || lower.contains("error")) {
                ++warnings;
                if (warningSamples.size() < 8) {
                    warningSamples.append(QString::fromUtf8(line.left(300)));
                }
            }
        }
        if (!logFile.isEmpty()) {
            QFile f(logFile);
            if (f.open(QIODevice::Append)) {
                f.write(data);
            }
        }
    }

    void stop()
    {
        if (process.state() == QProcess::NotRunning) {
            return;
        }
        process.terminate(); // by PID: QProcess signals only its own child
        if (!process.waitForFinished(5000)) {
            process.kill();
            process.waitForFinished(3000);
        }
    }

    int idleCuts = 0;
    int headerCuts = 0;
    int limitRefusals = 0;
    int warnings = 0;
    QStringList warningSamples;
};

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QString fmt(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

void out(const QString &line = {})
{
    std::fputs(qPrintable(line), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void progress(const QString &line)
{
    std::fprintf(stderr, "load_bench: %s\n", qPrintable(line));
    std::fflush(stderr);
}

// ------------------------------------------------------------------------------------------------ the run

class Bench
{
public:
    explicit Bench(Options o)
        : m_opt(std::move(o))
    {
    }

    int run();

private:
    bool setUp(QString *error);
    void sampleTick();
    bool loadPhase(QString *error);
    bool slowPhases(QString *error);
    void referencePhase();
    void report();
    void printLoadTable(const PhaseStats &s, double seconds, const QString &server, bool withTotal);

    Options m_opt;
    QTemporaryDir m_dir;
    Tailops::Testing::SshdFixture m_sshd;
    ServerProcess m_gateway;
    Endpoint m_ep;
    qint64 m_pid = 0;

    QTimer m_sampler;
    std::vector<Sample> m_samples;
    QString m_phase;
    double m_t0 = 0;
    double m_loadT = 0; // load phase start, seconds after m_t0

    PhaseStats m_load;
    PhaseStats m_baseline;
    PhaseStats m_slow;
    CutSummary m_loris;
    CutSummary m_sseGet;
    CutSummary m_ssePost;
    double m_watched = 0;
    int m_headerCutsBefore = 0;
    int m_idleCutsBefore = 0;
    int m_headerCutsSlow = 0;
    int m_idleCutsSlow = 0;

    bool m_refRan = false;
    QString m_refNote;
    PhaseStats m_ref;
    qint64 m_refRssFirst = 0, m_refRssMax = 0, m_refRssLast = 0;
};

bool Bench::setUp(QString *error)
{
    if (!m_dir.isValid()) {
        *error = u"cannot create a temporary directory"_s;
        return false;
    }
    m_dir.setAutoRemove(!m_opt.keep);
    progress(u"starting sshd"_s);
    if (const auto started = m_sshd.start(); !started) {
        *error = u"sshd fixture: "_s + started.error().message;
        return false;
    }
    const QString d = m_dir.path();
    // Limits lifted (rate 0 = unlimited, concurrency 0 = unlimited: gateway/config/gatewayconfig.h); the slow
    // phases need short header and idle timeouts; the ssh target allows 8 calls at once.
    const QByteArray gatewayYaml = u"auth:\n  mode: token\n"
                                   "http:\n  header_timeout: 5s\n  idle_timeout: 15s\n"
                                   "ssh:\n  known_hosts: \"%1\"\n"
                                   "limits:\n  observe: {rate: 0}\n  control: {rate: 0}\n  admin: {rate: 0}\n  concurrency: 0\n"
                                   "admin:\n  socket: %2/admin.sock\n"_s.arg(m_sshd.knownHostsFile(), d)
                                       .toUtf8();
    const QByteArray targetsYaml = uR"(version: "1.0"
targets:
  local:
    type: local
    capabilities: [system:read, network:read, file:read]
    constraints: {concurrency: 64}
  box:
    type: remote
    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: "%3", timeout: 10}
    capabilities: [system:read, network:read, file:read]
    constraints: {concurrency: 8}
)"_s.arg(m_sshd.port())
                                       .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                                       .toUtf8();
    if (!writeFile(d + u"/gateway.yaml"_s, gatewayYaml) || !writeFile(d + u"/targets.yaml"_s, targetsYaml)) {
        *error = u"cannot write the configuration to "_s + d;
        return false;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TAILOPS_SHARED_SECRET"_s, QString::fromLatin1(QByteArray::number(QRandomGenerator::global()->generate64(), 16).repeated(4)));
    env.insert(u"TAILOPS_AUDIT_LOG"_s, d + u"/audit/audit.jsonl"_s);
    env.remove(u"XDG_RUNTIME_DIR"_s);
    env.insert(u"XDG_DATA_HOME"_s, d + u"/data"_s); // token mint records its token here, not in ~/.local/share

    QProcess mint;
    mint.setProcessEnvironment(env);
    mint.start(m_opt.gateway, { u"token"_s, u"mint"_s, u"--config-dir"_s, d, u"--agent"_s, u"load"_s, u"--scopes"_s, u"admin"_s, u"--ttl"_s, u"8h"_s });
    if (!mint.waitForFinished(20000) || mint.exitCode() != 0) {
        *error = u"token mint failed: "_s + QString::fromUtf8(mint.readAllStandardOutput() + mint.readAllStandardError());
        mint.kill();
        return false;
    }
    m_ep.token = mint.readAllStandardOutput().split('\n').value(0).trimmed();
    if (m_ep.token.isEmpty()) {
        *error = u"token mint printed no token"_s;
        return false;
    }

    progress(u"starting %1"_s.arg(m_opt.gateway));
    m_gateway.logFile = d + u"/gateway.log"_s;
    const QRegularExpression re(u"listening on http://127\\.0\\.0\\.1:(\\d+)/mcp"_s);
    if (!m_gateway.start(m_opt.gateway, { u"serve"_s, u"--config-dir"_s, d, u"--listen"_s, u"127.0.0.1:0"_s }, env, 20,
                         [&] { return re.match(QString::fromUtf8(m_gateway.log)).hasMatch(); }, error)) {
        return false;
    }
    m_ep.port = quint16(re.match(QString::fromUtf8(m_gateway.log)).captured(1).toUInt());
    m_pid = m_gateway.process.processId();
    progress(u"gateway pid %1 on 127.0.0.1:%2, sshd pid %3 on 127.0.0.1:%4"_s.arg(m_pid).arg(m_ep.port).arg(m_sshd.pid()).arg(m_sshd.port()));

    m_sampler.setInterval(1000);
    m_sampler.callOnTimeout([this] { sampleTick(); });
    return true;
}

void Bench::sampleTick()
{
    Sample s;
    s.t = nowSeconds() - m_t0;
    s.phase = m_phase;
    if (m_pid > 0 && sampleProcess(m_pid, s)) {
        m_samples.push_back(s);
    }
}

bool Bench::loadPhase(QString *error)
{
    progress(u"load: %1 clients, %2 s"_s.arg(m_opt.clients).arg(m_opt.duration));
    Load load(m_ep, Client::Mode::Gateway, m_opt.clients, &m_load, 1);
    m_t0 = nowSeconds();
    m_phase = u"setup"_s;
    sampleTick();
    m_sampler.start();
    if (!load.open(60)) {
        *error = u"load: the sessions did not open: "_s + (load.fatal().isEmpty() ? u"timeout"_s : load.fatal());
        return false;
    }
    // Sessions are open but no call was sent yet (clients in InitOnly do nothing more; Gateway mode continues
    // right away): the phase clock starts now.
    m_phase = u"load"_s;
    m_load.started = nowSeconds();
    const double loadStart = m_load.started - m_t0;
    m_loadT = loadStart;
    wait(m_opt.duration);
    load.stop();
    m_load.ended = nowSeconds();
    sampleTick();
    load.close();
    if (g_interrupted) {
        *error = u"interrupted"_s;
        return false;
    }
    if (m_gateway.process.state() == QProcess::NotRunning) {
        *error = u"the gateway exited during the load phase (%1, code %2):\n"_s.arg(m_gateway.process.exitStatus() == QProcess::CrashExit ? u"crashed"_s : u"exited"_s).arg(m_gateway.process.exitCode()) + QString::fromUtf8(m_gateway.log.right(3000));
        return false;
    }
    return true;
}


bool Bench::slowPhases(QString *error)
{
    // Baseline: the normal clients alone.
    progress(u"baseline: %1 clients, %2 s"_s.arg(m_opt.slowNormal).arg(m_opt.slowDuration));
    {
        Load load(m_ep, Client::Mode::Gateway, m_opt.slowNormal, &m_baseline, 100000);
        m_phase = u"setup"_s;
        if (!load.open(60)) {
            *error = u"baseline: the sessions did not open: "_s + load.fatal();
            return false;
        }
        m_phase = u"baseline"_s;
        m_baseline.started = nowSeconds();
        wait(m_opt.slowDuration);
        load.stop();
        m_baseline.ended = nowSeconds();
        sampleTick();
        load.close();
    }
    if (g_interrupted) {
        *error = u"interrupted"_s;
        return false;
    }
    if (m_gateway.process.state() == QProcess::NotRunning) {
        *error = u"the gateway exited during the baseline phase (%1, code %2):\n"_s.arg(m_gateway.process.exitStatus() == QProcess::CrashExit ? u"crashed"_s : u"exited"_s).arg(m_gateway.process.exitCode()) + QString::fromUtf8(m_gateway.log.right(3000));
        return false;
    }

    // Slow: the same normal load plus slowloris connections and connections that never read.
    progress(u"slow clients: %1 normal clients, %2 slowloris, %3 non-reading SSE, %4 s (+ up to %5 s watching them)"_s.arg(m_opt.slowNormal)
                 .arg(m_opt.slowloris)
                 .arg(m_opt.nonReaders)
                 .arg(m_opt.slowDuration)
                 .arg(m_opt.watchExtra));
    Load load(m_ep, Client::Mode::Gateway, m_opt.slowNormal, &m_slow, 200000);
    Load sessions(m_ep, Client::Mode::InitOnly, m_opt.nonReaders, nullptr, 300000);
    m_phase = u"setup"_s;
    if (!load.open(60) || !sessions.open(60)) {
        *error = u"slow: the sessions did not open: "_s + load.fatal() + sessions.fatal();
        return false;
    }
    m_headerCutsBefore = m_gateway.headerCuts;
    m_idleCutsBefore = m_gateway.idleCuts;
    m_phase = u"slow"_s;
    m_slow.started = nowSeconds();

    std::vector<RawConn> loris(size_t(m_opt.slowloris));
    std::vector<RawConn> sseGet(size_t(m_opt.nonReaders / 2));
    std::vector<RawConn> ssePost(size_t(m_opt.nonReaders - m_opt.nonReaders / 2));
    const QByteArray lorisRequest = request(m_ep, "POST", "0123456789abcdef", QByteArray(64, 'x'));
    int failedOpen = 0;
    for (RawConn &c : loris) {
        failedOpen += c.open(m_ep.port, 0) ? 0 : 1;
        c.pending = lorisRequest;
    }
    for (size_t i = 0; i < sseGet.size(); ++i) {
        failedOpen += sseGet[i].open(m_ep.port, 1024) ? 0 : 1;
        sseGet[i].pending = request(m_ep, "GET", sessions.clients()[i]->session(), {}, "text/event-stream");
    }
    for (size_t i = 0; i < ssePost.size(); ++i) {
        failedOpen += ssePost[i].open(m_ep.port, 1024) ? 0 : 1;
        ssePost[i].pending = request(m_ep, "POST", sessions.clients()[sseGet.size() + i]->session(),
                                     R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_targets","arguments":{},"_meta":{"progressToken":"p1"}}})");
    }
    if (failedOpen > 0) {
        progress(u"warning: %1 slow connections could not be opened"_s.arg(failedOpen));
    }
    const auto forAll = [&](const std::function<void(RawConn &)> &f) {
        for (auto *v : { &loris, &sseGet, &ssePost }) {
            for (RawConn &c : *v) {
                f(c);
            }
        }
    };
    QTimer byteTimer; // slowloris: one byte per second
    byteTimer.setInterval(1000);
    byteTimer.callOnTimeout([&] {
        for (RawConn &c : loris) {
            c.pump(1);
        }
    });
    QTimer checkTimer; // non-readers: send the whole request; everyone: was it cut?
    checkTimer.setInterval(50);
    checkTimer.callOnTimeout([&] {
        for (auto *v : { &sseGet, &ssePost }) {
            for (RawConn &c : *v) {
                c.pump(-1);
            }
        }
        forAll([](RawConn &c) { c.check(); });
    });
    for (RawConn &c : loris) {
        c.pump(1);
    }
    byteTimer.start();
    checkTimer.start();
    const auto allCut = [&] {
        bool all = true;
        forAll([&](RawConn &c) { all = all && c.cut >= 0; });
        return all;
    };

    wait(m_opt.slowDuration);
    load.stop();
    m_slow.ended = nowSeconds();
    sampleTick();
    load.close();
    m_phase = u"slow (watching)"_s;
    wait(std::max(0.0, m_slow.started + m_opt.slowDuration + m_opt.watchExtra - nowSeconds()), allCut);
    m_watched = nowSeconds() - m_slow.started;
    byteTimer.stop();
    checkTimer.stop();
    forAll([](RawConn &c) { c.check(); });
    m_loris = summarize(loris);
    m_sseGet = summarize(sseGet);
    m_ssePost = summarize(ssePost);
    m_headerCutsSlow = m_gateway.headerCuts - m_headerCutsBefore;
    m_idleCutsSlow = m_gateway.idleCuts - m_idleCutsBefore;
    forAll([](RawConn &c) { c.close(); });
    sessions.close();
    m_phase = u"after"_s;
    wait(3);
    sampleTick();
    if (g_interrupted) {
        *error = u"interrupted"_s;
        return false;
    }
    if (m_gateway.process.state() == QProcess::NotRunning) {
        *error = u"the gateway exited during the slow-client phase (%1, code %2):\n"_s.arg(m_gateway.process.exitStatus() == QProcess::CrashExit ? u"crashed"_s : u"exited"_s).arg(m_gateway.process.exitCode()) + QString::fromUtf8(m_gateway.log.right(3000));
        return false;
    }
    return true;
}

void Bench::referencePhase()
{
    const int seconds = m_opt.refDuration < 0 ? m_opt.duration : m_opt.refDuration;
    if (seconds == 0) {
        m_refNote = u"skipped (--quick or --ref-duration 0)"_s;
        return;
    }
    if (m_opt.node.isEmpty() || !QFile::exists(m_opt.everything)) {
        m_refNote = u"skipped: node or @modelcontextprotocol/server-everything not found (npm ci --prefix tests/interop)"_s;
        return;
    }
    quint16 port = 0;
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0
            && ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0) {
            port = ntohs(a.sin_port);
        }
        if (fd >= 0) {
            ::close(fd);
        }
    }
    ServerProcess ref;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORT"_s, QString::number(port));
    const auto listening = [port] {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        return s.waitForConnected(200);
    };
    progress(u"reference: server-everything (streamableHttp) on 127.0.0.1:%1, %2 clients, %3 s, no SSH calls"_s.arg(port).arg(m_opt.clients).arg(seconds));
    QString error;
    QStringList args;
    if (!m_opt.loopbackPreload.isEmpty()) {
        args << u"-r"_s << m_opt.loopbackPreload;
    }
    args << m_opt.everything << u"streamableHttp"_s;
    if (!ref.start(m_opt.node, args, env, 20, listening, &error)) {
        m_refNote = u"skipped: "_s + error.left(500);
        return;
    }
    const qint64 pid = ref.process.processId();
    Endpoint ep;
    ep.port = port;
    Load load(ep, Client::Mode::Reference, m_opt.clients, &m_ref, 400000);
    if (!load.open(60)) {
        m_refNote = u"skipped: the sessions did not open: "_s + load.fatal();
        load.close();
        return;
    }
    QTimer sampler;
    sampler.setInterval(1000);
    const auto sample = [&] {
        Sample s;
        if (sampleProcess(pid, s)) {
            m_refRssFirst = m_refRssFirst ? m_refRssFirst : s.rssKb;
            m_refRssMax = std::max(m_refRssMax, s.rssKb);
            m_refRssLast = s.rssKb;
        }
    };
    sampler.callOnTimeout(sample);
    m_ref.started = nowSeconds();
    sample();
    sampler.start();
    wait(seconds);
    load.stop();
    m_ref.ended = nowSeconds();
    sample();
    load.close();
    m_refRan = true;
}

void Bench::printLoadTable(const PhaseStats &s, double seconds, const QString &server, bool withTotal)
{
    out(u"| server | kind | calls | errors | calls/s | p50 ms | p99 ms | max ms |"_s);
    out(u"|---|---|---:|---:|---:|---:|---:|---:|"_s);
    KindStats total;
    for (int k = 0; k < KindCount; ++k) {
        const KindStats &ks = s.kinds[k];
        if (ks.calls == 0) {
            continue;
        }
        total.calls += ks.calls;
        total.errors += ks.errors;
        total.latencyMs.insert(total.latencyMs.end(), ks.latencyMs.begin(), ks.latencyMs.end());
        out(u"| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 |"_s.arg(server, QString::fromLatin1(kindName(k)))
                .arg(ks.calls)
                .arg(ks.errors)
                .arg(fmt(double(ks.calls) / seconds))
                .arg(fmt(percentile(ks.latencyMs, 50), 2), fmt(percentile(ks.latencyMs, 99), 2),
                     fmt(ks.latencyMs.empty() ? 0 : *std::max_element(ks.latencyMs.begin(), ks.latencyMs.end()), 2)));
    }
    if (withTotal) {
        out(u"| %1 | **all** | %2 | %3 | %4 | %5 | %6 | %7 |"_s.arg(server)
                .arg(total.calls)
                .arg(total.errors)
                .arg(fmt(double(total.calls) / seconds))
                .arg(fmt(percentile(total.latencyMs, 50), 2), fmt(percentile(total.latencyMs, 99), 2),
                     fmt(total.latencyMs.empty() ? 0 : *std::max_element(total.latencyMs.begin(), total.latencyMs.end()), 2)));
    }
    if (!s.errorReasons.isEmpty()) {
        QStringList reasons;
        for (auto it = s.errorReasons.cbegin(); it != s.errorReasons.cend(); ++it) {
            reasons << u"%1 × %2"_s.arg(it.value()).arg(it.key());
        }
        out();
        out(u"Errors by cause: "_s + reasons.join(u", "_s));
        for (const QString &e : s.errorSamples) {
            out(u"- e.g. "_s + e);
        }
    }
}

namespace {
struct Totals
{
    qint64 calls = 0, errors = 0;
    double p99 = 0;
};
Totals totals(const PhaseStats &s)
{
    Totals t;
    std::vector<double> all;
    for (const KindStats &k : s.kinds) {
        t.calls += k.calls;
        t.errors += k.errors;
        all.insert(all.end(), k.latencyMs.begin(), k.latencyMs.end());
    }
    t.p99 = percentile(all, 99);
    return t;
}
QString mib(qint64 kb)
{
    return fmt(double(kb) / 1024.0);
}
QString cutText(const char *what, const CutSummary &c, double watched)
{
    if (c.total == 0) {
        return {};
    }
    QString s = u"%1: %2/%3 cut"_s.arg(QString::fromUtf8(what)).arg(c.cut).arg(c.total);
    if (c.cut > 0) {
        s += u" after %1–%2 s"_s.arg(fmt(c.minCut), fmt(c.maxCut));
    }
    if (c.cut < c.total) {
        s += u", %1 still open after %2 s"_s.arg(c.total - c.cut).arg(fmt(watched, 0));
    }
    return s;
}
} // namespace

void Bench::report()
{
    const double loadSeconds = m_load.ended - m_load.started;
    out();
    out(u"## bench/load: tailops-gateway under %1 concurrent MCP clients (%2 s), %3 cores"_s.arg(m_opt.clients).arg(fmt(loadSeconds, 0)).arg(QThread::idealThreadCount()));
    out();
    out(u"Mix per client: tools/list 20 %, list_targets 30 %, get_system_status local 30 %, get_system_status on the "
        "ssh target (real sshd on 127.0.0.1, target concurrency 8) 20 %; one session and one keep-alive connection per "
        "client, closed loop. Errors: HTTP ≠ 200, JSON-RPC error, no result, tool isError, timeout (30 s), dropped connection."_s);
    out();
    printLoadTable(m_load, loadSeconds, u"tailops-gateway"_s, true);
    out();
    if (m_refRan) {
        out(u"Peer: the same load without SSH calls (tools/list 20 %, echo 80 %) against @modelcontextprotocol/server-everything "
            "(streamableHttp, node), %1 clients, %2 s; its RSS %3 → max %4 → %5 MiB."_s.arg(m_opt.clients)
                .arg(fmt(m_ref.ended - m_ref.started, 0))
                .arg(mib(m_refRssFirst), mib(m_refRssMax), mib(m_refRssLast)));
        out();
        printLoadTable(m_ref, m_ref.ended - m_ref.started, u"server-everything"_s, true);
    } else {
        out(u"Peer server-everything: "_s + m_refNote);
    }

    // Resources per phase.
    out();
    out(u"### Gateway resources (sampled every second from /proc/%1)"_s.arg(m_pid));
    out();
    out(u"| phase | samples | RSS first MiB | RSS max MiB | RSS last MiB | RSS slope KiB/s (2nd half) | threads first/max/last | fds first/max/last |"_s);
    out(u"|---|---:|---:|---:|---:|---:|---:|---:|"_s);
    QHash<QString, double> slopes;
    QHash<QString, qint64> rssMax;
    for (const QString &phase : { u"setup"_s, u"load"_s, u"baseline"_s, u"slow"_s, u"slow (watching)"_s, u"after"_s }) {
        std::vector<Sample> ps;
        for (const Sample &s : m_samples) {
            if (s.phase == phase) {
                ps.push_back(s);
            }
        }
        if (ps.empty()) {
            continue;
        }
        std::vector<std::pair<double, double>> half;
        const double mid = (ps.front().t + ps.back().t) / 2;
        for (const Sample &s : ps) {
            if (s.t >= mid) {
                half.emplace_back(s.t, double(s.rssKb));
            }
        }
        const double sl = slope(half);
        slopes.insert(phase, sl);
        qint64 rmax = 0;
        int tmax = 0, fmax = 0;
        for (const Sample &s : ps) {
            rmax = std::max(rmax, s.rssKb);
            tmax = std::max(tmax, s.threads);
            fmax = std::max(fmax, s.fds);
        }
        rssMax.insert(phase, rmax);
        out(u"| %1 | %2 | %3 | %4 | %5 | %6 | %7/%8/%9 | %10/%11/%12 |"_s.arg(phase)
                .arg(ps.size())
                .arg(mib(ps.front().rssKb), mib(rmax), mib(ps.back().rssKb), half.size() >= 3 ? fmt(sl) : u"–"_s)
                .arg(ps.front().threads)
                .arg(tmax)
                .arg(ps.back().threads)
                .arg(ps.front().fds)
                .arg(fmax)
                .arg(ps.back().fds));
    }
    // The load phase's RSS as a time series (every ~5 s) for the eye.
    QStringList series;
    int lastBucket = -1;
    for (const Sample &s : m_samples) {
        const int at = int(std::lround(s.t - m_loadT));
        if (s.phase == u"load" && at / 5 != lastBucket) {
            lastBucket = at / 5;
            series << u"%1s:%2"_s.arg(at).arg(mib(s.rssKb));
        }
    }
    out();
    out(u"Load-phase RSS (MiB) over time: "_s + series.join(u" "_s));

    // Slow clients.
    const Totals base = totals(m_baseline);
    const Totals slow = totals(m_slow);
    out();
    out(u"### Slow clients (gateway http: header_timeout 5s, idle_timeout 15s)"_s);
    out();
    out(u"| scenario | normal clients | normal calls | normal p99 ms | normal errors | slow conns cut within | RSS max MiB |"_s);
    out(u"|---|---:|---:|---:|---:|---|---:|"_s);
    out(u"| baseline (normal clients only, %1 s) | %2 | %3 | %4 | %5 | – | %6 |"_s.arg(fmt(m_baseline.ended - m_baseline.started, 0))
            .arg(m_opt.slowNormal)
            .arg(base.calls)
            .arg(fmt(base.p99, 2))
            .arg(base.errors)
            .arg(mib(rssMax.value(u"baseline"_s))));
    QStringList cuts;
    for (const QString &c : { cutText("slowloris", m_loris, m_watched), cutText("GET SSE never read", m_sseGet, m_watched),
                              cutText("POST→SSE never read", m_ssePost, m_watched) }) {
        if (!c.isEmpty()) {
            cuts << c;
        }
    }
    out(u"| %1 slowloris (1 header byte/s) + %2 never-reading SSE, %3 s | %4 | %5 | %6 | %7 | %8 | %9 |"_s.arg(m_opt.slowloris)
            .arg(m_opt.nonReaders)
            .arg(fmt(m_slow.ended - m_slow.started, 0))
            .arg(m_opt.slowNormal)
            .arg(slow.calls)
            .arg(fmt(slow.p99, 2))
            .arg(slow.errors)
            .arg(cuts.join(u"; "_s))
            .arg(mib(std::max(rssMax.value(u"slow"_s), rssMax.value(u"slow (watching)"_s)))));
    if (!m_slow.errorReasons.isEmpty() || !m_baseline.errorReasons.isEmpty()) {
        out();
        out(u"Baseline / slow-phase normal-client details:"_s);
        printLoadTable(m_baseline, m_baseline.ended - m_baseline.started, u"baseline"_s, true);
        printLoadTable(m_slow, m_slow.ended - m_slow.started, u"slow"_s, true);
    }
    out();
    out(u"Gateway log during the slow phase: %1 × \"request headers not received in time\", %2 × \"idle timeout\"; whole run: %3 "
        "\"connection limit reached\", %4 lines with warning/error/critical."_s.arg(m_headerCutsSlow)
            .arg(m_idleCutsSlow)
            .arg(m_gateway.limitRefusals)
            .arg(m_gateway.warnings));
    for (const QString &w : std::as_const(m_gateway.warningSamples)) {
        out(u"- "_s + w);
    }

    // Verdicts.
    const Totals load = totals(m_load);
    const double loadSlope = slopes.value(u"load"_s);
    const auto met = [](bool ok) { return ok ? u"met"_s : u"NOT met"_s; };
    out();
    out(u"### Verdict"_s);
    out();
    out(u"- load: errors = 0: %1 errors in %2 calls → %3"_s.arg(load.errors).arg(load.calls).arg(met(load.errors == 0)));
    out(u"- load: RSS flat (slope over the second half < 50 KiB/s): %1 KiB/s → %2"_s.arg(fmt(loadSlope)).arg(met(std::abs(loadSlope) < 50)));
    const bool p99ok = base.p99 > 0 && slow.p99 <= 5 * base.p99;
    out(u"- slow clients: normal p99 ≤ 5× baseline: %1 ms vs %2 ms (%3×) → %4"_s.arg(fmt(slow.p99, 2), fmt(base.p99, 2))
            .arg(base.p99 > 0 ? fmt(slow.p99 / base.p99, 2) : u"–"_s)
            .arg(met(p99ok)));
    out(u"- slow clients: no errors for normal clients: %1 → %2"_s.arg(slow.errors).arg(met(slow.errors == 0)));
    const int slowTotal = m_loris.total + m_sseGet.total + m_ssePost.total;
    const int slowCut = m_loris.cut + m_sseGet.cut + m_ssePost.cut;
    out(u"- slow clients: every slow connection cut by the gateway's timeouts within %1 s: %2/%3 → %4%5"_s.arg(fmt(m_watched, 0))
            .arg(slowCut)
            .arg(slowTotal)
            .arg(met(slowCut == slowTotal))
            .arg(m_watched < 17 ? u" (watched for less than idle_timeout 15 s + 2 s: only header_timeout cuts are observable)"_s : QString()));
    const qint64 slowMax = std::max(rssMax.value(u"slow"_s), rssMax.value(u"slow (watching)"_s));
    const qint64 baseMax = rssMax.value(u"baseline"_s);
    out(u"- slow clients: RSS bounded (slow-phase max ≤ baseline max + 32 MiB): %1 vs %2 MiB → %3"_s.arg(mib(slowMax), mib(baseMax))
            .arg(met(slowMax <= baseMax + 32 * 1024)));
    if (m_opt.keep) {
        out();
        out(u"Kept the configuration, gateway log and audit log in "_s + m_dir.path());
    }
}

int Bench::run()
{
    QString error;
    if (!setUp(&error) || !loadPhase(&error) || !slowPhases(&error)) {
        std::fprintf(stderr, "load_bench: error: %s\n", qPrintable(error));
        return 1;
    }
    m_sampler.stop();
    m_gateway.stop();
    m_sshd.stop();
    if (!g_interrupted) {
        referencePhase();
    }
    report();
    return g_interrupted ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    Options o;
    const QStringList args = app.arguments();
    bool durationSet = false, clientsSet = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString a = args.at(i);
        const auto value = [&]() -> QString {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "load_bench: %s needs a value\n", qPrintable(a));
                std::exit(1);
            }
            return args.at(++i);
        };
        const auto number = [&]() {
            bool ok = false;
            const int n = value().toInt(&ok);
            if (!ok || n < 0) {
                std::fprintf(stderr, "load_bench: %s needs a non-negative integer\n", qPrintable(a));
                std::exit(1);
            }
            return n;
        };
        if (a == u"--duration") {
            o.duration = std::max(1, number());
            durationSet = true;
        } else if (a == u"--clients") {
            o.clients = std::max(1, number());
            clientsSet = true;
        } else if (a == u"--slow-duration") {
            o.slowDuration = std::max(1, number());
        } else if (a == u"--slow-clients") {
            o.slowNormal = std::max(1, number());
        } else if (a == u"--slowloris") {
            o.slowloris = number();
        } else if (a == u"--non-readers") {
            o.nonReaders = number();
        } else if (a == u"--watch") {
            o.watchExtra = number();
        } else if (a == u"--ref-duration") {
            o.refDuration = number();
        } else if (a == u"--gateway") {
            o.gateway = value();
        } else if (a == u"--node") {
            o.node = value();
        } else if (a == u"--everything") {
            o.everything = value();
        } else if (a == u"--loopback-preload") {
            o.loopbackPreload = value();
        } else if (a == u"--keep") {
            o.keep = true;
        } else if (a == u"--quick") {
            o.quick = true;
        } else {
            std::fprintf(stderr,
                         "usage: load_bench --gateway PATH [--duration S] [--clients N] [--quick] [--slow-duration S] [--slow-clients N]\n"
                         "                  [--slowloris N] [--non-readers N] [--watch S] [--ref-duration S] [--node PATH]\n"
                         "                  [--everything PATH] [--loopback-preload PATH] [--keep]\n");
            return a == u"-h" || a == u"--help" ? 0 : 1;
        }
    }
    if (o.quick) {
        o.duration = durationSet ? o.duration : 10;
        o.clients = clientsSet ? o.clients : 50;
        o.slowDuration = 8;
        o.watchExtra = 2; // header_timeout (5 s) is seen; idle_timeout (15 s) is not waited for
        o.refDuration = 0;
    }
    if (o.gateway.isEmpty() || !QFileInfo(o.gateway).isExecutable()) {
        std::fprintf(stderr, "load_bench: --gateway %s is not an executable\n", qPrintable(o.gateway));
        return 1;
    }
    Bench bench(o);
    return bench.run();
}
