using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>A clock the test moves forward (to step past the key-refetch throttle), otherwise the system's.</summary>
public sealed class AdjustableClock : TimeProvider
{
    /// <summary>How far ahead of the system clock this one runs.</summary>
    public TimeSpan Offset { get; set; }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;
}

/// <summary>
/// The app in Production validating the API's bearer tokens against the OIDC test provider (discovery + JWKS):
/// Auth:Authority and Auth:Audience only, as an operator would configure it.
/// </summary>
public sealed class OidcApiApp : SqliteApp
{
    /// <summary>A service identity of a tenant admin, one with no roles, and the operator.</summary>
    public const string TenantService = "svc-tenant", NoRightsService = "svc-none", OperatorService = "svc-operator";

    public TestOidcProvider Idp { get; private set; } = default!;

    public AdjustableClock Clock { get; } = new();

    protected override string EnvironmentName => "Production";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:Authority", Idp.Issuer),
        new("Auth:Audience", TestOidcProvider.Audience),
        new("Auth:RequireHttpsMetadata", "false"),
        new("Jobs:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        Idp = await TestOidcProvider.StartAsync(null, new Dictionary<string, TestAccount>(), new Dictionary<string, (string?, string?, string[])>
        {
            [TenantService] = ("ptr_X", "tnt_X", [Roles.TenantAdmin]),
            [NoRightsService] = ("ptr_X", "tnt_X", []),
            [OperatorService] = (null, null, [Roles.SuperAdmin]),
        }, string.Join(' ', Permissions.All), accessTokenTtlSeconds: 600);
        await base.InitializeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }

    protected override async Task DropAsync()
    {
        await base.DropAsync();
        await Idp.DisposeAsync();
    }

    /// <summary>A client sending <paramref name="authorization"/> as the Authorization header (none when null).</summary>
    public HttpClient Client(string? authorization)
    {
        var client = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        return client;
    }
}

public sealed class OidcApiTests(OidcApiApp app) : IClassFixture<OidcApiApp>
{
    private const string Catalog = "/api/v1/catalog/services";

