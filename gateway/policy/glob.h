#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Tailops::Policy {

// A precompiled shell-style glob: '*' matches any run of characters (including none), '?' exactly one.
// Everything else is literal and case-sensitive. Character classes ([...]), braces ({...}) and
// backslash escapes are refused rather than silently taken literally, as are empty patterns, whitespace,
// control characters and patterns longer than kMaxLength. Matching never allocates.
class Glob
{
public:
    static constexpr qsizetype kMaxLength = 256;

    static Core::Result<Glob> compile(const QString &pattern);

    bool matches(QStringView text) const;

    const QString &pattern() const { return m_pattern; }
    bool matchesEverything() const { return m_kind == Kind::All; }
    bool isLiteral() const { return m_kind == Kind::Literal; }
    // The characters before the first wildcard ("get_" for "get_*"); the whole pattern when literal.
    const QString &literalPrefix() const { return m_prefix; }
    // The characters after the last wildcard ("_status" for "*_status"); empty when it ends with one.
    QString literalSuffix() const;

private:
    enum class Kind { All, Literal, Prefix, Suffix, General };

    Glob() = default;

    Kind m_kind = Kind::Literal;
    QString m_pattern; // normalised: runs of '*' collapsed
    QString m_prefix;
    QString m_suffix;
};

// A list of globs that matches when any member does; "*" short-circuits.
class GlobSet
{
public:
    void add(Glob glob);
    bool matches(QStringView text) const;
    bool matchesAny(const QStringList &texts) const;
    bool matchesEverything() const { return m_all; }
    bool isEmpty() const { return !m_all && m_globs.isEmpty(); }
    const QList<Glob> &globs() const { return m_globs; }

private:
    QList<Glob> m_globs;
    bool m_all = false;
};

} // namespace Tailops::Policy
