#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

// A healthy configuration directory for the doctor's tests: gateway.yaml (loopback port 0, a secret file, the token
// registry, the audit log and known_hosts inside the directory), a 0600 secret, a local target.
namespace DoctorTest {

inline bool writeFile(const QString &path, const QByteArray &data, QFileDevice::Permissions mode = QFileDevice::ReadOwner | QFileDevice::WriteOwner)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    f.write(data);
    f.close();
    return f.setPermissions(mode);
}

struct Layout
{
    QString listen = QStringLiteral("127.0.0.1:0");
    QString auditPath;          // empty: DIR/audit/audit.jsonl
    QByteArray authExtra;       // more keys under auth:
    QByteArray authMode = "token";
};

inline QByteArray gatewayYaml(const QString &dir, const Layout &l)
{
    const QByteArray d = QFile::encodeName(dir);
    const QByteArray audit = l.auditPath.isEmpty() ? d + "/audit/audit.jsonl" : QFile::encodeName(l.auditPath);
    return "listen: [\"" + l.listen.toUtf8() + "\"]\n"
           "auth:\n  mode: " + l.authMode + "\n  secret_file: secret\n  tokens_file: " + d + "/tokens.json\n" + l.authExtra +
           "audit:\n  path: " + audit + "\n"
           "ssh:\n  known_hosts: " + d + "/known_hosts\n";
}

inline bool writeHealthy(const QString &dir, const Layout &layout = {})
{
    QDir().mkpath(dir + QStringLiteral("/audit"));
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QFile::setPermissions(dir + QStringLiteral("/audit"), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return writeFile(dir + QStringLiteral("/gateway.yaml"), gatewayYaml(dir, layout))
        && writeFile(dir + QStringLiteral("/secret"), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
        && writeFile(dir + QStringLiteral("/targets.yaml"), "targets:\n  local:\n    type: local\n    capabilities: [system:read]\n")
        && writeFile(dir + QStringLiteral("/known_hosts"), "");
}

} // namespace DoctorTest
