#include "doctor.h"

#include "doctorprobes_p.h"

#include "audit/auditfiles.h"
#include "audit/auditverifier.h"
#include "auth/oauth/httpjwkssource.h"
#include "auth/oauth/jwks.h"
#include "auth/secret.h"
#include "auth/tokenstore.h"
#include "connectivity/connectivitychecker.h"
#include "connectivity/probes.h"
#include "exec/docker/dockerclient.h"
#include "policy/policy.h"
#include "policy/policyloader.h"
#include "registry/targetregistry.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTimer>

#include <cerrno>
#include <cstring>

#include <curl/curl.h>
#include <libssh/libssh.h>
#include <openssl/crypto.h>
#include <sys/resource.h>
#include <unistd.h>

namespace Tailops::Doctor {

using namespace Qt::StringLiterals;

QString sectionName(Section section)
{
    switch (section) {
    case Section::Configuration:
        return u"Configuration"_s;
    case Section::Authentication:
        return u"Authentication"_s;
    case Section::Targets:
        return u"Targets"_s;
    case Section::Docker:
        return u"Docker"_s;
    case Section::Audit:
        return u"Audit"_s;
    case Section::Network:
        return u"Network"_s;
    case Section::Tailscale:
        return u"Tailscale"_s;
    case Section::System:
        return u"System"_s;
    }
    return {};
}

std::optional<Section> sectionFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (const Section s : allSections()) {
        if (sectionName(s).toLower() == n) {
            return s;
        }
    }
    if (n == u"config") {
        return Section::Configuration;
    }
    if (n == u"auth") {
        return Section::Authentication;
    }
    return std::nullopt;
}

QList<Section> allSections()
{
    return { Section::Configuration, Section::Authentication, Section::Targets, Section::Docker,
             Section::Audit,         Section::Network,        Section::Tailscale, Section::System };
}

QString statusName(Status status)
{
    switch (status) {
    case Status::Ok:
        return u"ok"_s;
    case Status::Warning:
        return u"warning"_s;
    case Status::Failed:
        return u"failed"_s;
    case Status::Skipped:
        return u"skipped"_s;
    }
    return {};
}

QString statusMark(Status status)
{
    switch (status) {
    case Status::Ok:
        return u"OK"_s;
    case Status::Warning:
        return u"WARN"_s;
    case Status::Failed:
        return u"FAIL"_s;
    case Status::Skipped:
        return u"SKIP"_s;
    }
    return {};
}

QJsonObject CheckResult::toJson() const
{
    QJsonObject o { { u"id"_s, id },
                    { u"section"_s, sectionName(section) },
                    { u"title"_s, title },
                    { u"status"_s, statusName(status) },
                    { u"detail"_s, detail },
                    { u"duration_ms"_s, durationMs } };
    if (!fix.isEmpty()) {
        o.insert(u"fix"_s, fix);
    }
    if (!where.isEmpty()) {
        o.insert(u"where"_s, where);
    }
    return o;
}

Summary summarize(const QList<CheckResult> &results)
{
    Summary s;
    for (const CheckResult &r : results) {
        switch (r.status) {
        case Status::Ok:
            ++s.ok;
            break;
        case Status::Warning:
            ++s.warnings;
            break;
        case Status::Failed:
            ++s.failed;
            break;
        case Status::Skipped:
            ++s.skipped;
            break;
        }
    }
    return s;
}

QString formatReport(const QList<CheckResult> &results)
{
    QString text;
    std::optional<Section> current;
    for (const CheckResult &r : results) {
        if (!current || *current != r.section) {
            if (current) {
                text += u'\n';
            }
            current = r.section;
            text += sectionName(r.section) + u'\n';
        }
        QString detail = r.detail;
        detail.replace(u'\n', u"\n        "_s); // continuation lines (several file:line:col findings)
        text += u"  "_s + statusMark(r.status).leftJustified(4) + u"  "_s + r.title.leftJustified(32) + u"  "_s + detail + u'\n';
        if (!r.fix.isEmpty() && r.status != Status::Ok) {
            text += QStringLiteral("        fix: %1\n").arg(r.fix);
        }
    }
    const Summary s = summarize(results);
    if (!results.isEmpty()) {
        text += u'\n';
    }
    text += QStringLiteral("%1 ok, %2 warning(s), %3 failed, %4 skipped\n").arg(s.ok).arg(s.warnings).arg(s.failed).arg(s.skipped);
    return text;
}

QJsonObject reportToJson(const QList<CheckResult> &results)
{
    QJsonArray checks;
    for (const CheckResult &r : results) {
        checks.append(r.toJson());
    }
    const Summary s = summarize(results);
    return QJsonObject { { u"ok"_s, s.failed == 0 },
                         { u"summary"_s, QJsonObject { { u"ok"_s, s.ok }, { u"warning"_s, s.warnings },
                                                       { u"failed"_s, s.failed }, { u"skipped"_s, s.skipped } } },
                         { u"checks"_s, checks } };
}

Config::GatewayConfig loadConfig(const QString &configDir)
{
    Config::Diagnostics ignored; // reported again by the Configuration section
    return Config::loadGatewayConfig(configDir, ignored);
}

namespace {

QString joinDiagnostics(const Config::Diagnostics &diagnostics)
{
    QStringList lines;
    for (const Config::Diagnostic &d : diagnostics) {
        lines.append(d.toString());
    }
    return lines.join(u'\n');
}

QString ownerAndMode(const FileFacts &f)
{
    return QStringLiteral("%1:%2 %3").arg(userName(f.uid), groupName(f.gid), modeString(f.mode));
}

class Runner
{
public:
    Runner(const Config::GatewayConfig &config, const Options &options)
        : m_config(config)
        , m_options(options)
    {
    }

    QList<CheckResult> results;

    void run(Section section)
    {
        switch (section) {
        case Section::Configuration:
            configuration();
            break;
        case Section::Authentication:
            authentication();
            break;
        case Section::Targets:
            targets();
            break;
        case Section::Docker:
            docker();
            break;
        case Section::Audit:
            audit();
            break;
        case Section::Network:
            network();
            break;
        case Section::Tailscale:
            tailscale();
            break;
        case Section::System:
            systemSection();
            break;
        }
    }

private:
    // Runs BODY, timing it, and records the result it filled in.
    template<typename Body>
    void check(Section section, const QString &id, const QString &title, const QString &where, Body &&body)
    {
        CheckResult r;
        r.section = section;
        r.id = id;
        r.title = title;
        r.where = where;
        QElapsedTimer timer;
        timer.start();
        body(r);
        r.durationMs = timer.elapsed();
        if (r.status == Status::Ok) {
            r.fix.clear();
        }
        results.append(r);
        if (m_options.progress) {
            m_options.progress(r);
        }
    }

