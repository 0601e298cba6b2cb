#pragma once

#include "auth/caller.h"
#include "callauditor.h"
#include "callgate.h"
#include "exec/concurrencylimiter.h"
#include "exec/executorprovider.h"
#include "jsonrpc.h"
#include "registry/targetregistry.h"
#include "tool.h"

#include <QList>
#include <QObject>
#include <QThreadPool>

namespace Tailops::Mcp {

struct Prompt
{
    QString name;
    QString title;
    QString description;
    struct Argument
    {
        QString name;
        QString description;
        bool required = false;
    };
    QList<Argument> arguments;
    std::function<QString(const QJsonObject &arguments)> render;
};

// Everything sessions share: the tool catalog, prompts, the target registry, the worker pool.
// Transport-agnostic: it knows nothing of HTTP or stdio.
class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    explicit Server(Registry::TargetRegistry &registry, QObject *parent = nullptr);
    ~Server() override;

    // Adds a tool. Refused (false, logged) when its declaration is inconsistent: a tool that is not read-only
    // must need a scope that is not a *:read scope and a tier above observe, so read-only tokens can never
    // reach it.
    bool addTool(Tool tool);
    void addPrompt(Prompt prompt);

    const QList<Tool> &tools() const { return m_tools; }
    const Tool *findTool(const QString &name) const;
    const QList<Prompt> &prompts() const { return m_prompts; }
    const Prompt *findPrompt(const QString &name) const;

    // The tools this caller may call: the gate's visible(), or without a gate, its scopes include the tool's.
    QList<const Tool *> visibleTools(const Auth::Caller &caller) const;

    Registry::TargetRegistry &registry() { return m_registry; }
    Exec::ConcurrencyLimiter &limiter() { return m_limiter; }
    Exec::ExecutorProvider *executors() const { return m_executors; }
    void setExecutorProvider(Exec::ExecutorProvider *provider) { m_executors = provider; }
    CallAuditor *auditor() const { return m_auditor; }
    void setAuditor(CallAuditor *auditor) { m_auditor = auditor; }
    CallGate *gate() const { return m_gate; }
    void setGate(CallGate *gate) { m_gate = gate; }
    QThreadPool &pool() { return m_pool; }

    int pageSize() const { return m_pageSize; }
    void setPageSize(int size) { m_pageSize = size > 0 ? size : 50; }

    QJsonObject serverInfo() const;
    QString instructions() const;

    // Tools-list JSON for one tool (cached).
    QJsonObject toolJson(const Tool &tool) const;

Q_SIGNALS:
    // Every finished tools/call, for counters, the console and (later) the audit.
    void toolCallFinished(const QString &tool, const QString &target, const QString &agent, bool isError,
                          qint64 durationMs);

private:
    Registry::TargetRegistry &m_registry;
    QList<Tool> m_tools;
    QHash<QString, qsizetype> m_toolIndex;
    QList<QJsonObject> m_toolJson;
    QList<Prompt> m_prompts;
    QThreadPool m_pool;
    Exec::ConcurrencyLimiter m_limiter;
    Exec::ExecutorProvider *m_executors = nullptr;
    CallAuditor *m_auditor = nullptr;
    CallGate *m_gate = nullptr;
    int m_pageSize = 50;
};

} // namespace Tailops::Mcp
