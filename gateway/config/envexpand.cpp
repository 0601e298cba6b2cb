#include "envexpand.h"

#include <QProcessEnvironment>

namespace Tailops::Config {

namespace {

bool isNameChar(QChar c, bool first)
{
    return c == u'_' || (c.unicode() < 128 && (c.isLetter() || (!first && c.isDigit())));
}

} // namespace

std::optional<QString> processEnv(const QString &name)
{
    const QByteArray key = name.toUtf8();
    if (!qEnvironmentVariableIsSet(key.constData())) {
        return std::nullopt;
    }
    return qEnvironmentVariable(key.constData());
}

Core::Result<QString> expandEnv(const QString &text, const EnvLookup &lookup)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != u'$' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const QChar next = text.at(i + 1);
        if (next == u'$') {
            out += u'$';
            ++i;
            continue;
        }
        if (next != u'{') {
            out += c;
            continue;
        }
        const qsizetype close = text.indexOf(u'}', i + 2);
        if (close < 0) {
            return Core::fail(QStringLiteral("unterminated '${' in '%1'").arg(text));
        }
        const QString inner = text.mid(i + 2, close - i - 2);
        const qsizetype dflt = inner.indexOf(QStringLiteral(":-"));
        const QString name = dflt < 0 ? inner : inner.left(dflt);
        bool validName = !name.isEmpty();
        for (qsizetype k = 0; validName && k < name.size(); ++k) {
            validName = isNameChar(name.at(k), k == 0);
        }
        if (!validName) {
            return Core::fail(QStringLiteral("'${%1}' is not a valid environment variable reference").arg(inner));
        }
        if (const auto value = lookup(name); value && !value->isEmpty()) {
            out += *value;
        } else if (dflt >= 0) {
            out += inner.mid(dflt + 2);
        } else {
            return Core::fail(QStringLiteral("environment variable %1 is not set").arg(name));
        }
        i = close;
    }
    return out;
}

} // namespace Tailops::Config
