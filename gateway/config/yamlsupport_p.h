#pragma once

// Private to gateway/: the only header that includes yaml-cpp. Included from .cpp files only.

#include "diagnostic.h"

#include <QStringList>

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>

namespace Tailops::Config::Yaml {

constexpr qint64 kMaxFileBytes = 4 * 1024 * 1024;

// Reports findings against one file, positioned at a node's mark.
class Reporter
{
public:
    Reporter(QString file, Diagnostics &out);

    void error(const YAML::Node &at, const QString &message);
    void warning(const YAML::Node &at, const QString &message);
    void fileError(const QString &message);
    void errorAt(int line, int column, const QString &message);
    const QString &file() const { return m_file; }
    qsizetype errorCount() const;

private:
    void add(Diagnostic::Severity severity, const YAML::Node &at, const QString &message);

    QString m_file;
    Diagnostics &m_out;
};

// Parses YAML text (checked for size, NUL bytes and UTF-8 first). Empty input yields an empty map.
std::optional<YAML::Node> parse(const QByteArray &content, Reporter &reporter);

QString scalar(const YAML::Node &node);
QString describe(const YAML::Node &node); // "a list", "a map", "the string 'x'"

// Each reader reports a clear error (prefixed by context) and returns nullopt on a wrong type.
std::optional<QString> readString(const YAML::Node &node, Reporter &r, const QString &context);
std::optional<qint64> readInt(const YAML::Node &node, Reporter &r, const QString &context, qint64 min, qint64 max);
std::optional<bool> readBool(const YAML::Node &node, Reporter &r, const QString &context);
std::optional<QStringList> readStringList(const YAML::Node &node, Reporter &r, const QString &context);
std::optional<qint64> readDuration(const YAML::Node &node, Reporter &r, const QString &context);

// Warns about keys of a map that are not in `known`; reports an error if node is not a map.
bool checkMap(const YAML::Node &node, Reporter &r, const QString &context, std::initializer_list<const char *> known);

} // namespace Tailops::Config::Yaml
