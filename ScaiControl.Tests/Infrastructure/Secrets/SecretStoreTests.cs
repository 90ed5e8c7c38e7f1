using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Secrets;
using ScaiControl.Tests.Integration;

namespace ScaiControl.Tests.Infrastructure.Secrets;

/// <summary>
/// A stand-in for ScaiVault speaking the KV version 2 subset ScaiControl uses: versioned paths, check-and-set 0
/// (write once), X-Vault-Token. It can be switched off (answers 503) and counts the reads it served.
/// </summary>
public sealed class FakeScaiVault : IAsyncDisposable
{
    public const string Token = "s.test-vault-token";
    private readonly ConcurrentDictionary<string, List<string>> _kv = new(StringComparer.Ordinal);
    private WebApplication _server = default!;

    public string BaseUrl { get; private set; } = default!;

    /// <summary>While true every request gets 503 (ScaiVault sealed or down).</summary>
    private volatile bool _down;
    private int _reads;

    public bool Down { get => _down; set => _down = value; }

    /// <summary>Reads answered (not refused).</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>The versions stored at a path (1-based in the API).</summary>
    public IReadOnlyList<string> Versions(string path) => _kv.TryGetValue(path, out var v) ? v : [];

    public static async Task<FakeScaiVault> StartAsync()
    {
        var vault = new FakeScaiVault();
        (vault._server, vault.BaseUrl) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/secret/data/{**path}", (string path, HttpContext http) =>
            {
                if (vault.Refuse(http) is { } refused) return refused;
                Interlocked.Increment(ref vault._reads);
                if (!vault._kv.TryGetValue(path, out var versions)) return Results.NotFound(new { errors = Array.Empty<string>() });
                var n = int.TryParse(http.Request.Query["version"], out var v) ? v : versions.Count;
                return n < 1 || n > versions.Count
                    ? Results.NotFound(new { errors = Array.Empty<string>() })
                    : Results.Json(new { data = new { data = new { value = versions[n - 1] }, metadata = new { version = n } } });
            });
            app.MapPost("/v1/secret/data/{**path}", async (string path, HttpContext http) =>
            {
                if (vault.Refuse(http) is { } refused) return refused;
                var body = (await JsonNode.ParseAsync(http.Request.Body))!;
                var versions = vault._kv.GetOrAdd(path, _ => []);
                lock (versions)
                {
                    if (body["options"]?["cas"]?.GetValue<int>() is { } cas && cas != versions.Count)
                    {
                        return Results.BadRequest(new { errors = new[] { "check-and-set parameter did not match the current version" } });
                    }

                    versions.Add(body["data"]!["value"]!.GetValue<string>());
                    return Results.Json(new { data = new { version = versions.Count } });
                }
            });
        });
        return vault;
    }

    /// <summary>Puts a version at a path directly (as an operator would in ScaiVault).</summary>
    public void Put(string path, string value) => _kv.GetOrAdd(path, _ => []).Add(value);

    private IResult? Refuse(HttpContext http) =>
        _down ? Results.StatusCode(503)
        : http.Request.Headers["X-Vault-Token"] != Token ? Results.Json(new { errors = new[] { "permission denied" } }, statusCode: 403)
        : null;

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}

/// <summary>The ScaiVault client: versioned paths, write once, the cache and failing closed.</summary>
public sealed class ScaiVaultSecretStoreTests : IAsyncLifetime
{
    private FakeScaiVault _vault = default!;
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync() => _vault = await FakeScaiVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    private ScaiVaultSecretStore Store(string token = FakeScaiVault.Token) =>
        new(new HttpClient(), new VaultOptions { Address = _vault.BaseUrl, Token = token, CacheTtl = TimeSpan.FromMinutes(5) }, _clock, NullLogger<ScaiVaultSecretStore>.Instance);

