// The gateway facade: hot reload of targets.yaml (edit, replace, break, SIGHUP path) with snapshots
// that keep calls in flight on the old registry.
#include "registry/targetregistry.h"
#include "service/gatewayservice.h"

#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Tailops;

namespace {

void writeTargets(const QString &path, const QByteArray &content, bool replace)
{
    if (replace) { // as editors do: write a new file and rename it over the old one
        QSaveFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        QVERIFY(f.commit());
        return;
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

QStringList ids(Service::GatewayService &g)
{
    QStringList out;
    for (const auto &t : g.registry().snapshot()->targets()) {
        out.append(t.id);
    }
    return out;
}

} // namespace

class TestGatewayService final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hotReload_data()
    {
        QTest::addColumn<bool>("replace");
        QTest::newRow("edited in place") << false;
        QTest::newRow("replaced by rename") << true;
    }

    void hotReload()
    {
        QFETCH(bool, replace);
        QTemporaryDir dir;
        Config::GatewayConfig config;
        config.configDir = dir.path();
        const QString file = config.targetsFile();
        writeTargets(file, "targets:\n  one: {type: local}\n", false);
        Service::GatewayService gateway(config);
        gateway.reloadTargets();
        gateway.watchTargets();
        QCOMPARE(ids(gateway), QStringList { QStringLiteral("one") });
        const auto before = gateway.registry().snapshot(); // a call in flight holds this

        QSignalSpy reloaded(&gateway, &Service::GatewayService::targetsReloaded);
        writeTargets(file, "targets:\n  one: {type: local}\n  two: {type: local}\n", replace);
        QTRY_COMPARE_WITH_TIMEOUT(ids(gateway), (QStringList { QStringLiteral("one"), QStringLiteral("two") }), 5000);
        QCOMPARE(before->size(), 1); // the old snapshot is unchanged

        // A broken edit keeps the last good registry and says why.
        reloaded.clear();
        writeTargets(file, "targets: [this is: not: valid\n", replace);
        QTRY_VERIFY_WITH_TIMEOUT(!reloaded.isEmpty(), 5000);
        QCOMPARE(ids(gateway), (QStringList { QStringLiteral("one"), QStringLiteral("two") }));
        const auto diagnostics = reloaded.last().at(0).value<Config::Diagnostics>();
        QVERIFY(Config::hasErrors(diagnostics));

        // A partly bad file: the good target is served, the bad one skipped.
        writeTargets(file, "targets:\n  three: {type: local}\n  bad: {type: remote}\n", replace);
        QTRY_COMPARE_WITH_TIMEOUT(ids(gateway), QStringList { QStringLiteral("three") }, 5000);
    }
};

QTEST_GUILESS_MAIN(TestGatewayService)
#include "tst_gatewayservice.moc"
