using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The real app (WebApplicationFactory) on a fresh database of its own: a temp SQLite file, or a new database on the
/// PostgreSQL server named by SCAI_TEST_PG or the MariaDB server named by SCAI_TEST_MARIADB (scripts/test.sh starts both). Development environment, demo data seeded at
/// start-up, real Quartz jobs, Debian chromium for PDFs when installed. Dropped on dispose.
/// </summary>
public abstract class ScaiAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("scai-test-").FullName;

    /// <summary>The provider name for Database:Provider.</summary>
    protected abstract string Provider { get; }

    /// <summary>The environment the app runs in.</summary>
    protected virtual string EnvironmentName => "Development";

    /// <summary>Extra settings.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    /// <summary>The connection string the app uses.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>The temp data directory.</summary>
    public string DataDirectory => _dataDir;

    /// <inheritdoc/>
    public virtual Task InitializeAsync()
    {
        _ = Services; // start the host: migrates and seeds
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DropAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS; the temp folder is cleaned by the system.
        }
    }

    /// <summary>Drops the test database.</summary>
    protected virtual Task DropAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:Provider", Provider);
        builder.UseSetting($"ConnectionStrings:{Provider}", ConnectionString);
        builder.UseSetting("DataDirectory", _dataDir);
        builder.UseSetting("Storage:Root", Path.Combine(_dataDir, "objects"));
        builder.UseSetting("Auth:DevKeyPath", Path.Combine(_dataDir, "dev-key.pem"));
        // The live VIES is outside this network: by default point at a closed loopback port (answers "unavailable" at once).
        builder.UseSetting("Vies:BaseUrl", "http://127.0.0.1:9");
        builder.UseSetting("Pdf:ChromiumPath", Environment.GetEnvironmentVariable("SCAI_CHROMIUM") ?? "/usr/bin/chromium");
        // The on-time billing job would invoice a test's periods between its steps; tests call BillingRunService.InvoiceStartedAsync themselves.
        builder.UseSetting("Billing:OnTimeEnabled", "false");
        foreach (var (key, value) in ExtraSettings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>An HTTP client carrying a bearer token of the demo user with <paramref name="email"/>.</summary>
    public async Task<HttpClient> ClientForAsync(string email)
    {
        var user = await Services.GetRequiredService<TenancyService>().FindUserAsync(email) ?? throw new InvalidOperationException($"No demo user {email}.");
        var token = Services.GetRequiredService<DevSigningKey>().Issue(user, "scaicontrol-dev", "scaicontrol", TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Drafts <paramref name="count"/> invoices for <paramref name="tenantId"/>, each with <paramref name="lines"/>
    /// lines of 3 x EUR 25.00 at a provisional 21 % (finalisation decides the VAT again); returns their ids.
    /// </summary>
    public async Task<List<string>> CreateDraftInvoicesAsync(string tenantId, int count = 1, int lines = 1)
    {
        await using var db = await Services.GetRequiredService<ScaiControl.Infrastructure.Persistence.ScaiDbFactory>().ForSystemAsync("test");
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId);
        var provisional = new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null);
        var drafts = Enumerable.Range(0, count).Select(_ =>
        {
            var invoice = new Invoice(tenant.PartnerId, tenant.Id, "EUR", null, DateTimeOffset.UtcNow);
            for (var i = 0; i < lines; i++)
            {
                invoice.AddLine($"Seat licence {i + 1}", 3, Money.Of(2500, "EUR"), provisional);
            }

            return invoice;
        }).ToList();
        db.Invoices.AddRange(drafts);
        await db.SaveChangesAsync();
        return drafts.Select(d => d.Id).ToList();
    }

    /// <summary>The actor of a demo user (for calling services directly).</summary>
    public async Task<Actor> ActorForAsync(string email)
    {
        var user = await Services.GetRequiredService<TenancyService>().FindUserAsync(email) ?? throw new InvalidOperationException($"No demo user {email}.");
        return new Actor(user.Id, user.PartnerId, user.TenantId, user.RoleList, user.Scopes);
    }
}

/// <summary>The app on a fresh SQLite file.</summary>
public class SqliteApp : ScaiAppFactory
{
    protected override string Provider => "Sqlite";

    public override string ConnectionString => $"Data Source={Path.Combine(DataDirectory, "scai.db")}";
}

/// <summary>The app on a fresh database of the PostgreSQL server in SCAI_TEST_PG.</summary>
public class PostgresApp : ScaiAppFactory
{
    private readonly string _database = $"scai_test_{Guid.NewGuid():N}";

    /// <summary>The server's connection string (from scripts/test.sh).</summary>
    public static string PgServer => Environment.GetEnvironmentVariable("SCAI_TEST_PG")
        ?? throw new InvalidOperationException("SCAI_TEST_PG is not set: run the tests through scripts/test.sh, which starts a PostgreSQL server.");

    protected override string Provider => "PostgreSQL";

    public override string ConnectionString => new NpgsqlConnectionStringBuilder(PgServer) { Database = _database, MaxPoolSize = 100 }.ConnectionString;

    /// <inheritdoc/>
    public override async Task InitializeAsync()
    {
        await using (var connection = new NpgsqlConnection(PgServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        await base.InitializeAsync();
    }

    /// <inheritdoc/>
    protected override async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PgServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The app on a fresh database of the MariaDB server in SCAI_TEST_MARIADB (or of the Galera node in
/// <see cref="ServerVariable"/>), created before start-up and dropped on dispose.
/// </summary>
public class MariaDbApp : ScaiAppFactory
{
    /// <summary>The database name (fresh per app; a second app on another Galera node may share it, see <see cref="DatabaseName"/>).</summary>
    public virtual string DatabaseName => _database;

    private readonly string _database = $"scai_test_{Guid.NewGuid():N}";

    /// <summary>The environment variable with the server's connection string.</summary>
    protected virtual string ServerVariable => "SCAI_TEST_MARIADB";

    /// <summary>The server's connection string (from scripts/test.sh).</summary>
    public string MariaDbServer => Environment.GetEnvironmentVariable(ServerVariable)
        ?? throw new InvalidOperationException($"{ServerVariable} is not set: run the tests through scripts/test.sh, which starts MariaDB and a Galera cluster.");

    /// <summary>Whether this app creates (and drops) the database; false for the second node of a Galera pair.</summary>
    protected virtual bool OwnsDatabase => true;

    protected override string Provider => "MariaDB";

    public override string ConnectionString => new MySqlConnector.MySqlConnectionStringBuilder(MariaDbServer) { Database = DatabaseName, MaximumPoolSize = 100 }.ConnectionString;

    /// <inheritdoc/>
    public override async Task InitializeAsync()
    {
        if (OwnsDatabase)
        {
            await using var connection = new MySqlConnector.MySqlConnection(MariaDbServer);
            await connection.OpenAsync();
            await using var command = new MySqlConnector.MySqlCommand($"CREATE DATABASE `{DatabaseName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", connection);
            await command.ExecuteNonQueryAsync();
        }

        await base.InitializeAsync();
    }

    /// <inheritdoc/>
    protected override async Task DropAsync()
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        if (!OwnsDatabase)
        {
            return;
        }

        await using var connection = new MySqlConnector.MySqlConnection(MariaDbServer);
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand($"DROP DATABASE IF EXISTS `{DatabaseName}`", connection);
        await command.ExecuteNonQueryAsync();
    }
}
