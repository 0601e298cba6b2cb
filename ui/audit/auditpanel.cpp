#include "audit/auditpanel.h"

#include "audit/auditfiles.h"
#include "audit/auditfiltermodel.h"
#include "audit/auditlog.h"
#include "audit/auditmodel.h"
#include "service/gatewayservice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QThreadPool>
#include <QVBoxLayout>

#include <algorithm>

namespace Tailops::Ui {

using namespace Qt::Literals::StringLiterals;

namespace {

// Runs FN on the application's thread if CONTEXT still exists then (posted from a worker thread).
template<typename Fn>
void postBack(const QPointer<QObject> &context, Fn fn)
{
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [context, fn = std::move(fn)]() mutable {
            if (context) {
                fn();
            }
        },
        Qt::QueuedConnection);
}

} // namespace

AuditPanel::AuditPanel(Service::GatewayService &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
{
    setObjectName(u"auditPanel"_s);
    m_model = new AuditModel(m_gateway.audit(), this);
    m_filter = new AuditFilterModel(this);
    m_filter->setSourceModel(m_model);

    m_search = new QLineEdit(this);
    m_search->setObjectName(u"auditSearch"_s);
    m_search->setPlaceholderText(tr("caller, tool, target, error…"));
    m_search->setClearButtonEnabled(true);
    auto *searchLabel = new QLabel(tr("&Search:"), this);
    searchLabel->setBuddy(m_search);

    m_decision = new QComboBox(this);
    m_decision->setObjectName(u"auditDecision"_s);
    m_decision->addItem(tr("All decisions"), int(AuditFilterModel::DecisionFilter::Any));
    m_decision->addItem(tr("Allowed"), int(AuditFilterModel::DecisionFilter::Allowed));
    m_decision->addItem(tr("Denied"), int(AuditFilterModel::DecisionFilter::Denied));
    m_decision->addItem(tr("Approval required"), int(AuditFilterModel::DecisionFilter::Pending));
    m_decision->addItem(tr("Startup and recovery"), int(AuditFilterModel::DecisionFilter::System));
    auto *decisionLabel = new QLabel(tr("&Decision:"), this);
    decisionLabel->setBuddy(m_decision);

    m_errorsOnly = new QCheckBox(tr("&Errors only"), this);
    m_errorsOnly->setObjectName(u"auditErrorsOnly"_s);

    m_verify = new QPushButton(tr("&Verify chain"), this);
    m_verify->setObjectName(u"auditVerify"_s);
    m_verify->setToolTip(tr("Check the hash chain of the audit log and its rotated files"));
    m_export = new QPushButton(tr("E&xport…"), this);
    m_export->setObjectName(u"auditExport"_s);
    m_export->setToolTip(tr("Write every record of the log to a CSV or JSON Lines file"));

    auto *filters = new QHBoxLayout;
    filters->addWidget(searchLabel);
    filters->addWidget(m_search, 1);
    filters->addWidget(decisionLabel);
    filters->addWidget(m_decision);
    filters->addWidget(m_errorsOnly);
    filters->addSpacing(12);
    filters->addWidget(m_verify);
    filters->addWidget(m_export);

    m_table = new QTableView(this);
    m_table->setObjectName(u"auditTable"_s);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const int charWidth = m_table->fontMetrics().averageCharWidth();
    m_table->setColumnWidth(AuditModel::TimeColumn, charWidth * 21);
    m_table->setColumnWidth(AuditModel::CallerColumn, charWidth * 16);
    m_table->setColumnWidth(AuditModel::ToolColumn, charWidth * 20);
    m_table->setColumnWidth(AuditModel::TargetColumn, charWidth * 14);
    m_table->setColumnWidth(AuditModel::DecisionColumn, charWidth * 20);
    m_table->setColumnWidth(AuditModel::DurationColumn, charWidth * 10);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(u"auditDetails"_s);
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select a record to see it in full, redacted as it was logged."));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    m_count = new QLabel(this);
    m_count->setObjectName(u"auditCount"_s);
    m_status = new QLabel(this);
    m_status->setObjectName(u"auditStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *footer = new QHBoxLayout;
    footer->addWidget(m_status, 1);
    footer->addWidget(m_count);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    layout->addLayout(footer);

    setTabOrder(m_search, m_decision);
    setTabOrder(m_decision, m_errorsOnly);
    setTabOrder(m_errorsOnly, m_verify);
    setTabOrder(m_verify, m_export);
    setTabOrder(m_export, m_table);
    setTabOrder(m_table, m_details);

    connect(m_search, &QLineEdit::textChanged, m_filter, &AuditFilterModel::setSearchText);
    connect(m_decision, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setDecisionFilter(AuditFilterModel::DecisionFilter(m_decision->currentData().toInt()));
    });
    connect(m_errorsOnly, &QCheckBox::toggled, m_filter, &AuditFilterModel::setErrorsOnly);
    connect(m_verify, &QPushButton::clicked, this, [this] { verifyChain(); });
    connect(m_export, &QPushButton::clicked, this, &AuditPanel::chooseExportFile);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditPanel::onSelectionChanged);
    connect(m_filter, &QAbstractItemModel::dataChanged, this, &AuditPanel::onSelectionChanged);

    // Follow new rows while the view is at the bottom; stop when the user scrolls up.
    QScrollBar *bar = m_table->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_following = value >= bar->maximum(); });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        if (m_following) {
            bar->setValue(max);
        }
    });
    for (const auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved }) {
        connect(m_filter, signal, this, &AuditPanel::updateCount);
    }
    connect(m_filter, &QAbstractItemModel::modelReset, this, &AuditPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &AuditPanel::updateCount);
    connect(m_model, &AuditModel::loaded, this, [this](int, const QString &error) {
        if (!error.isEmpty()) {
            showStatus(tr("Could not read the audit log: %1").arg(error), true);
        } else if (m_status->property("loading").toBool()) {
            showStatus({}, false);
        }
        m_status->setProperty("loading", false);
    });

    if (!m_gateway.audit()) {
        showStatus(tr("The audit log is not open: tool calls are not recorded (see audit in gateway.yaml)."), true);
        m_verify->setEnabled(false);
        m_export->setEnabled(false);
    } else if (m_model->isLoading()) {
        m_status->setProperty("loading", true);
        showStatus(tr("Reading %1…").arg(m_model->logPath()), false);
    }
    updateCount();
}

