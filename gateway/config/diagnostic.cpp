#include "diagnostic.h"

#include <algorithm>

namespace Tailops::Config {

QString Diagnostic::toString() const
{
    QString text = file;
    if (line > 0) {
        text += u':' + QString::number(line) + u':' + QString::number(column);
    }
    text += QStringLiteral(": ");
    if (severity == Severity::Warning) {
        text += QStringLiteral("warning: ");
    }
    return text + message;
}

bool hasErrors(const Diagnostics &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(), [](const Diagnostic &d) { return d.isError(); });
}

} // namespace Tailops::Config
