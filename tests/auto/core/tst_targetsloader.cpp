// Registry::parseTargets and Registry::TargetRegistry::load against a corpus of good and bad targets.yaml
// files (tests/data/targets/), plus the shape of the original TailOpsMCP examples.

#include "config/diagnostic.h"
#include "config/envexpand.h"
#include "registry/target.h"
#include "registry/targetregistry.h"
#include "registry/targetsloader.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <exception>

using namespace Qt::StringLiterals;
using Tailops::Config::Diagnostic;
using Tailops::Config::Diagnostics;
using Tailops::Registry::Executor;
using Tailops::Registry::Target;
using Tailops::Registry::TargetRegistry;

namespace {

constexpr qsizetype kLimit = 4 * 1024 * 1024; // Config::Yaml::kMaxFileBytes (private header)

QString dataDir()
{
    // TAILOPS_TEST_DATA is set by ctest; fall back to the source tree when it is missing or wrong.
    const QString fromEnv = qEnvironmentVariable("TAILOPS_TEST_DATA");
    if (!fromEnv.isEmpty() && QFileInfo::exists(fromEnv + u"/targets"_s)) {
        return fromEnv;
    }
    return QStringLiteral(TAILOPS_TEST_DATA_DIR);
}

QString targetsFile(const QString &name) { return dataDir() + u"/targets/"_s + name; }

QByteArray readFixture(const QString &name)
{
    QFile f(targetsFile(name));
    if (!f.open(QIODevice::ReadOnly)) {
        qFatal("cannot open fixture %s", qPrintable(f.fileName()));
    }
    return f.readAll();
}

// Environment seen by the loader in these tests; the process environment must not leak in.
std::optional<QString> fakeEnv(const QString &name)
{
    static const QHash<QString, QString> env {
        { u"SSH_KEY"_s, u"/keys/id_ed25519"_s },
        { u"SSH_HOST"_s, u"web.example"_s },
        { u"SSH_KEY_WEB"_s, u"/home/admin/.ssh/id_web"_s },
    };
    const auto it = env.constFind(name);
    return it == env.cend() ? std::nullopt : std::optional<QString>(*it);
}

// parseTargets must report problems as diagnostics, never throw.
QList<Target> parse(const QByteArray &yaml, const QString &fileName, Diagnostics &out, QString *thrown)
{
    try {
        return Tailops::Registry::parseTargets(yaml, fileName, out, fakeEnv);
    } catch (const std::exception &e) {
        *thrown = QString::fromUtf8(e.what());
    } catch (...) {
        *thrown = u"unknown exception"_s;
    }
    return {};
}

QStringList ids(const QList<Target> &targets)
{
    QStringList out;
    for (const Target &t : targets) {
        out.append(t.id);
    }
    return out;
}

QStringList ids(const Tailops::Registry::TargetSetPtr &set) { return ids(set->targets()); }

QString dump(const Diagnostics &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics) {
        lines.append(d.toString());
    }
    return lines.isEmpty() ? u"(no diagnostics)"_s : lines.join(u'\n');
}

const Target *findTarget(const QList<Target> &targets, const QString &id)
{
    for (const Target &t : targets) {
        if (t.id == id) {
            return &t;
        }
    }
    return nullptr;
}

// A file well-formed in every respect except its size.
QByteArray oversizedYaml(qsizetype bytes)
{
    QByteArray yaml = "targets:\n  good:\n    type: local\n";
    const QByteArray padding = "# " + QByteArray(76, 'x') + '\n';
    yaml.reserve(bytes + padding.size());
    while (yaml.size() < bytes) {
        yaml += padding;
    }
    return yaml;
}

} // namespace

class TestTargetsLoader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void corpus_data();
    void corpus();

    void unknownKeysAreOnlyWarnings();
    void envExpansion();
    void expandEnv_data();
    void expandEnv();
    void originalExampleShape();
    void sshDefaultPort();

    void loadMissingFileGivesBuiltinLocal();
    void loadGoodFileReplaces();
    void loadOnlyErrorsKeepsPrevious_data();
    void loadOnlyErrorsKeepsPrevious();
    void loadPartialFileServesGoodTargets();
    void loadOversizedFileKeepsPrevious();
};

