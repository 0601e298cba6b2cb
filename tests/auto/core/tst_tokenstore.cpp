// Auth::TokenStore (tokens.json, tokens-usage.json) and what TokenAuthenticator does with it: revocations picked
// up from a changed file while running, a corrupt registry, usage written back.
#include "auth/authenticator.h"
#include "auth/hmactoken.h"
#include "auth/tokenstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;
using Tailops::Auth::TokenAuthenticator;
using Tailops::Auth::TokenAuthOptions;
using Tailops::Auth::TokenRecord;
using Tailops::Auth::TokenStore;

namespace {

const QByteArray kSecret = "tokenstore-test-secret-0123456789";

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

// Mints a token the way `token mint` does and records it in STORE.
QByteArray mintRecorded(const TokenStore &store, const QString &agent, qint64 ttl = 3600, TokenRecord *out = nullptr)
{
    Tailops::Auth::MintOptions options;
    options.agent = agent;
    options.scopes = { u"readonly"_s };
    options.ttlSeconds = ttl;
    Tailops::Auth::TokenClaims claims;
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, QDateTime::currentDateTimeUtc(), &claims);
    TokenRecord r;
    r.id = claims.id;
    r.agent = claims.agent;
    r.scopes = claims.scopes;
    r.hostTags = claims.hostTags;
    r.issuedAt = claims.issuedAt;
    r.expiry = claims.expiry;
    r.hash = Tailops::Auth::tokenHash(token);
    if (!store.add(r)) {
        return {};
    }
    if (out) {
        *out = r;
    }
    return token;
}

QFileDevice::Permissions ownerOnly(bool dir)
{
    return QFileDevice::ReadOwner | QFileDevice::WriteOwner | (dir ? QFileDevice::ExeOwner : QFileDevice::Permissions());
}

// Permissions without the "User" duplicates Qt adds for the current user.
QFileDevice::Permissions modeOf(const QString &path)
{
    return QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
}

QString errorOf(const Tailops::Core::Result<Tailops::Auth::Caller> &r)
{
    return r ? QString() : r.error().message;
}

} // namespace

class TestTokenStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void revokeByHash_data();
    void revokeByHash();
    void fileModes();
    void twoWritersInterleaved();
    void concurrentWriters();
    void corruptRegistry_data();
    void corruptRegistry();
    void liveRevocation();
    void registryCreatedLater();
    void laterCorruptionKeepsLastGoodSet();
    void usageFlushed();
    void usageFlushedOnDestruction();
};

void TestTokenStore::roundTrip()
{
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tailops/tokens.json"_s));
    const auto empty = store.records();
    QVERIFY(empty);
    QVERIFY(empty->isEmpty());

    TokenRecord first;
    TokenRecord second;
    const QByteArray t1 = mintRecorded(store, u"alpha"_s, 3600, &first);
    const QByteArray t2 = mintRecorded(store, u"beta"_s, 7200, &second);
    QVERIFY(!t1.isEmpty() && !t2.isEmpty());

    auto records = store.records();
    QVERIFY2(records, qPrintable(records ? QString() : records.error().toString()));
    QCOMPARE(records->size(), 2);
    QCOMPARE(records->at(0).id, first.id);
    QCOMPARE(records->at(0).agent, u"alpha"_s);
    QCOMPARE(records->at(0).scopes, QStringList { u"readonly"_s });
    QCOMPARE(records->at(0).issuedAt, first.issuedAt);
    QCOMPARE(records->at(0).expiry, first.expiry);
    QCOMPARE(records->at(0).hash, Tailops::Auth::tokenHash(t1));
    QCOMPARE(records->at(1).agent, u"beta"_s);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QCOMPARE(Tailops::Auth::tokenStatus(records->at(0), now), Tailops::Auth::TokenStatus::Active);
    QCOMPARE(Tailops::Auth::tokenStatus(records->at(0), now.addSecs(3601)), Tailops::Auth::TokenStatus::Expired);

    const auto revoked = store.revoke(first.id, u"leaked"_s, now);
    QVERIFY2(revoked, qPrintable(revoked ? QString() : revoked.error().toString()));
    QVERIFY(!revoked->alreadyRevoked);
    QVERIFY(!revoked->added);
    QCOMPARE(revoked->record.agent, u"alpha"_s);
    records = store.records();
    QCOMPARE(records->size(), 2);
    QCOMPARE(Tailops::Auth::tokenStatus(records->at(0), now), Tailops::Auth::TokenStatus::Revoked);
    QCOMPARE(records->at(0).revokedReason, u"leaked"_s);
    QCOMPARE(records->at(0).revokedAt.toMSecsSinceEpoch(), now.toMSecsSinceEpoch());
    QCOMPARE(Tailops::Auth::tokenStatus(records->at(1), now), Tailops::Auth::TokenStatus::Active);

    const auto again = store.revoke(first.id, u"twice"_s, now.addSecs(60));
    QVERIFY(again);
    QVERIFY(again->alreadyRevoked);
    QCOMPARE(store.records()->at(0).revokedReason, u"leaked"_s); // the first revocation stands

    const auto unknown = store.revoke(u"0123456789abcdef"_s, {}, now);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().message, u"no token with id '0123456789abcdef' (see: tailops-gateway token list --all)"_s);
    QCOMPARE(store.records()->size(), 2);

    const auto set = Tailops::Auth::revocationsOf(*store.records());
    QVERIFY(set.contains(first.id, u"sha256:000000000000"_s));
    QVERIFY(set.contains(QString(), first.hash));
    QVERIFY(!set.contains(second.id, second.hash));
}

