// A child process for the audit tests (and a way to run the audit CLI without the gateway):
//   audit_helper loop PATH DURABILITY [WINDOW]   append forever, keeping WINDOW records in flight; print each
//                                                record_id on its own line once its callback confirmed it
//   audit_helper diskfull PATH LIMIT             append under RLIMIT_FSIZE=LIMIT (SIGXFSZ ignored) until the log
//                                                fails, then lift the limit and reopen()
//   audit_helper cli ARGS...                     Cli::runAuditCommand(ARGS)
#include "audit/auditlog.h"
#include "cli/auditcommands.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>

using namespace Tailops;

namespace {

Audit::AuditRecord sample(int i)
{
    Auth::Caller caller;
    caller.transport = QStringLiteral("http");
    caller.agent = QStringLiteral("helper");
    caller.tokenHash = QStringLiteral("sha256:0123456789ab");
    caller.peer = QStringLiteral("127.0.0.1:40000");
    return Audit::AuditRecord::makeDecision(caller, QString::number(i), QStringLiteral("get_system_status"),
        QStringLiteral("local"), QJsonObject { { QStringLiteral("n"), i } }, Audit::Decision::Allow,
        QStringLiteral("default"));
}

void line(const QString &text)
{
    std::fprintf(stdout, "%s\n", text.toUtf8().constData());
    std::fflush(stdout);
}

int loop(const QStringList &args)
{
    Audit::AuditLogOptions options;
    options.durability = Audit::durabilityFromName(args.value(1)).value_or(Audit::Durability::Group);
    options.maxFileBytes = 0;
    const int window = args.value(2, QStringLiteral("16")).toInt();
    Audit::AuditLog log(args.value(0), options);
    if (auto r = log.open(); !r) {
        line(QStringLiteral("open failed: ") + r.error().toString());
        return 1;
    }
    int next = 0;
    std::function<void()> one;
    one = [&] {
        const int i = next++;
        log.append(sample(i), &log, [&](const Core::Result<qint64> &r) {
            if (r) {
                line(QString::number(*r));
                one();
            } else {
                line(QStringLiteral("error: ") + r.error().toString());
            }
        });
    };
    for (int i = 0; i < window; ++i) {
        one();
    }
    return QCoreApplication::exec();
}

int diskFull(const QStringList &args)
{
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit
    {
        rlim_t(args.value(1).toLongLong()), RLIM_INFINITY
    };
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
        line(QStringLiteral("setrlimit failed"));
        return 1;
    }
    Audit::AuditLog log(args.value(0));
    QObject::connect(&log, &Audit::AuditLog::failed, &log,
        [](const QString &reason) { line(QStringLiteral("failed-signal: ") + reason); });
    if (auto r = log.open(); !r) {
        line(QStringLiteral("open failed: ") + r.error().toString());
        return 1;
    }
    int i = 0;
    int confirmed = 0;
    std::function<void()> one;
    one = [&] {
        log.append(sample(i++), &log, [&](const Core::Result<qint64> &r) {
            if (r) {
                ++confirmed;
                one();
                return;
            }
            line(QStringLiteral("confirmed: %1").arg(confirmed));
            line(QStringLiteral("error: ") + r.error().toString());
            // Every later append fails too.
            log.append(sample(i++), &log, [&](const Core::Result<qint64> &again) {
                line(again ? QStringLiteral("refused: no") : QStringLiteral("refused: ") + again.error().toString());
                struct rlimit unlimited
                {
                    RLIM_INFINITY, RLIM_INFINITY
                };
                ::setrlimit(RLIMIT_FSIZE, &unlimited);
                const auto reopened = log.reopen();
                line(
                    reopened ? QStringLiteral("reopen: ok") : QStringLiteral("reopen: ") + reopened.error().toString());
                log.append(sample(i++), &log, [&](const Core::Result<qint64> &after) {
                    line(after ? QStringLiteral("after-reopen: %1").arg(*after)
                               : QStringLiteral("after-reopen: ") + after.error().toString());
                    QCoreApplication::exit(0);
                });
            });
        });
    };
    one();
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments().mid(1);
    const QString mode = args.value(0);
    if (mode == u"loop") {
        return loop(args.mid(1));
    }
    if (mode == u"diskfull") {
        return diskFull(args.mid(1));
    }
    if (mode == u"cli") {
        return Cli::runAuditCommand(args.mid(1));
    }
    std::fprintf(stderr, "usage: audit_helper loop|diskfull|cli ...\n");
    return 2;
}
