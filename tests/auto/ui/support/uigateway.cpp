#include "uigateway.h"

#include "auth/hmactoken.h"
#include "auth/secret.h"
#include "auth/tokenstore.h"
#include "config/gatewayconfig.h"
#include "service/gatewayservice.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace Tailops::Tests {

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

// The JSON-RPC response with ID in a JSON body or an SSE stream (data: lines).
QJsonObject responseFrom(const QByteArray &body, int id)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        return doc.object();
    }
    QJsonObject found;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.startsWith("data:")) {
            continue;
        }
        const QJsonObject o = QJsonDocument::fromJson(line.mid(5).trimmed()).object();
        if (o.value(QStringLiteral("id")).toInt(-1) == id) {
            found = o;
        }
    }
    return found;
}

bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired()) {
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return done();
}

} // namespace

UiGateway::UiGateway() = default;
UiGateway::~UiGateway() = default;

bool UiGateway::start(const Options &options)
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    const QString dir = m_dir.path();
    const QByteArray gatewayYaml = "listen: [\"127.0.0.1:0\"]\n"
                                   "auth:\n  secret_file: secret\n  tokens_file: " + QFile::encodeName(dir) + "/tokens.json\n"
                                   "audit:\n  path: " + QFile::encodeName(dir) + "/audit.jsonl\n"
                                   "admin:\n  socket: " + QFile::encodeName(dir) + "/admin.sock\n"
                                   + options.gatewayYamlExtra;
    if (!writeFile(dir + QStringLiteral("/gateway.yaml"), gatewayYaml)
        || !writeFile(dir + QStringLiteral("/targets.yaml"), options.targetsYaml)
        || (!options.policyYaml.isEmpty() && !writeFile(dir + QStringLiteral("/policy.yaml"), options.policyYaml))) {
        m_error = QStringLiteral("cannot write the configuration in %1").arg(dir);
        return false;
    }
    if (auto secret = Auth::createSecretFile(dir + QStringLiteral("/secret")); !secret) {
        m_error = secret.error().toString();
        return false;
    }
    Config::Diagnostics diagnostics;
    Config::GatewayConfig config = Config::loadGatewayConfig(dir, diagnostics);
    if (Config::hasErrors(diagnostics)) {
        m_error = diagnostics.first().toString();
        return false;
    }
    m_gateway = std::make_unique<Service::GatewayService>(config);
    diagnostics = m_gateway->reloadTargets();
    if (Config::hasErrors(diagnostics)) {
        m_error = diagnostics.first().toString();
        return false;
    }
    diagnostics = m_gateway->reloadPolicy();
    if (Config::hasErrors(diagnostics)) {
        m_error = diagnostics.first().toString();
        return false;
    }
    if (auto audit = m_gateway->openAudit(); !audit) {
        m_error = audit.error().toString();
        return false;
    }
    if (auto urls = m_gateway->startHttp(false); !urls) {
        m_error = urls.error().toString();
        return false;
    }
    return true;
}

QUrl UiGateway::mcpUrl() const
{
    if (!m_gateway || m_gateway->listenUrls().isEmpty()) {
        return {};
    }
    QUrl url = m_gateway->listenUrls().first();
    url.setPath(QStringLiteral("/mcp"));
    return url;
}

QByteArray UiGateway::mint(const QStringList &scopes, const QString &agent)
{
    const auto secret = Auth::loadSharedSecret(m_gateway->config().secretFile);
    if (!secret) {
        m_error = secret.error().toString();
        return {};
    }
    Auth::MintOptions options;
    options.agent = agent;
    options.scopes = scopes;
    options.ttlSeconds = 2 * 3600;
    Auth::TokenClaims claims;
    const QByteArray token = Auth::mintToken(options, *secret, QDateTime::currentDateTimeUtc(), &claims);
    Auth::TokenRecord record;
    record.id = claims.id;
    record.agent = claims.agent;
    record.scopes = claims.scopes;
    record.hostTags = claims.hostTags;
    record.issuedAt = claims.issuedAt;
    record.expiry = claims.expiry;
    record.hash = Auth::tokenHash(token);
    if (auto added = Auth::TokenStore(m_gateway->config().tokensPath()).add(record); !added) {
        m_error = added.error().toString();
        return {};
    }
    return token;
}

