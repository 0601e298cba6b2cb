#include "approvals/approvalbroker.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <memory>

using namespace Tailops;
using namespace Tailops::Approvals;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(Tailops::Approvals::Outcome)

namespace {

const QString kCaller = QStringLiteral("agent:claude-ops");
const QString kTool = QStringLiteral("restart_service");
const QString kTarget = QStringLiteral("web-1");

QJsonObject nginx()
{
    return QJsonObject { { QStringLiteral("service"), QStringLiteral("nginx") } };
}

ApprovalRequest makeRequest(const QJsonObject &arguments = nginx(), const QString &caller = kCaller)
{
    ApprovalRequest r;
    r.caller = caller;
    r.tool = kTool;
    r.target = kTarget;
    r.arguments = arguments;
    r.binding = ApprovalBroker::bindingHash(caller, kTool, kTarget, arguments);
    r.rule = QStringLiteral("ops-restart");
    r.reason = QStringLiteral("restarts need a human");
    return r;
}

// What one request's callbacks saw.
struct Seen
{
    QList<Decision> decisions;
    QList<QString> messages;
    QList<qint64> elapsed;
    qint64 total = -1;
    QThread *doneThread = nullptr;
};

QString ask(ApprovalBroker &broker, const QObject *context, const std::shared_ptr<Seen> &seen,
            const ApprovalRequest &request = makeRequest(), qint64 timeoutSeconds = 60)
{
    return broker.request(
        request, timeoutSeconds, context,
        [seen](const QString &message, qint64 elapsed, qint64 total) {
            seen->messages.append(message);
            seen->elapsed.append(elapsed);
            seen->total = total;
        },
        [seen](const Decision &decision) {
            seen->decisions.append(decision);
            seen->doneThread = QThread::currentThread();
        });
}

} // namespace

class TestApprovalBroker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bindingHash_data();
    void bindingHash();
    void decide_data();
    void decide();
    void timesOutWithProgress();
    void noReplay();
    void grantCoversIdenticalCallsOnly();
    void grantCoversWaitingIdenticalCalls();
    void revokeGrant();
    void rememberedDenial();
    void pauseAnswersPendingAndNew();
    void readOnlyIsStored();
    void cancel();
    void pendingIsBounded();
    void contextDestroyedWhilePending();
    void contextDestroyedBeforeDelivery();
    void doneRunsOnContextThread();
    void noProgressAfterDone();
    void humanDurations_data();
    void humanDurations();
};

void TestApprovalBroker::bindingHash_data()
{
    QTest::addColumn<QString>("caller");
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<bool>("same");

    const QString c = kCaller;
    const QString t = kTool;
    const QString g = kTarget;
    QTest::newRow("identical") << c << t << g << QByteArray(R"({"service":"nginx"})") << true;
    QTest::newRow("key order does not matter")
        << c << t << g << QByteArray(R"({"b":1,"a":{"y":[1,2],"x":"z"}})") << true;
    QTest::newRow("other argument value") << c << t << g << QByteArray(R"({"service":"postgres"})") << false;
    QTest::newRow("extra argument") << c << t << g << QByteArray(R"({"service":"nginx","force":true})") << false;
    QTest::newRow("other caller") << QStringLiteral("agent:other") << t << g << QByteArray(R"({"service":"nginx"})")
                                  << false;
    QTest::newRow("other tool") << c << QStringLiteral("stop_service") << g << QByteArray(R"({"service":"nginx"})")
                                << false;
    QTest::newRow("other target") << c << t << QStringLiteral("web-2") << QByteArray(R"({"service":"nginx"})")
                                  << false;
}

void TestApprovalBroker::bindingHash()
{
    QFETCH(QString, caller);
    QFETCH(QString, tool);
    QFETCH(QString, target);
    QFETCH(QByteArray, arguments);
    QFETCH(bool, same);

    const QJsonObject args = QJsonDocument::fromJson(arguments).object();
    const QByteArray hash = ApprovalBroker::bindingHash(caller, tool, target, args);
    QCOMPARE(hash.size(), 64);
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(QString::fromLatin1(hash)).hasMatch());
    QCOMPARE(hash, ApprovalBroker::bindingHash(caller, tool, target, args)); // deterministic

    const QByteArray reference = QByteArray(QTest::currentDataTag()) == "key order does not matter"
        ? ApprovalBroker::bindingHash(kCaller, kTool, kTarget,
                                      QJsonDocument::fromJson(R"({"a":{"x":"z","y":[1,2]},"b":1})").object())
        : ApprovalBroker::bindingHash(kCaller, kTool, kTarget, nginx());
    QCOMPARE(hash == reference, same);

    // The parts are kept apart: moving a character from one part to the next changes the hash.
    QVERIFY(ApprovalBroker::bindingHash(QStringLiteral("ab"), QStringLiteral("c"), kTarget, {})
            != ApprovalBroker::bindingHash(QStringLiteral("a"), QStringLiteral("bc"), kTarget, {}));
}

