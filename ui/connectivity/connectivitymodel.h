#pragma once

#include <QAbstractTableModel>
#include <QStringList>

namespace Tailops::Registry {
class TargetRegistry;
}

namespace Tailops::Ui {

class ConnectivityRunner;

// The connectivity matrix: one row per target, a "Target" and a "Result" column, then one column per check name
// seen so far (tcp, host-key, ssh-auth, sudo, exec, docker-ping, http, tls-expiry, ...). A cell is ok, failed or
// not run, with the latency; its tooltip carries the detail, the cause and the fix.
class ConnectivityModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectivityModel)

public:
    enum Role
    {
        TargetIdRole = Qt::UserRole + 1, // QString
        CheckNameRole,                   // QString; empty for the first two columns
        StateRole,                       // CellState as int
    };
    enum class CellState
    {
        NotRun,
        Checking,
        Ok,
        Failed
    };
    Q_ENUM(CellState)
    static constexpr int TargetColumn = 0;
    static constexpr int ResultColumn = 1;
    static constexpr int FirstCheckColumn = 2;

    ConnectivityModel(Registry::TargetRegistry &registry, ConnectivityRunner &runner, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString targetAt(int row) const;
    int rowOf(const QString &targetId) const;
    int columnOf(const QString &checkName) const; // -1 when not seen yet
    QStringList checkNames() const { return m_checks; }
    CellState state(const QString &targetId, const QString &checkName) const;

private:
    void reload();
    void addChecks(const QStringList &names);
    void refreshRow(const QString &targetId);

    Registry::TargetRegistry &m_registry;
    ConnectivityRunner &m_runner;
    QStringList m_targets;
    QStringList m_checks;
};

} // namespace Tailops::Ui
