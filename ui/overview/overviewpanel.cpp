#include "overview/overviewpanel.h"

#include "approvals/approvalbroker.h"
#include "audit/auditlog.h"
#include "overview/activitystats.h"
#include "overview/sparkline.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QClipboard>
#include <QGridLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Tailops::Ui {

using namespace Qt::Literals::StringLiterals;

namespace {

QLabel *makeLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString timeText(const QDateTime &when)
{
    const QDateTime local = when.toLocalTime();
    return local.date() == QDate::currentDate() ? local.toString(u"HH:mm:ss"_s) : local.toString(u"yyyy-MM-dd HH:mm"_s);
}

} // namespace

OverviewPanel::OverviewPanel(Service::GatewayService &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_stats(new ActivityStats(gateway, this))
{
    setObjectName(u"overviewPanel"_s);

    // Gateway: state and listen URLs.
    auto *gatewayBox = new QGroupBox(tr("Gateway"), this);
    m_state = makeLabel(u"overviewState"_s, gatewayBox);
    QFont big = m_state->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_state->setFont(big);
    m_stateDetail = makeLabel(u"overviewStateDetail"_s, gatewayBox);
    m_stateDetail->setWordWrap(true);
    m_urls = makeLabel(u"overviewUrls"_s, gatewayBox);
    m_urls->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_copyUrls = new QPushButton(tr("&Copy URLs"), gatewayBox);
    m_copyUrls->setObjectName(u"overviewCopyUrls"_s);
    m_copyUrls->setToolTip(tr("Copy the MCP URLs to the clipboard"));
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_urls, 1);
    urlRow->addWidget(m_copyUrls, 0, Qt::AlignTop);
    auto *gatewayLayout = new QVBoxLayout(gatewayBox);
    gatewayLayout->addWidget(m_state);
    gatewayLayout->addWidget(m_stateDetail);
    gatewayLayout->addLayout(urlRow);

    // Attention: approvals and targets, as buttons that lead to their panels.
    auto *attentionBox = new QGroupBox(tr("Attention"), this);
    m_approvals = new QPushButton(attentionBox);
    m_approvals->setObjectName(u"overviewApprovals"_s);
    m_targets = new QPushButton(attentionBox);
    m_targets->setObjectName(u"overviewTargets"_s);
    auto *attentionLayout = new QVBoxLayout(attentionBox);
    attentionLayout->addWidget(m_approvals);
    attentionLayout->addWidget(m_targets);
    attentionLayout->addStretch();

    // Activity: calls per minute.
    auto *activityBox = new QGroupBox(tr("Calls, last %1 minutes").arg(ActivityStats::kMinutes), this);
    m_sparkline = new Sparkline(activityBox);
    m_sparkline->setObjectName(u"overviewSparkline"_s);
    m_callRate = makeLabel(u"overviewCallRate"_s, activityBox);
    m_callRate->setFont(big);
    m_callTotals = makeLabel(u"overviewCallTotals"_s, activityBox);
    auto *activityLayout = new QGridLayout(activityBox);
    activityLayout->addWidget(m_sparkline, 0, 0, 2, 1);
    activityLayout->addWidget(m_callRate, 0, 1);
    activityLayout->addWidget(m_callTotals, 1, 1);
    activityLayout->setColumnStretch(0, 1);

    // Sessions and their clients.
    auto *sessionsBox = new QGroupBox(tr("Clients"), this);
    m_sessions = makeLabel(u"overviewSessions"_s, sessionsBox);
    m_clients = new QTableWidget(0, 3, sessionsBox);
    m_clients->setObjectName(u"overviewClients"_s);
    m_clients->setHorizontalHeaderLabels({ tr("Agent"), tr("Client"), tr("Since") });
    m_clients->verticalHeader()->hide();
    m_clients->horizontalHeader()->setStretchLastSection(true);
    m_clients->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_clients->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *sessionsLayout = new QVBoxLayout(sessionsBox);
    sessionsLayout->addWidget(m_sessions);
    sessionsLayout->addWidget(m_clients);

    // Recent denials.
    auto *denialsBox = new QGroupBox(tr("Recent denials"), this);
    m_denials = new QTreeWidget(denialsBox);
    m_denials->setObjectName(u"overviewDenials"_s);
    m_denials->setRootIsDecorated(false);
    m_denials->setHeaderLabels({ tr("Time"), tr("Caller"), tr("Tool"), tr("Target"), tr("Reason") });
    m_denials->setAlternatingRowColors(true);
    m_openAudit = new QPushButton(tr("Open a&udit log"), denialsBox);
    m_openAudit->setObjectName(u"overviewOpenAudit"_s);
    auto *denialsLayout = new QVBoxLayout(denialsBox);
    denialsLayout->addWidget(m_denials);
    denialsLayout->addWidget(m_openAudit, 0, Qt::AlignRight);

    auto *layout = new QGridLayout(this);
    layout->addWidget(gatewayBox, 0, 0);
    layout->addWidget(attentionBox, 0, 1);
    layout->addWidget(activityBox, 1, 0, 1, 2);
    layout->addWidget(sessionsBox, 2, 0);
    layout->addWidget(denialsBox, 2, 1);
    layout->setColumnStretch(0, 1);
    layout->setColumnStretch(1, 1);
    layout->setRowStretch(2, 1);

    setTabOrder(m_copyUrls, m_approvals);
    setTabOrder(m_approvals, m_targets);
    setTabOrder(m_targets, m_clients);
    setTabOrder(m_clients, m_denials);
    setTabOrder(m_denials, m_openAudit);

    connect(m_copyUrls, &QPushButton::clicked, this, &OverviewPanel::copyListenUrls);
    connect(m_approvals, &QPushButton::clicked, this, &OverviewPanel::approvalsRequested);
    connect(m_targets, &QPushButton::clicked, this, &OverviewPanel::targetsRequested);
    connect(m_openAudit, &QPushButton::clicked, this, &OverviewPanel::auditRequested);
    connect(m_denials, &QTreeWidget::itemActivated, this, &OverviewPanel::auditRequested);

    connect(m_stats, &ActivityStats::activityChanged, this, &OverviewPanel::refreshActivity);
    connect(m_stats, &ActivityStats::sessionsChanged, this, &OverviewPanel::refreshSessions);
    connect(m_stats, &ActivityStats::denialsChanged, this, &OverviewPanel::refreshDenials);
    Approvals::ApprovalBroker &broker = m_gateway.approvals();
    connect(&broker, &Approvals::ApprovalBroker::requested, this, &OverviewPanel::refreshApprovals);
    connect(&broker, &Approvals::ApprovalBroker::decided, this, &OverviewPanel::refreshApprovals);
    connect(&broker, &Approvals::ApprovalBroker::switchesChanged, this, &OverviewPanel::refreshState);
    if (Audit::AuditLog *log = m_gateway.audit()) {
        connect(log, &Audit::AuditLog::failed, this, &OverviewPanel::refreshState);
    }
    connect(&m_gateway.registry(), &Registry::TargetRegistry::targetsChanged, this, &OverviewPanel::refreshTargets);
    refresh();
}

