using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Integration;

/// <summary>The app with small limits: 30 per tenant (40 on the "gold" tier), 5 per API key, 3 for usage ingestion, per 10 minutes.</summary>
public sealed class RateLimitedApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Jobs:Enabled", "false"),
        new("RateLimiting:PermitLimit", "30"),
        new("RateLimiting:KeyPermitLimit", "5"),
        new("RateLimiting:UsagePermitLimit", "3"),
        new("RateLimiting:Window", "00:10:00"),
        new("RateLimiting:Tiers:gold", "40"),
    ];
}

/// <summary>
/// Rate limits per tenant and per API key (issue 11): a key's own limit and its tenant's both apply, usage ingestion
/// has a budget of its own, and responses say how much is left (RateLimit-* headers).
/// </summary>
public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    private async Task<HttpClient> KeyForAsync(string email)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var tenant = (await app.ActorForAsync(email)).TenantId;
        var created = await ops.PostJson("/api/v1/admin/api-keys", new { name = "limits", scopes = new[] { "invoices:read" }, tenant_id = tenant }, HttpStatusCode.Created);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", created.Str("secret"));
        return client;
    }

    [Fact]
    public async Task AnApiKey_HasItsOwnLimit_AndItsTenantsTokenStillWorks()
    {
        var key = await KeyForAsync(Api.Anna);
        for (var i = 0; i < 5; i++)
        {
            var ok = await key.GetAsync("/api/v1/invoices");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("5", ok.Headers.GetValues("RateLimit-Limit").Single());
            Assert.Equal((4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), ok.Headers.GetValues("RateLimit-Remaining").Single());
        }

        var refused = await key.GetAsync("/api/v1/invoices");
        await refused.Problem(HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("5;w=600", refused.Headers.GetValues("RateLimit-Policy").Single());

        var anna = await app.ClientForAsync(Api.Anna);
        var viaToken = await anna.GetAsync("/api/v1/invoices");
        Assert.Equal(HttpStatusCode.OK, viaToken.StatusCode);
        Assert.Equal("30", viaToken.Headers.GetValues("RateLimit-Limit").Single());
    }

    [Fact]
    public async Task ATenantsLimit_CoversItsKeysToo()
    {
        var key = await KeyForAsync(Api.Jonas);
        var jonas = await app.ClientForAsync(Api.Jonas);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await jonas.GetAsync("/api/v1/invoices")).StatusCode);
        }

        await (await jonas.GetAsync("/api/v1/invoices")).Problem(HttpStatusCode.TooManyRequests);
        await (await key.GetAsync("/api/v1/invoices")).Problem(HttpStatusCode.TooManyRequests); // unused key, tenant exhausted
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync(Api.Claire)).GetAsync("/api/v1/invoices")).StatusCode); // another tenant
    }

    [Fact]
    public async Task ATokensTierClaim_ChoosesItsTenantsLimit()
    {
        var user = await app.Services.GetRequiredService<TenancyService>().FindUserAsync(Api.Eva) ?? throw new InvalidOperationException("no Eva");
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([.. ScaiClaims.For(user), new Claim("tier", "gold")]),
            Issuer = "scaicontrol-dev",
            Audience = "scaicontrol",
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(app.Services.GetRequiredService<DevSigningKey>().Key, SecurityAlgorithms.RsaSha256),
        });
        var gold = app.CreateClient();
        gold.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var first = await gold.GetAsync("/api/v1/invoices");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("40", first.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("40;w=600", first.Headers.GetValues("RateLimit-Policy").Single());
        for (var i = 1; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gold.GetAsync("/api/v1/invoices")).StatusCode); // beyond the default tier's 30
        }

        await (await gold.GetAsync("/api/v1/invoices")).Problem(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task UsageIngestion_CountsAgainstItsOwnBudget()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        for (var i = 0; i < 3; i++)
        {
            var r = await sam.PostAsJsonAsync("/api/v1/usage/events", new { events = Array.Empty<object>() });
            Assert.NotEqual(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("3", r.Headers.GetValues("RateLimit-Limit").Single());
        }

        await (await sam.PostAsJsonAsync("/api/v1/usage/events", new { events = Array.Empty<object>() })).Problem(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await sam.GetAsync("/api/v1/invoices")).StatusCode); // the API budget is untouched
    }
}
