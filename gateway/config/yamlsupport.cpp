#include "yamlsupport_p.h"

#include "duration.h"

#include <QStringDecoder>

#include <algorithm>

namespace Tailops::Config::Yaml {

Reporter::Reporter(QString file, Diagnostics &out)
    : m_file(std::move(file))
    , m_out(out)
{
}

void Reporter::error(const YAML::Node &at, const QString &message)
{
    add(Diagnostic::Severity::Error, at, message);
}

void Reporter::warning(const YAML::Node &at, const QString &message)
{
    add(Diagnostic::Severity::Warning, at, message);
}

void Reporter::errorAt(int line, int column, const QString &message)
{
    m_out.append(Diagnostic { Diagnostic::Severity::Error, m_file, line, column, message });
}

void Reporter::fileError(const QString &message)
{
    m_out.append(Diagnostic { Diagnostic::Severity::Error, m_file, 0, 0, message });
}

qsizetype Reporter::errorCount() const
{
    return std::count_if(m_out.cbegin(), m_out.cend(),
                         [this](const Diagnostic &d) { return d.isError() && d.file == m_file; });
}

void Reporter::add(Diagnostic::Severity severity, const YAML::Node &at, const QString &message)
{
    const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    const bool known = mark.line >= 0 && mark.pos >= 0;
    m_out.append(Diagnostic { severity, m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, message });
}

std::optional<YAML::Node> parse(const QByteArray &content, Reporter &reporter)
{
    if (content.size() > kMaxFileBytes) {
        reporter.fileError(QStringLiteral("file is %1 bytes; the limit is %2 bytes").arg(content.size()).arg(kMaxFileBytes));
        return std::nullopt;
    }
    if (const auto nul = content.indexOf('\0'); nul >= 0) {
        reporter.fileError(QStringLiteral("file contains binary data (a NUL byte at offset %1); expected YAML text").arg(nul));
        return std::nullopt;
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8(content);
    if (utf8.hasError()) {
        reporter.fileError(QStringLiteral("file is not valid UTF-8 text"));
        return std::nullopt;
    }
    try {
        YAML::Node root = YAML::Load(content.toStdString());
        if (root.IsNull() || !root.IsDefined()) {
            return YAML::Node(YAML::NodeType::Map);
        }
        return root;
    } catch (const YAML::Exception &e) {
        const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        const int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        reporter.errorAt(line, column, QStringLiteral("YAML syntax error: %1").arg(QString::fromStdString(e.msg)));
        return std::nullopt;
    } catch (const std::exception &e) {
        reporter.fileError(QStringLiteral("cannot parse YAML: %1").arg(QString::fromUtf8(e.what())));
        return std::nullopt;
    }
}

QString scalar(const YAML::Node &node)
{
    return QString::fromStdString(node.Scalar());
}

QString describe(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
        return QStringLiteral("nothing (null)");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Map:
        return QStringLiteral("a map");
    case YAML::NodeType::Scalar:
        return QStringLiteral("'%1'").arg(scalar(node).left(60));
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

std::optional<QString> readString(const YAML::Node &node, Reporter &r, const QString &context)
{
    if (!node.IsScalar()) {
        r.error(node, QStringLiteral("%1 must be a string, not %2").arg(context, describe(node)));
        return std::nullopt;
    }
    return scalar(node);
}

std::optional<qint64> readInt(const YAML::Node &node, Reporter &r, const QString &context, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = node.IsScalar() ? scalar(node).toLongLong(&ok) : 0;
    if (!ok) {
        r.error(node, QStringLiteral("%1 must be a whole number, not %2").arg(context, describe(node)));
        return std::nullopt;
    }
    if (value < min || value > max) {
        r.error(node, QStringLiteral("%1 must be between %2 and %3, not %4").arg(context).arg(min).arg(max).arg(value));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> readBool(const YAML::Node &node, Reporter &r, const QString &context)
{
    const QString v = node.IsScalar() ? scalar(node).toLower() : QString();
    if (v == u"true" || v == u"yes" || v == u"on") {
        return true;
    }
    if (v == u"false" || v == u"no" || v == u"off") {
        return false;
    }
    r.error(node, QStringLiteral("%1 must be true or false, not %2").arg(context, describe(node)));
    return std::nullopt;
}

std::optional<QStringList> readStringList(const YAML::Node &node, Reporter &r, const QString &context)
{
    if (!node.IsSequence()) {
        r.error(node, QStringLiteral("%1 must be a list of strings, not %2").arg(context, describe(node)));
        return std::nullopt;
    }
    QStringList out;
    bool good = true;
    for (const auto &item : node) {
        if (!item.IsScalar()) {
            r.error(item, QStringLiteral("%1 must contain only strings, not %2").arg(context, describe(item)));
            good = false;
            continue;
        }
        out.append(scalar(item));
    }
    return good ? std::optional<QStringList>(out) : std::nullopt;
}

std::optional<qint64> readDuration(const YAML::Node &node, Reporter &r, const QString &context)
{
    if (!node.IsScalar()) {
        r.error(node, QStringLiteral("%1 must be a duration such as 30s or 5m, not %2").arg(context, describe(node)));
        return std::nullopt;
    }
    const auto seconds = parseDuration(scalar(node));
    if (!seconds) {
        r.error(node, QStringLiteral("%1: %2").arg(context, seconds.error().message));
        return std::nullopt;
    }
    return *seconds;
}

bool checkMap(const YAML::Node &node, Reporter &r, const QString &context, std::initializer_list<const char *> known)
{
    if (!node.IsMap()) {
        r.error(node, QStringLiteral("%1 must be a map, not %2").arg(context, describe(node)));
        return false;
    }
    for (const auto &entry : node) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        const bool isKnown = std::any_of(known.begin(), known.end(), [&](const char *k) { return key == k; });
        if (!isKnown) {
            r.warning(entry.first, QStringLiteral("%1: unknown key '%2' (ignored)").arg(context, QString::fromStdString(key)));
        }
    }
    return true;
}

} // namespace Tailops::Config::Yaml
