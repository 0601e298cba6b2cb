#pragma once

#include <QMainWindow>
#include <QUrl>

class QLabel;

namespace Tailops::Service {
class GatewayService;
}

namespace Tailops::Ui {

// The console's main window. In this first version: the gateway's state (listen URLs, sessions, targets,
// calls); the panels arrive with the console issue.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Service::GatewayService &gateway, QWidget *parent = nullptr);

    void setListenUrls(const QList<QUrl> &urls);
    void setGatewayError(const QString &error);

private:
    void refresh();

    Service::GatewayService &m_gateway;
    QLabel *m_state = nullptr;
    QLabel *m_details = nullptr;
    QList<QUrl> m_urls;
    QString m_error;
    int m_calls = 0;
};

} // namespace Tailops::Ui
