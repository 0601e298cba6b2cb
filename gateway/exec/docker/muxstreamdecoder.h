#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Tailops::Exec {

// Decodes the Docker Engine API's multiplexed stdout/stderr stream (container logs, attach, exec of a
// container without a TTY), fed chunk by chunk as it arrives. Each frame is an 8-byte header
// [stream, 0, 0, 0, size as uint32 big-endian] followed by size bytes of payload; stream 0 (stdin, echoed) and
// 1 are stdout, 2 is stderr, 3 is an error message from the daemon. Containers with a TTY send raw bytes
// instead: Raw mode puts everything on stdout, Auto mode decides from the first 8 bytes.
//
// The payload kept is capped at maxPayloadBytes (stdout and stderr together, <= 0 for no cap); past it the
// decoder stops, truncated() is set and truncatedStream() says which stream was cut.
class MuxStreamDecoder
{
public:
    enum class Mode
    {
        Auto,
        Multiplexed,
        Raw
    };
    enum class Stream
    {
        None,
        Stdout,
        Stderr
    };

    explicit MuxStreamDecoder(Mode mode = Mode::Auto, qint64 maxPayloadBytes = 0);

    // Feeds the next chunk. Returns false once the decoder has stopped (cap reached or malformed input);
    // later chunks are ignored.
    bool feed(QByteArrayView chunk);
    // End of input: in Auto mode a short stream is taken as raw; a frame cut short sets incomplete().
    void finish();

    const QByteArray &stdoutData() const { return m_stdout; }
    const QByteArray &stderrData() const { return m_stderr; }
    qint64 payloadBytes() const { return m_stdout.size() + m_stderr.size(); }

    Mode mode() const { return m_mode; } // Multiplexed or Raw once decided
    bool stopped() const { return m_stopped; }
    bool truncated() const { return m_truncated; }
    Stream truncatedStream() const { return m_truncatedStream; }
    bool incomplete() const { return m_incomplete; } // input ended inside a header or a frame
    bool hasError() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; } // malformed stream, or the daemon's own error (stream 3)

    // True if these 8 bytes can start a multiplexed stream.
    static bool looksLikeHeader(QByteArrayView header);

private:
    void decideMode();
    void consume(QByteArrayView data);
    void append(Stream stream, QByteArrayView data);
    void fail(const QString &message);

    Mode m_mode;
    qint64 m_limit;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QByteArray m_pending; // header bytes (or Auto-mode lookahead) not yet complete
    QByteArray m_daemonError; // payload of a stream-3 frame being collected
    int m_frameStream = -1; // stream of the frame whose payload is being read, -1 between frames
    quint32 m_frameLeft = 0; // payload bytes still to read in the current frame
    qint64 m_offset = 0; // bytes consumed so far (for error messages)
    bool m_stopped = false;
    bool m_truncated = false;
    Stream m_truncatedStream = Stream::None;
    bool m_incomplete = false;
    QString m_error;
};

} // namespace Tailops::Exec
