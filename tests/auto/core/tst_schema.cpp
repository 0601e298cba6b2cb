// Mcp::validateJson: the JSON Schema subset tool arguments are checked against.

#include "mcp/schema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Any JSON text, scalars included.
QJsonValue json(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1) {
        qFatal("bad JSON in test data: %s", text.constData());
    }
    return doc.array().at(0);
}

const QByteArray kToolSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["target"],
  "properties": {
    "target": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 16},
    "lines":  {"type": "integer", "minimum": 1, "maximum": 1000},
    "ratio":  {"type": "number", "minimum": 0, "maximum": 1},
    "follow": {"type": "boolean"},
    "level":  {"type": "string", "enum": ["debug", "info", "error"]},
    "code":   {"enum": [1, 2, 3]},
    "name":   {"type": "string", "minLength": 2},
    "label":  {"type": "string", "maxLength": 3},
    "ref":    {"type": "string", "pattern": "[0-9]"},
    "tags":   {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3},
    "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
    "hosts":  {"type": "array", "items": {
                 "type": "object", "required": ["name"], "additionalProperties": false,
                 "properties": {"name": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535}}}},
    "filter": {"type": "object", "properties": {"since": {"type": ["string", "null"]},
                                                 "deep": {"type": "object", "required": ["x"]}}}
  }
})";

} // namespace

class TestSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data();
    void validate();
    void emptySchemaAcceptsAnything();
};

