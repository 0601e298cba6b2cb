// The parsers behind the service tools on the output formats of the real programs: systemctl show and
// list-units (systemd 252, Debian 12; this machine has no systemd as PID 1, so these formats are tested
// here rather than end to end), journalctl -o json (lines captured from a real journald), service(8)'s
// LSB exit codes, and the checks of the since/priority arguments.
#include "tools/servicetools.h"

#include <QTest>

using namespace Tailops::Tools::Services;
using namespace Qt::StringLiterals;

class TestServiceParsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serviceNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"nginx"_s << true;
        QTest::newRow("unit") << u"nginx.service"_s << true;
        QTest::newRow("template") << u"getty@tty1.service"_s << true;
        QTest::newRow("escaped") << u"systemd-fsck@dev-disk-by\\x2duuid.service"_s << false;
        QTest::newRow("script") << u"tailops-demo"_s << true;
        QTest::newRow("option") << u"--all"_s << false;
        QTest::newRow("path") << u"../../etc/shadow"_s << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("shell") << u"x; rm -rf /"_s << false;
        QTest::newRow("subst") << u"$(id)"_s << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("long") << QString(256, u'a') << false;
        QTest::newRow("max") << QString(255, u'a') << true;
        QTest::newRow("newline") << u"a\nb"_s << false;
    }
    void serviceNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidServiceName(name), valid);
    }

    void systemctlShow()
    {
        // systemctl prints the properties in its own order, not the order asked for.
        const QByteArray out = "MainPID=612\n"
                               "Id=cron.service\n"
                               "Description=Regular background program processing daemon\n"
                               "LoadState=loaded\n"
                               "ActiveState=active\n"
                               "SubState=running\n"
                               "StateChangeTimestamp=Mon 2024-05-06 10:00:00 UTC\n"
                               "UnitFileState=enabled\n";
        const UnitStatus s = parseSystemctlShow(out);
        QCOMPARE(s.id, u"cron.service"_s);
        QCOMPARE(s.description, u"Regular background program processing daemon"_s);
        QCOMPARE(s.loadState, u"loaded"_s);
        QCOMPARE(s.activeState, u"active"_s);
        QCOMPARE(s.subState, u"running"_s);
        QCOMPARE(s.unitFileState, u"enabled"_s);
        QCOMPARE(s.mainPid, 612);
        QCOMPARE(s.since, u"2024-05-06T10:00:00Z"_s);

        // Another zone stays as printed; --timestamp=unix is read.
        QCOMPARE(parseSystemctlShow("StateChangeTimestamp=Mon 2024-05-06 12:00:00 CEST\n").since, u"Mon 2024-05-06 12:00:00 CEST"_s);
        QCOMPARE(parseSystemctlShow("StateChangeTimestamp=@1715000000\n").since, u"2024-05-06T12:53:20Z"_s);
    }

    void systemctlShowNotFound()
    {
        const QByteArray out = "MainPID=0\nId=nosuch.service\nDescription=nosuch.service\nLoadState=not-found\n"
                               "ActiveState=inactive\nSubState=dead\nStateChangeTimestamp=\nUnitFileState=\n";
        const UnitStatus s = parseSystemctlShow(out);
        QCOMPARE(s.loadState, u"not-found"_s);
        QCOMPARE(s.activeState, u"inactive"_s);
        QCOMPARE(s.subState, u"dead"_s);
        QCOMPARE(s.mainPid, 0);
        QVERIFY(s.since.isEmpty());
        QVERIFY(s.unitFileState.isEmpty());
        // A value holding '=' keeps it.
        QCOMPARE(parseSystemctlShow("Description=a=b c\n").description, u"a=b c"_s);
    }

    void listUnits()
    {
        const QByteArray out =
            "cron.service                       loaded    active   running Regular background program processing daemon\n"
            "dbus.service                       loaded    active   running D-Bus System Message Bus\n"
            "\xe2\x97\x8f nosuch.service                   not-found inactive dead    nosuch.service\n"
            "systemd-networkd.service           loaded    failed   failed  Network  Configuration\n"
            "getty@tty1.service                 loaded    active   running Getty on tty1\n"
            "ssh.service                        loaded    inactive dead\n"
            "\n"
            "garbage\n";
        const QList<UnitListEntry> units = parseListUnits(out);
        QCOMPARE(units.size(), 6);
        QCOMPARE(units.at(0).unit, u"cron.service"_s);
        QCOMPARE(units.at(0).description, u"Regular background program processing daemon"_s);
        QCOMPARE(units.at(2).unit, u"nosuch.service"_s);
        QCOMPARE(units.at(2).load, u"not-found"_s);
        QCOMPARE(units.at(3).active, u"failed"_s);
        QCOMPARE(units.at(3).sub, u"failed"_s);
        QCOMPARE(units.at(3).description, u"Network  Configuration"_s); // spaces inside kept
        QCOMPARE(units.at(4).unit, u"getty@tty1.service"_s);
        QCOMPARE(units.at(5).sub, u"dead"_s);
        QVERIFY(units.at(5).description.isEmpty());
    }

    void sysvExitCodes()
    {
        QCOMPARE(sysvStates(0, "tailops-demo is running (pid 42)\n"), std::pair(u"active"_s, u"running"_s));
        QCOMPARE(sysvStates(3, "tailops-demo is not running\n"), std::pair(u"inactive"_s, u"dead"_s));
        QCOMPARE(sysvStates(1, "dead but pid file exists\n"), std::pair(u"failed"_s, u"failed"_s));
        QCOMPARE(sysvStates(2, ""), std::pair(u"failed"_s, u"failed"_s));
        QCOMPARE(sysvStates(4, ""), std::pair(u"unknown"_s, u"unknown"_s));
        QCOMPARE(sysvStates(1, "nosuch: unrecognized service\n"), std::pair(u"inactive"_s, u"not-found"_s));
        QCOMPARE(sysvStates(1, "Usage: /etc/init.d/x {start|stop}\n"), std::pair(u"unknown"_s, u"no-status"_s));
        QCOMPARE(pidInStatusOutput("tailops-demo is running (pid 4242)\n"), 4242);
        QCOMPARE(pidInStatusOutput("sshd (PID: 17) is running"), 17);
        QCOMPARE(pidInStatusOutput("[ ok ] cron is running."), 0);
        QCOMPARE(pidInStatusOutput("rapid 12"), 0);
    }

    void initScripts()
    {
        const QByteArray ls = "README\ncron\nhwclock.sh\nrc\nrcS\nskeleton\nssh\nx.dpkg-old\nweird name\n.depend.boot\ntailops-demo\n";
        QCOMPARE(initScriptNames(ls), (QStringList { u"cron"_s, u"hwclock.sh"_s, u"ssh"_s, u"tailops-demo"_s }));
    }

    void journalJson()
    {
        // Real lines from journald 252 (systemd-cat, logger --journald, the kernel), shortened fields kept.
        const QByteArray out =
            "{\"MESSAGE\":\"hello-from-cat\",\"_TRANSPORT\":\"stdout\",\"_COMM\":\"cat\",\"__REALTIME_TIMESTAMP\":\"1795530613498055\",\"PRIORITY\":\"4\",\"SYSLOG_IDENTIFIER\":\"tailops-test\",\"_PID\":\"14234\",\"_UID\":\"0\"}"
            "\n"
            "{\"MESSAGE\":\"hello-logger\",\"_TRANSPORT\":\"journal\",\"_PID\":\"14235\",\"_COMM\":\"logger\",\"SYSLOG_IDENTIFIER\":\"tailops-test\",\"PRIORITY\":\"3\",\"__REALTIME_TIMESTAMP\":\"1795530613512322\"}"
            "\n"
            "{\"_SYSTEMD_UNIT\":\"cron.service\",\"SYSLOG_IDENTIFIER\":\"CRON\",\"PRIORITY\":\"6\",\"_PID\":\"900\",\"MESSAGE\":[104,105,255],\"__REALTIME_TIMESTAMP\":\"1700000000000000\"}"
            "\n"
            "{\"UNIT\":\"nginx.service\",\"_COMM\":\"systemd\",\"PRIORITY\":\"6\",\"MESSAGE\":null,\"__REALTIME_TIMESTAMP\":\"1700000000123456\"}"
            "\n"
            "{\"MESSAGE\":\"cut in the midd"
            "\n[tailops: output truncated at 1024 bytes]\n";
        const JournalParse p = parseJournalJson(out);
        QCOMPARE(p.entries.size(), 4);
        QCOMPARE(p.skippedLines, 2);
        QCOMPARE(p.entries.at(0).message, u"hello-from-cat"_s);
        QCOMPARE(p.entries.at(0).identifier, u"tailops-test"_s);
        QCOMPARE(p.entries.at(0).priority, 4);
        QCOMPARE(p.entries.at(0).pid, 14234);
        QCOMPARE(p.entries.at(0).time, u"2026-11-24T14:30:13.498Z"_s);
        QVERIFY(p.entries.at(0).unit.isEmpty());
        QCOMPARE(p.entries.at(1).priority, 3);
        QCOMPARE(p.entries.at(2).unit, u"cron.service"_s);
        QCOMPARE(p.entries.at(2).message, QString::fromUtf8("hi\xff"));
        QCOMPARE(p.entries.at(2).time, u"2023-11-14T22:13:20.000Z"_s);
        QCOMPARE(p.entries.at(3).unit, u"nginx.service"_s);
        QCOMPARE(p.entries.at(3).identifier, u"systemd"_s);
        QVERIFY(p.entries.at(3).message.contains(u"not shown"_s));
        QCOMPARE(priorityName(0), u"emerg"_s);
        QCOMPARE(priorityName(7), u"debug"_s);
    }

    void since_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out"); // empty: refused
        QTest::newRow("hour") << u"1h"_s << u"-1h"_s;
        QTest::newRow("combined") << u"1h30min"_s << u"-1h30min"_s;
        QTest::newRow("days") << u"2d"_s << u"-2d"_s;
        QTest::newRow("date") << u"2024-01-01"_s << u"2024-01-01"_s;
        QTest::newRow("datetime") << u"2024-01-01 10:00"_s << u"2024-01-01 10:00"_s;
        QTest::newRow("seconds") << u"2024-01-01 10:00:30"_s << u"2024-01-01 10:00:30"_s;
        QTest::newRow("today") << u"today"_s << u"today"_s;
        QTest::newRow("unix") << u"@1700000000"_s << u"@1700000000"_s;
        QTest::newRow("bad date") << u"2024-13-45"_s << QString();
        QTest::newRow("option") << u"--help"_s << QString();
        QTest::newRow("words") << u"last tuesday"_s << QString();
        QTest::newRow("shell") << u"$(id)"_s << QString();
        QTest::newRow("negative") << u"-1h"_s << QString();
    }
    void since()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        const auto r = journalSince(in);
        if (out.isEmpty()) {
            QVERIFY(!r);
            QVERIFY(r.error().message.contains(in.left(10)));
        } else {
            QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
            QCOMPARE(*r, out);
        }
    }

    void priority()
    {
        QCOMPARE(*journalPriority(u"err"_s), u"err"_s);
        QCOMPARE(*journalPriority(u"7"_s), u"7"_s);
        QVERIFY(!journalPriority(u"8"_s));
        QVERIFY(!journalPriority(u"error"_s));
        QVERIFY(!journalPriority(u"-1"_s));
        QVERIFY(!journalPriority(u"07"_s));
    }

    void showProperties()
    {
        const QStringList p = systemctlShowProperties();
        for (const auto &wanted : { u"ActiveState"_s, u"SubState"_s, u"LoadState"_s, u"UnitFileState"_s, u"MainPID"_s,
                                    u"StateChangeTimestamp"_s, u"Description"_s }) {
            QVERIFY(p.contains(wanted));
        }
    }
};

QTEST_GUILESS_MAIN(TestServiceParsers)
#include "tst_serviceparsers.moc"