    static void set(CheckResult &r, Status status, QString detail, QString fix = {})
    {
        r.status = status;
        r.detail = std::move(detail);
        r.fix = std::move(fix);
    }

    QString checkConfigCommand() const
    {
        return QStringLiteral("tailops-gateway check-config --config-dir %1").arg(shellQuote(m_config.configDir));
    }

    const QList<Registry::Target> &loadedTargets()
    {
        if (!m_targets) {
            Registry::TargetRegistry registry;
            m_targetDiagnostics = registry.load(m_config.targetsFile());
            m_targets = registry.snapshot()->targets();
        }
        return *m_targets;
    }

    QList<Registry::Target> targetsOf(Registry::Executor executor)
    {
        QList<Registry::Target> list;
        for (const Registry::Target &t : loadedTargets()) {
            if (t.executor == executor) {
                list.append(t);
            }
        }
        return list;
    }

    // ---- Configuration: "Gateway won't start: check configuration files, environment" ----

    void configuration()
    {
        const QString dir = m_config.configDir;
        check(Section::Configuration, u"config.directory"_s, u"Configuration directory"_s, dir, [&](CheckResult &r) {
            const FileFacts f = fileFacts(dir);
            if (!f.exists) {
                set(r, Status::Warning, QStringLiteral("%1 does not exist: every setting is a default").arg(dir),
                    QStringLiteral("mkdir -p -m 700 %1 (the first-run wizard or tailops-gateway token mint fills it)").arg(shellQuote(dir)));
            } else if (!f.isDir) {
                set(r, Status::Failed, QStringLiteral("%1 is not a directory").arg(dir),
                    QStringLiteral("move %1 aside and create the directory: mkdir -p -m 700 %1").arg(shellQuote(dir)));
            } else if (f.mode & 0022) {
                set(r, Status::Failed, QStringLiteral("%1 is writable by other users (%2): they could change targets and policy").arg(dir, ownerAndMode(f)),
                    QStringLiteral("chmod go-w %1").arg(shellQuote(dir)));
            } else {
                set(r, Status::Ok, QStringLiteral("%1 (%2)").arg(dir, ownerAndMode(f)));
            }
        });

        const QString gatewayFile = m_config.gatewayFile();
        check(Section::Configuration, u"config.gateway-yaml"_s, u"gateway.yaml"_s, gatewayFile, [&](CheckResult &r) {
            if (!QFileInfo::exists(gatewayFile)) {
                set(r, Status::Ok, u"absent: defaults (listen 127.0.0.1:8080, tokens required)"_s);
                return;
            }
            Config::Diagnostics diagnostics;
            Config::loadGatewayConfig(dir, diagnostics);
            fromDiagnostics(r, diagnostics, gatewayFile, u"valid"_s);
        });

        const QString targetsFile = m_config.targetsFile();
        check(Section::Configuration, u"config.targets-yaml"_s, u"targets.yaml"_s, targetsFile, [&](CheckResult &r) {
            const QList<Registry::Target> &targets = loadedTargets();
            QStringList ids;
            for (const Registry::Target &t : targets) {
                ids.append(t.id);
            }
            if (!QFileInfo::exists(targetsFile)) {
                set(r, Status::Ok, u"absent: the built-in local target only"_s);
                return;
            }
            fromDiagnostics(r, m_targetDiagnostics, targetsFile,
                            QStringLiteral("valid: %1 target(s): %2").arg(targets.size()).arg(ids.join(u", "_s)));
        });

        const QString policyFile = m_config.policyFile();
        check(Section::Configuration, u"config.policy-yaml"_s, u"policy.yaml"_s, policyFile, [&](CheckResult &r) {
            if (!QFileInfo::exists(policyFile)) {
                set(r, Status::Ok, u"absent: calls are decided by token scopes x target capabilities"_s);
                return;
            }
            Config::Diagnostics diagnostics;
            const auto policy = Policy::loadPolicyFile(policyFile, diagnostics, Policy::LoadMode::Strict);
            if (!policy && !Config::hasErrors(diagnostics)) {
                diagnostics.append({ Config::Diagnostic::Severity::Error, u"policy.yaml"_s, 0, 0, policy.error().message });
            }
            fromDiagnostics(r, diagnostics, policyFile,
                            policy ? QStringLiteral("valid: %1 rule(s), default %2")
                                         .arg((*policy)->rules().size())
                                         .arg(Policy::effectName((*policy)->defaultEffect()))
                                   : QString());
        });

        check(Section::Configuration, u"config.environment"_s, u"Environment"_s, QString(), [&](CheckResult &r) {
            QStringList set_;
            for (const char *name : { "TAILOPS_SHARED_SECRET", "SYSTEMMANAGER_SHARED_SECRET", "TAILOPS_TOKEN",
                                      "TAILOPS_AUDIT_LOG", "SYSTEMMANAGER_AUDIT_LOG", "LOGS_DIRECTORY" }) {
                if (qEnvironmentVariableIsSet(name)) {
                    set_.append(QString::fromLatin1(name));
                }
            }
            set(r, Status::Ok,
                set_.isEmpty() ? u"no TAILOPS_* override set: everything comes from the configuration directory"_s
                               : QStringLiteral("set (values not shown): %1").arg(set_.join(u", "_s)));
        });
    }

    void fromDiagnostics(CheckResult &r, const Config::Diagnostics &diagnostics, const QString &file, const QString &okText)
    {
        if (Config::hasErrors(diagnostics)) {
            set(r, Status::Failed, joinDiagnostics(diagnostics),
                QStringLiteral("edit %1 at the line shown, then run: %2").arg(file, checkConfigCommand()));
        } else if (!diagnostics.isEmpty()) {
            set(r, Status::Warning, joinDiagnostics(diagnostics),
                QStringLiteral("edit %1 at the line shown (warnings do not stop the gateway)").arg(file));
        } else {
            set(r, Status::Ok, okText);
        }
    }

    // ---- Authentication: shared secret, token registry, OAuth issuer (TSIDP) ----

