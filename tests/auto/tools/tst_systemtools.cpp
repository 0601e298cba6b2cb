// System, package, raw-command and fleet tools end to end: the real gateway, the official MCP SDK client,
// the local target and a real sshd target. Ground truth comes from the machine itself (a CPU-bound process
// the test starts, /proc, statvfs, the sshd fixture's listening port, apt-get's own simulation). Mutating
// tools: dry runs change nothing and need no approval; real runs wait for a human (approvals CLI); read-only
// tokens neither see nor call them; an injection corpus is refused before anything runs.
#include "gatewayprocess.h"
#include "sdkclient.h"
#include "sshdfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace {

bool succeeded(const QJsonObject &answer)
{
    return !answer.contains(u"error"_s) && !SdkClient::isToolError(answer);
}

QStringList toolNames(const QJsonArray &tools)
{
    QStringList out;
    for (const QJsonValue &t : tools) {
        out.append(t.toObject().value(u"name"_s).toString());
    }
    return out;
}

QByteArray cmdline(qint64 pid)
{
    QFile f(u"/proc/%1/cmdline"_s.arg(pid));
    return f.open(QIODevice::ReadOnly) ? f.readAll().replace('\0', ' ').trimmed() : QByteArray();
}

} // namespace

class TestSystemTools : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void topProcesses_data();
    void topProcesses();
    void healthCheck_data();
    void healthCheck();
    void networkStatus_data();
    void networkStatus();
    void diskUsage_data();
    void diskUsage();
    void systemUpdates();
    void readOnlyTokenCannotChange();
    void installPackageWaitsForApproval();
    void upgradeDeniedRunsNothing();
    void runCommandNeedsApproval();
    void injectionCorpus_data();
    void injectionCorpus();
    void fleetRun();

private:
    static void targets();

    QTemporaryDir m_dir { u"/tmp/tsys-XXXXXX"_s };
    Tailops::Testing::SshdFixture m_sshd;
    GatewayProcess m_gw;
    SdkClient m_admin;
    SdkClient m_readonly;
};

void TestSystemTools::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const auto started = m_sshd.start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, QStringLiteral("auth:\n  mode: token\nhttp:\n  max_request_bytes: 4194304\nssh:\n  known_hosts: \"%1\"\n"
                                                              "approvals:\n  timeout: 60s\nadmin:\n  socket: %2/run/admin.sock\n")
                                                  .arg(m_sshd.knownHostsFile(), d)
                                                  .toUtf8()));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, QStringLiteral(R"(version: "1.0"
targets:
  local:
    type: local
    capabilities: [system:read, network:read, file:read, system:admin]
    metadata: {tags: [lab]}
    constraints: {concurrency: 4}
  box:
    type: remote
    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: "%3", timeout: 10}
    capabilities: [system:read, network:read, file:read]
    metadata: {tags: [lab, remote]}
    constraints: {concurrency: 4}
  bare:
    type: local
    capabilities: [network:read]
    metadata: {tags: [remote]}
)")
                                                  .arg(m_sshd.port())
                                                  .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                                                  .toUtf8()));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"system-tools-secret-0123456789abcdef0123"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
    QVERIFY2(m_gw.start(), qPrintable(m_gw.errorString()));
    const QString url = u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port());
    QVERIFY2(m_admin.start(url, mintToken(m_gw, { u"admin"_s }, u"ops"_s)), qPrintable(m_admin.errorString()));
    QVERIFY2(m_readonly.start(url, mintToken(m_gw, { u"readonly"_s }, u"viewer"_s)), qPrintable(m_readonly.errorString()));
}

void TestSystemTools::cleanupTestCase()
{
    m_admin.stop();
    m_readonly.stop();
    m_gw.stop();
    m_sshd.stop();
}

void TestSystemTools::targets()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("local") << u"local"_s;
    QTest::newRow("ssh") << u"box"_s;
}

void TestSystemTools::topProcesses_data()
{
    targets();
}

