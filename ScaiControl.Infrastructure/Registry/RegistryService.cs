using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Registry;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Registry;

/// <summary>
/// Settings of the service registry and its heartbeat monitor (section "Registry").
/// </summary>
public sealed class RegistryOptions
{
    /// <summary>Heartbeat TTL of a registration that names none (default 90 s).</summary>
    public TimeSpan DefaultHeartbeatTtl { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How often each service's health check URL is probed while it answers (default 30 s).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one probe may take before it counts as failed (default 5 s).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between probes of an unreachable service (the interval doubles per further failure; default 5 min).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Passing (or degraded) observations in a row before the status becomes healthy (or degraded); Consul's success_before_passing. Default 2.</summary>
    public int SuccessesBeforeHealthy { get; set; } = 2;

    /// <summary>Failed probes in a row before the status becomes unreachable; Consul's failures_before_critical. Default 3.</summary>
    public int FailuresBeforeUnreachable { get; set; } = 3;

    /// <summary>The monitor job on/off (default on).</summary>
    public bool MonitorEnabled { get; set; } = true;

    /// <summary>How often the monitor job looks for due probes (default 5 s).</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Probes per monitor pass at most (default 200) and in parallel (default 8).</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Concurrent probes in one pass.</summary>
    public int Parallelism { get; set; } = 8;
}

/// <summary>
/// A registration as a service sends it (POST /api/v1/registry/services): app_id, name, slug, parent_slug?, base_url,
/// health_check_url, capabilities[], version?, heartbeat_ttl_seconds? (5..86400; default <see cref="RegistryOptions.DefaultHeartbeatTtl"/>).
/// </summary>
public sealed record ServiceRegistration(string? AppId, string? Name, string? Slug, string? ParentSlug, string? BaseUrl, string? HealthCheckUrl,
    IReadOnlyList<string>? Capabilities, string? Version, int? HeartbeatTtlSeconds);

/// <summary>A heartbeat: status "healthy", "degraded" or "unhealthy"; the running version; free-form JSON details (at most 4000 characters).</summary>
public sealed record ServiceHeartbeat(string? Status, string? Version, JsonElement? Details);

/// <summary>A service with its latest health history (newest first, at most 100) and the app_ids of its children.</summary>
public sealed record RegisteredServiceView(RegisteredService Service, IReadOnlyList<ServiceHealthEvent> History, IReadOnlyList<RegisteredService> Children);

/// <summary>
/// The service registry (issue 14; spec 000 "Service registry", spec 002 migration 006): services register and
/// re-register idempotently by app_id, send heartbeats, and are approved, suspended or retired by the operator.
/// Partner-scoped: a partner (or its keys) sees and changes only its own registrations; a service API key (one with a
/// service_app_id) only its own app. Called by the API, the portal and (later) the CLI and MCP tools.
/// </summary>
public sealed class RegistryService(ScaiDbFactory factory, RegistryOptions options, TimeProvider clock)
{
    /// <summary>Heartbeat statuses a service may report.</summary>
    public static readonly IReadOnlyList<string> HeartbeatStatuses = ["healthy", "degraded", "unhealthy"];

    /// <summary>
    /// Creates or updates (by app_id) a registration. Returns the row and whether it was created. A new row is pending
    /// with unknown health; an update keeps approval and health.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">No registry:write, or a service key for another app_id.</exception>
    /// <exception cref="DomainValidationException">A missing or malformed field (app_id, name, slug, parent_slug, base_url, health_check_url, capabilities, version, heartbeat_ttl_seconds).</exception>
    /// <exception cref="DomainConflictException">The app_id belongs to another partner, the slug to another app, or the service is retired.</exception>
    public async Task<(RegisteredService Service, bool Created)> RegisterAsync(Actor actor, ServiceRegistration? request, CancellationToken ct = default)
    {
        Require(actor, Permissions.RegistryWrite);
        if (request is null)
        {
            throw new DomainValidationException("app_id", "A body with app_id, name, slug, base_url and health_check_url is required.");
        }

        var appId = AppId(request.AppId);
        var name = Guard.Text(request.Name, "name", 200);
        var slug = Guard.Slug(request.Slug, "slug");
        var parent = string.IsNullOrWhiteSpace(request.ParentSlug) ? null : Guard.Slug(request.ParentSlug, "parent_slug");
        if (parent == slug)
        {
            throw new DomainValidationException("parent_slug", "A service cannot be its own parent.");
        }

        var baseUrl = HttpUrl(request.BaseUrl, "base_url");
        var healthUrl = HttpUrl(request.HealthCheckUrl, "health_check_url");
        var capabilities = (request.Capabilities ?? []).Select(c => c?.Trim() ?? "").ToList();
        if (capabilities.Count > 50 || capabilities.Any(c => c.Length is 0 or > 64 || c.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch))))
        {
            throw new DomainValidationException("capabilities", "capabilities must be at most 50 names of 1-64 characters without spaces.");
        }

