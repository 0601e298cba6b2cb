#include "targeteditdialog.h"

#include "auth/scopes.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace Tailops::Ui {

namespace {

const QRegularExpression &idPattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    return re;
}

// Host names (RFC 1123 labels, '_' tolerated as ssh does) or IP literals; nothing a shell or ssh would
// read as syntax or an option.
bool isHostName(const QString &host)
{
    if (!Registry::isPlausibleHost(host)) {
        return false;
    }
    QString bare = host;
    if (bare.startsWith(u'[') && bare.endsWith(u']')) {
        bare = bare.mid(1, bare.size() - 2);
    }
    if (QHostAddress address; address.setAddress(bare)) {
        return true;
    }
    static const QRegularExpression name(QStringLiteral("^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\\.?$"));
    return name.match(host).hasMatch();
}

QString expandHome(const QString &path)
{
    return path.startsWith(QStringLiteral("~/")) ? QDir::homePath() + path.mid(1) : path;
}

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        if (const QString t = part.trimmed(); !t.isEmpty()) {
            out.append(t);
        }
    }
    return out;
}

} // namespace

TargetEditDialog::TargetEditDialog(QSet<QString> existingIds, QWidget *parent)
    : QDialog(parent)
    , m_existingIds(std::move(existingIds))
{
    setObjectName(QStringLiteral("targetEditDialog"));
    setWindowTitle(tr("Add target"));
    auto *form = new QFormLayout;
    m_form = form;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    const auto addRow = [&](const QString &field, const QString &label, QWidget *editor, QWidget *extra = nullptr) {
        auto *row = new QWidget(this);
        auto *box = new QVBoxLayout(row);
        box->setContentsMargins(0, 0, 0, 0);
        box->setSpacing(2);
        auto *line = new QHBoxLayout;
        line->addWidget(editor, 1);
        if (extra) {
            line->addWidget(extra);
        }
        box->addLayout(line);
        auto *error = new QLabel(row);
        error->setObjectName(field + QStringLiteral("Error"));
        error->setStyleSheet(QStringLiteral("color: #b71c1c;"));
        error->setWordWrap(true);
        error->hide();
        box->addWidget(error);
        m_errorLabels.insert(field, error);
        m_rows.insert(field, row);
        auto *labelWidget = new QLabel(label, this);
        labelWidget->setBuddy(editor);
        form->addRow(labelWidget, row);
    };
    const auto lineEdit = [this](const QString &name, const QString &placeholder = {}) {
        auto *e = new QLineEdit(this);
        e->setObjectName(name);
        e->setPlaceholderText(placeholder);
        connect(e, &QLineEdit::textChanged, this, &TargetEditDialog::validate);
        return e;
    };

    m_id = lineEdit(QStringLiteral("idEdit"), tr("web-1"));
    addRow(QStringLiteral("id"), tr("&Id:"), m_id);
    m_executor = new QComboBox(this);
    m_executor->setObjectName(QStringLiteral("executorCombo"));
    m_executor->addItem(tr("Local (this machine)"), QStringLiteral("local"));
    m_executor->addItem(tr("SSH"), QStringLiteral("ssh"));
    m_executor->addItem(tr("Docker"), QStringLiteral("docker"));
    m_executor->addItem(tr("HTTP endpoint"), QStringLiteral("http"));
    connect(m_executor, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibility();
        validate();
    });
    addRow(QStringLiteral("executor"), tr("&Type:"), m_executor);
    m_description = lineEdit(QStringLiteral("descriptionEdit"));
    addRow(QStringLiteral("description"), tr("&Description:"), m_description);
    m_host = lineEdit(QStringLiteral("hostEdit"), tr("host name or address"));
    addRow(QStringLiteral("host"), tr("&Host:"), m_host);
    m_port = lineEdit(QStringLiteral("portEdit"), tr("22"));
    addRow(QStringLiteral("port"), tr("&Port:"), m_port);
    m_username = lineEdit(QStringLiteral("usernameEdit"));
    addRow(QStringLiteral("username"), tr("&User:"), m_username);
    m_keyPath = lineEdit(QStringLiteral("keyPathEdit"), tr("~/.ssh/id_ed25519"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    browse->setObjectName(QStringLiteral("browseKeyButton"));
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Private key"), QDir::homePath() + QStringLiteral("/.ssh"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::fileSelected, m_keyPath, &QLineEdit::setText);
        dialog->open();
    });
    addRow(QStringLiteral("keyPath"), tr("Private &key:"), m_keyPath, browse);
    m_socketPath = lineEdit(QStringLiteral("socketPathEdit"), tr("/var/run/docker.sock"));
    addRow(QStringLiteral("socketPath"), tr("&Socket:"), m_socketPath);
    m_url = lineEdit(QStringLiteral("urlEdit"), tr("https://host:port/path"));
    addRow(QStringLiteral("url"), tr("U&RL:"), m_url);
    m_tags = lineEdit(QStringLiteral("tagsEdit"), tr("web, prod"));
    addRow(QStringLiteral("tags"), tr("T&ags:"), m_tags);
    m_capabilities = new QListWidget(this);
    m_capabilities->setObjectName(QStringLiteral("capabilitiesList"));
    for (const QString &scope : Auth::knownScopes()) {
        auto *item = new QListWidgetItem(scope, m_capabilities);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(scope.endsWith(QStringLiteral(":read")) ? Qt::Checked : Qt::Unchecked);
    }
    m_capabilities->setMaximumHeight(140);
    addRow(QStringLiteral("capabilities"), tr("&Capabilities:"), m_capabilities);
    m_timeout = new QSpinBox(this);
    m_timeout->setObjectName(QStringLiteral("timeoutSpin"));
    m_timeout->setRange(1, 86400);
    m_timeout->setValue(60);
    m_timeout->setSuffix(tr(" s"));
    addRow(QStringLiteral("timeout"), tr("Command &timeout:"), m_timeout);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setObjectName(QStringLiteral("concurrencySpin"));
    m_concurrency->setRange(1, 1024);
    m_concurrency->setValue(1);
    addRow(QStringLiteral("concurrency"), tr("C&oncurrency:"), m_concurrency);
    m_sudo = new QComboBox(this);
    m_sudo->setObjectName(QStringLiteral("sudoCombo"));
    m_sudo->addItems({ QStringLiteral("none"), QStringLiteral("limited"), QStringLiteral("full") });
    addRow(QStringLiteral("sudo"), tr("S&udo:"), m_sudo);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttons"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (isValid()) {
            accept();
        }
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    m_executor->setCurrentIndex(1);
    updateVisibility();
    validate();
}