OverviewPanel::~OverviewPanel() = default;

void OverviewPanel::refresh()
{
    m_stats->attachTransport();
    refreshState();
    refreshActivity();
    refreshSessions();
    refreshDenials();
    refreshApprovals();
    refreshTargets();
}

void OverviewPanel::refreshState()
{
    const Approvals::ApprovalBroker &broker = m_gateway.approvals();
    const Audit::AuditLog *log = m_gateway.audit();
    const bool listening = !m_gateway.listenUrls().isEmpty();
    QStringList problems;
    QString state;
    QString color = u"#26a269"_s;
    if (log && log->isFailed()) {
        state = tr("Audit failing");
        problems.append(tr("The audit log cannot be written (%1): tool calls are refused until it recovers.")
                            .arg(log->failureReason()));
        color = u"#c01c28"_s;
    } else if (broker.isPaused()) {
        state = tr("Paused");
        problems.append(tr("The kill switch is on: every call waiting for approval, and every new one, is refused."));
        color = u"#c01c28"_s;
    } else if (broker.isReadOnly()) {
        state = tr("Read-only");
        color = u"#b35c00"_s;
    } else if (listening) {
        state = tr("Running");
    } else {
        state = tr("Not listening");
        color = u"#77767b"_s;
    }
    if (broker.isReadOnly()) {
        problems.append(tr("Read-only mode: tools that change a target are refused."));
    }
    if (!log) {
        problems.append(tr("The audit log is off."));
    }
    m_state->setText(state);
    m_state->setStyleSheet(u"color: %1;"_s.arg(color));
    m_stateDetail->setText(problems.join(u'\n'));
    m_stateDetail->setVisible(!problems.isEmpty());

    QStringList urls;
    for (const QUrl &url : m_gateway.listenUrls()) {
        QUrl mcp = url;
        if (mcp.path().isEmpty() || mcp.path() == u"/"_s) {
            mcp.setPath(u"/mcp"_s);
        }
        urls.append(mcp.toString());
    }
    m_urls->setText(urls.isEmpty() ? tr("Not listening on HTTP") : urls.join(u'\n'));
    m_copyUrls->setEnabled(!urls.isEmpty());
}

