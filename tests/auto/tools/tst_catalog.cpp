// The tool catalog as a client sees it, through the official MCP SDK client against the real binary:
// every tool declares its target argument, input and output schemas and truthful annotations; the whole
// tools/list of a full-scope token stays under 12,000 tokens (characters / 4); read-only tokens see no
// mutating tool; resources and prompts answer.
#include "gatewayprocess.h"
#include "sdkclient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QHash>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;

class TestCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void budget();
    void everyToolDeclared();
    void readOnlyTokenSeesNoMutatingTool();
    void resourcesAndPrompts();
    void injectionCorpus();

private:
    QTemporaryDir m_dir { QDir::tempPath() + u"/tcat-XXXXXX"_s };
    GatewayProcess m_gw;
    QByteArray m_admin;
    QByteArray m_readonly;
    QJsonArray m_tools;
};

void TestCatalog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, "auth:\n  mode: token\nhttp:\n  max_request_bytes: 4194304\n"
                                              "approvals:\n  timeout: 2s\n"
                                              "limits:\n  observe: {rate: 5000/s, burst: 5000}\n  control: {rate: 5000/s, burst: 5000}\n"
                                              "  admin: {rate: 5000/s, burst: 5000}\n"));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, R"(version: "1.0"
targets:
  local:
    type: local
    capabilities: [system:read, network:read, network:diag, file:read, container:read, container:write, system:admin]
    metadata: {tags: [lab]}
)"));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"catalog-test-secret-0123456789abcdef"_s;
    m_gw.auditPath = d + u"/audit.jsonl"_s;
    QVERIFY2(m_gw.start(), qPrintable(m_gw.errorString()));
    m_admin = mintToken(m_gw, { u"admin"_s });
    m_readonly = mintToken(m_gw, { u"readonly"_s });
    QVERIFY(!m_admin.isEmpty() && !m_readonly.isEmpty());
    SdkClient client;
    QVERIFY2(client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_admin), qPrintable(client.errorString()));
    m_tools = client.listTools();
    QVERIFY(m_tools.size() > 10);
}

void TestCatalog::cleanupTestCase()
{
    m_gw.stop();
}

void TestCatalog::budget()
{
    const QByteArray json = QJsonDocument(QJsonObject { { u"tools"_s, m_tools } }).toJson(QJsonDocument::Compact);
    const qsizetype tokens = json.size() / 4;
    qInfo("tools/list for an admin token: %lld tools, %lld characters, about %lld tokens", qlonglong(m_tools.size()),
          qlonglong(json.size()), qlonglong(tokens));
    QVERIFY2(tokens < 12000, qPrintable(u"tools/list is about %1 tokens"_s.arg(tokens)));
}

void TestCatalog::everyToolDeclared()
{
    for (const QJsonValue &v : std::as_const(m_tools)) {
        const QJsonObject t = v.toObject();
        const QString name = t.value(u"name"_s).toString();
        const QJsonObject in = t.value(u"inputSchema"_s).toObject();
        QVERIFY2(in.value(u"type"_s).toString() == u"object", qPrintable(name));
        QVERIFY2(in.value(u"additionalProperties"_s) == QJsonValue(false), qPrintable(name + u": input schema not closed"_s));
        QVERIFY2(t.value(u"outputSchema"_s).toObject().value(u"type"_s).toString() == u"object",
                 qPrintable(name + u": no outputSchema"_s));
        QVERIFY2(!t.value(u"description"_s).toString().isEmpty(), qPrintable(name));
        const QJsonObject ann = t.value(u"annotations"_s).toObject();
        QVERIFY2(ann.contains(u"readOnlyHint"_s), qPrintable(name + u": no readOnlyHint"_s));
        const QJsonObject props = in.value(u"properties"_s).toObject();
        if (!ann.value(u"readOnlyHint"_s).toBool()) {
            // Every mutating tool offers a dry run (run_command too).
            QVERIFY2(props.contains(u"dry_run"_s), qPrintable(name + u": mutating without dry_run"_s));
        }
        const bool targetLess = name == u"list_targets" || name == u"fleet_run"
            || (name == u"test_connectivity" && props.contains(u"targets"_s) && !props.contains(u"target"_s));
        if (!targetLess) {
            QVERIFY2(props.contains(u"target"_s), qPrintable(name + u": no target argument"_s));
        }
    }
}

void TestCatalog::readOnlyTokenSeesNoMutatingTool()
{
    SdkClient client;
    QVERIFY2(client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_readonly), qPrintable(client.errorString()));
    const QJsonArray tools = client.listTools();
    QVERIFY(!tools.isEmpty());
    QVERIFY(tools.size() < m_tools.size());
    for (const QJsonValue &v : tools) {
        const QJsonObject t = v.toObject();
        QVERIFY2(t.value(u"annotations"_s).toObject().value(u"readOnlyHint"_s).toBool(),
                 qPrintable(t.value(u"name"_s).toString() + u" shown to a read-only token"_s));
    }
    // And calling one anyway is refused before anything runs.
    const QJsonObject answer = client.call(u"run_command"_s, { { u"argv"_s, QJsonArray { u"id"_s } } });
    QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
}