    [Fact]
    public async Task AWrittenSecret_ReadsBack_AndItsPathCannotBeWrittenTwice()
    {
        var store = Store();
        await store.WriteAsync("webhooks/whsub_1/v1", "whsec_first");

        Assert.Equal("whsec_first", await Store().ReadAsync("webhooks/whsub_1/v1"));
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => Store().WriteAsync("webhooks/whsub_1/v1", "whsec_other"));
        Assert.Contains("already exists", again.Message);
        Assert.Equal(["whsec_first"], _vault.Versions("webhooks/whsub_1/v1"));
    }

    [Fact]
    public async Task APathMayPinAVersion_WithoutOneTheCurrentIsRead()
    {
        _vault.Put("payments/stripe", "sk_old");
        _vault.Put("payments/stripe", "sk_new");

        Assert.Equal("sk_old", await Store().ReadAsync("payments/stripe?version=1"));
        Assert.Equal("sk_new", await Store().ReadAsync("payments/stripe"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store().ReadAsync("payments/stripe?version=3"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().ReadAsync("payments/stripe?version=latest"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().ReadAsync("payments/../admin"));
    }

    [Fact]
    public async Task AMissingPath_IsNotFound()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store().ReadAsync("nothing/here"));
    }

    [Fact]
    public async Task AValueRead_IsServedFromMemoryForItsTtl_ThenAVaultThatCannotAnswerFailsClosed()
    {
        _vault.Put("smtp/password", "p4ss");
        var store = Store();
        Assert.Equal("p4ss", await store.ReadAsync("smtp/password"));
        _vault.Down = true;

        _clock.Now += TimeSpan.FromMinutes(4);
        Assert.Equal("p4ss", await store.ReadAsync("smtp/password")); // within the TTL: no request
        Assert.Equal(1, _vault.Reads);

        _clock.Now += TimeSpan.FromMinutes(2);
        var down = await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => store.ReadAsync("smtp/password"));
        Assert.Contains("smtp/password", down.Message);
        Assert.DoesNotContain("p4ss", down.Message);

        _vault.Down = false;
        Assert.Equal("p4ss", await store.ReadAsync("smtp/password"));
        Assert.Equal(2, _vault.Reads);
    }

    [Fact]
    public async Task ARefusedToken_FailsClosed_WithoutNamingTheTokenOrTheValue()
    {
        _vault.Put("smtp/password", "p4ss");
        var refused = await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => Store("s.wrong-token").ReadAsync("smtp/password"));
        Assert.Contains("403", refused.Message);
        Assert.DoesNotContain("s.wrong-token", refused.Message);
        Assert.DoesNotContain("p4ss", refused.Message);
    }

    [Fact]
    public async Task AnUnreachableVault_FailsClosedOnWrite_AndNothingIsStored()
    {
        var store = new ScaiVaultSecretStore(new HttpClient(), new VaultOptions { Address = "http://127.0.0.1:9", Token = FakeScaiVault.Token }, _clock, NullLogger<ScaiVaultSecretStore>.Instance);
        await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => store.WriteAsync("webhooks/x/v1", "whsec"));
    }

    [Fact]
    public async Task SecretSettings_ResolveTheVaultPathForm_InBothSpellings_AndTheValueForm()
    {
        _vault.Put("scaikey/client-secret", "from-vault");
        var store = Store();
        IConfiguration Config(params (string Key, string Value)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

        Assert.Equal("from-vault", await SecretSettings.ResolveAsync(Config(("Auth:ClientSecretVaultPath", "scaikey/client-secret"), ("Auth:ClientSecret", "inline")), store, "Auth:ClientSecret"));
        Assert.Equal("from-vault", await SecretSettings.ResolveAsync(Config(("AUTH_CLIENT_SECRET_VAULT_PATH", "scaikey/client-secret")), store, "Auth:ClientSecret"));
        Assert.Equal("inline", await SecretSettings.ResolveAsync(Config(("Auth:ClientSecret", "inline")), store, "Auth:ClientSecret"));
        Assert.Null(await SecretSettings.ResolveAsync(Config(), store, "Auth:ClientSecret"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => SecretSettings.ResolveAsync(Config(("Auth:ClientSecretVaultPath", "scaikey/missing")), store, "Auth:ClientSecret"));
    }
}

/// <summary>The app with Vault:Address set: a webhook subscriber's signing secret goes to ScaiVault, not the local table.</summary>
public sealed class VaultApp : SqliteApp
{
    public FakeScaiVault Vault { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        Vault = await FakeScaiVault.StartAsync();
        await base.InitializeAsync();
    }

    protected override async Task DropAsync()
    {
        await base.DropAsync();
        await Vault.DisposeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Vault:Address", Vault.BaseUrl), new("Vault:Token", FakeScaiVault.Token), new("Jobs:Enabled", "false")];
}

public sealed class VaultWiringTests(VaultApp app) : IClassFixture<VaultApp>
{
    [Fact]
    public async Task ASubscribersSigningSecret_IsKeptInScaiVault_AndNeverInTheLocalTable()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = "https://hooks.example.com/vault", topics = new[] { "subscription.*" } }, HttpStatusCode.Created);
        var secret = created.Str("secret");

        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        var path = await db.WebhookSubscriptions.IgnoreQueryFilters().Where(s => s.Id == created.Str("id")).Select(s => s.SecretPath).SingleAsync();
        Assert.Equal([secret], app.Vault.Versions(path));
        Assert.False(await db.LocalSecrets.AnyAsync(s => s.Path == path));
    }

    [Fact]
    public async Task WhileScaiVaultIsDown_CreatingASubscriberIs503_AndCreatesNothing()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        var before = await db.WebhookSubscriptions.IgnoreQueryFilters().CountAsync();
        app.Vault.Down = true;
        try
        {
            var response = await ops.PostAsJsonAsync("/api/v1/admin/webhook-subscriptions", new { url = "https://hooks.example.com/down", topics = new[] { "subscription.*" } });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            app.Vault.Down = false;
        }

        Assert.Equal(before, await db.WebhookSubscriptions.IgnoreQueryFilters().CountAsync());
    }
}

