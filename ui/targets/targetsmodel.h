#pragma once

#include "registry/target.h"

#include <QAbstractTableModel>

namespace Tailops::Registry {
class TargetRegistry;
}

namespace Tailops::Ui {

class ConnectivityRunner;

// The target registry as a table, with the latest connectivity result of each target. Follows registry reloads
// (targetsChanged) and the runner's reports.
class TargetsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetsModel)

public:
    enum Column
    {
        IdColumn,
        TypeColumn,
        EndpointColumn,
        TagsColumn,
        CapabilitiesColumn,
        StatusColumn,
        LatencyColumn,
        LastCheckColumn,
        ColumnCount
    };
    enum Role
    {
        TargetIdRole = Qt::UserRole + 1, // QString, every column
        StatusRole,                      // Status as int, every column
        SortRole,                        // what the proxy sorts by (numbers for latency and time)
    };
    enum class Status
    {
        Unknown,
        Checking,
        Up,
        Down
    };
    Q_ENUM(Status)

    explicit TargetsModel(Registry::TargetRegistry &registry, ConnectivityRunner *runner = nullptr,
                          QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Registry::Target *targetAt(int row) const;
    int rowOf(const QString &targetId) const; // -1 when absent
    Status status(const QString &targetId) const;

    // "user@host:port", the socket, the URL or "this machine".
    static QString endpoint(const Registry::Target &target);
    static QString statusName(Status status);

private:
    void reload();
    void refreshRow(const QString &targetId);

    Registry::TargetRegistry &m_registry;
    ConnectivityRunner *m_runner = nullptr;
    QList<Registry::Target> m_targets;
};

} // namespace Tailops::Ui