void TestTargetsLoader::initTestCase()
{
    QVERIFY2(QFileInfo::exists(targetsFile(u"good-two.yaml"_s)), qPrintable(dataDir()));
    // If the loader consulted the process environment instead of the lookup it is given, these would leak.
    qputenv("UNSET", "from-the-process-environment");
    qputenv("SSH_KEY", "/wrong/process/key");
}

void TestTargetsLoader::corpus_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("fragment"); // expected in one diagnostic's message
    QTest::addColumn<int>("line"); // of that diagnostic; 0 = the whole file
    QTest::addColumn<int>("column");
    QTest::addColumn<bool>("isError");
    QTest::addColumn<QStringList>("expectedIds"); // targets still returned

    const auto file = [](const char *tag, const QString &name, const QString &fragment, int line, int column,
                          bool isError, const QStringList &expected) {
        QTest::newRow(tag) << readFixture(name) << name << fragment << line << column << isError << expected;
    };
    const QStringList good { u"good"_s };

    file("syntax error", u"syntax-error.yaml"_s, u"YAML syntax error: illegal map value"_s, 5, 16, true, {});
    file("port is a string", u"port-not-a-number.yaml"_s,
        u"target 'web': connection.port must be a whole number, not 'abc'"_s, 8, 13, true, good);
    file("capabilities is a scalar", u"capabilities-not-a-list.yaml"_s,
        u"target 'box': capabilities must be a list of scope names, not 'x'"_s, 6, 19, true, good);
    file("concurrency 0", u"concurrency-zero.yaml"_s,
        u"target 'box': constraints.concurrency must be between 1 and 1024, not 0"_s, 8, 20, true, good);
    file("unknown executor", u"unknown-executor.yaml"_s, u"target 'legacy': unknown executor 'telnet'"_s, 6, 15, true,
        good);
    file("unknown connection.executor", u"unknown-connection-executor.yaml"_s,
        u"target 'legacy': unknown executor 'rsh'"_s, 7, 17, true, good);
    file("ssh without host", u"ssh-missing-host.yaml"_s, u"target 'nohost': an ssh target needs connection.host"_s, 8,
        7, true, good);
    file("port 70000", u"port-out-of-range.yaml"_s,
        u"target 'web': connection.port must be between 1 and 65535, not 70000"_s, 8, 13, true, good);
    file("duplicate id", u"duplicate-id.yaml"_s, u"target 'twin': duplicate id (first defined on line 4)"_s, 8, 3, true,
        QStringList { u"good"_s, u"other"_s });
    file("unknown capability", u"unknown-capability.yaml"_s, u"target 'box': unknown capability 'system:reboot'"_s, 8,
        9, true, good);
    file("bad id", u"bad-id.yaml"_s, u"target 'bad id!': the id must be 1-64 letters"_s, 4, 3, true, good);
    file("id differs from key", u"id-mismatch.yaml"_s, u"target 'web': 'id: www' differs from the map key"_s, 5, 9,
        true, good);
    file("unknown key in target", u"unknown-keys.yaml"_s, u"target 'web': unknown key 'colour' (ignored)"_s, 5, 5,
        false, QStringList { u"web"_s });
    file("unknown key in connection", u"unknown-keys.yaml"_s,
        u"target 'web': connection: unknown key 'hostname' (ignored)"_s, 8, 7, false, QStringList { u"web"_s });
    file("unknown key in constraints", u"unknown-keys.yaml"_s,
        u"target 'web': constraints: unknown key 'nice' (ignored)"_s, 11, 7, false, QStringList { u"web"_s });
    file("unknown top-level key", u"unknown-keys.yaml"_s, u"unknown top-level key 'extras' (ignored)"_s, 12, 1, false,
        QStringList { u"web"_s });
    file("${UNSET}", u"env-expansion.yaml"_s,
        u"target 'unset': connection.key_path: environment variable UNSET is not set"_s, 16, 17, true,
        QStringList { u"keyed"_s, u"defaulted"_s, u"literal"_s });
    file("empty file", u"empty.yaml"_s, u"missing 'targets'"_s, 0, 0, true, {});
    file("top-level list", u"top-level-list.yaml"_s, u"the file must be a map with a 'targets' key, not a list"_s, 1, 1,
        true, {});
    file("missing targets", u"missing-targets.yaml"_s, u"missing 'targets'"_s, 1, 1, true, {});
    file(
        "missing targets: unknown key", u"missing-targets.yaml"_s, u"unknown top-level key 'hosts'"_s, 2, 1, false, {});
    file("scalar connection, bad executor", u"connection-scalar-bad-executor.yaml"_s,
        u"target 'odd': unknown executor 'telnet'"_s, 6, 15, true, good);
    file("scalar connection", u"connection-scalar-bad-executor.yaml"_s,
        u"target 'odd': connection must be a map, not 'web.example'"_s, 7, 17, true, good);

    QTest::newRow("10 MB file") << oversizedYaml(10 * 1024 * 1024) << u"targets.yaml"_s
                                << u"the limit is %1 bytes"_s.arg(kLimit) << 0 << 0 << true << QStringList {};
    QTest::newRow("just over the limit") << oversizedYaml(kLimit + 1).left(kLimit + 1) << u"targets.yaml"_s
                                         << u"file is %1 bytes; the limit is %2 bytes"_s.arg(kLimit + 1).arg(kLimit)
                                         << 0 << 0 << true << QStringList {};
    const QByteArray nul = QByteArray("targets:\n  good:\n    type: local\n")
        + QByteArray("\x7f"
                     "ELF\x02\x01\x00\x00junk",
            12);
    QTest::newRow("binary with NUL") << nul << u"targets.yaml"_s
                                     << u"file contains binary data (a NUL byte at offset %1)"_s.arg(nul.indexOf('\0'))
                                     << 0 << 0 << true << QStringList {};
    QTest::newRow("invalid UTF-8") << QByteArray("targets:\n  good:\n    type: local\n    description: caf\xe9\n")
                                   << u"targets.yaml"_s << u"file is not valid UTF-8 text"_s << 0 << 0 << true
                                   << QStringList {};
    QTest::newRow("overlong UTF-8") << QByteArray("targets:\n  good:\n    description: \xc0\xaf\n") << u"targets.yaml"_s
                                    << u"file is not valid UTF-8 text"_s << 0 << 0 << true << QStringList {};
    QTest::newRow("targets is a list") << QByteArray("targets:\n  - good\n") << u"targets.yaml"_s
                                       << u"'targets' must be a map keyed by target id, not a list"_s << 2 << 3 << true
                                       << QStringList {};
}

