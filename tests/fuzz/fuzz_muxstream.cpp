// Docker's multiplexed log / attach stream: Exec::MuxStreamDecoder fed in chunks.
// Input: byte 0 the mode (Auto / Multiplexed / Raw), byte 1 the payload cap (0: none, else 16 * byte),
// byte 2 a seed for the chunk sizes; the rest is the stream.
// Invariants: the decoder never returns more payload than it was given, nor more than the cap; Raw mode
// without a cap returns the input on stdout; feeding in chunks gives exactly what feeding at once gives
// (stdout, stderr, mode, truncation, incompleteness, error); once stopped it stays stopped.
#include "exec/docker/muxstreamdecoder.h"
#include "fuzz_support.h"

using namespace Tailops;
using Exec::MuxStreamDecoder;

namespace {

struct Outcome
{
    QByteArray out, err;
    MuxStreamDecoder::Mode mode;
    bool truncated, incomplete, stopped;
    MuxStreamDecoder::Stream truncatedStream;
    QString error;
    bool operator==(const Outcome &) const = default;
};

Outcome outcome(const MuxStreamDecoder &d)
{
    return { d.stdoutData(), d.stderrData(), d.mode(), d.truncated(), d.incomplete(), d.stopped(), d.truncatedStream(),
             d.error() };
}

QString describe(const Outcome &o)
{
    return QStringLiteral("out=%1 err=%2 mode=%3 trunc=%4 incomplete=%5 stopped=%6 error=%7")
        .arg(QString::fromLatin1(o.out.left(64).toHex()), QString::fromLatin1(o.err.left(64).toHex()))
        .arg(int(o.mode))
        .arg(o.truncated)
        .arg(o.incomplete)
        .arg(o.stopped)
        .arg(o.error);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > 256 * 1024) {
        return -1;
    }
    const auto mode = MuxStreamDecoder::Mode(data[0] % 3);
    const qint64 cap = qint64(data[1]) * 16;
    unsigned seed = data[2];
    const QByteArrayView stream(reinterpret_cast<const char *>(data + 3), qsizetype(size - 3));

    MuxStreamDecoder whole(mode, cap);
    whole.feed(stream);
    whole.finish();
    const Outcome a = outcome(whole);
    FUZZ_CHECK(whole.payloadBytes() <= stream.size(), describe(a));
    if (cap > 0) {
        FUZZ_CHECK(whole.payloadBytes() <= cap, describe(a));
    }
    FUZZ_CHECK(!whole.truncated() || whole.truncatedStream() != MuxStreamDecoder::Stream::None, describe(a));
    if (mode == MuxStreamDecoder::Mode::Raw && cap == 0) {
        FUZZ_CHECK(whole.stdoutData() == stream && whole.stderrData().isEmpty(), describe(a));
    }
    if (mode != MuxStreamDecoder::Mode::Auto) {
        FUZZ_CHECK(whole.mode() == mode, describe(a));
    }
    MuxStreamDecoder::looksLikeHeader(stream.first(std::min<qsizetype>(8, stream.size())));

    MuxStreamDecoder chunked(mode, cap);
    qsizetype pos = 0;
    bool stopped = false;
    while (pos < stream.size()) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = std::min<qsizetype>(1 + qsizetype((seed >> 16) % 13), stream.size() - pos);
        const bool more = chunked.feed(stream.sliced(pos, n));
        FUZZ_CHECK(!(stopped && more), QStringLiteral("feed() returned true after stopping"));
        stopped = stopped || !more;
        FUZZ_CHECK(more == !chunked.stopped(), QStringLiteral("feed() result disagrees with stopped()"));
        pos += n;
    }
    chunked.finish();
    const Outcome b = outcome(chunked);
    FUZZ_CHECK(a == b, QStringLiteral("whole: ") + describe(a) + QStringLiteral("\nchunked: ") + describe(b));
    return 0;
}