void TestApprovalBroker::decide_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("reason");

    QTest::newRow("approve") << QStringLiteral("approve") << Outcome::Approved << QStringLiteral("approved by alice");
    QTest::newRow("deny") << QStringLiteral("deny") << Outcome::Denied << QStringLiteral("denied by alice");
    QTest::newRow("deny with reason") << QStringLiteral("deny-reason") << Outcome::Denied
                                      << QStringLiteral("not during business hours");
}

void TestApprovalBroker::decide()
{
    QFETCH(QString, action);
    QFETCH(Outcome, outcome);
    QFETCH(QString, reason);

    ApprovalBroker broker;
    QSignalSpy requested(&broker, &ApprovalBroker::requested);
    QSignalSpy decided(&broker, &ApprovalBroker::decided);
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, &context, seen);

    QCOMPARE(id.size(), 6);
    QCOMPARE(requested.size(), 1);
    const auto announced = requested.at(0).at(0).value<ApprovalRequest>();
    QCOMPARE(announced.id, id);
    QCOMPARE(announced.tool, kTool);
    QVERIFY(announced.deadline > announced.requested);
    QCOMPARE(broker.pending().size(), 1);
    QCOMPARE(broker.pending().first().id, id);
    QVERIFY(seen->decisions.isEmpty());

    const QString alice = QStringLiteral("alice");
    const auto result = action == u"approve" ? broker.approve(id, 0, alice)
        : action == u"deny"                  ? broker.deny(id, false, alice)
                                             : broker.deny(id, false, alice, reason);
    QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error().toString()));
    QVERIFY(broker.pending().isEmpty());
    QCOMPARE(decided.size(), 1);
    QCOMPARE(decided.at(0).at(0).toString(), id);

    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, outcome);
    QCOMPARE(seen->decisions.first().approver, alice);
    QCOMPARE(seen->decisions.first().reason, reason);
    QCOMPARE(seen->decisions.first().grant, QString());
    QTest::qWait(50);
    QCOMPARE(seen->decisions.size(), 1); // exactly once
}

void TestApprovalBroker::timesOutWithProgress()
{
    ApprovalBroker broker;
    broker.setProgressInterval(200ms);
    QSignalSpy decided(&broker, &ApprovalBroker::decided);
    QObject context;
    auto seen = std::make_shared<Seen>();
    QElapsedTimer clock;
    clock.start();
    const QString id = ask(broker, &context, seen, makeRequest(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(seen->decisions.size(), 1, 3000);
    QVERIFY(clock.elapsed() >= 950);
    QCOMPARE(seen->decisions.first().outcome, Outcome::TimedOut);
    QCOMPARE(decided.size(), 1);
    QCOMPARE(decided.at(0).at(1).value<Decision>().outcome, Outcome::TimedOut);
    QVERIFY(broker.pending().isEmpty());

    // One at once, then every 200 ms until the deadline.
    QVERIFY2(seen->messages.size() >= 3, qPrintable(QString::number(seen->messages.size())));
    QCOMPARE(seen->total, 1);
    QCOMPARE(seen->messages.first(),
             QStringLiteral("waiting for approval %1 (tailops-gateway approvals approve %1), 1 s left").arg(id));
    QCOMPARE(seen->elapsed.first(), 0);
    for (const QString &message : std::as_const(seen->messages)) {
        QVERIFY(message.startsWith(QStringLiteral("waiting for approval ") + id));
        QVERIFY(message.endsWith(QStringLiteral(" s left")));
    }

    const auto late = broker.approve(id);
    QVERIFY(!late);
    QCOMPARE(late.error().message, QStringLiteral("no pending approval '%1'").arg(id));
}

void TestApprovalBroker::noReplay()
{
    ApprovalBroker broker;
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, &context, seen);

    QVERIFY(broker.approve(id));
    const auto again = broker.approve(id);
    QVERIFY(!again);
    QCOMPARE(again.error().message, QStringLiteral("no pending approval '%1'").arg(id));
    const auto denyAfter = broker.deny(id);
    QVERIFY(!denyAfter);
    QCOMPARE(denyAfter.error().message, QStringLiteral("no pending approval '%1'").arg(id));
    QCOMPARE(broker.approve(QStringLiteral("000000")).error().message,
             QStringLiteral("no pending approval '000000'"));

    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Approved);

    // Ids are not handed out again.
    QSet<QString> ids { id };
    for (int i = 0; i < 200; ++i) {
        auto s = std::make_shared<Seen>();
        const QString next = ask(broker, &context, s, makeRequest(QJsonObject { { QStringLiteral("n"), i } }));
        QVERIFY(!ids.contains(next));
        ids.insert(next);
        broker.cancel(next);
    }
}