void TestTargetsLoader::corpus()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, fileName);
    QFETCH(QString, fragment);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(bool, isError);
    QFETCH(QStringList, expectedIds);

    Diagnostics diagnostics;
    QString thrown;
    const QList<Target> targets = parse(content, fileName, diagnostics, &thrown);
    QVERIFY2(thrown.isEmpty(), qPrintable(u"parseTargets threw instead of reporting a diagnostic: "_s + thrown));

    const auto it = std::find_if(
        diagnostics.cbegin(), diagnostics.cend(), [&](const Diagnostic &d) { return d.message.contains(fragment); });
    QVERIFY2(it != diagnostics.cend(),
        qPrintable(u"no diagnostic contains \""_s + fragment + u"\"; got:\n"_s + dump(diagnostics)));
    const Diagnostic &d = *it;
    QCOMPARE(d.file, fileName);
    QCOMPARE(d.line, line);
    QCOMPARE(d.column, column);
    QCOMPARE(d.isError(), isError);

    // "FILE:LINE:COL: [warning: ]message", or "FILE: message" for whole-file problems.
    const QString where = line > 0 ? u"%1:%2:%3: "_s.arg(fileName).arg(line).arg(column) : fileName + u": "_s;
    const QString expectedText = where + (isError ? QString() : u"warning: "_s) + d.message;
    QCOMPARE(d.toString(), expectedText);
    QVERIFY(d.toString().contains(fragment));

    QCOMPARE(ids(targets), expectedIds);
}

void TestTargetsLoader::unknownKeysAreOnlyWarnings()
{
    Diagnostics diagnostics;
    QString thrown;
    const QList<Target> targets = parse(readFixture(u"unknown-keys.yaml"_s), u"targets.yaml"_s, diagnostics, &thrown);
    QVERIFY(thrown.isEmpty());
    QCOMPARE(diagnostics.size(), 4);
    QVERIFY2(!Tailops::Config::hasErrors(diagnostics), qPrintable(dump(diagnostics)));
    QCOMPARE(targets.size(), 1);
    const Target &web = targets.constFirst();
    QCOMPARE(web.host, u"web.example"_s);
    QCOMPARE(web.executor, Executor::Ssh);
    QCOMPARE(web.timeoutSeconds, 10);
}

