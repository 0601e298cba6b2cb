#include "connectivitypanel.h"

#include "connectivitymodel.h"
#include "connectivityrunner.h"
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace Tailops::Ui {

ConnectivityPanel::ConnectivityPanel(Service::GatewayService &gateway, ConnectivityRunner &runner, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_runner(runner)
{
    setObjectName(QStringLiteral("connectivityPanel"));
    m_model = new ConnectivityModel(m_gateway.registry(), m_runner, this);

    m_runAll = new QPushButton(tr("Run &all"), this);
    m_runAll->setObjectName(QStringLiteral("runAllButton"));
    m_runAll->setToolTip(tr("Check every target"));
    m_runSelected = new QPushButton(tr("Run &selected"), this);
    m_runSelected->setObjectName(QStringLiteral("runSelectedButton"));
    m_runSelected->setToolTip(tr("Check the selected targets"));
    m_runOne = new QPushButton(tr("Run &this target"), this);
    m_runOne->setObjectName(QStringLiteral("runOneButton"));
    m_runOne->setToolTip(tr("Check the current target only (also: double click a row)"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m checked"));
    m_progress->setTextVisible(true);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_runAll);
    buttons->addWidget(m_runSelected);
    buttons->addWidget(m_runOne);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_summary);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("matrixView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *runThis = new QAction(tr("Run this target"), m_view);
    connect(runThis, &QAction::triggered, this, [this] { runTarget(currentTargetId()); });
    m_view->addAction(runThis);
    auto *runSel = new QAction(tr("Run selected targets"), m_view);
    connect(runSel, &QAction::triggered, this, &ConnectivityPanel::runSelected);
    m_view->addAction(runSel);
    connect(m_view, &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { runTarget(index.data(ConnectivityModel::TargetIdRole).toString()); });

    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("detailsView"));
    m_details->setOpenLinks(false);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);

    connect(m_runAll, &QPushButton::clicked, this, &ConnectivityPanel::runAll);
    connect(m_runSelected, &QPushButton::clicked, this, &ConnectivityPanel::runSelected);
    connect(m_runOne, &QPushButton::clicked, this, [this] { runTarget(currentTargetId()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ConnectivityPanel::updateDetails);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ConnectivityPanel::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateDetails();
        updateButtons();
        updateProgress();
    });
    connect(&m_runner, &ConnectivityRunner::started, this, [this](const QStringList &ids) {
        if (m_batchDone >= m_batchTotal) {
            m_batchTotal = 0;
            m_batchDone = 0;
        }
        m_batchTotal += int(ids.size());
        updateProgress();
        updateDetails();
    });
    connect(&m_runner, &ConnectivityRunner::reportReady, this, [this] {
        m_batchDone = std::min(m_batchDone + 1, m_batchTotal);
        updateProgress();
        updateDetails();
    });
    connect(&m_runner, &ConnectivityRunner::finished, this, [this] {
        m_batchDone = m_batchTotal;
        updateProgress();
    });
    setTabOrder(m_runAll, m_runSelected);
    setTabOrder(m_runSelected, m_runOne);
    setTabOrder(m_runOne, m_view);
    setTabOrder(m_view, m_details);
    updateButtons();
    updateProgress();
    updateDetails();
}

void ConnectivityPanel::runAll()
{
    m_runner.run();
}

void ConnectivityPanel::runSelected()
{
    const QStringList ids = selectedTargetIds();
    if (!ids.isEmpty()) {
        m_runner.run(ids);
    }
}

void ConnectivityPanel::runTarget(const QString &id)
{
    if (!id.isEmpty()) {
        m_runner.run({ id });
    }
}

bool ConnectivityPanel::selectTarget(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        return false;
    }
    m_view->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

QStringList ConnectivityPanel::selectedTargetIds() const
{
    QStringList ids;
    for (const QModelIndex &row : m_view->selectionModel()->selectedRows()) {
        ids.append(m_model->targetAt(row.row()));
    }
    return ids;
}

QString ConnectivityPanel::currentTargetId() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? m_model->targetAt(current.row()) : QString();
}

void ConnectivityPanel::updateButtons()
{
    m_runSelected->setEnabled(!selectedTargetIds().isEmpty());
    m_runOne->setEnabled(!currentTargetId().isEmpty());
}

void ConnectivityPanel::updateProgress()
{
    m_progress->setRange(0, std::max(1, m_batchTotal));
    m_progress->setValue(m_batchTotal == 0 ? 0 : m_batchDone);
    m_progress->setVisible(m_batchTotal > 0);
    const int up = m_runner.upCount();
    const int down = m_runner.downCount();
    m_summary->setText(m_runner.isRunning() ? tr("Checking… %1 up, %2 down").arg(up).arg(down)
                                            : tr("%1 up, %2 down").arg(up).arg(down));
}

int ConnectivityPanel::progressValue() const
{
    return m_progress->value();
}

int ConnectivityPanel::progressMaximum() const
{
    return m_progress->maximum();
}

void ConnectivityPanel::updateDetails()
{
    const auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    const QString current = currentTargetId();
    QString html;
    if (!current.isEmpty()) {
        html += QStringLiteral("<h3>%1</h3>").arg(esc(current));
        if (m_runner.isChecking(current)) {
            html += tr("<p>Checking…</p>");
        }
        const auto report = m_runner.report(current);
        if (!report) {
            html += tr("<p>Not checked yet. Run the checks with <b>Run this target</b>.</p>");
        } else {
            html += QStringLiteral("<p>%1 (%2), checked %3</p>")
                        .arg(report->ok ? tr("<span style='color:#1b7f3b'><b>All checks passed</b></span>")
                                        : tr("<span style='color:#b71c1c'><b>Failed</b></span>"),
                             esc(report->executor), esc(QLocale().toString(m_runner.checkedAt(current), QLocale::ShortFormat)));
            html += QStringLiteral("<ul>");
            for (const auto &c : report->checks) {
                const QString latency = c.latencyMs >= 0 ? tr(" (%1 ms)").arg(c.latencyMs) : QString();
                if (c.ok) {
                    html += tr("<li><b>%1</b>: ok%2 — %3</li>").arg(esc(c.name), latency, esc(c.detail));
                } else {
                    html += tr("<li><b>%1</b>: <span style='color:#b71c1c'>failed</span>%2 — %3<br/><b>Cause:</b> %4<br/>"
                               "<b>Fix:</b> %5</li>")
                                .arg(esc(c.name), latency, esc(c.detail), esc(c.cause), esc(c.fix));
                }
            }
            html += QStringLiteral("</ul>");
        }
    } else {
        QString failures;
        for (const auto &t : m_gateway.registry().snapshot()->targets()) {
            const auto report = m_runner.report(t.id);
            if (!report) {
                continue;
            }
            for (const auto &c : report->checks) {
                if (!c.ok) {
                    failures += tr("<li><b>%1</b> %2: %3<br/><b>Cause:</b> %4<br/><b>Fix:</b> %5</li>")
                                    .arg(esc(t.id), esc(c.name), esc(c.detail), esc(c.cause), esc(c.fix));
                }
            }
        }
        html = failures.isEmpty() ? tr("<p>No failures. Select a target to see its checks.</p>")
                                  : tr("<h3>Failures</h3><ul>%1</ul>").arg(failures);
    }
    m_details->setHtml(html);
    updateButtons();
}

QString ConnectivityPanel::detailsText() const
{
    return m_details->toPlainText();
}

} // namespace Tailops::Ui
