using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>
/// Client-credentials tokens for service-to-service calls (no user: sub = client_id, rights in "scope"): they authorize
/// by scope alone, their partner_id/tenant_id pin what they see, and the scaicontrol:admin scope (the spec's
/// "plan-change service tokens") changes plans of the token's partner's subscriptions and nothing else.
/// </summary>
public sealed class ServiceTokenTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>A tenant admin of the demo's second partner (Nordic Cloud).</summary>
    private const string Eva = "eva@fjord-no.example";

    [Fact]
    public async Task APlanChangeServiceToken_ChangesPlansInItsPartner_OnlyThere_AndCanDoNothingElse()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var jonasClient = await app.ClientForAsync(Api.Jonas);
        var jonas = await app.ActorForAsync(Api.Jonas);
        var eva = await app.ActorForAsync(Eva);
        Assert.NotEqual(jonas.PartnerId, eva.PartnerId);
        var business = (await ops.PostJson("/api/v1/admin/plans", new { service_slug = "scaicrm", code = "crm-business-monthly", name = "Business", price = 5900, currency = "EUR", interval = "month" }, HttpStatusCode.OK)).Str("id");
        var team = await jonasClient.PlanId("scaicrm", "crm-team-monthly");
        var mine = (await jonasClient.PostJson("/api/v1/subscriptions", new { plan_id = team }, HttpStatusCode.Created)).Str("id");
        var theirs = (await (await app.ClientForAsync(Eva)).GetJson("/api/v1/subscriptions")).Items()[0].Str("id"); // another partner's tenant

        var crm = Client(Token("crm-plan-sync", jonas.PartnerId, null, [], Permissions.ScaiControlAdmin));
        var preview = await crm.PostJson($"/api/v1/subscriptions/{mine}/change-plan", new { plan_id = business, preview = true }, HttpStatusCode.OK);
        Assert.Equal("EUR", preview.Str("currency"));
        Assert.Equal("crm-team-monthly", (await jonasClient.GetJson($"/api/v1/subscriptions/{mine}")).Str("plan_code"));
        await crm.PostJson($"/api/v1/subscriptions/{mine}/change-plan", new { plan_id = business }, HttpStatusCode.OK);
        Assert.Equal("crm-business-monthly", (await jonasClient.GetJson($"/api/v1/subscriptions/{mine}")).Str("plan_code"));

        // Another partner's subscription does not exist for it; the scope opens no other endpoint.
        await crm.PostJson($"/api/v1/subscriptions/{theirs}/change-plan", new { plan_id = business, preview = true }, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await crm.GetAsync("/api/v1/subscriptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await crm.PostAsync($"/api/v1/subscriptions/{mine}/cancel", null)).StatusCode);

        // Without a partner or tenant the same scope finds nothing tenant-owned; without the scope it is a 403.
        await Client(Token("crm-unpinned", null, null, [], Permissions.ScaiControlAdmin))
            .PostJson($"/api/v1/subscriptions/{mine}/change-plan", new { plan_id = team, preview = true }, HttpStatusCode.NotFound);
        await Client(Token("crm-reader", jonas.PartnerId, null, [], Permissions.SubscriptionsRead))
            .PostJson($"/api/v1/subscriptions/{mine}/change-plan", new { plan_id = team, preview = true }, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AServiceToken_AuthorizesByItsScopesNotItsRoles_AndActsAsItsTenant()
    {
        var jonas = await app.ActorForAsync(Api.Jonas);
        var anna = await app.ActorForAsync(Api.Anna);

        // Roles on a service token are not widened into scopes (a user's token would get tenant_admin's).
        var narrowed = Client(Token("svc-tenant", jonas.PartnerId, jonas.TenantId, [Roles.TenantAdmin], Permissions.CatalogRead));
        Assert.Equal(HttpStatusCode.OK, (await narrowed.GetAsync("/api/v1/catalog/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await narrowed.GetAsync("/api/v1/subscriptions")).StatusCode);

        // With tenant_id it sees that tenant's rows only.
        var reader = Client(Token("svc-reader", jonas.PartnerId, jonas.TenantId, [], Permissions.SubscriptionsRead));
        var listed = (await reader.GetJson("/api/v1/subscriptions")).Items();
        Assert.NotEmpty(listed);
        Assert.All(listed, s => Assert.Equal(jonas.TenantId, s.Str("tenant_id")));
        var annas = (await (await app.ClientForAsync(Api.Anna)).GetJson("/api/v1/subscriptions")).Items()[0].Str("id");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/api/v1/subscriptions/{annas}")).StatusCode);
        Assert.NotEqual(jonas.TenantId, anna.TenantId);
    }

    private HttpClient Client(string token)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client-credentials token as ScaiKey issues one (RFC 9068: sub = client_id), signed by the development key.</summary>
    private string Token(string clientId, string? partnerId, string? tenantId, string[] roles, string scope)
    {
        var claims = new List<Claim> { new(ScaiClaims.Subject, clientId), new(EffectivePermissionClaims.ClientIdClaim, clientId), new(ScaiClaims.Scopes, scope) };
        if (partnerId is not null)
        {
            claims.Add(new Claim(ScaiClaims.PartnerId, partnerId));
        }

        if (tenantId is not null)
        {
            claims.Add(new Claim(ScaiClaims.TenantId, tenantId));
        }

        claims.AddRange(roles.Select(r => new Claim(ScaiClaims.Roles, r)));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = "scaicontrol-dev",
            Audience = "scaicontrol",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(app.Services.GetRequiredService<DevSigningKey>().Key, SecurityAlgorithms.RsaSha256),
        });
    }
}
