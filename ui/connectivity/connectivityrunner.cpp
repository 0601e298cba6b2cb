#include "connectivityrunner.h"

#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

namespace Tailops::Ui {

namespace {

// Checks wait on the network (connect timeouts of seconds): a pool of their own keeps them from starving the
// global pool, and lets several slow targets be checked at once.
QThreadPool &checkPool()
{
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool(QCoreApplication::instance());
        p->setMaxThreadCount(8);
        p->setExpiryTimeout(30000);
        return p;
    }();
    return *pool;
}

} // namespace

ConnectivityRunner::ConnectivityRunner(Service::GatewayService &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
{
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!isRunning()) {
            run();
        }
    });
    connect(&m_gateway.registry(), &Registry::TargetRegistry::targetsChanged, this, &ConnectivityRunner::onTargetsChanged);
}

ConnectivityRunner::~ConnectivityRunner()
{
    // Checks not started yet are dropped; those running end within their timeout (the pool waits for them).
    checkPool().clear();
}

void ConnectivityRunner::run(const QStringList &targetIds)
{
    const Registry::TargetSetPtr targets = m_gateway.registry().snapshot();
    QList<Registry::Target> chosen;
    if (targetIds.isEmpty()) {
        chosen = targets->targets();
    } else {
        for (const QString &id : targetIds) {
            if (const Registry::Target *t = targets->find(id)) {
                chosen.append(*t);
            }
        }
    }
    chosen.removeIf([this](const Registry::Target &t) { return m_inFlight.contains(t.id); });
    if (chosen.isEmpty()) {
        return;
    }
    Connectivity::CheckOptions options;
    options.ssh.knownHostsFile = m_gateway.config().knownHostsFile;
    options.timeoutMs = int(m_timeout.count());
    QStringList ids;
    for (const Registry::Target &t : std::as_const(chosen)) {
        ids.append(t.id);
        m_inFlight.insert(t.id);
    }
    Q_EMIT started(ids);
    QPointer<ConnectivityRunner> self(this);
    for (const Registry::Target &t : std::as_const(chosen)) {
        checkPool().start([self, t, options] {
            Connectivity::TargetReport report = Connectivity::checkTarget(t, options);
            // The pool is owned by the application object, which outlives every runner: the QPointer is read
            // on the GUI thread only.
            QMetaObject::invokeMethod(QCoreApplication::instance(), [self, report = std::move(report)] {
                if (self) {
                    self->onReport(report);
                }
            }, Qt::QueuedConnection);
        });
    }
}

void ConnectivityRunner::onReport(const Connectivity::TargetReport &report)
{
    m_inFlight.remove(report.target);
    m_reports.insert(report.target, report);
    m_checkedAt.insert(report.target, QDateTime::currentDateTime());
    Q_EMIT reportReady(report);
    if (m_inFlight.isEmpty()) {
        Q_EMIT finished();
    }
}

void ConnectivityRunner::onTargetsChanged()
{
    const Registry::TargetSetPtr targets = m_gateway.registry().snapshot();
    for (auto it = m_reports.begin(); it != m_reports.end();) {
        if (!targets->find(it.key())) {
            m_checkedAt.remove(it.key());
            it = m_reports.erase(it);
        } else {
            ++it;
        }
    }
}

std::optional<Connectivity::TargetReport> ConnectivityRunner::report(const QString &targetId) const
{
    const auto it = m_reports.constFind(targetId);
    if (it == m_reports.cend()) {
        return std::nullopt;
    }
    return *it;
}

QDateTime ConnectivityRunner::checkedAt(const QString &targetId) const
{
    return m_checkedAt.value(targetId);
}

int ConnectivityRunner::upCount() const
{
    const Registry::TargetSetPtr targets = m_gateway.registry().snapshot();
    int n = 0;
    for (const Registry::Target &t : targets->targets()) {
        const auto it = m_reports.constFind(t.id);
        n += it != m_reports.cend() && it->ok ? 1 : 0;
    }
    return n;
}

int ConnectivityRunner::downCount() const
{
    const Registry::TargetSetPtr targets = m_gateway.registry().snapshot();
    int n = 0;
    for (const Registry::Target &t : targets->targets()) {
        const auto it = m_reports.constFind(t.id);
        n += it != m_reports.cend() && !it->ok ? 1 : 0;
    }
    return n;
}

void ConnectivityRunner::setInterval(std::chrono::seconds interval)
{
    m_interval = interval;
    if (interval.count() <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(interval);
}

} // namespace Tailops::Ui
