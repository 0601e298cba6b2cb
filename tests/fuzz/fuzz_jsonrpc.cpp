// JSON-RPC framing and MCP message shapes: Mcp::decode / classify on arbitrary bytes.
// Invariants: a message that classifies as a request / notification survives being rebuilt and
// re-serialised (same kind, method, id key and params); responses built by makeResult / makeError for a
// valid id classify as responses with the same id key.
#include "fuzz_support.h"
#include "mcp/jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

static QString describe(const Mcp::Message &m)
{
    return QStringLiteral("kind=%1 method=%2 id=%3 params=%4")
        .arg(int(m.kind))
        .arg(m.method, Mcp::idKey(m.id), QString::fromUtf8(QJsonDocument(m.params).toJson(QJsonDocument::Compact)));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const Mcp::Message m = Mcp::decode(bytes);

    if (m.kind == Mcp::Message::Kind::Invalid) {
        FUZZ_CHECK(m.error.code != 0, describe(m));
        // The error must be sendable: makeError yields an object with an "error" member.
        const QJsonObject err = Mcp::makeError(m.id, m.error);
        FUZZ_CHECK(err.value(QStringLiteral("error")).isObject(), describe(m));
        return 0;
    }
    // Anything accepted is a JSON object.
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    FUZZ_CHECK(pe.error == QJsonParseError::NoError && doc.isObject(), describe(m));

    if (m.kind == Mcp::Message::Kind::Request || m.kind == Mcp::Message::Kind::Notification) {
        FUZZ_CHECK(!m.method.isEmpty(), describe(m));
        QJsonObject rebuilt { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                              { QStringLiteral("method"), m.method },
                              { QStringLiteral("params"), m.params } };
        if (m.kind == Mcp::Message::Kind::Request) {
            rebuilt.insert(QStringLiteral("id"), m.id);
        }
        const QByteArray wire = QJsonDocument(rebuilt).toJson(QJsonDocument::Compact);
        const Mcp::Message again = Mcp::decode(wire);
        FUZZ_CHECK(again.kind == m.kind, describe(m) + QStringLiteral(" -> ") + describe(again));
        FUZZ_CHECK(again.method == m.method, describe(m) + QStringLiteral(" -> ") + describe(again));
        FUZZ_CHECK(Mcp::idKey(again.id) == Mcp::idKey(m.id), describe(m) + QStringLiteral(" -> ") + describe(again));
        FUZZ_CHECK(again.params == m.params, describe(m) + QStringLiteral(" -> ") + describe(again));
    }
    if (m.kind == Mcp::Message::Kind::Request || m.kind == Mcp::Message::Kind::Response) {
        const Mcp::Message result = Mcp::classify(Mcp::makeResult(m.id, m.params));
        FUZZ_CHECK(result.kind == Mcp::Message::Kind::Response, describe(m));
        FUZZ_CHECK(Mcp::idKey(result.id) == Mcp::idKey(m.id), describe(m));
        const Mcp::Message error = Mcp::classify(Mcp::makeError(m.id, Mcp::RpcError(-32000, QStringLiteral("x"))));
        FUZZ_CHECK(error.kind == Mcp::Message::Kind::Response, describe(m));
        // 1 and "1" are different ids.
        if (m.id.isString()) {
            bool isNumber = false;
            const qint64 n = m.id.toString().toLongLong(&isNumber);
            if (isNumber) {
                FUZZ_CHECK(Mcp::idKey(QJsonValue(n)) != Mcp::idKey(m.id), describe(m));
            }
        }
    }
    if (m.kind != Mcp::Message::Kind::Response) {
        Mcp::makeNotification(m.method, m.params);
    }
    return 0;
}