        var version = Guard.OptionalText(request.Version, "version", 100);
        var ttl = request.HeartbeatTtlSeconds ?? (int)options.DefaultHeartbeatTtl.TotalSeconds;
        if (ttl is < RegisteredService.MinTtlSeconds or > RegisteredService.MaxTtlSeconds)
        {
            throw new DomainValidationException("heartbeat_ttl_seconds", $"heartbeat_ttl_seconds must be {RegisteredService.MinTtlSeconds}..{RegisteredService.MaxTtlSeconds}.");
        }

        await RequireOwnAppAsync(actor, appId, ct);
        await using var db = await factory.OpenAsync(actor, "register service", ct);
        var partnerId = actor.PartnerId
            ?? await db.Partners.IgnoreQueryFilters().Where(p => p.IsOperator).Select(p => p.Id).FirstOrDefaultAsync(ct)
            ?? throw new DomainValidationException("app_id", "There is no operator partner to own the registration.");
        var existing = await db.RegisteredServices.IgnoreQueryFilters().SingleOrDefaultAsync(s => s.AppId == appId, ct);
        if (existing is not null && !actor.IsSuperAdmin && existing.PartnerId != actor.PartnerId)
        {
            throw new DomainConflictException($"app_id '{appId}' is registered by another partner.");
        }

        if (existing?.RegistrationStatus == RegistrationStatus.Retired)
        {
            throw new DomainConflictException($"Service '{appId}' is retired; register under a new app_id.", "retired");
        }

        if (await db.RegisteredServices.IgnoreQueryFilters().AnyAsync(s => s.Slug == slug && s.AppId != appId, ct))
        {
            throw new DomainConflictException($"slug '{slug}' is used by another service.");
        }

        var now = clock.GetUtcNow();
        var service = existing ?? new RegisteredService(appId, partnerId, now);
        service.Describe(name, slug, parent, baseUrl, healthUrl, capabilities, version, ttl, now);
        if (existing is null)
        {
            db.RegisteredServices.Add(service);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (existing is null)
        {
            // Another request registered the same app_id (or slug) at the same moment: the caller retries and updates.
            throw new DomainConflictException($"app_id '{appId}' or slug '{slug}' was registered at the same moment; retry.");
        }

        return (service, existing is null);
    }

