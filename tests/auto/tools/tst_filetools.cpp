// File tools end to end: the real gateway, the official MCP SDK client, the local target and a real sshd
// target, against files this test wrote. Secrets (the deny list), symlinks out of bounds and an injection
// and traversal corpus are refused with clear messages.
#include "gatewayprocess.h"
#include "sdkclient.h"
#include "sshdfixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace {

bool write(const QString &path, const QByteArray &content)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    f.write(content);
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return true;
}

QStringList names(const QJsonArray &entries)
{
    QStringList out;
    for (const QJsonValue &e : entries) {
        out.append(e.toObject().value(u"name"_s).toString());
    }
    return out;
}

} // namespace

class TestFileTools : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readFile_data();
    void readFile();
    void readWindow_data();
    void readWindow();
    void listDirectory_data();
    void listDirectory();
    void fileInfo_data();
    void fileInfo();
    void searchFiles_data();
    void searchFiles();
    void refused_data();
    void refused();

private:
    QJsonObject call(const QString &tool, QJsonObject args);

    QTemporaryDir m_dir { u"/tmp/tfiles-XXXXXX"_s };
    QString m_data;
    Tailops::Testing::SshdFixture m_sshd;
    GatewayProcess m_gw;
    SdkClient m_client;
};

void TestFileTools::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The sshd fixture logs in as its own user: the data must be readable by others.
    QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                            | QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                            | QFileDevice::ExeOther);
    m_data = m_dir.path() + u"/data"_s;
    QVERIFY(QDir().mkpath(QString(m_data + u"/sub/deeper"_s)));
    QVERIFY(QDir().mkpath(QString(m_data + u"/keys"_s)));
    QByteArray lines;
    for (int i = 1; i <= 10; ++i) {
        lines += "line " + QByteArray::number(i) + '\n';
    }
    QVERIFY(write(QString(m_data + u"/a.txt"_s), lines));
    QVERIFY(write(QString(m_data + u"/sub/b.log"_s), "b\n"));
    QVERIFY(write(QString(m_data + u"/sub/deeper/c.log"_s), "c\n"));
    QVERIFY(write(QString(m_data + u"/.env"_s), "DB_PASSWORD=hunter2\n"));
    QVERIFY(write(QString(m_data + u"/keys/id_rsa"_s), "-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    QVERIFY(write(QString(m_data + u"/notes.secret"_s), "configured secret\n"));
    QVERIFY(QFile::link(QString(m_data + u"/.env"_s), QString(m_data + u"/innocent-link"_s)));

    const auto started = m_sshd.start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const QString d = m_dir.path();
    QVERIFY(writeFile(d + u"/gateway.yaml"_s, QStringLiteral("auth:\n  mode: token\nhttp:\n  max_request_bytes: 4194304\nssh:\n  known_hosts: \"%1\"\n"
                                                              "files:\n  deny: [\"*.secret\"]\n")
                                                  .arg(m_sshd.knownHostsFile())
                                                  .toUtf8()));
    QVERIFY(writeFile(d + u"/targets.yaml"_s, QStringLiteral(R"(version: "1.0"
targets:
  local:
    type: local
    capabilities: [system:read, file:read]
  box:
    type: remote
    connection: {executor: ssh, host: 127.0.0.1, port: %1, username: %2, key_path: "%3", timeout: 10}
    capabilities: [system:read, file:read]
    constraints: {concurrency: 4}
)")
                                                  .arg(m_sshd.port())
                                                  .arg(m_sshd.userName(), m_sshd.clientKeyPath())
                                                  .toUtf8()));
    m_gw.configDir = d;
    m_gw.sharedSecret = u"file-tools-secret-0123456789abcdef0123"_s;
    m_gw.auditPath = d + u"/audit/audit.jsonl"_s;
    QVERIFY2(m_gw.start(), qPrintable(m_gw.errorString()));
    const QByteArray token = mintToken(m_gw, { u"readonly"_s });
    QVERIFY(!token.isEmpty());
    QVERIFY2(m_client.start(u"http://127.0.0.1:%1/mcp"_s.arg(m_gw.port()), token), qPrintable(m_client.errorString()));
}

void TestFileTools::cleanupTestCase()
{
    m_client.stop();
    m_gw.stop();
    m_sshd.stop();
}

QJsonObject TestFileTools::call(const QString &tool, QJsonObject args)
{
    return m_client.call(tool, args);
}

void TestFileTools::readFile_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("local") << u"local"_s;
    QTest::newRow("ssh") << u"box"_s;
}

