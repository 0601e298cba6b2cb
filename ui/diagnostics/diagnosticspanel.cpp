#include "diagnosticspanel.h"

#include "diagnosticsmodel.h"
#include "service/gatewayservice.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QCoreApplication>
#include <QThreadPool>
#include <QVBoxLayout>

namespace Tailops::Ui {

using namespace Qt::StringLiterals;

DiagnosticsPanel::DiagnosticsPanel(Service::GatewayService &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(new DiagnosticsModel(this))
{
    setObjectName(u"diagnosticsPanel"_s);

    m_runAll = new QPushButton(tr("&Run all checks"), this);
    m_runAll->setObjectName(u"runAllButton"_s);
    m_runAll->setToolTip(tr("The same checks as tailops-gateway doctor, off the GUI thread"));
    m_section = new QComboBox(this);
    m_section->setObjectName(u"sectionCombo"_s);
    for (const Doctor::Section s : Doctor::allSections()) {
        m_section->addItem(Doctor::sectionName(s), int(s));
    }
    m_runSection = new QPushButton(tr("Run &section"), this);
    m_runSection->setObjectName(u"runSectionButton"_s);
    m_copyReport = new QPushButton(tr("Copy re&port"), this);
    m_copyReport->setObjectName(u"copyReportButton"_s);
    m_copyReport->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"progressBar"_s);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    m_summary = new QLabel(tr("Not run yet. The checks read the configuration, probe targets and verify the audit chain."), this);
    m_summary->setObjectName(u"summaryLabel"_s);
    m_summary->setWordWrap(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_runAll);
    bar->addWidget(m_section);
    bar->addWidget(m_runSection);
    bar->addWidget(m_progress);
    bar->addStretch();
    bar->addWidget(m_copyReport);

    m_table = new QTableView(this);
    m_table->setObjectName(u"checksTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(DiagnosticsModel::SectionColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(DiagnosticsModel::StatusColumn, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(DiagnosticsModel::CheckColumn, 200);
    m_table->setColumnWidth(DiagnosticsModel::DetailColumn, 360);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(u"detailsPane"_s);
    m_details->setReadOnly(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setPlaceholderText(tr("Select a check to see what was found and how to fix it."));
    m_copyFix = new QPushButton(tr("Copy &fix"), this);
    m_copyFix->setObjectName(u"copyFixButton"_s);
    m_copyFix->setEnabled(false);

    auto *detailsBox = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_details);
    auto *fixBar = new QHBoxLayout;
    fixBar->addStretch();
    fixBar->addWidget(m_copyFix);
    detailsLayout->addLayout(fixBar);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(detailsBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);

    setTabOrder(m_runAll, m_section);
    setTabOrder(m_section, m_runSection);
    setTabOrder(m_runSection, m_copyReport);
    setTabOrder(m_copyReport, m_table);
    setTabOrder(m_table, m_details);
    setTabOrder(m_details, m_copyFix);

    connect(m_runAll, &QPushButton::clicked, this, &DiagnosticsPanel::runAll);
    connect(m_runSection, &QPushButton::clicked, this, [this] {
        runSection(Doctor::Section(m_section->currentData().toInt()));
    });
    connect(m_copyReport, &QPushButton::clicked, this, &DiagnosticsPanel::copyReport);
    connect(m_copyFix, &QPushButton::clicked, this, &DiagnosticsPanel::copyFix);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DiagnosticsPanel::updateDetails);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DiagnosticsPanel::updateDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DiagnosticsPanel::updateDetails);
}

DiagnosticsPanel::~DiagnosticsPanel() = default;

void DiagnosticsPanel::runAll()
{
    start(Doctor::allSections());
}

void DiagnosticsPanel::runSection(Doctor::Section section)
{
    start({ section });
}

