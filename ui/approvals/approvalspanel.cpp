#include "approvalspanel.h"

#include "approvalsmodel.h"

#include "approvals/approvalbroker.h"
#include "service/gatewayservice.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <pwd.h>
#include <unistd.h>

namespace Tailops::Ui {

ApprovalsPanel::ApprovalsPanel(Service::GatewayService &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(new ApprovalsModel(gateway.approvals(), &gateway.server(), this))
{
    setObjectName(QStringLiteral("approvalsPanel"));
    auto *layout = new QVBoxLayout(this);

    m_empty = new QLabel(QStringLiteral("No calls are waiting for approval. Calls that policy.yaml sends for approval "
                                        "(require_approval rules, packages, raw commands) appear here."),
                         this);
    m_empty->setObjectName(QStringLiteral("approvalsEmpty"));
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("approvalsTable"));
    // Connected before the view is: the view moves the selection to the next row inside its own handler.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] { m_removing = true; });
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    splitter->addWidget(m_table);

    auto *detailsBox = new QGroupBox(QStringLiteral("Request"), splitter);
    auto *dv = new QVBoxLayout(detailsBox);
    m_details = new QPlainTextEdit(detailsBox);
    m_details->setObjectName(QStringLiteral("approvalDetails"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setAccessibleName(QStringLiteral("Request details"));
    dv->addWidget(m_details, 1);

    auto *buttons = new QHBoxLayout;
    m_approve = new QPushButton(QStringLiteral("&Approve"), detailsBox);
    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setToolTip(QStringLiteral("Let this call run (Ctrl+Return)"));
    m_approveFor = new QPushButton(QStringLiteral("Approve &for"), detailsBox);
    m_approveFor->setObjectName(QStringLiteral("approveForButton"));
    m_approveFor->setToolTip(QStringLiteral("Let this call run, and identical calls without asking for the minutes given"));
    m_minutes = new QSpinBox(detailsBox);
    m_minutes->setObjectName(QStringLiteral("grantMinutes"));
    m_minutes->setRange(1, 24 * 60);
    m_minutes->setValue(10);
    m_minutes->setSuffix(QStringLiteral(" min"));
    m_minutes->setAccessibleName(QStringLiteral("Grant minutes"));
    m_deny = new QPushButton(QStringLiteral("&Deny"), detailsBox);
    m_deny->setObjectName(QStringLiteral("denyButton"));
    m_deny->setToolTip(QStringLiteral("Refuse this call (Ctrl+Delete)"));
    m_remember = new QCheckBox(QStringLiteral("&Remember"), detailsBox);
    m_remember->setObjectName(QStringLiteral("denyRemember"));
    m_remember->setToolTip(QStringLiteral("Deny identical calls at once from now on (until the gateway restarts)"));
    m_reason = new QLineEdit(detailsBox);
    m_reason->setObjectName(QStringLiteral("denyReason"));
    m_reason->setPlaceholderText(QStringLiteral("reason for the caller (optional)"));
    buttons->addWidget(m_approve);
    buttons->addSpacing(12);
    buttons->addWidget(m_approveFor);
    buttons->addWidget(m_minutes);
    buttons->addSpacing(24);
    buttons->addWidget(m_deny);
    buttons->addWidget(m_remember);
    buttons->addWidget(m_reason, 1);
    dv->addLayout(buttons);

    m_status = new QLabel(detailsBox);
    m_status->setObjectName(QStringLiteral("approvalStatus"));
    m_status->setWordWrap(true);
    dv->addWidget(m_status);
    splitter->addWidget(detailsBox);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    connect(m_approve, &QPushButton::clicked, this, &ApprovalsPanel::approveSelected);
    connect(m_approveFor, &QPushButton::clicked, this, &ApprovalsPanel::approveSelectedFor);
    connect(m_deny, &QPushButton::clicked, this, &ApprovalsPanel::denySelected);
    auto *approveKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    approveKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(approveKey, &QShortcut::activated, this, &ApprovalsPanel::approveSelected);
    auto *denyKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Delete), this);
    denyKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(denyKey, &QShortcut::activated, this, &ApprovalsPanel::denySelected);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (const QString id = selectedRequest(); !id.isEmpty() && !m_removing) {
            m_shown = id;
            arm(true); // chosen by the user (a request the panel picks itself is disarmed right after)
        }
        updateDetails();
        updateButtons();
    });
    m_armTimer = new QTimer(this);
    m_armTimer->setSingleShot(true);
    m_armTimer->setInterval(kArmDelayMs);
    connect(m_armTimer, &QTimer::timeout, this, [this] { arm(true); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (selectedRequest().isEmpty() && m_shown.isEmpty() && m_model->rowCount() > 0) {
            // Shown at once, approvable only after a moment: the click may have been aimed at something else.
            selectRow(m_model->index(0, 0).data(ApprovalsModel::ApprovalIdRole).toString());
            arm(false);
            m_armTimer->start();
        }
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] {
        m_removing = false;
        if (!m_shown.isEmpty() && m_model->rowOf(m_shown) < 0) {
            // Decided elsewhere (CLI, admin socket, timeout) or here: nothing else takes its place by itself (the
            // view moves its selection to the next row; that is undone here).
            if (m_shown != m_decidedHere) {
                setStatus(QStringLiteral("Request %1 was decided elsewhere or timed out; select the next one.").arg(m_shown), false);
            }
            m_shown.clear();
            m_table->selectionModel()->clearSelection();
        }
        updateDetails();
        updateButtons();
    });
    connect(m_model, &ApprovalsModel::ticked, this, &ApprovalsPanel::updateDetails);
    if (m_model->rowCount() > 0) {
        showRequest(m_model->index(0, 0).data(ApprovalsModel::ApprovalIdRole).toString());
    }
    updateDetails();
    updateButtons();
}

