#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>
#include <QStringView>

namespace Tailops::Core {

// Lexical path normalisation for path_prefixes constraints and path arguments. The path must be absolute and contain no NUL;
// empty and "." components are dropped, ".." removes the previous component (and stays at "/" at the
// root, as the kernel does), trailing slashes disappear: "/var/log/../../etc/shadow" -> "/etc/shadow",
// "/tmp/./x/" -> "/tmp/x". Symlinks are NOT resolved here: file tools resolve them on the target and check again.
Core::Result<QString> normalizePath(QStringView path);

// Whether a normalised path is `prefix` itself or below it, compared by component: "/tmpfoo" is not
// under "/tmp", "/tmp/x" is. Both arguments must already be normalised.
bool isUnderPrefix(QStringView normalisedPath, QStringView normalisedPrefix);

// Path patterns matched by component, for the file deny and allow lists:
//   "/etc/ssh/ssh_host_*_key"  absolute: the path is a match, or lies below one ("/etc/shadow" also covers
//                              "/etc/shadow/x");
//   ".env.*", ".ssh"           relative (one component): any component of the path matches it, so ".ssh"
//                              covers "/home/ann/.ssh/id_ed25519" and "/root/.ssh".
// '*' matches any run of characters and '?' one character, never across '/'.
class PathPatterns
{
public:
    PathPatterns() = default;
    // Refuses (naming the pattern) empty patterns, relative patterns with '/', NUL, and ".." components.
    static Core::Result<PathPatterns> parse(const QStringList &patterns);

    // The first pattern NORMALISEDPATH matches, or an empty string.
    QString match(QStringView normalisedPath) const;
    bool isEmpty() const { return m_patterns.isEmpty(); }
    const QStringList &patterns() const { return m_patterns; }

    // Secrets no file tool opens unless configuration says otherwise: shadow files, SSH host and user keys,
    // GnuPG, cloud and registry credentials, .env files, private key directories.
    static QStringList secretDefaults();

private:
    QStringList m_patterns;
};

// '*' (any run, also none) and '?' (one character) glob; everything else literal. Iterative with
// single-star backtracking: O(|pattern| * |text|) at worst, no recursion, no allocation.
bool globMatch(QStringView pattern, QStringView text);

} // namespace Tailops::Core
