using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Infrastructure.Persistence;

/// <summary>
/// The tenant query filter compiles to one plain comparison per scope kind (issue 13): "TenantId" = @p for a tenant,
/// "PartnerId" = @p for a partner, nothing for the operator, and a predicate matching nothing for an empty scope; on
/// SQLite the tenant's subscription list is answered from the (TenantId, Status) index, not a scan of every tenant's rows.
/// </summary>
public sealed class TenantFilterShapeTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-filter-").FullName;
    private ScaiDbFactory _factory = default!;

    public async Task InitializeAsync()
    {
        _factory = new ScaiDbFactory(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(_dir, "scai.db")}" }, TimeProvider.System);
        await _factory.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private static Actor TenantUser(string partner, string tenant) => new("usr_t", partner, tenant, [Roles.TenantAdmin], Roles.ScopesOf(Roles.TenantAdmin).ToArray());

    private static Actor PartnerAdmin(string partner) => new("usr_p", partner, null, [Roles.PartnerAdmin], Roles.ScopesOf(Roles.PartnerAdmin).ToArray());

    private static Actor Operator() => new("usr_o", "prt_ops", null, [Roles.SuperAdmin], Roles.ScopesOf(Roles.SuperAdmin).ToArray());

    /// <summary>The subscription list's query shape (newest first, one page).</summary>
    private static IQueryable<ScaiControl.Domain.Subscriptions.Subscription> List(ScaiDbContext db) =>
        db.Subscriptions.AsNoTracking().OrderByDescending(s => s.Id).Take(51);

    private static string Sql(IQueryable query) => string.Join('\n', query.ToQueryString().Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));

    [Fact]
    public async Task ATenantScope_FiltersByTenantIdAlone_AndSqliteSearchesTheTenantIndex()
    {
        await using var db = _factory.ForActor(TenantUser("prt_a", "tnt_a"));
        var sql = Sql(List(db));
        Assert.Contains("\"s\".\"TenantId\" = @", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("CASE", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("PartnerId\" =", sql, StringComparison.Ordinal);

        var plan = await ExplainAsync(db, List(db));
        Assert.Contains(plan, step => step.Contains("USING INDEX IX_subscriptions_TenantId_Status (TenantId=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APartnerScope_FiltersByPartnerIdAlone_TheOperatorByNothing_AndAnEmptyScopeSeesNoRow()
    {
        await using (var partner = _factory.ForActor(PartnerAdmin("prt_a")))
        {
            var sql = Sql(List(partner));
            Assert.Contains("\"s\".\"PartnerId\" = @", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("TenantId\" =", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("CASE", sql, StringComparison.Ordinal);
        }

        await using (var op = await _factory.ForOperatorAsync(Operator(), "test"))
        {
            var sql = Sql(op.Subscriptions.AsNoTracking().OrderByDescending(s => s.Id).Take(51));
            Assert.DoesNotContain("WHERE", sql, StringComparison.Ordinal);
        }

        await using var nothing = _factory.ForPlatform();
        Assert.DoesNotContain("TenantId\" =", Sql(nothing.Subscriptions.AsNoTracking()), StringComparison.Ordinal);
        Assert.Empty(await nothing.Subscriptions.AsNoTracking().ToListAsync());
    }

    [Fact]
    public async Task EachScopeKind_StillSeesExactlyItsRows()
    {
        var now = DateTimeOffset.UtcNow;
        string a1, a2, b1;
        await using (var db = await _factory.ForSystemAsync("test-seed"))
        {
            var pa = new Partner("A", false, now);
            var pb = new Partner("B", false, now);
            var ta1 = new Tenant(pa.Id, "A1", now);
            var ta2 = new Tenant(pa.Id, "A2", now);
            var tb1 = new Tenant(pb.Id, "B1", now);
            db.AddRange(pa, pb, ta1, ta2, tb1);
            db.Users.Add(new User("a1@example.test", "A1", pa.Id, ta1.Id, [Roles.TenantAdmin], now));
            db.Users.Add(new User("b1@example.test", "B1", pb.Id, tb1.Id, [Roles.TenantAdmin], now));
            await db.SaveChangesAsync();
            (a1, a2, b1) = (ta1.Id, ta2.Id, tb1.Id);
        }

        await using (var db = await _factory.ForSystemAsync("test-read"))
        {
            var tenants = await db.Tenants.ToListAsync();
            var pa = tenants.Single(t => t.Id == a1).PartnerId;
            var pb = tenants.Single(t => t.Id == b1).PartnerId;
            await using var tenant = _factory.ForActor(TenantUser(pa, a1));
            Assert.Equal([a1], await tenant.Tenants.Select(t => t.Id).ToListAsync());
            Assert.Equal(["a1@example.test"], await tenant.Users.Select(u => u.Email).ToListAsync());
            await using var partner = _factory.ForActor(PartnerAdmin(pa));
            Assert.Equal(new[] { a1, a2 }.Order(StringComparer.Ordinal), (await partner.Tenants.Select(t => t.Id).ToListAsync()).Order(StringComparer.Ordinal)); // ids of one millisecond sort in any order
            await using var other = _factory.ForActor(PartnerAdmin(pb));
            Assert.Equal([b1], await other.Tenants.Select(t => t.Id).ToListAsync());
            Assert.Equal(3, await db.Tenants.CountAsync());
        }

        await using var platform = _factory.ForPlatform();
        Assert.Empty(await platform.Tenants.ToListAsync());
        Assert.Empty(await platform.Users.ToListAsync());
    }

    /// <summary>SQLite's EXPLAIN QUERY PLAN of <paramref name="query"/> (the parameters ToQueryString names, bound).</summary>
    private static async Task<List<string>> ExplainAsync(ScaiDbContext db, IQueryable query)
    {
        var text = query.ToQueryString();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        foreach (var line in text.Split('\n').Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Split(' ', 2);
            command.Parameters.AddWithValue(parts[0], parts[1].Trim().Trim('\''));
        }

        command.CommandText = "EXPLAIN QUERY PLAN " + Sql(query);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}