PendingCall::PendingCall(QNetworkReply *reply, int id, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_id(id)
{
    connect(reply, &QNetworkReply::finished, this, &PendingCall::onFinished);
}

PendingCall::~PendingCall()
{
    if (m_reply) {
        m_reply->abort();
        m_reply->deleteLater();
    }
}

bool PendingCall::wait(int timeoutMs)
{
    return spinUntil([this] { return m_finished; }, timeoutMs);
}

void PendingCall::onFinished()
{
    m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = m_reply->readAll();
    m_result = responseFrom(body, m_id);
    if (m_result.isEmpty()) {
        m_result.insert(QStringLiteral("transport_error"),
                        QStringLiteral("HTTP %1 %2: %3").arg(m_status).arg(m_reply->errorString(), QString::fromUtf8(body.left(500))));
    }
    m_reply->deleteLater();
    m_reply.clear();
    m_finished = true;
    Q_EMIT finished();
}

McpHttpClient::McpHttpClient(QUrl url, QByteArray token, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_token(std::move(token))
{
}

QNetworkReply *McpHttpClient::post(const QJsonObject &message)
{
    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json, text/event-stream");
    if (!m_token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_token);
    }
    if (!m_session.isEmpty()) {
        request.setRawHeader("Mcp-Session-Id", m_session);
        request.setRawHeader("MCP-Protocol-Version", "2025-06-18");
    }
    return m_nam.post(request, QJsonDocument(message).toJson(QJsonDocument::Compact));
}

PendingCall *McpHttpClient::startRequest(const QString &method, const QJsonObject &params)
{
    const int id = m_nextId++;
    QJsonObject message { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") }, { QStringLiteral("id"), id },
                          { QStringLiteral("method"), method } };
    if (!params.isEmpty()) {
        message.insert(QStringLiteral("params"), params);
    }
    return new PendingCall(post(message), id, this);
}

PendingCall *McpHttpClient::startCallTool(const QString &tool, const QJsonObject &arguments)
{
    return startRequest(QStringLiteral("tools/call"), { { QStringLiteral("name"), tool }, { QStringLiteral("arguments"), arguments } });
}

QJsonObject McpHttpClient::request(const QString &method, const QJsonObject &params, int timeoutMs)
{
    std::unique_ptr<PendingCall> call(startRequest(method, params));
    if (!call->wait(timeoutMs)) {
        return { { QStringLiteral("transport_error"), QStringLiteral("no answer to %1 within %2 ms").arg(method).arg(timeoutMs) } };
    }
    m_lastStatus = call->httpStatus();
    return call->result();
}

QJsonObject McpHttpClient::callTool(const QString &tool, const QJsonObject &arguments, int timeoutMs)
{
    return request(QStringLiteral("tools/call"), { { QStringLiteral("name"), tool }, { QStringLiteral("arguments"), arguments } },
                   timeoutMs);
}

bool McpHttpClient::initialize(const QString &clientName)
{
    const int id = m_nextId++;
    const QJsonObject message {
        { QStringLiteral("jsonrpc"), QStringLiteral("2.0") }, { QStringLiteral("id"), id },
        { QStringLiteral("method"), QStringLiteral("initialize") },
        { QStringLiteral("params"), QJsonObject { { QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18") },
                                                  { QStringLiteral("capabilities"), QJsonObject {} },
                                                  { QStringLiteral("clientInfo"), QJsonObject { { QStringLiteral("name"), clientName },
                                                                                                { QStringLiteral("version"), QStringLiteral("1.0") } } } } }
    };
    QNetworkReply *reply = post(message);
    const bool done = spinUntil([reply] { return reply->isFinished(); }, 10000);
    m_lastStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray session = reply->rawHeader("Mcp-Session-Id");
    const QJsonObject response = responseFrom(reply->readAll(), id);
    reply->deleteLater();
    if (!done || m_lastStatus != 200 || session.isEmpty() || !response.contains(QStringLiteral("result"))) {
        return false;
    }
    m_session = session;
    QNetworkReply *initialized = post({ { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                                        { QStringLiteral("method"), QStringLiteral("notifications/initialized") } });
    spinUntil([initialized] { return initialized->isFinished(); }, 10000);
    const int status = initialized->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    initialized->deleteLater();
    return status == 202;
}

bool McpHttpClient::close(int timeoutMs)
{
    QNetworkRequest request(m_url);
    if (!m_token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_token);
    }
    request.setRawHeader("Mcp-Session-Id", m_session);
    request.setRawHeader("MCP-Protocol-Version", "2025-06-18");
    QNetworkReply *reply = m_nam.deleteResource(request);
    const bool done = spinUntil([reply] { return reply->isFinished(); }, timeoutMs);
    m_lastStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    m_session.clear();
    return done && m_lastStatus >= 200 && m_lastStatus < 300;
}

bool McpHttpClient::isError(const QJsonObject &response)
{
    return response.contains(QStringLiteral("error")) || response.contains(QStringLiteral("transport_error"))
        || response.value(QStringLiteral("result")).toObject().value(QStringLiteral("isError")).toBool();
}

QString McpHttpClient::text(const QJsonObject &response)
{
    if (response.contains(QStringLiteral("error"))) {
        return response.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    }
    if (response.contains(QStringLiteral("transport_error"))) {
        return response.value(QStringLiteral("transport_error")).toString();
    }
    return response.value(QStringLiteral("result")).toObject().value(QStringLiteral("content")).toArray().at(0).toObject()
        .value(QStringLiteral("text")).toString();
}

} // namespace Tailops::Tests
