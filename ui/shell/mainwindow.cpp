#include "shell/mainwindow.h"

#include "http/httptransport.h"
#include "mcp/server.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Tailops::Ui {

MainWindow::MainWindow(Service::GatewayService &gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
{
    setWindowTitle(tr("TailOps Console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/tailops.svg")));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_state = new QLabel(central);
    QFont big = m_state->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_state->setFont(big);
    m_details = new QLabel(central);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_state);
    layout->addWidget(m_details);
    layout->addStretch();
    setCentralWidget(central);
    resize(640, 360);

    connect(&m_gateway.registry(), &Registry::TargetRegistry::targetsChanged, this, &MainWindow::refresh);
    connect(&m_gateway.server(), &Mcp::Server::toolCallFinished, this, [this] {
        ++m_calls;
        refresh();
    });
    refresh();
}

void MainWindow::setListenUrls(const QList<QUrl> &urls)
{
    m_urls = urls;
    if (auto *http = m_gateway.http()) {
        connect(http, &Http::HttpTransport::sessionOpened, this, &MainWindow::refresh, Qt::UniqueConnection);
        connect(http, &Http::HttpTransport::sessionClosed, this, &MainWindow::refresh, Qt::UniqueConnection);
    }
    refresh();
}

void MainWindow::setGatewayError(const QString &error)
{
    m_error = error;
    refresh();
}

void MainWindow::refresh()
{
    m_state->setText(m_error.isEmpty() ? tr("Gateway running") : tr("Gateway stopped"));
    QStringList lines;
    if (!m_error.isEmpty()) {
        lines.append(m_error);
    }
    for (const QUrl &url : m_urls) {
        lines.append(tr("Listening on %1").arg(url.toString()));
    }
    QStringList ids;
    for (const auto &t : m_gateway.registry().snapshot()->targets()) {
        ids.append(t.id);
    }
    lines.append(tr("Targets: %1").arg(ids.join(QStringLiteral(", "))));
    lines.append(tr("Sessions: %1").arg(m_gateway.http() ? m_gateway.http()->sessionCount() : 0));
    lines.append(tr("Tool calls: %1").arg(m_calls));
    m_details->setText(lines.join(u'\n'));
}

} // namespace Tailops::Ui
