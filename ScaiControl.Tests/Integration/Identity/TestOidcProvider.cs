using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>An account of the test provider: the canonical roles (what /auth/me answers) and, optionally, what tokens carry.</summary>
public sealed record TestAccount(string Email, string Name, string PartnerId, string? TenantId, string[] Roles, string[]? TokenRoles = null, string[]? Scopes = null);

/// <summary>
/// A real OpenID Connect provider (oidc-provider 9 from npm, tools/test-servers/oidc-provider.mjs) on 127.0.0.1 and a
/// free port, standing in for ScaiKey, with its fake /auth/me. scripts/test.sh installs it and sets SCAI_OIDC_PROVIDER
/// to the script; without that variable the fixture fails (it never passes silently).
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    /// <summary>The portal's confidential client.</summary>
    public const string PortalClientId = "scaicontrol-portal";

    /// <summary>Its secret.</summary>
    public const string PortalClientSecret = "portal-test-secret";

    /// <summary>The API's audience (the resource indicator the provider issues JWT access tokens for).</summary>
    public const string Audience = "urn:scaicontrol";

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private TestOidcProvider(Process process, string directory, string issuer, StringBuilder log)
    {
        _process = process;
        _log = log;
        _directory = directory;
        Issuer = issuer;
    }

    /// <summary>http://127.0.0.1:PORT (no trailing slash): the issuer and Auth:Authority.</summary>
    public string Issuer { get; }

    /// <summary>The fake of ScaiKey's /auth/me.</summary>
    public string MeEndpoint => Issuer + "/auth/me";

    /// <summary>What the provider printed.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the provider. <paramref name="portalBaseUrl"/> (the app's base URL) registers the portal client's
    /// redirect URIs; <paramref name="services"/> are client-credentials clients (id -> partner, tenant, roles) whose
    /// JWT access tokens carry those claims, for <paramref name="apiScopes"/>.
    /// </summary>
    public static async Task<TestOidcProvider> StartAsync(string? portalBaseUrl, IReadOnlyDictionary<string, TestAccount> accounts,
        IReadOnlyDictionary<string, (string? PartnerId, string? TenantId, string[] Roles)>? services = null, string apiScopes = "", int accessTokenTtlSeconds = 60)
    {
        var script = Environment.GetEnvironmentVariable("SCAI_OIDC_PROVIDER");
        if (string.IsNullOrEmpty(script) || !File.Exists(script))
        {
            throw new InvalidOperationException("SCAI_OIDC_PROVIDER is not set to tools/test-servers/oidc-provider.mjs: run the tests through scripts/test.sh, which installs oidc-provider (npm ci) and sets it.");
        }

        var directory = Directory.CreateTempSubdirectory("scai-oidc-").FullName;
        var clients = new JsonArray();
        if (portalBaseUrl is not null)
        {
            var baseUrl = portalBaseUrl.TrimEnd('/');
            clients.Add(new JsonObject
            {
                ["client_id"] = PortalClientId,
                ["client_secret"] = PortalClientSecret,
                ["redirect_uris"] = new JsonArray(baseUrl + "/signin-oidc"),
                ["post_logout_redirect_uris"] = new JsonArray(baseUrl + "/signout-callback-oidc"),
                ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
                ["response_types"] = new JsonArray("code"),
                ["token_endpoint_auth_method"] = "client_secret_post",
            });
        }

        foreach (var (id, (partner, tenant, roles)) in services ?? new Dictionary<string, (string?, string?, string[])>())
        {
            clients.Add(new JsonObject
            {
                ["client_id"] = id,
                ["client_secret"] = id + "-secret",
                ["grant_types"] = new JsonArray("client_credentials"),
                ["response_types"] = new JsonArray(),
                ["redirect_uris"] = new JsonArray(),
                ["token_endpoint_auth_method"] = "client_secret_post",
                ["partner_id"] = partner,
                ["tenant_id"] = tenant,
                ["roles"] = new JsonArray(roles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            });
        }

        var accountsFile = Path.Combine(directory, "accounts.json");
        var configFile = Path.Combine(directory, "config.json");
        await File.WriteAllTextAsync(configFile, new JsonObject
        {
            ["accountsFile"] = accountsFile,
            ["audience"] = Audience,
            ["accessTokenTtl"] = accessTokenTtlSeconds,
            ["apiScopes"] = apiScopes,
            ["clients"] = clients,
        }.ToJsonString());
        WriteAccounts(accountsFile, accounts);

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(script)! };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(configFile);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var issuer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StringBuilder();
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.StartsWith("{\"issuer\"", StringComparison.Ordinal))
            {
                issuer.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("issuer").GetString()!);
            }
        }

        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await issuer.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new TestOidcProvider(process, directory, url, log);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The OIDC test provider did not start:\n" + log);
        }
    }

    /// <summary>Replaces the accounts (read again by the provider on every use).</summary>
    public void SetAccounts(IReadOnlyDictionary<string, TestAccount> accounts) => WriteAccounts(Path.Combine(_directory, "accounts.json"), accounts);

    /// <summary>A JWT access token for the API from the client-credentials client <paramref name="clientId"/>, with <paramref name="scope"/> (space-separated; none when empty).</summary>
    public async Task<string> ServiceTokenAsync(string clientId, string scope = "")
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientId + "-secret",
            ["resource"] = Audience,
        };
        if (scope.Length > 0)
        {
            form["scope"] = scope;
        }

        using var response = await _http.PostAsync(new Uri(Issuer + "/token"), new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A JWT of any <paramref name="payload"/> signed with the provider's current key (its kid and alg): a token the app can verify.</summary>
    public async Task<string> SignAsync(object payload)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(Issuer + "/__test/sign"), new { payload });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>The provider's published JWKS.</summary>
    public Task<string> JwksAsync() => _http.GetStringAsync(new Uri(Issuer + "/jwks"));

    /// <summary>Rotates the provider's signing key to a new one of <paramref name="alg"/>; old keys stay published unless <paramref name="retire"/>. Returns the new kid.</summary>
    public async Task<string> RotateAsync(string alg = "RS256", bool retire = false)
    {
        using var response = await _http.PostAsync(new Uri($"{Issuer}/__test/rotate?alg={alg}{(retire ? "&retire=1" : string.Empty)}"), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString()!;
    }

    /// <summary>How often the JWKS, discovery, refresh grant, /auth/me and end-session were used.</summary>
    public async Task<(int Jwks, int Discovery, int Refresh, int Me, int EndSession)> StatsAsync()
    {
        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(Issuer + "/__test/stats"));
        return (stats.GetProperty("jwks").GetInt32(), stats.GetProperty("discovery").GetInt32(), stats.GetProperty("refresh").GetInt32(), stats.GetProperty("me").GetInt32(), stats.GetProperty("end_session").GetInt32());
    }

    /// <summary>The parameters of the last pushed authorization request (RFC 9126) the provider accepted.</summary>
    public async Task<JsonElement> LastPushedRequestAsync() =>
        (await _http.GetFromJsonAsync<JsonElement>(new Uri(Issuer + "/__test/stats"))).GetProperty("last_par");

    /// <summary>Makes /auth/me answer 503 (ScaiKey unavailable), or answer again.</summary>
    public async Task SetMeDownAsync(bool down)
    {
        using var response = await _http.PostAsync(new Uri($"{Issuer}/__test/me-down?down={(down ? 1 : 0)}"), null);
        response.EnsureSuccessStatusCode();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or left to the OS.
        }

        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }
    }

    private static void WriteAccounts(string file, IReadOnlyDictionary<string, TestAccount> accounts)
    {
        var root = new JsonObject();
        foreach (var (id, a) in accounts)
        {
            var account = new JsonObject
            {
                ["email"] = a.Email,
                ["name"] = a.Name,
                ["partner_id"] = a.PartnerId,
                ["tenant_id"] = a.TenantId,
                ["roles"] = new JsonArray(a.Roles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            };
            if (a.TokenRoles is not null)
            {
                account["token_roles"] = new JsonArray(a.TokenRoles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray());
            }

            if (a.Scopes is not null)
            {
                account["scopes"] = new JsonArray(a.Scopes.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray());
            }

            root[id] = account;
        }

        // Written whole, then moved: the provider never reads half a file.
        var temp = file + ".tmp";
        File.WriteAllText(temp, root.ToJsonString());
        File.Move(temp, file, overwrite: true);
    }
}