    [Fact]
    public async Task KeysRotatedAtTheProvider_AreAcceptedAtOnce_OldPublishedKeysUntilWithdrawn_ForgedKidsDoNotFloodTheProvider()
    {
        async Task<HttpStatusCode> Get(string token) => (await app.Client("Bearer " + token).GetAsync(Catalog)).StatusCode;

        var first = await app.Idp.ServiceTokenAsync(OidcApiApp.TenantService, Permissions.CatalogRead);
        Assert.Equal(HttpStatusCode.OK, await Get(first));

        // A new key (ES256) at the provider while the app runs: its first token is accepted, no restart. (The clock
        // steps past the refetch throttle first: another test of this class may have just used it.)
        app.Clock.Offset += TimeSpan.FromSeconds(31);
        var ecKid = await app.Idp.RotateAsync("ES256");
        var second = await app.Idp.ServiceTokenAsync(OidcApiApp.TenantService, Permissions.CatalogRead);
        Assert.Equal(ecKid, new JsonWebToken(second).Kid);
        Assert.Equal(HttpStatusCode.OK, await Get(second));
        Assert.Equal(HttpStatusCode.OK, await Get(first)); // the old key is still published: valid until it expires

        // PS256 next, after the refetch throttle has passed.
        app.Clock.Offset += TimeSpan.FromSeconds(31);
        var psKid = await app.Idp.RotateAsync("PS256");
        var third = await app.Idp.ServiceTokenAsync(OidcApiApp.TenantService, Permissions.CatalogRead);
        Assert.Equal(psKid, new JsonWebToken(third).Kid);
        Assert.Equal(HttpStatusCode.OK, await Get(third));

        // The provider withdraws every old key: once the app has refetched (for the newest token), old tokens fail.
        app.Clock.Offset += TimeSpan.FromSeconds(31);
        await app.Idp.RotateAsync("RS256", retire: true);
        var fourth = await app.Idp.ServiceTokenAsync(OidcApiApp.TenantService, Permissions.CatalogRead);
        Assert.Equal(HttpStatusCode.OK, await Get(fourth));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(second));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(third));

        // Twenty tokens with made-up kids: refused, and the provider's JWKS is fetched at most once for all of them.
        var before = (await app.Idp.StatsAsync()).Jwks;
        for (var i = 0; i < 20; i++)
        {
            var forged = Sign(new RsaSecurityKey(RSA.Create(2048)) { KeyId = $"forged-{i}" }, SecurityAlgorithms.RsaSha256, Claims(app.Idp.Issuer));
            Assert.Equal(HttpStatusCode.Unauthorized, await Get(forged));
        }

        Assert.InRange((await app.Idp.StatsAsync()).Jwks - before, 0, 1);
    }

    [Fact]
    public async Task ScopesArriveSpaceDelimitedInOneClaim_EachOfThemGrants()
    {
        var token = await app.Idp.ServiceTokenAsync(OidcApiApp.TenantService, $"{Permissions.CatalogRead} {Permissions.InvoicesRead}");
        Assert.Equal($"{Permissions.CatalogRead} {Permissions.InvoicesRead}", new JsonWebToken(token).GetClaim("scope").Value);
        Assert.Equal(HttpStatusCode.OK, (await app.Client("Bearer " + token).GetAsync(Catalog)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client("Bearer " + token).GetAsync("/api/v1/invoices")).StatusCode);
        // Neither the two scopes nor the client's tenant_admin role (whose scopes a token's roles grant) allow webhook admin.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client("Bearer " + token).GetAsync("/api/v1/admin/webhook-subscriptions")).StatusCode);
    }

    [Fact]
    public async Task TheTokenAttackTable_AgainstAProtectedGetAndPostOfEveryRouteGroup_Is401Or403_AndWritesNothing()
    {
        var targets = ProtectedTargets();
        Assert.Contains(targets, t => t.Group == "catalog");
        Assert.Contains(targets, t => t.Group.StartsWith("admin/", StringComparison.Ordinal));

        var provider = app.Idp;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = await provider.ServiceTokenAsync(OidcApiApp.OperatorService, string.Join(' ', Permissions.All));
        var publicJwk = JsonDocument.Parse(await provider.JwksAsync()).RootElement.GetProperty("keys")[0];
        var kid = publicJwk.GetProperty("kid").GetString()!;
        var attacks = new List<(string Name, string? Header)>
        {
            ("missing", null),
            ("empty bearer", "Bearer "),
            ("malformed", "Bearer not-a-jwt"),
            ("malformed three parts", "Bearer abc.def.ghi"),
            ("expired", "Bearer " + await provider.SignAsync(Payload(provider.Issuer, now - 3600, now - 600))),
            ("not yet valid", "Bearer " + await provider.SignAsync(Payload(provider.Issuer, now + 600, now + 3600, nbf: now + 600))),
            ("no expiry", "Bearer " + await provider.SignAsync(Payload(provider.Issuer, now, null))),
            ("other issuer", "Bearer " + await provider.SignAsync(Payload("https://evil.example", now, now + 600))),
            ("other audience", "Bearer " + await provider.SignAsync(Payload(provider.Issuer, now, now + 600, aud: "urn:another-api"))),
            ("alg none", "Bearer " + Unsigned(new { alg = "none", typ = "JWT", kid }, Payload(provider.Issuer, now, now + 600))),
            ("HS256 with the public key as secret", "Bearer " + Sign(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(publicJwk.GetRawText())) { KeyId = kid }, SecurityAlgorithms.HmacSha256, Claims(provider.Issuer))),
            ("HS256 with the modulus as secret", "Bearer " + Sign(new SymmetricSecurityKey(Base64UrlEncoder.DecodeBytes(publicJwk.GetProperty("n").GetString()!)) { KeyId = kid }, SecurityAlgorithms.HmacSha256, Claims(provider.Issuer))),
            ("other key, same kid", "Bearer " + Sign(new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid }, SecurityAlgorithms.RsaSha256, Claims(provider.Issuer))),
            ("other key", "Bearer " + Sign(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "attacker" }, SecurityAlgorithms.RsaSha256, Claims(provider.Issuer))),
            ("tampered tenant_id", "Bearer " + Tamper(valid, p => p["tenant_id"] = "tnt_OTHER")),
            ("tampered roles", "Bearer " + Tamper(await provider.ServiceTokenAsync(OidcApiApp.NoRightsService), p => p["roles"] = new JsonArray("super_admin"))),
            ("tampered scope", "Bearer " + Tamper(await provider.ServiceTokenAsync(OidcApiApp.NoRightsService), p => p["scope"] = string.Join(' ', Permissions.All))),
        };
        var lacking = "Bearer " + await provider.ServiceTokenAsync(OidcApiApp.NoRightsService);

        var before = RowCounts();
        var failures = new List<string>();
        foreach (var target in targets)
        {
            foreach (var (name, header) in attacks)
            {
                using var response = await SendAsync(target, header);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{name}: {target.Method} {target.Path} -> {(int)response.StatusCode}");
                }

                var challenge = string.Join(' ', response.Headers.WwwAuthenticate.Select(h => h.ToString()));
                if (challenge.Contains("error_description", StringComparison.Ordinal) || body.Contains("IDX", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
                {
                    failures.Add($"{name}: {target.Method} {target.Path} leaks detail: {challenge} {body}");
                }
            }

            if (target.HasPolicy)
            {
                using var response = await SendAsync(target, lacking);
                if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"valid but lacking the scope: {target.Method} {target.Path} -> {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(failures);
        Assert.Equal(before, RowCounts());

        // The same routes with the valid token are neither 401 nor 403 (the table above is not refusing everything).
        foreach (var target in targets.Where(t => t.Method == "GET"))
        {
            using var response = await SendAsync(target, "Bearer " + valid);
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{target.Path} -> {(int)response.StatusCode}");
        }
    }

    /// <summary>A protected endpoint of the app: its route group, method and a concrete path.</summary>
    private sealed record Target(string Group, string Method, string Path, bool HasPolicy);

    /// <summary>
    /// From the app's EndpointDataSource: every route group under /api/v1 (the first path segment; "admin/x" for the
    /// admin groups), and in each one protected GET and one protected POST, preferring endpoints with a scope policy.
    /// </summary>
    private List<Target> ProtectedTargets()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0)
            .Select(e =>
            {
                var raw = e.RoutePattern.RawText!.TrimStart('/')["api/v1/".Length..];
                var segments = raw.Split('/', StringSplitOptions.RemoveEmptyEntries);
                var group = segments.Length == 0 ? "/" : segments[0] == "admin" && segments.Length > 1 ? "admin/" + segments[1] : segments[0];
                var path = "/api/v1/" + Regex.Replace(raw, @"\{[^}]+\}", "1");
                var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
                var policy = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy));
                return (group, methods, path, policy);
            })
            .ToList();
        var targets = new List<Target>();
        foreach (var byGroup in endpoints.GroupBy(e => e.group))
        {
            foreach (var method in new[] { "GET", "POST" })
            {
                var pick = byGroup.Where(e => e.methods.Contains(method)).OrderByDescending(e => e.policy).ThenBy(e => e.path, StringComparer.Ordinal).FirstOrDefault();
                if (pick.path is not null)
                {
                    targets.Add(new Target(byGroup.Key, method, pick.path, pick.policy));
                }
            }
        }

        return targets;
    }

    private async Task<HttpResponseMessage> SendAsync(Target target, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Path);
        if (target.Method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        return await app.Client(authorization).SendAsync(request);
    }

    /// <summary>Rows per table of the app's SQLite database.</summary>
    private Dictionary<string, long> RowCounts()
    {
        using var connection = new SqliteConnection(app.ConnectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)count.ExecuteScalar()!;
        }

        return counts;
    }

    private static Dictionary<string, object?> Payload(string issuer, long iat, long? exp, string aud = TestOidcProvider.Audience, long? nbf = null)
    {
        var payload = new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["aud"] = aud,
            ["sub"] = "svc-attacker",
            ["iat"] = iat,
            ["partner_id"] = "ptr_X",
            ["tenant_id"] = "tnt_X",
            ["roles"] = new[] { Roles.SuperAdmin },
            ["scope"] = string.Join(' ', Permissions.All),
        };
        if (exp is not null)
        {
            payload["exp"] = exp;
        }

        if (nbf is not null)
        {
            payload["nbf"] = nbf;
        }

        return payload;
    }

    private static SecurityTokenDescriptor Claims(string issuer) => new()
    {
        Issuer = issuer,
        Audience = TestOidcProvider.Audience,
        Expires = DateTime.UtcNow.AddMinutes(10),
        Claims = new Dictionary<string, object> { ["sub"] = "svc-attacker", ["roles"] = new[] { Roles.SuperAdmin }, ["scope"] = string.Join(' ', Permissions.All) },
    };

    private static string Sign(SecurityKey key, string algorithm, SecurityTokenDescriptor descriptor)
    {
        descriptor.SigningCredentials = new SigningCredentials(key, algorithm);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Unsigned(object header, object payload) =>
        $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(header))}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.";

    /// <summary>The token with its payload changed and the original signature kept.</summary>
    private static string Tamper(string token, Action<JsonObject> change)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        change(payload);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }
}