QString TargetEditDialog::executorValue() const
{
    return m_executor->currentData().toString();
}

void TargetEditDialog::setTarget(const Registry::Target &t)
{
    m_original = t;
    m_originalId = t.id;
    setWindowTitle(tr("Edit target %1").arg(t.id));
    m_id->setText(t.id);
    m_executor->setCurrentIndex(std::max(0, m_executor->findData(Registry::executorName(t.executor))));
    m_description->setText(t.description);
    m_host->setText(t.host);
    m_port->setText(t.port > 0 ? QString::number(t.port) : QString());
    m_username->setText(t.username);
    m_keyPath->setText(t.keyPath);
    m_socketPath->setText(t.socketPath);
    m_url->setText(t.url);
    m_tags->setText(t.tags.join(QStringLiteral(", ")));
    for (int i = 0; i < m_capabilities->count(); ++i) {
        QListWidgetItem *item = m_capabilities->item(i);
        item->setCheckState(t.capabilities.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
    m_timeout->setValue(int(t.timeoutSeconds));
    m_concurrency->setValue(t.concurrency);
    m_sudo->setCurrentText(t.sudoPolicy);
    updateVisibility();
    validate();
}

void TargetEditDialog::setField(const QString &field, const QString &value)
{
    static const QHash<QString, QLineEdit *TargetEditDialog::*> edits {
        { QStringLiteral("id"), &TargetEditDialog::m_id },
        { QStringLiteral("description"), &TargetEditDialog::m_description },
        { QStringLiteral("host"), &TargetEditDialog::m_host },
        { QStringLiteral("port"), &TargetEditDialog::m_port },
        { QStringLiteral("username"), &TargetEditDialog::m_username },
        { QStringLiteral("keyPath"), &TargetEditDialog::m_keyPath },
        { QStringLiteral("socketPath"), &TargetEditDialog::m_socketPath },
        { QStringLiteral("url"), &TargetEditDialog::m_url },
        { QStringLiteral("tags"), &TargetEditDialog::m_tags },
    };
    if (const auto it = edits.constFind(field); it != edits.cend()) {
        (this->*(*it))->setText(value);
    } else if (field == u"executor") {
        m_executor->setCurrentIndex(m_executor->findData(value));
    } else if (field == u"sudo") {
        m_sudo->setCurrentText(value);
    } else if (field == u"timeout") {
        m_timeout->setValue(value.toInt());
    } else if (field == u"concurrency") {
        m_concurrency->setValue(value.toInt());
    }
}

void TargetEditDialog::updateVisibility()
{
    const QString e = executorValue();
    const bool ssh = e == u"ssh";
    const bool docker = e == u"docker";
    const bool http = e == u"http";
    const auto show = [this](const QString &field, bool visible) {
        QWidget *row = m_rows.value(field);
        row->setVisible(visible);
        if (QWidget *label = m_form->labelForField(row)) {
            label->setVisible(visible);
        }
    };
    show(QStringLiteral("host"), ssh || docker);
    show(QStringLiteral("port"), ssh);
    show(QStringLiteral("username"), ssh);
    show(QStringLiteral("keyPath"), ssh);
    show(QStringLiteral("socketPath"), docker);
    show(QStringLiteral("url"), docker || http);
}

QLabel *TargetEditDialog::errorLabel(const QString &field)
{
    return m_errorLabels.value(field);
}

void TargetEditDialog::validate()
{
    if (!m_buttons) {
        return; // still building the form
    }
    QHash<QString, QString> errors;
    const QString e = executorValue();
    const QString id = m_id->text().trimmed();
    if (id.isEmpty()) {
        errors.insert(QStringLiteral("id"), tr("Give the target an id."));
    } else if (!idPattern().match(id).hasMatch()) {
        errors.insert(QStringLiteral("id"), tr("Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
    } else if (id != m_originalId && m_existingIds.contains(id)) {
        errors.insert(QStringLiteral("id"), tr("A target named '%1' already exists.").arg(id));
    }
    if (e.isEmpty()) {
        errors.insert(QStringLiteral("executor"), tr("Choose a type."));
    }
    const QString host = m_host->text().trimmed();
    if (e == u"ssh" || e == u"docker") {
        if (e == u"ssh" && host.isEmpty()) {
            errors.insert(QStringLiteral("host"), tr("An SSH target needs a host."));
        } else if (!host.isEmpty() && !isHostName(host)) {
            errors.insert(QStringLiteral("host"), tr("'%1' is not a valid host name or address.").arg(host));
        }
    }
    if (e == u"ssh") {
        const QString port = m_port->text().trimmed();
        bool ok = true;
        const int value = port.isEmpty() ? 22 : port.toInt(&ok);
        if (!ok || value < 1 || value > 65535) {
            errors.insert(QStringLiteral("port"), tr("The port must be a number from 1 to 65535."));
        }
        const QString user = m_username->text().trimmed();
        if (!user.isEmpty() && (user.startsWith(u'-') || user.contains(QRegularExpression(QStringLiteral("[\\s@:;'\"`$\\\\]"))))) {
            errors.insert(QStringLiteral("username"), tr("'%1' is not a valid user name.").arg(user));
        }
        const QString key = m_keyPath->text().trimmed();
        if (!key.isEmpty()) {
            const QFileInfo info(expandHome(key));
            if (!info.exists()) {
                errors.insert(QStringLiteral("keyPath"), tr("%1 does not exist.").arg(key));
            } else if (!info.isFile() || !info.isReadable()) {
                errors.insert(QStringLiteral("keyPath"), tr("%1 is not a readable file.").arg(key));
            }
        }
    }
    if (e == u"docker") {
        const QString socket = m_socketPath->text().trimmed();
        const QString url = m_url->text().trimmed();
        if (!socket.isEmpty() && !socket.startsWith(u'/')) {
            errors.insert(QStringLiteral("socketPath"), tr("The socket must be an absolute path."));
        }
        if (socket.isEmpty() && host.isEmpty() && url.isEmpty()) {
            errors.insert(QStringLiteral("socketPath"), tr("A Docker target needs a socket, a host or a URL."));
        }
        if (!url.isEmpty() && !url.startsWith(QStringLiteral("tcp://")) && !url.startsWith(QStringLiteral("unix://"))
            && !url.startsWith(QStringLiteral("http://")) && !url.startsWith(QStringLiteral("https://"))) {
            errors.insert(QStringLiteral("url"), tr("Use tcp://HOST:PORT, unix:///PATH, http:// or https://."));
        }
    }
    if (e == u"http") {
        const QString url = m_url->text().trimmed();
        const QUrl parsed(url, QUrl::StrictMode);
        if (url.isEmpty()) {
            errors.insert(QStringLiteral("url"), tr("An HTTP target needs a URL."));
        } else if (!parsed.isValid() || (parsed.scheme() != u"http" && parsed.scheme() != u"https") || parsed.host().isEmpty()
                   || !isHostName(parsed.host())) {
            errors.insert(QStringLiteral("url"), tr("'%1' is not an http:// or https:// URL with a host.").arg(url));
        }
    }
    for (const QString &tag : splitList(m_tags->text())) {
        if (tag.contains(QRegularExpression(QStringLiteral("\\s")))) {
            errors.insert(QStringLiteral("tags"), tr("Tags are separated by commas and hold no spaces ('%1').").arg(tag));
            break;
        }
    }
    m_errors = errors;
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        const QString message = errors.value(it.key());
        it.value()->setText(message);
        it.value()->setVisible(!message.isEmpty());
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(errors.isEmpty());
}

QStringList TargetEditDialog::invalidFields() const
{
    QStringList fields = m_errors.keys();
    fields.sort();
    return fields;
}

std::optional<Registry::Target> TargetEditDialog::target() const
{
    if (!isValid()) {
        return std::nullopt;
    }
    Registry::Target t = isEditing() ? m_original : Registry::Target {};
    const QString e = executorValue();
    t.id = m_id->text().trimmed();
    t.line = 0;
    const QString previous = Registry::executorName(t.executor);
    if (!isEditing() || previous != e) {
        t.type = e == u"ssh" ? QStringLiteral("remote") : e;
    }
    t.executor = e == u"ssh" ? Registry::Executor::Ssh
        : e == u"docker"     ? Registry::Executor::Docker
        : e == u"http"       ? Registry::Executor::Http
                             : Registry::Executor::Local;
    t.description = m_description->text().trimmed();
    const bool ssh = t.executor == Registry::Executor::Ssh;
    const bool docker = t.executor == Registry::Executor::Docker;
    t.host = ssh || docker ? m_host->text().trimmed() : QString();
    t.port = ssh ? (m_port->text().trimmed().isEmpty() ? 22 : m_port->text().trimmed().toInt()) : 0;
    t.username = ssh ? m_username->text().trimmed() : QString();
    t.keyPath = ssh ? expandHome(m_keyPath->text().trimmed()) : QString();
    t.socketPath = docker ? m_socketPath->text().trimmed() : QString();
    t.url = docker || t.executor == Registry::Executor::Http ? m_url->text().trimmed() : QString();
    t.tags = splitList(m_tags->text());
    t.capabilities.clear();
    for (int i = 0; i < m_capabilities->count(); ++i) {
        if (m_capabilities->item(i)->checkState() == Qt::Checked) {
            t.capabilities.append(m_capabilities->item(i)->text());
        }
    }
    t.timeoutSeconds = m_timeout->value();
    t.concurrency = m_concurrency->value();
    t.sudoPolicy = m_sudo->currentText();
    return t;
}

} // namespace Tailops::Ui