    void authentication()
    {
        using Mode = Config::GatewayConfig::AuthMode;
        const bool tokens = m_config.authMode == Mode::Token || m_config.authMode == Mode::Both;
        const bool oauth = m_config.authMode == Mode::OAuth || m_config.authMode == Mode::Both;
        const QString secretFile = m_config.secretFile;
        check(Section::Authentication, u"auth.secret"_s, u"Shared secret"_s, secretFile, [&](CheckResult &r) {
            if (!tokens) {
                set(r, Status::Skipped, u"auth.mode does not use HMAC tokens"_s);
                return;
            }
            secretCheck(r, secretFile);
        });

        const QString tokensPath = m_config.tokensPath();
        check(Section::Authentication, u"auth.tokens"_s, u"Token registry"_s, tokensPath, [&](CheckResult &r) {
            if (!tokens) {
                set(r, Status::Skipped, u"auth.mode does not use HMAC tokens"_s);
                return;
            }
            const FileFacts f = fileFacts(tokensPath);
            if (!f.exists) {
                set(r, Status::Ok, QStringLiteral("%1 does not exist yet: no token minted").arg(tokensPath));
                return;
            }
            if (f.mode & 0077) {
                set(r, Status::Failed, QStringLiteral("%1 is readable by other users (%2)").arg(tokensPath, ownerAndMode(f)),
                    QStringLiteral("chmod 600 %1").arg(shellQuote(tokensPath)));
                return;
            }
            if (f.uid != ::geteuid()) {
                set(r, Status::Failed, QStringLiteral("%1 belongs to %2, not to %3").arg(tokensPath, userName(f.uid), userName(::geteuid())),
                    QStringLiteral("sudo chown %1 %2").arg(userName(::geteuid()), shellQuote(tokensPath)));
                return;
            }
            const auto records = Auth::TokenStore(tokensPath).records();
            if (!records) {
                set(r, Status::Failed, records.error().toString(),
                    QStringLiteral("move %1 aside (mv %1 %1.broken) and mint new tokens: tailops-gateway token mint --agent NAME --scopes readonly")
                        .arg(shellQuote(tokensPath)));
                return;
            }
            int active = 0;
            int expired = 0;
            int revoked = 0;
            const QDateTime now = QDateTime::currentDateTimeUtc();
            for (const Auth::TokenRecord &t : *records) {
                switch (Auth::tokenStatus(t, now)) {
                case Auth::TokenStatus::Active:
                    ++active;
                    break;
                case Auth::TokenStatus::Expired:
                    ++expired;
                    break;
                case Auth::TokenStatus::Revoked:
                    ++revoked;
                    break;
                }
            }
            set(r, Status::Ok, QStringLiteral("%1 token(s): %2 active, %3 expired, %4 revoked (%5)")
                                   .arg(records->size()).arg(active).arg(expired).arg(revoked).arg(modeString(f.mode)));
        });

        const QString issuer = m_config.oauthIssuer;
        bool issuerReachable = false;
        check(Section::Authentication, u"auth.oauth-issuer"_s, u"OAuth issuer (TSIDP)"_s, issuer, [&](CheckResult &r) {
            if (!oauth) {
                set(r, Status::Skipped, u"auth.mode is token or none: no OAuth issuer is used"_s);
                return;
            }
            if (issuer.isEmpty()) {
                set(r, Status::Failed, u"auth.mode uses OAuth but auth.oauth.issuer is not set"_s,
                    QStringLiteral("set auth.oauth.issuer in %1 (e.g. https://idp.TAILNET.ts.net)").arg(m_config.gatewayFile()));
                return;
            }
            const QUrl url(issuer);
            const int port = url.port(url.scheme() == u"http" ? 80 : 443);
            const auto tcp = Connectivity::probeTcp(url.host(), port, m_options.timeoutMs);
            if (!tcp) {
                set(r, Status::Failed, QStringLiteral("%1 is not reachable: %2").arg(issuer, tcp.error().message),
                    QStringLiteral("start the issuer (tsidp) or fix auth.oauth.issuer; check with: curl -I %1 and tailscale status")
                        .arg(shellQuote(issuer)));
                return;
            }
            issuerReachable = true;
            set(r, Status::Ok, QStringLiteral("%1 answers on %2:%3 (%4 ms)").arg(issuer, tcp->address).arg(port).arg(tcp->latencyMs));
        });

        const QString jwksWhere = !m_config.oauthJwksFile.isEmpty() ? m_config.oauthJwksFile
            : !m_config.oauthJwksUrl.isEmpty()                        ? m_config.oauthJwksUrl
                                                                       : issuer;
        check(Section::Authentication, u"auth.oauth-jwks"_s, u"OAuth signing keys (JWKS)"_s, jwksWhere, [&](CheckResult &r) {
            if (!oauth) {
                set(r, Status::Skipped, u"auth.mode is token or none: no OAuth keys are used"_s);
                return;
            }
            if (!m_config.oauthJwksFile.isEmpty()) {
                const auto jwks = Auth::Jwks::fromFile(m_config.oauthJwksFile);
                if (!jwks) {
                    set(r, Status::Failed, jwks.error().toString(),
                        QStringLiteral("put the issuer's JWKS in %1 (curl -s ISSUER/.well-known/jwks.json > %1) or unset auth.oauth.jwks_file")
                            .arg(shellQuote(m_config.oauthJwksFile)));
                } else {
                    set(r, Status::Ok, QStringLiteral("%1 usable key(s) in %2").arg(jwks->size()).arg(m_config.oauthJwksFile));
                }
                return;
            }
            if (!issuerReachable) {
                set(r, Status::Skipped, u"the issuer is not reachable (see above)"_s);
                return;
            }
            fetchJwks(r);
        });
    }