void TestTargetsLoader::envExpansion()
{
    Diagnostics diagnostics;
    QString thrown;
    const QList<Target> targets = parse(readFixture(u"env-expansion.yaml"_s), u"targets.yaml"_s, diagnostics, &thrown);
    QVERIFY(thrown.isEmpty());
    // Exactly one problem: ${UNSET}, although UNSET is set in the process environment.
    QCOMPARE(diagnostics.size(), 1);
    QVERIFY(diagnostics.constFirst().message.contains(u"UNSET"_s));

    const Target *keyed = findTarget(targets, u"keyed"_s);
    QVERIFY(keyed);
    QCOMPARE(keyed->host, u"web.example"_s);
    QCOMPARE(keyed->keyPath, u"/keys/id_ed25519"_s);

    const Target *defaulted = findTarget(targets, u"defaulted"_s);
    QVERIFY(defaulted);
    QCOMPARE(defaulted->keyPath, u"/default"_s);

    const Target *literal = findTarget(targets, u"literal"_s);
    QVERIFY(literal);
    QCOMPARE(literal->username, u"pa$word"_s);
    QCOMPARE(literal->keyPath, u"${SSH_KEY}"_s);

    QVERIFY(!findTarget(targets, u"unset"_s));
}

void TestTargetsLoader::expandEnv_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // when ok
    QTest::addColumn<QString>("errorFragment"); // empty: must succeed

    QTest::newRow("plain") << u"no variables"_s << u"no variables"_s << QString();
    QTest::newRow("set") << u"${SSH_KEY}"_s << u"/keys/id_ed25519"_s << QString();
    QTest::newRow("embedded") << u"x-${SSH_HOST}:22"_s << u"x-web.example:22"_s << QString();
    QTest::newRow("two") << u"${SSH_HOST}${SSH_KEY}"_s << u"web.example/keys/id_ed25519"_s << QString();
    QTest::newRow("default unused") << u"${SSH_KEY:-/x}"_s << u"/keys/id_ed25519"_s << QString();
    QTest::newRow("default used") << u"${UNSET:-/default}"_s << u"/default"_s << QString();
    QTest::newRow("empty default") << u"a${UNSET:-}b"_s << u"ab"_s << QString();
    QTest::newRow("$$") << u"a$$b"_s << u"a$b"_s << QString();
    QTest::newRow("$${X}") << u"$${SSH_KEY}"_s << u"${SSH_KEY}"_s << QString();
    QTest::newRow("lone $") << u"cost: 5$"_s << u"cost: 5$"_s << QString();
    QTest::newRow("$NAME is not expanded") << u"$SSH_KEY"_s << u"$SSH_KEY"_s << QString();
    QTest::newRow("unset") << u"${UNSET}"_s << QString() << u"environment variable UNSET is not set"_s;
    QTest::newRow("unterminated") << u"${SSH_KEY"_s << QString() << u"unterminated '${'"_s;
    QTest::newRow("empty name") << u"${}"_s << QString() << u"'${}' is not a valid environment variable reference"_s;
    QTest::newRow("digit first") << u"${1X}"_s << QString() << u"'${1X}' is not a valid"_s;
    QTest::newRow("space in name") << u"${A B}"_s << QString() << u"'${A B}' is not a valid"_s;
}

void TestTargetsLoader::expandEnv()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, errorFragment);

    const auto result = Tailops::Config::expandEnv(input, fakeEnv);
    if (errorFragment.isEmpty()) {
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error().message));
        QCOMPARE(*result, expected);
    } else {
        QVERIFY(!result.has_value());
        QVERIFY2(result.error().message.contains(errorFragment), qPrintable(result.error().message));
    }
}

