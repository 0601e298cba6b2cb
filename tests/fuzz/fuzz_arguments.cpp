// Tool arguments as a client sends them (the "arguments" object of tools/call): Mcp::validateJson against
// a file-tool-like input schema, then Mcp::checkArguments (hygiene) for a tool declaring path arguments.
// Mode (first byte): 0-2: the rest is the arguments JSON; 3: the rest is "SCHEMA\n--\nVALUE" (schema fuzzed
// too, without "pattern" keys: tool schemas are trusted, their regexes are not an attack surface).
// Invariants after checkArguments accepts: every string at any depth has no NUL; outside multi-line
// arguments no CR/LF, C0/C1/bidi controls, nor more than kMaxArgumentChars; no '-' prefix outside
// dash-allowed arguments; path arguments (and strings nested in them) are absolute, normalised (no empty,
// "." or ".." components, normalizePath is the identity on them); checkArguments is idempotent.
#include "core/paths.h"
#include "fuzz_support.h"
#include "mcp/hygiene.h"
#include "mcp/schema.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Tailops;

namespace {

Mcp::Tool makeTool()
{
    Mcp::Tool t;
    t.name = QStringLiteral("read_file");
    t.pathArguments = { QStringLiteral("path"), QStringLiteral("paths"), QStringLiteral("dest") };
    t.dashAllowed = { QStringLiteral("args"), QStringLiteral("since") };
    t.multilineArguments = { QStringLiteral("content") };
    const QByteArray schema = R"({
      "type": "object",
      "properties": {
        "target": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
        "path": {"type": "string", "minLength": 1},
        "paths": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 16},
        "dest": {"type": "string"},
        "content": {"type": "string", "maxLength": 100000},
        "args": {"type": "array", "items": {"type": "string"}},
        "since": {"type": "string"},
        "lines": {"type": "integer", "minimum": 1, "maximum": 10000},
        "ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "follow": {"type": "boolean"},
        "mode": {"type": "string", "enum": ["head", "tail", "all"]},
        "options": {"type": "object", "properties": {"depth": {"type": "integer"}}}
      },
      "required": ["path"],
      "additionalProperties": false
    })";
    t.inputSchema = QJsonDocument::fromJson(schema).object();
    return t;
}

const Mcp::Tool &tool()
{
    static const Mcp::Tool t = makeTool();
    return t;
}

bool isControl(char16_t u)
{
    return (u < 0x20 && u != u'\t') || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029 || (u >= 0x202a && u <= 0x202e)
        || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f || u == 0x061c;
}

void checkString(const QString &arg, const QString &s, const QString &ctx)
{
    const bool multiline = tool().multilineArguments.contains(arg);
    FUZZ_CHECK(!s.contains(QChar(0)), ctx);
    if (!multiline) {
        for (const QChar c : s) {
            FUZZ_CHECK(!isControl(c.unicode()), ctx);
        }
        FUZZ_CHECK(s.size() <= Mcp::kMaxArgumentChars, ctx);
    }
    if (!tool().dashAllowed.contains(arg)) {
        FUZZ_CHECK(!s.startsWith(u'-'), ctx);
    }
    if (tool().pathArguments.contains(arg)) {
        FUZZ_CHECK(s.startsWith(u'/'), ctx);
        if (s != u"/") {
            for (const QStringView part : QStringView(s).mid(1).split(u'/')) {
                FUZZ_CHECK(!part.isEmpty() && part != u"." && part != u"..", ctx + QStringLiteral(" path ") + s);
            }
        }
        const auto again = Core::normalizePath(s);
        FUZZ_CHECK(again && *again == s, ctx + QStringLiteral(" path ") + s);
    }
}

void walk(const QString &arg, const QJsonValue &v, const QString &ctx)
{
    if (v.isString()) {
        checkString(arg, v.toString(), ctx);
    } else if (v.isArray()) {
        for (const QJsonValue item : v.toArray()) {
            walk(arg, item, ctx);
        }
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            walk(arg, it.value(), ctx);
        }
    }
}

void stripPatterns(QJsonObject &o, int depth)
{
    if (depth > 20) {
        return;
    }
    o.remove(QStringLiteral("pattern"));
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isObject()) {
            QJsonObject child = it.value().toObject();
            stripPatterns(child, depth + 1);
            it.value() = child;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    tool();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024) {
        return -1;
    }
    const int mode = data[0] % 4;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    if (mode == 3) {
        const QList<QByteArray> parts = FuzzSupport::splitInput(rest, "\n--\n", 2);
        QJsonObject schema = QJsonDocument::fromJson(parts.value(0)).object();
        stripPatterns(schema, 0);
        const QJsonDocument value = QJsonDocument::fromJson(parts.value(1));
        (void)Mcp::validateJson(value.isArray() ? QJsonValue(value.array()) : QJsonValue(value.object()), schema);
        return 0;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(rest);
    if (!doc.isObject()) {
        return 0;
    }
    QJsonObject args = doc.object();
    // Schema first, as the gate does; hygiene runs on everything (also what the schema refuses) to reach it.
    (void)Mcp::validateJson(args, tool().inputSchema);
    const QJsonObject before = args;
    const auto problem = Mcp::checkArguments(tool(), args);
    if (problem) {
        FUZZ_CHECK(!problem->isEmpty(), QString());
        return 0;
    }
    const QString ctx = QString::fromUtf8(QJsonDocument(before).toJson(QJsonDocument::Compact)).left(2000);
    for (auto it = args.begin(); it != args.end(); ++it) {
        walk(it.key(), it.value(), ctx);
    }
    QJsonObject twice = args;
    const auto second = Mcp::checkArguments(tool(), twice);
    FUZZ_CHECK(!second && twice == args, ctx + QStringLiteral(" second: ") + second.value_or(QString()));
    return 0;
}