    void secretCheck(CheckResult &r, const QString &secretFile)
    {
        for (const char *name : { "TAILOPS_SHARED_SECRET", "SYSTEMMANAGER_SHARED_SECRET" }) {
            if (qEnvironmentVariableIsSet(name) && !qEnvironmentVariableIsEmpty(name)) {
                const auto secret = Auth::loadSharedSecret(secretFile);
                if (!secret) {
                    set(r, Status::Failed, secret.error().message,
                        QStringLiteral("set %1 to a longer value: export %1=$(openssl rand -hex 32)").arg(QString::fromLatin1(name)));
                } else {
                    set(r, Status::Ok, QStringLiteral("from $%1 (%2 characters; the file is not used)").arg(QString::fromLatin1(name)).arg(secret->size()));
                }
                return;
            }
        }
        const QString create = QStringLiteral("(umask 077 && openssl rand -hex 32 > %1)");
        if (secretFile.isEmpty()) {
            const QString suggested = QDir(m_config.configDir).filePath(u"secret"_s);
            set(r, Status::Failed, u"no shared secret: auth.secret_file is not set and $TAILOPS_SHARED_SECRET is empty"_s,
                QStringLiteral("%1, then set auth.secret_file: secret in %2").arg(create.arg(shellQuote(suggested)), m_config.gatewayFile()));
            return;
        }
        const FileFacts f = fileFacts(secretFile);
        if (!f.exists) {
            set(r, Status::Failed, QStringLiteral("secret file %1 does not exist").arg(secretFile), create.arg(shellQuote(secretFile)));
            return;
        }
        if (!f.isRegular) {
            set(r, Status::Failed, QStringLiteral("secret file %1 is not a regular file").arg(secretFile),
                QStringLiteral("replace it with a file: %1").arg(create.arg(shellQuote(secretFile))));
            return;
        }
        if (f.mode & 0077) {
            set(r, Status::Failed, QStringLiteral("secret file %1 is readable by other users (%2)").arg(secretFile, ownerAndMode(f)),
                QStringLiteral("chmod 600 %1").arg(shellQuote(secretFile)));
            return;
        }
        if (f.uid != ::geteuid()) {
            set(r, Status::Failed, QStringLiteral("secret file %1 belongs to %2, not to %3 (the gateway's user)").arg(secretFile, userName(f.uid), userName(::geteuid())),
                QStringLiteral("sudo chown %1 %2").arg(userName(::geteuid()), shellQuote(secretFile)));
            return;
        }
        const auto secret = Auth::loadSharedSecret(secretFile);
        if (!secret) {
            set(r, Status::Failed, secret.error().message, QStringLiteral("rm %1 && %2").arg(shellQuote(secretFile), create.arg(shellQuote(secretFile))));
            return;
        }
        set(r, Status::Ok, QStringLiteral("%1: %2 characters, %3").arg(secretFile).arg(secret->size()).arg(ownerAndMode(f)));
    }

    // Fetches the keys the way the gateway does (discovery, then the JWKS), on this thread's event loop.
    void fetchJwks(CheckResult &r)
    {
        Auth::HttpJwksSourceOptions o;
        o.issuer = m_config.oauthIssuer;
        if (!m_config.oauthJwksUrl.isEmpty()) {
            o.jwksUrl = QUrl(m_config.oauthJwksUrl);
        }
        o.timeout = std::chrono::milliseconds(m_options.timeoutMs);
        o.retryDelay = std::chrono::hours(1); // one attempt
        Auth::HttpJwksSource source(o);
        QEventLoop loop;
        QString error;
        int keys = -1;
        QObject::connect(&source, &Auth::HttpJwksSource::keysUpdated, &loop, [&](int count) {
            keys = count;
            loop.quit();
        });
        QObject::connect(&source, &Auth::HttpJwksSource::fetchFailed, &loop, [&](const QString &e) {
            error = e;
            loop.quit();
        });
        QTimer::singleShot(m_options.timeoutMs * 2 + 500, &loop, &QEventLoop::quit);
        if (auto started = source.start(); !started) {
            set(r, Status::Failed, started.error().toString(), u"fix auth.oauth.issuer / auth.oauth.jwks_url (https, or http on loopback)"_s);
            return;
        }
        loop.exec();
        if (keys >= 0) {
            set(r, Status::Ok, QStringLiteral("%1 key(s) from %2").arg(keys).arg(source.jwksUrl().toString()));
        } else {
            set(r, Status::Failed, error.isEmpty() ? u"no answer in time"_s : error,
                QStringLiteral("check the issuer's metadata: curl -s %1/.well-known/openid-configuration (its \"issuer\" must equal "
                               "auth.oauth.issuer exactly), or set auth.oauth.jwks_url")
                    .arg(m_config.oauthIssuer));
        }
    }

    // ---- Targets: SSH keys and their permissions, known_hosts, reachability ----

    QString knownHostsPath() const
    {
        return m_config.knownHostsFile.isEmpty() ? QDir::homePath() + u"/.ssh/known_hosts"_s : m_config.knownHostsFile;
    }

    void targets()
    {
        const QList<Registry::Target> &all = loadedTargets();
        bool remote = false;
        for (const Registry::Target &t : all) {
            if (t.executor == Registry::Executor::Ssh) {
                remote = true;
                sshTarget(t);
            } else if (t.executor == Registry::Executor::Http) {
                remote = true;
                httpTarget(t);
            }
        }
        if (!remote) {
            check(Section::Targets, u"targets.remote"_s, u"Remote targets"_s, m_config.targetsFile(), [&](CheckResult &r) {
                set(r, Status::Skipped, QStringLiteral("no ssh or http target in targets.yaml (%1 target(s))").arg(all.size()),
                    u"add hosts: tailops-gateway targets import-ssh-config --write"_s);
            });
        }
    }

