using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Quartz;
using ScaiControl.Infrastructure.Jobs;
using ScaiControl.Tests.Integration;

namespace ScaiControl.Tests.Infrastructure.Jobs;

/// <summary>What the probe job records: which node ran which scheduled firing.</summary>
public sealed record ProbeFiring(string Node, DateTimeOffset ScheduledFor);

/// <summary>One node's view of the shared firing log.</summary>
public sealed class ProbeLog(string node, ConcurrentQueue<ProbeFiring> firings)
{
    public void Record(DateTimeOffset scheduledFor) => firings.Enqueue(new ProbeFiring(node, scheduledFor));
}

/// <summary>A job that records its firing (and takes a moment, so firings are real work).</summary>
[DisallowConcurrentExecution]
public sealed class ProbeJob(ProbeLog log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        log.Record(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        await Task.Delay(50, cancellationToken);
    }
}

/// <summary>
/// Quartz's clustered AdoJobStore as the app configures it for PostgreSQL (JobsRegistration.UseScaiJobStore): two
/// schedulers (two hosts) on one fresh database; each firing runs on one node only, and when the node running the
/// job shuts down the other one takes it over.
/// </summary>
public sealed class ClusteredJobsTests : IAsyncLifetime
{
    private readonly string _database = $"scai_quartz_{Guid.NewGuid():N}";
    private readonly ConcurrentQueue<ProbeFiring> _firings = new();

    private string ConnectionString => new NpgsqlConnectionStringBuilder(PostgresApp.PgServer) { Database = _database }.ConnectionString;

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresApp.PgServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresApp.PgServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task EachFiringRunsOnOneNode_AndTheOtherNodeTakesTheJobOverWhenItsNodeShutsDown()
    {
        using var a = Node("A");
        await a.StartAsync();
        await Until(() => _firings.Count(f => f.Node == "A") >= 3, "node A runs the job");

        using var b = Node("B");
        await b.StartAsync();
        await Until(() => _firings.Count >= 10, "both nodes run");

        await a.StopAsync();
        var stoppedAt = _firings.Count;
        await Until(() => _firings.Count >= stoppedAt + 5, "node B carries on");
        await b.StopAsync();

        var all = _firings.ToList();
        // Each scheduled firing ran once, on one node.
        Assert.DoesNotContain(all.GroupBy(f => f.ScheduledFor), g => g.Count() > 1);
        // After A shut down, B ran every firing.
        Assert.All(all.Skip(stoppedAt + 1), f => Assert.Equal("B", f.Node));

        // The schema came from ProvisionSchema, in the app's database.
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE lower(table_name) LIKE 'qrtz_%'", connection);
        Assert.True((long)(await tables.ExecuteScalarAsync())! >= 10);
        await using var nodes = new NpgsqlCommand("SELECT count(DISTINCT instance_name) FROM qrtz_fired_triggers", connection);
        Assert.Equal(0L, (long)(await nodes.ExecuteScalarAsync())!); // nothing left running after both shut down
    }

    private IHost Node(string name)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["ConnectionStrings:PostgreSQL"] = ConnectionString,
            ["Jobs:CheckinInterval"] = "00:00:01",
            ["Jobs:CheckinMisfireThreshold"] = "00:00:05",
        });
        builder.Services.AddSingleton(new ProbeLog(name, _firings));
        builder.Services.AddQuartz(q =>
        {
            JobsRegistration.UseScaiJobStore(q, builder.Configuration);
            q.ScheduleJob<ProbeJob>(
                t => t.WithIdentity("probe").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMilliseconds(300)).RepeatForever()),
                j => j.WithIdentity("probe-job"));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder.Build();
    }

    /// <summary>Waits (at most 60 s) until <paramref name="condition"/> holds.</summary>
    private static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }
}