void OverviewPanel::copyListenUrls()
{
    if (!m_gateway.listenUrls().isEmpty()) {
        QGuiApplication::clipboard()->setText(m_urls->text());
    }
}

void OverviewPanel::refreshActivity()
{
    m_sparkline->setValues(m_stats->callsPerMinuteSeries());
    m_callRate->setText(tr("%n call(s)/min", nullptr, m_stats->callsLastMinute()));
    m_callTotals->setText(tr("%1 calls, %2 errors, %3 denials")
                              .arg(m_stats->calls())
                              .arg(m_stats->errors())
                              .arg(m_stats->denials()));
}

void OverviewPanel::refreshSessions()
{
    const QList<ActivityStats::SessionInfo> sessions = m_stats->sessions();
    m_sessions->setText(tr("%n session(s)", nullptr, int(sessions.size())));
    m_clients->setRowCount(int(sessions.size()));
    for (int row = 0; row < sessions.size(); ++row) {
        const ActivityStats::SessionInfo &s = sessions.at(row);
        const QStringList cells { s.agent, s.client.isEmpty() ? tr("(unnamed)") : s.client, timeText(s.since) };
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            item->setToolTip(column == 2 ? s.since.toString(Qt::ISODate) : tr("session %1").arg(s.id));
            m_clients->setItem(row, column, item);
        }
    }
}

void OverviewPanel::refreshDenials()
{
    m_denials->clear();
    for (const ActivityStats::Denial &d : m_stats->recentDenials()) {
        auto *item = new QTreeWidgetItem(m_denials, { timeText(d.time), d.caller, d.tool, d.target, d.reason });
        item->setToolTip(4, d.reason);
        item->setForeground(0, QColor(0xc0, 0x1c, 0x28));
    }
}

void OverviewPanel::refreshApprovals()
{
    const qsizetype pending = m_gateway.approvals().pending().size();
    m_approvals->setText(tr("&Approvals: %n pending", nullptr, int(pending)));
    m_approvals->setStyleSheet(pending > 0 ? u"font-weight: bold; color: #b35c00;"_s : QString());
    m_approvals->setToolTip(tr("Open the Approvals panel"));
}

void OverviewPanel::setTargetCounts(int up, int down, int unknown)
{
    m_up = std::max(0, up);
    m_down = std::max(0, down);
    m_unknown = std::max(0, unknown);
    refreshTargets();
}

void OverviewPanel::refreshTargets()
{
    int unknown = m_unknown;
    if (unknown < 0) {
        const auto snapshot = m_gateway.registry().snapshot();
        unknown = snapshot ? int(snapshot->size()) : 0;
    }
    m_targets->setText(tr("&Targets: %1 up, %2 down, %3 unknown").arg(m_up).arg(m_down).arg(unknown));
    m_targets->setStyleSheet(m_down > 0 ? u"font-weight: bold; color: #c01c28;"_s : QString());
    m_targets->setToolTip(tr("Open the Targets panel"));
}

QString OverviewPanel::stateText() const { return m_state->text(); }
QString OverviewPanel::sessionsText() const { return m_sessions->text(); }
QString OverviewPanel::callRateText() const { return m_callRate->text(); }
QString OverviewPanel::approvalsText() const { return m_approvals->text(); }
QString OverviewPanel::targetsText() const { return m_targets->text(); }

} // namespace Tailops::Ui
