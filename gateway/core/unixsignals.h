#pragma once

#include <QObject>

class QSocketNotifier;

namespace Tailops::Core {

// Turns SIGTERM/SIGINT/SIGHUP into Qt signals (self-pipe), so shutdown and reload run on the event loop.
class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminateRequested(int signal);
    void reloadRequested();

private:
    void dispatch();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Tailops::Core