/// <summary>The embedded default's local store: encrypted at rest under a key ring outside the database.</summary>
public sealed class LocalSecretStoreTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task ASecret_IsEncryptedInTheTable_AndReadsBack()
    {
        var store = app.Services.GetRequiredService<ISecretStore>();
        var path = $"test/{Guid.NewGuid():N}";
        await store.WriteAsync(path, "whsec_plain-value-123");

        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        var stored = await db.LocalSecrets.Where(s => s.Path == path).Select(s => s.Value).SingleAsync();
        Assert.StartsWith(LocalSecretProtector.Prefix, stored);
        Assert.DoesNotContain("plain-value", stored);
        Assert.Equal("whsec_plain-value-123", await store.ReadAsync(path));
    }

    [Fact]
    public void AProtectedValue_DecryptsWithItsKeyRingFromDisk_NotWithAnother()
    {
        var dir = Directory.CreateTempSubdirectory("scai-keys-").FullName;
        var protector = new LocalSecretProtector(dir);
        var stored = protector.Protect("a/b", "s3cret");

        Assert.Equal("s3cret", new LocalSecretProtector(dir).Unprotect("a/b", stored)); // the same ring, read again from disk
        var other = Assert.Throws<SecretStoreUnavailableException>(() => new LocalSecretProtector(Directory.CreateTempSubdirectory("scai-keys-").FullName).Unprotect("a/b", stored));
        Assert.Contains("Secrets:KeyDirectory", other.Message);
        Assert.DoesNotContain("s3cret", other.Message);
        Assert.Equal("legacy-plain", protector.Unprotect("a/b", "legacy-plain")); // rows written before encryption
    }
}
