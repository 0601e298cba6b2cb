// Scaffolding shared by the fault-injection tests (tests/auto/faults): the real tailops-gateway on a config
// directory the test writes, MCP tools/call requests over raw HTTP that are collected as they arrive (many
// in flight at once, some never answered), the gateway's own threads / sockets / RSS from /proc, and the
// audit log check that every answered call has its records.
#pragma once

#include "gatewayprocess.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTcpSocket>

#include <memory>

namespace Faults {

// What /proc says about a process: threads (status: Threads), sockets (fd links to socket:[...]), VmRSS.
struct ProcStats
{
    int threads = -1;
    int sockets = -1;
    qint64 rssKb = -1;

    QString toString() const;
};
ProcStats procStats(qint64 pid);
// One line per socket of PID: inode and what /proc/net/{tcp,tcp6,unix} say about it (for failure messages).
QString socketDetails(qint64 pid);

// The gateway's worker pool (Mcp::Server) runs up to 16 threads and keeps idle ones for 30 s: a check right
// after a fault allows them; a strict check (slack 1) waits for them to expire.
constexpr int kPoolThreads = 16;

// Waits (event loop running) until PID is back to at most BASELINE + SLACK threads and sockets; the last
// stats seen either way.
ProcStats settle(qint64 pid, const ProcStats &baseline, int slackThreads, int slackSockets, int timeoutMs = 45000);

// gateway.yaml for these tests: token auth, generous limits, approvals from the admin socket in DIR,
// the sshd fixture's known_hosts (when given). EXTRA is appended as is.
QByteArray gatewayYaml(const QString &dir, const QString &knownHosts, const QByteArray &extra = {});

// One tools/call on its own connection, sent when constructed and collected as the answer arrives.
class AsyncCall
{
public:
    AsyncCall(const TestSupport::Endpoint &to, const QList<QByteArray> &headers, const QString &id, const QString &tool,
              const QJsonObject &arguments);
    Q_DISABLE_COPY_MOVE(AsyncCall)

    QString id() const { return m_id; }
    bool isDone() const { return m_done; } // answered, or the connection ended without an answer
    bool isAnswered() const { return m_done && m_response.status != 0; }
    const TestSupport::HttpResponse &response() const { return m_response; }
    qint64 elapsedMs() const { return m_doneAfterMs; } // from sending to done; -1 while not done
    QString error() const { return m_error; } // why there is no answer

    // Waits (event loop running) until this call is done; false on timeout.
    bool wait(int timeoutMs);

private:
    void consume(bool closed);

    QString m_id;
    QTcpSocket m_socket;
    QByteArray m_data;
    TestSupport::HttpResponse m_response;
    QElapsedTimer m_clock;
    qint64 m_doneAfterMs = -1;
    bool m_done = false;
    QString m_error;
};

// The gateway under test with a token and an MCP session (both made by open()).
class FaultGateway : public TestSupport::GatewayProcess
{
public:
    QByteArray token;
    QByteArray session;

    // start() on 127.0.0.1:0, then mint an admin token and open a session; false with errorString().
    bool open(int timeoutMs = 30000);
    QString openError() const { return m_openError; }
    QList<QByteArray> headers() const;

    std::unique_ptr<AsyncCall> callAsync(const QString &id, const QString &tool, const QJsonObject &arguments);
    // A call, waited for; response status 0 when no answer within TIMEOUTMS.
    TestSupport::HttpResponse call(const QString &id, const QString &tool, const QJsonObject &arguments,
                                   int timeoutMs = 60000, qint64 *elapsedMs = nullptr);

    // Approves the next pending approval (waits for it to be listed); the tool it was for, or empty.
    QString approveNext(int timeoutMs = 20000);

private:
    QString m_openError;
};

// A successful tool result: an HTTP answer with a JSON-RPC result that is not isError.
bool succeeded(const TestSupport::HttpResponse &r);
// The answer's text (tool result text or JSON-RPC error message), shortened for messages.
QString brief(const TestSupport::HttpResponse &r, int max = 400);

// Checks the audit log for the calls answered under IDS: each has at least one record; when one of its
// decision records let it run (allow / approved) it also has a result record. Empty when all is well,
// else one line per problem. Records that are not awaited before the answer (results, refusals) may reach
// the file a moment later: auditProblems() gives the log WAITMS to catch up; auditProblemsNow() does not.
QStringList auditProblems(const QString &auditPath, const QStringList &ids, int waitMs = 3000);
QStringList auditProblemsNow(const QString &auditPath, const QStringList &ids);

// `tailops-gateway audit verify --path PATH`: exit code and output.
std::pair<int, QByteArray> auditVerify(const QString &auditPath);

} // namespace Faults
