using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

public sealed class SqliteApiKeyTests(SqliteApp app) : ApiKeyTests<SqliteApp>(app);

public sealed class PostgresApiKeyTests(PostgresApp app) : ApiKeyTests<PostgresApp>(app);

public sealed class MariaDbApiKeyTests(MariaDbApp app) : ApiKeyTests<MariaDbApp>(app);

/// <summary>
/// Service API keys (issue 11): created by operators and partner admins, shown once, hashed at rest, resolving to the
/// same actor a token would (so the tenant filter holds), rotated with an overlap, revoked at once.
/// </summary>
public abstract class ApiKeyTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private const string Keys = "/api/v1/admin/api-keys";

    private HttpClient KeyClient(string secret, bool authorizationForm = false)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (authorizationForm)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", secret);
        }
        else
        {
            client.DefaultRequestHeaders.Add("X-API-Key", secret);
        }

        return client;
    }

    private async Task<(string Id, string Secret)> CreateTenantKeyAsync(string email, string[] scopes)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var tenant = (await app.ActorForAsync(email)).TenantId;
        var created = await ops.PostJson(Keys, new { name = "billing export", scopes, tenant_id = tenant }, HttpStatusCode.Created);
        return (created["key"]!.Str("id"), created.Str("secret"));
    }

    [Fact]
    public async Task AKey_IsShownOnce_KeptAsItsHashOnly_AndListedWithoutIt()
    {
        var (id, secret) = await CreateTenantKeyAsync(Api.Anna, ["invoices:read"]);
        Assert.Matches("^sck_live_[0-9a-f]{48}$", secret);

        var ops = await app.ClientForAsync(Api.Ops);
        var listed = await (await ops.GetAsync(Keys + "?limit=200")).Content.ReadAsStringAsync();
        Assert.Contains(id, listed);
        Assert.Contains(secret[..15], listed); // the display prefix
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(ApiKeyService.Hash(secret), listed);

        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        var row = await db.ApiKeys.IgnoreQueryFilters().SingleAsync(k => k.Id == id);
        Assert.Equal(ApiKeyService.Hash(secret), row.Hash);
        Assert.DoesNotContain(secret, string.Join('|', row.Name, row.Prefix, row.Hash, row.Scopes));
        var audit = await db.AuditLog.IgnoreQueryFilters().Where(a => a.EntityId == id).Select(a => a.AfterJson ?? "").ToListAsync();
        Assert.NotEmpty(audit); // creation is audited ...
        Assert.All(audit, json => Assert.DoesNotContain(secret, json)); // ... without the secret
    }

    [Fact]
    public async Task ATenantsKey_SeesExactlyWhatTheTenantSees_InBothHeaderForms()
    {
        var (_, secret) = await CreateTenantKeyAsync(Api.Anna, ["invoices:read", "subscriptions:read"]);
        var anna = await app.ClientForAsync(Api.Anna);
        var tenant = (await app.ActorForAsync(Api.Anna)).TenantId;

        var viaToken = (await anna.GetJson("/api/v1/subscriptions?limit=200")).Items().Select(s => s.Str("id")).Order().ToArray();
        foreach (var form in new[] { false, true })
        {
            var viaKey = (await KeyClient(secret, form).GetJson("/api/v1/subscriptions?limit=200")).Items();
            Assert.Equal(viaToken, viaKey.Select(s => s.Str("id")).Order().ToArray());
            Assert.All(viaKey, s => Assert.Equal(tenant, s.Str("tenant_id")));
        }

        var jonasTenant = (await app.ActorForAsync(Api.Jonas)).TenantId;
        var foreign = await KeyClient(secret).GetAsync($"/api/v1/tenants/{jonasTenant}/billing-profile");
        Assert.True(foreign.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"another tenant's profile: {(int)foreign.StatusCode}");
    }

    [Fact]
    public async Task AKey_GrantsOnlyItsScopes_AndNeverTheSuperAdminBypass()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var partner = (await app.ActorForAsync(Api.Ops)).PartnerId;
        var created = await ops.PostJson(Keys, new { name = "catalog reader", scopes = new[] { "catalog:read" }, partner_id = partner }, HttpStatusCode.Created);
        var key = KeyClient(created.Str("secret"));

        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/catalog/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await key.GetAsync("/api/v1/invoices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await key.PostAsJsonAsync(Keys, new { name = "escalate", scopes = new[] { "users:write" }, partner_id = partner })).StatusCode);
    }

    [Fact]
    public async Task Revoking_TakesEffectAtOnce()
    {
        var (id, secret) = await CreateTenantKeyAsync(Api.Jonas, ["invoices:read"]);
        var key = KeyClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/invoices")).StatusCode);

        var ops = await app.ClientForAsync(Api.Ops);
        var revoked = await ops.PostJson($"{Keys}/{id}/revoke", null, HttpStatusCode.OK);
        Assert.Equal("revoked", revoked.Str("status"));

        var after = await key.GetAsync("/api/v1/invoices");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        await ops.PostJson($"{Keys}/{id}/rotate", null, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Rotating_GivesANewKey_TheOldWorksDuringTheOverlap_AndNotWithoutOne()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var (id, secret) = await CreateTenantKeyAsync(Api.Claire, ["invoices:read"]);
        var rotated = await ops.PostJson($"{Keys}/{id}/rotate", new { overlap_minutes = 60 }, HttpStatusCode.OK);
        var successor = rotated.Str("secret");
        Assert.NotEqual(secret, successor);
        Assert.Equal(id, rotated["key"]!.Str("rotated_from"));
        Assert.Equal(HttpStatusCode.OK, (await KeyClient(secret).GetAsync("/api/v1/invoices")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await KeyClient(successor).GetAsync("/api/v1/invoices")).StatusCode);
        await ops.PostJson($"{Keys}/{id}/rotate", null, HttpStatusCode.Conflict); // rotated once only

        var again = await ops.PostJson($"{Keys}/{rotated["key"]!.Str("id")}/rotate", new { overlap_minutes = 0 }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, (await KeyClient(successor).GetAsync("/api/v1/invoices")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await KeyClient(again.Str("secret")).GetAsync("/api/v1/invoices")).StatusCode);
        await (await ops.PostAsJsonAsync($"{Keys}/{again["key"]!.Str("id")}/rotate", new { overlap_minutes = 20_000 })).Problem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task AUse_IsRecordedWithItsAddress_AndTheFirstUseFromEachAddressIsAudited()
    {
        var (id, secret) = await CreateTenantKeyAsync(Api.Sam, ["invoices:read"]);
        var keys = app.Services.GetRequiredService<ApiKeyService>();
        foreach (var ip in new[] { "203.0.113.7", "203.0.113.7", "2001:db8::5", "203.0.113.7" })
        {
            Assert.NotNull(await keys.AuthenticateAsync(secret, ip));
        }

        var ops = await app.ClientForAsync(Api.Ops);
        var listed = (await ops.GetJson(Keys + "?limit=200")).Items().Single(k => k.Str("id") == id);
        Assert.NotNull(listed["last_used_at"]);
        Assert.Equal("203.0.113.7", listed.Str("last_used_ip"));
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        // Two addresses, each audited on its first use only (.7 again after ::5 is not new).
        Assert.Equal(2, await db.AuditLog.IgnoreQueryFilters().CountAsync(a => a.EntityId == id && a.Action == "api_key_first_use_from_address"));
    }

    [Fact]
    public async Task APartnerAdmin_KeysOnlyItsOwnTenants_AndGrantsOnlyWhatItHolds()
    {
        var lars = await app.ClientForAsync(Api.Lars);
        var eva = (await app.ActorForAsync(Api.Eva)).TenantId;
        var anna = (await app.ActorForAsync(Api.Anna)).TenantId; // another partner's tenant
        await lars.PostJson(Keys, new { name = "fjord", scopes = new[] { "invoices:read" }, tenant_id = eva }, HttpStatusCode.Created);

        var foreign = await (await lars.PostAsJsonAsync(Keys, new { name = "acme", scopes = new[] { "invoices:read" }, tenant_id = anna })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("tenant_id", foreign["errors"]!.ToJsonString());
        var escalate = await (await lars.PostAsJsonAsync(Keys, new { name = "x", scopes = new[] { "billing:run" }, partner_id = (await app.ActorForAsync(Api.Lars)).PartnerId })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("scopes", escalate["errors"]!.ToJsonString());

        var tenantAdmin = await app.ClientForAsync(Api.Eva);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PostAsJsonAsync(Keys, new { name = "x", scopes = new[] { "invoices:read" }, tenant_id = eva })).StatusCode);
        var larsPartner = (await app.ActorForAsync(Api.Lars)).PartnerId;
        var larsList = (await lars.GetJson(Keys + "?limit=200")).Items();
        Assert.NotEmpty(larsList);
        Assert.All(larsList, k => Assert.Equal(larsPartner, k.Str("partner_id")));
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["invoices:read"]}""", "partner_id")]
    [InlineData("""{"name":"","scopes":["invoices:read"],"tenant_id":"TENANT"}""", "name")]
    [InlineData("""{"name":"x","scopes":[],"tenant_id":"TENANT"}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["root:all"],"tenant_id":"TENANT"}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["billing:run"],"tenant_id":"TENANT"}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["invoices:read"],"tenant_id":"TENANT","expires_at":"2001-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":"x","scopes":["invoices:read"],"tenant_id":"TENANT","environment":"prod"}""", "environment")]
    [InlineData("""{"name":"x\u202Eevil","scopes":["invoices:read"],"tenant_id":"TENANT"}""", "name")]
    public async Task BadInput_Is422NamingTheField_AndCreatesNoKey(string body, string field)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var tenant = (await app.ActorForAsync(Api.Anna)).TenantId!;
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        var before = await db.ApiKeys.IgnoreQueryFilters().CountAsync();

        var response = await ops.PostAsync(Keys, new StringContent(body.Replace("TENANT", tenant, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, await db.ApiKeys.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [InlineData("sck_live_short")]
    [InlineData("sck_live_000000000000000000000000000000000000000000000000")]
    [InlineData("Bearer-looking nonsense")]
    [InlineData("")]
    public async Task AMalformedOrUnknownKey_Is401(string presented)
    {
        var response = await KeyClient(presented).GetAsync("/api/v1/catalog/services");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
