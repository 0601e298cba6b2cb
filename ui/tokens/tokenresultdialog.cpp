#include "tokenresultdialog.h"

#include "clientsetup.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Tailops::Ui {

TokenResultDialog::TokenResultDialog(QByteArray token, const QString &tokenId, const QString &agent, QList<QUrl> urls,
                                     QWidget *parent)
    : QDialog(parent)
    , m_token(std::move(token))
    , m_urls(std::move(urls))
{
    setObjectName(QStringLiteral("tokenResultDialog"));
    setWindowTitle(QStringLiteral("New token for %1").arg(agent));
    auto *layout = new QVBoxLayout(this);

    auto *warning = new QLabel(QStringLiteral("<b>Copy the token now: it is shown only once.</b> The registry keeps "
                                              "only its hash (token id %1); revoke it in the list if it leaks.")
                                   .arg(tokenId.toHtmlEscaped()),
                               this);
    warning->setWordWrap(true);
    layout->addWidget(warning);

    auto *tokenRow = new QHBoxLayout;
    m_tokenEdit = new QLineEdit(QString::fromLatin1(m_token), this);
    m_tokenEdit->setObjectName(QStringLiteral("mintedToken"));
    m_tokenEdit->setReadOnly(true);
    m_tokenEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tokenEdit->setAccessibleName(QStringLiteral("Token"));
    auto *copy = new QPushButton(QStringLiteral("&Copy token"), this);
    copy->setObjectName(QStringLiteral("copyToken"));
    connect(copy, &QPushButton::clicked, this, &TokenResultDialog::copyToken);
    tokenRow->addWidget(m_tokenEdit, 1);
    tokenRow->addWidget(copy);
    layout->addLayout(tokenRow);

    auto *form = new QFormLayout;
    m_urlCombo = new QComboBox(this);
    m_urlCombo->setObjectName(QStringLiteral("setupUrl"));
    for (const QUrl &u : std::as_const(m_urls)) {
        m_urlCombo->addItem(mcpEndpoint(u).toString());
    }
    if (m_urls.isEmpty()) {
        m_urlCombo->addItem(QStringLiteral("http://127.0.0.1:8080/mcp"));
        m_urlCombo->setToolTip(QStringLiteral("The gateway is not listening: this is the default address."));
    }
    m_urlCombo->setEnabled(m_urlCombo->count() > 1);
    form->addRow(QStringLiteral("Gateway &URL:"), m_urlCombo);
    layout->addLayout(form);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("clientSetupTabs"));
    layout->addWidget(m_tabs, 1);
    connect(m_urlCombo, &QComboBox::currentIndexChanged, this, &TokenResultDialog::rebuildTabs);

    m_copiedLabel = new QLabel(this);
    m_copiedLabel->setObjectName(QStringLiteral("copiedLabel"));
    layout->addWidget(m_copiedLabel);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    rebuildTabs();
    resize(720, 460);
}

TokenResultDialog::~TokenResultDialog() = default;

QUrl TokenResultDialog::url() const
{
    return QUrl(m_urlCombo->currentText());
}

void TokenResultDialog::rebuildTabs()
{
    const int current = m_tabs->currentIndex();
    while (m_tabs->count() > 0) {
        QWidget *w = m_tabs->widget(0);
        m_tabs->removeTab(0);
        w->deleteLater();
    }
    for (const ClientSetup &setup : clientSetups(url(), m_token)) {
        auto *page = new QWidget;
        page->setObjectName(setup.id);
        auto *v = new QVBoxLayout(page);
        auto *where = new QLabel(setup.where, page);
        where->setWordWrap(true);
        v->addWidget(where);
        auto *text = new QPlainTextEdit(setup.text, page);
        text->setObjectName(QString(setup.id + QStringLiteral("-text")));
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        v->addWidget(text, 1);
        auto *copy = new QPushButton(QStringLiteral("Cop&y %1 setup").arg(setup.title), page);
        copy->setObjectName(QString(setup.id + QStringLiteral("-copy")));
        connect(copy, &QPushButton::clicked, this, [this, body = setup.text, title = setup.title] {
            QGuiApplication::clipboard()->setText(body);
            m_copiedLabel->setText(QStringLiteral("%1 setup copied to the clipboard.").arg(title));
            Q_EMIT copied(title);
        });
        v->addWidget(copy, 0, Qt::AlignRight);
        m_tabs->addTab(page, setup.title);
    }
    if (current >= 0) {
        m_tabs->setCurrentIndex(current);
    }
}

QString TokenResultDialog::setupText(const QString &id) const
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->objectName() == id) {
            if (const auto *text = m_tabs->widget(i)->findChild<QPlainTextEdit *>()) {
                return text->toPlainText();
            }
        }
    }
    return {};
}

void TokenResultDialog::copyToken()
{
    QGuiApplication::clipboard()->setText(QString::fromLatin1(m_token));
    m_copiedLabel->setText(QStringLiteral("Token copied to the clipboard."));
    Q_EMIT copied(QStringLiteral("token"));
}

void TokenResultDialog::done(int result)
{
    // Shown once: nothing of the token stays in the widgets once the dialog is closed.
    m_tokenEdit->clear();
    for (auto *text : findChildren<QPlainTextEdit *>()) {
        text->clear();
    }
    m_token.fill('\0');
    m_token.clear();
    QDialog::done(result);
}

} // namespace Tailops::Ui
