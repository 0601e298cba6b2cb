#include "muxstreamdecoder.h"

#include <QtEndian>
#include <algorithm>
#include <utility>

namespace Tailops::Exec {

namespace {

constexpr qsizetype kHeaderSize = 8;
constexpr int kStderr = 2;
constexpr int kDaemonError = 3;

} // namespace

MuxStreamDecoder::MuxStreamDecoder(Mode mode, qint64 maxPayloadBytes)
    : m_mode(mode)
    , m_limit(maxPayloadBytes)
{
}

bool MuxStreamDecoder::looksLikeHeader(QByteArrayView header)
{
    if (header.size() < kHeaderSize) {
        return false;
    }
    const auto type = static_cast<unsigned char>(header.at(0));
    return type <= kDaemonError && header.at(1) == 0 && header.at(2) == 0 && header.at(3) == 0;
}

bool MuxStreamDecoder::feed(QByteArrayView chunk)
{
    if (m_stopped || chunk.isEmpty()) {
        return !m_stopped;
    }
    if (m_mode == Mode::Auto) {
        m_pending.append(chunk);
        if (m_pending.size() < kHeaderSize) {
            return true;
        }
        decideMode();
        const QByteArray lookahead = std::exchange(m_pending, QByteArray());
        consume(lookahead);
    } else {
        consume(chunk);
    }
    return !m_stopped;
}

void MuxStreamDecoder::finish()
{
    if (m_stopped) {
        return;
    }
    if (m_mode == Mode::Auto) {
        if (m_pending.isEmpty()) {
            return; // nothing at all: no way (and no need) to tell
        }
        // Shorter than one header: cannot be a multiplexed stream.
        m_mode = Mode::Raw;
        const QByteArray rest = std::exchange(m_pending, QByteArray());
        consume(rest);
        return;
    }
    if (m_mode == Mode::Multiplexed && (!m_pending.isEmpty() || m_frameStream >= 0)) {
        m_incomplete = true;
        if (m_frameStream == kDaemonError) {
            fail(QStringLiteral("error from daemon in stream: ") + QString::fromUtf8(m_daemonError).trimmed());
        }
    }
}

void MuxStreamDecoder::decideMode() { m_mode = looksLikeHeader(m_pending) ? Mode::Multiplexed : Mode::Raw; }

void MuxStreamDecoder::consume(QByteArrayView data)
{
    if (m_mode == Mode::Raw) {
        append(Stream::Stdout, data);
        m_offset += data.size();
        return;
    }

    qsizetype pos = 0;
    while (pos < data.size() && !m_stopped) {
        if (m_frameStream < 0) {
            // Collect the 8-byte header; it may be split across chunks.
            const qsizetype take = std::min(kHeaderSize - m_pending.size(), data.size() - pos);
            m_pending.append(data.sliced(pos, take));
            pos += take;
            if (m_pending.size() < kHeaderSize) {
                break;
            }
            const int type = static_cast<unsigned char>(m_pending.at(0));
            const quint32 size = qFromBigEndian<quint32>(m_pending.constData() + 4);
            m_pending.clear();
            if (type > kDaemonError) {
                fail(QStringLiteral("malformed multiplexed stream: unknown stream type %1 at byte %2")
                         .arg(type)
                         .arg(m_offset));
                return;
            }
            m_offset += kHeaderSize;
            m_frameStream = type;
            m_frameLeft = size;
            m_daemonError.clear();
        }

        const qsizetype take = std::min(static_cast<qsizetype>(m_frameLeft), data.size() - pos);
        const QByteArrayView payload = data.sliced(pos, take);
        if (m_frameStream == kDaemonError) {
            m_daemonError.append(payload);
        } else if (take > 0) {
            append(m_frameStream == kStderr ? Stream::Stderr : Stream::Stdout, payload); // stdin (0) is echoed input
        }
        pos += take;
        m_offset += take;
        m_frameLeft -= static_cast<quint32>(take);
        if (m_frameLeft == 0 && !m_stopped) {
            if (m_frameStream == kDaemonError) {
                fail(QStringLiteral("error from daemon in stream: ") + QString::fromUtf8(m_daemonError).trimmed());
                return;
            }
            m_frameStream = -1;
        }
    }
}

void MuxStreamDecoder::append(Stream stream, QByteArrayView data)
{
    QByteArray &target = stream == Stream::Stderr ? m_stderr : m_stdout;
    if (m_limit > 0) {
        const qint64 room = m_limit - payloadBytes();
        if (data.size() > room) {
            target.append(data.first(std::max<qint64>(room, 0)));
            m_truncated = true;
            m_truncatedStream = stream;
            m_stopped = true;
            return;
        }
    }
    target.append(data);
}

void MuxStreamDecoder::fail(const QString &message)
{
    m_error = message;
    m_stopped = true;
}

} // namespace Tailops::Exec
