// policy.yaml: Policy::loadPolicy on arbitrary YAML, strict and lenient.
// Invariants: a strict load that succeeds has no error diagnostics, and then a lenient load succeeds too;
// every diagnostic names the file.
#include "fuzz_support.h"
#include "policy/policyloader.h"

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
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
    Config::Diagnostics strictDiags;
    const auto strict = Policy::loadPolicy(yaml, QStringLiteral("policy.yaml"), strictDiags, Policy::LoadMode::Strict);
    Config::Diagnostics lenientDiags;
    const auto lenient = Policy::loadPolicy(yaml, QStringLiteral("policy.yaml"), lenientDiags, Policy::LoadMode::Lenient);
    if (strict) {
        FUZZ_CHECK(*strict != nullptr, QStringLiteral("null policy"));
        FUZZ_CHECK(!Config::hasErrors(strictDiags), diagText(strictDiags));
        FUZZ_CHECK(lenient.has_value(), lenient.error().toString() + u'\n' + diagText(lenientDiags));
    }
    for (const Config::Diagnostics *ds : { &strictDiags, &lenientDiags }) {
        for (const Config::Diagnostic &d : *ds) {
            FUZZ_CHECK(d.file == u"policy.yaml", d.toString());
            FUZZ_CHECK(d.line >= 0 && d.column >= 0, d.toString());
        }
    }
    return 0;
}
