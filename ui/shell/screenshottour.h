#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace Tailops::Ui {

class MainWindow;

// Walks the console through every panel and saves a PNG of each (the whole screen, so the tray shows too)
// into a directory: what scripts/screenshots.sh runs under Xvfb to make docs/screenshots/.
class ScreenshotTour final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTour)

public:
    ScreenshotTour(MainWindow &window, QMenu *trayMenu, QString directory, QObject *parent = nullptr);

    // Each panel is shown for SETTLEMS before it is captured (live data arrives meanwhile).
    void start(int settleMs = 1500);

Q_SIGNALS:
    void finished(const QStringList &files, const QString &error);

private:
    void next();
    bool capture(const QString &name);

    MainWindow &m_window;
    QMenu *m_trayMenu = nullptr;
    QString m_directory;
    QStringList m_pending;
    QStringList m_files;
    QString m_error;
    int m_settleMs = 1500;
};

} // namespace Tailops::Ui