    void sshTarget(const Registry::Target &t)
    {
        // As the SSH executor reads it: "~" and "~/..." are the home directory.
        const QString key = (t.keyPath == u"~" || t.keyPath.startsWith(u"~/")) ? QString(QDir::homePath() + t.keyPath.mid(1)) : t.keyPath;
        check(Section::Targets, u"targets.ssh-key:"_s + t.id, QStringLiteral("SSH key of %1").arg(t.id), key, [&](CheckResult &r) {
            if (key.isEmpty()) {
                set(r, Status::Ok, u"no connection.key_path: ssh-agent and the default ~/.ssh/id_* keys are tried"_s);
                return;
            }
            const FileFacts f = fileFacts(key);
            const QString user = userName(::geteuid());
            if (!f.exists) {
                set(r, Status::Failed, QStringLiteral("identity file %1 does not exist").arg(key),
                    QStringLiteral("create it: ssh-keygen -t ed25519 -N '' -f %1 && ssh-copy-id -i %1.pub %2@%3, or fix connection.key_path of %4")
                        .arg(shellQuote(key), t.username.isEmpty() ? user : t.username, t.host, t.id));
            } else if (!f.isRegular) {
                set(r, Status::Failed, QStringLiteral("identity file %1 is not a regular file").arg(key),
                    QStringLiteral("point connection.key_path of %1 at the private key file").arg(t.id));
            } else if (f.mode & 0077) {
                set(r, Status::Failed, QStringLiteral("identity file %1 is accessible by other users (%2); ssh refuses such keys").arg(key, ownerAndMode(f)),
                    QStringLiteral("chmod 600 %1").arg(shellQuote(key)));
            } else if (f.uid != ::geteuid()) {
                set(r, Status::Failed, QStringLiteral("identity file %1 belongs to %2, not to %3 (the gateway's user)").arg(key, userName(f.uid), user),
                    QStringLiteral("sudo chown %1 %2 && chmod 600 %2").arg(user, shellQuote(key)));
            } else if (::access(QFile::encodeName(key).constData(), R_OK) != 0) {
                set(r, Status::Failed, QStringLiteral("identity file %1 is not readable (%2)").arg(key, ownerAndMode(f)),
                    QStringLiteral("chmod 600 %1").arg(shellQuote(key)));
            } else {
                set(r, Status::Ok, QStringLiteral("%1 (%2)").arg(key, ownerAndMode(f)));
            }
        });

        const QString knownHosts = knownHostsPath();
        check(Section::Targets, u"targets.known-hosts:"_s + t.id, QStringLiteral("Host key of %1").arg(t.id), knownHosts, [&](CheckResult &r) {
            const QString trust = QStringLiteral("tailops-gateway targets trust %1").arg(t.id);
            if (!QFileInfo::exists(knownHosts)) {
                set(r, Status::Failed, QStringLiteral("%1 does not exist: the host key of %2:%3 is not recorded").arg(knownHosts, t.host).arg(t.port),
                    QStringLiteral("%1 (compare the fingerprint with ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the target)").arg(trust));
                return;
            }
            const auto found = findKnownHost(knownHosts, t.host, t.port);
            if (!found) {
                set(r, Status::Failed, found.error().message, QStringLiteral("fix the file's permissions: chmod 600 %1").arg(shellQuote(knownHosts)));
            } else if (found->isEmpty()) {
                set(r, Status::Failed, QStringLiteral("the host key of %1:%2 is not in %3").arg(t.host).arg(t.port).arg(knownHosts),
                    QStringLiteral("%1 (compare the fingerprint with ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the target)").arg(trust));
            } else {
                set(r, Status::Ok, QStringLiteral("recorded: %1").arg(*found));
            }
        });

        reachable(t, QStringLiteral("%1:%2").arg(t.host).arg(t.port), [&](CheckResult &r) {
            const auto tcp = Connectivity::probeTcp(t.host, t.port, m_options.timeoutMs);
            if (!tcp) {
                diagnosed(r, u"tcp"_s, tcp.error().message, t);
            } else {
                set(r, Status::Ok, QStringLiteral("%1:%2 accepts connections (%3 ms)").arg(tcp->address).arg(t.port).arg(tcp->latencyMs));
            }
        });
    }

    void httpTarget(const Registry::Target &t)
    {
        reachable(t, t.url, [&](CheckResult &r) {
            const auto probe = Connectivity::probeHttp(t.url, m_options.timeoutMs);
            if (!probe) {
                diagnosed(r, u"http"_s, probe.error().message, t);
            } else if (probe->status >= 500 || probe->status == 0) {
                diagnosed(r, u"http"_s, QStringLiteral("HTTP %1").arg(probe->status), t);
            } else {
                set(r, Status::Ok, QStringLiteral("HTTP %1 in %2 ms").arg(probe->status).arg(probe->latencyMs));
            }
        });
    }

    template<typename Body>
    void reachable(const Registry::Target &t, const QString &where, Body &&body)
    {
        check(Section::Targets, u"targets.reachable:"_s + t.id, QStringLiteral("%1 reachable").arg(t.id), where, std::forward<Body>(body));
    }

    static void diagnosed(CheckResult &r, const QString &name, const QString &error, const Registry::Target &t)
    {
        Connectivity::Check c;
        c.name = name;
        c.detail = error;
        Connectivity::diagnose(c, t);
        set(r, Status::Failed, QStringLiteral("%1: %2").arg(error, c.cause), c.fix);
    }

    // ---- Docker: socket exists, is a socket, may be opened; the Engine answers ----

    void docker()
    {
        const QList<Registry::Target> targets = targetsOf(Registry::Executor::Docker);
        if (targets.isEmpty()) {
            check(Section::Docker, u"docker.targets"_s, u"Docker targets"_s, m_config.targetsFile(), [&](CheckResult &r) {
                set(r, Status::Skipped, u"no docker target in targets.yaml"_s);
            });
            return;
        }
        for (const Registry::Target &t : targets) {
            Exec::DockerClientOptions o = Exec::DockerClientOptions::fromTarget(t);
            o.connectTimeoutMs = m_options.timeoutMs;
            o.timeoutMs = m_options.timeoutMs;
            QString socketPath = o.socketPath;
            if (socketPath.isEmpty() && o.endpoint.startsWith(u"unix://")) {
                socketPath = o.endpoint.mid(7);
            }
            bool socketOk = true;
            if (!socketPath.isEmpty()) {
                check(Section::Docker, u"docker.socket:"_s + t.id, QStringLiteral("Docker socket of %1").arg(t.id), socketPath, [&](CheckResult &r) {
                    socketOk = false;
                    const FileFacts f = fileFacts(socketPath);
                    if (!f.exists) {
                        set(r, Status::Failed, QStringLiteral("Docker socket %1 does not exist (is dockerd running?)").arg(socketPath),
                            QStringLiteral("start Docker (sudo systemctl start docker) or fix connection.socket_path of %1 in targets.yaml").arg(t.id));
                        return;
                    }
                    if (!f.isSocket) {
                        set(r, Status::Failed, QStringLiteral("%1 is not a socket (%2)").arg(socketPath, f.isDir ? u"a directory"_s : u"a regular file"_s),
                            QStringLiteral("point connection.socket_path of %1 at the Docker socket (usually /var/run/docker.sock)").arg(t.id));
                        return;
                    }
                    const int error = connectUnixSocket(socketPath, m_options.timeoutMs);
                    if (error == EACCES || error == EPERM) {
                        set(r, Status::Failed, QStringLiteral("permission denied on %1 (%2) for %3").arg(socketPath, ownerAndMode(f), userName(::geteuid())),
                            QStringLiteral("sudo usermod -aG %1 %2, then log in again and restart the gateway (check: ls -l %3)")
                                .arg(groupName(f.gid), userName(::geteuid()), shellQuote(socketPath)));
                        return;
                    }
                    if (error != 0) {
                        set(r, Status::Failed, QStringLiteral("cannot connect to %1: %2").arg(socketPath, QString::fromLocal8Bit(std::strerror(error))),
                            u"start Docker: sudo systemctl start docker (status: systemctl status docker; journalctl -u docker)"_s);
                        return;
                    }
                    socketOk = true;
                    set(r, Status::Ok, QStringLiteral("%1 accepts connections (%2)").arg(socketPath, ownerAndMode(f)));
                });
            }
            const Exec::DockerClient client(o);
            check(Section::Docker, u"docker.ping:"_s + t.id, QStringLiteral("Docker Engine of %1").arg(t.id), client.describeEndpoint(), [&](CheckResult &r) {
                if (!socketOk) {
                    set(r, Status::Skipped, u"the socket check failed (see above)"_s);
                    return;
                }
                const auto ping = client.ping();
                if (!ping) {
                    diagnosed(r, u"docker-ping"_s, ping.error().message, t);
                    return;
                }
                const auto version = client.version();
                set(r, Status::Ok, version ? QStringLiteral("/_ping %1; engine %2, API %3")
                                                 .arg(*ping, version->value(u"Version"_s).toString(), version->value(u"ApiVersion"_s).toString())
                                           : QStringLiteral("/_ping %1").arg(*ping));
            });
        }
    }