void TestSystemTools::topProcesses()
{
    QFETCH(QString, target);
    // A process that burns CPU: it must come out near the top by CPU.
    QProcess busy;
    busy.setStandardOutputFile(QProcess::nullDevice());
    busy.start(u"yes"_s, { u"tailops-busy"_s });
    QVERIFY(busy.waitForStarted());
    const qint64 pid = busy.processId();
    QTest::qWait(1500);
    const QByteArray busyCommand = cmdline(pid);
    const QJsonObject byCpu = m_readonly.call(u"get_top_processes"_s, { { u"target"_s, target }, { u"limit"_s, 5 } });
    busy.kill();
    busy.waitForFinished();
    QVERIFY2(succeeded(byCpu), qPrintable(SdkClient::text(byCpu)));
    const QJsonArray top = SdkClient::structured(byCpu).value(u"processes"_s).toArray();
    QCOMPARE(top.size(), 5);
    bool found = false;
    double previous = 1e9;
    for (const QJsonValue &v : top) {
        const QJsonObject p = v.toObject();
        QVERIFY(p.value(u"cpu_percent"_s).toDouble() <= previous);
        previous = p.value(u"cpu_percent"_s).toDouble();
        if (p.value(u"pid"_s).toInteger() == pid) {
            found = true;
            QCOMPARE(p.value(u"command"_s).toString(), QString::fromUtf8(busyCommand));
        }
    }
    QVERIFY2(found, qPrintable(SdkClient::text(byCpu)));
    QVERIFY(SdkClient::text(byCpu).contains(u"<<<untrusted process list>>>"_s));

    const QJsonObject byMemory = m_readonly.call(u"get_top_processes"_s, { { u"target"_s, target }, { u"sort_by"_s, u"memory"_s }, { u"limit"_s, 20 } });
    QVERIFY2(succeeded(byMemory), qPrintable(SdkClient::text(byMemory)));
    previous = 1e18;
    for (const QJsonValue &v : SdkClient::structured(byMemory).value(u"processes"_s).toArray()) {
        const QJsonObject p = v.toObject();
        QVERIFY(p.value(u"rss_bytes"_s).toDouble() <= previous);
        previous = p.value(u"rss_bytes"_s).toDouble();
        // Each row is a real process with that command line (or one that has ended since); ps shows
        // control characters in arguments (a script passed to `bash -c`) as blanks, one row a process.
        const QByteArray actual = cmdline(p.value(u"pid"_s).toInteger());
        if (!actual.isEmpty()) {
            QCOMPARE(QString::fromUtf8(actual).simplified().left(512), p.value(u"command"_s).toString());
        }
    }
}

void TestSystemTools::healthCheck_data()
{
    targets();
}

