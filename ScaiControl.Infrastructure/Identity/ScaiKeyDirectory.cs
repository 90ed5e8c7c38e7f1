using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaiControl.Infrastructure.Secrets;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>
/// Where the identity sync reads ScaiKey's directory (configuration section Identity:Sync; docs/identity.md, "Identity sync").
/// </summary>
public sealed class IdentitySyncOptions
{
    /// <summary>ScaiKey's base URL, e.g. https://scaikey.example (the directory lives under /api/v1/directory); unset: the sync is off.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The bearer token for the directory (a client-credentials token with directory:read).</summary>
    public string? Token { get; set; }

    /// <summary>The secret store path of the token, read at use time (preferred to <see cref="Token"/>).</summary>
    public string? TokenVaultPath { get; set; }

    /// <summary>Records per page requested (1-500, default 100).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How often the scheduled job runs (default 15 minutes); Identity:Sync:Enabled=false turns the job off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether the scheduled job runs (when <see cref="BaseUrl"/> is set).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A run still marked running after this long is taken to have died (its node stopped), and another may start.</summary>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Timeout of one page request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A user as ScaiKey's directory lists it.</summary>
public sealed record DirectoryUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("partner_id")] string PartnerId,
    [property: JsonPropertyName("tenant_id")] string? TenantId,
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles,
    [property: JsonPropertyName("groups")] IReadOnlyList<string>? Groups,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>A group as ScaiKey's directory lists it.</summary>
public sealed record DirectoryGroup(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("partner_id")] string PartnerId,
    [property: JsonPropertyName("tenant_id")] string? TenantId,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>One page of a directory list: the records and the cursor of the next page (null on the last).</summary>
public sealed record DirectoryPage<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>ScaiKey's directory could not be read (unreachable, refused, or an answer outside the contract).</summary>
public sealed class DirectoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads ScaiKey's users and groups, every page. Read-only: never writes to ScaiKey.</summary>
public interface IScaiKeyDirectory
{
    /// <summary>Every group, following next_cursor.</summary>
    /// <exception cref="DirectoryUnavailableException">A page could not be read.</exception>
    Task<IReadOnlyList<DirectoryGroup>> GroupsAsync(CancellationToken ct = default);

    /// <summary>Every user, following next_cursor.</summary>
    /// <exception cref="DirectoryUnavailableException">A page could not be read.</exception>
    Task<IReadOnlyList<DirectoryUser>> UsersAsync(CancellationToken ct = default);
}

/// <summary>
/// The HTTP client of ScaiKey's directory: GET {BaseUrl}/api/v1/directory/groups and /users with page_size and cursor,
/// bearer-authenticated (docs/identity.md). At most 10,000 pages per list (a cursor loop is refused).
/// </summary>
public sealed class ScaiKeyDirectoryClient(IHttpClientFactory clients, IdentitySyncOptions options, ISecretStore secrets) : IScaiKeyDirectory
{
    /// <summary>The named HttpClient.</summary>
    public const string HttpClientName = "scaikey-directory";

    private const int MaxPages = 10_000;

    /// <inheritdoc/>
    public Task<IReadOnlyList<DirectoryGroup>> GroupsAsync(CancellationToken ct = default) => ReadAllAsync<DirectoryGroup>("groups", ct);

    /// <inheritdoc/>
    public Task<IReadOnlyList<DirectoryUser>> UsersAsync(CancellationToken ct = default) => ReadAllAsync<DirectoryUser>("users", ct);

    private async Task<IReadOnlyList<T>> ReadAllAsync<T>(string list, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.BaseUrl) || !Uri.TryCreate(options.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri))
        {
            throw new DirectoryUnavailableException("Identity:Sync:BaseUrl is not set to an absolute URL.");
        }

        var token = await TokenAsync(ct);
        var http = clients.CreateClient(HttpClientName);
        http.Timeout = options.RequestTimeout;
        var all = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var url = new Uri(baseUri, $"api/v1/directory/{list}?page_size={Math.Clamp(options.PageSize, 1, 500)}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            DirectoryPage<T>? body;
            try
            {
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DirectoryUnavailableException($"ScaiKey answered {(int)response.StatusCode} for the {list} list.");
                }

                body = await response.Content.ReadFromJsonAsync<DirectoryPage<T>>(ct);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                throw new DirectoryUnavailableException($"ScaiKey's {list} list could not be read: {e.GetType().Name}.", e);
            }

            if (body?.Data is null)
            {
                throw new DirectoryUnavailableException($"ScaiKey's {list} page has no data array.");
            }

            all.AddRange(body.Data.Where(x => x is not null));
            if (string.IsNullOrEmpty(body.NextCursor))
            {
                return all;
            }

            if (!seen.Add(body.NextCursor))
            {
                throw new DirectoryUnavailableException($"ScaiKey's {list} list repeats a cursor.");
            }

            cursor = body.NextCursor;
        }

        throw new DirectoryUnavailableException($"ScaiKey's {list} list has more than {MaxPages} pages.");
    }

    private async Task<string?> TokenAsync(CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(options.TokenVaultPath))
        {
            try
            {
                return await secrets.ReadAsync(options.TokenVaultPath, ct);
            }
            catch (KeyNotFoundException)
            {
                throw new DirectoryUnavailableException("Identity:Sync:TokenVaultPath names no stored secret.");
            }
        }

        return string.IsNullOrEmpty(options.Token) ? null : options.Token;
    }
}
