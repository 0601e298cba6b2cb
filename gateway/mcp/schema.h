#pragma once

#include <QJsonObject>
#include <QJsonValue>

#include <optional>

namespace Tailops::Mcp {

// Validates a value against the subset of JSON Schema the tools use: type, properties, required,
// additionalProperties:false, enum, minimum/maximum, minLength/maxLength, pattern, items, minItems/maxItems.
// Returns the first problem as "'path' must be ..." or nothing when valid.
std::optional<QString> validateJson(const QJsonValue &value, const QJsonObject &schema, const QString &path = {});

} // namespace Tailops::Mcp
