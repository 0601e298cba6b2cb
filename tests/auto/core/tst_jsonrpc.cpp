// Mcp::decode / Mcp::classify: JSON-RPC 2.0 message shapes as MCP (2025-06-18 and later) uses them.

#include "mcp/jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using Tailops::Mcp::Message;
namespace ErrorCode = Tailops::Mcp::ErrorCode;

Q_DECLARE_METATYPE(Message::Kind)

namespace {

const QJsonValue kUndefined = QJsonValue(QJsonValue::Undefined);
const QJsonValue kNull = QJsonValue(QJsonValue::Null);

} // namespace

class TestJsonRpc final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decode_data();
    void decode();
    void classifyNonObjects_data();
    void classifyNonObjects();
    void paramsAreCopied();
    void helpers();
};

void TestJsonRpc::decode_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Message::Kind>("kind");
    QTest::addColumn<int>("code"); // 0 unless Invalid
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("message"); // fragment of error.message

    using K = Message::Kind;
    const QString none;

    // Not JSON
    QTest::newRow("parse error") << QByteArray("{\"jsonrpc\":\"2.0\",") << K::Invalid << ErrorCode::ParseError << kNull
                                 << none << u"Parse error: "_s;
    QTest::newRow("garbage") << QByteArray("hello") << K::Invalid << ErrorCode::ParseError << kNull << none
                             << u"Parse error: "_s;
    QTest::newRow("empty body") << QByteArray() << K::Invalid << ErrorCode::ParseError << kNull << none
                                << u"Parse error: "_s;
    QTest::newRow("whitespace body") << QByteArray(" \r\n\t") << K::Invalid << ErrorCode::ParseError << kNull << none
                                     << u"Parse error: "_s;
    QTest::newRow("two scalars") << QByteArray("1,2") << K::Invalid << ErrorCode::ParseError << kNull << none
                                 << u"Parse error: "_s;
    QTest::newRow("two objects") << QByteArray(R"({"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"})")
                                 << K::Invalid << ErrorCode::ParseError << kNull << none << u"Parse error: "_s;
    QTest::newRow("trailing garbage") << QByteArray(R"({"jsonrpc":"2.0","method":"ping"} x)") << K::Invalid
                                      << ErrorCode::ParseError << kNull << none << u"Parse error: "_s;

    // Not a single object
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])") << K::Invalid
                           << ErrorCode::InvalidRequest << kNull << none << u"batches are not supported"_s;
    QTest::newRow("empty batch") << QByteArray("[]") << K::Invalid << ErrorCode::InvalidRequest << kNull << none
                                 << u"batches are not supported"_s;
    // Valid JSON that is not an object is an Invalid Request (-32600), not a parse error (-32700).
    QTest::newRow("number") << QByteArray("42") << K::Invalid << ErrorCode::InvalidRequest << kNull << none
                            << u"must be a JSON object"_s;
    QTest::newRow("null") << QByteArray(" null ") << K::Invalid << ErrorCode::InvalidRequest << kNull << none
                          << u"must be a JSON object"_s;
    QTest::newRow("string") << QByteArray("\"ping\"") << K::Invalid << ErrorCode::InvalidRequest << kNull << none
                            << u"must be a JSON object"_s;

    // jsonrpc member
    QTest::newRow("missing jsonrpc") << QByteArray(R"({"id":1,"method":"ping"})") << K::Invalid
                                     << ErrorCode::InvalidRequest << QJsonValue(1) << none
                                     << u"\"jsonrpc\" must be \"2.0\""_s;
    QTest::newRow("jsonrpc 1.0") << QByteArray(R"({"jsonrpc":"1.0","id":"a","method":"ping"})") << K::Invalid
                                 << ErrorCode::InvalidRequest << QJsonValue(u"a"_s) << none
                                 << u"\"jsonrpc\" must be \"2.0\""_s;
    QTest::newRow("jsonrpc as number") << QByteArray(R"({"jsonrpc":2.0,"id":3,"method":"ping"})") << K::Invalid
                                       << ErrorCode::InvalidRequest << QJsonValue(3) << none
                                       << u"\"jsonrpc\" must be \"2.0\""_s;
    QTest::newRow("wrong version, bad id")
        << QByteArray(R"({"jsonrpc":"1.0","id":true,"method":"ping"})") << K::Invalid << ErrorCode::InvalidRequest
        << kNull << none << u"\"jsonrpc\" must be \"2.0\""_s;

    // id
    QTest::newRow("id null") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << K::Invalid
                             << ErrorCode::InvalidRequest << kNull << none
                             << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id float") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})") << K::Invalid
                              << ErrorCode::InvalidRequest << kNull << none
                              << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id bool") << QByteArray(R"({"jsonrpc":"2.0","id":true,"method":"ping"})") << K::Invalid
                             << ErrorCode::InvalidRequest << kNull << none
                             << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id object") << QByteArray(R"({"jsonrpc":"2.0","id":{"n":1},"method":"ping"})") << K::Invalid
                               << ErrorCode::InvalidRequest << kNull << none
                               << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id array") << QByteArray(R"({"jsonrpc":"2.0","id":[1],"method":"ping"})") << K::Invalid
                              << ErrorCode::InvalidRequest << kNull << none
                              << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id beyond 2^53") << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})")
                                    << K::Invalid << ErrorCode::InvalidRequest << kNull << none
                                    << u"\"id\" must be a string or an integer"_s;
    QTest::newRow("id string") << QByteArray(R"({"jsonrpc":"2.0","id":"req-1","method":"tools/list"})") << K::Request
                               << 0 << QJsonValue(u"req-1"_s) << u"tools/list"_s << none;
    QTest::newRow("id empty string") << QByteArray(R"({"jsonrpc":"2.0","id":"","method":"ping"})") << K::Request << 0
                                     << QJsonValue(u""_s) << u"ping"_s << none;
    QTest::newRow("id integer") << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"ping"})") << K::Request << 0
                                << QJsonValue(7) << u"ping"_s << none;
    QTest::newRow("id 0") << QByteArray(R"({"jsonrpc":"2.0","id":0,"method":"ping"})") << K::Request << 0
                          << QJsonValue(0) << u"ping"_s << none;
    QTest::newRow("id negative") << QByteArray(R"({"jsonrpc":"2.0","id":-12,"method":"ping"})") << K::Request << 0
                                 << QJsonValue(-12) << u"ping"_s << none;
    QTest::newRow("id 1.0") << QByteArray(R"({"jsonrpc":"2.0","id":1.0,"method":"ping"})") << K::Request << 0
                            << QJsonValue(1) << u"ping"_s << none;
    QTest::newRow("id 2^53-1") << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740991,"method":"ping"})") << K::Request
                               << 0 << QJsonValue(9007199254740991.0) << u"ping"_s << none;

    // method
    QTest::newRow("method missing") << QByteArray(R"({"jsonrpc":"2.0","id":4})") << K::Invalid
                                    << ErrorCode::InvalidRequest << QJsonValue(4) << none << u"missing \"method\""_s;
    QTest::newRow("method number") << QByteArray(R"({"jsonrpc":"2.0","id":4,"method":12})") << K::Invalid
                                   << ErrorCode::InvalidRequest << QJsonValue(4) << none
                                   << u"\"method\" must be a non-empty string"_s;
    QTest::newRow("method empty") << QByteArray(R"({"jsonrpc":"2.0","id":4,"method":""})") << K::Invalid
                                  << ErrorCode::InvalidRequest << QJsonValue(4) << none
                                  << u"\"method\" must be a non-empty string"_s;
    QTest::newRow("method null") << QByteArray(R"({"jsonrpc":"2.0","id":4,"method":null})") << K::Invalid
                                 << ErrorCode::InvalidRequest << QJsonValue(4) << none
                                 << u"\"method\" must be a non-empty string"_s;

    // params
    QTest::newRow("params array") << QByteArray(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":[1]})")
                                  << K::Invalid << ErrorCode::InvalidParams << QJsonValue(5) << u"tools/call"_s
                                  << u"\"params\" must be an object"_s;
    QTest::newRow("params string") << QByteArray(R"({"jsonrpc":"2.0","id":5,"method":"x","params":"a"})") << K::Invalid
                                   << ErrorCode::InvalidParams << QJsonValue(5) << u"x"_s
                                   << u"\"params\" must be an object"_s;
    QTest::newRow("params array, notification")
        << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/progress","params":[]})") << K::Invalid
        << ErrorCode::InvalidParams << kNull << u"notifications/progress"_s << u"\"params\" must be an object"_s;

    // classification
    QTest::newRow("request") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})")
                             << K::Request << 0 << QJsonValue(1) << u"initialize"_s << none;
    QTest::newRow("notification") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                                  << K::Notification << 0 << kNull << u"notifications/initialized"_s << none;
    QTest::newRow("notification with params")
        << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})")
        << K::Notification << 0 << kNull << u"notifications/cancelled"_s << none;
    QTest::newRow("response result") << QByteArray(R"({"jsonrpc":"2.0","id":"s-1","result":{}})") << K::Response << 0
                                     << QJsonValue(u"s-1"_s) << none << none;
    QTest::newRow("response error") << QByteArray(R"({"jsonrpc":"2.0","id":9,"error":{"code":-32601,"message":"no"}})")
                                    << K::Response << 0 << QJsonValue(9) << none << none;
    QTest::newRow("response with result and error")
        << QByteArray(R"({"jsonrpc":"2.0","id":9,"result":{},"error":{"code":1,"message":"x"}})") << K::Invalid
        << ErrorCode::InvalidRequest << QJsonValue(9) << none << u"missing \"method\""_s;
    QTest::newRow("result without id") << QByteArray(R"({"jsonrpc":"2.0","result":{}})") << K::Invalid
                                       << ErrorCode::InvalidRequest << kNull << none << u"missing \"method\""_s;
    QTest::newRow("request with result member") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":"ping","result":{}})")
                                                << K::Request << 0 << QJsonValue(2) << u"ping"_s << none;
}

