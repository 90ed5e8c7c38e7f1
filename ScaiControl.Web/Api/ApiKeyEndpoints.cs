using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// A service API key as the API shows it: never the secret (only on create and rotate) nor its hash. Status is
/// "active", "rotating" (replaced, still valid until overlap_until), "rotated" (replaced, overlap over), "revoked" or
/// "expired" at the time of the call.
/// </summary>
public sealed record ApiKeyDto(
    string Id, string Name, string Prefix, string Environment, IReadOnlyList<string> Scopes, string PartnerId, string? TenantId, string? ServiceAppId,
    string Status, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, string? LastUsedIp,
    DateTimeOffset? RevokedAt, string? ReplacedBy, string? RotatedFrom, DateTimeOffset? OverlapUntil)
{
    /// <summary>The DTO of <paramref name="k"/> at <paramref name="now"/> (UTC).</summary>
    public static ApiKeyDto From(ApiKey k, DateTimeOffset now) => new(
        k.Id, k.Name, k.Prefix, k.Environment == ApiKeyEnvironment.Live ? "live" : "test", k.ScopeList, k.PartnerId, k.TenantId, k.ServiceAppId,
        StatusOf(k, now), k.CreatedBy, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.LastUsedIp, k.RevokedAt, k.ReplacedBy, k.RotatedFrom, k.OverlapUntil);

    /// <summary>"revoked", "rotating", "rotated", "expired" or "active".</summary>
    public static string StatusOf(ApiKey k, DateTimeOffset now) =>
        k.RevokedAt is not null ? "revoked"
        : k.ReplacedBy is not null ? (k.IsUsableAt(now) ? "rotating" : "rotated")
        : !k.IsUsableAt(now) ? "expired"
        : "active";
}

/// <summary>A key with its secret, returned once by create and rotate.</summary>
public sealed record ApiKeyCreatedDto(ApiKeyDto Key, string Secret);

/// <summary>POST /api/v1/admin/api-keys body.</summary>
public sealed record ApiKeyCreateRequest(string? Name, IReadOnlyList<string>? Scopes, string? PartnerId, string? TenantId, string? ServiceAppId, DateTimeOffset? ExpiresAt, string? Environment);

/// <summary>POST /api/v1/admin/api-keys/{id}/rotate body (optional).</summary>
public sealed record ApiKeyRotateRequest(int? OverlapMinutes);

/// <summary>
/// /api/v1/admin/api-keys (issue 11): service API keys for operators (any partner) and partner admins (their own
/// partner and its tenants). Listing needs users:read, creating, rotating and revoking users:write.
/// </summary>
public static class ApiKeyEndpoints
{
    /// <summary>Maps the endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapApiKeyApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/admin/api-keys").WithTags("API keys");
        keys.MapPost("/", Create).RequireAuthorization(Permissions.UsersWrite).WithName("CreateApiKey")
            .WithSummary("Create a service API key for a partner, tenant or service (the secret is returned once)").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapGet("/", List).RequireAuthorization(Permissions.UsersRead).WithName("ListApiKeys")
            .WithSummary("List API keys (cursor paging, newest first; never the secrets)").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapPost("/{id}/rotate", Rotate).RequireAuthorization(Permissions.UsersWrite).WithName("RotateApiKey")
            .WithSummary("A new key with the same owner and scopes (secret returned once); the old one works for the overlap (default 24 h)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapPost("/{id}/revoke", Revoke).RequireAuthorization(Permissions.UsersWrite).WithName("RevokeApiKey")
            .WithSummary("Revoke a key at once").ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>POST /api/v1/admin/api-keys {name, scopes[], partner_id | tenant_id | service_app_id, expires_at?, environment?}.</summary>
    public static async Task<Created<ApiKeyCreatedDto>> Create(ApiKeyCreateRequest? body, HttpContext http, ApiKeyService service, TimeProvider clock, CancellationToken ct)
    {
        var (key, secret) = await service.CreateAsync(http.User.ToActor(),
            body is null ? null : new ApiKeyRequest(body.Name, body.Scopes, body.PartnerId, body.TenantId, body.ServiceAppId, body.ExpiresAt, body.Environment), ct);
        return TypedResults.Created($"/api/v1/admin/api-keys/{key.Id}", new ApiKeyCreatedDto(ApiKeyDto.From(key, clock.GetUtcNow()), secret));
    }

    /// <summary>GET /api/v1/admin/api-keys?cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<ApiKeyDto>>> List(HttpContext http, ApiKeyService service, TimeProvider clock, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await service.ListAsync(http.User.ToActor(), cursor, limit ?? 50, ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new ListResponse<ApiKeyDto>(page.Items.Select(k => ApiKeyDto.From(k, now)).ToArray(), page.NextCursor));
    }

    /// <summary>POST /api/v1/admin/api-keys/{id}/rotate {overlap_minutes?}.</summary>
    public static async Task<Ok<ApiKeyCreatedDto>> Rotate(string id, ApiKeyRotateRequest? body, HttpContext http, ApiKeyService service, TimeProvider clock, CancellationToken ct)
    {
        var (key, secret, _) = await service.RotateAsync(http.User.ToActor(), id, body?.OverlapMinutes is { } m ? TimeSpan.FromMinutes(m) : null, ct);
        return TypedResults.Ok(new ApiKeyCreatedDto(ApiKeyDto.From(key, clock.GetUtcNow()), secret));
    }

    /// <summary>POST /api/v1/admin/api-keys/{id}/revoke.</summary>
    public static async Task<Ok<ApiKeyDto>> Revoke(string id, HttpContext http, ApiKeyService service, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(ApiKeyDto.From(await service.RevokeAsync(http.User.ToActor(), id, ct), clock.GetUtcNow()));
}