AuditPanel::~AuditPanel() = default;

bool AuditPanel::selectRow(int row)
{
    if (row < 0 || row >= m_filter->rowCount()) {
        return false;
    }
    const QModelIndex index = m_filter->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void AuditPanel::onSelectionChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const QString text = m_model->detailsText(m_filter->mapToSource(current).row());
    if (text != m_details->toPlainText()) {
        m_details->setPlainText(text);
    }
}

void AuditPanel::updateCount()
{
    m_count->setText(tr("%1 of %2 records").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

void AuditPanel::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #c01c28;"_s : QString());
}

void AuditPanel::setBusy(bool busy)
{
    m_busy = busy;
    const bool enabled = !busy && m_gateway.audit();
    m_verify->setEnabled(enabled);
    m_export->setEnabled(enabled);
}

void AuditPanel::verifyChain(const QString &logPath)
{
    const QString path = logPath.isEmpty() ? m_model->logPath() : logPath;
    if (path.isEmpty() || m_busy) {
        const QString why = path.isEmpty() ? tr("The audit log is not open.") : tr("Busy: wait for the running check.");
        showStatus(why, true);
        Q_EMIT verifyFinished(false, why);
        return;
    }
    setBusy(true);
    showStatus(tr("Verifying the chain of %1…").arg(path), false);
    const QPointer<QObject> self(this);
    QThreadPool::globalInstance()->start([self, path] {
        Audit::VerifyReport report;
        // The writer may be halfway through a line of the live file: look again before calling it torn.
        for (int attempt = 0; attempt < 5; ++attempt) {
            report = Audit::verifyAuditLog(path);
            if (report.ok || report.kind != Audit::Breakage::TornLine) {
                break;
            }
            QThread::msleep(50);
        }
        postBack(self, [self, report] { static_cast<AuditPanel *>(self.data())->onVerified(report); });
    });
}

void AuditPanel::onVerified(const Audit::VerifyReport &report)
{
    setBusy(false);
    m_lastReport = report;
    const QString summary = report.ok ? tr("Chain intact: %n record(s) verified.", nullptr, int(report.records))
                                      : tr("Chain broken at record %1: %2").arg(report.brokenRecord).arg(report.message);
    showStatus(summary, !report.ok);
    Q_EMIT verifyFinished(report.ok, summary);
}

void AuditPanel::chooseExportFile()
{
    QString selected;
    const QString csv = tr("CSV (*.csv)");
    const QString jsonl = tr("JSON Lines, with hashes (*.jsonl)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the audit log"), u"audit-export.csv"_s,
                                                      csv + u";;"_s + jsonl, &selected);
    if (path.isEmpty()) {
        return;
    }
    const bool isJsonl = selected == jsonl || path.endsWith(u".jsonl"_s, Qt::CaseInsensitive);
    exportTo(path, isJsonl ? Audit::ExportFormat::Jsonl : Audit::ExportFormat::Csv);
}

