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

bool globMatch(QStringView pattern, QStringView text)
{
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype star = -1;
    qsizetype mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == u'?' || (pattern[p] != u'*' && pattern[p] == text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == u'*') {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*') {
        ++p;
    }
    return p == pattern.size();
}

Core::Result<PathPatterns> PathPatterns::parse(const QStringList &patterns)
{
    PathPatterns out;
    for (const QString &pattern : patterns) {
        if (pattern.isEmpty() || pattern.contains(QChar(u'\0'))) {
            return Core::fail(QStringLiteral("path pattern '%1' is empty or contains NUL").arg(pattern));
        }
        if (pattern.startsWith(u'/')) {
            const QStringList parts = pattern.split(u'/', Qt::SkipEmptyParts);
            if (parts.contains(QStringLiteral("..")) || parts.contains(QStringLiteral("."))) {
                return Core::fail(QStringLiteral("path pattern '%1' must not contain '.' or '..' components").arg(pattern));
            }
            out.m_patterns.append(QString(u'/' + parts.join(u'/')));
        } else if (pattern.contains(u'/')) {
            return Core::fail(QStringLiteral("path pattern '%1' is relative and has a '/': a relative pattern is one "
                                             "component (like .env or .ssh), an absolute one starts with '/'")
                                  .arg(pattern));
        } else if (pattern == u".." || pattern == u".") {
            return Core::fail(QStringLiteral("path pattern '%1' is not a file name").arg(pattern));
        } else {
            out.m_patterns.append(pattern);
        }
    }
    return out;
}

QString PathPatterns::match(QStringView normalisedPath) const
{
    const QList<QStringView> parts = normalisedPath.split(u'/', Qt::SkipEmptyParts);
    for (const QString &pattern : m_patterns) {
        if (!pattern.startsWith(u'/')) {
            for (const QStringView part : parts) {
                if (globMatch(pattern, part)) {
                    return pattern;
                }
            }
            continue;
        }
        const QList<QStringView> want = QStringView(pattern).split(u'/', Qt::SkipEmptyParts);
        if (want.size() > parts.size()) {
            continue;
        }
        bool all = true;
        for (qsizetype i = 0; i < want.size() && all; ++i) {
            all = globMatch(want.at(i), parts.at(i));
        }
        if (all) {
            return pattern;
        }
    }
    return {};
}

QStringList PathPatterns::secretDefaults()
{
    return { QStringLiteral("/etc/shadow"),     QStringLiteral("/etc/shadow-"),   QStringLiteral("/etc/gshadow"),
             QStringLiteral("/etc/gshadow-"),   QStringLiteral("/etc/ssh/ssh_host_*_key"), QStringLiteral("/etc/ssl/private"),
             QStringLiteral("/etc/sudoers"),    QStringLiteral("/etc/sudoers.d"),  QStringLiteral(".ssh"),
             QStringLiteral(".gnupg"),          QStringLiteral(".env"),           QStringLiteral(".env.*"),
             QStringLiteral(".aws"),            QStringLiteral(".kube"),          QStringLiteral(".docker"),
             QStringLiteral(".netrc"),          QStringLiteral(".pgpass"),        QStringLiteral(".git-credentials"),
             QStringLiteral("id_rsa*"),         QStringLiteral("id_ecdsa*"),      QStringLiteral("id_ed25519*"),
             QStringLiteral("*.key") };
}

} // namespace Tailops::Core