void TestApprovalBroker::grantCoversIdenticalCallsOnly()
{
    ApprovalBroker broker;
    QSignalSpy requested(&broker, &ApprovalBroker::requested);
    QObject context;
    auto first = std::make_shared<Seen>();
    const QString id = ask(broker, &context, first);
    QVERIFY(broker.approve(id, 1, QStringLiteral("alice")));
    QTRY_COMPARE(first->decisions.size(), 1);
    QCOMPARE(first->decisions.first().grant, QStringLiteral("granted for 1 s"));
    QCOMPARE(broker.grants().size(), 1);
    QCOMPARE(broker.grants().first().binding, makeRequest().binding);
    QCOMPARE(broker.grants().first().approver, QStringLiteral("alice"));

    // Identical: approved without asking, but not inside request().
    auto covered = std::make_shared<Seen>();
    ask(broker, &context, covered);
    QVERIFY(covered->decisions.isEmpty());
    QTRY_COMPARE(covered->decisions.size(), 1);
    QCOMPARE(covered->decisions.first().outcome, Outcome::Approved);
    QCOMPARE(covered->decisions.first().approver, QStringLiteral("grant"));
    QVERIFY(covered->decisions.first().grant.contains(QStringLiteral("alice")));
    QCOMPARE(requested.size(), 1);
    QVERIFY(broker.pending().isEmpty());

    // Changed arguments: a new approval.
    auto changed = std::make_shared<Seen>();
    const QString changedId = ask(broker, &context, changed,
                                  makeRequest(QJsonObject { { QStringLiteral("service"), QStringLiteral("postgres") } }));
    QCOMPARE(requested.size(), 2);
    QCOMPARE(broker.pending().size(), 1);
    broker.cancel(changedId);

    // Another caller with the same arguments: a new approval.
    auto other = std::make_shared<Seen>();
    const QString otherId = ask(broker, &context, other, makeRequest(nginx(), QStringLiteral("agent:other")));
    QCOMPARE(requested.size(), 3);
    broker.cancel(otherId);

    // After expiry: a new approval.
    QTRY_VERIFY_WITH_TIMEOUT(broker.grants().isEmpty(), 3000);
    auto expired = std::make_shared<Seen>();
    const QString expiredId = ask(broker, &context, expired);
    QCOMPARE(requested.size(), 4);
    QCOMPARE(broker.pending().size(), 1);
    QTest::qWait(20);
    QVERIFY(expired->decisions.isEmpty());
    broker.cancel(expiredId);
}

void TestApprovalBroker::grantCoversWaitingIdenticalCalls()
{
    ApprovalBroker broker;
    QObject context;
    auto a = std::make_shared<Seen>();
    auto b = std::make_shared<Seen>();
    auto c = std::make_shared<Seen>();
    const QString first = ask(broker, &context, a);
    ask(broker, &context, b);
    ask(broker, &context, c, makeRequest(QJsonObject { { QStringLiteral("service"), QStringLiteral("ssh") } }));
    QCOMPARE(broker.pending().size(), 3);

    QVERIFY(broker.approve(first, 600));
    QTRY_COMPARE(b->decisions.size(), 1);
    QCOMPARE(a->decisions.size(), 1);
    QCOMPARE(b->decisions.first().outcome, Outcome::Approved);
    QCOMPARE(b->decisions.first().approver, QStringLiteral("grant"));
    QCOMPARE(broker.pending().size(), 1); // the one with other arguments still waits
    QVERIFY(c->decisions.isEmpty());
}

void TestApprovalBroker::revokeGrant()
{
    ApprovalBroker broker;
    QSignalSpy requested(&broker, &ApprovalBroker::requested);
    QObject context;
    auto seen = std::make_shared<Seen>();
    QVERIFY(broker.approve(ask(broker, &context, seen), 600));
    QCOMPARE(broker.grants().size(), 1);

    const QByteArray binding = makeRequest().binding;
    QVERIFY(broker.revokeGrant(binding));
    QVERIFY(broker.grants().isEmpty());
    QVERIFY(!broker.revokeGrant(binding));

    auto next = std::make_shared<Seen>();
    broker.cancel(ask(broker, &context, next));
    QCOMPARE(requested.size(), 2);
}