void TestTargetsLoader::originalExampleShape()
{
    Diagnostics diagnostics;
    QString thrown;
    const QList<Target> targets
        = parse(readFixture(u"tailopsmcp-example.yaml"_s), u"targets.yaml"_s, diagnostics, &thrown);
    QVERIFY(thrown.isEmpty());
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(ids(targets), (QStringList { u"local"_s, u"web-server-01"_s, u"docker-host"_s }));

    const Target &local = targets.at(0);
    QCOMPARE(local.executor, Executor::Local);
    QCOMPARE(local.type, u"local"_s);
    QCOMPARE(local.description, u"The gateway host"_s);
    QCOMPARE(local.capabilities, (QStringList { u"system:read"_s, u"network:read"_s, u"container:read"_s }));
    QCOMPARE(local.timeoutSeconds, 30);
    QCOMPARE(local.concurrency, 5);
    QCOMPARE(local.sudoPolicy, u"none"_s);
    QCOMPARE(local.tags, (QStringList { u"local"_s, u"development"_s }));
    QCOMPARE(local.line, 5);

    const Target &web = targets.at(1);
    QCOMPARE(web.type, u"remote"_s);
    QCOMPARE(web.executor, Executor::Ssh); // inferred from type: remote
    QCOMPARE(web.host, u"192.168.1.100"_s);
    QCOMPARE(web.port, 2222);
    QCOMPARE(web.username, u"admin"_s);
    QCOMPARE(web.keyPath, u"/home/admin/.ssh/id_web"_s);
    QCOMPARE(web.connectTimeoutSeconds, 15);
    QCOMPARE(web.capabilities, (QStringList { u"system:read"_s, u"container:write"_s }));
    QCOMPARE(web.timeoutSeconds, 120);
    QCOMPARE(web.concurrency, 2);
    QCOMPARE(web.sudoPolicy, u"limited"_s);
    QCOMPARE(web.maxOutputBytes, 65536);
    QCOMPARE(web.tags, (QStringList { u"web"_s, u"production"_s }));
    QCOMPARE(web.line, 22);

    const Target &docker = targets.at(2);
    QCOMPARE(docker.executor, Executor::Docker); // inferred from type: docker
    QCOMPARE(docker.socketPath, u"/var/run/docker.sock"_s);
    QCOMPARE(docker.sudoPolicy, u"full"_s);
    QCOMPARE(docker.tags, QStringList { u"containers"_s });
    QCOMPARE(docker.timeoutSeconds, 60); // defaults
    QCOMPARE(docker.concurrency, 1);

    // What clients see carries no key path.
    const QJsonObject json = Tailops::Registry::targetToJson(web);
    QCOMPARE(json.value(u"executor"_s).toString(), u"ssh"_s);
    QCOMPARE(json.value(u"port"_s).toInt(), 2222);
    for (auto it = json.begin(); it != json.end(); ++it) {
        QVERIFY2(!it.value().toVariant().toString().contains(u"id_web"_s), qPrintable(it.key()));
    }
}

void TestTargetsLoader::sshDefaultPort()
{
    Diagnostics diagnostics;
    QString thrown;
    const QList<Target> targets = parse(readFixture(u"good-two.yaml"_s), u"targets.yaml"_s, diagnostics, &thrown);
    QVERIFY(thrown.isEmpty());
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    const Target *beta = findTarget(targets, u"beta"_s);
    QVERIFY(beta);
    QCOMPARE(beta->executor, Executor::Ssh);
    QCOMPARE(beta->port, 22);
}

void TestTargetsLoader::loadMissingFileGivesBuiltinLocal()
{
    TargetRegistry registry;
    QCOMPARE(registry.load(targetsFile(u"good-two.yaml"_s)).size(), 0);
    QCOMPARE(ids(registry.snapshot()), (QStringList { u"alpha"_s, u"beta"_s }));

    QSignalSpy spy(&registry, &TargetRegistry::targetsChanged);
    const Diagnostics diagnostics = registry.load(targetsFile(u"does-not-exist.yaml"_s));
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(spy.count(), 1);
    const auto set = registry.snapshot();
    QCOMPARE(ids(set), QStringList { u"local"_s });
    const Target *local = set->find(u"local"_s);
    QVERIFY(local);
    QCOMPARE(local->executor, Executor::Local);
    QCOMPARE(local->capabilities, Target::builtinLocal().capabilities);
    QVERIFY(!local->capabilities.isEmpty());
}

