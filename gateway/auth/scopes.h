#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

namespace Tailops::Auth {

// Scope names as in the original TailOpsMCP (system:read, container:write, ...), plus the meta scopes
// "admin" (everything) and "readonly" (the *:read scopes).
const QStringList &knownScopes();
bool isKnownScope(const QString &scope);

// Expands meta scopes; unknown names are kept out and returned in `unknown` when given.
QSet<QString> expandScopes(const QStringList &scopes, QStringList *unknown = nullptr);

} // namespace Tailops::Auth
