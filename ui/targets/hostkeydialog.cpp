#include "hostkeydialog.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QThreadPool>
#include <QVBoxLayout>

namespace Tailops::Ui {

HostKeyDialog::HostKeyDialog(Registry::Target target, Exec::SshOptions options, QWidget *parent)
    : QDialog(parent)
    , m_target(std::move(target))
    , m_options(std::move(options))
{
    setObjectName(QStringLiteral("hostKeyDialog"));
    setWindowTitle(tr("Host key of %1").arg(m_target.id));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    const auto value = [this](const QString &name) {
        auto *l = new QLabel(this);
        l->setObjectName(name);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        return l;
    };
    m_hostLabel = value(QStringLiteral("hostLabel"));
    m_hostLabel->setText(QStringLiteral("%1:%2").arg(m_target.host).arg(m_target.port > 0 ? m_target.port : 22));
    m_typeLabel = value(QStringLiteral("keyTypeLabel"));
    m_fingerprintLabel = value(QStringLiteral("fingerprintLabel"));
    m_fingerprintLabel->setStyleSheet(QStringLiteral("font-family: monospace;"));
    m_statusLabel = value(QStringLiteral("keyStatusLabel"));
    form->addRow(tr("Host:"), m_hostLabel);
    form->addRow(tr("Key type:"), m_typeLabel);
    form->addRow(tr("Fingerprint:"), m_fingerprintLabel);
    form->addRow(tr("Status:"), m_statusLabel);
    layout->addLayout(form);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("hostKeyMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_trustButton = buttons->addButton(tr("&Trust this key"), QDialogButtonBox::ActionRole);
    m_trustButton->setObjectName(QStringLiteral("trustKeyButton"));
    m_trustButton->setEnabled(false);
    connect(m_trustButton, &QPushButton::clicked, this, &HostKeyDialog::trust);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString HostKeyDialog::message() const
{
    return m_message->text();
}

void HostKeyDialog::fetch()
{
    if (m_busy) {
        return;
    }
    m_busy = true;
    m_trustButton->setEnabled(false);
    m_message->setText(tr("Connecting to %1…").arg(m_hostLabel->text()));
    QPointer<HostKeyDialog> self(this);
    QThreadPool::globalInstance()->start([self, target = m_target, options = m_options] {
        auto result = Exec::fetchHostKey(target, options);
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, result = std::move(result)] {
            if (!self) {
                return;
            }
            self->m_busy = false;
            if (!result) {
                self->showError(result.error().message);
                return;
            }
            self->m_info = *result;
            self->showInfo();
            Q_EMIT self->fetched();
        }, Qt::QueuedConnection);
    });
}

void HostKeyDialog::showInfo()
{
    const Exec::HostKeyInfo &i = *m_info;
    m_hostLabel->setText(i.hostPort);
    m_typeLabel->setText(i.keyType);
    m_fingerprintLabel->setText(i.fingerprint);
    m_statusLabel->setText(Exec::hostKeyStatusName(i.status));
    switch (i.status) {
    case Exec::HostKeyStatus::Known:
        m_statusLabel->setStyleSheet(QStringLiteral("color: #1b7f3b;"));
        m_message->setText(tr("This key is already trusted in %1.").arg(i.knownHostsFile));
        break;
    case Exec::HostKeyStatus::Unknown:
    case Exec::HostKeyStatus::OtherType:
        m_statusLabel->setStyleSheet(QStringLiteral("color: #9a6700;"));
        m_message->setText(tr("Compare the fingerprint with the host's own key (ssh-keygen -lf "
                              "/etc/ssh/ssh_host_ed25519_key.pub on the target) before trusting it. It will be "
                              "recorded in %1.")
                               .arg(i.knownHostsFile));
        break;
    case Exec::HostKeyStatus::Changed:
        m_statusLabel->setStyleSheet(QStringLiteral("color: #b71c1c; font-weight: bold;"));
        m_message->setText(tr("THE HOST KEY CHANGED. If the host was reinstalled, remove the old key first "
                              "(ssh-keygen -R '[%1]:%2' -f %3); otherwise treat it as an attack.")
                               .arg(m_target.host)
                               .arg(m_target.port > 0 ? m_target.port : 22)
                               .arg(i.knownHostsFile));
        break;
    }
    m_trustButton->setEnabled(i.status == Exec::HostKeyStatus::Unknown || i.status == Exec::HostKeyStatus::OtherType);
}

void HostKeyDialog::showError(const QString &message)
{
    m_message->setText(message);
    m_message->setStyleSheet(QStringLiteral("color: #b71c1c;"));
    Q_EMIT failed(message);
}

void HostKeyDialog::trust()
{
    if (m_busy || !m_info) {
        return;
    }
    m_busy = true;
    m_trustButton->setEnabled(false);
    m_message->setText(tr("Recording the key…"));
    QPointer<HostKeyDialog> self(this);
    QThreadPool::globalInstance()->start([self, target = m_target, options = m_options, fingerprint = m_info->fingerprint] {
        auto result = Exec::trustHostKey(target, options, fingerprint);
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, result = std::move(result)] {
            if (!self) {
                return;
            }
            self->m_busy = false;
            if (!result) {
                self->showError(result.error().message);
                return;
            }
            self->m_info->status = Exec::HostKeyStatus::Known;
            self->showInfo();
            self->m_message->setText(tr("Recorded %1 in %2.").arg(self->m_info->fingerprint, self->m_info->knownHostsFile));
            Q_EMIT self->trusted();
        }, Qt::QueuedConnection);
    });
}

} // namespace Tailops::Ui