void TestTokenStore::revokeByHash_data()
{
    QTest::addColumn<bool>("known");
    QTest::addColumn<QString>("form"); // how the hash is written: short, full, upper
    QTest::newRow("known, short") << true << u"short"_s;
    QTest::newRow("known, full sha256") << true << u"full"_s;
    QTest::newRow("known, upper case") << true << u"upper"_s;
    QTest::newRow("original's token (unknown)") << false << u"short"_s;
    QTest::newRow("original's token, full sha256") << false << u"full"_s;
}

void TestTokenStore::revokeByHash()
{
    QFETCH(bool, known);
    QFETCH(QString, form);
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tokens.json"_s));
    mintRecorded(store, u"other"_s);
    const QByteArray token = known ? mintRecorded(store, u"target"_s) : QByteArray("some-token-minted-by-tailopsmcp");
    const QString full = u"sha256:"_s + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex());
    const QString written = form == u"full" ? full : form == u"upper" ? Tailops::Auth::tokenHash(token).toUpper().replace(u"SHA256:"_s, u"sha256:"_s)
                                                                      : Tailops::Auth::tokenHash(token);
    const auto result = store.revoke(written, u"rotated"_s, QDateTime::currentDateTimeUtc());
    QVERIFY2(result, qPrintable(result ? QString() : result.error().toString()));
    QCOMPARE(result->added, !known);
    QCOMPARE(result->record.hash, Tailops::Auth::tokenHash(token));
    const auto records = store.records();
    QCOMPARE(records->size(), 2);
    const auto set = Tailops::Auth::revocationsOf(*records);
    QCOMPARE(set.hashes, QSet<QString> { Tailops::Auth::tokenHash(token) });
    if (!known) {
        QVERIFY(records->last().id.isEmpty());
        QCOMPARE(records->last().revokedReason, u"rotated"_s);
        // An original token (no jti) is refused from now on.
        TokenAuthenticator auth(kSecret, TokenAuthOptions { false, 0, store.path() });
        QVERIFY(auth.revokedCount() == 1);
    }
}