void TestFileTools::readFile()
{
    QFETCH(QString, target);
    const QJsonObject answer = call(u"read_file"_s, { { u"target"_s, target }, { u"path"_s, QString(m_data + u"/a.txt"_s) } });
    QVERIFY2(!answer.contains(u"error"_s) && !SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    QFile f(QString(m_data + u"/a.txt"_s));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject s = SdkClient::structured(answer);
    QCOMPARE(s.value(u"content"_s).toString().toUtf8(), f.readAll());
    QCOMPARE(s.value(u"lines"_s).toInt(), 10);
    QCOMPARE(s.value(u"truncated"_s).toBool(), false);
    QVERIFY(!s.contains(u"next_offset"_s));
    // The text frames the content as untrusted data.
    QVERIFY2(SdkClient::text(answer).contains(u"<<<untrusted file "_s), qPrintable(SdkClient::text(answer)));
}

void TestFileTools::readWindow_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("lines");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<QString>("content");
    QTest::addColumn<int>("nextOffset"); // -1: none
    QTest::addColumn<bool>("truncated");
    for (const QString &target : { u"local"_s, u"box"_s }) {
        const QByteArray t = target.toUtf8();
        QTest::addRow("%s window", t.constData()) << target << 3 << 2 << 65536 << u"line 4\nline 5\n"_s << 5 << false;
        QTest::addRow("%s tail", t.constData()) << target << 8 << 5 << 65536 << u"line 9\nline 10\n"_s << -1 << false;
        QTest::addRow("%s past end", t.constData()) << target << 50 << 5 << 65536 << QString() << -1 << false;
        QTest::addRow("%s byte cap", t.constData()) << target << 0 << 10 << 9 << u"line 1\nli"_s << -1 << true;
    }
}

