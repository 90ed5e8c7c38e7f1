using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Infrastructure.Secrets;

/// <summary>
/// Vault:* settings. With <see cref="Address"/> set, every secret path resolves through ScaiVault
/// (<see cref="ScaiVaultSecretStore"/>) instead of the local store.
/// </summary>
public sealed class VaultOptions
{
    /// <summary>ScaiVault's base URL, e.g. https://vault.internal:8200 (no path).</summary>
    public string? Address { get; set; }

    /// <summary>The token sent as X-Vault-Token. Or <see cref="TokenFile"/>.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the token (re-read at each fetch, so a renewed token is picked up), e.g. a mounted secret.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The KV version 2 mount (default "secret").</summary>
    public string Mount { get; set; } = "secret";

    /// <summary>How long a value read is served from memory without asking again (default 5 minutes).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-request timeout (default 5 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when ScaiVault is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Address);
}

/// <summary>
/// The ScaiVault client: a key-value store with versioned paths, spoken as the KV version 2 HTTP API
/// (<c>GET /v1/{mount}/data/{path}[?version=N]</c>, <c>POST /v1/{mount}/data/{path}</c> with <c>options.cas = 0</c>
/// so a path is written once; the value under the data key "value"; token in <c>X-Vault-Token</c>). A path may pin a
/// version as "path?version=3"; without it the current version is read. Values read are kept in memory for
/// <see cref="VaultOptions.CacheTtl"/> (never in Redis or on disk); when ScaiVault can't answer and no copy within that
/// time is held, the read fails (<see cref="SecretStoreUnavailableException"/>): fail closed, never a stale secret.
/// Errors and log lines name the path and the HTTP status, never a value or the token. See docs/secrets.md.
/// </summary>
public sealed class ScaiVaultSecretStore(HttpClient http, VaultOptions options, TimeProvider clock, ILogger<ScaiVaultSecretStore> logger) : ISecretStore
{
    /// <summary>The named HttpClient.</summary>
    public const string HttpClientName = "scaivault";

    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<string> ReadAsync(string path, CancellationToken ct = default)
    {
        var (key, version) = Split(path);
        if (_cache.TryGetValue(path, out var hit) && hit.Until > clock.GetUtcNow())
        {
            return hit.Value;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(key) + (version is null ? "" : "?version=" + version));
        using var response = await SendAsync(request, path, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            _cache.TryRemove(path, out _);
            throw new KeyNotFoundException($"No secret at '{path}' in ScaiVault.");
        }

        await EnsureOkAsync(response, path, "read", ct);
        string? value;
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            value = body?["data"]?["data"]?["value"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new SecretStoreUnavailableException($"ScaiVault answered the read of '{path}' with a body that is not a KV v2 secret.", e);
        }

        if (value is null)
        {
            // A deleted version (metadata only) or a secret without a "value" field.
            throw new KeyNotFoundException($"The secret at '{path}' in ScaiVault has no \"value\".");
        }

        _cache[path] = (value, clock.GetUtcNow() + options.CacheTtl);
        return value;
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string path, string value, CancellationToken ct = default)
    {
        var (key, version) = Split(path);
        if (version is not null)
        {
            throw new ArgumentException($"A version can't be written ('{path}'): ScaiVault numbers versions itself.", nameof(path));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Url(key))
        {
            Content = JsonContent.Create(new JsonObject { ["options"] = new JsonObject { ["cas"] = 0 }, ["data"] = new JsonObject { ["value"] = value } }),
        };
        using var response = await SendAsync(request, path, ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (text.Contains("check-and-set", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"A secret already exists at '{path}' in ScaiVault.");
            }
        }

        await EnsureOkAsync(response, path, "write", ct);
        _cache[path] = (value, clock.GetUtcNow() + options.CacheTtl);
    }

    private string Url(string key) =>
        $"{options.Address!.TrimEnd('/')}/v1/{Uri.EscapeDataString(options.Mount)}/data/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    private static (string Key, string? Version) Split(string path)
    {
        var q = path.IndexOf("?version=", StringComparison.Ordinal);
        var key = (q < 0 ? path : path[..q]).Trim('/');
        if (key.Length == 0 || key.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not a secret path.", nameof(path));
        }

        if (q < 0)
        {
            return (key, null);
        }

        var version = path[(q + "?version=".Length)..];
        return int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? (key, n.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : throw new ArgumentException($"'{path}' pins no valid version (a positive integer).", nameof(path));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string path, CancellationToken ct)
    {
        request.Headers.Add("X-Vault-Token", await TokenAsync(ct));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await http.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("ScaiVault did not answer for {Path}: {Error}", path, e.GetType().Name);
            throw new SecretStoreUnavailableException($"ScaiVault did not answer for '{path}' ({(e is OperationCanceledException ? "timed out" : "connection failed")}).", e);
        }
    }

    private async Task EnsureOkAsync(HttpResponseMessage response, string path, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        _ = await response.Content.ReadAsByteArrayAsync(ct); // drain; the body is not repeated (it could echo input)
        logger.LogWarning("ScaiVault refused the {What} of {Path}: {Status}", what, path, (int)response.StatusCode);
        throw new SecretStoreUnavailableException($"ScaiVault refused the {what} of '{path}' with HTTP {(int)response.StatusCode}.");
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(options.TokenFile))
        {
            try
            {
                return (await File.ReadAllTextAsync(options.TokenFile, ct)).Trim();
            }
            catch (IOException e)
            {
                throw new SecretStoreUnavailableException($"The ScaiVault token file '{options.TokenFile}' can't be read.", e);
            }
        }

        return options.Token is { Length: > 0 } token ? token : throw new SecretStoreUnavailableException("Vault:Address is set but neither Vault:Token nor Vault:TokenFile.");
    }
}

/// <summary>
/// Secret settings in either form: the value itself under <c>Key</c>, or a path under <c>KeyVaultPath</c> resolved
/// through <see cref="ISecretStore"/> at use time (spec 001: every <c>*_VAULT_PATH</c> resolves through ScaiVault).
/// In environment variables: <c>Auth__ClientSecretVaultPath</c>, or the spec's upper-snake form
/// <c>AUTH_CLIENT_SECRET_VAULT_PATH</c>.
/// </summary>
public static class SecretSettings
{
    /// <summary>
    /// The secret configured under <paramref name="key"/> (e.g. "Auth:ClientSecret"); null when neither form is set.
    /// The vault path wins when both are set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The path names no secret.</exception>
    /// <exception cref="SecretStoreUnavailableException">The store can't answer (fail closed).</exception>
    public static async Task<string?> ResolveAsync(Microsoft.Extensions.Configuration.IConfiguration configuration, ISecretStore store, string key, CancellationToken ct = default)
    {
        var path = PathOf(configuration, key);
        return path is not null ? await store.ReadAsync(path, ct) : configuration[key] is { Length: > 0 } v ? v : null;
    }

    /// <summary>The vault path configured for <paramref name="key"/>, if any.</summary>
    public static string? PathOf(Microsoft.Extensions.Configuration.IConfiguration configuration, string key)
    {
        if (configuration[key + "VaultPath"] is { Length: > 0 } path)
        {
            return path;
        }

        // "Auth:ClientSecret" -> AUTH_CLIENT_SECRET_VAULT_PATH
        var snake = System.Text.RegularExpressions.Regex.Replace(key.Replace(':', '_'), "(?<=[a-z0-9])(?=[A-Z])", "_").ToUpperInvariant() + "_VAULT_PATH";
        return configuration[snake] is { Length: > 0 } env ? env : null;
    }
}
