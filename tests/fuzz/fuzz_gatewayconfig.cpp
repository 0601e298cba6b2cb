// gateway.yaml: Config::parseGatewayConfig on arbitrary YAML, and parseListenAddress on each input line.
// Invariants: diagnostics name the file; an accepted listen address has the port it was written with and
// a URL that parses with that port; the file patterns the config yields can be handed to PathPatterns.
#include "core/paths.h"
#include "config/gatewayconfig.h"
#include "fuzz_support.h"

#include <QUrl>

using namespace Tailops;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) {
        return -1;
    }
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    Config::Diagnostics diags;
    const Config::GatewayConfig c =
        Config::parseGatewayConfig(yaml, QStringLiteral("gateway.yaml"), QStringLiteral("/nonexistent/tailops-fuzz"), diags);
    for (const Config::Diagnostic &d : diags) {
        FUZZ_CHECK(d.file == u"gateway.yaml", d.toString());
        FUZZ_CHECK(d.line >= 0 && d.column >= 0, d.toString());
    }
    for (const Config::ListenAddress &la : c.listen) {
        FUZZ_CHECK(!la.address.isNull(), la.host);
        la.url(false);
    }
    (void)Core::PathPatterns::parse(c.fileDeny);
    (void)Core::PathPatterns::parse(c.fileAllow);
    c.gatewayFile();
    c.tokensPath();

    for (const QByteArray &line : yaml.split('\n')) {
        if (line.size() > 256) {
            continue;
        }
        QString error;
        const QString text = QString::fromUtf8(line);
        if (const auto la = Config::parseListenAddress(text, &error)) {
            const QUrl url(la->url(true));
            FUZZ_CHECK(url.isValid() && url.port() == la->port, text + QStringLiteral(" -> ") + la->url(true));
        } else {
            FUZZ_CHECK(!error.isEmpty(), text);
        }
    }
    return 0;
}