void TestTokenStore::fileModes()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data/tailops"_s);
    const TokenStore store(data + u"/tokens.json"_s);
    const QByteArray token = mintRecorded(store, u"modes"_s);
    QVERIFY(!token.isEmpty());
    QCOMPARE(modeOf(data), ownerOnly(true));
    QCOMPARE(modeOf(store.path()), ownerOnly(false));
    QVERIFY(store.revoke(store.records()->first().id, {}, QDateTime::currentDateTimeUtc()));
    QCOMPARE(modeOf(store.path()), ownerOnly(false)); // still after the rewrite

    QHash<QString, Tailops::Auth::TokenUsage> use;
    use.insert(Tailops::Auth::tokenHash(token), { QDateTime::currentDateTimeUtc(), u"127.0.0.1"_s, 1 });
    QVERIFY(store.recordUsage(use));
    QCOMPARE(store.usagePath(), data + u"/tokens-usage.json"_s);
    QCOMPARE(modeOf(store.usagePath()), ownerOnly(false));

    // Only hashes are stored, never the token nor either half of it.
    const QByteArray stored = readAll(store.path()) + readAll(store.usagePath());
    QVERIFY(stored.contains(Tailops::Auth::tokenHash(token).toLatin1()));
    for (const QByteArray &part : token.split('.')) {
        QVERIFY(!stored.contains(part));
    }
    // No temporary or lock file left behind.
    QCOMPARE(QDir(data).entryList(QDir::Files), (QStringList { u"tokens-usage.json"_s, u"tokens.json"_s }));
}

void TestTokenStore::twoWritersInterleaved()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"tokens.json"_s);
    const TokenStore a(path);
    const TokenStore b(path);
    mintRecorded(a, u"a1"_s);
    const auto seenByA = a.records(); // A has read the file...
    mintRecorded(b, u"b1"_s);          // ...B writes in between...
    mintRecorded(a, u"a2"_s);          // ...and A's next write keeps B's record.
    QCOMPARE(seenByA->size(), 1);
    const auto records = a.records();
    QCOMPARE(records->size(), 3);
    QCOMPARE(records->at(1).agent, u"b1"_s);
    QVERIFY(b.revoke(records->at(0).id, {}, QDateTime::currentDateTimeUtc()));
    mintRecorded(a, u"a3"_s);
    QVERIFY(a.records()->first().isRevoked());
}

void TestTokenStore::concurrentWriters()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"tailops/tokens.json"_s);
    constexpr int kPerWriter = 25;
    QAtomicInt failures = 0;
    const auto writer = [&](const QString &name) {
        const TokenStore store(path);
        for (int i = 0; i < kPerWriter; ++i) {
            if (mintRecorded(store, name + QString::number(i)).isEmpty()) {
                failures.ref();
            }
        }
    };
    std::thread one(writer, u"one-"_s);
    std::thread two(writer, u"two-"_s);
    one.join();
    two.join();
    QCOMPARE(failures.loadRelaxed(), 0);
    const auto records = TokenStore(path).records();
    QVERIFY(records);
    QCOMPARE(records->size(), 2 * kPerWriter);
    QSet<QString> ids;
    for (const TokenRecord &r : *records) {
        ids.insert(r.id);
    }
    QCOMPARE(ids.size(), 2 * kPerWriter);
}

void TestTokenStore::corruptRegistry_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not JSON") << QByteArray("{\"tokens\": [") << u"invalid JSON at offset"_s;
    QTest::newRow("empty file") << QByteArray() << u"invalid JSON at offset 0"_s;
    QTest::newRow("a list") << QByteArray("[]") << u"not a JSON object"_s;
    QTest::newRow("tokens an object") << QByteArray(R"({"version":1,"tokens":{}})") << u"\"tokens\" must be a list"_s;
    QTest::newRow("entry without hash") << QByteArray(R"({"version":1,"tokens":[{"id":"x"}]})")
                                        << u"tokens[0]: \"hash\" must be a token hash"_s;
    QTest::newRow("entry with a bad time")
        << QByteArray(R"({"version":1,"tokens":[{"hash":"sha256:0123456789ab","revoked_at":"yesterday"}]})")
        << u"tokens[0]: issued_at, expiry and revoked_at must be ISO-8601 times"_s;
    QTest::newRow("scopes not a list") << QByteArray(R"({"tokens":[{"hash":"sha256:0123456789ab"},{"hash":"sha256:0123456789ab","scopes":"admin"}]})")
                                       << u"tokens[1]: \"scopes\" and \"host_tags\" must be lists"_s;
    QTest::newRow("future version") << QByteArray(R"({"version":2,"tokens":[]})") << u"unsupported version 2"_s;
}

