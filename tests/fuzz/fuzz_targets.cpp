// targets.yaml: Registry::parseTargets on arbitrary YAML (with a fixed, fake environment for ${VAR}).
// Invariants: targets returned have unique, non-empty ids and a port in 0..65535; every diagnostic names
// the file; targets without '$' in their fields survive targetsToYaml -> parseTargets (the import path
// writes exactly that) with the same id, type, host, port, user, capabilities and tags.
#include "fuzz_support.h"
#include "registry/sshconfigimport.h"
#include "registry/targetsloader.h"

#include <QSet>

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

static std::optional<QString> fakeEnv(const QString &name)
{
    if (name == u"FUZZ_HOST") {
        return QStringLiteral("host.example.net");
    }
    if (name == u"FUZZ_PORT") {
        return QStringLiteral("2222");
    }
    if (name == u"EMPTY") {
        return QString();
    }
    return std::nullopt;
}

static bool hasDollar(const Registry::Target &t)
{
    for (const QString &s : { t.id, t.host, t.username, t.keyPath, t.socketPath, t.url, t.description, t.type }) {
        if (s.contains(u'$')) {
            return true;
        }
    }
    for (const QString &s : t.capabilities + t.tags) {
        if (s.contains(u'$')) {
            return true;
        }
    }
    return false;
}

static QString diagText(const Config::Diagnostics &d)
{
    QStringList out;
    for (const auto &x : d) {
        out.append(x.toString());
    }
    return out.join(u'\n');
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) {
        return -1;
    }
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    Config::Diagnostics diags;
    const QList<Registry::Target> targets = Registry::parseTargets(yaml, QStringLiteral("targets.yaml"), diags, fakeEnv);

    QSet<QString> ids;
    for (const Registry::Target &t : targets) {
        FUZZ_CHECK(!t.id.isEmpty(), diagText(diags));
        FUZZ_CHECK(!ids.contains(t.id), QStringLiteral("duplicate id ") + t.id);
        ids.insert(t.id);
        FUZZ_CHECK(t.port >= 0 && t.port <= 65535, t.id);
    }
    for (const Config::Diagnostic &d : diags) {
        FUZZ_CHECK(d.file == u"targets.yaml", d.toString());
        FUZZ_CHECK(d.line >= 0 && d.column >= 0, d.toString());
        d.toString();
    }

    QList<Registry::Target> plain;
    for (const Registry::Target &t : targets) {
        if (t.id != u"local" && !hasDollar(t)) {
            plain.append(t);
        }
    }
    if (plain.isEmpty()) {
        return 0;
    }
    const QByteArray written = Registry::targetsToYaml(plain);
    Config::Diagnostics diags2;
    const QList<Registry::Target> again = Registry::parseTargets(written, QStringLiteral("targets.yaml"), diags2, fakeEnv);
    const QString context = QString::fromUtf8(written) + QStringLiteral("\n--\n") + diagText(diags2);
    FUZZ_CHECK(again.size() == plain.size(), context);
    for (qsizetype i = 0; i < plain.size(); ++i) {
        const Registry::Target &a = plain.at(i);
        const Registry::Target &b = again.at(i);
        FUZZ_CHECK(a.id == b.id && a.type == b.type && a.host == b.host && a.port == b.port
                       && a.username == b.username && a.capabilities == b.capabilities && a.tags == b.tags,
                   context);
    }
    return 0;
}
