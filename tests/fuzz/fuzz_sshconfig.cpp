// ~/.ssh/config import: Registry::parseSshConfig, and the targets.yaml it is written as (import --write).
// The home directory is an empty scratch directory; inputs whose Include could reach outside it (absolute
// or "..") are skipped so runs do not depend on the machine.
// Invariants: imported targets have unique non-empty ids, a port in 0..65535, the "ssh-config" tag; targets
// without '$' survive targetsToYaml -> parseTargets with the same id, host, port, user and key path.
#include "fuzz_support.h"
#include "registry/sshconfigimport.h"
#include "registry/targetsloader.h"

#include <QRegularExpression>
#include <QSet>

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    QDir().mkpath(FuzzSupport::scratchDir() + QStringLiteral("/home/.ssh"));
    return 0;
}

static std::optional<QString> noEnv(const QString &)
{
    return std::nullopt;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) {
        return -1;
    }
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const QByteArray lower = text.toLower();
    if (lower.contains("include") && (lower.contains("..") || lower.contains('/'))) {
        return -1;
    }
    const QString home = FuzzSupport::scratchDir() + QStringLiteral("/home");
    Config::Diagnostics diags;
    const QList<Registry::Target> targets = Registry::parseSshConfig(text, home + QStringLiteral("/.ssh/config"), home, diags);
    QSet<QString> ids;
    QList<Registry::Target> plain;
    for (const Registry::Target &t : targets) {
        FUZZ_CHECK(!t.id.isEmpty(), QString::fromUtf8(text.left(2000)));
        FUZZ_CHECK(!ids.contains(t.id), QStringLiteral("duplicate id ") + t.id);
        ids.insert(t.id);
        FUZZ_CHECK(t.port >= 0 && t.port <= 65535, t.id);
        FUZZ_CHECK(t.tags.contains(u"ssh-config"), t.id);
        bool dollar = false;
        for (const QString &s : { t.id, t.host, t.username, t.keyPath, t.description }) {
            dollar = dollar || s.contains(u'$');
        }
        if (!dollar) {
            plain.append(t);
        }
    }
    if (plain.isEmpty()) {
        return 0;
    }
    const QByteArray yaml = Registry::targetsToYaml(plain);
    Config::Diagnostics diags2;
    const QList<Registry::Target> again = Registry::parseTargets(yaml, QStringLiteral("targets.yaml"), diags2, noEnv);
    QStringList problems;
    for (const auto &d : diags2) {
        problems.append(d.toString());
    }
    const QString ctx = QString::fromUtf8(text.left(2000)) + QStringLiteral("\n== yaml ==\n") + QString::fromUtf8(yaml.left(4000))
        + QStringLiteral("\n== diagnostics ==\n") + problems.join(u'\n');
    FUZZ_CHECK(again.size() == plain.size(), ctx);
    for (qsizetype i = 0; i < plain.size(); ++i) {
        const Registry::Target &a = plain.at(i);
        const Registry::Target &b = again.at(i);
        FUZZ_CHECK(a.id == b.id && a.host == b.host && a.port == b.port && a.username == b.username && a.keyPath == b.keyPath,
                   ctx);
    }
    return 0;
}