void TestCatalog::resourcesAndPrompts()
{
    SdkClient client;
    QVERIFY2(client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_admin), qPrintable(client.errorString()));
    const QJsonObject all = client.request(u"readResource"_s, { { u"uri"_s, u"tailops://targets"_s } });
    const QString text = all.value(u"result"_s).toObject().value(u"contents"_s).toArray().at(0).toObject().value(u"text"_s).toString();
    const QJsonArray targets = QJsonDocument::fromJson(text.toUtf8()).object().value(u"targets"_s).toArray();
    QCOMPARE(targets.size(), 1);
    QCOMPARE(targets.at(0).toObject().value(u"id"_s).toString(), u"local"_s);
    const QJsonObject one = client.request(u"readResource"_s, { { u"uri"_s, u"tailops://targets/local"_s } });
    QVERIFY(one.value(u"result"_s).toObject().value(u"contents"_s).toArray().at(0).toObject().value(u"text"_s).toString().contains(u"\"lab\""_s));
    const QJsonObject missing = client.request(u"readResource"_s, { { u"uri"_s, u"tailops://targets/nope"_s } });
    QVERIFY(missing.contains(u"error"_s));
    const QJsonObject prompts = client.request(u"listPrompts"_s);
    QStringList names;
    for (const QJsonValue &p : prompts.value(u"result"_s).toObject().value(u"prompts"_s).toArray()) {
        names.append(p.toObject().value(u"name"_s).toString());
    }
    for (const QString &expected : { u"health_check"_s, u"investigate_high_load"_s, u"troubleshoot_container"_s }) {
        QVERIFY2(names.contains(expected), qPrintable(names.join(u',')));
    }
    const QJsonObject prompt = client.request(u"getPrompt"_s, { { u"name"_s, u"troubleshoot_container"_s },
                                                                 { u"arguments"_s, QJsonObject { { u"container"_s, u"web"_s } } } });
    const QString message = prompt.value(u"result"_s).toObject().value(u"messages"_s).toArray().at(0).toObject()
                                .value(u"content"_s).toObject().value(u"text"_s).toString();
    QVERIFY2(message.contains(u"'web'"_s), qPrintable(message));
}

// Every tool, every string argument, the usual payloads: the ones that can never be valid are refused
// before anything runs, and the shell payloads never reach a shell (their canary files stay absent).
// Mutating tools are called with dry_run, so nothing changes even where a value is legal.
void TestCatalog::injectionCorpus()
{
    SdkClient client;
    QVERIFY2(client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), m_admin), qPrintable(client.errorString()));
    const QString canary = m_dir.filePath(u"canary"_s);
    const QStringList shellPayloads { u"; touch %1-semicolon"_s.arg(canary), u"$(touch %1-subst)"_s.arg(canary),
                                      u"`touch %1-backtick`"_s.arg(canary), u"x && touch %1-and"_s.arg(canary),
                                      u"x | touch %1-pipe"_s.arg(canary) };
    const QList<std::pair<QString, QString>> mustRefuse { { u"option"_s, u"--output=/x"_s },
                                                          { u"nul"_s, QString(u"a"_s + QChar(0) + u"b"_s) },
                                                          { u"newline"_s, u"a\nb"_s },
                                                          { u"1MB"_s, QString(1024 * 1024, u'a') } };
    // Benign values for the other required arguments, by name.
    const QHash<QString, QJsonValue> benign { { u"path"_s, u"/tmp"_s },          { u"container"_s, u"tailops-none"_s },
                                              { u"service"_s, u"tailops-none"_s }, { u"host"_s, u"127.0.0.1"_s },
                                              { u"name"_s, u"localhost"_s },       { u"url"_s, u"http://127.0.0.1:9/"_s },
                                              { u"package"_s, u"tailops-none"_s }, { u"tool"_s, u"health_check"_s },
                                              { u"port"_s, 9 },                     { u"action"_s, u"restart"_s },
                                              { u"argv"_s, QJsonArray { u"true"_s } } };
    int calls = 0;
    for (const QJsonValue &v : std::as_const(m_tools)) {
        const QJsonObject tool = v.toObject();
        const QString name = tool.value(u"name"_s).toString();
        const QJsonObject props = tool.value(u"inputSchema"_s).toObject().value(u"properties"_s).toObject();
        const QJsonArray required = tool.value(u"inputSchema"_s).toObject().value(u"required"_s).toArray();
        for (auto it = props.begin(); it != props.end(); ++it) {
            if (it.value().toObject().value(u"type"_s).toString() != u"string") {
                continue;
            }
            const auto argsWith = [&](const QString &value) {
                QJsonObject args;
                for (const QJsonValue &r : required) {
                    args.insert(r.toString(), benign.value(r.toString(), u"x"_s));
                }
                if (props.contains(u"dry_run"_s)) {
                    args.insert(u"dry_run"_s, true);
                }
                args.insert(it.key(), value);
                return args;
            };
            for (const auto &[label, value] : mustRefuse) {
                const QJsonObject answer = client.call(name, argsWith(value));
                ++calls;
                QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer),
                         qPrintable(u"%1.%2 %3 was accepted: %4"_s.arg(name, it.key(), label, SdkClient::text(answer).left(200))));
                QVERIFY2(!SdkClient::text(answer).isEmpty(), qPrintable(u"%1.%2 %3: no message"_s.arg(name, it.key(), label)));
            }
            for (const QString &payload : shellPayloads) {
                const QJsonObject answer = client.call(name, argsWith(payload));
                ++calls;
                QVERIFY2(!answer.value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"no answer within"_s),
                         qPrintable(u"%1.%2 hangs"_s.arg(name, it.key())));
            }
        }
    }
    qInfo("%d corpus calls", calls);
    for (const QString &suffix : { u"semicolon"_s, u"subst"_s, u"backtick"_s, u"and"_s, u"pipe"_s }) {
        QVERIFY2(!QFile::exists(canary + u'-' + suffix), qPrintable(u"a shell ran: "_s + suffix));
    }
    // The gateway is still serving.
    QVERIFY(SdkClient::structured(client.call(u"list_targets"_s)).value(u"targets"_s).toArray().size() == 1);
}

QTEST_GUILESS_MAIN(TestCatalog)
#include "tst_catalog.moc"
