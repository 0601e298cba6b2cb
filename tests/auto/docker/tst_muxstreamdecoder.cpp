// Exec::MuxStreamDecoder against crafted frames: chunking at every split point, zero-length frames, truncated
// input, bogus and daemon-error stream types, TTY (raw) detection and the output cap.

#include "exec/docker/muxstreamdecoder.h"

#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using Tailops::Exec::MuxStreamDecoder;
using Mode = MuxStreamDecoder::Mode;
using Stream = MuxStreamDecoder::Stream;

namespace {

QByteArray frame(int stream, const QByteArray &payload)
{
    QByteArray f(8, '\0');
    f[0] = static_cast<char>(stream);
    qToBigEndian<quint32>(static_cast<quint32>(payload.size()), f.data() + 4);
    return f + payload;
}

QByteArray header(int stream, quint32 size)
{
    QByteArray f(8, '\0');
    f[0] = static_cast<char>(stream);
    qToBigEndian<quint32>(size, f.data() + 4);
    return f;
}

void feedInChunks(MuxStreamDecoder &d, const QByteArray &data, qsizetype chunk)
{
    for (qsizetype pos = 0; pos < data.size(); pos += chunk) {
        d.feed(QByteArrayView(data).sliced(pos, std::min(chunk, data.size() - pos)));
    }
    d.finish();
}

} // namespace

class TestMuxStreamDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void separatesStreams()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        QVERIFY(d.feed(QByteArray(frame(1, "line1\n") + frame(2, "err1\n") + frame(1, "line2\n"))));
        d.finish();
        QCOMPARE(d.stdoutData(), "line1\nline2\n"_ba);
        QCOMPARE(d.stderrData(), "err1\n"_ba);
        QVERIFY(!d.hasError());
        QVERIFY(!d.incomplete());
        QVERIFY(!d.truncated());
        QCOMPARE(d.payloadBytes(), 17);
    }

    void stdinFramesCountAsStdout()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        d.feed(frame(0, "typed\n"));
        d.finish();
        QCOMPARE(d.stdoutData(), "typed\n"_ba);
    }

    void splitAnywhere_data()
    {
        QTest::addColumn<int>("chunk");
        for (int c : { 1, 2, 3, 5, 7, 8, 9, 13, 64 }) {
            QTest::addRow("chunk %d", c) << c;
        }
    }
    void splitAnywhere()
    {
        QFETCH(int, chunk);
        // Headers and payloads cut at every possible place, with zero-length frames in between.
        const QByteArray data = frame(1, "alpha\n") + frame(1, QByteArray()) + frame(2, "beta\n")
            + frame(2, QByteArray()) + frame(1, "gamma\n") + frame(1, QByteArray(300, 'x'));
        for (const Mode mode : { Mode::Multiplexed, Mode::Auto }) {
            MuxStreamDecoder d(mode);
            feedInChunks(d, data, chunk);
            QCOMPARE(d.mode(), Mode::Multiplexed);
            QCOMPARE(d.stdoutData(), "alpha\ngamma\n"_ba + QByteArray(300, 'x'));
            QCOMPARE(d.stderrData(), "beta\n"_ba);
            QVERIFY(!d.incomplete());
            QVERIFY(!d.hasError());
        }
    }

    void onlyZeroLengthFrames()
    {
        MuxStreamDecoder d(Mode::Auto);
        d.feed(QByteArray(frame(1, {}) + frame(2, {})));
        d.finish();
        QCOMPARE(d.mode(), Mode::Multiplexed);
        QVERIFY(d.stdoutData().isEmpty());
        QVERIFY(d.stderrData().isEmpty());
        QVERIFY(!d.incomplete());
    }

    void truncatedPayload()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        d.feed(QByteArray(frame(1, "whole\n") + header(2, 10) + "part"));
        d.finish();
        QCOMPARE(d.stdoutData(), "whole\n"_ba);
        QCOMPARE(d.stderrData(), "part"_ba); // what arrived is kept
        QVERIFY(d.incomplete());
        QVERIFY(!d.hasError());
    }

    void truncatedHeader()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        d.feed(QByteArray(frame(1, "whole\n") + header(1, 4).first(3)));
        d.finish();
        QCOMPARE(d.stdoutData(), "whole\n"_ba);
        QVERIFY(d.incomplete());
    }

    void bogusStreamType()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        QVERIFY(!d.feed(QByteArray(frame(1, "ok\n") + frame(7, "junk") + frame(1, "after\n"))));
        QVERIFY(d.hasError());
        QVERIFY2(d.error().contains(u"unknown stream type 7"_s), qPrintable(d.error()));
        QVERIFY2(d.error().contains(u"byte 11"_s), qPrintable(d.error()));
        QCOMPARE(d.stdoutData(), "ok\n"_ba); // nothing after the bad header
        QVERIFY(d.stopped());
        QVERIFY(!d.feed(frame(1, "more\n")));
        d.finish();
        QCOMPARE(d.stdoutData(), "ok\n"_ba);
    }

    void daemonErrorFrame()
    {
        MuxStreamDecoder d(Mode::Multiplexed);
        const QByteArray data = frame(1, "before\n") + frame(3, "boom: disk full\n");
        // fed byte by byte: the error message is assembled across chunks
        for (qsizetype i = 0; i < data.size(); ++i) {
            d.feed(data.sliced(i, 1));
        }
        d.finish();
        QCOMPARE(d.stdoutData(), "before\n"_ba);
        QCOMPARE(d.error(), u"error from daemon in stream: boom: disk full"_s);
    }

    void rawWhenForced()
    {
        // A TTY container's bytes go to stdout as they are, even if they happen to look like a header.
        MuxStreamDecoder d(Mode::Raw);
        const QByteArray data = header(1, 3) + "abc\r\n";
        feedInChunks(d, data, 3);
        QCOMPARE(d.stdoutData(), data);
        QVERIFY(d.stderrData().isEmpty());
    }

    void autoDetectsRaw_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("chunk");
        QTest::addRow("tty text") << "hello from a tty\r\nsecond line\r\n"_ba << 4;
        QTest::addRow("short, at finish") << "hi\r\n"_ba << 1;
        QTest::addRow("starts with 0x01 but no padding") << "\x01zzzzzzzzzz"_ba << 100;
    }
    void autoDetectsRaw()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, chunk);
        MuxStreamDecoder d(Mode::Auto);
        feedInChunks(d, data, chunk);
        QCOMPARE(d.mode(), Mode::Raw);
        QCOMPARE(d.stdoutData(), data);
        QVERIFY(!d.incomplete());
    }

    void emptyInput()
    {
        MuxStreamDecoder d(Mode::Auto);
        d.finish();
        QCOMPARE(d.mode(), Mode::Auto);
        QCOMPARE(d.payloadBytes(), 0);
        QVERIFY(!d.hasError());
    }

    void capCutsTheStreamThatOverflows()
    {
        MuxStreamDecoder d(Mode::Multiplexed, 5);
        QVERIFY(!d.feed(QByteArray(frame(1, "abc") + frame(2, "defg") + frame(1, "never"))));
        QCOMPARE(d.stdoutData(), "abc"_ba);
        QCOMPARE(d.stderrData(), "de"_ba);
        QVERIFY(d.truncated());
        QCOMPARE(d.truncatedStream(), Stream::Stderr);
        QCOMPARE(d.payloadBytes(), 5);
        d.finish();
        QVERIFY(!d.incomplete()); // stopping on purpose is not an incomplete stream
    }

    void capExactlyReachedIsNotTruncation()
    {
        MuxStreamDecoder d(Mode::Multiplexed, 6);
        QVERIFY(d.feed(QByteArray(frame(1, "abc") + frame(1, "def") + frame(2, {}))));
        d.finish();
        QVERIFY(!d.truncated());
        QCOMPARE(d.stdoutData(), "abcdef"_ba);

        MuxStreamDecoder more(Mode::Multiplexed, 6);
        more.feed(QByteArray(frame(1, "abc") + frame(1, "def")));
        QVERIFY(!more.feed(frame(1, "g")));
        QVERIFY(more.truncated());
        QCOMPARE(more.truncatedStream(), Stream::Stdout);
        QCOMPARE(more.stdoutData(), "abcdef"_ba);
    }

    void capInRawMode()
    {
        MuxStreamDecoder d(Mode::Auto, 10);
        feedInChunks(d, QByteArray(100, 'y'), 7);
        QCOMPARE(d.mode(), Mode::Raw);
        QCOMPARE(d.stdoutData(), QByteArray(10, 'y'));
        QVERIFY(d.truncated());
    }

    void largeFrameSizes()
    {
        // A 4 GiB - 1 size field must not overflow anything; the frame is simply incomplete.
        MuxStreamDecoder d(Mode::Multiplexed);
        d.feed(QByteArray(header(1, 0xffffffffu) + "tiny"));
        d.finish();
        QCOMPARE(d.stdoutData(), "tiny"_ba);
        QVERIFY(d.incomplete());
    }
};

QTEST_GUILESS_MAIN(TestMuxStreamDecoder)
#include "tst_muxstreamdecoder.moc"
