#pragma once

#include <QString>

#include <expected>
#include <utility>

namespace Tailops::Core {

// An error as a value: what went wrong, where (a file:line:col, a field, a header...), never a secret.
struct Error
{
    QString message;
    QString where;

    QString toString() const { return where.isEmpty() ? message : where + QStringLiteral(": ") + message; }
};

template<typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(QString message, QString where = {})
{
    return std::unexpected<Error>(Error { std::move(message), std::move(where) });
}

} // namespace Tailops::Core
