#pragma once

#include "registry/target.h"

#include <QDialog>
#include <QHash>
#include <QSet>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace Tailops::Ui {

// Adds or edits one target. Every field is validated as it is typed; an error shows in the label next to the
// field (objectName FIELD + "Error", e.g. "hostError") and OK stays disabled until all fields are valid.
class TargetEditDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetEditDialog)

public:
    // EXISTINGIDS: ids already taken (the edited target's own id is allowed to stay).
    explicit TargetEditDialog(QSet<QString> existingIds, QWidget *parent = nullptr);

    // Fills the form from TARGET and remembers its id (editing); without it the dialog adds a target.
    void setTarget(const Registry::Target &target);
    QString originalId() const { return m_originalId; }
    bool isEditing() const { return !m_originalId.isEmpty(); }

    // The target as entered, or nullopt while a field is invalid.
    std::optional<Registry::Target> target() const;
    // Fields with a problem ("id", "executor", "host", "port", "username", "keyPath", "socketPath", "url", "tags").
    QStringList invalidFields() const;
    QString errorFor(const QString &field) const { return m_errors.value(field); }
    bool isValid() const { return m_errors.isEmpty(); }

    // Test and tour hook: sets a field by name as if typed ("id", "host", "port", "executor", ...).
    void setField(const QString &field, const QString &value);

private:
    void validate();
    QLabel *errorLabel(const QString &field);
    void updateVisibility();
    QString executorValue() const;

    QSet<QString> m_existingIds;
    QString m_originalId;
    Registry::Target m_original;
    QHash<QString, QString> m_errors;
    QHash<QString, QLabel *> m_errorLabels;
    QHash<QString, QWidget *> m_rows;

    QLineEdit *m_id = nullptr;
    QComboBox *m_executor = nullptr;
    QLineEdit *m_description = nullptr;
    QLineEdit *m_host = nullptr;
    QLineEdit *m_port = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_keyPath = nullptr;
    QLineEdit *m_socketPath = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_tags = nullptr;
    QListWidget *m_capabilities = nullptr;
    QSpinBox *m_timeout = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QComboBox *m_sudo = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QFormLayout *m_form = nullptr;
};

} // namespace Tailops::Ui
