#pragma once

#include "tool.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tailops::Mcp {

// Longest string argument accepted, except for arguments the tool declares multi-line.
constexpr qsizetype kMaxArgumentChars = 4096;

// Argument hygiene shared by every tool, applied after schema validation and before any decision:
//   - NUL is refused everywhere; CR and LF unless the argument is in tool.multilineArguments;
//   - a leading '-' (option injection into an argv) is refused unless the argument is in tool.dashAllowed;
//   - strings longer than kMaxArgumentChars are refused unless multi-line;
//   - tool.pathArguments must be absolute and are normalised by component in place ("/var/log/../../etc"
//     becomes "/etc"), so policy and tools see the same path; symlinks are resolved later, on the target.
// Applies to string values at any depth (array items, nested objects). Returns what is wrong, naming the
// argument ("argument 'name': ..."), or nullopt.
std::optional<QString> checkArguments(const Tool &tool, QJsonObject &arguments);

} // namespace Tailops::Mcp
