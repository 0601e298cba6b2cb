#include "registry/target.h"

#include <QTest>

using namespace Tailops::Registry;

class TestHttpTargets final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowlist_data()
    {
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        const QStringList health { QStringLiteral("/health"), QStringLiteral("/api/v1/status/") };
        QTest::newRow("exact") << health << QStringLiteral("http://api.example.test:8080/health") << true;
        QTest::newRow("below") << health << QStringLiteral("http://api.example.test:8080/api/v1/status/db") << true;
        QTest::newRow("sibling prefix") << health << QStringLiteral("http://api.example.test:8080/healthz") << false;
        QTest::newRow("dot-dot out") << health << QStringLiteral("http://api.example.test:8080/health/../admin") << false;
        QTest::newRow("encoded dot-dot") << health << QStringLiteral("http://api.example.test:8080/health/%2e%2e/admin") << false;
        QTest::newRow("other host") << health << QStringLiteral("http://169.254.169.254:8080/health") << false;
        QTest::newRow("other port") << health << QStringLiteral("http://api.example.test:9090/health") << false;
        QTest::newRow("other scheme") << health << QStringLiteral("https://api.example.test:8080/health") << false;
        QTest::newRow("credentials") << health << QStringLiteral("http://user:pw@api.example.test:8080/health") << false;
        QTest::newRow("default is the url path") << QStringList {} << QStringLiteral("http://api.example.test:8080/health/live") << true;
        QTest::newRow("default excludes others") << QStringList {} << QStringLiteral("http://api.example.test:8080/metrics") << false;
    }

    void allowlist()
    {
        QFETCH(QStringList, allowed);
        QFETCH(QString, url);
        QFETCH(bool, ok);
        Target t;
        t.id = QStringLiteral("api");
        t.executor = Executor::Http;
        t.url = QStringLiteral("http://api.example.test:8080/health");
        t.allowedPaths = allowed;
        const auto result = httpTargetAllows(t, QUrl(url));
        QCOMPARE(result.has_value(), ok);
        if (!ok) {
            QVERIFY(!result.error().message.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpTargets)
#include "tst_httptargets.moc"