void TestJsonRpc::decode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Message::Kind, kind);
    QFETCH(int, code);
    QFETCH(QJsonValue, id);
    QFETCH(QString, method);
    QFETCH(QString, message);

    const Message m = Tailops::Mcp::decode(bytes);
    QCOMPARE(m.kind, kind);
    QCOMPARE(m.isRequest(), kind == Message::Kind::Request);
    if (kind == Message::Kind::Invalid) {
        QCOMPARE(m.error.code, code);
        QVERIFY2(m.error.message.contains(message), qPrintable(m.error.message));
        // The id to answer with is always a valid id or null, never undefined.
        QVERIFY(m.id.isNull() || m.id.isString() || m.id.isDouble());
    }
    QCOMPARE(m.id, id);
    QCOMPARE(m.method, method);

    // classify() on the parsed value agrees with decode().
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (doc.isObject()) {
        const Message c = Tailops::Mcp::classify(doc.object());
        QCOMPARE(c.kind, m.kind);
        QCOMPARE(c.error.code, m.error.code);
        QCOMPARE(c.id, m.id);
    }
}

void TestJsonRpc::classifyNonObjects_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("message");

    QTest::newRow("array") << QJsonValue(QJsonArray { 1 }) << u"batches are not supported"_s;
    QTest::newRow("number") << QJsonValue(42) << u"must be a JSON object"_s;
    QTest::newRow("string") << QJsonValue(u"x"_s) << u"must be a JSON object"_s;
    QTest::newRow("null") << kNull << u"must be a JSON object"_s;
    QTest::newRow("bool") << QJsonValue(true) << u"must be a JSON object"_s;
    QTest::newRow("undefined") << kUndefined << u"must be a JSON object"_s;
}

