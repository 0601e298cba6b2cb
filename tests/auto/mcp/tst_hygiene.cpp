// Argument hygiene shared by every tool: NUL, CR/LF, leading '-', oversized strings, path normalisation,
// at any depth, with per-tool exceptions.
#include "mcp/hygiene.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Tailops::Mcp;
using namespace Qt::StringLiterals;

class TestHygiene : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void check_data();
    void check();
};

void TestHygiene::check_data()
{
    QTest::addColumn<QByteArray>("arguments"); // JSON
    QTest::addColumn<QString>("problem");      // empty: accepted
    QTest::addColumn<QByteArray>("normalised"); // expected arguments after the check (when accepted)

    const auto ok = [](const char *name, const QByteArray &in, const QByteArray &out = {}) {
        QTest::newRow(name) << in << QString() << (out.isEmpty() ? in : out);
    };
    const auto bad = [](const char *name, const QByteArray &in, const QString &problem) {
        QTest::newRow(name) << in << problem << QByteArray();
    };
    ok("plain", R"({"name":"nginx","lines":10})");
    ok("dash inside", R"({"name":"my-service"})");
    ok("path normalised", R"({"path":"/var/log/../log/./nginx//access.log"})", R"({"path":"/var/log/nginx/access.log"})");
    ok("path climbs to root", R"({"path":"/../../etc"})", R"({"path":"/etc"})");
    ok("paths in an array", R"({"paths":["/a/./b","/c/../d"]})", R"({"paths":["/a/b","/d"]})");
    ok("dash allowed", R"({"argv":["ls","-la","/tmp"]})");
    ok("multiline allowed", R"({"content":"line1\nline2\r\n"})");
    ok("long multiline", QByteArray(R"({"content":")") + QByteArray(10000, 'x') + "\"}");
    ok("numbers and bools untouched", R"({"n":-5,"b":false,"x":null})");
    bad("leading dash", R"({"name":"-rf"})", u"argument 'name': a value may not start with '-' (it could be read as an option)"_s);
    bad("double dash", R"({"name":"--all"})", u"argument 'name': a value may not start with '-' (it could be read as an option)"_s);
    bad("dash in array", R"({"names":["ok","-x"]})", u"argument 'names[1]': a value may not start with '-' (it could be read as an option)"_s);
    bad("dash nested", R"({"opts":{"flag":"--rm"}})", u"argument 'opts.flag': a value may not start with '-' (it could be read as an option)"_s);
    bad("NUL", R"({"name":"a\u0000b"})", u"argument 'name': NUL characters are not allowed"_s);
    bad("NUL even multiline", R"({"content":"a\u0000b"})", u"argument 'content': NUL characters are not allowed"_s);
    bad("LF", R"({"name":"a\nb"})", u"argument 'name': line breaks (CR/LF) are not allowed"_s);
    bad("CR", R"({"name":"a\rb"})", u"argument 'name': line breaks (CR/LF) are not allowed"_s);
    bad("oversized", QByteArray(R"({"name":")") + QByteArray(4097, 'x') + "\"}",
        u"argument 'name': 4097 characters, more than the limit of 4096"_s);
    bad("relative path", R"({"path":"etc/passwd"})", u"argument 'path': must be an absolute path (starting with '/')"_s);
    bad("empty path", R"({"path":""})", u"argument 'path': must be an absolute path (starting with '/')"_s);
    bad("path option", R"({"path":"-rf"})", u"argument 'path': a value may not start with '-' (it could be read as an option)"_s);
    bad("bidi override", "{\"name\":\"safe\u202eexe.sh\"}", u"argument 'name': control character U+202e is not allowed"_s);
    bad("escape", R"({"name":"a\u001b[2Jb"})", u"argument 'name': control character U+001b is not allowed"_s);
    bad("C1", R"({"name":"a\u0085b"})", u"argument 'name': control character U+0085 is not allowed"_s);
    ok("tab", R"({"name":"a\tb"})");
    ok("unicode text", R"({"name":"café ☕"})");
    bad("key with newline", R"({"opts":{"a\nb":"x"}})", u"argument 'opts': a key holds control characters"_s);
    QByteArray deep = R"({"d":)";
    for (int i = 0; i < 20; ++i) {
        deep += '[';
    }
    deep += "1";
    for (int i = 0; i < 20; ++i) {
        deep += ']';
    }
    deep += '}';
    bad("too deep", deep, u"argument 'd[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]': nested too deeply"_s);
}

void TestHygiene::check()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QString, problem);
    QFETCH(QByteArray, normalised);
    Tool tool;
    tool.name = u"t"_s;
    tool.pathArguments = { u"path"_s, u"paths"_s };
    tool.dashAllowed = { u"argv"_s };
    tool.multilineArguments = { u"content"_s };
    QJsonParseError error;
    QJsonObject args = QJsonDocument::fromJson(arguments, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const auto result = checkArguments(tool, args);
    QCOMPARE(result.value_or(QString()), problem);
    if (problem.isEmpty()) {
        QCOMPARE(args, QJsonDocument::fromJson(normalised).object());
    }
}

QTEST_GUILESS_MAIN(TestHygiene)
#include "tst_hygiene.moc"
