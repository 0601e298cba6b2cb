#include "tokenspanel.h"

#include "tokenresultdialog.h"
#include "tokensmodel.h"

#include "auth/scopes.h"
#include "config/duration.h"
#include "service/gatewayservice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMetaObject>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QCoreApplication>
#include <QThreadPool>
#include <QVBoxLayout>

namespace Tailops::Ui {

namespace {

struct TtlChoice
{
    const char *label;
    const char *value;
};
constexpr TtlChoice kTtlChoices[] = {
    { "1 hour", "1h" }, { "8 hours", "8h" }, { "24 hours", "24h" }, { "7 days", "7d" }, { "30 days", "30d" },
};
const QString kCustom = QStringLiteral("custom");
const QString kNever = QStringLiteral("never");

// Scopes grouped by what they allow: observe (read, diagnose, scan), control (write), admin.
int scopeTier(const QString &scope)
{
    if (scope.endsWith(u":admin")) {
        return 2;
    }
    if (scope.endsWith(u":write")) {
        return 1;
    }
    return 0;
}

QStringList concreteScopes()
{
    QStringList out;
    for (const QString &s : Auth::knownScopes()) {
        if (s.contains(u':')) {
            out.append(s);
        }
    }
    return out;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList expanded(const QString &meta)
{
    const QSet<QString> set = Auth::expandScopes({ meta });
    return sorted(QStringList(set.cbegin(), set.cend()));
}

} // namespace

TokensPanel::TokensPanel(Service::GatewayService &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(new TokensModel(gateway.config().tokensPath(), this))
{
    setObjectName(QStringLiteral("tokensPanel"));
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *formBox = new QGroupBox(QStringLiteral("Mint a token"), splitter);
    auto *listBox = new QGroupBox(QStringLiteral("Tokens"), splitter);
    buildForm(formBox);
    buildList(listBox);
    splitter->addWidget(formBox);
    splitter->addWidget(listBox);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter);
    updateTtlState();
    updateButtons();
}

TokensPanel::~TokensPanel() = default;

void TokensPanel::buildForm(QWidget *box)
{
    auto *form = new QFormLayout(box);

    m_agent = new QLineEdit(box);
    m_agent->setObjectName(QStringLiteral("tokenAgent"));
    m_agent->setPlaceholderText(QStringLiteral("who uses it, e.g. claude-desktop-laptop"));
    m_agent->setMaxLength(200);
    auto *agentLabel = new QLabel(QStringLiteral("&Agent:"), box);
    agentLabel->setBuddy(m_agent);
    form->addRow(agentLabel, m_agent);

    // Scopes by tier, with presets.
    auto *scopesWidget = new QWidget(box);
    auto *scopesLayout = new QVBoxLayout(scopesWidget);
    scopesLayout->setContentsMargins(0, 0, 0, 0);
    auto *presets = new QHBoxLayout;
    auto *readonly = new QPushButton(QStringLiteral("&Read-only"), scopesWidget);
    readonly->setObjectName(QStringLiteral("presetReadonly"));
    readonly->setToolTip(QStringLiteral("Check the *:read scopes (the \"readonly\" scope)"));
    auto *admin = new QPushButton(QStringLiteral("A&dmin (everything)"), scopesWidget);
    admin->setObjectName(QStringLiteral("presetAdmin"));
    auto *none = new QPushButton(QStringLiteral("C&lear"), scopesWidget);
    none->setObjectName(QStringLiteral("presetNone"));
    connect(readonly, &QPushButton::clicked, this, [this] { applyPreset(expanded(QStringLiteral("readonly"))); });
    connect(admin, &QPushButton::clicked, this, [this] { applyPreset(expanded(QStringLiteral("admin"))); });
    connect(none, &QPushButton::clicked, this, [this] { applyPreset({}); });
    presets->addWidget(readonly);
    presets->addWidget(admin);
    presets->addWidget(none);
    presets->addStretch(1);
    scopesLayout->addLayout(presets);
    auto *tiers = new QHBoxLayout;
    const QString tierNames[] = { QStringLiteral("Observe"), QStringLiteral("Control"), QStringLiteral("Admin") };
    const QString tierHints[] = { QStringLiteral("Read state, run diagnostics"),
                                  QStringLiteral("Change running state (restart containers, write files)"),
                                  QStringLiteral("Change the machine (packages, commands, security)") };
    const QStringList scopes = concreteScopes();
    for (int tier = 0; tier < 3; ++tier) {
        auto *group = new QGroupBox(tierNames[tier], scopesWidget);
        group->setObjectName(QStringLiteral("tier%1").arg(tierNames[tier]));
        group->setToolTip(tierHints[tier]);
        auto *v = new QVBoxLayout(group);
        for (const QString &scope : scopes) {
            if (scopeTier(scope) != tier) {
                continue;
            }
            auto *check = new QCheckBox(scope, group);
            check->setObjectName(QString(QStringLiteral("scope:") + scope));
            connect(check, &QCheckBox::toggled, this, &TokensPanel::updateButtons);
            m_scopeBoxes.append(check);
            v->addWidget(check);
        }
        v->addStretch(1);
        tiers->addWidget(group);
    }
    scopesLayout->addLayout(tiers);
    form->addRow(QStringLiteral("Scopes:"), scopesWidget);

    m_hostTags = new QLineEdit(box);
    m_hostTags->setObjectName(QStringLiteral("tokenHostTags"));
    m_hostTags->setPlaceholderText(QStringLiteral("any target; or comma-separated tags, e.g. lab, web"));
    auto *tagsLabel = new QLabel(QStringLiteral("&Host tags:"), box);
    tagsLabel->setBuddy(m_hostTags);
    form->addRow(tagsLabel, m_hostTags);

    auto *ttlRow = new QHBoxLayout;
    m_ttl = new QComboBox(box);
    m_ttl->setObjectName(QStringLiteral("tokenTtl"));
    for (const TtlChoice &c : kTtlChoices) {
        m_ttl->addItem(QString::fromLatin1(c.label), QString::fromLatin1(c.value));
    }
    m_ttl->addItem(QStringLiteral("Custom…"), kCustom);
    if (!m_gateway.config().requireExpiry) {
        m_ttl->addItem(QStringLiteral("No expiry"), kNever);
    }
    m_ttl->setCurrentIndex(1); // 8 hours, as `token mint`
    m_customTtl = new QLineEdit(box);
    m_customTtl->setObjectName(QStringLiteral("tokenCustomTtl"));
    m_customTtl->setPlaceholderText(QStringLiteral("e.g. 90m, 3d"));
    m_ttlHint = new QLabel(box);
    m_ttlHint->setObjectName(QStringLiteral("tokenTtlHint"));
    ttlRow->addWidget(m_ttl);
    ttlRow->addWidget(m_customTtl);
    ttlRow->addWidget(m_ttlHint, 1);
    auto *ttlLabel = new QLabel(QStringLiteral("&Lifetime:"), box);
    ttlLabel->setBuddy(m_ttl);
    form->addRow(ttlLabel, ttlRow);
    connect(m_ttl, &QComboBox::currentIndexChanged, this, &TokensPanel::updateTtlState);
    connect(m_customTtl, &QLineEdit::textChanged, this, &TokensPanel::updateTtlState);

    m_error = new QLabel(box);
    m_error->setObjectName(QStringLiteral("tokenError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: palette(highlighted-text); background: #b3261e; padding: 4px;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    form->addRow(m_error);

    m_mintButton = new QPushButton(QStringLiteral("&Mint token"), box);
    m_mintButton->setObjectName(QStringLiteral("mintButton"));
    m_mintButton->setDefault(true);
    connect(m_mintButton, &QPushButton::clicked, this, &TokensPanel::mint);
    connect(m_agent, &QLineEdit::textChanged, this, &TokensPanel::updateButtons);
    connect(m_agent, &QLineEdit::returnPressed, this, &TokensPanel::mint);
    form->addRow(QString(), m_mintButton);
}

void TokensPanel::buildList(QWidget *box)
{
    auto *v = new QVBoxLayout(box);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TokensModel::SortRole);
    m_proxy->setFilterRole(TokensModel::StatusRole);
    m_proxy->setFilterFixedString(QStringLiteral("active"));
    m_proxy->setFilterKeyColumn(TokensModel::StatusColumn);

    m_table = new QTableView(box);
    m_table->setObjectName(QStringLiteral("tokensTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(TokensModel::IssuedColumn, Qt::DescendingOrder);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TokensPanel::updateButtons);
    v->addWidget(m_table, 1);

    auto *row = new QHBoxLayout;
    m_showAll = new QCheckBox(QStringLiteral("Show &expired and revoked"), box);
    m_showAll->setObjectName(QStringLiteral("tokensShowAll"));
    connect(m_showAll, &QCheckBox::toggled, this, [this](bool all) {
        m_proxy->setFilterFixedString(all ? QString() : QStringLiteral("active"));
    });
    auto *refresh = new QPushButton(QStringLiteral("Re&fresh"), box);
    refresh->setObjectName(QStringLiteral("tokensRefresh"));
    connect(refresh, &QPushButton::clicked, m_model, &TokensModel::refresh);
    m_revokeButton = new QPushButton(QStringLiteral("Re&voke…"), box);
    m_revokeButton->setObjectName(QStringLiteral("revokeButton"));
    connect(m_revokeButton, &QPushButton::clicked, this, &TokensPanel::revokeSelected);
    m_listStatus = new QLabel(box);
    m_listStatus->setObjectName(QStringLiteral("tokensStatus"));
    m_listStatus->setWordWrap(true);
    row->addWidget(m_showAll);
    row->addWidget(m_listStatus, 1);
    row->addWidget(refresh);
    row->addWidget(m_revokeButton);
    v->addLayout(row);
    connect(m_model, &TokensModel::refreshed, this, [this] {
        m_listStatus->setText(m_model->error().isEmpty()
                                  ? QStringLiteral("Registry: %1").arg(m_model->tokensPath())
                                  : QStringLiteral("Cannot read the registry: %1").arg(m_model->error()));
        updateButtons();
    });
}

void TokensPanel::applyPreset(const QStringList &scopes)
{
    for (QCheckBox *box : std::as_const(m_scopeBoxes)) {
        box->setChecked(scopes.contains(box->text()));
    }
}

void TokensPanel::setAgent(const QString &agent)
{
    m_agent->setText(agent);
}

void TokensPanel::setScopes(const QStringList &scopes)
{
    const QSet<QString> set = Auth::expandScopes(scopes);
    applyPreset(QStringList(set.cbegin(), set.cend()));
}

QStringList TokensPanel::checkedScopes() const
{
    QStringList out;
    for (const QCheckBox *box : m_scopeBoxes) {
        if (box->isChecked()) {
            out.append(box->text());
        }
    }
    return out;
}

QStringList TokensPanel::requestedScopes() const
{
    const QStringList checked = sorted(checkedScopes());
    if (!checked.isEmpty() && checked == expanded(QStringLiteral("admin"))) {
        return { QStringLiteral("admin") };
    }
    if (!checked.isEmpty() && checked == expanded(QStringLiteral("readonly"))) {
        return { QStringLiteral("readonly") };
    }
    return checkedScopes();
}

void TokensPanel::setHostTags(const QString &commaSeparated)
{
    m_hostTags->setText(commaSeparated);
}

void TokensPanel::setTtl(const QString &ttl)
{
    const int i = m_ttl->findData(ttl);
    if (i >= 0) {
        m_ttl->setCurrentIndex(i);
        return;
    }
    m_ttl->setCurrentIndex(m_ttl->findData(kCustom));
    m_customTtl->setText(ttl);
}

Core::Result<qint64> TokensPanel::ttlSeconds() const
{
    const QString choice = m_ttl->currentData().toString();
    if (choice == kNever) {
        return qint64(0);
    }
    const QString text = choice == kCustom ? m_customTtl->text().trimmed() : choice;
    if (text.isEmpty()) {
        return Core::fail(QStringLiteral("enter a lifetime such as 90m or 3d"), QString(Auth::kIssueFieldTtl));
    }
    const auto ttl = Config::parseDuration(text);
    if (!ttl) {
        return Core::fail(ttl.error().message, QString(Auth::kIssueFieldTtl));
    }
    if (*ttl <= 0) {
        return Core::fail(QStringLiteral("must be longer than 0"), QString(Auth::kIssueFieldTtl));
    }
    const qint64 max = m_gateway.config().maxTokenTtlSeconds;
    if (*ttl > max) {
        return Core::fail(QStringLiteral("exceeds the maximum of %1 (auth.max_token_ttl)").arg(Auth::describeTokenTtl(max)),
                          QString(Auth::kIssueFieldTtl));
    }
    return *ttl;
}

void TokensPanel::updateTtlState()
{
    const bool custom = m_ttl->currentData().toString() == kCustom;
    m_customTtl->setVisible(custom);
    const qint64 max = m_gateway.config().maxTokenTtlSeconds;
    // Choices above the maximum stay visible but cannot be picked.
    for (int i = 0; i < m_ttl->count(); ++i) {
        const auto seconds = Config::parseDuration(m_ttl->itemData(i).toString());
        const bool tooLong = seconds && *seconds > max;
        if (auto *items = qobject_cast<QStandardItemModel *>(m_ttl->model())) {
            items->item(i)->setEnabled(!tooLong);
        }
    }
    const auto ttl = ttlSeconds();
    if (!ttl && (!custom || !m_customTtl->text().trimmed().isEmpty())) {
        m_ttlHint->setText(QString(QStringLiteral("Lifetime ") + ttl.error().message));
        m_ttlHint->setStyleSheet(QStringLiteral("color: #b3261e;"));
    } else {
        m_ttlHint->setText(QStringLiteral("at most %1").arg(Auth::describeTokenTtl(max)));
        m_ttlHint->setStyleSheet(QString());
    }
}

void TokensPanel::updateButtons()
{
    m_mintButton->setEnabled(!m_minting);
    const QString id = selectedToken();
    const int row = m_model->rowOf(id);
    const auto record = m_model->record(row);
    m_revokeButton->setEnabled(record && !record->isRevoked());
}

QString TokensPanel::formError() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void TokensPanel::showError(const QString &field, const QString &message)
{
    static const QHash<QString, QString> labels {
        { QString(Auth::kIssueFieldAgent), QStringLiteral("Agent: ") },
        { QString(Auth::kIssueFieldScopes), QStringLiteral("Scopes: ") },
        { QString(Auth::kIssueFieldHostTags), QStringLiteral("Host tags: ") },
        { QString(Auth::kIssueFieldTtl), QStringLiteral("Lifetime ") },
        { QString(Auth::kIssueFieldExpiry), QStringLiteral("A token without expiry ") },
    };
    if (message.isEmpty()) {
        m_error->clear();
        m_error->hide();
        return;
    }
    m_error->setText(QString(labels.value(field) + message));
    m_error->show();
    QWidget *focus = nullptr;
    if (field == Auth::kIssueFieldAgent) {
        focus = m_agent;
    } else if (field == Auth::kIssueFieldHostTags) {
        focus = m_hostTags;
    } else if (field == Auth::kIssueFieldTtl) {
        focus = m_customTtl->isVisible() ? static_cast<QWidget *>(m_customTtl) : m_ttl;
    } else if (field == Auth::kIssueFieldScopes && !m_scopeBoxes.isEmpty()) {
        focus = m_scopeBoxes.first();
    }
    if (focus && isVisible()) {
        focus->setFocus(Qt::OtherFocusReason);
    }
}

bool TokensPanel::mint()
{
    if (m_minting) {
        return false;
    }
    Auth::IssueRequest request;
    request.agent = m_agent->text().trimmed();
    request.scopes = requestedScopes();
    for (const QString &t : m_hostTags->text().split(u',', Qt::SkipEmptyParts)) {
        if (!t.trimmed().isEmpty()) {
            request.hostTags.append(t.trimmed());
        }
    }
    if (auto checked = Auth::checkIssueRequest(request); !checked) {
        showError(checked.error().where, checked.error().message);
        Q_EMIT mintFailed(formError());
        return false;
    }
    const auto ttl = ttlSeconds();
    if (!ttl) {
        showError(ttl.error().where, ttl.error().message);
        Q_EMIT mintFailed(formError());
        return false;
    }
    request.ttlSeconds = *ttl;
    showError({}, {});
    m_minting = true;
    updateButtons();
    QPointer<TokensPanel> self(this);
    QThreadPool::globalInstance()->start([self, config = m_gateway.config(), request] {
        auto result = Auth::issueToken(config, request);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, result = std::move(result)] {
                if (self) {
                    self->onMinted(result);
                }
            },
            Qt::QueuedConnection);
    });
    return true;
}

void TokensPanel::onMinted(const Core::Result<Auth::IssuedToken> &result)
{
    m_minting = false;
    updateButtons();
    if (!result) {
        showError(result.error().where, result.error().message);
        Q_EMIT mintFailed(formError());
        return;
    }
    if (m_resultDialog) {
        m_resultDialog->close();
    }
    auto *dialog = new TokenResultDialog(result->token, result->record.id, result->record.agent, m_gateway.listenUrls(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_resultDialog = dialog;
    dialog->open();
    m_model->refresh();
    Q_EMIT tokenMinted(result->record.id);
}

bool TokensPanel::selectToken(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        return false;
    }
    QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
        m_showAll->setChecked(true); // expired or revoked: show them
        index = m_proxy->mapFromSource(m_model->index(row, 0));
    }
    if (!index.isValid()) {
        return false;
    }
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    updateButtons();
    return true;
}

QString TokensPanel::selectedToken() const
{
    if (!m_table) {
        return {};
    }
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(TokensModel::TokenIdRole).toString();
}

void TokensPanel::revokeSelected()
{
    const QString id = selectedToken();
    const auto record = m_model->record(m_model->rowOf(id));
    if (!record || record->isRevoked()) {
        return;
    }
    if (m_revokeDialog) {
        m_revokeDialog->close();
    }
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("revokeConfirmation"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("Revoke token"));
    auto *v = new QVBoxLayout(dialog);
    auto *text = new QLabel(QStringLiteral("Revoke token <b>%1</b> of <b>%2</b>? The gateway refuses it from now on; "
                                           "clients using it must get a new one.")
                                .arg(id.toHtmlEscaped(), record->agent.toHtmlEscaped()),
                            dialog);
    text->setWordWrap(true);
    v->addWidget(text);
    auto *form = new QFormLayout;
    auto *reason = new QLineEdit(dialog);
    reason->setObjectName(QStringLiteral("revokeReason"));
    reason->setPlaceholderText(QStringLiteral("optional, e.g. leaked in a CI log"));
    auto *reasonLabel = new QLabel(QStringLiteral("&Reason:"), dialog);
    reasonLabel->setBuddy(reason);
    form->addRow(reasonLabel, reason);
    v->addLayout(form);
    auto *buttons = new QDialogButtonBox(dialog);
    auto *yes = buttons->addButton(QStringLiteral("&Revoke"), QDialogButtonBox::AcceptRole);
    yes->setObjectName(QStringLiteral("confirmRevoke"));
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    v->addWidget(buttons);
    connect(dialog, &QDialog::accepted, this, [this, id, reason] { revoke(id, reason->text().trimmed()); });
    m_revokeDialog = dialog;
    dialog->open();
}

void TokensPanel::revoke(const QString &id, const QString &reason)
{
    QPointer<TokensPanel> self(this);
    m_revokeButton->setEnabled(false);
    QThreadPool::globalInstance()->start([self, path = m_gateway.config().tokensPath(), id, reason] {
        auto result = Auth::TokenStore(path).revoke(id, reason, QDateTime::currentDateTimeUtc());
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, id, result = std::move(result)] {
                if (!self) {
                    return;
                }
                self->m_model->refresh();
                self->updateButtons();
                if (!result) {
                    self->m_listStatus->setText(QStringLiteral("Cannot revoke %1: %2").arg(id, result.error().toString()));
                    Q_EMIT self->revokeFailed(result.error().toString());
                    return;
                }
                self->m_listStatus->setText(result->alreadyRevoked ? QStringLiteral("Token %1 was already revoked.").arg(id)
                                                                   : QStringLiteral("Revoked token %1.").arg(id));
                Q_EMIT self->tokenRevoked(id);
            },
            Qt::QueuedConnection);
    });
}

} // namespace Tailops::Ui
