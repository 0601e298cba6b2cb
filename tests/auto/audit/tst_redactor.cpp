// Redactor: a corpus of secrets that must disappear and of ordinary text that must stay as it is.
#include "audit/auditrecord.h"
#include "audit/redactor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Tailops;
using namespace Tailops::Audit;

class TestRedactor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secrets_data();
    void secrets();
    void ordinaryText_data();
    void ordinaryText();
    void jsonKeys_data();
    void jsonKeys();
    void nested();
    void extraRules();
    void invalidPattern();
    void record();
    void entropy();
};

void TestRedactor::secrets_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("secret"); // must not survive
    QTest::addColumn<QString>("kept"); // must survive (context around the secret)
    QTest::addColumn<QString>("marker"); // what replaces it

    QTest::newRow("bearer header") << "curl -H 'Authorization: Bearer abc123DEF456ghi789.jkl' https://api"
                                   << "abc123DEF456ghi789"
                                   << "curl -H"
                                   << "Bearer [REDACTED]";
    QTest::newRow("basic header") << "Authorization: Basic dXNlcjpodW50ZXIy"
                                  << "dXNlcjpodW50ZXIy"
                                  << "Authorization"
                                  << "Basic [REDACTED]";
    QTest::newRow("password argument") << "mysql --user=root --password=hunter2 -h db01"
                                       << "hunter2"
                                       << "--user=root"
                                       << "--password=[REDACTED]";
    QTest::newRow("password option, spaced") << "pg_dump --password s3cr3t! mydb"
                                             << "s3cr3t!"
                                             << "mydb"
                                             << "--password [REDACTED]";
    QTest::newRow("env assignment") << "export PGPASSWORD='correct horse battery' && psql"
                                    << "correct horse"
                                    << "&& psql"
                                    << "PGPASSWORD=[REDACTED]";
    QTest::newRow("json in text") << R"(config: {"api_key": "sk-live-1234", "user": "bob"})"
                                  << "sk-live-1234"
                                  << R"("user": "bob")"
                                  << "[REDACTED]";
    QTest::newRow("token in yaml") << "github_token: 0123456789abcdef0123"
                                   << "0123456789abcdef0123"
                                   << "github_token"
                                   << "github_token: [REDACTED]";
    QTest::newRow("private key in output")
        << "cat id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n"
           "QyNTUxOQAAACDx2nVvZ3Y5+abcdEFGH/ijklMNOP==\n-----END OPENSSH PRIVATE KEY-----\ndone"
        << "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB"
        << "done"
        << "[REDACTED:private-key]";
    QTest::newRow("rsa key, cut off") << "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x9...\n(truncated)"
                                      << "MIIEowIBAAKCAQEA"
                                      << ""
                                      << "[REDACTED:private-key]";
    QTest::newRow("aws access key") << "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\nregion = eu-west-1"
                                    << "AKIAIOSFODNN7EXAMPLE"
                                    << "region = eu-west-1"
                                    << "[REDACTED";
    QTest::newRow("aws key alone") << "key id AKIAZ7Q3XAMPLE4KEY22 used"
                                   << "AKIAZ7Q3XAMPLE4KEY22"
                                   << "used"
                                   << "[REDACTED:aws-access-key]";
    QTest::newRow("github pat classic") << "git clone https://ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8@github.com/x/y"
                                        << "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
                                        << "github.com/x/y"
                                        << "[REDACTED";
    QTest::newRow("github oauth") << "token gho_16C7e42F292c6912E7710c838347Ae178B4a here"
                                  << "gho_16C7e42F292c6912E7710c838347Ae178B4a"
                                  << "here"
                                  << "[REDACTED:github-token]";
    QTest::newRow("github fine-grained") << "GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF run"
                                         << "github_pat_11ABCDEFG0123456789"
                                         << "run"
                                         << "[REDACTED";
    QTest::newRow("slack bot") << "slack: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx ok"
                               << "xoxb-123456789012"
                               << "ok"
                               << "[REDACTED:slack-token]";
    QTest::newRow("slack user") << "xoxp-2222222222-3333333333-4444444444-abcdef"
                                << "xoxp-2222222222"
                                << ""
                                << "[REDACTED:slack-token]";
    QTest::newRow("jwt") << "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                            "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end"
                         << "eyJzdWIiOiIxMjM0NTY3ODkwIn0"
                         << "end"
                         << "[REDACTED";
    QTest::newRow("jwt in prose") << "the JWT eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz expired"
                                  << "eyJpc3MiOiJ4In0"
                                  << "expired"
                                  << "[REDACTED:jwt]";
    QTest::newRow("url password") << "git remote add origin https://deploy:Tr0ub4dor&3@git.example.com/repo.git"
                                  << "Tr0ub4dor&3"
                                  << "git.example.com/repo.git"
                                  << "https://deploy:[REDACTED]@";
    QTest::newRow("db url") << "DATABASE_URL postgres://app:pa55word@db01.internal:5432/app"
                            << "pa55word"
                            << "db01.internal:5432/app"
                            << "postgres://app:[REDACTED]@";
    QTest::newRow("redis no user") << "redis://:sup3rs3cret@cache:6379/0"
                                   << "sup3rs3cret"
                                   << "cache:6379/0"
                                   << "redis://:[REDACTED]@";
    QTest::newRow("hmac token") << "X-Token: eyJhZ2VudCI6ImNsYXVkZSIsInNjb3BlcyI6WyJhZG1pbiJdfQ."
                                   "3f1c9a0e5b7d2c4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
                                << "3f1c9a0e5b7d2c4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
                                << "X-Token"
                                << "[REDACTED";
    QTest::newRow("high entropy") << "api secret is kR3nZ9XzQpL2mV8wB4cT6yH1uE5sA7dF here"
                                  << "kR3nZ9XzQpL2mV8wB4cT6yH1uE5sA7dF"
                                  << "here"
                                  << "[REDACTED:high-entropy]";
    QTest::newRow("aws secret key") << "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzz9k2jQ4Lm"
                                    << "wJalrXUtnFEMI"
                                    << ""
                                    << "[REDACTED:high-entropy]";
    QTest::newRow("random base32") << "seed: JBSWY3DPEHPK3PXP7QZR2M5NXA4K6WLT"
                                   << "JBSWY3DPEHPK3PXP7QZR2M5NXA4K6WLT"
                                   << "seed"
                                   << "[REDACTED";
}

