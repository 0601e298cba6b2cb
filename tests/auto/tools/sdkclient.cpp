#include "sdkclient.h"

#include "gatewayprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonDocument>

namespace TestSupport {

QByteArray mintToken(const GatewayProcess &gateway, const QStringList &scopes, const QString &agent)
{
    const auto [code, out] = gateway.cli({ QStringLiteral("token"), QStringLiteral("mint"), QStringLiteral("--agent"), agent,
                                           QStringLiteral("--scopes"), scopes.join(u','), QStringLiteral("--ttl"),
                                           QStringLiteral("2h") });
    if (code != 0) {
        qWarning("token mint failed: %s", out.constData());
        return {};
    }
    return out.left(out.indexOf('\n')).trimmed();
}

QJsonObject waitForApproval(const GatewayProcess &gateway, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const auto [code, out] = gateway.cli({ QStringLiteral("approvals"), QStringLiteral("list"), QStringLiteral("--json") });
        const QJsonArray pending = QJsonDocument::fromJson(out.left(out.lastIndexOf('}') + 1)).object().value(QStringLiteral("pending")).toArray();
        if (code == 0 && !pending.isEmpty()) {
            return pending.at(0).toObject();
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 100);
    }
    return {};
}

SdkClient::~SdkClient()
{
    stop();
}

bool SdkClient::start(const QString &url, const QByteArray &token, int timeoutMs)
{
    const QString node = QStringLiteral(TAILOPS_NODE);
    const QString driver = QStringLiteral(TAILOPS_MCP_DRIVER);
    if (node.isEmpty() || !QFileInfo::exists(node)) {
        m_error = QStringLiteral("node not found (apt-get install nodejs, or run ./scripts/test.sh)");
        return false;
    }
    if (!QFileInfo::exists(QFileInfo(driver).absolutePath() + QStringLiteral("/node_modules/@modelcontextprotocol/sdk"))) {
        m_error = QStringLiteral("the MCP SDK is not installed: npm ci --prefix tests/interop");
        return false;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TAILOPS_DRIVER_TOKEN"), QString::fromUtf8(token));
    m_node.setProcessEnvironment(env);
    m_node.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_node.start(node, { driver, url });
    if (!m_node.waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start node: %1").arg(m_node.errorString());
        return false;
    }
    bool ready = false;
    const bool done = pump(timeoutMs, [&] {
        if (m_answers.contains(0)) {
            const QJsonObject hello = m_answers.take(0);
            ready = hello.value(QStringLiteral("ready")).toBool();
            if (!ready) {
                m_error = QStringLiteral("the SDK client could not connect: %1").arg(hello.value(QStringLiteral("fatal")).toString());
            }
            return true;
        }
        return m_node.state() == QProcess::NotRunning;
    });
    if (!done || !ready) {
        if (m_error.isEmpty()) {
            m_error = QStringLiteral("the SDK client did not connect within %1 ms").arg(timeoutMs);
        }
        stop();
        return false;
    }
    return true;
}

void SdkClient::stop()
{
    if (m_node.state() == QProcess::NotRunning) {
        return;
    }
    m_node.closeWriteChannel(); // the driver closes its session and exits
    if (!m_node.waitForFinished(5000)) {
        m_node.kill();
        m_node.waitForFinished(5000);
    }
}

void SdkClient::readLines()
{
    m_buffer += m_node.readAllStandardOutput();
    qsizetype nl;
    while ((nl = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(nl);
        m_buffer.remove(0, nl + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QStringLiteral("ready")) || o.contains(QStringLiteral("fatal"))) {
            m_answers.insert(0, o);
        } else if (o.contains(QStringLiteral("id"))) {
            m_answers.insert(o.value(QStringLiteral("id")).toInt(), o);
        }
    }
}

bool SdkClient::pump(int timeoutMs, const std::function<bool()> &done)
{
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        readLines();
        if (done()) {
            return true;
        }
        if (deadline.hasExpired() || m_node.state() == QProcess::NotRunning) {
            readLines();
            return done();
        }
        // Keep the test's own event loop turning (servers living in the test process answer meanwhile).
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        m_node.waitForReadyRead(20);
    }
}

int SdkClient::send(const QString &op, const QJsonObject &params)
{
    const int id = m_nextId++;
    QJsonObject req { { QStringLiteral("id"), id }, { QStringLiteral("op"), op }, { QStringLiteral("params"), params } };
    m_node.write(QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n');
    return id;
}

int SdkClient::callAsync(const QString &tool, const QJsonObject &arguments)
{
    return send(QStringLiteral("callTool"), QJsonObject { { QStringLiteral("name"), tool }, { QStringLiteral("arguments"), arguments } });
}

QJsonObject SdkClient::wait(int id, int timeoutMs)
{
    if (!pump(timeoutMs, [&] { return m_answers.contains(id); })) {
        return QJsonObject { { QStringLiteral("error"),
                               QJsonObject { { QStringLiteral("code"), -2 },
                                             { QStringLiteral("message"),
                                               m_node.state() == QProcess::NotRunning
                                                   ? QStringLiteral("the SDK driver exited")
                                                   : QStringLiteral("no answer within %1 ms").arg(timeoutMs) } } } };
    }
    QJsonObject answer = m_answers.take(id);
    answer.remove(QStringLiteral("id"));
    return answer;
}

QJsonObject SdkClient::call(const QString &tool, const QJsonObject &arguments, int timeoutMs)
{
    const int id = send(QStringLiteral("callTool"),
                        QJsonObject { { QStringLiteral("name"), tool }, { QStringLiteral("arguments"), arguments } });
    return wait(id, timeoutMs);
}

QJsonObject SdkClient::request(const QString &op, const QJsonObject &params, int timeoutMs)
{
    return wait(send(op, params), timeoutMs);
}

QJsonArray SdkClient::listTools(int timeoutMs)
{
    return request(QStringLiteral("listTools"), {}, timeoutMs)
        .value(QStringLiteral("result"))
        .toObject()
        .value(QStringLiteral("tools"))
        .toArray();
}

bool SdkClient::isToolError(const QJsonObject &answer)
{
    return answer.value(QStringLiteral("result")).toObject().value(QStringLiteral("isError")).toBool();
}

QString SdkClient::text(const QJsonObject &answer)
{
    if (answer.contains(QStringLiteral("error"))) {
        return answer.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    }
    const QJsonArray content = answer.value(QStringLiteral("result")).toObject().value(QStringLiteral("content")).toArray();
    for (const QJsonValue &c : content) {
        if (c.toObject().value(QStringLiteral("type")).toString() == u"text") {
            return c.toObject().value(QStringLiteral("text")).toString();
        }
    }
    return {};
}

QJsonObject SdkClient::structured(const QJsonObject &answer)
{
    return answer.value(QStringLiteral("result")).toObject().value(QStringLiteral("structuredContent")).toObject();
}

} // namespace TestSupport
