#include "scopes.h"

namespace Tailops::Auth {

namespace {

const QStringList &concreteScopes()
{
    static const QStringList scopes {
        QStringLiteral("system:read"),    QStringLiteral("network:read"),   QStringLiteral("container:read"),
        QStringLiteral("file:read"),      QStringLiteral("network:diag"),   QStringLiteral("container:write"),
        QStringLiteral("file:write"),     QStringLiteral("container:admin"), QStringLiteral("system:admin"),
        QStringLiteral("docker:admin"),   QStringLiteral("security:read"),  QStringLiteral("security:scan"),
        QStringLiteral("security:write"), QStringLiteral("security:admin"),
    };
    return scopes;
}

const QStringList &readonlyScopes()
{
    static const QStringList scopes {
        QStringLiteral("system:read"), QStringLiteral("network:read"),  QStringLiteral("container:read"),
        QStringLiteral("file:read"),   QStringLiteral("security:read"),
    };
    return scopes;
}

} // namespace

const QStringList &knownScopes()
{
    static const QStringList all = concreteScopes() + QStringList { QStringLiteral("admin"), QStringLiteral("readonly") };
    return all;
}

bool isKnownScope(const QString &scope)
{
    return knownScopes().contains(scope);
}

QSet<QString> expandScopes(const QStringList &scopes, QStringList *unknown)
{
    QSet<QString> out;
    for (const QString &scope : scopes) {
        if (scope == u"admin") {
            out.unite(QSet<QString>(concreteScopes().cbegin(), concreteScopes().cend()));
        } else if (scope == u"readonly") {
            out.unite(QSet<QString>(readonlyScopes().cbegin(), readonlyScopes().cend()));
        } else if (concreteScopes().contains(scope)) {
            out.insert(scope);
        } else if (unknown) {
            unknown->append(scope);
        }
    }
    return out;
}

} // namespace Tailops::Auth
