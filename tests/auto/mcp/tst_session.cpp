// The MCP protocol core, driven through Session with a recording outbox (no transport involved).
#include "mcp/jsonrpc.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "registry/targetregistry.h"
#include "tools/builtintools.h"
#include "auth/scopes.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Tailops;

namespace {

class RecordingOutbox final : public Mcp::Outbox
{
public:
    QList<QJsonObject> notifications;
    QList<QJsonObject> responses;
    int abandoned = 0;
    void notify(const QJsonObject &n) override { notifications.append(n); }
    void respond(const QJsonObject &r) override { responses.append(r); }
    void abandon() override { ++abandoned; }
};

QJsonObject request(int id, const QString &method, const QJsonObject &params = {})
{
    return QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                         { QStringLiteral("id"), id },
                         { QStringLiteral("method"), method },
                         { QStringLiteral("params"), params } };
}

Auth::Caller callerWith(const QStringList &scopes)
{
    Auth::Caller c;
    c.transport = QStringLiteral("test");
    c.agent = QStringLiteral("tester");
    c.scopes = Auth::expandScopes(scopes);
    return c;
}

} // namespace

class TestSession final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Registry::TargetRegistry> m_registry;
    std::unique_ptr<Mcp::Server> m_server;
    std::atomic_bool m_slowObservedCancel { false };
    std::atomic_bool m_slowStarted { false };

    std::shared_ptr<RecordingOutbox> send(Mcp::Session &s, const QJsonObject &message)
    {
        auto out = std::make_shared<RecordingOutbox>();
        s.handle(Mcp::classify(message), out);
        return out;
    }

    std::unique_ptr<Mcp::Session> initialized(const QStringList &scopes = { QStringLiteral("admin") })
    {
        auto s = std::make_unique<Mcp::Session>(*m_server, callerWith(scopes));
        auto out = send(*s, request(0, QStringLiteral("initialize"),
                                    { { QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25") },
                                      { QStringLiteral("capabilities"), QJsonObject {} },
                                      { QStringLiteral("clientInfo"), QJsonObject { { QStringLiteral("name"), QStringLiteral("t") } } } }));
        [&] { QCOMPARE(out->responses.size(), 1); }();
        return s;
    }

    static QJsonObject result(const RecordingOutbox &out) { return out.responses.value(0).value(QStringLiteral("result")).toObject(); }
    static int errorCode(const RecordingOutbox &out)
    {
        return out.responses.value(0).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_registry = std::make_unique<Registry::TargetRegistry>();
        m_server = std::make_unique<Mcp::Server>(*m_registry);
        Tools::registerBuiltinTools(*m_server);
        // A slow tool of the test's own, to observe cancellation and timeouts of running work.
        Mcp::Tool slow;
        slow.name = QStringLiteral("test_slow");
        slow.title = QStringLiteral("Slow");
        slow.description = QStringLiteral("Waits until cancelled (test only)");
        slow.inputSchema = QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } };
        slow.scope = QStringLiteral("system:read");
        slow.run = [this](const Mcp::ToolContext &ctx) {
            m_slowStarted = true;
            for (int i = 0; i < 500 && !ctx.isCancelled(); ++i) {
                ctx.progress(i + 1, 0, QString());
                QThread::msleep(10);
            }
            m_slowObservedCancel = ctx.isCancelled();
            Mcp::ToolResult done;
            done.text = QStringLiteral("slow done");
            return done;
        };
        m_server->addTool(slow);
    }

    void negotiatesVersion_data()
    {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<QString>("expected");
        for (const QString &v : Mcp::supportedProtocolVersions()) {
            QTest::newRow(qPrintable(v)) << v << v;
        }
        QTest::newRow("future") << QStringLiteral("2099-01-01") << QStringLiteral("2025-11-25");
        QTest::newRow("old") << QStringLiteral("2024-10-07") << QStringLiteral("2025-11-25");
    }

    void negotiatesVersion()
    {
        QFETCH(QString, requested);
        QFETCH(QString, expected);
        Mcp::Session s(*m_server, callerWith({ QStringLiteral("readonly") }));
        auto out = send(s, request(1, QStringLiteral("initialize"), { { QStringLiteral("protocolVersion"), requested } }));
        QCOMPARE(result(*out).value(QStringLiteral("protocolVersion")).toString(), expected);
        const QJsonObject caps = result(*out).value(QStringLiteral("capabilities")).toObject();
        QVERIFY(caps.contains(QStringLiteral("tools")));
        QVERIFY(caps.contains(QStringLiteral("logging")));
        QCOMPARE(result(*out).value(QStringLiteral("serverInfo")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("tailops-gateway"));
        QVERIFY(s.isInitialized());
    }

    void protocolErrors_data()
    {
        QTest::addColumn<QJsonObject>("message");
        QTest::addColumn<int>("code");
        QTest::newRow("unknown method") << request(5, QStringLiteral("nope/nope")) << Mcp::ErrorCode::MethodNotFound;
        QTest::newRow("re-initialize") << request(5, QStringLiteral("initialize"), { { QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25") } })
                                       << Mcp::ErrorCode::InvalidRequest;
        QTest::newRow("call without name") << request(5, QStringLiteral("tools/call")) << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("unknown tool") << request(5, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("rm_rf") } })
                                      << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("unknown argument") << request(5, QStringLiteral("tools/call"),
                                                     { { QStringLiteral("name"), QStringLiteral("get_system_status") },
                                                       { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("x"), 1 } } } })
                                          << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("wrong argument type") << request(5, QStringLiteral("tools/call"),
                                                        { { QStringLiteral("name"), QStringLiteral("get_system_status") },
                                                          { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("target"), 7 } } } })
                                             << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("injected target") << request(5, QStringLiteral("tools/call"),
                                                    { { QStringLiteral("name"), QStringLiteral("get_system_status") },
                                                      { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("target"), QStringLiteral("local; rm -rf /") } } } })
                                         << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("arguments not object") << request(5, QStringLiteral("tools/call"),
                                                         { { QStringLiteral("name"), QStringLiteral("list_targets") },
                                                           { QStringLiteral("arguments"), QJsonArray { 1 } } })
                                              << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("bad cursor") << request(5, QStringLiteral("tools/list"), { { QStringLiteral("cursor"), QStringLiteral("!!garbage") } })
                                    << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("foreign cursor") << request(5, QStringLiteral("tools/list"), { { QStringLiteral("cursor"), QStringLiteral("cmVzb3VyY2VzOjE") } })
                                        << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("bad log level") << request(5, QStringLiteral("logging/setLevel"), { { QStringLiteral("level"), QStringLiteral("loud") } })
                                       << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("unknown resource") << request(5, QStringLiteral("resources/read"), { { QStringLiteral("uri"), QStringLiteral("tailops://targets/nope") } })
                                          << Mcp::ErrorCode::ResourceNotFound;
        QTest::newRow("unknown prompt") << request(5, QStringLiteral("prompts/get"), { { QStringLiteral("name"), QStringLiteral("nope") } })
                                        << Mcp::ErrorCode::InvalidParams;
        QTest::newRow("prompt missing argument") << request(5, QStringLiteral("prompts/get"), { { QStringLiteral("name"), QStringLiteral("troubleshoot_container") } })
                                                 << Mcp::ErrorCode::InvalidParams;
    }

    void protocolErrors()
    {
        QFETCH(QJsonObject, message);
        QFETCH(int, code);
        auto s = initialized();
        auto out = send(*s, message);
        QCOMPARE(out->responses.size(), 1);
        QCOMPARE(errorCode(*out), code);
        QCOMPARE(out->responses.at(0).value(QStringLiteral("id")).toInt(), 5);
        QVERIFY(!out->responses.at(0).value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().isEmpty());
    }

    void requiresInitialize()
    {
        Mcp::Session s(*m_server, callerWith({ QStringLiteral("admin") }));
        auto out = send(s, request(1, QStringLiteral("tools/list")));
        QCOMPARE(errorCode(*out), Mcp::ErrorCode::InvalidRequest);
        auto ping = send(s, request(2, QStringLiteral("ping")));
        QCOMPARE(result(*ping), QJsonObject {});
    }

    void notificationsGetNoAnswer()
    {
        auto s = initialized();
        auto out = send(*s, QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                                         { QStringLiteral("method"), QStringLiteral("notifications/initialized") } });
        auto unknown = send(*s, QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                                             { QStringLiteral("method"), QStringLiteral("notifications/whatever") } });
        QVERIFY(out->responses.isEmpty());
        QVERIFY(unknown->responses.isEmpty());
    }

    void paginatesTools()
    {
        m_server->setPageSize(1);
        auto s = initialized();
        QStringList names;
        QJsonValue cursor;
        int pages = 0;
        do {
            QJsonObject params;
            if (!cursor.isUndefined()) {
                params.insert(QStringLiteral("cursor"), cursor);
            }
            auto out = send(*s, request(10 + pages, QStringLiteral("tools/list"), params));
            const QJsonObject r = result(*out);
            QCOMPARE(r.value(QStringLiteral("tools")).toArray().size(), 1);
            for (const auto &t : r.value(QStringLiteral("tools")).toArray()) {
                const QJsonObject tool = t.toObject();
                names.append(tool.value(QStringLiteral("name")).toString());
                QVERIFY(tool.contains(QStringLiteral("inputSchema")));
                QVERIFY(!tool.value(QStringLiteral("description")).toString().isEmpty());
            }
            cursor = r.value(QStringLiteral("nextCursor"));
            ++pages;
        } while (!cursor.isUndefined() && pages < 20);
        m_server->setPageSize(50);
        QCOMPARE(names, (QStringList { QStringLiteral("list_targets"), QStringLiteral("get_system_status"), QStringLiteral("test_slow") }));
        QCOMPARE(pages, 3);
    }

    void toolsListFollowsScopes()
    {
        // A caller without system:read does not see get_system_status, and calling it is refused.
        auto s = initialized({ QStringLiteral("network:read") });
        auto out = send(*s, request(1, QStringLiteral("tools/list")));
        QStringList names;
        for (const auto &t : result(*out).value(QStringLiteral("tools")).toArray()) {
            names.append(t.toObject().value(QStringLiteral("name")).toString());
        }
        QCOMPARE(names, QStringList { QStringLiteral("list_targets") });
        auto call = send(*s, request(2, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("get_system_status") } }));
        QVERIFY(result(*call).value(QStringLiteral("isError")).toBool());
        QVERIFY(result(*call).value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("text")).toString().startsWith(QStringLiteral("Operation not permitted for target")));
    }

    void unknownTargetIsToolError()
    {
        auto s = initialized();
        auto out = send(*s, request(1, QStringLiteral("tools/call"),
                                    { { QStringLiteral("name"), QStringLiteral("get_system_status") },
                                      { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("target"), QStringLiteral("nowhere") } } } }));
        QCOMPARE(out->responses.size(), 1);
        QVERIFY(result(*out).value(QStringLiteral("isError")).toBool());
        QVERIFY(result(*out).value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("text")).toString().startsWith(QStringLiteral("Target not found in registry")));
    }

    void listTargetsAnswersAtOnce()
    {
        auto s = initialized();
        auto out = send(*s, request(1, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("list_targets") } }));
        QCOMPARE(out->responses.size(), 1); // non-blocking tool: answered synchronously
        const QJsonArray targets = result(*out).value(QStringLiteral("structuredContent")).toObject().value(QStringLiteral("targets")).toArray();
        QCOMPARE(targets.size(), 1);
        QCOMPARE(targets.at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("local"));
    }

    void systemStatusMatchesProc()
    {
        auto s = initialized();
        auto out = send(*s, request(1, QStringLiteral("tools/call"),
                                    { { QStringLiteral("name"), QStringLiteral("get_system_status") },
                                      { QStringLiteral("_meta"), QJsonObject { { QStringLiteral("progressToken"), QStringLiteral("p1") } } } }));
        QTRY_COMPARE_WITH_TIMEOUT(out->responses.size(), 1, 10000);
        const QJsonObject sc = result(*out).value(QStringLiteral("structuredContent")).toObject();
        QFile meminfo(QStringLiteral("/proc/meminfo"));
        QVERIFY(meminfo.open(QIODevice::ReadOnly));
        const QByteArray first = meminfo.readLine().simplified();
        QCOMPARE(sc.value(QStringLiteral("memory")).toObject().value(QStringLiteral("total_bytes")).toDouble(),
                 first.split(' ').at(1).toDouble() * 1024);
        QCOMPARE(sc.value(QStringLiteral("cpu_count")).toInt(), QThread::idealThreadCount());
        // Progress notifications came before the response, increasing, with the request's token.
        QCOMPARE(out->notifications.size(), 4);
        double last = 0;
        for (const auto &n : out->notifications) {
            QCOMPARE(n.value(QStringLiteral("method")).toString(), QStringLiteral("notifications/progress"));
            const QJsonObject p = n.value(QStringLiteral("params")).toObject();
            QCOMPARE(p.value(QStringLiteral("progressToken")).toString(), QStringLiteral("p1"));
            QVERIFY(p.value(QStringLiteral("progress")).toDouble() > last);
            last = p.value(QStringLiteral("progress")).toDouble();
        }
    }

    void cancellationStopsRunningWork()
    {
        m_slowStarted = false;
        m_slowObservedCancel = false;
        auto s = initialized();
        auto out = send(*s, request(42, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("test_slow") } }));
        QTRY_VERIFY_WITH_TIMEOUT(m_slowStarted.load(), 5000);
        QCOMPARE(s->inFlight(), 1);
        auto dup = send(*s, request(42, QStringLiteral("ping")));
        QCOMPARE(errorCode(*dup), Mcp::ErrorCode::InvalidRequest); // id in use
        send(*s, QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                              { QStringLiteral("method"), QStringLiteral("notifications/cancelled") },
                              { QStringLiteral("params"), QJsonObject { { QStringLiteral("requestId"), 42 }, { QStringLiteral("reason"), QStringLiteral("user") } } } });
        QCOMPARE(out->abandoned, 1);
        QCOMPARE(s->inFlight(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_slowObservedCancel.load(), 5000);
        QTest::qWait(50);
        QVERIFY(out->responses.isEmpty()); // a cancelled request gets no response
    }

    void loggingNotifications()
    {
        auto s = initialized();
        auto quiet = send(*s, request(1, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("list_targets") } }));
        QVERIFY(quiet->notifications.isEmpty()); // no level set: no log messages
        auto set = send(*s, request(2, QStringLiteral("logging/setLevel"), { { QStringLiteral("level"), QStringLiteral("debug") } }));
        QCOMPARE(result(*set), QJsonObject {});
        auto loud = send(*s, request(3, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("list_targets") } }));
        QCOMPARE(loud->notifications.size(), 2);
        QCOMPARE(loud->notifications.at(0).value(QStringLiteral("method")).toString(), QStringLiteral("notifications/message"));
        QCOMPARE(loud->notifications.at(0).value(QStringLiteral("params")).toObject().value(QStringLiteral("level")).toString(), QStringLiteral("debug"));
        send(*s, request(4, QStringLiteral("logging/setLevel"), { { QStringLiteral("level"), QStringLiteral("warning") } }));
        auto filtered = send(*s, request(5, QStringLiteral("tools/call"), { { QStringLiteral("name"), QStringLiteral("list_targets") } }));
        QVERIFY(filtered->notifications.isEmpty());
    }

    void resourcesAndPrompts()
    {
        auto s = initialized();
        auto list = send(*s, request(1, QStringLiteral("resources/list")));
        const QJsonArray resources = result(*list).value(QStringLiteral("resources")).toArray();
        QCOMPARE(resources.size(), 2);
        QCOMPARE(resources.at(1).toObject().value(QStringLiteral("uri")).toString(), QStringLiteral("tailops://targets/local"));
        auto read = send(*s, request(2, QStringLiteral("resources/read"), { { QStringLiteral("uri"), QStringLiteral("tailops://targets/local") } }));
        const QJsonObject content = result(*read).value(QStringLiteral("contents")).toArray().at(0).toObject();
        QCOMPARE(QJsonDocument::fromJson(content.value(QStringLiteral("text")).toString().toUtf8()).object().value(QStringLiteral("id")).toString(),
                 QStringLiteral("local"));
        auto prompts = send(*s, request(3, QStringLiteral("prompts/list")));
        QVERIFY(result(*prompts).value(QStringLiteral("prompts")).toArray().size() >= 3);
        auto get = send(*s, request(4, QStringLiteral("prompts/get"),
                                    { { QStringLiteral("name"), QStringLiteral("troubleshoot_container") },
                                      { QStringLiteral("arguments"), QJsonObject { { QStringLiteral("container"), QStringLiteral("web") } } } }));
        const QString text = result(*get).value(QStringLiteral("messages")).toArray().at(0).toObject().value(QStringLiteral("content")).toObject().value(QStringLiteral("text")).toString();
        QVERIFY(text.contains(QStringLiteral("'web'")));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
