namespace ScaiControl.Infrastructure.Persistence;

/// <summary>Which database to use: configuration keys Database:Provider ("Sqlite" | "PostgreSQL") and ConnectionStrings:Sqlite / ConnectionStrings:PostgreSQL.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Default SQLite connection string: a file under ./data, created on first run.</summary>
    public const string DefaultSqlite = "Data Source=data/scaicontrol.db";

    /// <summary>The provider.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The connection string of the chosen provider.</summary>
    public string ConnectionString { get; set; } = DefaultSqlite;
}

/// <summary>Supported database providers.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