void TestJsonRpc::classifyNonObjects()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);

    const Message m = Tailops::Mcp::classify(value);
    QCOMPARE(m.kind, Message::Kind::Invalid);
    QCOMPARE(m.error.code, ErrorCode::InvalidRequest);
    QVERIFY(m.id.isNull());
    QVERIFY2(m.error.message.contains(message), qPrintable(m.error.message));
}

void TestJsonRpc::paramsAreCopied()
{
    const Message m = Tailops::Mcp::decode(
        R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"get_status","arguments":{"target":"local"}}})");
    QCOMPARE(m.kind, Message::Kind::Request);
    QCOMPARE(m.params.value(u"name"_s).toString(), u"get_status"_s);
    QCOMPARE(m.params.value(u"arguments"_s).toObject().value(u"target"_s).toString(), u"local"_s);

    const Message noParams = Tailops::Mcp::decode(R"({"jsonrpc":"2.0","id":12,"method":"ping"})");
    QCOMPARE(noParams.kind, Message::Kind::Request);
    QVERIFY(noParams.params.isEmpty());
}

void TestJsonRpc::helpers()
{
    // 1 and "1" are different ids.
    QVERIFY(Tailops::Mcp::idKey(QJsonValue(1)) != Tailops::Mcp::idKey(QJsonValue(u"1"_s)));
    QCOMPARE(Tailops::Mcp::idKey(QJsonValue(1)), Tailops::Mcp::idKey(QJsonValue(1.0)));

    const QJsonObject error = Tailops::Mcp::makeError(kUndefined, { ErrorCode::ParseError, u"Parse error"_s, {} });
    QCOMPARE(error.value(u"jsonrpc"_s).toString(), u"2.0"_s);
    QVERIFY(error.contains(u"id"_s));
    QVERIFY(error.value(u"id"_s).isNull());
    QCOMPARE(error.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32700);
    QVERIFY(!error.value(u"error"_s).toObject().contains(u"data"_s));

    const QJsonObject result = Tailops::Mcp::makeResult(QJsonValue(u"a"_s), QJsonObject { { u"ok"_s, true } });
    QCOMPARE(result.value(u"id"_s).toString(), u"a"_s);
    QVERIFY(result.value(u"result"_s).toObject().value(u"ok"_s).toBool());
    // What the server sends is classified as a response.
    QCOMPARE(Tailops::Mcp::classify(result).kind, Message::Kind::Response);
    QCOMPARE(Tailops::Mcp::classify(Tailops::Mcp::makeNotification(u"notifications/tools/list_changed"_s, {})).kind,
        Message::Kind::Notification);

    QCOMPARE(Tailops::Mcp::latestProtocolVersion(), Tailops::Mcp::supportedProtocolVersions().constFirst());
    QVERIFY(Tailops::Mcp::supportedProtocolVersions().contains(u"2025-06-18"_s));
}

QTEST_GUILESS_MAIN(TestJsonRpc)

#include "tst_jsonrpc.moc"
