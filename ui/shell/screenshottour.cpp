#include "screenshottour.h"

#include "mainwindow.h"

#include <QDir>
#include <QGuiApplication>
#include <QMenu>
#include <QPixmap>
#include <QScreen>
#include <QTimer>

namespace Tailops::Ui {

ScreenshotTour::ScreenshotTour(MainWindow &window, QMenu *trayMenu, QString directory, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_trayMenu(trayMenu)
    , m_directory(std::move(directory))
{
}

void ScreenshotTour::start(int settleMs)
{
    m_settleMs = settleMs;
    if (!QDir().mkpath(m_directory)) {
        Q_EMIT finished({}, QStringLiteral("cannot create %1").arg(m_directory));
        return;
    }
    m_pending = m_window.panelIds();
    if (m_trayMenu) {
        m_pending.append(QStringLiteral("tray-menu"));
    }
    m_window.bringToFront();
    QTimer::singleShot(m_settleMs, this, &ScreenshotTour::next);
}

void ScreenshotTour::next()
{
    if (m_pending.isEmpty()) {
        Q_EMIT finished(m_files, m_error);
        return;
    }
    const QString name = m_pending.takeFirst();
    if (name == QStringLiteral("tray-menu")) {
        // The tray menu as it opens from the icon (top right under trayer).
        const QRect screen = QGuiApplication::primaryScreen()->geometry();
        m_trayMenu->popup(QPoint(screen.right() - m_trayMenu->sizeHint().width() - 8, 28));
        QTimer::singleShot(m_settleMs, this, [this, name] {
            capture(name);
            m_trayMenu->hide();
            next();
        });
        return;
    }
    m_window.showPanel(name);
    QTimer::singleShot(m_settleMs, this, [this, name] {
        capture(name);
        next();
    });
}

bool ScreenshotTour::capture(const QString &name)
{
    // The whole screen: the window and the tray icon. Offscreen there is no screen to grab: the window alone.
    QPixmap shot = QGuiApplication::primaryScreen()->grabWindow(0);
    if (shot.isNull() || QGuiApplication::platformName() == QStringLiteral("offscreen")) {
        shot = m_window.grab();
    }
    const QString file = QDir(m_directory).filePath(name + QStringLiteral(".png"));
    if (!shot.save(file)) {
        m_error = QStringLiteral("cannot write %1").arg(file);
        return false;
    }
    m_files.append(file);
    return true;
}

} // namespace Tailops::Ui
