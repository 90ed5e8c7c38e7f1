using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>
/// The app in Production with the portal signing in at the OIDC test provider (Auth:Authority, ClientId, and the
/// client secret as <see cref="SecretSettings"/> give it).
/// </summary>
public abstract class ProviderPortalApp : SqliteApp
{
    public TestOidcProvider Idp { get; private set; } = default!;

    protected override string EnvironmentName => "Production";

    /// <summary>How the client secret is configured.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string?>> SecretSettings { get; }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:Authority", Idp.Issuer),
        new("Auth:ClientId", TestOidcProvider.PortalClientId),
        new("Auth:MeEndpoint", Idp.MeEndpoint),
        new("Auth:RequireHttpsMetadata", "false"),
        new("Jobs:Enabled", "false"),
        .. SecretSettings,
    ];

    public override async Task InitializeAsync()
    {
        Idp = await TestOidcProvider.StartAsync("http://localhost", new Dictionary<string, TestAccount>());
        await base.InitializeAsync();
    }

    protected override async Task DropAsync()
    {
        await base.DropAsync();
        await Idp.DisposeAsync();
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}

/// <summary>The client secret in Auth:ClientSecret.</summary>
public sealed class OidcPortalApp : ProviderPortalApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> SecretSettings => [new("Auth:ClientSecret", TestOidcProvider.PortalClientSecret)];
}

/// <summary>The client secret only in the secret store (Auth:ClientSecretVaultPath), written before the first challenge.</summary>
public sealed class OidcVaultSecretApp : ProviderPortalApp
{
    public const string VaultPath = "scaicontrol/oidc-client-secret/v1";

    protected override IEnumerable<KeyValuePair<string, string?>> SecretSettings => [new("Auth:ClientSecretVaultPath", VaultPath)];
}

public sealed class OidcVaultSecretTests(OidcVaultSecretApp app) : IClassFixture<OidcVaultSecretApp>
{
    [Fact]
    public async Task TheClientSecretFromTheSecretStore_AuthenticatesThePortalAtTheProvider()
    {
        await app.Services.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>().WriteAsync(OidcVaultSecretApp.VaultPath, TestOidcProvider.PortalClientSecret);
        using var response = await app.Browser().GetAsync("/invoices");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // The pushed authorization request was accepted: the provider authenticated the client with the stored secret.
        Assert.Contains("request_uri=", response.Headers.Location!.Query, StringComparison.Ordinal);
        Assert.Equal(TestOidcProvider.PortalClientId, (await app.Idp.LastPushedRequestAsync()).GetProperty("client_id").GetString());
    }
}

public sealed class OidcPortalTests(OidcPortalApp app) : IClassFixture<OidcPortalApp>
{
    [Fact]
    public async Task AnUnauthenticatedPortalRequestInProduction_GoesStraightToTheProvider_WithCodePkceStateAndNonce()
    {
        using var response = await app.Browser().GetAsync("/invoices");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(app.Idp.Issuer + "/auth?", location.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);

        // The handler pushes the authorization request (PAR, RFC 9126): the browser only carries its reference.
        Assert.Equal(TestOidcProvider.PortalClientId, query["client_id"]);
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", query["request_uri"].ToString(), StringComparison.Ordinal);
        var pushed = await app.Idp.LastPushedRequestAsync();
        string? Param(string name) => pushed.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        Assert.Equal("code", Param("response_type"));
        Assert.Equal("S256", Param("code_challenge_method"));
        Assert.False(string.IsNullOrEmpty(Param("code_challenge")));
        Assert.False(string.IsNullOrEmpty(Param("state")));
        Assert.False(string.IsNullOrEmpty(Param("nonce")));
        Assert.Equal("http://localhost/signin-oidc", Param("redirect_uri"));
        Assert.Null(Param("client_secret")); // the secret went in the back channel's form, never into the request

        // The API never redirects: 401.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Browser().GetAsync("/api/v1/invoices")).StatusCode);
    }

    [Theory]
    [InlineData("/signin-oidc?code=forged&state=forged")]
    [InlineData("/signin-oidc?state=")]
    [InlineData("/signin-oidc?error=access_denied&state=x")]
    [InlineData("/signin-oidc")]
    public async Task AForgedOrBrokenCallback_EndsOnTheSignInPage_NeverA500(string callback)
    {
        using var response = await app.Browser().GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/sign-in?error=provider", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task AForgedCallback_IsAuditedAsAFailedSignIn_WithoutItsParameters()
    {
        var marker = "forged" + Guid.NewGuid().ToString("N");
        using var response = await app.Browser().GetAsync($"/signin-oidc?code={marker}&state={marker}");
        Assert.Equal("/sign-in?error=provider", response.Headers.Location!.ToString());
        await using var db = await app.Services.GetRequiredService<ScaiControl.Infrastructure.Persistence.ScaiDbFactory>().ForSystemAsync("test");
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.IgnoreQueryFilters(db.AuditLog).Where(a => a.Action == ScaiControl.Infrastructure.Identity.IdentitySignInService.SignInFailedAction));
        Assert.Contains(rows, r => r.Actor == "anonymous" && r.AfterJson!.Contains("\"reason\":\"remote_failure\"", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.AfterJson!.Contains(marker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task TheSignInStart_WithAForeignReturnUrl_StillGoesOnlyToTheProvider(string returnUrl)
    {
        using var response = await app.Browser().GetAsync("/auth/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(app.Idp.Issuer + "/auth?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("/", ScaiControl.Web.Auth.SignInEndpoints.LocalOrRoot(returnUrl));
    }
}
