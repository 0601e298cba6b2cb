#include "paths.h"

#include <QList>

namespace Tailops::Core {

Core::Result<QString> normalizePath(QStringView path)
{
    if (path.isEmpty()) {
        return Core::fail(QStringLiteral("empty path"));
    }
    if (path.contains(QChar(u'\0'))) {
        return Core::fail(QStringLiteral("path contains a NUL character"));
    }
    if (!path.startsWith(u'/')) {
        return Core::fail(QStringLiteral("path is not absolute"));
    }
    QList<QStringView> parts;
    for (const QStringView part : path.split(u'/')) {
        if (part.isEmpty() || part == u".") {
            continue;
        }
        if (part == u"..") {
            if (!parts.isEmpty()) {
                parts.removeLast();
            }
            continue;
        }
        parts.append(part);
    }
    if (parts.isEmpty()) {
        return QStringLiteral("/");
    }
    QString out;
    out.reserve(path.size());
    for (const QStringView part : parts) {
        out.append(u'/');
        out.append(part);
    }
    return out;
}

bool isUnderPrefix(QStringView normalisedPath, QStringView normalisedPrefix)
{
    if (normalisedPrefix == u"/") {
        return normalisedPath.startsWith(u'/');
    }
    if (!normalisedPath.startsWith(normalisedPrefix)) {
        return false;
    }
    return normalisedPath.size() == normalisedPrefix.size() || normalisedPath[normalisedPrefix.size()] == u'/';
}

} // namespace Tailops::Core
