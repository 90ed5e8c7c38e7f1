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
