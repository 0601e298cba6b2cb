#pragma once

#include "core/result.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace Tailops::Approvals {

class ApprovalBroker;

// The local admin socket: a unix socket only this user (and root) can use, speaking newline-delimited
// JSON, one request per line and one answer per line:
//   {"cmd":"list"}                                  -> {"ok":true,"pending":[...],"grants":[...],"denials":[...],
//                                                       "paused":false,"read_only":false}
//   {"cmd":"status"}                                -> {"ok":true,"paused":..,"read_only":..,"pending_count":N,..}
//   {"cmd":"approve","id":"3f9a1c","for_seconds":600}
//   {"cmd":"deny","id":"3f9a1c","remember":true,"reason":"not today"}
//   {"cmd":"pause"}, {"cmd":"resume"}, {"cmd":"read_only","on":true}
//   {"cmd":"revoke_grant","binding":"<hex>"}, {"cmd":"forget","binding":"<hex>"}
// Errors are {"ok":false,"error":"..."}; a line over 64 KiB is answered with an error and the connection
// closed. Decisions are recorded with the approver "admin-socket (uid N)". Never blocks the event loop.
class AdminServer : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype kMaxLineBytes = 64 * 1024;
    static constexpr int kMaxClients = 64;

    explicit AdminServer(ApprovalBroker *broker, QObject *parent = nullptr);
    ~AdminServer() override;

    // Listens on PATH: creates its directory (mode 0700) when missing and refuses one that is not owned by
    // this user or is group/world-writable; replaces a stale socket file nothing answers on (error "another
    // gateway is already listening on PATH" otherwise); the socket is made 0600. Returns the absolute path.
    Core::Result<QString> listen(const QString &path);
    void close(); // stops listening and removes the socket file
    bool isListening() const;
    QString path() const { return m_path; }
    int clientCount() const { return int(m_clients.size()); }

    // Runs one request as APPROVER would over the socket (the dispatch table); returns the answer.
    QJsonObject execute(const QJsonObject &request, const QString &approver);

Q_SIGNALS:
    // After each request: what was asked, by whom, and whether it succeeded (for the log or the audit).
    void commandHandled(const QString &command, const QString &approver, bool ok);

private:
    struct Client
    {
        QByteArray buffer;
        QString approver;
        bool closing = false;
    };
    using Handler = QJsonObject (AdminServer::*)(const QJsonObject &request, const QString &approver);

    void acceptConnections();
    void readClient(QLocalSocket *socket);
    void send(QLocalSocket *socket, const QJsonObject &answer);
    void refuseAndClose(QLocalSocket *socket, const QString &error);
    QJsonObject handleLine(const QByteArray &line, const QString &approver);

    QJsonObject cmdList(const QJsonObject &request, const QString &approver);
    QJsonObject cmdStatus(const QJsonObject &request, const QString &approver);
    QJsonObject cmdApprove(const QJsonObject &request, const QString &approver);
    QJsonObject cmdDeny(const QJsonObject &request, const QString &approver);
    QJsonObject cmdPause(const QJsonObject &request, const QString &approver);
    QJsonObject cmdResume(const QJsonObject &request, const QString &approver);
    QJsonObject cmdReadOnly(const QJsonObject &request, const QString &approver);
    QJsonObject cmdRevokeGrant(const QJsonObject &request, const QString &approver);
    QJsonObject cmdForget(const QJsonObject &request, const QString &approver);
    QJsonObject switches() const;

    static const QHash<QString, Handler> &handlers();

    QPointer<ApprovalBroker> m_broker;
    QLocalServer *m_server = nullptr;
    QHash<QLocalSocket *, Client> m_clients;
    QString m_path;
};

} // namespace Tailops::Approvals