void TestRedactor::secrets()
{
    QFETCH(QString, input);
    QFETCH(QString, secret);
    QFETCH(QString, kept);
    QFETCH(QString, marker);
    const Redactor redactor;
    const QString out = redactor.redactString(input);
    QVERIFY2(!out.contains(secret), qPrintable(out));
    QVERIFY2(out.contains(kept), qPrintable(out));
    QVERIFY2(out.contains(marker), qPrintable(out));
    QCOMPARE(redactor.redactString(out), out); // idempotent
}

void TestRedactor::ordinaryText_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("absolute path") << "/usr/lib/x86_64-linux-gnu/libQt6Core.so.6.4.2";
    QTest::newRow("relative path") << "home/alice/projects/tailops2024/build/bin/tailops-gateway";
    QTest::newRow("deep path") << "/var/lib/docker/overlay2/3f2a9c1b7d8e4f6a0b1c2d3e4f5a6b7c/merged/etc/nginx";
    QTest::newRow("hostname") << "web01.prod.eu-central-1.example.com";
    QTest::newRow("tailnet host") << "ssh admin@db-replica-2.tail1234a.ts.net";
    QTest::newRow("ip and port") << "connect to 100.101.102.103:22 from 192.168.1.10";
    QTest::newRow("url without password") << "https://user@git.example.com/org/repo.git?ref=main#L10";
    QTest::newRow("identifiers") << "ProductionDatabaseServer01 systemd-journald-audit-2024 "
                                    "RequestFailedWithStatusCode503 get_system_status_for_target_web01";
    QTest::newRow("uuid") << "container 550e8400-e29b-41d4-a716-446655440000 started";
    QTest::newRow("sha256 digest") << "image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    QTest::newRow("git commit") << "HEAD is now at 0ecc6df3b8a1e2f4c5d6e7f8091a2b3c4d5e6f70 Gateway foundation";
    QTest::newRow("systemctl output") << "nginx.service - A high performance web server\n   Loaded: loaded "
                                         "(/lib/systemd/system/nginx.service; enabled; vendor preset: enabled)\n"
                                         "   Active: active (running) since Mon 2025-01-06 10:00:00 UTC; 2h ago";
    QTest::newRow("journal line") << "Jan 06 10:00:01 web01 sshd[1234]: Accepted publickey for alice from "
                                     "100.64.0.7 port 51234 ssh2: ED25519 SHA256:abc";
    QTest::newRow("tokens count") << "used tokens: 1500, max_tokens=4096";
    QTest::newRow("password prompt text") << "the password must be at least 12 characters";
    QTest::newRow("public key") << "-----BEGIN PUBLIC KEY-----";
    QTest::newRow("base64 short") << "aGVsbG8=";
    QTest::newRow("kernel") << "Linux web01 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64 GNU/Linux";
    QTest::newRow("env path") << "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

void TestRedactor::ordinaryText()
{
    QFETCH(QString, text);
    QCOMPARE(Redactor().redactString(text), text);
}

void TestRedactor::jsonKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("sensitive");
    QTest::newRow("token") << "token" << true;
    QTest::newRow("Token mixed case") << "X-Auth-TOKEN" << true;
    QTest::newRow("password") << "password" << true;
    QTest::newRow("db_password") << "db_password" << true;
    QTest::newRow("passwd") << "passwd" << true;
    QTest::newRow("secret") << "client_secret" << true;
    QTest::newRow("key") << "api_key" << true;
    QTest::newRow("ssh key") << "sshKey" << true;
    QTest::newRow("credential") << "credentials" << true;
    QTest::newRow("authorization") << "Authorization" << true;
    QTest::newRow("cookie") << "Set-Cookie" << true;
    QTest::newRow("private") << "private_data" << true;
    QTest::newRow("service") << "service" << false;
    QTest::newRow("target") << "target" << false;
    QTest::newRow("lines") << "lines" << false;
    QTest::newRow("path") << "path" << false;
}

