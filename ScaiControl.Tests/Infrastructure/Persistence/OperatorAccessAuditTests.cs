using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Tests.Integration;

namespace ScaiControl.Tests.Infrastructure.Persistence;

/// <summary>
/// Operator reads are audited once per (operator, tenant, 15-minute window), not once per read (issue 13): the trail
/// still names who read which tenant's rows and when, and reads no longer turn into one write each.
/// </summary>
public sealed class OperatorAccessAuditTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-access-").FullName;
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 12, 2, 10, 1, 0, TimeSpan.Zero));
    private ScaiDbFactory _factory = default!;
    private string _tenantA = default!;
    private string _tenantB = default!;

    private static Actor Operator => new("usr_ops", "prt_ops", null, [Roles.SuperAdmin], Roles.ScopesOf(Roles.SuperAdmin).ToArray());

    public async Task InitializeAsync()
    {
        _factory = new ScaiDbFactory(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(_dir, "scai.db")}" }, _clock);
        await _factory.MigrateAsync();
        var now = _clock.GetUtcNow();
        var partner = new Partner("P", false, now);
        var a = new Tenant(partner.Id, "A", now);
        var b = new Tenant(partner.Id, "B", now);
        var c = new Tenant(partner.Id, "C (never read)", now);
        await using var db = await _factory.ForSystemAsync("test-seed");
        db.AddRange(partner, a, b, c);
        foreach (var t in new[] { a, b, c })
        {
            db.TenantBillingProfiles.Add(new TenantBillingProfile(partner.Id, t.Id, t.Name, PostalAddress.Create("Street 1", null, "1000", "Amsterdam", "NL"), null, "x@example.test", now));
        }

        await db.SaveChangesAsync();
        (_tenantA, _tenantB) = (a.Id, b.Id);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<List<ScaiControl.Domain.Audit.AuditEntry>> AccessRowsAsync(string actor)
    {
        await using var db = await _factory.ForSystemAsync("test-check");
        return await db.AuditLog.AsNoTracking().Where(r => r.Action == "operator_access" && r.Actor == actor).ToListAsync();
    }

    [Fact]
    public async Task HundredOperatorReads_WriteOneRowPerTenantAndWindow_AndANewWindowWritesAgain()
    {
        for (var i = 0; i < 100; i++)
        {
            await using var db = await _factory.ForOperatorAsync(Operator, "list billing profiles");
            var tenant = i % 2 == 0 ? _tenantA : _tenantB;
            Assert.Single(await db.TenantBillingProfiles.AsNoTracking().Where(p => p.TenantId == tenant).ToListAsync());
        }

        var rows = await AccessRowsAsync("usr_ops");
        Assert.Single(rows, r => r.EntityType == "scope");
        var perTenant = rows.Where(r => r.EntityType == "tenant").ToList();
        Assert.Equal(new[] { _tenantA, _tenantB }.Order(StringComparer.Ordinal), perTenant.Select(r => r.TenantId!).Order(StringComparer.Ordinal));
        Assert.All(perTenant, r => Assert.Contains("\"window_start\":\"2026-12-02T10:00:00Z\"", r.AfterJson, StringComparison.Ordinal));
        Assert.All(perTenant, r => Assert.Contains("list billing profiles", r.AfterJson, StringComparison.Ordinal));

        // 15 minutes later: a new window, a new row for the tenant read then (and the scope), none for the other.
        _clock.Now = _clock.Now.AddMinutes(15);
        await using (var db = await _factory.ForOperatorAsync(Operator, "list billing profiles"))
        {
            await db.TenantBillingProfiles.AsNoTracking().Where(p => p.TenantId == _tenantA).ToListAsync();
        }

        rows = await AccessRowsAsync("usr_ops");
        Assert.Equal(2, rows.Count(r => r.EntityType == "scope"));
        Assert.Equal(2, rows.Count(r => r.TenantId == _tenantA));
        Assert.Equal(1, rows.Count(r => r.TenantId == _tenantB));
    }

    [Fact]
    public async Task ASystemJob_WritesOneScopeRowPerWindow_NotOnePerContext()
    {
        for (var i = 0; i < 50; i++)
        {
            await using var db = await _factory.ForSystemAsync("billing-run");
            Assert.Equal(3, await db.TenantBillingProfiles.AsNoTracking().CountAsync());
            await db.Tenants.AsNoTracking().ToListAsync();
        }

        var rows = await AccessRowsAsync("system:billing-run");
        Assert.Single(rows);
        Assert.Equal("scope", rows[0].EntityType);
    }
}
