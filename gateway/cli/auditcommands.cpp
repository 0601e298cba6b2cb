#include "auditcommands.h"

#include "audit/auditexport.h"
#include "audit/auditfiles.h"
#include "audit/auditrecord.h"
#include "audit/auditverifier.h"
#include "audit/redactor.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <cstdio>
#include <deque>
#include <sys/stat.h>

namespace Tailops::Cli {

namespace {

void err(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

void out(const QString &text)
{
    std::fprintf(stdout, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stdout);
}

void outBytes(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

QCommandLineOption pathOption()
{
    return QCommandLineOption(QStringLiteral("path"),
        QStringLiteral("The audit log (default: %1).").arg(Audit::defaultAuditPath()), QStringLiteral("FILE"));
}

QString logPath(const QCommandLineParser &parser)
{
    const QString path = parser.value(QStringLiteral("path"));
    return path.isEmpty() ? Audit::defaultAuditPath() : QFileInfo(path).absoluteFilePath();
}

// Parses ARGS for the sub-command NAME. Returns -1 to go on, else the exit code.
int parse(QCommandLineParser &parser, const QString &name, const QStringList &args)
{
    parser.setApplicationDescription(QStringLiteral("tailops-gateway audit %1").arg(name));
    parser.addHelpOption();
    if (!parser.parse(QStringList { QStringLiteral("tailops-gateway audit ") + name } + args)) {
        err(QStringLiteral("tailops-gateway audit %1: %2").arg(name, parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    return -1;
}

int verify(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(pathOption());
    parser.addOption({ QStringLiteral("head"),
        QStringLiteral("The head file to check against (default: the log's "
                       "<log>.head when it exists)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("no-head"), QStringLiteral("Do not check against a head file.") });
    parser.addPositionalArgument(QStringLiteral("files"),
        QStringLiteral("Log files in chain order (default: the "
                       "log's rotated files, then the log)."),
        QStringLiteral("[FILES...]"));
    if (const int code = parse(parser, QStringLiteral("verify"), args); code >= 0) {
        return code;
    }
    QStringList files;
    for (const QString &f : parser.positionalArguments()) {
        files.append(QFileInfo(f).absoluteFilePath());
    }
    QString head = parser.value(QStringLiteral("head"));
    if (files.isEmpty()) {
        const QString path = logPath(parser);
        files = Audit::auditFiles(path);
        if (files.isEmpty()) {
            err(QStringLiteral("tailops-gateway audit verify: no audit log at %1").arg(path));
            return 1;
        }
        if (head.isEmpty()) {
            head = Audit::auditHeadPath(path);
        }
    } else if (head.isEmpty()) {
        head = Audit::auditHeadPath(Audit::activeAuditPath(files.last()));
    }
    if (parser.isSet(QStringLiteral("no-head")) || !QFileInfo::exists(head)) {
        head.clear();
    }
    for (const QString &f : std::as_const(files)) {
        if (!QFileInfo::exists(f)) {
            err(QStringLiteral("tailops-gateway audit verify: %1: no such file").arg(f));
            return 2;
        }
    }
    const Audit::VerifyReport report = Audit::verifyAudit(files, head);
    out(report.summary());
    for (const QString &note : report.notes) {
        out(QStringLiteral("note: ") + note);
    }
    return report.ok ? 0 : 1;
}

int exportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(pathOption());
    parser.addOption({ QStringLiteral("format"), QStringLiteral("csv or jsonl (default: jsonl)."),
        QStringLiteral("FORMAT"), QStringLiteral("jsonl") });
    parser.addOption({ QStringLiteral("since"),
        QStringLiteral("Records at or after T: RFC 3339, YYYY-MM-DD, or a "
                       "duration back from now (15m, 8h, 7d)."),
        QStringLiteral("T") });
    parser.addOption(
        { QStringLiteral("until"), QStringLiteral("Records before T (same forms as --since)."), QStringLiteral("T") });
    parser.addOption({ QStringLiteral("tool"), QStringLiteral("Only this tool."), QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("target"), QStringLiteral("Only this target."), QStringLiteral("ID") });
    parser.addOption({ QStringLiteral("caller"),
        QStringLiteral("Only this caller (subject, tailnet user, OAuth "
                       "subject or token hash)."),
        QStringLiteral("WHO") });
    parser.addOption(
        { QStringLiteral("output"), QStringLiteral("Write to FILE instead of stdout."), QStringLiteral("FILE") });
    if (const int code = parse(parser, QStringLiteral("export"), args); code >= 0) {
        return code;
    }
    const QString format = parser.value(QStringLiteral("format"));
    if (format != u"csv" && format != u"jsonl") {
        err(QStringLiteral("tailops-gateway audit export: --format must be csv or jsonl"));
        return 2;
    }
    Audit::ExportFilter filter;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const char *name : { "since", "until" }) {
        const QString option = QString::fromLatin1(name);
        if (!parser.isSet(option)) {
            continue;
        }
        const QDateTime t = Audit::parseTimeArgument(parser.value(option), now);
        if (!t.isValid()) {
            err(QStringLiteral("tailops-gateway audit export: --%1: expected RFC 3339 (2025-01-31T12:00:00Z), a "
                               "date (2025-01-31) or a duration (15m, 8h, 7d), got '%2'")
                    .arg(option, parser.value(option)));
            return 2;
        }
        (option == u"since" ? filter.since : filter.until) = t;
    }
    filter.tool = parser.value(QStringLiteral("tool"));
    filter.target = parser.value(QStringLiteral("target"));
    filter.caller = parser.value(QStringLiteral("caller"));
    const QString path = logPath(parser);
    const QStringList files = Audit::auditFiles(path);
    if (files.isEmpty()) {
        err(QStringLiteral("tailops-gateway audit export: no audit log at %1").arg(path));
        return 1;
    }
    QFile output;
    const QString outputPath = parser.value(QStringLiteral("output"));
    bool opened = false;
    if (outputPath.isEmpty()) {
        opened = output.open(stdout, QIODevice::WriteOnly);
    } else {
        // An export holds the same data as the log: created 0600, like it.
        output.setFileName(outputPath);
        opened = output.open(QIODevice::WriteOnly | QIODevice::Truncate,
                             QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            && output.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (!opened) {
        err(QStringLiteral("tailops-gateway audit export: %1: %2").arg(outputPath, output.errorString()));
        return 1;
    }
    qint64 skipped = 0;
    const auto written = Audit::exportAudit(
        files, filter, format == u"csv" ? Audit::ExportFormat::Csv : Audit::ExportFormat::Jsonl, output, &skipped);
    output.close();
    if (!written) {
        err(QStringLiteral("tailops-gateway audit export: %1").arg(written.error().toString()));
        return 1;
    }
    if (skipped > 0) {
        err(QStringLiteral("tailops-gateway audit export: skipped %1 lines that are not records (run audit verify)")
                .arg(skipped));
    }
    if (!outputPath.isEmpty()) {
        err(QStringLiteral("exported %1 records to %2").arg(*written).arg(outputPath));
    }
    return 0;
}

QString humanLine(const QByteArray &line)
{
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.isEmpty()) {
        return QString::fromUtf8(line);
    }
    auto v = [&o](const char *key) { return o.value(QLatin1StringView(key)).toString(); };
    QString text = v("timestamp") + QStringLiteral(" #")
        + QString::number(o.value(QStringLiteral("record_id")).toInteger()) + u' ' + v("event");
    const QString outcome = !v("decision").isEmpty() ? v("decision") : v("result_status");
    if (!outcome.isEmpty()) {
        text += u' ' + outcome;
    }
    if (!v("subject").isEmpty()) {
        text += QStringLiteral(" caller=") + v("subject");
    }
    if (!v("tool").isEmpty()) {
        text += QStringLiteral(" tool=") + v("tool");
    }
    if (!v("target").isEmpty()) {
        text += QStringLiteral(" target=") + v("target");
    }
    if (!v("rule").isEmpty()) {
        text += QStringLiteral(" rule=") + v("rule");
    }
    if (o.contains(QStringLiteral("duration_ms"))) {
        text += u' ' + QString::number(o.value(QStringLiteral("duration_ms")).toInteger()) + QStringLiteral(" ms");
    }
    if (!v("error").isEmpty()) {
        text += QStringLiteral(" error=\"") + v("error").left(200) + u'"';
    }
    return text;
}

int tail(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(pathOption());
    parser.addOption({ { QStringLiteral("f"), QStringLiteral("follow") },
        QStringLiteral("Keep printing records as they are appended (follows rotation).") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the JSON lines as they are.") });
    parser.addOption({ { QStringLiteral("n"), QStringLiteral("lines") },
        QStringLiteral("How many of the last records to print first (default 10)."), QStringLiteral("N"),
        QStringLiteral("10") });
    if (const int code = parse(parser, QStringLiteral("tail"), args); code >= 0) {
        return code;
    }
    bool ok = false;
    const int count = parser.value(QStringLiteral("n")).toInt(&ok);
    if (!ok || count < 0) {
        err(QStringLiteral("tailops-gateway audit tail: -n takes a number"));
        return 2;
    }
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool follow = parser.isSet(QStringLiteral("follow"));
    const QString path = logPath(parser);
    auto print = [json](const QByteArray &line) {
        if (json) {
            outBytes(line + '\n');
        } else {
            out(humanLine(line));
        }
    };

    // The last COUNT complete lines, from the newest files backwards.
    const QStringList files = Audit::auditFiles(path);
    std::deque<QByteArray> last;
    qint64 offset = 0; // how far the active file was read
    ino_t inode = 0;
    for (qsizetype i = files.size() - 1; i >= 0 && qsizetype(last.size()) < count; --i) {
        QFile file(files.at(i));
        if (!file.open(QIODevice::ReadOnly)) {
            continue;
        }
        std::deque<QByteArray> lines;
        qint64 complete = 0;
        while (!file.atEnd()) {
            QByteArray line = file.readLine();
            if (!line.endsWith('\n')) {
                break; // a line still being written, or torn
            }
            complete += line.size();
            line.chop(1);
            lines.push_back(std::move(line));
            if (qsizetype(lines.size()) > count) {
                lines.pop_front();
            }
        }
        if (files.at(i) == path) {
            offset = complete;
        }
        while (!lines.empty() && qsizetype(last.size()) < count) {
            last.push_front(std::move(lines.back()));
            lines.pop_back();
        }
    }
    if (files.isEmpty() && !follow) {
        err(QStringLiteral("tailops-gateway audit tail: no audit log at %1").arg(path));
        return 1;
    }
    for (const QByteArray &line : last) {
        print(line);
    }
    if (!follow) {
        return 0;
    }
    if (files.isEmpty() || files.last() != path) {
        offset = 0;
    }
    QFile file(path);
    QByteArray partial;
    struct stat st
    {
    };
    if (file.open(QIODevice::ReadOnly) && ::fstat(file.handle(), &st) == 0) {
        inode = st.st_ino;
        file.seek(offset);
    }
    for (;;) {
        if (file.isOpen()) {
            const QByteArray chunk = file.readAll();
            if (!chunk.isEmpty()) {
                partial += chunk;
                qsizetype nl;
                while ((nl = partial.indexOf('\n')) >= 0) {
                    print(partial.left(nl));
                    partial.remove(0, nl + 1);
                }
            }
        }
        QThread::msleep(200);
        struct stat now
        {
        };
        if (::stat(QFile::encodeName(path).constData(), &now) != 0) {
            continue; // between rotation's rename and create
        }
        if (!file.isOpen() || now.st_ino != inode) {
            // Rotated: finish the old file (the loop above did), then start the new one from its beginning.
            if (file.isOpen()) {
                const QByteArray rest = file.readAll();
                partial += rest;
                qsizetype nl;
                while ((nl = partial.indexOf('\n')) >= 0) {
                    print(partial.left(nl));
                    partial.remove(0, nl + 1);
                }
                file.close();
            }
            partial.clear();
            file.setFileName(path);
            if (file.open(QIODevice::ReadOnly)) {
                inode = now.st_ino;
            }
        } else if (now.st_size < file.pos()) {
            // Truncated (a torn line was removed at recovery): drop the partial line, go on from the end.
            partial.clear();
            file.seek(now.st_size);
        }
    }
}

int redactTest(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(
        { QStringLiteral("key"), QStringLiteral("An extra sensitive key name (repeatable)."), QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("pattern"), QStringLiteral("An extra regular expression to redact (repeatable)."),
        QStringLiteral("REGEX") });
    if (const int code = parse(parser, QStringLiteral("redact-test"), args); code >= 0) {
        return code;
    }
    Audit::RedactionRules rules;
    rules.extraKeys = parser.values(QStringLiteral("key"));
    rules.extraPatterns = parser.values(QStringLiteral("pattern"));
    const auto redactor = Audit::Redactor::create(rules);
    if (!redactor) {
        err(QStringLiteral("tailops-gateway audit redact-test: %1").arg(redactor.error().toString()));
        return 2;
    }
    QByteArray input;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
        input.append(buf, qsizetype(n));
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(input, &error);
    if (error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray())) {
        const QJsonValue redacted
            = redactor->redact(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()));
        const QJsonDocument result
            = redacted.isObject() ? QJsonDocument(redacted.toObject()) : QJsonDocument(redacted.toArray());
        outBytes(result.toJson(input.trimmed().contains('\n') ? QJsonDocument::Indented : QJsonDocument::Compact));
        if (!input.trimmed().contains('\n')) {
            outBytes("\n");
        }
        return 0;
    }
    QByteArray text = redactor->redactString(QString::fromUtf8(input)).toUtf8();
    if (!text.endsWith('\n')) {
        text.append('\n');
    }
    outBytes(text);
    return 0;
}

void usage()
{
    err(QStringLiteral(
        "usage: tailops-gateway audit verify [FILES...] [--path LOG] [--head FILE | --no-head]\n"
        "       tailops-gateway audit export [--format csv|jsonl] [--since T] [--until T] [--tool NAME]\n"
        "                                    [--target ID] [--caller WHO] [--path LOG] [--output FILE]\n"
        "       tailops-gateway audit tail [-f] [--json] [-n N] [--path LOG]\n"
        "       tailops-gateway audit redact-test [--key NAME]... [--pattern REGEX]...  < text\n"
        "LOG defaults to %1")
            .arg(Audit::defaultAuditPath()));
}

} // namespace

int runAuditCommand(const QStringList &args)
{
    if (args.isEmpty()) {
        usage();
        return 2;
    }
    const QString command = args.first();
    const QStringList rest = args.mid(1);
    if (command == u"verify") {
        return verify(rest);
    }
    if (command == u"export") {
        return exportCommand(rest);
    }
    if (command == u"tail") {
        return tail(rest);
    }
    if (command == u"redact-test") {
        return redactTest(rest);
    }
    if (command == u"help" || command == u"--help" || command == u"-h") {
        usage();
        return 0;
    }
    err(QStringLiteral("tailops-gateway audit: unknown command '%1'").arg(command));
    usage();
    return 2;
}

} // namespace Tailops::Cli
