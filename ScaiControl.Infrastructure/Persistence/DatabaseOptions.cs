namespace ScaiControl.Infrastructure.Persistence;

/// <summary>Which database to use: configuration keys Database:Provider ("Sqlite" | "PostgreSQL" | "MariaDB") and ConnectionStrings:Sqlite / :PostgreSQL / :MariaDB.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The provider.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The connection string of the chosen provider.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/scaicontrol.db";

    /// <summary>MariaDB only (Database:MaxRetries, default 20): how often one unit of work is run again after a deadlock / Galera certification conflict.</summary>
    public int MaxRetries { get; set; } = 20;
}

/// <summary>Supported database providers.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,

    /// <summary>MariaDB 10.11 (single server or a Galera cluster), through Pomelo.</summary>
    MariaDb,
}
