#include "stdiotransport.h"

#include "core/logging.h"
#include "mcp/jsonrpc.h"
#include "mcp/server.h"
#include "mcp/session.h"

#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace Tailops::Stdio {

namespace {

constexpr int kDrainTimeoutMs = 10000;

class LineOutbox final : public Mcp::Outbox
{
public:
    explicit LineOutbox(std::function<void(const QJsonObject &)> write)
        : m_write(std::move(write))
    {
    }
    void notify(const QJsonObject &n) override { m_write(n); }
    void respond(const QJsonObject &r) override { m_write(r); }
    void abandon() override { }

private:
    std::function<void(const QJsonObject &)> m_write;
};

} // namespace

StdioTransport::StdioTransport(Mcp::Server &server, Auth::Caller caller, int inputFd, int outputFd, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_session(std::make_unique<Mcp::Session>(server, std::move(caller)))
    , m_in(inputFd)
    , m_out(outputFd)
{
    m_session->setUnsolicitedSink([this](const QJsonObject &n) { writeMessage(n); });
}

StdioTransport::~StdioTransport() = default;

void StdioTransport::start()
{
    const int flags = ::fcntl(m_in, F_GETFL);
    if (flags >= 0) {
        ::fcntl(m_in, F_SETFL, flags | O_NONBLOCK);
    }
    m_notifier = new QSocketNotifier(qintptr(m_in), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StdioTransport::readInput);
    // Regular files and already-closed pipes may never signal: read once right away.
    QTimer::singleShot(0, this, &StdioTransport::readInput);
}

void StdioTransport::readInput()
{
    if (m_closed) {
        return;
    }
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(m_in, chunk, sizeof chunk);
        if (n > 0) {
            qsizetype start = 0;
            for (qsizetype i = 0; i < n; ++i) {
                if (chunk[i] != '\n') {
                    continue;
                }
                if (!m_discarding) {
                    m_buffer.append(chunk + start, i - start);
                    handleLine(m_buffer);
                }
                m_buffer.clear();
                m_discarding = false;
                start = i + 1;
            }
            if (!m_discarding) {
                m_buffer.append(chunk + start, n - start);
                if (m_buffer.size() > kMaxLineBytes) {
                    m_buffer.clear();
                    m_discarding = true;
                    writeMessage(Mcp::makeError(QJsonValue::Null,
                                                Mcp::RpcError { Mcp::ErrorCode::ParseError,
                                                                QStringLiteral("Parse error: message longer than %1 "
                                                                               "bytes")
                                                                    .arg(kMaxLineBytes) }));
                }
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        break; // EOF or a real error
    }
    if (!m_buffer.trimmed().isEmpty() && !m_discarding) {
        handleLine(m_buffer); // last line without newline
    }
    m_buffer.clear();
    inputClosed();
}

void StdioTransport::handleLine(const QByteArray &rawLine)
{
    QByteArray line = rawLine;
    if (line.endsWith('\r')) {
        line.chop(1);
    }
    if (line.trimmed().isEmpty()) {
        return;
    }
    const Mcp::Message message = Mcp::decode(line);
    if (message.kind == Mcp::Message::Kind::Invalid) {
        qCWarning(Core::lcStdio).noquote() << "bad message on stdin:" << message.error.message;
        writeMessage(Mcp::makeError(message.id, message.error));
        return;
    }
    m_session->handle(message, std::make_shared<LineOutbox>([this](const QJsonObject &m) { writeMessage(m); }));
}

void StdioTransport::writeMessage(const QJsonObject &message)
{
    const QByteArray data = QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n';
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(m_out, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            qCWarning(Core::lcStdio) << "stdout closed; stopping";
            inputClosed();
            return;
        }
        written += n;
    }
}

void StdioTransport::inputClosed()
{
    if (m_closed) {
        return;
    }
    m_closed = true;
    if (m_notifier) {
        m_notifier->setEnabled(false);
    }
    if (m_session->inFlight() == 0) {
        QTimer::singleShot(0, this, &StdioTransport::finished);
        return;
    }
    qCInfo(Core::lcStdio) << "stdin closed; waiting for" << m_session->inFlight() << "call(s) in flight";
    connect(m_session.get(), &Mcp::Session::drained, this, &StdioTransport::finished);
    QTimer::singleShot(kDrainTimeoutMs, this, [this] {
        m_session->cancelAll();
        Q_EMIT finished();
    });
}

} // namespace Tailops::Stdio
