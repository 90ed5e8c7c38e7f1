using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>Used by `dotnet ef` only (scripts/add-migration.sh): the SQLite model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteScaiDbContext>
{
    /// <inheritdoc/>
    public SqliteScaiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder().UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable("__ef_migrations")).Options, DataScope.Nothing("design"));
}

/// <summary>Used by `dotnet ef` only (scripts/add-migration.sh): the PostgreSQL model.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresScaiDbContext>
{
    /// <inheritdoc/>
    public PostgresScaiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder().UseNpgsql("Host=127.0.0.1;Database=design", o => o.MigrationsHistoryTable("__ef_migrations")).Options, DataScope.Nothing("design"));
}

/// <summary>Used by `dotnet ef` only (scripts/add-migration.sh): the MariaDB model, for the fixed server version (no server needed).</summary>
public sealed class MariaDbDesignTimeFactory : IDesignTimeDbContextFactory<MariaDbScaiDbContext>
{
    /// <inheritdoc/>
    public MariaDbScaiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder().UseMySql("Server=127.0.0.1;Database=design", MariaDbScaiDbContext.ServerVersion, o => o.MigrationsHistoryTable("__ef_migrations")).Options, DataScope.Nothing("design"));
}