void TestRedactor::jsonKeys()
{
    QFETCH(QString, key);
    QFETCH(bool, sensitive);
    const Redactor redactor;
    QCOMPARE(redactor.isSensitiveKey(key), sensitive);
    const QJsonObject in { { key, QStringLiteral("plain-value") } };
    const QJsonObject out = redactor.redactObject(in);
    QCOMPARE(out.value(key).toString(), sensitive ? Redactor::kRedacted : QStringLiteral("plain-value"));
}

void TestRedactor::nested()
{
    const QJsonObject in = QJsonDocument::fromJson(R"({
        "service": "nginx",
        "env": {"DB_PASSWORD": "x", "HOME": "/root", "list": ["Bearer abcdefghijklmnop", 3, true]},
        "auth": {"token": {"nested": "object"}, "private": false, "secret": null},
        "command": "curl -u admin:admin https://admin:s3cret@host/",
        "count": 5
    })")
                               .object();
    const QJsonObject out = Redactor().redactObject(in);
    QCOMPARE(out.value(u"service").toString(), QStringLiteral("nginx"));
    const QJsonObject env = out.value(u"env").toObject();
    QCOMPARE(env.value(u"DB_PASSWORD").toString(), Redactor::kRedacted);
    QCOMPARE(env.value(u"HOME").toString(), QStringLiteral("/root"));
    QCOMPARE(env.value(u"list").toArray().at(0).toString(), QStringLiteral("Bearer [REDACTED]"));
    QCOMPARE(env.value(u"list").toArray().at(1).toInt(), 3);
    const QJsonObject auth = out.value(u"auth").toObject();
    QCOMPARE(auth.value(u"token").toString(), Redactor::kRedacted); // whole object replaced
    QCOMPARE(auth.value(u"private").toBool(true), false); // booleans and null are kept
    QVERIFY(auth.value(u"secret").isNull());
    QVERIFY(!out.value(u"command").toString().contains(u"s3cret"));
    QCOMPARE(out.value(u"count").toInt(), 5);
}

void TestRedactor::extraRules()
{
    RedactionRules rules;
    rules.extraKeys = { QStringLiteral("ssn") };
    rules.extraPatterns = { QStringLiteral("\\bACME-[0-9]{6}\\b") };
    const auto redactor = Redactor::create(rules);
    QVERIFY(redactor);
    QVERIFY(redactor->isSensitiveKey(QStringLiteral("user_SSN")));
    QCOMPARE(redactor->redactString(QStringLiteral("license ACME-123456 ok")), QStringLiteral("license [REDACTED] ok"));

    RedactionRules none;
    none.builtinPatterns = false;
    none.highEntropy = false;
    none.sensitiveKeys.clear();
    const auto plain = Redactor::create(none);
    QVERIFY(plain);
    QCOMPARE(plain->redactString(QStringLiteral("Bearer abcdefghijkl")), QStringLiteral("Bearer abcdefghijkl"));
    QVERIFY(!plain->isSensitiveKey(QStringLiteral("password")));
}

void TestRedactor::invalidPattern()
{
    RedactionRules rules;
    rules.extraPatterns = { QStringLiteral("(unclosed") };
    const auto redactor = Redactor::create(rules);
    QVERIFY(!redactor);
    QVERIFY(redactor.error().message.contains(u"(unclosed"));
}

void TestRedactor::record()
{
    AuditRecord r;
    r.args = { { QStringLiteral("password"), QStringLiteral("hunter2") },
        { QStringLiteral("cmd"), QStringLiteral("ls") } };
    r.error = QStringLiteral("login failed for https://u:hunter3@example.com");
    r.target = QStringLiteral("ssh://root:hunter4@web01");
    Redactor().redactRecord(r);
    const QByteArray line = QJsonDocument(r.toJson()).toJson();
    QVERIFY(!line.contains("hunter2"));
    QVERIFY(!line.contains("hunter3"));
    QVERIFY(!line.contains("hunter4"));
    QCOMPARE(r.args.value(u"cmd").toString(), QStringLiteral("ls"));
}

void TestRedactor::entropy()
{
    QCOMPARE(Redactor::shannonEntropy(u"aaaa"), 0.0);
    QCOMPARE(Redactor::shannonEntropy(u"abcd"), 2.0);
    QVERIFY(Redactor::shannonEntropy(u"kR3nZ9XzQpL2mV8wB4cT6yH1") > 4.0);
    QCOMPARE(Redactor::wordFraction(u"HelloWorld"), 1.0);
    QCOMPARE(Redactor::wordFraction(u"x9Q2"), 0.0);
}

QTEST_GUILESS_MAIN(TestRedactor)
#include "tst_redactor.moc"
