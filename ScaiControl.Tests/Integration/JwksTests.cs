using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ScaiControl.Tests.Integration;

/// <summary>A stand-in for ScaiKey: a real HTTP server on 127.0.0.1 serving a JWKS, and tokens signed with its key.</summary>
public sealed class FakeScaiKey : IAsyncLifetime
{
    private WebApplication? _server;

    public RsaSecurityKey Key { get; } = new(RSA.Create(2048)) { KeyId = "scaikey-test-1" };

    public string JwksUrl { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(Key);
        string baseUrl;
        (_server, baseUrl) = await LoopbackServer.StartAsync(app =>
            app.MapGet("/jwks", () => Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } })));
        JwksUrl = baseUrl + "/jwks";
    }

    public static string Issue(SecurityKey key, string issuer = "https://scaikey.test", string roles = "tenant_admin") => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = "scaicontrol",
        Expires = DateTime.UtcNow.AddMinutes(10),
        Subject = new ClaimsIdentity([new("sub", "usr_SCAIKEY"), new("partner_id", "ptr_X"), new("tenant_id", "tnt_X"), new("roles", roles), new("scope", "catalog:read")]),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The app in Production validating bearer tokens against ScaiKey's JWKS.</summary>
public sealed class JwksApp : SqliteApp
{
    public FakeScaiKey ScaiKey { get; } = new();

    protected override string EnvironmentName => "Production";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:JwksUrl", ScaiKey.JwksUrl),
        new("Auth:Issuer", "https://scaikey.test"),
        new("Auth:RequireHttpsMetadata", "false"),
        new("Jobs:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        await ScaiKey.InitializeAsync();
        await base.InitializeAsync();
    }
}

public sealed class JwksTests(JwksApp app) : IClassFixture<JwksApp>, IAsyncLifetime
{
    [Fact]
    public async Task ATokenSignedByScaiKey_IsAccepted_AndForgedOrForeignTokensAreNot()
    {
        async Task<HttpStatusCode> Call(string token)
        {
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await client.GetAsync("/api/v1/catalog/services")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Call(FakeScaiKey.Issue(app.ScaiKey.Key)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(FakeScaiKey.Issue(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "scaikey-test-1" })));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(FakeScaiKey.Issue(app.ScaiKey.Key, issuer: "https://evil.test")));
        // Authenticated but without the scope (and no role granting it): the "scope:action" policy refuses.
        Assert.Equal(HttpStatusCode.Forbidden, await CallInvoices(FakeScaiKey.Issue(app.ScaiKey.Key, roles: "")));
        // A role in the token grants its scopes (effective permissions include the token's roles, docs/identity.md).
        Assert.Equal(HttpStatusCode.OK, await CallInvoices(FakeScaiKey.Issue(app.ScaiKey.Key)));
    }

    private async Task<HttpStatusCode> CallInvoices(string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync("/api/v1/invoices")).StatusCode;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => app.ScaiKey.DisposeAsync();
}