void TestTokenStore::corruptRegistry()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"tokens.json"_s);
    QVERIFY(writeAll(path, content));
    const TokenStore store(path);

    const auto records = store.records();
    QVERIFY(!records);
    QCOMPARE(records.error().where, path);
    QVERIFY2(records.error().message.startsWith(reason), qPrintable(records.error().message));

    // Writers refuse to replace what they cannot read.
    QVERIFY(mintRecorded(store, u"x"_s).isEmpty());
    QVERIFY(!store.revoke(u"sha256:0123456789ab"_s, {}, QDateTime::currentDateTimeUtc()));
    QCOMPARE(readAll(path), content);

    // Fail closed: the gateway refuses every token while it has never read the registry...
    Tailops::Auth::MintOptions options { u"agent"_s, { u"readonly"_s }, {}, 600 };
    const QByteArray token = Tailops::Auth::mintToken(options, kSecret, QDateTime::currentDateTimeUtc());
    TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 86400, path });
    QVERIFY(!auth.registryReadable());
    const auto refused = auth.authenticate(token);
    QVERIFY(!refused);
    const QString expected = u"token registry unreadable: "_s + path + u": "_s + reason;
    QVERIFY2(refused.error().message.startsWith(expected), qPrintable(refused.error().message));
    QVERIFY(!refused.error().message.contains(QString::fromLatin1(token.left(token.indexOf('.')))));

    // ...and accepts them again once the file is fixed.
    QVERIFY(QFile::remove(path));
    QVERIFY(writeAll(path, R"({"version":1,"tokens":[]})"));
    QTRY_VERIFY_WITH_TIMEOUT(auth.registryReadable(), 2000);
    const auto accepted = auth.authenticate(token);
    QVERIFY2(accepted, qPrintable(errorOf(accepted)));
}

void TestTokenStore::liveRevocation()
{
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tailops/tokens.json"_s));
    TokenRecord first;
    TokenRecord second;
    const QByteArray t1 = mintRecorded(store, u"first"_s, 3600, &first);
    const QByteArray t2 = mintRecorded(store, u"second"_s, 3600, &second);
    TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 86400, store.path() });
    QVERIFY(auth.registryReadable());
    QCOMPARE(auth.revokedCount(), 0);

    // Both accepted, and now cached.
    for (const QByteArray &t : { t1, t2, t1, t2 }) {
        const auto ok = auth.authenticate(t);
        QVERIFY2(ok, qPrintable(errorOf(ok)));
    }

    // Revoked by another process (here: another TokenStore on the file): the watcher reloads within ~1 s,
    // without a request having to come in first.
    QVERIFY(store.revoke(first.id, u"test"_s, QDateTime::currentDateTimeUtc()));
    QTRY_COMPARE_WITH_TIMEOUT(auth.revokedCount(), 1, 1000);
    const auto refused = auth.authenticate(t1);
    QVERIFY(!refused);
    QCOMPARE(refused.error().message, u"token revoked"_s);
    QVERIFY(auth.authenticate(t2));

    // The file was replaced by rename: the watch still works for the next change.
    QVERIFY(store.revoke(second.hash, {}, QDateTime::currentDateTimeUtc()));
    QTRY_COMPARE_WITH_TIMEOUT(auth.revokedCount(), 2, 1000);
    QCOMPARE(auth.authenticate(t2).error().message, u"token revoked"_s);

    // And a revocation is seen by the very next request, even before the watcher reports it.
    TokenRecord third;
    const QByteArray t3 = mintRecorded(store, u"third"_s, 3600, &third);
    QVERIFY(auth.authenticate(t3));
    QVERIFY(store.revoke(third.id, {}, QDateTime::currentDateTimeUtc()));
    QCOMPARE(auth.authenticate(t3).error().message, u"token revoked"_s);
}

