namespace ScaiControl.Infrastructure.Persistence;

/// <summary>Which database to use: configuration keys Database:Provider ("Sqlite" | "PostgreSQL") and ConnectionStrings:Sqlite / ConnectionStrings:PostgreSQL.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The provider.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The connection string of the chosen provider.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/scaicontrol.db";
}

/// <summary>Supported database providers.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