    // ---- Audit: directory writable, file mode and owner, chain verifies ----

    void audit()
    {
        const QString path = m_config.auditPath.isEmpty() ? Audit::defaultAuditPath() : m_config.auditPath;
        if (!m_config.auditEnabled) {
            check(Section::Audit, u"audit.enabled"_s, u"Audit log"_s, path, [&](CheckResult &r) {
                set(r, Status::Warning, u"audit.enabled is false: tool calls are NOT audited"_s,
                    QStringLiteral("set audit.enabled: true in %1").arg(m_config.gatewayFile()));
            });
            return;
        }
        const QString dir = QFileInfo(path).absolutePath();
        const QString user = userName(::geteuid());
        bool dirOk = false;
        check(Section::Audit, u"audit.directory"_s, u"Audit directory"_s, dir, [&](CheckResult &r) {
            const QString elsewhere = QStringLiteral("or set audit.path in %1 to a writable place").arg(m_config.gatewayFile());
            const FileFacts f = fileFacts(dir);
            if (f.exists && !f.isDir) {
                set(r, Status::Failed, QStringLiteral("%1 is not a directory").arg(dir), QStringLiteral("move %1 aside, %2").arg(shellQuote(dir), elsewhere));
                return;
            }
            QString existing = dir;
            while (!QFileInfo(existing).exists() && existing != u"/") {
                existing = QFileInfo(existing).absolutePath();
            }
            const int error = probeWritable(existing);
            if (error != 0) {
                const FileFacts e = fileFacts(existing);
                set(r, Status::Failed, QStringLiteral("%1 is not writable by %2 (%3: %4)").arg(existing, user, ownerAndMode(e), QString::fromLocal8Bit(std::strerror(error))),
                    f.exists ? QStringLiteral("sudo chown %1 %2 && chmod 700 %2, %3").arg(user, shellQuote(dir), elsewhere)
                             : QStringLiteral("sudo install -d -o %1 -m 700 %2, %3").arg(user, shellQuote(dir), elsewhere));
                return;
            }
            dirOk = true;
            if (!f.exists) {
                set(r, Status::Ok, QStringLiteral("%1 does not exist yet; the gateway creates it (%2 is writable)").arg(dir, existing));
            } else if (f.mode & 0022) {
                set(r, Status::Warning, QStringLiteral("%1 is writable by other users (%2): they could delete audit files").arg(dir, ownerAndMode(f)),
                    QStringLiteral("chmod 700 %1").arg(shellQuote(dir)));
            } else {
                set(r, Status::Ok, QStringLiteral("%1 is writable (%2)").arg(dir, ownerAndMode(f)));
            }
        });

        check(Section::Audit, u"audit.file"_s, u"Audit log file"_s, path, [&](CheckResult &r) {
            const FileFacts f = fileFacts(path);
            if (!f.exists) {
                set(r, dirOk ? Status::Ok : Status::Skipped, u"not created yet: the gateway creates it with mode 0600 at start"_s);
                return;
            }
            if (!f.isRegular) {
                set(r, Status::Failed, QStringLiteral("%1 is not a regular file").arg(path), QStringLiteral("move %1 aside or fix audit.path").arg(shellQuote(path)));
            } else if (f.uid != ::geteuid()) {
                set(r, Status::Failed, QStringLiteral("%1 belongs to %2, not to %3 (%4)").arg(path, userName(f.uid), user, ownerAndMode(f)),
                    QStringLiteral("sudo chown %1 %2*").arg(user, shellQuote(path)));
            } else if (::access(QFile::encodeName(path).constData(), W_OK) != 0) {
                set(r, Status::Failed, QStringLiteral("%1 is not writable (%2)").arg(path, ownerAndMode(f)), QStringLiteral("chmod 600 %1").arg(shellQuote(path)));
            } else if (f.mode & 0077) {
                set(r, Status::Warning, QStringLiteral("%1 is readable by other users (%2); the gateway tightens it to 0600 at start").arg(path, ownerAndMode(f)),
                    QStringLiteral("chmod 600 %1").arg(shellQuote(path)));
            } else {
                set(r, Status::Ok, QStringLiteral("%1, %2 (%3)").arg(path, humanSize(f.size), ownerAndMode(f)));
            }
        });

        check(Section::Audit, u"audit.chain"_s, u"Audit chain"_s, path, [&](CheckResult &r) { verifyChain(r, path); });
    }