void TestApprovalBroker::rememberedDenial()
{
    ApprovalBroker broker;
    QSignalSpy requested(&broker, &ApprovalBroker::requested);
    QObject context;
    auto first = std::make_shared<Seen>();
    const QString id = ask(broker, &context, first);
    QVERIFY(broker.deny(id, true, QStringLiteral("bob"), QStringLiteral("never on web-1")));
    QTRY_COMPARE(first->decisions.size(), 1);
    QCOMPARE(broker.rememberedDenials().size(), 1);

    auto again = std::make_shared<Seen>();
    ask(broker, &context, again);
    QVERIFY(again->decisions.isEmpty());
    QTRY_COMPARE(again->decisions.size(), 1);
    QCOMPARE(again->decisions.first().outcome, Outcome::Denied);
    QVERIFY(again->decisions.first().reason.contains(QStringLiteral("never on web-1")));
    QCOMPARE(requested.size(), 1);

    auto changed = std::make_shared<Seen>();
    broker.cancel(ask(broker, &context, changed, makeRequest(QJsonObject { { QStringLiteral("service"), 1 } })));
    QCOMPARE(requested.size(), 2);

    QVERIFY(broker.forget(makeRequest().binding));
    QVERIFY(broker.rememberedDenials().isEmpty());
    auto afterForget = std::make_shared<Seen>();
    broker.cancel(ask(broker, &context, afterForget));
    QCOMPARE(requested.size(), 3);
}

void TestApprovalBroker::pauseAnswersPendingAndNew()
{
    ApprovalBroker broker;
    QSignalSpy switches(&broker, &ApprovalBroker::switchesChanged);
    QSignalSpy requested(&broker, &ApprovalBroker::requested);
    QObject context;
    auto a = std::make_shared<Seen>();
    auto b = std::make_shared<Seen>();
    ask(broker, &context, a);
    ask(broker, &context, b, makeRequest(QJsonObject { { QStringLiteral("service"), QStringLiteral("ssh") } }));

    broker.setPaused(true);
    QVERIFY(broker.isPaused());
    QCOMPARE(switches.size(), 1);
    QCOMPARE(switches.at(0).at(0).toBool(), true);
    QCOMPARE(switches.at(0).at(1).toBool(), false);
    QVERIFY(broker.pending().isEmpty());
    QTRY_COMPARE(a->decisions.size(), 1);
    QTRY_COMPARE(b->decisions.size(), 1);
    QCOMPARE(a->decisions.first().outcome, Outcome::Paused);
    QCOMPARE(b->decisions.first().outcome, Outcome::Paused);

    broker.setPaused(true); // no change, no signal
    QCOMPARE(switches.size(), 1);

    auto during = std::make_shared<Seen>();
    ask(broker, &context, during);
    QVERIFY(during->decisions.isEmpty());
    QTRY_COMPARE(during->decisions.size(), 1);
    QCOMPARE(during->decisions.first().outcome, Outcome::Paused);
    QCOMPARE(requested.size(), 2);

    broker.setPaused(false);
    QCOMPARE(switches.size(), 2);
    auto after = std::make_shared<Seen>();
    broker.cancel(ask(broker, &context, after));
    QCOMPARE(requested.size(), 3);
}

void TestApprovalBroker::readOnlyIsStored()
{
    ApprovalBroker broker;
    QSignalSpy switches(&broker, &ApprovalBroker::switchesChanged);
    QVERIFY(!broker.isReadOnly());
    broker.setReadOnly(true);
    QVERIFY(broker.isReadOnly());
    QVERIFY(!broker.isPaused());
    QCOMPARE(switches.size(), 1);
    QCOMPARE(switches.at(0).at(1).toBool(), true);
    broker.setReadOnly(false);
    QCOMPARE(switches.size(), 2);
}

void TestApprovalBroker::cancel()
{
    ApprovalBroker broker;
    broker.setProgressInterval(20ms);
    QSignalSpy decided(&broker, &ApprovalBroker::decided);
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, &context, seen);
    broker.cancel(id);
    QVERIFY(broker.pending().isEmpty());
    QCOMPARE(decided.size(), 1);
    QTRY_COMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Cancelled);
    const qsizetype progressSeen = seen->messages.size();

    broker.cancel(id); // already over: nothing
    QVERIFY(!broker.approve(id));
    QTest::qWait(100);
    QCOMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->messages.size(), progressSeen);
    QCOMPARE(decided.size(), 1);
}