ApprovalsPanel::~ApprovalsPanel() = default;

QString ApprovalsPanel::approverName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *pw = ::getpwuid(::getuid())) {
            user = QString::fromLocal8Bit(pw->pw_name);
        }
    }
    return QStringLiteral("console (%1)").arg(user.isEmpty() ? QStringLiteral("uid %1").arg(::getuid()) : user);
}

bool ApprovalsPanel::showRequest(const QString &id)
{
    if (m_model->rowOf(id) < 0) {
        return false;
    }
    selectRow(id);
    m_armTimer->stop();
    arm(true);
    return true;
}

void ApprovalsPanel::selectRow(const QString &id)
{
    const QModelIndex index = m_model->index(m_model->rowOf(id), 0);
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    m_shown = id;
    updateDetails();
    updateButtons();
}

void ApprovalsPanel::arm(bool armed)
{
    m_armed = armed;
    updateButtons();
}

QString ApprovalsPanel::selectedRequest() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ApprovalsModel::ApprovalIdRole).toString();
}

QString ApprovalsPanel::detailsText() const
{
    return m_details->toPlainText();
}

QString ApprovalsPanel::statusText() const
{
    return m_status->text();
}

void ApprovalsPanel::setGrantMinutes(int minutes)
{
    m_minutes->setValue(minutes);
}

void ApprovalsPanel::setRemember(bool remember)
{
    m_remember->setChecked(remember);
}

void ApprovalsPanel::setDenyReason(const QString &reason)
{
    m_reason->setText(reason);
}

void ApprovalsPanel::updateDetails()
{
    const int row = m_model->rowOf(selectedRequest());
    const auto r = m_model->request(row);
    m_empty->setVisible(m_model->rowCount() == 0);
    if (!r) {
        m_details->setPlainText(m_model->rowCount() == 0 ? QString() : QStringLiteral("Select a request."));
        return;
    }
    const QString risk = m_model->riskText(r->tool);
    QString text = QStringLiteral("Request   %1\nCaller    %2\nTool      %3\nTarget    %4\nRisk      %5\nRule      %6\n"
                                  "Reason    %7\nAsked     %8\nTime left %9 s\n\nArguments (exactly as the call has them):\n")
                       .arg(r->id, r->caller, r->tool, r->target.isEmpty() ? QStringLiteral("-") : r->target,
                            risk.isEmpty() ? QStringLiteral("unknown") : risk, r->rule.isEmpty() ? QStringLiteral("-") : r->rule,
                            r->reason, QLocale().toString(r->requested.toLocalTime(), QLocale::ShortFormat))
                       .arg(m_model->remainingSeconds(row));
    text += QString::fromUtf8(QJsonDocument(r->arguments).toJson(QJsonDocument::Indented)).trimmed();
    if (m_details->toPlainText() != text) {
        const int scroll = m_details->verticalScrollBar() ? m_details->verticalScrollBar()->value() : 0;
        m_details->setPlainText(text);
        if (m_details->verticalScrollBar()) {
            m_details->verticalScrollBar()->setValue(scroll);
        }
    }
}

void ApprovalsPanel::updateButtons()
{
    const bool selected = !selectedRequest().isEmpty();
    m_approve->setEnabled(selected && m_armed);
    m_approveFor->setEnabled(selected && m_armed);
    m_deny->setEnabled(selected);
}

void ApprovalsPanel::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b3261e;") : QString());
}

bool ApprovalsPanel::approveSelected()
{
    return approve(0);
}

bool ApprovalsPanel::approveSelectedFor()
{
    return approve(m_minutes->value());
}

bool ApprovalsPanel::approve(int grantMinutes)
{
    const QString id = selectedRequest();
    if (id.isEmpty()) {
        return false;
    }
    if (!m_armed) {
        setStatus(QStringLiteral("Request %1 just arrived: read it, then approve.").arg(id), true);
        return false;
    }
    m_decidedHere = id;
    if (auto done = m_gateway.approvals().approve(id, qint64(grantMinutes) * 60, approverName()); !done) {
        setStatus(done.error().toString(), true);
        return false;
    }
    setStatus(grantMinutes > 0 ? QStringLiteral("Approved %1; identical calls pass without asking for %2 min.").arg(id).arg(grantMinutes)
                               : QStringLiteral("Approved %1.").arg(id),
              false);
    Q_EMIT requestDecided(id, true);
    return true;
}

bool ApprovalsPanel::denySelected()
{
    const QString id = selectedRequest();
    if (id.isEmpty()) {
        return false;
    }
    m_decidedHere = id;
    const bool remember = m_remember->isChecked();
    if (auto done = m_gateway.approvals().deny(id, remember, approverName(), m_reason->text().trimmed()); !done) {
        setStatus(done.error().toString(), true);
        return false;
    }
    setStatus(remember ? QStringLiteral("Denied %1; identical calls are denied from now on.").arg(id)
                       : QStringLiteral("Denied %1.").arg(id),
              false);
    m_reason->clear();
    m_remember->setChecked(false);
    Q_EMIT requestDecided(id, false);
    return true;
}

} // namespace Tailops::Ui
