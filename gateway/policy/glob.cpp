#include "glob.h"

#include "core/paths.h"

#include <cstring>

namespace Tailops::Policy {

namespace {

// The general case: Core::globMatch (iterative, single-star backtracking, no recursion).
bool wildMatch(QStringView pattern, QStringView text)
{
    return Core::globMatch(pattern, text);
}

// Exact UTF-16 comparisons without QtPrivate's general (case-aware) paths; the hot path of decide().
inline bool sameUnits(const QChar *a, const QChar *b, qsizetype n)
{
    return n == 0 || std::memcmp(a, b, size_t(n) * sizeof(QChar)) == 0;
}

inline bool startsWithExact(QStringView text, const QString &prefix)
{
    return text.size() >= prefix.size() && sameUnits(text.data(), prefix.constData(), prefix.size());
}

inline bool endsWithExact(QStringView text, const QString &suffix)
{
    return text.size() >= suffix.size() && sameUnits(text.data() + (text.size() - suffix.size()), suffix.constData(), suffix.size());
}

} // namespace

Core::Result<Glob> Glob::compile(const QString &pattern)
{
    if (pattern.isEmpty()) {
        return Core::fail(QStringLiteral("empty pattern"));
    }
    if (pattern.size() > kMaxLength) {
        return Core::fail(QStringLiteral("pattern is %1 characters; the limit is %2").arg(pattern.size()).arg(kMaxLength));
    }
    QString normalised;
    normalised.reserve(pattern.size());
    for (const QChar c : pattern) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.isSpace()) {
            return Core::fail(QStringLiteral("pattern '%1' contains whitespace or a control character").arg(pattern));
        }
        if (c == u'[' || c == u']' || c == u'{' || c == u'}' || c == u'\\') {
            return Core::fail(QStringLiteral("pattern '%1' uses '%2': only '*' and '?' are wildcards").arg(pattern, c));
        }
        if (c == u'*' && normalised.endsWith(u'*')) {
            continue;
        }
        normalised.append(c);
    }

    Glob glob;
    glob.m_pattern = normalised;
    const qsizetype firstWild = [&] {
        for (qsizetype i = 0; i < normalised.size(); ++i) {
            if (normalised[i] == u'*' || normalised[i] == u'?') {
                return i;
            }
        }
        return qsizetype(-1);
    }();
    if (firstWild < 0) {
        glob.m_kind = Kind::Literal;
        glob.m_prefix = normalised;
        return glob;
    }
    glob.m_prefix = normalised.left(firstWild);
    const qsizetype stars = normalised.count(u'*');
    const bool hasQuestion = normalised.contains(u'?');
    if (normalised == u"*") {
        glob.m_kind = Kind::All;
    } else if (!hasQuestion && stars == 1 && normalised.endsWith(u'*')) {
        glob.m_kind = Kind::Prefix;
    } else if (!hasQuestion && stars == 1 && normalised.startsWith(u'*')) {
        glob.m_kind = Kind::Suffix;
        glob.m_suffix = normalised.mid(1);
    } else {
        glob.m_kind = Kind::General;
    }
    return glob;
}

bool Glob::matches(QStringView text) const
{
    switch (m_kind) {
    case Kind::All:
        return true;
    case Kind::Literal:
        return text.size() == m_pattern.size() && sameUnits(text.data(), m_pattern.constData(), text.size());
    case Kind::Prefix:
        return startsWithExact(text, m_prefix);
    case Kind::Suffix:
        return endsWithExact(text, m_suffix);
    case Kind::General:
        return startsWithExact(text, m_prefix) && wildMatch(m_pattern, text);
    }
    return false;
}

QString Glob::literalSuffix() const
{
    qsizetype i = m_pattern.size();
    while (i > 0 && m_pattern[i - 1] != u'*' && m_pattern[i - 1] != u'?') {
        --i;
    }
    return i == 0 ? QString() : m_pattern.mid(i);
}

void GlobSet::add(Glob glob)
{
    if (glob.matchesEverything()) {
        m_all = true;
    }
    m_globs.append(std::move(glob));
}

bool GlobSet::matches(QStringView text) const
{
    if (m_all) {
        return true;
    }
    for (const Glob &glob : m_globs) {
        if (glob.matches(text)) {
            return true;
        }
    }
    return false;
}

bool GlobSet::matchesAny(const QStringList &texts) const
{
    if (m_all) {
        return true;
    }
    for (const QString &text : texts) {
        if (matches(text)) {
            return true;
        }
    }
    return false;
}

} // namespace Tailops::Policy