    /// <summary>Records a heartbeat of <paramref name="appId"/> (no audit row per beat: it is bookkeeping, like a key's last use).</summary>
    /// <exception cref="UnauthorizedAccessException">No registry:write, or a service key for another app_id.</exception>
    /// <exception cref="NotFoundException">Unknown, or another partner's service.</exception>
    /// <exception cref="DomainValidationException">status, version or details malformed.</exception>
    /// <exception cref="DomainConflictException">The service is retired.</exception>
    public async Task<RegisteredService> HeartbeatAsync(Actor actor, string appId, ServiceHeartbeat? beat, CancellationToken ct = default)
    {
        Require(actor, Permissions.RegistryWrite);
        var status = (beat?.Status ?? "healthy").Trim().ToLowerInvariant();
        if (!HeartbeatStatuses.Contains(status))
        {
            throw new DomainValidationException("status", "status must be healthy, degraded or unhealthy.");
        }

        var version = Guard.OptionalText(beat?.Version, "version", 100);
        string? details = null;
        if (beat?.Details is { } d && d.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined)
        {
            details = d.GetRawText();
            if (details.Length > 4000)
            {
                throw new DomainValidationException("details", "details must be at most 4000 characters of JSON.");
            }
        }

        await RequireOwnAppAsync(actor, appId, ct);
        await using var db = await factory.OpenAsync(actor, "service heartbeat", ct);
        var service = await db.RegisteredServices.SingleOrDefaultAsync(s => s.AppId == appId, ct) ?? throw new NotFoundException("Service", appId);
        if (service.RegistrationStatus == RegistrationStatus.Retired)
        {
            throw new DomainConflictException($"Service '{appId}' is retired.", "retired");
        }

        var now = clock.GetUtcNow();
        await db.RegisteredServices.Where(s => s.Id == service.Id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.LastHeartbeatAt, now)
            .SetProperty(s => s.LastHeartbeatStatus, status)
            .SetProperty(s => s.LastHeartbeatDetails, details)
            .SetProperty(s => s.Version, version ?? service.Version), ct);
        service.Heartbeat(status, version, details, now);
        return service;
    }

    /// <summary>One page of registrations (newest first), optionally only those in a registration or health status.</summary>
    /// <exception cref="UnauthorizedAccessException">No registry:read.</exception>
    /// <exception cref="DomainValidationException">Unknown status names, bad limit or cursor.</exception>
    public async Task<Page<RegisteredService>> ListAsync(Actor actor, string? registrationStatus, string? healthStatus, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor, Permissions.RegistryRead);
        await using var db = await factory.OpenAsync(actor, "list registered services", ct);
        IQueryable<RegisteredService> query = db.RegisteredServices.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(registrationStatus))
        {
            var r = ParseEnum<RegistrationStatus>(registrationStatus, "registration_status");
            query = query.Where(s => s.RegistrationStatus == r);
        }

        if (!string.IsNullOrWhiteSpace(healthStatus))
        {
            var h = ParseEnum<HealthStatus>(healthStatus, "health_status");
            query = query.Where(s => s.HealthStatus == h);
        }

        return await Paging.ReadAsync(query, s => s.Id, cursor, limit, ct);
    }

    /// <summary>A registration with its health history and children.</summary>
    /// <exception cref="UnauthorizedAccessException">No registry:read.</exception>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<RegisteredServiceView> GetAsync(Actor actor, string appId, CancellationToken ct = default)
    {
        Require(actor, Permissions.RegistryRead);
        await using var db = await factory.OpenAsync(actor, "read registered service", ct);
        var service = await db.RegisteredServices.AsNoTracking().SingleOrDefaultAsync(s => s.AppId == appId, ct) ?? throw new NotFoundException("Service", appId);
        var history = await db.ServiceHealthEvents.AsNoTracking().Where(e => e.ServiceId == service.Id).OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(100).ToListAsync(ct);
        var children = await db.RegisteredServices.AsNoTracking().Where(s => s.ParentSlug == service.Slug).OrderBy(s => s.Slug).ToListAsync(ct);
        return new RegisteredServiceView(service, history, children);
    }

    /// <summary>The operator's approve / suspend / retire (audited through the change tracker).</summary>
    /// <exception cref="UnauthorizedAccessException">No registry:admin.</exception>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    /// <exception cref="DomainConflictException">Not allowed from the current status (with the allowed actions).</exception>
    public Task<RegisteredService> ChangeRegistrationAsync(Actor actor, string appId, string action, CancellationToken ct = default) =>
        ChangeRegistrationAsync(actor, appId, action, false, ct);

    /// <summary>Like the overload without <paramref name="dryRun"/>; with it, the same checks and transition on a row that is never saved.</summary>
    public async Task<RegisteredService> ChangeRegistrationAsync(Actor actor, string appId, string action, bool dryRun, CancellationToken ct = default)
    {
        Require(actor, Permissions.RegistryAdmin);
        await using var db = await factory.OpenAsync(actor, $"{action} registered service", ct);
        var service = await db.RegisteredServices.SingleOrDefaultAsync(s => s.AppId == appId, ct) ?? throw new NotFoundException("Service", appId);
        service.ChangeRegistration(action, clock.GetUtcNow());
        if (!dryRun)
        {
            await db.SaveChangesAsync(ct);
        }

        return service;
    }

    /// <summary>
    /// The approval gate for provisioning: the registration of <paramref name="appId"/> when it is approved.
    /// </summary>
    /// <exception cref="NotFoundException">No such service.</exception>
    /// <exception cref="DomainConflictException">The service is not approved (pending, suspended or retired): it gets no provisioning calls.</exception>
    public async Task<RegisteredService> RequireApprovedAsync(string appId, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("system:provisioning");
        var service = await db.RegisteredServices.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(s => s.AppId == appId, ct) ?? throw new NotFoundException("Service", appId);
        return service.RegistrationStatus == RegistrationStatus.Approved
            ? service
            : throw new DomainConflictException($"Service '{appId}' is {RegisteredService.WireName(service.RegistrationStatus)}; only approved services get provisioning calls.",
                RegisteredService.WireName(service.RegistrationStatus));
    }

    private static void Require(Actor actor, string permission)
    {
        if (!actor.Can(permission))
        {
            throw new UnauthorizedAccessException($"This needs the {permission} permission.");
        }
    }

    /// <summary>A service API key (one naming a service_app_id) acts for that app only.</summary>
    private async Task RequireOwnAppAsync(Actor actor, string appId, CancellationToken ct)
    {
        if (!actor.UserId.StartsWith("apikey:", StringComparison.Ordinal))
        {
            return;
        }

        var keyId = actor.UserId["apikey:".Length..];
        await using var db = factory.ForPlatform("system:registry");
        var keyApp = await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == keyId).Select(k => k.ServiceAppId).FirstOrDefaultAsync(ct);
        if (keyApp is not null && keyApp != appId)
        {
            throw new UnauthorizedAccessException($"This key belongs to service '{keyApp}' and cannot act for '{appId}'.");
        }
    }

    private static string AppId(string? value)
    {
        var text = Guard.Text(value, "app_id", 100);
        return text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? text
            : throw new DomainValidationException("app_id", "app_id may hold letters, digits, '-', '_' and '.' only.");
    }

    /// <summary>An absolute http or https URL (no user info, no fragment), at most 2048 characters.</summary>
    /// <exception cref="DomainValidationException">Missing or not such a URL (the field named).</exception>
    public static Uri HttpUrl(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > RegisteredService.MaxUrlLength
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new DomainValidationException(field, $"{field} must be an absolute http or https URL without user info or fragment.");
        }

        return uri;
    }

    private static T ParseEnum<T>(string value, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(value.Trim(), ignoreCase: true, out var e) && Enum.IsDefined(e) && !int.TryParse(value, out _)
            ? e
            : throw new DomainValidationException(field, $"{field} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
}