void TestSchema::validate_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected"); // empty: valid

    const auto row = [](const char *tag, const QByteArray &value, const QString &expected) {
        QTest::newRow(tag) << value << expected;
    };

    row("minimal", R"({"target":"web-1"})", {});
    row("everything valid",
        R"({"target":"web-1","lines":1000,"ratio":0.25,"follow":true,"level":"info","code":2,"name":"ab","label":"abc",
            "ref":"v1x","tags":["a","b","c"],"matrix":[[1,2],[],[3]],"hosts":[{"name":"a","port":22},{"name":"b"}],
            "filter":{"since":null,"other":1,"deep":{"x":0}}})",
        {});
    row("integer given as 1.0", R"({"target":"a","lines":1.0})", {});
    row("bounds inclusive", R"({"target":"a","lines":1,"ratio":0})", {});

    // type
    row("not an object", "[]", u"arguments must be of type object"_s);
    row("null arguments", "null", u"arguments must be of type object"_s);
    row("string for string", R"({"target":7})", u"'target' must be of type string"_s);
    row("fraction for integer", R"({"target":"a","lines":1.5})", u"'lines' must be of type integer"_s);
    row("string for integer", R"({"target":"a","lines":"10"})", u"'lines' must be of type integer"_s);
    row("string for number", R"({"target":"a","ratio":"0.5"})", u"'ratio' must be of type number"_s);
    row("string for boolean", R"({"target":"a","follow":"true"})", u"'follow' must be of type boolean"_s);
    row("number for boolean", R"({"target":"a","follow":1})", u"'follow' must be of type boolean"_s);
    row("object for array", R"({"target":"a","tags":{"0":"x"}})", u"'tags' must be of type array"_s);
    row("type list", R"({"target":"a","filter":{"since":5}})", u"'filter.since' must be of type string or null"_s);

    // required / additionalProperties
    row("missing required", "{}", u"'target' is required"_s);
    row("unknown argument", R"({"target":"a","extra":1})", u"unknown argument 'extra'"_s);
    row("nested required", R"({"target":"a","filter":{"deep":{}}})", u"'filter.deep.x' is required"_s);

    // enum
    row("enum string", R"({"target":"a","level":"warn"})", u"'level' must be one of: debug, info, error"_s);
    row("enum case", R"({"target":"a","level":"INFO"})", u"'level' must be one of: debug, info, error"_s);
    row("enum number", R"({"target":"a","code":4})", u"'code' must be one of: 1, 2, 3"_s);
    row("enum type", R"({"target":"a","code":"1"})", u"'code' must be one of: 1, 2, 3"_s);

    // minimum / maximum
    row("below minimum", R"({"target":"a","lines":0})", u"'lines' must be at least 1"_s);
    row("above maximum", R"({"target":"a","lines":1001})", u"'lines' must be at most 1000"_s);
    row("negative number", R"({"target":"a","ratio":-0.5})", u"'ratio' must be at least 0"_s);
    row("above fractional maximum", R"({"target":"a","ratio":1.5})", u"'ratio' must be at most 1"_s);

    // lengths and pattern
    row("maxLength", R"({"target":"abcdefghijklmnopq"})", u"'target' must be at most 16 characters"_s);
    row("minLength", R"({"target":"a","name":"x"})", u"'name' must be at least 2 characters"_s);
    row("pattern", R"({"target":"Web"})", u"'target' has an invalid format (must match ^[a-z][a-z0-9-]*$)"_s);
    row("pattern anchored", R"({"target":"web;reboot"})",
        u"'target' has an invalid format (must match ^[a-z][a-z0-9-]*$)"_s);
    row("pattern unanchored search", R"({"target":"a","ref":"none"})",
        u"'ref' has an invalid format (must match [0-9])"_s);
    // JSON Schema counts characters (code points), not UTF-16 units.
    row("maxLength counts code points",
        "{\"target\":\"a\",\"label\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}", {});
    row("minLength counts code points", "{\"target\":\"a\",\"name\":\"\xf0\x9f\x98\x80\"}",
        u"'name' must be at least 2 characters"_s);

    // arrays
    row("minItems", R"({"target":"a","tags":[]})", u"'tags' must have at least 1 items"_s);
    row("maxItems", R"({"target":"a","tags":["a","b","c","d"]})", u"'tags' must have at most 3 items"_s);
    row("item type", R"({"target":"a","tags":["ok",5]})", u"'tags[1]' must be of type string"_s);
    row("item maxLength", R"({"target":"a","tags":["ok","waytoolong"]})", u"'tags[1]' must be at most 8 characters"_s);
    row("nested array", R"({"target":"a","matrix":[[1,2],[3,"x"]]})", u"'matrix[1][1]' must be of type integer"_s);
    row("nested array not array", R"({"target":"a","matrix":[[1],2]})", u"'matrix[1]' must be of type array"_s);
    row("object in array: required", R"({"target":"a","hosts":[{"name":"a"},{"port":22}]})",
        u"'hosts[1].name' is required"_s);
    row("object in array: maximum", R"({"target":"a","hosts":[{"name":"a","port":70000}]})",
        u"'hosts[0].port' must be at most 65535"_s);
    row("object in array: unknown", R"({"target":"a","hosts":[{"name":"a","x":1}]})",
        u"unknown argument 'hosts[0].x'"_s);
}

void TestSchema::validate()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, expected);

    const QJsonObject schema = QJsonDocument::fromJson(kToolSchema).object();
    QVERIFY(!schema.isEmpty());
    const auto problem = Tailops::Mcp::validateJson(json(value), schema);
    if (expected.isEmpty()) {
        QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
        return;
    }
    QVERIFY2(problem.has_value(), "accepted");
    QCOMPARE(*problem, expected);
}

void TestSchema::emptySchemaAcceptsAnything()
{
    for (const QByteArray &v :
        { QByteArray("1"), QByteArray("\"x\""), QByteArray("null"), QByteArray("[1,{}]"), QByteArray("{\"a\":1}") }) {
        QVERIFY(!Tailops::Mcp::validateJson(json(v), QJsonObject {}));
    }
    // A path given by the caller prefixes every message.
    const QJsonObject schema { { u"type"_s, u"integer"_s } };
    QCOMPARE(Tailops::Mcp::validateJson(json("\"x\""), schema, u"args.count"_s).value_or(QString()),
        u"'args.count' must be of type integer"_s);
}

QTEST_GUILESS_MAIN(TestSchema)

#include "tst_schema.moc"
