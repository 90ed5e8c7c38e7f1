using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB, shown deterministically: while one transaction holds the row locks of some
/// due deliveries (as a dispatcher does while claiming), a dispatcher neither waits for them nor sends them; it claims
/// the other rows. Once the locks are released the held rows are delivered too, each exactly once.
/// </summary>
public abstract class WebhookLockingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    /// <summary>The app under test.</summary>
    protected TApp App => app;

    private ScaiDbFactory Db => app.Services.GetRequiredService<ScaiDbFactory>();

    private WebhookDispatcher Dispatcher => app.Services.GetRequiredService<WebhookDispatcher>();

    [Fact]
    public async Task ADispatcher_SkipsTheRowsAnotherTransactionHoldsLocked_AndClaimsTheOthers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var partner = (await app.ActorForAsync(Api.Claire)).PartnerId!;
        var subscriber = await SubscribeAsync(partner, receiver.Url);
        var claire = await app.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicrm", "crm-team-monthly");
        for (var i = 0; i < 6; i++)
        {
            await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        }

        var now = DateTimeOffset.UtcNow;
        await Dispatcher.FanOutAsync(now);
        List<string> all;
        await using (var db = await Db.ForSystemAsync("test"))
        {
            all = await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriber).Select(d => d.IdempotencyKey).ToListAsync();
        }

        Assert.True(all.Count >= 6);

        // "Node 1" claims the first three rows and keeps its transaction (and the row locks) open.
        var (holder, locked) = await HoldLocksAsync(subscriber, 3);
        Assert.Equal(3, locked.Count);

        // Node 2 runs meanwhile: it must not block on the locked rows (a plain FOR UPDATE would wait here) nor send them.
        var second = await Dispatcher.DeliverAsync(now).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(all.Count - 3, second.Attempted);
        Assert.Equal(all.Except(locked).Order(), receiver.Hits.Select(h => h.Id).Order());

        await holder.DisposeAsync(); // rolls back: the locks are released
        var third = await Dispatcher.DeliverAsync(now);
        Assert.Equal(3, third.Attempted);
        Assert.Equal(all.Order(), receiver.Hits.Select(h => h.Id).Order()); // each exactly once
    }

    /// <summary>Opens a transaction that locks the first <paramref name="count"/> deliveries of the subscriber (FOR UPDATE); disposing it rolls back.</summary>
    protected abstract Task<(IAsyncDisposable Holder, List<string> Locked)> HoldLocksAsync(string subscriber, int count);

    private async Task<string> SubscribeAsync(string partnerId, string url)
    {
        await using var db = await Db.ForSystemAsync("test");
        foreach (var other in await db.WebhookSubscriptions.Where(s => s.Enabled).ToListAsync())
        {
            other.Disable("test isolation", DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
        await Dispatcher.FanOutAsync(DateTimeOffset.UtcNow);
        var path = $"test/{Guid.NewGuid():N}";
        await app.Services.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>().WriteAsync(path, StandardWebhooks.NewSecret());
        var s = new WebhookSubscription(partnerId, url, TopicFilter.Parse(["subscription.*"]), "lock test receiver", path, DateTimeOffset.UtcNow);
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    }
}

public sealed class PostgresWebhookLockingTests(PostgresWebhookApp app) : WebhookLockingTests<PostgresWebhookApp>(app)
{
    protected override async Task<(IAsyncDisposable Holder, List<string> Locked)> HoldLocksAsync(string subscriber, int count)
    {
        var holder = await App.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test-lock-holder");
        await holder.Database.BeginTransactionAsync();
        var locked = await holder.WebhookDeliveries.FromSqlInterpolated(
                $"""SELECT * FROM webhook_deliveries WHERE "SubscriptionId" = {subscriber} ORDER BY "NextAttemptAt", "Id" LIMIT {count} FOR UPDATE""")
            .Select(d => d.IdempotencyKey).ToListAsync();
        return (holder, locked);
    }
}

/// <summary>
/// MariaDB: the lock holder is a plain connection (MariaDB contexts run transactions through the retrying execution
/// strategy). It locks the rows one primary-key lookup at a time: on a table this small InnoDB answers a filtered or
/// IN (...) locking read with a full scan and, under REPEATABLE READ, keeps every scanned row locked.
/// </summary>
public sealed class MariaDbWebhookLockingTests(MariaDbWebhookApp app) : WebhookLockingTests<MariaDbWebhookApp>(app)
{
    protected override async Task<(IAsyncDisposable Holder, List<string> Locked)> HoldLocksAsync(string subscriber, int count)
    {
        var connection = new MySqlConnector.MySqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        var tx = await connection.BeginTransactionAsync();
        var rows = new List<(string Id, string Key)>();
        await using (var pick = new MySqlConnector.MySqlCommand(
            "SELECT `Id`, `IdempotencyKey` FROM webhook_deliveries WHERE `SubscriptionId` = @s ORDER BY `NextAttemptAt`, `Id` LIMIT @n", connection, tx))
        {
            pick.Parameters.AddWithValue("@s", subscriber);
            pick.Parameters.AddWithValue("@n", count);
            await using var reader = await pick.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (id, _) in rows)
        {
            await using var lockRow = new MySqlConnector.MySqlCommand("SELECT `Id` FROM webhook_deliveries WHERE `Id` = @id FOR UPDATE", connection, tx);
            lockRow.Parameters.AddWithValue("@id", id);
            await lockRow.ExecuteScalarAsync();
        }

        return (new Held(connection, tx), rows.Select(r => r.Key).ToList());
    }

    private sealed class Held(MySqlConnector.MySqlConnection connection, MySqlConnector.MySqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.RollbackAsync();
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