    void verifyChain(CheckResult &r, const QString &path)
    {
        const QStringList files = Audit::auditFiles(path);
        if (files.isEmpty()) {
            set(r, Status::Skipped, u"no audit records yet"_s);
            return;
        }
        qint64 total = 0;
        QStringList newest;
        for (qsizetype i = files.size() - 1; i >= 0; --i) {
            const qint64 size = QFileInfo(files.at(i)).size();
            if (!newest.isEmpty() && total + size > m_options.auditVerifyMaxBytes) {
                break;
            }
            total += size;
            newest.prepend(files.at(i));
        }
        const bool partial = !m_options.auditVerifyFull && newest.size() < files.size();
        const Audit::VerifyReport report = partial ? Audit::verifyAudit(newest) : Audit::verifyAuditLog(path);
        const QString scope = partial ? QStringLiteral(" (the newest %1 of %2 files)").arg(newest.size()).arg(files.size()) : QString();
        if (report.ok) {
            set(r, Status::Ok, report.summary() + scope);
        } else if (report.kind == Audit::Breakage::TornLine) {
            set(r, Status::Warning, report.summary() + scope,
                u"the last write was cut by a crash: starting the gateway repairs it and records the repair"_s);
        } else {
            set(r, Status::Failed, report.summary() + scope,
                QStringLiteral("keep the files as evidence (cp -a %1* /safe/place), find out who changed them, then see: tailops-gateway audit verify --path %1")
                    .arg(shellQuote(path)));
        }
    }

    // ---- Network: listen addresses, TLS files, the admin socket ----

    void network()
    {
        QList<Config::ListenAddress> listen = m_config.listen;
        if (listen.isEmpty()) {
            QString ignored;
            if (const auto la = Config::parseListenAddress(u"127.0.0.1:8080"_s, &ignored)) {
                listen.append(*la);
            }
        }
        for (const Config::ListenAddress &la : listen) {
            const QString address = QStringLiteral("%1:%2").arg(la.host).arg(la.port);
            check(Section::Network, u"network.listen:"_s + address, QStringLiteral("Listen %1").arg(address), address, [&](CheckResult &r) {
                listenCheck(r, la, address);
            });
        }

        const bool tls = !m_config.tlsCertificate.isEmpty() || !m_config.tlsKey.isEmpty();
        check(Section::Network, u"network.tls"_s, u"TLS certificate and key"_s, m_config.tlsCertificate, [&](CheckResult &r) {
            if (!tls) {
                set(r, Status::Skipped, u"no TLS: plain HTTP (fine on loopback or behind tailscale serve)"_s);
                return;
            }
            for (const QString &file : { m_config.tlsCertificate, m_config.tlsKey }) {
                if (file.isEmpty() || ::access(QFile::encodeName(file).constData(), R_OK) != 0) {
                    set(r, Status::Failed, QStringLiteral("cannot read %1").arg(file.isEmpty() ? u"(not set)"_s : file),
                        u"set both tls.certificate and tls.key in gateway.yaml to readable files (tailscale cert NAME makes both)"_s);
                    return;
                }
            }
            const FileFacts key = fileFacts(m_config.tlsKey);
            if (key.mode & 0077) {
                set(r, Status::Failed, QStringLiteral("the private key %1 is readable by other users (%2)").arg(m_config.tlsKey, ownerAndMode(key)),
                    QStringLiteral("chmod 600 %1").arg(shellQuote(m_config.tlsKey)));
                return;
            }
            set(r, Status::Ok, QStringLiteral("%1 and %2 are readable").arg(m_config.tlsCertificate, m_config.tlsKey));
        });

        const QString admin = m_config.adminSocketPath();
        check(Section::Network, u"network.admin-socket"_s, u"Admin socket"_s, admin, [&](CheckResult &r) {
            const QString dir = QFileInfo(admin).absolutePath();
            const FileFacts d = fileFacts(dir);
            if (d.exists && (d.mode & 0077)) {
                set(r, Status::Warning, QStringLiteral("%1 is accessible by other users (%2)").arg(dir, ownerAndMode(d)),
                    QStringLiteral("chmod 700 %1").arg(shellQuote(dir)));
                return;
            }
            const FileFacts s = fileFacts(admin);
            if (!s.exists) {
                set(r, Status::Ok, QStringLiteral("%1 absent: no gateway is running (serve creates it)").arg(admin));
            } else if (connectUnixSocket(admin, m_options.timeoutMs) == 0) {
                set(r, Status::Ok, QStringLiteral("a gateway answers on %1 (tailops-gateway approvals list)").arg(admin));
            } else {
                set(r, Status::Ok, QStringLiteral("%1 is stale (no gateway answers; the next start replaces it)").arg(admin));
            }
        });
    }

    void listenCheck(CheckResult &r, const Config::ListenAddress &la, const QString &address)
    {
        if (la.port == 0) {
            set(r, Status::Ok, u"port 0: a free port is picked at start"_s);
            return;
        }
        for (const QUrl &url : m_options.servedUrls) {
            if (url.port() == la.port && QHostAddress(url.host()) == la.address) {
                set(r, Status::Ok, QStringLiteral("served by this gateway (%1)").arg(url.toString()));
                return;
            }
        }
        const BindProbe bind = probeBind(la.address, la.port);
        if (bind.ok) {
            set(r, Status::Ok, QStringLiteral("%1 is free%2").arg(address, la.isLoopback() ? QString() : u" (not loopback: clients need a token; prefer a tailnet address)"_s));
            return;
        }
        if (!bind.inUse) {
            set(r, Status::Failed, QStringLiteral("cannot listen on %1: %2").arg(address, bind.error),
                QStringLiteral("bring the address up (tailscale up, for a tailnet address) or change listen in %1").arg(m_config.gatewayFile()));
            return;
        }
        const QList<PortOwner> owners = portOwners(la.port);
        QStringList who;
        bool gateway = false;
        for (const PortOwner &o : owners) {
            who.append(QStringLiteral("%1 (pid %2)").arg(o.command).arg(o.pid));
            gateway = gateway || o.command.startsWith(u"tailops-"_s);
        }
        const QString whoText = who.isEmpty() ? u"another user's process (ss -ltnp 'sport = :%1' as root shows it)"_s.arg(la.port) : who.join(u", "_s);
        if (gateway) {
            set(r, Status::Ok, QStringLiteral("%1 is already served by %2").arg(address, whoText));
            return;
        }
        set(r, Status::Failed, QStringLiteral("%1 is in use by %2").arg(address, whoText),
            QStringLiteral("stop %1, or pick another port: listen: [\"%2:%3\"] in %4 (or serve --listen %2:%3)")
                .arg(owners.isEmpty() ? u"that process"_s : QStringLiteral("pid %1").arg(owners.constFirst().pid), la.host)
                .arg(la.port + 1)
                .arg(m_config.gatewayFile()));
    }

