using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// A stand-in for ScaiKey's directory (docs/identity.md, "Identity sync"): GET /api/v1/directory/users and /groups,
/// paged with page_size and cursor, bearer token required. Records every request so tests can check nothing is written back.
/// </summary>
public sealed class FakeScaiKeyDirectory : IAsyncLifetime
{
    private WebApplication? _server;

    public const string Token = "directory-token-123";

    public ConcurrentDictionary<string, DirectoryUser> Users { get; } = new();
    public ConcurrentDictionary<string, DirectoryGroup> Groups { get; } = new();
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>When true every request answers 503.</summary>
    public bool Down { get; set; }

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        (_server, BaseUrl) = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (ctx, next) =>
            {
                Requests.Enqueue($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}");
                if (Down)
                {
                    ctx.Response.StatusCode = 503;
                    return;
                }

                if (ctx.Request.Headers.Authorization != $"Bearer {Token}")
                {
                    ctx.Response.StatusCode = 401;
                    return;
                }

                await next(ctx);
            });
            app.MapGet("/api/v1/directory/users", (int? page_size, string? cursor) => Page(Users.Values.OrderBy(u => u.Id, StringComparer.Ordinal).ToList(), page_size, cursor));
            app.MapGet("/api/v1/directory/groups", (int? page_size, string? cursor) => Page(Groups.Values.OrderBy(g => g.Id, StringComparer.Ordinal).ToList(), page_size, cursor));
        });
    }

    private static IResult Page<T>(List<T> all, int? pageSize, string? cursor)
    {
        var size = Math.Clamp(pageSize ?? 100, 1, 500);
        var start = cursor is null ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        var data = all.Skip(start).Take(size).ToList();
        var next = start + size < all.Count ? (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Results.Json(new { data, next_cursor = next });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The app with the identity sync pointed at <see cref="FakeScaiKeyDirectory"/> (pages of 2 to exercise paging; the scheduled job off).</summary>
public class IdentitySqliteApp : SqliteApp
{
    public FakeScaiKeyDirectory Directory { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Identity:Sync:BaseUrl", Directory.BaseUrl),
        new("Identity:Sync:Token", FakeScaiKeyDirectory.Token),
        new("Identity:Sync:PageSize", "2"),
        new("Identity:Sync:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        await Directory.InitializeAsync();
        await base.InitializeAsync();
    }
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class IdentityPostgresApp : PostgresApp
{
    public FakeScaiKeyDirectory Directory { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Identity:Sync:BaseUrl", Directory.BaseUrl),
        new("Identity:Sync:Token", FakeScaiKeyDirectory.Token),
        new("Identity:Sync:PageSize", "2"),
        new("Identity:Sync:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        await Directory.InitializeAsync();
        await base.InitializeAsync();
    }
}

/// <summary>The same on MariaDB.</summary>
public sealed class IdentityMariaDbApp : MariaDbApp
{
    public FakeScaiKeyDirectory Directory { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Identity:Sync:BaseUrl", Directory.BaseUrl),
        new("Identity:Sync:Token", FakeScaiKeyDirectory.Token),
        new("Identity:Sync:PageSize", "2"),
        new("Identity:Sync:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        await Directory.InitializeAsync();
        await base.InitializeAsync();
    }
}

/// <summary>
/// Identity sync against the fake directory, and the effective permissions it feeds into every request (spec 002
/// migrations 003-005 and 013): create, update, deactivate (never delete), group role changes taking effect, local
/// role assignments kept, idempotence, nothing written to ScaiKey, and the super-admin downgrade after a token refresh.
/// </summary>
public abstract class IdentitySyncTests<TApp>(TApp app, FakeScaiKeyDirectory directory) where TApp : ScaiAppFactory
{
    private IdentitySyncService Sync => app.Services.GetRequiredService<IdentitySyncService>();

    private async Task<(string OperatorPartner, string Reseller, string Tenant)> TenancyAsync()
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var op = await db.Partners.Where(p => p.IsOperator).Select(p => p.Id).FirstAsync();
        var reseller = await db.Partners.Where(p => !p.IsOperator).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        var tenant = await db.Tenants.Where(t => t.PartnerId == reseller).OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
        return (op, reseller, tenant);
    }

    private async Task<User?> UserAsync(string externalId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.ExternalId == externalId);
    }

    private async Task<IdentitySyncRun> SyncAsync() => await Sync.RunAsync(Actor.System("test"));

    /// <summary>A token as ScaiKey issues it after a refresh: the given subject, tenancy and (possibly partial) roles.</summary>
    private HttpClient ClientWithToken(string sub, string partnerId, string? tenantId, params string[] roles)
    {
        var claims = new List<Claim> { new("sub", sub), new("partner_id", partnerId) };
        if (tenantId is not null)
        {
            claims.Add(new Claim("tenant_id", tenantId));
        }

        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "scaicontrol-dev",
            Audience = "scaicontrol",
            Expires = DateTime.UtcNow.AddMinutes(10),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(app.Services.GetRequiredService<DevSigningKey>().Key, SecurityAlgorithms.RsaSha256),
        });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Sync_CreatesUpdatesAndDeactivates_NeverDeletes_IsIdempotent_AndOnlyReadsScaiKey()
    {
        var (_, reseller, tenant) = await TenancyAsync();
        await SyncAsync(); // settle whatever earlier tests left in the directory
        var g = Id("skg");
        var (a, b, c) = (Id("sku"), Id("sku"), Id("sku"));
        directory.Groups[g] = new DirectoryGroup(g, "Finance", reseller, tenant, "active");
        directory.Users[a] = new DirectoryUser(a, $"{a}@example.com", "Ann Able", reseller, tenant, ["tenant_admin"], [g], "active");
        directory.Users[b] = new DirectoryUser(b, $"{b}@example.com", "Bob Baker", reseller, null, ["partner_admin"], [], "active");
        directory.Users[c] = new DirectoryUser(c, $"{c}@example.com", "Cy Cole", reseller, tenant, [], [], "active");

        var first = await SyncAsync();
        Assert.Equal(IdentitySyncStatus.Succeeded, first.Status);
        Assert.Equal((3, 0, 0, 1), (first.Created, first.Updated, first.Deactivated, first.Groups));
        var ann = await UserAsync(a);
        Assert.NotNull(ann);
        Assert.Equal(("Ann Able", tenant, UserSource.ScaiKey, UserStatus.Active), (ann.DisplayName, ann.TenantId, ann.Source, ann.Status));
        Assert.Equal(["tenant_admin"], ann.RoleList);

        var again = await SyncAsync();
        Assert.Equal((0, 0, 0, 0), (again.Created, again.Updated, again.Deactivated, again.Groups));

        directory.Users[a] = directory.Users[a] with { Name = "Ann Archer", Roles = ["tenant_admin", "billing_viewer"] };
        directory.Users.TryRemove(b, out _);
        directory.Users[c] = directory.Users[c] with { Status = "deactivated" };
        var changed = await SyncAsync();
        Assert.Equal((0, 1, 2), (changed.Created, changed.Updated, changed.Deactivated));
        Assert.Equal("Ann Archer", (await UserAsync(a))!.DisplayName);
        var bob = await UserAsync(b);
        Assert.NotNull(bob); // deactivated, not deleted: the audit trail stays
        Assert.Equal(UserStatus.Deactivated, bob.Status);
        Assert.Equal(UserStatus.Deactivated, (await UserAsync(c))!.Status);

        // A deactivated user's still-valid token grants nothing.
        var response = await ClientWithToken(bob.Id, reseller, null, "partner_admin").GetAsync("/api/v1/invoices");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        Assert.All(directory.Requests, r => Assert.StartsWith("GET /api/v1/directory/", r));
        Assert.Contains(directory.Requests, r => r.Contains("cursor=", StringComparison.Ordinal)); // paged at 2 per page

        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var audited = await db.AuditLog.AsNoTracking().Where(e => e.EntityType == nameof(IdentitySyncRun) && e.EntityId == changed.Id).ToListAsync();
        Assert.Contains(audited, e => e.Action == "modified" && e.AfterJson!.Contains("\"Deactivated\":2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GroupRoleChanges_TakeEffectOnTheNextRequest_AndLocalAssignmentsSurviveTheSync()
    {
        var (op, reseller, _) = await TenancyAsync();
        var g = Id("skg");
        var u = Id("sku");
        directory.Groups[g] = new DirectoryGroup(g, "Accounts payable", reseller, null, "active");
        directory.Users[u] = new DirectoryUser(u, $"{u}@example.com", "Gail Group", reseller, null, [], [g], "active");
        await SyncAsync();
        var user = (await UserAsync(u))!;
        var client = ClientWithToken(u, reseller, null); // ScaiKey's token: the subject, no roles
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/invoices")).StatusCode);

        var admin = app.Services.GetRequiredService<IdentityAdminService>();
        var operatorActor = await app.ActorForAsync(DemoSeeder.OperatorEmail);
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var group = await db.Groups.SingleAsync(x => x.ExternalId == g);
            await admin.AssignToGroupAsync(operatorActor, group.Id, Roles.BillingViewer);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/invoices")).StatusCode);
        var explained = await admin.ExplainAsync(operatorActor, user.Id);
        var grant = Assert.Single(explained.Permissions.Explain().Single(s => s.Scope == Permissions.InvoicesRead).GrantedBy);
        Assert.Equal((Roles.BillingViewer, GrantSource.Group, "Accounts payable"), (grant.Role, grant.Source, grant.GroupName));

        // A local assignment to the user survives syncs that change ScaiKey's side.
        var local = await admin.AssignToUserAsync(operatorActor, user.Id, Roles.PartnerAdmin);
        directory.Users[u] = directory.Users[u] with { Groups = [] };
        var run = await SyncAsync();
        Assert.Equal(IdentitySyncStatus.Succeeded, run.Status);
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            Assert.True(await db.RoleAssignments.AnyAsync(a => a.Id == local.Id));
            Assert.True(await db.AuditLog.AnyAsync(e => e.EntityType == nameof(RoleAssignment) && e.EntityId == local.Id && e.Action == "added" && e.Actor == operatorActor.UserId));
        }

        // Out of the group: billing_viewer is gone, the local partner_admin (which reads invoices too) stays.
        var after = await admin.ExplainAsync(operatorActor, user.Id);
        Assert.DoesNotContain(after.Permissions.Grants, x => x.Source == GrantSource.Group);
        Assert.Contains(after.Permissions.Grants, x => x.Role == Roles.PartnerAdmin && x.Source == GrantSource.UserAssignment);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/invoices")).StatusCode);
        await admin.RemoveAsync(operatorActor, local.Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/invoices")).StatusCode);
    }

    [Fact]
    public async Task SuperAdminDowngrade_ARefreshedTokenWithPartialRolesNeverLowersTheUsersRights()
    {
        // The incident (spec 002 migration 013): after a JWT refresh the token carried fewer roles than the user holds.
        var (op, reseller, tenant) = await TenancyAsync();
        var u = Id("sku");
        directory.Users[u] = new DirectoryUser(u, $"{u}@example.com", "Sam Super", op, null, ["super_admin"], [], "active");
        await SyncAsync();

        // Billing runs need billing:run (super_admin); an unknown run is 404 for someone allowed, 403 for anyone else.
        var partial = ClientWithToken(u, op, null); // refreshed token without the roles claim
        Assert.Equal(HttpStatusCode.NotFound, (await partial.GetAsync("/api/v1/admin/billing-runs/brn_NONE")).StatusCode);

        // Nor does a stale local row lower a token that says more: ScaiKey demoted nobody here.
        var t = Id("sku");
        directory.Users[t] = new DirectoryUser(t, $"{t}@example.com", "Tia Tenant", reseller, tenant, ["tenant_admin"], [], "active");
        await SyncAsync();
        var fuller = ClientWithToken(t, reseller, tenant, "tenant_admin", "billing_viewer");
        Assert.Equal(HttpStatusCode.OK, (await fuller.GetAsync("/api/v1/invoices")).StatusCode);

        // A token of someone without any right stays without: the local grants belong to the local user only.
        var nobody = ClientWithToken(Id("sku"), op, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await nobody.GetAsync("/api/v1/admin/billing-runs/brn_NONE")).StatusCode);
    }

    [Fact]
    public async Task TwoSyncsAtOnce_AsOnTwoNodes_LeaveEachUserOnce()
    {
        var (_, reseller, tenant) = await TenancyAsync();
        var ids = Enumerable.Range(0, 5).Select(_ => Id("sku")).ToList();
        foreach (var id in ids)
        {
            directory.Users[id] = new DirectoryUser(id, $"{id}@example.com", "Twin", reseller, tenant, [], [], "active");
        }

        var runs = await Task.WhenAll(SyncAsync(), SyncAsync());
        Assert.Contains(runs, r => r.Status == IdentitySyncStatus.Succeeded);
        var again = await SyncAsync(); // whatever the race left undone, a later run completes
        Assert.Equal(IdentitySyncStatus.Succeeded, again.Status);
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        foreach (var id in ids)
        {
            Assert.Equal(1, await db.Users.CountAsync(u => u.ExternalId == id));
        }
    }

    [Fact]
    public async Task ScaiKeyDown_TheRunFails_AndNobodyIsDeactivated()
    {
        var (_, reseller, tenant) = await TenancyAsync();
        var u = Id("sku");
        directory.Users[u] = new DirectoryUser(u, $"{u}@example.com", "Dee Down", reseller, tenant, [], [], "active");
        await SyncAsync();
        directory.Down = true;
        try
        {
            var run = await SyncAsync();
            Assert.Equal(IdentitySyncStatus.Failed, run.Status);
            Assert.Contains("503", run.Errors, StringComparison.Ordinal);
            Assert.Equal(UserStatus.Active, (await UserAsync(u))!.Status);
        }
        finally
        {
            directory.Down = false;
        }

        // A record of a partner ScaiControl does not know is refused with a reason; the others apply.
        var bad = Id("sku");
        directory.Users[bad] = new DirectoryUser(bad, $"{bad}@example.com", "Una Known", "ptr_UNKNOWN", null, [], [], "active");
        var mixed = await SyncAsync();
        directory.Users.TryRemove(bad, out _);
        Assert.Equal(IdentitySyncStatus.CompletedWithErrors, mixed.Status);
        Assert.Contains($"user {bad}: unknown partner_id", mixed.Errors, StringComparison.Ordinal);
        Assert.Null(await UserAsync(bad));
    }
}

public sealed class SqliteIdentitySyncTests(IdentitySqliteApp app) : IdentitySyncTests<IdentitySqliteApp>(app, app.Directory), IClassFixture<IdentitySqliteApp>;

public sealed class PostgresIdentitySyncTests(IdentityPostgresApp app) : IdentitySyncTests<IdentityPostgresApp>(app, app.Directory), IClassFixture<IdentityPostgresApp>;

public sealed class MariaDbIdentitySyncTests(IdentityMariaDbApp app) : IdentitySyncTests<IdentityMariaDbApp>(app, app.Directory), IClassFixture<IdentityMariaDbApp>;
