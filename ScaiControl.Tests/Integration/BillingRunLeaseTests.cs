using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Billing runs are leased by the node that claims them (issue 10, several app nodes): a run whose node stopped
/// renewing its lease (it died) is taken over and completed by another node, once, with the takeover noted on the run;
/// a run whose lease is still live is left alone.
/// </summary>
public abstract class BillingRunLeaseTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task ARunWhoseNodeDied_IsTakenOverAndCompletedOnce_AndALiveLeaseIsLeftAlone()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var billing = app.Services.GetRequiredService<BillingRunService>();
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();
        var thisNode = app.Services.GetRequiredService<NodeIdentity>().Id;

        // A run "claimed" by a node that is gone: running, its lease passed a minute ago.
        var orphan = await ClaimedRunAsync(factory, "node-gone", DateTimeOffset.UtcNow.AddMinutes(-1));
        await billing.ExecuteAsync(orphan.Id);
        var done = await ops.GetJson($"/api/v1/admin/billing-runs/{orphan.Id}");
        Assert.Equal("completed", done.Str("status"));
        Assert.Equal(thisNode, done.Str("claimed_by"));
        Assert.Contains(done["errors"]!.AsArray(), e => e!.GetValue<string>().Contains("node-gone stopped renewing its lease", StringComparison.Ordinal));
        Assert.True(done["invoices_created"]!.GetValue<int>() > 0, done.ToJsonString());

        // Executing it again does nothing: a completed run is never run twice.
        await billing.ExecuteAsync(orphan.Id);
        Assert.Equal(done.ToJsonString(), (await ops.GetJson($"/api/v1/admin/billing-runs/{orphan.Id}")).ToJsonString());

        // A run held by a live node (lease an hour ahead) is not taken.
        var held = await ClaimedRunAsync(factory, "node-alive", DateTimeOffset.UtcNow.AddHours(1));
        await billing.ExecuteAsync(held.Id);
        var still = await ops.GetJson($"/api/v1/admin/billing-runs/{held.Id}");
        Assert.Equal("running", still.Str("status"));
        Assert.Equal("node-alive", still.Str("claimed_by"));
        Assert.Equal(0, still["tenants_processed"]!.GetValue<int>());
    }

    /// <summary>A run of this month written as already running, claimed by <paramref name="node"/> (one insert: no worker can claim it first).</summary>
    private static async Task<BillingRun> ClaimedRunAsync(ScaiDbFactory factory, string node, DateTimeOffset leaseUntil)
    {
        await using var db = await factory.ForSystemAsync("test");
        var run = new BillingRun(BillingPeriod.Of(DateTimeOffset.UtcNow), "usr_test", DateTimeOffset.UtcNow.AddMinutes(-2));
        db.BillingRuns.Add(run);
        var entry = db.Entry(run);
        entry.Property(r => r.Status).CurrentValue = BillingRunStatus.Running;
        entry.Property(r => r.StartedAt).CurrentValue = DateTimeOffset.UtcNow.AddMinutes(-2);
        entry.Property(r => r.ClaimedBy).CurrentValue = node;
        entry.Property(r => r.LeaseUntil).CurrentValue = leaseUntil;
        await db.SaveChangesAsync();
        return run;
    }
}

public sealed class SqliteBillingRunLeaseTests(SqliteApp app) : BillingRunLeaseTests<SqliteApp>(app);

public sealed class PostgresBillingRunLeaseTests(PostgresApp app) : BillingRunLeaseTests<PostgresApp>(app);
