// Auth::protectedResourceMetadata (RFC 9728), its URL and path, and WWW-Authenticate values (RFC 6750 / 9728).

#include "auth/oauth/protectedresource.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

class TestProtectedResource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void metadata();
    void metadataUrl_data();
    void metadataUrl();
    void metadataPath();
    void wwwAuthenticate_data();
    void wwwAuthenticate();
};

void TestProtectedResource::metadata()
{
    const QJsonObject doc = Tailops::Auth::protectedResourceMetadata(u"https://gw.example.ts.net/mcp"_s,
        { u"https://idp.example.ts.net"_s }, { u"system:read"_s, u"admin"_s }, u"TailOps"_s);
    QCOMPARE(doc.value(u"resource"_s).toString(), u"https://gw.example.ts.net/mcp"_s);
    QCOMPARE(doc.value(u"authorization_servers"_s).toArray(), QJsonArray { u"https://idp.example.ts.net"_s });
    QCOMPARE(doc.value(u"scopes_supported"_s).toArray(), (QJsonArray { u"system:read"_s, u"admin"_s }));
    QCOMPARE(doc.value(u"bearer_methods_supported"_s).toArray(), QJsonArray { u"header"_s });
    QCOMPARE(doc.value(u"resource_name"_s).toString(), u"TailOps"_s);

    const QJsonObject minimal = Tailops::Auth::protectedResourceMetadata(u"https://gw/mcp"_s, { u"https://idp"_s }, {});
    QVERIFY(!minimal.contains(u"scopes_supported"_s));
    QVERIFY(!minimal.contains(u"resource_name"_s));
}

void TestProtectedResource::metadataUrl_data()
{
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("expected"); // empty: refused

    QTest::newRow("path") << u"https://gw.example.ts.net/mcp"_s << u"https://gw.example.ts.net/.well-known/oauth-protected-resource/mcp"_s;
    QTest::newRow("port and trailing slash") << u"http://127.0.0.1:8080/mcp/"_s
                                             << u"http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp/"_s;
    QTest::newRow("root with slash") << u"https://gw.example.ts.net/"_s
                                     << u"https://gw.example.ts.net/.well-known/oauth-protected-resource"_s;
    QTest::newRow("root") << u"https://gw.example.ts.net"_s << u"https://gw.example.ts.net/.well-known/oauth-protected-resource"_s;
    QTest::newRow("nested") << u"https://gw/a/b"_s << u"https://gw/.well-known/oauth-protected-resource/a/b"_s;
    QTest::newRow("query refused") << u"https://gw/mcp?x=1"_s << QString();
    QTest::newRow("fragment refused") << u"https://gw/mcp#f"_s << QString();
    QTest::newRow("not http") << u"ftp://gw/mcp"_s << QString();
    QTest::newRow("relative") << u"/mcp"_s << QString();
}

void TestProtectedResource::metadataUrl()
{
    QFETCH(QString, resource);
    QFETCH(QString, expected);
    const auto url = Tailops::Auth::protectedResourceMetadataUrl(resource);
    if (expected.isEmpty()) {
        QVERIFY(!url);
        return;
    }
    QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
    QCOMPARE(*url, expected);
}

void TestProtectedResource::metadataPath()
{
    QCOMPARE(Tailops::Auth::protectedResourceMetadataPath(u"/mcp"_s), u"/.well-known/oauth-protected-resource/mcp"_s);
    QCOMPARE(Tailops::Auth::protectedResourceMetadataPath(u"mcp"_s), u"/.well-known/oauth-protected-resource/mcp"_s);
    QCOMPARE(Tailops::Auth::protectedResourceMetadataPath(u"/"_s), u"/.well-known/oauth-protected-resource"_s);
    QCOMPARE(Tailops::Auth::protectedResourceMetadataPath(QString()), u"/.well-known/oauth-protected-resource"_s);
}

void TestProtectedResource::wwwAuthenticate_data()
{
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("description");
    QTest::addColumn<QString>("metadata");
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QByteArray>("expected"); // empty: refused

    const QString prm = u"https://gw/.well-known/oauth-protected-resource/mcp"_s;
    QTest::newRow("invalid_token") << u"invalid_token"_s << u"token expired"_s << prm << u"system:read"_s
                                   << QByteArray(R"(Bearer error="invalid_token", error_description="token expired", )"
                                                 R"(resource_metadata="https://gw/.well-known/oauth-protected-resource/mcp", scope="system:read")");
    QTest::newRow("no credentials") << QString() << QString() << prm << QString()
                                    << QByteArray(R"(Bearer resource_metadata="https://gw/.well-known/oauth-protected-resource/mcp")");
    QTest::newRow("insufficient_scope") << u"insufficient_scope"_s << u"needs container:write"_s << prm
                                        << u"container:read container:write"_s
                                        << QByteArray(R"(Bearer error="insufficient_scope", error_description="needs container:write", )"
                                                      R"(resource_metadata="https://gw/.well-known/oauth-protected-resource/mcp", )"
                                                      R"(scope="container:read container:write")");
    QTest::newRow("quotes in description sanitised") << u"invalid_token"_s << u"bad \"kid\" \\ here\n\u00e9"_s << QString()
                                                     << QString()
                                                     << QByteArray(R"(Bearer error="invalid_token", error_description="bad 'kid' ' here??")");
    QTest::newRow("bare") << QString() << QString() << QString() << QString() << QByteArray("Bearer");
    QTest::newRow("quote in scope refused") << u"invalid_token"_s << QString() << prm << u"a\", evil=\"x"_s << QByteArray();
    QTest::newRow("quote in metadata refused") << u"invalid_token"_s << QString() << u"https://gw/\"x"_s << QString() << QByteArray();
    QTest::newRow("newline in metadata refused") << u"invalid_token"_s << QString() << u"https://gw/\r\nSet-Cookie: a"_s << QString()
                                                 << QByteArray();
    QTest::newRow("bad error code refused") << u"invalid token"_s << QString() << prm << QString() << QByteArray();
}

void TestProtectedResource::wwwAuthenticate()
{
    QFETCH(QString, error);
    QFETCH(QString, description);
    QFETCH(QString, metadata);
    QFETCH(QString, scope);
    QFETCH(QByteArray, expected);
    const auto value = Tailops::Auth::wwwAuthenticate(error, description, metadata, scope);
    if (expected.isEmpty()) {
        QVERIFY(!value);
        return;
    }
    QVERIFY2(value, qPrintable(value ? QString() : value.error().message));
    QCOMPARE(*value, expected);
}

QTEST_GUILESS_MAIN(TestProtectedResource)
#include "tst_protectedresource.moc"