void TestSystemTools::healthCheck()
{
    QFETCH(QString, target);
    const QJsonObject answer = m_readonly.call(u"health_check"_s, { { u"target"_s, target } });
    QVERIFY2(succeeded(answer), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    QVERIFY((QStringList { u"ok"_s, u"warning"_s, u"critical"_s }).contains(s.value(u"status"_s).toString()));
    QStringList names;
    QString worst = u"ok"_s;
    for (const QJsonValue &c : s.value(u"checks"_s).toArray()) {
        names.append(c.toObject().value(u"name"_s).toString());
        const QString st = c.toObject().value(u"status"_s).toString();
        if (st == u"critical" || (st == u"warning" && worst == u"ok")) {
            worst = st;
        }
    }
    QVERIFY(names.contains(u"load"_s) && names.contains(u"memory"_s));
    QVERIFY2(std::any_of(names.cbegin(), names.cend(), [](const QString &n) { return n.startsWith(u"disk "_s); }), qPrintable(names.join(u',')));
    QCOMPARE(s.value(u"status"_s).toString(), worst); // the verdict is the worst check
    const QString load = s.value(u"checks"_s).toArray().at(0).toObject().value(u"detail"_s).toString();
    QVERIFY2(load.contains(u"on %1 CPU(s)"_s.arg(sysconf(_SC_NPROCESSORS_ONLN))), qPrintable(load));
}

void TestSystemTools::networkStatus_data()
{
    targets();
}

void TestSystemTools::networkStatus()
{
    QFETCH(QString, target);
    const QJsonObject answer = m_readonly.call(u"get_network_status"_s, { { u"target"_s, target } });
    QVERIFY2(succeeded(answer), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    bool loopback = false;
    for (const QJsonValue &v : s.value(u"interfaces"_s).toArray()) {
        const QJsonObject i = v.toObject();
        if (i.value(u"name"_s).toString() == u"lo") {
            loopback = i.value(u"addresses"_s).toArray().contains(u"127.0.0.1/8"_s);
            QVERIFY(i.value(u"rx_bytes"_s).toDouble() > 0);
        }
    }
    QVERIFY2(loopback, qPrintable(SdkClient::text(answer)));
    // The sshd fixture and the gateway listen on loopback: both are in the list.
    bool sshd = false;
    bool gateway = false;
    for (const QJsonValue &v : s.value(u"listening"_s).toArray()) {
        const QJsonObject l = v.toObject();
        sshd = sshd || (l.value(u"port"_s).toInt() == m_sshd.port() && l.value(u"protocol"_s).toString() == u"tcp");
        gateway = gateway || (l.value(u"port"_s).toInt() == m_gw.port() && l.value(u"address"_s).toString() == u"127.0.0.1");
    }
    QVERIFY(sshd);
    QVERIFY(gateway);
}

void TestSystemTools::diskUsage_data()
{
    targets();
}

void TestSystemTools::diskUsage()
{
    QFETCH(QString, target);
    const QJsonObject one = m_readonly.call(u"get_disk_usage"_s, { { u"target"_s, target }, { u"path"_s, u"/tmp"_s } });
    QVERIFY2(succeeded(one), qPrintable(SdkClient::text(one)));
    const QJsonArray fs = SdkClient::structured(one).value(u"filesystems"_s).toArray();
    QCOMPARE(fs.size(), 1);
    const QStorageInfo truth(u"/tmp"_s);
    QCOMPARE(qint64(fs.at(0).toObject().value(u"total_bytes"_s).toDouble()) / 1024, truth.bytesTotal() / 1024);
    QCOMPARE(fs.at(0).toObject().value(u"mount"_s).toString(), truth.rootPath());
    const QJsonObject all = m_readonly.call(u"get_disk_usage"_s, { { u"target"_s, target } });
    QVERIFY2(succeeded(all), qPrintable(SdkClient::text(all)));
    QVERIFY(!SdkClient::structured(all).value(u"filesystems"_s).toArray().isEmpty());
    const QJsonObject missing = m_readonly.call(u"get_disk_usage"_s, { { u"target"_s, target }, { u"path"_s, u"/no/such/dir"_s } });
    QVERIFY(SdkClient::isToolError(missing));
    QVERIFY2(SdkClient::text(missing).contains(u"No such file or directory"_s), qPrintable(SdkClient::text(missing)));
}

void TestSystemTools::systemUpdates()
{
    if (!QFile::exists(u"/usr/bin/apt-get"_s)) {
        QSKIP("not a Debian machine");
    }
    QProcess apt;
    apt.start(u"apt-get"_s, { u"-s"_s, u"-q"_s, u"upgrade"_s });
    QVERIFY(apt.waitForFinished(120000));
    const int expected = int(QString::fromUtf8(apt.readAllStandardOutput()).count(QRegularExpression(u"(?m)^Inst "_s)));
    for (const QString &target : { u"local"_s, u"box"_s }) {
        const QJsonObject answer = m_readonly.call(u"check_system_updates"_s, { { u"target"_s, target } }, 120000);
        QVERIFY2(succeeded(answer), qPrintable(SdkClient::text(answer)));
        QCOMPARE(SdkClient::structured(answer).value(u"manager"_s).toString(), u"apt"_s);
        QCOMPARE(SdkClient::structured(answer).value(u"updates"_s).toArray().size(), expected);
    }
}

void TestSystemTools::readOnlyTokenCannotChange()
{
    const QStringList visible = toolNames(m_readonly.listTools());
    const QStringList all = toolNames(m_admin.listTools());
    for (const QString &tool : { u"install_package"_s, u"update_system_packages"_s, u"run_command"_s }) {
        QVERIFY2(all.contains(tool), qPrintable(tool));
        QVERIFY2(!visible.contains(tool), qPrintable(tool));
    }
    QVERIFY(visible.contains(u"check_system_updates"_s));
    const QJsonObject refused = m_readonly.call(u"install_package"_s, { { u"package"_s, u"coreutils"_s }, { u"dry_run"_s, true } });
    QVERIFY(refused.contains(u"error"_s) || SdkClient::isToolError(refused));
    QVERIFY2(SdkClient::text(refused).contains(u"system:admin"_s), qPrintable(SdkClient::text(refused)));
}

void TestSystemTools::installPackageWaitsForApproval()
{
    if (!QFile::exists(u"/usr/bin/apt-get"_s) || geteuid() != 0) {
        QSKIP("needs apt-get as root");
    }
    // A dry run needs nobody: it simulates and shows the exact argv.
    const QJsonObject dry = m_admin.call(u"install_package"_s, { { u"package"_s, u"coreutils"_s }, { u"dry_run"_s, true } }, 120000);
    QVERIFY2(succeeded(dry), qPrintable(SdkClient::text(dry)));
    const QJsonObject s = SdkClient::structured(dry);
    QCOMPARE(s.value(u"dry_run"_s).toBool(), true);
    const QJsonArray argv = s.value(u"would_run"_s).toArray().at(0).toArray();
    QCOMPARE(argv.last().toString(), u"coreutils"_s);
    QVERIFY(argv.contains(u"install"_s) && argv.contains(u"--"_s));
    QCOMPARE(s.value(u"changes"_s).toArray().size(), 0); // installed already: the simulation changes nothing
    // The real call waits for a human, then runs.
    const int id = m_admin.callAsync(u"install_package"_s, { { u"package"_s, u"coreutils"_s } });
    const QJsonObject pending = waitForApproval(m_gw);
    QCOMPARE(pending.value(u"tool"_s).toString(), u"install_package"_s);
    auto [code, out] = m_gw.cli({ u"approvals"_s, u"approve"_s, pending.value(u"id"_s).toString() });
    QVERIFY2(code == 0, out.constData());
    const QJsonObject done = m_admin.wait(id, 300000);
    QVERIFY2(succeeded(done), qPrintable(SdkClient::text(done)));
    QCOMPARE(SdkClient::structured(done).value(u"exit_code"_s).toInt(), 0);
    QVERIFY2(SdkClient::structured(done).value(u"output"_s).toString().contains(u"coreutils is already the newest version"_s),
             qPrintable(SdkClient::text(done)));
}

void TestSystemTools::upgradeDeniedRunsNothing()
{
    if (!QFile::exists(u"/usr/bin/apt-get"_s)) {
        QSKIP("not a Debian machine");
    }
    const QJsonObject dry = m_admin.call(u"update_system_packages"_s, { { u"dry_run"_s, true } }, 120000);
    QVERIFY2(succeeded(dry), qPrintable(SdkClient::text(dry)));
    const QJsonObject check = m_admin.call(u"check_system_updates"_s, {}, 120000);
    QCOMPARE(SdkClient::structured(dry).value(u"changes"_s).toArray().size(),
             SdkClient::structured(check).value(u"updates"_s).toArray().size());
    const qint64 before = QFileInfo(u"/var/lib/dpkg/status"_s).lastModified().toMSecsSinceEpoch();
    const int id = m_admin.callAsync(u"update_system_packages"_s, {});
    const QJsonObject pending = waitForApproval(m_gw);
    QCOMPARE(pending.value(u"tool"_s).toString(), u"update_system_packages"_s);
    auto [code, out] = m_gw.cli({ u"approvals"_s, u"deny"_s, pending.value(u"id"_s).toString(), u"--reason"_s, u"change freeze"_s });
    QVERIFY2(code == 0, out.constData());
    const QJsonObject denied = m_admin.wait(id);
    QVERIFY(denied.contains(u"error"_s) || SdkClient::isToolError(denied));
    QVERIFY2(SdkClient::text(denied).contains(u"the approver denied update_system_packages (change freeze)"_s),
             qPrintable(SdkClient::text(denied)));
    QCOMPARE(QFileInfo(u"/var/lib/dpkg/status"_s).lastModified().toMSecsSinceEpoch(), before);
}

void TestSystemTools::runCommandNeedsApproval()
{
    const QString marker = m_dir.filePath(u"ran"_s);
    // No policy.yaml: run_command still waits for a human.
    const int id = m_admin.callAsync(u"run_command"_s, { { u"argv"_s, QJsonArray { u"touch"_s, marker } } });
    const QJsonObject pending = waitForApproval(m_gw);
    QCOMPARE(pending.value(u"tool"_s).toString(), u"run_command"_s);
    QVERIFY(!QFile::exists(marker)); // waiting: nothing ran
    const QJsonObject dry = m_admin.call(u"run_command"_s, { { u"argv"_s, QJsonArray { u"touch"_s, marker } }, { u"dry_run"_s, true } });
    QVERIFY2(succeeded(dry), qPrintable(SdkClient::text(dry)));
    QVERIFY(!QFile::exists(marker));
    auto [code, out] = m_gw.cli({ u"approvals"_s, u"approve"_s, pending.value(u"id"_s).toString() });
    QVERIFY2(code == 0, out.constData());
    const QJsonObject done = m_admin.wait(id);
    QVERIFY2(succeeded(done), qPrintable(SdkClient::text(done)));
    QVERIFY(QFile::exists(marker));
    // A target without system:admin never runs it, approval or not.
    const QJsonObject refused = m_admin.call(u"run_command"_s, { { u"target"_s, u"box"_s }, { u"argv"_s, QJsonArray { u"id"_s } } });
    QVERIFY2(SdkClient::text(refused).contains(u"its capabilities lack system:admin"_s), qPrintable(SdkClient::text(refused)));
}

void TestSystemTools::injectionCorpus_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QString>("message");
    const QStringList evil { u"; rm -rf /"_s, u"$(id)"_s, u"`id`"_s, u"--output=/x"_s, u"../../etc/shadow"_s,
                             QString(u"a"_s + QChar(0) + u"b"_s), QString(1024 * 1024, u'a'), u"pkg && reboot"_s, u"-oAPT::Get::x=1"_s };
    int n = 0;
    for (const QString &e : evil) {
        const QString name = u"evil %1"_s.arg(++n);
        QTest::addRow("install_package %s", qPrintable(name)) << u"install_package"_s
                                                              << QJsonObject { { u"package"_s, e }, { u"dry_run"_s, true } }
                                                              << u"Invalid arguments"_s;
        QTest::addRow("get_top_processes %s", qPrintable(name)) << u"get_top_processes"_s << QJsonObject { { u"sort_by"_s, e } }
                                                                << u"Invalid arguments"_s;
        QTest::addRow("get_disk_usage %s", qPrintable(name)) << u"get_disk_usage"_s << QJsonObject { { u"path"_s, e } }
                                                             << u"Invalid arguments"_s;
        QTest::addRow("health_check target %s", qPrintable(name)) << u"health_check"_s << QJsonObject { { u"target"_s, e } }
                                                                  << u"Invalid arguments"_s;
        QTest::addRow("fleet_run tool %s", qPrintable(name)) << u"fleet_run"_s
                                                             << QJsonObject { { u"tool"_s, e }, { u"tags"_s, QJsonArray { u"lab"_s } } }
                                                             << u"Invalid arguments"_s;
    }
    QTest::newRow("run_command argv[0] option") << u"run_command"_s
                                                << QJsonObject { { u"argv"_s, QJsonArray { u"--help"_s } }, { u"dry_run"_s, true } }
                                                << u"argv[0] must name a program"_s;
}

void TestSystemTools::injectionCorpus()
{
    QFETCH(QString, tool);
    QFETCH(QJsonObject, args);
    QFETCH(QString, message);
    const QJsonObject answer = m_admin.call(tool, args);
    QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    QVERIFY2(SdkClient::text(answer).contains(message), qPrintable(SdkClient::text(answer).left(300)));
}

void TestSystemTools::fleetRun()
{
    // Two targets by tag, one read tool: both answer with the same file system.
    const QJsonObject disk = m_readonly.call(u"fleet_run"_s, { { u"tool"_s, u"get_disk_usage"_s },
                                                               { u"arguments"_s, QJsonObject { { u"path"_s, u"/tmp"_s } } },
                                                               { u"tags"_s, QJsonArray { u"lab"_s } } });
    QVERIFY2(succeeded(disk), qPrintable(SdkClient::text(disk)));
    QJsonObject s = SdkClient::structured(disk);
    QCOMPARE(s.value(u"succeeded"_s).toInt(), 2);
    QCOMPARE(s.value(u"failed"_s).toInt(), 0);
    QStringList ids;
    for (const QJsonValue &r : s.value(u"results"_s).toArray()) {
        ids.append(r.toObject().value(u"target"_s).toString());
        const QJsonObject inner = r.toObject().value(u"result"_s).toObject();
        QCOMPARE(qint64(inner.value(u"filesystems"_s).toArray().at(0).toObject().value(u"total_bytes"_s).toDouble()) / 1024,
                 QStorageInfo(u"/tmp"_s).bytesTotal() / 1024);
    }
    QCOMPARE(ids, (QStringList { u"local"_s, u"box"_s }));

    // Partial failure: 'bare' lacks system:read; the others still answer. Tag and id lists combine.
    const QJsonObject mixed = m_readonly.call(u"fleet_run"_s, { { u"tool"_s, u"health_check"_s },
                                                                { u"targets"_s, QJsonArray { u"local"_s } },
                                                                { u"tags"_s, QJsonArray { u"remote"_s } },
                                                                { u"concurrency"_s, 2 } });
    QVERIFY2(succeeded(mixed), qPrintable(SdkClient::text(mixed)));
    s = SdkClient::structured(mixed);
    QCOMPARE(s.value(u"succeeded"_s).toInt(), 2);
    QCOMPARE(s.value(u"failed"_s).toInt(), 1);
    const QJsonObject bare = s.value(u"results"_s).toArray().at(2).toObject();
    QCOMPARE(bare.value(u"target"_s).toString(), u"bare"_s);
    QVERIFY2(bare.value(u"error"_s).toString().contains(u"its capabilities lack system:read"_s), qPrintable(bare.value(u"error"_s).toString()));

    // Each target's call goes through the file rules like a direct one.
    const QJsonObject shadow = m_readonly.call(u"fleet_run"_s, { { u"tool"_s, u"read_file"_s },
                                                                 { u"arguments"_s, QJsonObject { { u"path"_s, u"/etc/../etc/shadow"_s } } },
                                                                 { u"tags"_s, QJsonArray { u"lab"_s } } });
    s = SdkClient::structured(shadow);
    QCOMPARE(s.value(u"failed"_s).toInt(), 2);
    QVERIFY2(s.value(u"results"_s).toArray().at(0).toObject().value(u"error"_s).toString().contains(u"file deny list (/etc/shadow)"_s),
             qPrintable(SdkClient::text(shadow)));
    // Only read tools; unknown targets and empty selections are errors, not fleet-wide runs.
    const QJsonObject mutating = m_admin.call(u"fleet_run"_s, { { u"tool"_s, u"run_command"_s }, { u"tags"_s, QJsonArray { u"lab"_s } },
                                                                { u"arguments"_s, QJsonObject { { u"argv"_s, QJsonArray { u"id"_s } } } } });
    QVERIFY2(SdkClient::text(mutating).contains(u"run_command is not one"_s) || SdkClient::text(mutating).contains(u"not one"_s),
             qPrintable(SdkClient::text(mutating)));
    const QJsonObject unknown = m_readonly.call(u"fleet_run"_s, { { u"tool"_s, u"health_check"_s }, { u"targets"_s, QJsonArray { u"nope"_s } } });
    QVERIFY2(SdkClient::text(unknown).contains(u"Target not found in registry: 'nope'"_s), qPrintable(SdkClient::text(unknown)));
    const QJsonObject none = m_readonly.call(u"fleet_run"_s, { { u"tool"_s, u"health_check"_s } });
    QVERIFY2(SdkClient::text(none).contains(u"name the targets"_s), qPrintable(SdkClient::text(none)));
}

QTEST_GUILESS_MAIN(TestSystemTools)
#include "tst_systemtools.moc"
