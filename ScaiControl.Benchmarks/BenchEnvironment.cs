using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Jobs;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Persistence.Interceptors;
using ScaiControl.Infrastructure.Secrets;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Benchmarks;

/// <summary>
/// The app's infrastructure as Program.cs of the web app wires it (AddScaiInfrastructure + AddScaiJobs, Production
/// environment, SSRF protection off and http allowed so the loopback receiver is reachable) on a fresh database: a
/// temp SQLite file, or a throwaway database on the PostgreSQL server given. One partner and one enabled subscriber
/// (topics subscription.*, secret in the secret store) pointing at the receiver. The Quartz jobs only run once
/// <see cref="Host"/> is started.
/// </summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly string _work;
    private readonly string? _pgServer;
    private readonly string? _pgDatabase;
    private string _partnerId = string.Empty;

    private BenchEnvironment(IHost host, string label, string work, string? pgServer, string? pgDatabase)
    {
        Host = host;
        Label = label;
        _work = work;
        _pgServer = pgServer;
        _pgDatabase = pgDatabase;
        Factory = host.Services.GetRequiredService<ScaiDbFactory>();
        Dispatcher = host.Services.GetRequiredService<WebhookDispatcher>();
        Options = host.Services.GetRequiredService<WebhookOptions>();
        Clock = host.Services.GetRequiredService<TimeProvider>();
    }

    /// <summary>The host (not started until the cadence measurement).</summary>
    public IHost Host { get; }

    /// <summary>"SQLite" or "PostgreSQL 15.x".</summary>
    public string Label { get; }

    /// <summary>The database factory.</summary>
    public ScaiDbFactory Factory { get; }

    /// <summary>The app's dispatcher singleton (the one the Quartz job uses).</summary>
    public WebhookDispatcher Dispatcher { get; }

    /// <summary>The dispatcher's options singleton (BatchSize and Parallelism are read at every pass).</summary>
    public WebhookOptions Options { get; }

    /// <summary>The app's clock.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The subscriber's whsec_ secret.</summary>
    public string Secret { get; private set; } = string.Empty;

    /// <summary>Builds the host, migrates the database and adds the partner and the subscriber.</summary>
    public static async Task<BenchEnvironment> CreateAsync(string provider, string? pgServer, string receiverUrl)
    {
        var work = Directory.CreateTempSubdirectory("scai-bench-webhooks-").FullName;
        string connectionString;
        string? database = null;
        var label = "SQLite";
        if (provider == "PostgreSQL")
        {
            database = $"scai_bench_{Guid.NewGuid():N}";
            await using var connection = new NpgsqlConnection(pgServer);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
            label = "PostgreSQL " + connection.PostgreSqlVersion.ToString(2);
            connectionString = new NpgsqlConnectionStringBuilder(pgServer) { Database = database }.ConnectionString;
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(work, "scai.db")}";
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ContentRootPath = work,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            [$"ConnectionStrings:{provider}"] = connectionString,
            ["DataDirectory"] = work,
            ["Storage:Root"] = Path.Combine(work, "objects"),
            ["Vies:BaseUrl"] = "http://127.0.0.1:9",
            ["Pdf:ChromiumPath"] = Path.Combine(work, "no-chromium"), // no invoices here: the PDF job has nothing to do
            ["Webhooks:SsrfProtection"] = "false",
            ["Webhooks:AllowHttp"] = "true",
        });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddScaiInfrastructure(builder.Configuration);
        builder.AddScaiJobs();
        var env = new BenchEnvironment(builder.Build(), label, work, pgServer, database);
        await env.Factory.MigrateAsync();
        await env.SeedAsync(receiverUrl);
        return env;
    }

    /// <summary>Commits <paramref name="count"/> subscription.activated.v1 outbox events (500 per transaction); returns them.</summary>
    public async Task<List<OutboxEvent>> InsertEventsAsync(int count)
    {
        var all = new List<OutboxEvent>(count);
        for (var done = 0; done < count; done += 500)
        {
            await using var db = Factory.ForPlatform("system:bench");
            var batch = Enumerable.Range(0, Math.Min(500, count - done)).Select(_ => NewEvent()).ToList();
            db.OutboxEvents.AddRange(batch);
            await db.SaveChangesAsync();
            all.AddRange(batch);
        }

        return all;
    }

    /// <summary>Commits one event in its own transaction; returns its idempotency key and the Stopwatch ticks when the commit returned.</summary>
    public async Task<(string Id, long Committed)> CommitOneEventAsync()
    {
        await using var db = Factory.ForPlatform("system:bench");
        var e = NewEvent();
        db.OutboxEvents.Add(e);
        await db.SaveChangesAsync();
        return (e.IdempotencyKey, Stopwatch.GetTimestamp());
    }

    /// <summary>Throws unless every delivery row so far has succeeded on its first attempt.</summary>
    /// <exception cref="InvalidOperationException">A delivery not succeeded, or retried.</exception>
    public async Task CheckAllSucceededAsync()
    {
        await using var db = Factory.ForPlatform("system:bench");
        var bad = await db.WebhookDeliveries.CountAsync(d => d.Status != WebhookDeliveryStatus.Succeeded || d.Attempts != 1);
        if (bad > 0)
        {
            throw new InvalidOperationException($"{bad} deliveries did not succeed on their first attempt.");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        if (_pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_pgServer);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    private async Task SeedAsync(string receiverUrl)
    {
        var now = Clock.GetUtcNow();
        var partner = new Partner("Bench Partner B.V.", false, now);
        _partnerId = partner.Id;
        var id = Ids.New("whs");
        Secret = StandardWebhooks.NewSecret();
        var path = WebhookSubscription.NewSecretPath(id);
        await Host.Services.GetRequiredService<ISecretStore>().WriteAsync(path, Secret);
        await using var db = await Factory.ForSystemAsync("bench-setup");
        db.Partners.Add(partner);
        db.WebhookSubscriptions.Add(new WebhookSubscription(partner.Id, receiverUrl, TopicFilter.Parse(["subscription.*"]), "benchmark receiver", path, now, id));
        await db.SaveChangesAsync();
    }

    /// <summary>An outbox row shaped like the one Subscription.Move raises for an activation (same payload keys).</summary>
    private OutboxEvent NewEvent()
    {
        var now = Clock.GetUtcNow();
        var subscription = Ids.New("sub");
        var tenant = Ids.New("tnt");
        var payload = new Dictionary<string, object?>
        {
            ["subscription_id"] = subscription,
            ["tenant_id"] = tenant,
            ["partner_id"] = _partnerId,
            ["service_id"] = "svc_scaicrm",
            ["plan_id"] = "pln_crm_team_monthly",
            ["previous_status"] = "pending",
            ["status"] = "active",
            ["action"] = "activate",
            ["current_period_start"] = now,
            ["current_period_end"] = now.AddMonths(1),
        };
        return new OutboxEvent(new DomainEvent(EventTopics.SubscriptionActivated, _partnerId, tenant, subscription, now, payload), JsonSerializer.Serialize(payload, AuditAndOutboxInterceptor.Json));
    }
}