    // ---- Tailscale: tailscaled's LocalAPI, status and this node's addresses ----

    void tailscale()
    {
        const QString socket = m_config.tailnetSocket;
        check(Section::Tailscale, u"tailscale.localapi"_s, u"tailscaled"_s, socket, [&](CheckResult &r) {
            const QString install = u"install and start Tailscale (curl -fsSL https://tailscale.com/install.sh | sh; sudo tailscale up), or set auth.tailnet.socket"_s;
            const FileFacts f = fileFacts(socket);
            if (!f.exists) {
                set(r, m_config.tailnetEnabled ? Status::Failed : Status::Skipped,
                    QStringLiteral("no tailscaled LocalAPI socket at %1%2").arg(socket, m_config.tailnetEnabled ? u" (auth.tailnet.enabled needs it)"_s : QString()),
                    install);
                return;
            }
            const auto status = localApiStatus(socket, m_options.timeoutMs);
            if (!status) {
                const bool denied = status.error().message.contains(u"ermission"_s);
                set(r, Status::Failed, status.error().message,
                    denied ? QStringLiteral("let this user talk to tailscaled: sudo tailscale set --operator=%1").arg(userName(::geteuid()))
                           : u"restart tailscaled: sudo systemctl restart tailscaled (journalctl -u tailscaled)"_s);
                return;
            }
            const QString state = status->value(u"BackendState"_s).toString();
            const QJsonObject self = status->value(u"Self"_s).toObject();
            QStringList ips;
            for (const QJsonValue &ip : self.value(u"TailscaleIPs"_s).toArray()) {
                ips.append(ip.toString());
            }
            const QString name = self.value(u"DNSName"_s).toString();
            if (state != u"Running") {
                set(r, Status::Failed, QStringLiteral("tailscaled is %1").arg(state.isEmpty() ? u"in an unknown state"_s : state),
                    u"sudo tailscale up (then: tailscale status)"_s);
                return;
            }
            set(r, Status::Ok, QStringLiteral("running as %1, %2").arg(name, ips.join(u", "_s)));
        });
    }

    // ---- System: library versions, optional tools, resource limits ----

    void systemSection()
    {
        check(Section::System, u"system.libraries"_s, u"Libraries"_s, QString(), [&](CheckResult &r) {
            set(r, Status::Ok, QStringLiteral("Qt %1 (built with %2), %3, libssh %4, libcurl %5")
                                   .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                                        QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION)), QString::fromLatin1(ssh_version(0)),
                                        QString::fromLatin1(curl_version_info(CURLVERSION_NOW)->version)));
        });
        struct Tool
        {
            QString name;
            QString use;
            QString install;
        };
        const QList<Tool> tools {
            { u"ssh"_s, u"manual checks of ssh targets (the gateway itself uses libssh)"_s, u"sudo apt install openssh-client"_s },
            { u"docker"_s, u"docker tools on ssh and local targets"_s, u"sudo apt install docker.io (or docker-ce-cli)"_s },
            { u"tailscale"_s, u"tailnet status and tailscale serve"_s, u"curl -fsSL https://tailscale.com/install.sh | sh"_s },
        };
        for (const Tool &tool : tools) {
            check(Section::System, u"system.binary:"_s + tool.name, QStringLiteral("%1 command").arg(tool.name), QString(), [&](CheckResult &r) {
                const QString path = QStandardPaths::findExecutable(tool.name);
                r.where = path;
                if (path.isEmpty()) {
                    set(r, Status::Skipped, QStringLiteral("not installed (optional: %1)").arg(tool.use), tool.install);
                } else {
                    set(r, Status::Ok, path);
                }
            });
        }
        check(Section::System, u"system.open-files"_s, u"Open files limit"_s, QString(), [&](CheckResult &r) {
            rlimit limit {};
            ::getrlimit(RLIMIT_NOFILE, &limit);
            const qint64 needed = qint64(m_config.maxSessions) + 64 + 4 * qint64(loadedTargets().size());
            const auto text = [](rlim_t v) { return v == RLIM_INFINITY ? u"unlimited"_s : QString::number(qulonglong(v)); };
            const QString detail = QStringLiteral("soft %1, hard %2; needed about %3 (limits.max_sessions %4 + targets + files)")
                                       .arg(text(limit.rlim_cur), text(limit.rlim_max))
                                       .arg(needed)
                                       .arg(m_config.maxSessions);
            if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < needed) {
                set(r, Status::Warning, detail,
                    QStringLiteral("raise it: LimitNOFILE=%1 in the systemd unit (sudo systemctl edit tailops-gateway), or ulimit -n %1 before serve; "
                                   "or lower max_sessions in gateway.yaml")
                        .arg(needed));
            } else {
                set(r, Status::Ok, detail);
            }
        });
        check(Section::System, u"system.file-size"_s, u"File size limit"_s, QString(), [&](CheckResult &r) {
            rlimit limit {};
            ::getrlimit(RLIMIT_FSIZE, &limit);
            if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < m_config.auditMaxFileBytes) {
                set(r, Status::Warning,
                    QStringLiteral("%1 is below audit.max_file_size (%2): the audit log would fail closed").arg(humanSize(qint64(limit.rlim_cur)), humanSize(m_config.auditMaxFileBytes)),
                    u"remove LimitFSIZE from the unit (or ulimit -f unlimited), or lower audit.max_file_size"_s);
            } else {
                set(r, Status::Ok, limit.rlim_cur == RLIM_INFINITY ? u"unlimited"_s : humanSize(qint64(limit.rlim_cur)));
            }
        });
    }

    const Config::GatewayConfig &m_config;
    const Options &m_options;
    std::optional<QList<Registry::Target>> m_targets;
    Config::Diagnostics m_targetDiagnostics;
};

} // namespace

QList<CheckResult> runChecks(const Config::GatewayConfig &config, const QList<Section> &sections, const Options &options)
{
    Runner runner(config, options);
    for (const Section s : sections) {
        runner.run(s);
    }
    return runner.results;
}

QList<CheckResult> runChecks(const Config::GatewayConfig &config, const Options &options)
{
    return runChecks(config, allSections(), options);
}

QList<CheckResult> runSection(const Config::GatewayConfig &config, Section section, const Options &options)
{
    return runChecks(config, QList<Section> { section }, options);
}

} // namespace Tailops::Doctor
