#pragma once

#include "auth/tokenissuer.h"

#include "tokenresultdialog.h"

#include <QDialog>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

class TokenResultDialog;
class TokensModel;

// Tokens: a mint form (agent, scope checkboxes grouped by tier with read-only / admin presets, host tags, a TTL
// bounded by auth.max_token_ttl) whose result is shown once in a TokenResultDialog with ready-to-paste client
// setup, and the registry with last use and revoke. Minting and revoking touch files: both run off the GUI
// thread. Errors show inline next to the form.
class TokensPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokensPanel)

public:
    explicit TokensPanel(Service::GatewayService &gateway, QWidget *parent = nullptr);
    ~TokensPanel() override;

    TokensModel &model() { return *m_model; }

    // The form, for the screenshot tour and tests.
    void setAgent(const QString &agent);
    // Checks exactly SCOPES (meta scopes "readonly" and "admin" check their sets).
    void setScopes(const QStringList &scopes);
    QStringList checkedScopes() const;       // concrete scopes, as checked
    QStringList requestedScopes() const;     // what minting asks for: "readonly" / "admin" when a preset matches
    void setHostTags(const QString &commaSeparated);
    // "1h", "8h", "24h", "7d", "30d", or any other duration (the custom entry), or "never" where allowed.
    void setTtl(const QString &ttl);
    // The TTL the form stands for, or the reason it is refused.
    Core::Result<qint64> ttlSeconds() const;
    QString formError() const;

    // Mints from the form (as the Mint button does). Returns false, with the reason shown inline, when the
    // form is refused before anything is written.
    bool mint();
    bool isMinting() const { return m_minting; }
    // The dialog of the last token minted (null once closed).
    TokenResultDialog *resultDialog() const { return m_resultDialog; }

    // Selects token ID in the list; false when it is not listed.
    bool selectToken(const QString &id);
    QString selectedToken() const;
    // Asks to revoke the selected token (a confirmation dialog, open without a modal loop).
    void revokeSelected();
    QDialog *revokeConfirmation() const { return m_revokeDialog; }
    // Revokes ID now (no confirmation); the outcome arrives as tokenRevoked() or an inline error.
    void revoke(const QString &id, const QString &reason);

Q_SIGNALS:
    void tokenMinted(const QString &id);
    void mintFailed(const QString &error);
    void tokenRevoked(const QString &id);
    void revokeFailed(const QString &error);

private:
    void buildForm(QWidget *box);
    void buildList(QWidget *box);
    void applyPreset(const QStringList &scopes);
    void updateTtlState();
    void updateButtons();
    void showError(const QString &field, const QString &message);
    void onMinted(const Core::Result<Auth::IssuedToken> &result);

    Service::GatewayService &m_gateway;
    TokensModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;

    QLineEdit *m_agent = nullptr;
    QList<QCheckBox *> m_scopeBoxes;
    QLineEdit *m_hostTags = nullptr;
    QComboBox *m_ttl = nullptr;
    QLineEdit *m_customTtl = nullptr;
    QLabel *m_ttlHint = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_mintButton = nullptr;

    QTableView *m_table = nullptr;
    QCheckBox *m_showAll = nullptr;
    QPushButton *m_revokeButton = nullptr;
    QLabel *m_listStatus = nullptr;

    QPointer<TokenResultDialog> m_resultDialog;
    QPointer<QDialog> m_revokeDialog;
    bool m_minting = false;
};

} // namespace Tailops::Ui