void AuditPanel::exportTo(const QString &path, Audit::ExportFormat format)
{
    const QString logPath = m_model->logPath();
    if (logPath.isEmpty() || m_busy) {
        const QString why = logPath.isEmpty() ? tr("The audit log is not open.") : tr("Busy: wait for the running check.");
        showStatus(why, true);
        Q_EMIT exportFinished(false, 0, why);
        return;
    }
    // Never over the log itself: QSaveFile would rename the export over it and the writer would go on
    // appending to the replaced file.
    const QFileInfo target(path);
    const QStringList logFiles = Audit::auditFiles(logPath);
    const QString targetPath = target.exists() ? target.canonicalFilePath() : target.absoluteFilePath();
    const bool isLogFile = target.absoluteFilePath() == QFileInfo(logPath).absoluteFilePath()
        || Audit::activeAuditPath(targetPath) == QFileInfo(logPath).absoluteFilePath()
        || targetPath == QFileInfo(Audit::auditHeadPath(logPath)).absoluteFilePath()
        || std::any_of(logFiles.cbegin(), logFiles.cend(), [&](const QString &f) { return QFileInfo(f).canonicalFilePath() == targetPath; });
    if (isLogFile) {
        const QString why = tr("%1 is part of the audit log itself: export to another file.").arg(path);
        showStatus(why, true);
        Q_EMIT exportFinished(false, 0, why);
        return;
    }
    setBusy(true);
    showStatus(tr("Exporting to %1…").arg(path), false);
    const QPointer<QObject> self(this);
    QThreadPool::globalInstance()->start([self, path, logPath, format] {
        QSaveFile out(path);
        qint64 written = 0;
        qint64 skipped = 0;
        QString error;
        if (!out.open(QIODevice::WriteOnly)) {
            error = out.errorString();
        } else if (auto result = Audit::exportAudit(Audit::auditFiles(logPath), {}, format, out, &skipped); !result) {
            out.cancelWriting();
            error = result.error().toString();
        } else if (!out.commit()) {
            error = out.errorString();
        } else {
            written = *result;
        }
        postBack(self, [self, path, written, skipped, error] {
            auto *panel = static_cast<AuditPanel *>(self.data());
            panel->setBusy(false);
            QString message;
            if (!error.isEmpty()) {
                message = tr("Export to %1 failed: %2").arg(path, error);
            } else {
                message = tr("Exported %n record(s) to %1.", nullptr, int(written)).arg(path);
                if (skipped > 0) {
                    message += u' ' + tr("%n line(s) that are not records were skipped.", nullptr, int(skipped));
                }
            }
            panel->showStatus(message, !error.isEmpty());
            Q_EMIT panel->exportFinished(error.isEmpty(), written, message);
        });
    });
}

} // namespace Tailops::Ui
