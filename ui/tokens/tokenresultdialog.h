#pragma once

#include <QByteArray>
#include <QDialog>
#include <QList>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;
class QTabWidget;

namespace Tailops::Ui {

// Shows a freshly minted token once: the token with a Copy button, and tabs of ready-to-paste client setup
// (Claude Desktop, Claude Code, Cursor, other) for the gateway's URL. The token is wiped from the widgets
// when the dialog closes.
class TokenResultDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenResultDialog)

public:
    // URLS: where the gateway listens (the first is preselected; a combo offers the others).
    TokenResultDialog(QByteArray token, const QString &tokenId, const QString &agent, QList<QUrl> urls,
                      QWidget *parent = nullptr);
    ~TokenResultDialog() override;

    QByteArray token() const { return m_token; }
    QUrl url() const;
    // The setup text of client ID ("claude-desktop", "claude-code", "cursor", "generic").
    QString setupText(const QString &id) const;
    QTabWidget *tabs() const { return m_tabs; }

public Q_SLOTS:
    void copyToken();

Q_SIGNALS:
    void copied(const QString &what);

protected:
    void done(int result) override;

private:
    void rebuildTabs();

    QByteArray m_token;
    QList<QUrl> m_urls;
    QLineEdit *m_tokenEdit = nullptr;
    QComboBox *m_urlCombo = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_copiedLabel = nullptr;
};

} // namespace Tailops::Ui
