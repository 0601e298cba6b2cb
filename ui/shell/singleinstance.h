#pragma once

#include <QObject>
#include <QStringList>

class QLocalServer;

namespace Tailops::Ui {

// One console per user and configuration: the first launch listens on a per-user local socket; a second
// launch hands its arguments to the first (which shows itself) and exits.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)

public:
    // KEY tells instances apart (the console passes its configuration directory).
    explicit SingleInstance(const QString &key, QObject *parent = nullptr);
    ~SingleInstance() override;

    // The socket name: user id and a hash of KEY.
    static QString socketName(const QString &key);

    // True: this is the first instance, now listening. False: another one answers on the socket.
    // A socket left behind by a crashed instance is taken over.
    bool claim();
    // Sends ARGUMENTS to the running instance; true once it acknowledged them.
    bool sendToPrimary(const QStringList &arguments, int timeoutMs = 3000) const;

Q_SIGNALS:
    // A later launch asked this instance to show itself, with its command-line arguments.
    void activated(const QStringList &arguments);

private:
    QString m_name;
    QLocalServer *m_server = nullptr;
};

} // namespace Tailops::Ui
