// What the docker tools decode from the daemon or the docker CLI: DockerCli::parseJsonLines / parseInspect,
// the ContainerJson summaries built from each object, and the --since argument (DockerCli::sinceArgument and
// DockerClient::sinceToApi, which must agree on what they accept).
// Input: byte 0 the mode; the rest the output (or the since text).
// Invariants: summaries are JSON objects that serialise; sinceArgument and sinceToApi accept the same inputs.
#include "exec/docker/dockercli.h"
#include "exec/docker/dockerclient.h"
#include "fuzz_support.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Tailops;
using namespace Tailops::Exec;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    FuzzSupport::app();
    return 0;
}

static void summaries(const QJsonObject &o)
{
    for (const QJsonObject &s : { ContainerJson::fromApiListItem(o), ContainerJson::fromCliListItem(o),
                                  ContainerJson::inspectSummary(o), ContainerJson::fromApiImage(o),
                                  ContainerJson::fromCliImage(o) }) {
        QJsonDocument(s).toJson(QJsonDocument::Compact);
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 128 * 1024) {
        return -1;
    }
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        if (const auto lines = DockerCli::parseJsonLines(rest)) {
            for (const QJsonValue v : *lines) {
                FUZZ_CHECK(v.isObject(), QString::fromUtf8(rest.left(2000)));
                summaries(v.toObject());
            }
        }
        break;
    case 1:
        if (const auto inspect = DockerCli::parseInspect(rest)) {
            summaries(*inspect);
        }
        break;
    case 2: {
        const QJsonDocument doc = QJsonDocument::fromJson(rest);
        if (doc.isArray()) {
            for (const QJsonValue v : doc.array()) {
                summaries(v.toObject());
            }
        } else if (doc.isObject()) {
            summaries(doc.object());
        }
        break;
    }
    case 3: {
        if (rest.size() > 256) {
            return 0;
        }
        const QString since = QString::fromUtf8(rest);
        const qint64 nowMs = 1748779200000; // 2025-06-01T12:00:00Z
        const auto cli = DockerCli::sinceArgument(since, nowMs);
        const auto api = DockerClient::sinceToApi(since, nowMs);
        FUZZ_CHECK(cli.has_value() == api.has_value(),
                   since + QStringLiteral(": cli ") + (cli ? *cli : cli.error().message) + QStringLiteral(", api ")
                       + (api ? *api : api.error().message));
        break;
    }
    }
    return 0;
}