void DiagnosticsPanel::start(const QList<Doctor::Section> &sections)
{
    if (m_running) {
        return;
    }
    m_running = true;
    const quint64 run = ++m_run;
    if (sections.size() == Doctor::allSections().size()) {
        m_model->clear();
    }
    m_runAll->setEnabled(false);
    m_runSection->setEnabled(false);
    m_progress->setRange(0, 0); // busy: the number of checks depends on the targets
    m_progress->setVisible(true);
    m_summary->setText(tr("Running checks…"));
    Q_EMIT runStarted();

    Doctor::Options options = m_options;
    options.servedUrls = m_gateway.listenUrls();
    const QPointer<DiagnosticsPanel> self(this);
    options.progress = [self, run](const Doctor::CheckResult &result) {
        // Posted to the application, never to the panel: the panel may be deleted on the GUI thread meanwhile.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, run, result] {
                if (self) {
                    self->onResult(run, result);
                }
            },
            Qt::QueuedConnection);
    };
    const Config::GatewayConfig config = m_gateway.config();
    QThreadPool::globalInstance()->start([self, run, config, sections, options] {
        Doctor::runChecks(config, sections, options);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, run] {
                if (self) {
                    self->onFinished(run);
                }
            },
            Qt::QueuedConnection);
    });
}

void DiagnosticsPanel::onResult(quint64 run, const Doctor::CheckResult &result)
{
    if (run != m_run) {
        return;
    }
    m_model->addResult(result);
    const Doctor::Summary s = m_model->summary();
    m_summary->setText(tr("Running checks… %1 done, %2 failed").arg(m_model->rowCount()).arg(s.failed));
    Q_EMIT checkCompleted(result.id, int(result.status));
}

void DiagnosticsPanel::onFinished(quint64 run)
{
    if (run != m_run) {
        return;
    }
    m_running = false;
    m_runAll->setEnabled(true);
    m_runSection->setEnabled(true);
    m_copyReport->setEnabled(m_model->rowCount() > 0);
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    m_progress->setVisible(false);
    updateSummary();
    // Show the first failure (or warning) right away.
    int first = -1;
    for (const Doctor::Status wanted : { Doctor::Status::Failed, Doctor::Status::Warning }) {
        for (int row = 0; row < m_model->rowCount() && first < 0; ++row) {
            if (m_model->resultAt(row)->status == wanted) {
                first = row;
            }
        }
    }
    if (first >= 0 && !m_table->currentIndex().isValid()) {
        m_table->selectRow(first);
    }
    const Doctor::Summary s = m_model->summary();
    Q_EMIT runFinished(s.failed, s.warnings);
}

void DiagnosticsPanel::updateSummary()
{
    const Doctor::Summary s = m_model->summary();
    if (s.failed > 0) {
        m_summary->setText(tr("%1 check(s) failed, %2 warning(s), %3 ok, %4 skipped. Select a red row for its fix.")
                               .arg(s.failed).arg(s.warnings).arg(s.ok).arg(s.skipped));
    } else {
        m_summary->setText(tr("No failure: %1 ok, %2 warning(s), %3 skipped.").arg(s.ok).arg(s.warnings).arg(s.skipped));
    }
}

bool DiagnosticsPanel::selectCheck(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        return false;
    }
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
    updateDetails();
    return true;
}

void DiagnosticsPanel::updateDetails()
{
    const QModelIndex current = m_table->currentIndex();
    const Doctor::CheckResult *r = current.isValid() ? m_model->resultAt(current.row()) : nullptr;
    if (!r) {
        m_details->clear();
        m_copyFix->setEnabled(false);
        return;
    }
    QString text = QStringLiteral("%1 — %2 (%3)\n").arg(r->title, Doctor::statusMark(r->status), Doctor::sectionName(r->section));
    if (!r->where.isEmpty()) {
        text += tr("Where: %1\n").arg(r->where);
    }
    text += u'\n' + r->detail + u'\n';
    const bool hasFix = !r->fix.isEmpty() && r->status != Doctor::Status::Ok;
    if (hasFix) {
        text += u'\n' + tr("Fix:") + u'\n' + r->fix + u'\n';
    }
    text += u'\n' + tr("Check %1, %2 ms").arg(r->id).arg(r->durationMs);
    if (m_details->toPlainText() != text) {
        m_details->setPlainText(text);
    }
    m_copyFix->setEnabled(hasFix);
}

QString DiagnosticsPanel::detailsText() const
{
    return m_details->toPlainText();
}

QString DiagnosticsPanel::reportText() const
{
    return m_model->report();
}

void DiagnosticsPanel::copyReport()
{
    QApplication::clipboard()->setText(reportText());
}

void DiagnosticsPanel::copyFix()
{
    const QModelIndex current = m_table->currentIndex();
    if (const Doctor::CheckResult *r = current.isValid() ? m_model->resultAt(current.row()) : nullptr) {
        QApplication::clipboard()->setText(r->fix);
    }
}

} // namespace Tailops::Ui
