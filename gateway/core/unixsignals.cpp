#include "unixsignals.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace Tailops::Core {

namespace {

int g_fds[2] = { -1, -1 };

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto n = ::write(g_fds[0], &byte, 1);
}

} // namespace

UnixSignals::UnixSignals(QObject *parent)
    : QObject(parent)
{
    if (g_fds[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0) {
        return;
    }
    m_notifier = new QSocketNotifier(qintptr(g_fds[1]), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignals::dispatch);
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int s : { SIGTERM, SIGINT, SIGHUP }) {
        ::sigaction(s, &action, nullptr);
    }
    ::signal(SIGPIPE, SIG_IGN);
}

UnixSignals::~UnixSignals()
{
    for (int s : { SIGTERM, SIGINT, SIGHUP }) {
        ::signal(s, SIG_DFL);
    }
}

void UnixSignals::dispatch()
{
    char byte = 0;
    if (::read(g_fds[1], &byte, 1) != 1) {
        return;
    }
    if (byte == SIGHUP) {
        Q_EMIT reloadRequested();
    } else {
        Q_EMIT terminateRequested(byte);
    }
}

} // namespace Tailops::Core
