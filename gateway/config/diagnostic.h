#pragma once

#include <QList>
#include <QString>

namespace Tailops::Config {

// One finding about a configuration file, printed as "file:LINE:COL: message".
struct Diagnostic
{
    enum class Severity { Error, Warning };

    Severity severity = Severity::Error;
    QString file;
    int line = 0; // 1-based; 0 when the problem concerns the whole file
    int column = 0;
    QString message;

    bool isError() const { return severity == Severity::Error; }
    QString toString() const;
};

using Diagnostics = QList<Diagnostic>;

bool hasErrors(const Diagnostics &diagnostics);

} // namespace Tailops::Config