void TestApprovalBroker::pendingIsBounded()
{
    ApprovalBroker broker;
    broker.setMaxPending(3);
    QObject context;
    QList<std::shared_ptr<Seen>> seen;
    for (int i = 0; i < 4; ++i) {
        seen.append(std::make_shared<Seen>());
        ask(broker, &context, seen.last(), makeRequest(QJsonObject { { QStringLiteral("n"), i } }));
    }
    QCOMPARE(broker.pending().size(), 3);
    QTRY_COMPARE(seen.last()->decisions.size(), 1);
    QCOMPARE(seen.last()->decisions.first().outcome, Outcome::Denied);
    QVERIFY(seen.last()->decisions.first().reason.contains(QStringLiteral("too many approvals are pending (3)")));
    for (int i = 0; i < 3; ++i) {
        QVERIFY(seen.at(i)->decisions.isEmpty());
    }
}

void TestApprovalBroker::contextDestroyedWhilePending()
{
    ApprovalBroker broker;
    broker.setProgressInterval(20ms);
    QSignalSpy decided(&broker, &ApprovalBroker::decided);
    auto context = std::make_unique<QObject>();
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, context.get(), seen);
    context.reset();

    QVERIFY(broker.pending().isEmpty());
    QCOMPARE(decided.size(), 1);
    QCOMPARE(decided.at(0).at(1).value<Decision>().outcome, Outcome::Cancelled);
    QVERIFY(!broker.approve(id));
    QTest::qWait(100);
    QVERIFY(seen->decisions.isEmpty());
    QVERIFY(seen->messages.isEmpty());
}

void TestApprovalBroker::contextDestroyedBeforeDelivery()
{
    ApprovalBroker broker;
    auto context = std::make_unique<QObject>();
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, context.get(), seen);
    QVERIFY(broker.approve(id)); // the answer is queued to the context...
    context.reset();             // ...which goes away before the event loop runs
    QTest::qWait(50);
    QVERIFY(seen->decisions.isEmpty());

    // The same for an answer given at once.
    broker.setPaused(true);
    auto gone = std::make_unique<QObject>();
    auto immediate = std::make_shared<Seen>();
    ask(broker, gone.get(), immediate);
    gone.reset();
    QTest::qWait(50);
    QVERIFY(immediate->decisions.isEmpty());
}

void TestApprovalBroker::doneRunsOnContextThread()
{
    QThread worker;
    worker.start();
    auto *context = new QObject;
    context->moveToThread(&worker);
    connect(&worker, &QThread::finished, context, &QObject::deleteLater);

    ApprovalBroker broker;
    auto seen = std::make_shared<Seen>();
    const QString id = broker.request(makeRequest(), 60, context, {}, [seen](const Decision &decision) {
        seen->decisions.append(decision);
        seen->doneThread = QThread::currentThread();
        QThread::currentThread()->quit(); // joined below: no shared state is read before that
    });
    QVERIFY(broker.approve(id));
    QVERIFY(worker.wait(5000));
    QCOMPARE(seen->doneThread, &worker);
    QCOMPARE(seen->decisions.size(), 1);
    QCOMPARE(seen->decisions.first().outcome, Outcome::Approved);
}

void TestApprovalBroker::noProgressAfterDone()
{
    ApprovalBroker broker;
    broker.setProgressInterval(30ms);
    QObject context;
    auto seen = std::make_shared<Seen>();
    const QString id = ask(broker, &context, seen);
    QTRY_VERIFY(seen->messages.size() >= 3);
    QVERIFY(broker.deny(id));
    QTRY_COMPARE(seen->decisions.size(), 1);
    const qsizetype count = seen->messages.size();
    QTest::qWait(150);
    QCOMPARE(seen->messages.size(), count);
}

void TestApprovalBroker::humanDurations_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << qint64(0) << QStringLiteral("0 s");
    QTest::newRow("45") << qint64(45) << QStringLiteral("45 s");
    QTest::newRow("600") << qint64(600) << QStringLiteral("10 min");
    QTest::newRow("90") << qint64(90) << QStringLiteral("1 min 30 s");
    QTest::newRow("7200") << qint64(7200) << QStringLiteral("2 h");
    QTest::newRow("5400") << qint64(5400) << QStringLiteral("1 h 30 min");
    QTest::newRow("negative") << qint64(-5) << QStringLiteral("0 s");
}

void TestApprovalBroker::humanDurations()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(humanDuration(seconds), text);
}

QTEST_GUILESS_MAIN(TestApprovalBroker)
#include "tst_approvalbroker.moc"