void TestTargetsLoader::loadGoodFileReplaces()
{
    TargetRegistry registry;
    const auto before = registry.snapshot();
    QCOMPARE(ids(before), QStringList { u"local"_s }); // a new registry serves the built-in target

    QSignalSpy spy(&registry, &TargetRegistry::targetsChanged);
    const Diagnostics diagnostics = registry.load(targetsFile(u"good-two.yaml"_s));
    QVERIFY2(diagnostics.isEmpty(), qPrintable(dump(diagnostics)));
    QCOMPARE(spy.count(), 1);
    const auto after = registry.snapshot();
    QCOMPARE(ids(after), (QStringList { u"alpha"_s, u"beta"_s }));
    QVERIFY(after->find(u"beta"_s));
    QVERIFY(!after->find(u"local"_s));
    QCOMPARE(after->find(u"alpha"_s)->description, u"first"_s);
    // A snapshot taken before the reload is unchanged.
    QCOMPARE(ids(before), QStringList { u"local"_s });
}

void TestTargetsLoader::loadOnlyErrorsKeepsPrevious_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("every target bad") << u"all-bad.yaml"_s << u"target 'broken'"_s;
    QTest::newRow("syntax error") << u"syntax-error.yaml"_s << u"YAML syntax error"_s;
    QTest::newRow("empty file") << u"empty.yaml"_s << u"missing 'targets'"_s;
    QTest::newRow("top-level list") << u"top-level-list.yaml"_s << u"must be a map"_s;
}

void TestTargetsLoader::loadOnlyErrorsKeepsPrevious()
{
    QFETCH(QString, file);
    QFETCH(QString, fragment);

    TargetRegistry registry;
    QVERIFY(registry.load(targetsFile(u"good-two.yaml"_s)).isEmpty());
    const auto previous = registry.snapshot();

    QSignalSpy spy(&registry, &TargetRegistry::targetsChanged);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"keeping the previous targets: .*%1"_s.arg(file)));
    const Diagnostics diagnostics = registry.load(targetsFile(file));
    QVERIFY(Tailops::Config::hasErrors(diagnostics));
    QVERIFY2(dump(diagnostics).contains(fragment), qPrintable(dump(diagnostics)));
    for (const Diagnostic &d : diagnostics) {
        QCOMPARE(d.file, file); // the file's base name, not the full path
    }
    QCOMPARE(spy.count(), 0);
    QCOMPARE(registry.snapshot(), previous);
    QCOMPARE(ids(registry.snapshot()), (QStringList { u"alpha"_s, u"beta"_s }));
}

void TestTargetsLoader::loadPartialFileServesGoodTargets()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"targets.yaml"_s);
    QVERIFY(QFile::copy(targetsFile(u"unknown-capability.yaml"_s), path));

    TargetRegistry registry;
    QSignalSpy spy(&registry, &TargetRegistry::targetsChanged);
    const Diagnostics diagnostics = registry.load(path);
    QCOMPARE(diagnostics.size(), 1);
    QVERIFY2(diagnostics.constFirst().toString().startsWith(u"targets.yaml:8:9: target 'box': unknown capability"_s),
        qPrintable(dump(diagnostics)));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(ids(registry.snapshot()), QStringList { u"good"_s });
}

void TestTargetsLoader::loadOversizedFileKeepsPrevious()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"targets.yaml"_s);
    const QByteArray content = oversizedYaml(10 * 1024 * 1024);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(content), content.size());
    }

    TargetRegistry registry;
    QVERIFY(registry.load(targetsFile(u"good-two.yaml"_s)).isEmpty());
    const auto previous = registry.snapshot();
    QSignalSpy spy(&registry, &TargetRegistry::targetsChanged);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"keeping the previous targets"_s));
    const Diagnostics diagnostics = registry.load(path);
    QCOMPARE(diagnostics.size(), 1);
    const Diagnostic &d = diagnostics.constFirst();
    QVERIFY(d.isError());
    QCOMPARE(d.line, 0);
    QVERIFY2(d.message.contains(u"the limit is %1 bytes"_s.arg(kLimit)), qPrintable(d.toString()));
    QCOMPARE(spy.count(), 0);
    QCOMPARE(registry.snapshot(), previous);

    // The message should state the file's real size, not the size of the prefix that was read.
    QVERIFY2(d.message.contains(QString::number(content.size())), qPrintable(d.toString()));
}

QTEST_GUILESS_MAIN(TestTargetsLoader)

#include "tst_targetsloader.moc"
