// Paths and path patterns: Core::normalizePath, isUnderPrefix, PathPatterns, globMatch.
// Input: lines; line 1 is a path, line 2 a glob text, the others patterns.
// Invariants: a normalised path is absolute, has no empty, "." or ".." components, no trailing '/', and is
// a fixed point; it is under "/" and under itself, and under each of its ancestors; globMatch agrees with a
// straightforward reference matcher; a pattern PathPatterns::match returns is one of the patterns.
#include "core/paths.h"
#include "fuzz_support.h"

#include <vector>

using namespace Tailops;

namespace {

// Reference glob: '*' any run (also empty), '?' one character, the rest literal (dynamic programming).
bool referenceGlob(QStringView p, QStringView t)
{
    std::vector<std::vector<char>> m(size_t(p.size() + 1), std::vector<char>(size_t(t.size() + 1), 0));
    m[0][0] = 1;
    for (qsizetype i = 1; i <= p.size(); ++i) {
        if (p[i - 1] == u'*') {
            m[size_t(i)][0] = m[size_t(i - 1)][0];
        }
    }
    for (qsizetype i = 1; i <= p.size(); ++i) {
        for (qsizetype j = 1; j <= t.size(); ++j) {
            const QChar pc = p[i - 1];
            if (pc == u'*') {
                m[size_t(i)][size_t(j)] = m[size_t(i - 1)][size_t(j)] || m[size_t(i)][size_t(j - 1)];
            } else if (pc == u'?' || pc == t[j - 1]) {
                m[size_t(i)][size_t(j)] = m[size_t(i - 1)][size_t(j - 1)];
            }
        }
    }
    return m[size_t(p.size())][size_t(t.size())];
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024) {
        return -1;
    }
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QStringList lines = text.split(u'\n');
    const QString path = lines.value(0);

    const auto n = Core::normalizePath(path);
    if (n) {
        const QString &p = *n;
        FUZZ_CHECK(p.startsWith(u'/'), path + QStringLiteral(" -> ") + p);
        FUZZ_CHECK(p == u"/" || !p.endsWith(u'/'), path + QStringLiteral(" -> ") + p);
        if (p != u"/") {
            for (const QStringView part : QStringView(p).mid(1).split(u'/')) {
                FUZZ_CHECK(!part.isEmpty() && part != u"." && part != u"..", path + QStringLiteral(" -> ") + p);
            }
        }
        const auto again = Core::normalizePath(p);
        FUZZ_CHECK(again && *again == p, p);
        FUZZ_CHECK(Core::isUnderPrefix(p, u"/"), p);
        FUZZ_CHECK(Core::isUnderPrefix(p, p), p);
        for (qsizetype slash = p.indexOf(u'/', 1); slash > 0; slash = p.indexOf(u'/', slash + 1)) {
            FUZZ_CHECK(Core::isUnderPrefix(p, QStringView(p).left(slash)), p + QStringLiteral(" under ") + p.left(slash));
            FUZZ_CHECK(!Core::isUnderPrefix(QStringView(p).left(slash), p) || p.left(slash) == p, p);
        }
        // A sibling sharing a textual prefix is not under it ("/tmpfoo" is not under "/tmp").
        if (p != u"/") {
            FUZZ_CHECK(!Core::isUnderPrefix(QString(p + u'x'), p), p);
        }
    } else {
        FUZZ_CHECK(path.isEmpty() || !path.startsWith(u'/') || path.contains(QChar(0)), path);
    }

    if (lines.size() >= 2) {
        const QString &glob = lines.at(1);
        if (glob.size() <= 64 && path.size() <= 128) {
            FUZZ_CHECK(Core::globMatch(glob, path) == referenceGlob(glob, path), glob + QStringLiteral(" vs ") + path);
        } else {
            Core::globMatch(glob, path);
        }
    }
    if (lines.size() >= 3) {
        const auto patterns = Core::PathPatterns::parse(lines.mid(2));
        if (patterns && n) {
            const QString hit = patterns->match(*n);
            FUZZ_CHECK(hit.isEmpty() || patterns->patterns().contains(hit), hit);
        }
    }
    static const auto secrets = Core::PathPatterns::parse(Core::PathPatterns::secretDefaults());
    FUZZ_CHECK(secrets.has_value(), QString());
    if (n) {
        secrets->match(*n);
    }
    return 0;
}
