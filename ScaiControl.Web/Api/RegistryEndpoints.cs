using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Registry;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Registry;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// /api/v1/registry/services and /api/v1/admin/registry/services (issue 14): services register (idempotent by app_id)
/// and heartbeat with a service API key or an operator token; the operator approves, suspends and retires. Bad input
/// is a 422 naming the field; another partner's service a 404 (a taken app_id on registration a 409); nothing is written.
/// </summary>
public static class RegistryEndpoints
{
    private const int DefaultLimit = 50;

    /// <summary>Maps the registry endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapRegistryApi(this RouteGroupBuilder api)
    {
        var reg = api.MapGroup("/registry/services").WithTags("Service registry");
        reg.MapPost("/", Register).WithName("RegisterService").RequireAuthorization(Permissions.RegistryWrite)
            .WithSummary("Register a service, or update its registration (by app_id): 201 when created, 200 when updated")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        reg.MapPost("/{appId}/heartbeat", Heartbeat).WithName("ServiceHeartbeat").RequireAuthorization(Permissions.RegistryWrite)
            .WithSummary("A service's heartbeat {status: healthy|degraded|unhealthy, version, details}")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        reg.MapGet("/", List).WithName("ListRegisteredServices").RequireAuthorization(Permissions.RegistryRead)
            .WithSummary("Registered services (cursor paging; filters registration_status, health_status)").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        reg.MapGet("/{appId}", Get).WithName("GetRegisteredService").RequireAuthorization(Permissions.RegistryRead)
            .WithSummary("A registered service with its health history (newest first) and children").ProducesProblem(StatusCodes.Status404NotFound);

        var admin = api.MapGroup("/admin/registry/services").WithTags("Service registry").RequireAuthorization(Permissions.RegistryAdmin);
        foreach (var action in new[] { "approve", "suspend", "retire" })
        {
            admin.MapPost($"/{{appId}}/{action}", (string appId, HttpContext http, RegistryService registry, CancellationToken ct) => Change(appId, action, http, registry, ct))
                .WithName($"{char.ToUpperInvariant(action[0])}{action[1..]}RegisteredService").WithSummary($"Operator: {action} a registered service")
                .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        }
    }

    /// <summary>POST /api/v1/registry/services.</summary>
    public static async Task<Results<Created<RegisteredServiceDto>, Ok<RegisteredServiceDto>>> Register(ServiceRegistrationRequest? body, HttpContext http, RegistryService registry, CancellationToken ct)
    {
        var (service, created) = await registry.RegisterAsync(http.User.ToActor(), body is null ? null
            : new ServiceRegistration(body.AppId, body.Name, body.Slug, body.ParentSlug, body.BaseUrl, body.HealthCheckUrl, body.Capabilities, body.Version, body.HeartbeatTtlSeconds), ct);
        var dto = RegisteredServiceDto.From(service);
        return created ? TypedResults.Created($"/api/v1/registry/services/{service.AppId}", dto) : TypedResults.Ok(dto);
    }

    /// <summary>POST /api/v1/registry/services/{app_id}/heartbeat.</summary>
    public static async Task<Ok<RegisteredServiceDto>> Heartbeat(string appId, HeartbeatRequest? body, HttpContext http, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(RegisteredServiceDto.From(await registry.HeartbeatAsync(http.User.ToActor(), appId, new ServiceHeartbeat(body?.Status, body?.Version, body?.Details), ct)));

    /// <summary>GET /api/v1/registry/services?registration_status=&amp;health_status=&amp;cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<RegisteredServiceDto>>> List(HttpContext http, RegistryService registry, string? registration_status, string? health_status, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await registry.ListAsync(http.User.ToActor(), registration_status, health_status, cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<RegisteredServiceDto>(page.Items.Select(RegisteredServiceDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/registry/services/{app_id}.</summary>
    public static async Task<Ok<RegisteredServiceDetailDto>> Get(string appId, HttpContext http, RegistryService registry, CancellationToken ct)
    {
        var view = await registry.GetAsync(http.User.ToActor(), appId, ct);
        return TypedResults.Ok(new RegisteredServiceDetailDto(RegisteredServiceDto.From(view.Service), view.History.Select(HealthEventDto.Of).ToArray(),
            view.Children.Select(c => c.AppId).ToArray()));
    }

    private static async Task<Ok<RegisteredServiceDto>> Change(string appId, string action, HttpContext http, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(RegisteredServiceDto.From(await registry.ChangeRegistrationAsync(http.User.ToActor(), appId, action, ct)));
}

/// <summary>POST /api/v1/registry/services body; heartbeat_ttl_seconds: how long a heartbeat stays fresh (5..86400 s; default Registry:DefaultHeartbeatTtl, 90 s).</summary>
public sealed record ServiceRegistrationRequest(string? AppId, string? Name, string? Slug, string? ParentSlug, string? BaseUrl, string? HealthCheckUrl,
    IReadOnlyList<string>? Capabilities, string? Version, int? HeartbeatTtlSeconds);

/// <summary>POST /api/v1/registry/services/{app_id}/heartbeat body; status defaults to "healthy".</summary>
public sealed record HeartbeatRequest(string? Status, string? Version, JsonElement? Details);

/// <summary>
/// A registered service: registration_status pending|approved|suspended|retired; health_status
/// healthy|degraded|unreachable|unknown (derived by the heartbeat monitor, independent of approval); RFC 3339 instants.
/// </summary>
public sealed record RegisteredServiceDto(string Id, string AppId, string PartnerId, string Name, string Slug, string? ParentSlug, string BaseUrl, string HealthCheckUrl,
    IReadOnlyList<string> Capabilities, string? Version, string RegistrationStatus, IReadOnlyList<string> AllowedActions, string HealthStatus, string? HealthReason,
    DateTimeOffset? HealthChangedAt, int HeartbeatTtlSeconds, DateTimeOffset? LastHeartbeatAt, string? LastHeartbeatStatus, DateTimeOffset? LastProbeAt,
    int? LastProbeStatusCode, string? LastProbeError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Maps a row.</summary>
    public static RegisteredServiceDto From(RegisteredService s) => new(s.Id, s.AppId, s.PartnerId, s.Name, s.Slug, s.ParentSlug, s.BaseUrl, s.HealthCheckUrl,
        s.CapabilityList, s.Version, RegisteredService.WireName(s.RegistrationStatus), RegisteredService.AllowedActions(s.RegistrationStatus),
        RegisteredService.WireName(s.HealthStatus), s.HealthReason, s.HealthChangedAt, s.HeartbeatTtlSeconds, s.LastHeartbeatAt, s.LastHeartbeatStatus,
        s.LastProbeAt, s.LastProbeStatusCode, s.LastProbeError, s.CreatedAt, s.UpdatedAt);
}

/// <summary>One health change: from, to, why, the probe's HTTP status (null: no answer or not a probe), when.</summary>
public sealed record HealthEventDto(string Id, string From, string To, string Reason, int? ProbeStatusCode, DateTimeOffset At)
{
    /// <summary>Maps a row.</summary>
    public static HealthEventDto Of(ServiceHealthEvent e) => new(e.Id, RegisteredService.WireName(e.From), RegisteredService.WireName(e.To), e.Reason, e.ProbeStatusCode, e.At);
}

/// <summary>GET /api/v1/registry/services/{app_id}: the service, its health history (newest first, at most 100) and its children's app_ids.</summary>
public sealed record RegisteredServiceDetailDto(RegisteredServiceDto Service, IReadOnlyList<HealthEventDto> History, IReadOnlyList<string> Children);