void TestTokenStore::registryCreatedLater()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"fresh/tokens.json"_s);
    TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 0, path });
    QVERIFY(auth.registryReadable()); // no file yet: nothing revoked
    QVERIFY(QFileInfo(dir.filePath(u"fresh"_s)).isDir()); // created so that it can be watched
    QCOMPARE(modeOf(dir.filePath(u"fresh"_s)), ownerOnly(true));
    QVERIFY(TokenStore(path).revoke(u"sha256:abcdefabcdef"_s, {}, QDateTime::currentDateTimeUtc()));
    QTRY_COMPARE_WITH_TIMEOUT(auth.revokedCount(), 1, 1000);
}

void TestTokenStore::laterCorruptionKeepsLastGoodSet()
{
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tokens.json"_s));
    TokenRecord revoked;
    const QByteArray bad = mintRecorded(store, u"bad"_s, 3600, &revoked);
    const QByteArray good = mintRecorded(store, u"good"_s);
    QVERIFY(store.revoke(revoked.id, {}, QDateTime::currentDateTimeUtc()));
    TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 0, store.path() });
    QCOMPARE(auth.revokedCount(), 1);

    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"token registry unreadable: .*keeping the revocations read before"_s));
    QVERIFY(writeAll(store.path(), "{ garbage"));
    auth.reloadRegistry();
    QVERIFY(auth.registryReadable());
    QCOMPARE(auth.revokedCount(), 1);
    QCOMPARE(auth.authenticate(bad).error().message, u"token revoked"_s);
    QVERIFY(auth.authenticate(good));
}

void TestTokenStore::usageFlushed()
{
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tokens.json"_s));
    const QByteArray token = mintRecorded(store, u"user"_s);
    const QString hash = Tailops::Auth::tokenHash(token);
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 0, store.path() });
    auto caller = auth.authenticate(token);
    QVERIFY(caller);
    caller->peer = u"127.0.0.1:53422"_s;
    auth.noteUse(*caller);
    caller->peer = u"::1:40000"_s;
    auth.noteUse(*caller);
    QVERIFY(!QFile::exists(store.usagePath())); // written at most every 30 s, not on each use
    QVERIFY(auth.flushUsage());

    auto usage = store.usage();
    QVERIFY2(usage, qPrintable(usage ? QString() : usage.error().toString()));
    QCOMPARE(usage->size(), 1);
    QCOMPARE(usage->value(hash).uses, 2);
    QCOMPARE(usage->value(hash).lastPeer, u"::1"_s);
    QVERIFY(usage->value(hash).lastUsed >= before);
    QVERIFY(usage->value(hash).lastUsed <= QDateTime::currentDateTimeUtc());

    // A second gateway on the same registry adds to the counts instead of replacing them.
    TokenAuthenticator other(kSecret, TokenAuthOptions { true, 0, store.path() });
    caller->peer = u"10.0.0.7:1234"_s;
    other.noteUse(*caller);
    QVERIFY(other.flushUsage());
    usage = store.usage();
    QCOMPARE(usage->value(hash).uses, 3);
    QCOMPARE(usage->value(hash).lastPeer, u"10.0.0.7"_s);
    QVERIFY(!readAll(store.usagePath()).contains(token.left(token.indexOf('.'))));

    // Nothing new: nothing written.
    const QDateTime modified = QFileInfo(store.usagePath()).lastModified();
    QVERIFY(auth.flushUsage());
    QCOMPARE(QFileInfo(store.usagePath()).lastModified(), modified);
}

void TestTokenStore::usageFlushedOnDestruction()
{
    QTemporaryDir dir;
    const TokenStore store(dir.filePath(u"tokens.json"_s));
    const QByteArray token = mintRecorded(store, u"user"_s);
    {
        TokenAuthenticator auth(kSecret, TokenAuthOptions { true, 0, store.path() });
        auto caller = auth.authenticate(token);
        QVERIFY(caller);
        caller->peer = u"192.168.1.5:999"_s;
        auth.noteUse(*caller);
    }
    const auto usage = store.usage();
    QVERIFY(usage);
    QCOMPARE(usage->value(Tailops::Auth::tokenHash(token)).uses, 1);
    QCOMPARE(usage->value(Tailops::Auth::tokenHash(token)).lastPeer, u"192.168.1.5"_s);
}

QTEST_GUILESS_MAIN(TestTokenStore)

#include "tst_tokenstore.moc"