void TestFileTools::readWindow()
{
    QFETCH(QString, target);
    QFETCH(int, offset);
    QFETCH(int, lines);
    QFETCH(int, maxBytes);
    QFETCH(QString, content);
    QFETCH(int, nextOffset);
    QFETCH(bool, truncated);
    const QJsonObject answer = call(u"read_file"_s, { { u"target"_s, target }, { u"path"_s, QString(m_data + u"/a.txt"_s) },
                                                      { u"offset"_s, offset }, { u"lines"_s, lines }, { u"max_bytes"_s, maxBytes } });
    QVERIFY2(!answer.contains(u"error"_s) && !SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    QCOMPARE(s.value(u"content"_s).toString(), content);
    QCOMPARE(s.value(u"offset"_s).toInt(), offset);
    QCOMPARE(s.contains(u"next_offset"_s) ? s.value(u"next_offset"_s).toInt() : -1, nextOffset);
    QCOMPARE(s.value(u"truncated"_s).toBool(), truncated);
}

void TestFileTools::listDirectory_data()
{
    readFile_data();
}

void TestFileTools::listDirectory()
{
    QFETCH(QString, target);
    const QJsonObject answer = call(u"list_directory"_s, { { u"target"_s, target }, { u"path"_s, m_data } });
    QVERIFY2(!answer.contains(u"error"_s) && !SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    // .env (built-in deny list) and notes.secret (files.deny) are withheld; everything else is there, sorted.
    QCOMPARE(names(s.value(u"entries"_s).toArray()),
             (QStringList { u"a.txt"_s, u"innocent-link"_s, u"keys"_s, u"sub"_s }));
    QCOMPARE(s.value(u"hidden"_s).toInt(), 2);
    const QJsonObject a = s.value(u"entries"_s).toArray().at(0).toObject();
    QCOMPARE(a.value(u"type"_s).toString(), u"file"_s);
    QCOMPARE(qint64(a.value(u"size"_s).toDouble()), QFileInfo(QString(m_data + u"/a.txt"_s)).size());
    QCOMPARE(s.value(u"entries"_s).toArray().at(1).toObject().value(u"type"_s).toString(), u"symlink"_s);
    QCOMPARE(s.value(u"entries"_s).toArray().at(3).toObject().value(u"type"_s).toString(), u"directory"_s);
    // keys/ itself is fine; what is in it is not.
    const QJsonObject keys = call(u"list_directory"_s, { { u"target"_s, target }, { u"path"_s, QString(m_data + u"/keys"_s) } });
    QCOMPARE(SdkClient::structured(keys).value(u"entries"_s).toArray().size(), 0);
    QCOMPARE(SdkClient::structured(keys).value(u"hidden"_s).toInt(), 1);
    // The limit.
    const QJsonObject two = call(u"list_directory"_s, { { u"target"_s, target }, { u"path"_s, m_data }, { u"limit"_s, 2 } });
    QCOMPARE(names(SdkClient::structured(two).value(u"entries"_s).toArray()), (QStringList { u"a.txt"_s, u"innocent-link"_s }));
    QCOMPARE(SdkClient::structured(two).value(u"truncated"_s).toBool(), true);
}

void TestFileTools::fileInfo_data()
{
    readFile_data();
}

void TestFileTools::fileInfo()
{
    QFETCH(QString, target);
    const QJsonObject answer = call(u"get_file_info"_s, { { u"target"_s, target }, { u"path"_s, QString(m_data + u"/a.txt"_s) } });
    QVERIFY2(!answer.contains(u"error"_s) && !SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    const QJsonObject s = SdkClient::structured(answer);
    const QFileInfo info(QString(m_data + u"/a.txt"_s));
    QCOMPARE(s.value(u"type"_s).toString(), u"file"_s);
    QCOMPARE(qint64(s.value(u"size"_s).toDouble()), info.size());
    QCOMPARE(s.value(u"mode"_s).toString(), u"644"_s);
    QCOMPARE(s.value(u"owner"_s).toString(), info.owner());
    QCOMPARE(s.value(u"links"_s).toInt(), 1);
    QCOMPARE(s.value(u"modified"_s).toString(), info.lastModified().toUTC().toString(Qt::ISODate));
    const QJsonObject link = call(u"get_file_info"_s, { { u"target"_s, target }, { u"path"_s, QString(m_data + u"/innocent-link"_s) } });
    QCOMPARE(SdkClient::structured(link).value(u"type"_s).toString(), u"symlink"_s);
    QCOMPARE(SdkClient::structured(link).value(u"symlink_target"_s).toString(), QString(m_data + u"/.env"_s));
}

void TestFileTools::searchFiles_data()
{
    readFile_data();
}

void TestFileTools::searchFiles()
{
    QFETCH(QString, target);
    const QJsonObject logs = call(u"search_files"_s, { { u"target"_s, target }, { u"path"_s, m_data }, { u"pattern"_s, u"*.log"_s } });
    QVERIFY2(!logs.contains(u"error"_s) && !SdkClient::isToolError(logs), qPrintable(SdkClient::text(logs)));
    QCOMPARE(names(SdkClient::structured(logs).value(u"matches"_s).toArray()), (QStringList { u"sub/b.log"_s, u"sub/deeper/c.log"_s }));
    const QJsonObject shallow = call(u"search_files"_s, { { u"target"_s, target }, { u"path"_s, m_data }, { u"pattern"_s, u"*.log"_s },
                                                          { u"max_depth"_s, 2 } });
    QCOMPARE(names(SdkClient::structured(shallow).value(u"matches"_s).toArray()), (QStringList { u"sub/b.log"_s }));
    // Secrets are found by nobody: counted, not shown.
    const QJsonObject env = call(u"search_files"_s, { { u"target"_s, target }, { u"path"_s, m_data }, { u"pattern"_s, u".env*"_s } });
    QCOMPARE(SdkClient::structured(env).value(u"matches"_s).toArray().size(), 0);
    QCOMPARE(SdkClient::structured(env).value(u"hidden"_s).toInt(), 1);
    const QJsonObject dirs = call(u"search_files"_s, { { u"target"_s, target }, { u"path"_s, m_data }, { u"type"_s, u"directory"_s } });
    QCOMPARE(names(SdkClient::structured(dirs).value(u"matches"_s).toArray()), (QStringList { u"keys"_s, u"sub"_s, u"sub/deeper"_s }));
}

void TestFileTools::refused_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QString>("message");
    const QString d = m_data;
    for (const QString &target : { u"local"_s, u"box"_s }) {
        const QByteArray t = target.toUtf8();
        const auto row = [&](const char *name, const QString &tool, const QJsonObject &args, const QString &message) {
            QJsonObject withTarget = args;
            withTarget.insert(u"target"_s, target);
            QTest::addRow("%s %s %s", t.constData(), qPrintable(tool), name) << tool << withTarget << message;
        };
        for (const QString &tool : { u"read_file"_s, u"list_directory"_s, u"get_file_info"_s, u"search_files"_s }) {
            row("shadow", tool, { { u"path"_s, u"/etc/shadow"_s } }, u"file deny list (/etc/shadow)"_s);
            row("traversal", tool, { { u"path"_s, QString(d + u"/../../../etc/shadow"_s) } }, u"file deny list (/etc/shadow)"_s);
            row("tmp-dotdot", tool, { { u"path"_s, u"/tmp/../etc/shadow"_s } }, u"file deny list (/etc/shadow)"_s);
            row("dotenv", tool, { { u"path"_s, QString(d + u"/.env"_s) } }, u"file deny list (.env)"_s);
            row("ssh-dir", tool, { { u"path"_s, u"/root/.ssh/authorized_keys"_s } },
                u"Operation not permitted for target: /root/.ssh/authorized_keys"_s);
            row("private-key", tool, { { u"path"_s, QString(d + u"/keys/id_rsa"_s) } }, u"file deny list (id_rsa*)"_s);
            row("configured-deny", tool, { { u"path"_s, QString(d + u"/notes.secret"_s) } }, u"file deny list (*.secret)"_s);
            row("relative", tool, { { u"path"_s, u"etc/passwd"_s } }, u"absolute"_s);
            row("shell-chain", tool, { { u"path"_s, u"; rm -rf /"_s } }, u"absolute"_s);
            row("substitution", tool, { { u"path"_s, u"$(id)"_s } }, u"absolute"_s);
            row("option", tool, { { u"path"_s, u"--output=/x"_s } }, u"'-'"_s);
            row("nul", tool, { { u"path"_s, QString(d + u"/a.txt"_s + QChar(0) + u"x"_s) } }, u"NUL"_s);
            row("huge", tool, { { u"path"_s, QString(u'/' + QString(1024 * 1024, u'a')) } }, u"Invalid arguments"_s);
        }
        row("symlink to secret", u"read_file"_s, { { u"path"_s, QString(d + u"/innocent-link"_s) } },
            QString(u"resolves to "_s + d + u"/.env"_s));
        row("pattern with slash", u"search_files"_s, { { u"path"_s, d }, { u"pattern"_s, u"../*"_s } }, u"Invalid arguments"_s);
        row("pattern option", u"search_files"_s, { { u"path"_s, d }, { u"pattern"_s, u"-delete"_s } }, u"'-'"_s);
    }
}

void TestFileTools::refused()
{
    QFETCH(QString, tool);
    QFETCH(QJsonObject, args);
    QFETCH(QString, message);
    const QJsonObject answer = call(tool, args);
    QVERIFY2(answer.contains(u"error"_s) || SdkClient::isToolError(answer), qPrintable(SdkClient::text(answer)));
    QVERIFY2(SdkClient::text(answer).contains(message), qPrintable(SdkClient::text(answer)));
    // Nothing leaked: no content of the secrets came back.
    QVERIFY(!SdkClient::text(answer).contains(u"hunter2"_s));
    QVERIFY(!SdkClient::text(answer).contains(u"PRIVATE KEY"_s));
}

QTEST_GUILESS_MAIN(TestFileTools)
#include "tst_filetools.moc"
