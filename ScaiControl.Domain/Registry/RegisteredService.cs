using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Registry;

/// <summary>The operator's approval of a registered service (spec 002, migration 006): pending -> approved -> suspended | retired.</summary>
public enum RegistrationStatus
{
    /// <summary>Registered, not yet approved: gets no provisioning calls.</summary>
    Pending,

    /// <summary>Approved by the operator: may receive provisioning calls.</summary>
    Approved,

    /// <summary>Temporarily barred by the operator (can be approved again).</summary>
    Suspended,

    /// <summary>Permanently out of service; no longer probed, never approved again.</summary>
    Retired,
}

/// <summary>
/// Health as derived by the heartbeat monitor, independent of <see cref="RegistrationStatus"/> (spec 002, migration 006):
/// from the heartbeat age against the service's TTL and the monitor's own GET of the health check URL, flap-damped.
/// </summary>
public enum HealthStatus
{
    /// <summary>Not yet observed often enough to say.</summary>
    Unknown,

    /// <summary>N passing observations in a row.</summary>
    Healthy,

    /// <summary>N observations in a row where the probe answered but the service reported degraded or its heartbeat is overdue.</summary>
    Degraded,

    /// <summary>M failed probes in a row.</summary>
    Unreachable,
}

/// <summary>One observation the monitor makes of a service in one pass.</summary>
public enum HealthObservation
{
    /// <summary>The probe answered 2xx and the last heartbeat is fresh and not degraded.</summary>
    Passing,

    /// <summary>The probe answered 2xx, but the heartbeat is overdue or the service says it is degraded.</summary>
    Warning,

    /// <summary>The probe failed: no answer within the timeout, a connection error, or a non-2xx status.</summary>
    Critical,
}

/// <summary>
/// A running ScaiLabs service registered with ScaiControl (spec 000: registration carries app_id, base_url,
/// health_check_url, capabilities; heartbeats keep the row active). Owned by the partner whose key registered it;
/// app_id and slug are unique platform-wide. parent_slug places it in the service tree (e.g. scaicontrol-billing
/// under scaicontrol).
/// </summary>
public sealed class RegisteredService : IPartnerOwned
{
    /// <summary>Longest URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Smallest and largest heartbeat TTL, seconds.</summary>
    public const int MinTtlSeconds = 5, MaxTtlSeconds = 86_400;

    private RegisteredService() { }

    /// <summary>Creates a pending registration with unknown health.</summary>
    public RegisteredService(string appId, string partnerId, DateTimeOffset now)
    {
        Id = Ids.New("rsvc");
        AppId = appId;
        PartnerId = partnerId;
        CreatedAt = now;
        UpdatedAt = now;
        RegistrationStatus = RegistrationStatus.Pending;
        HealthStatus = HealthStatus.Unknown;
        NextProbeAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <summary>The service's own stable identifier (e.g. "scaicrm"); unique.</summary>
    public string AppId { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    public string Name { get; private set; } = default!;

    /// <summary>Unique lower-case slug.</summary>
    public string Slug { get; private set; } = default!;

    /// <summary>The parent service's slug, or null for a root.</summary>
    public string? ParentSlug { get; private set; }

    /// <summary>Absolute http(s) URL provisioning calls are made against.</summary>
    public string BaseUrl { get; private set; } = default!;

    /// <summary>Absolute http(s) URL the monitor GETs.</summary>
    public string HealthCheckUrl { get; private set; } = default!;

    /// <summary>Space-separated capability names.</summary>
    public string Capabilities { get; private set; } = "";

    /// <summary>The version the service reported last (registration or heartbeat).</summary>
    public string? Version { get; private set; }

    /// <summary>How long a heartbeat stays fresh, seconds.</summary>
    public int HeartbeatTtlSeconds { get; private set; }

    public RegistrationStatus RegistrationStatus { get; private set; }

    public HealthStatus HealthStatus { get; private set; }

    /// <summary>Why the health is what it is (the last transition's reason).</summary>
    public string? HealthReason { get; private set; }

    public DateTimeOffset? HealthChangedAt { get; private set; }

    public DateTimeOffset? LastHeartbeatAt { get; private set; }

    /// <summary>The status the last heartbeat reported ("healthy", "degraded", ...).</summary>
    public string? LastHeartbeatStatus { get; private set; }

    /// <summary>The last heartbeat's details, JSON (at most 4000 characters).</summary>
    public string? LastHeartbeatDetails { get; private set; }

    public DateTimeOffset? LastProbeAt { get; private set; }

    /// <summary>The last probe's HTTP status, or null when it got no answer.</summary>
    public int? LastProbeStatusCode { get; private set; }

    /// <summary>The last probe's error text, if it failed.</summary>
    public string? LastProbeError { get; private set; }

    /// <summary>When the monitor probes next (moved forward by backoff after failures); also the claim of one pass.</summary>
    public DateTimeOffset NextProbeAt { get; private set; }

    /// <summary>Observations in a row of the same kind as the last (flap damping counters).</summary>
    public int PassingStreak { get; private set; }

    public int WarningStreak { get; private set; }

    public int CriticalStreak { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The capabilities as a list.</summary>
    public IReadOnlyList<string> CapabilityList => Capabilities.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Sets the self-described fields (registration or re-registration); keeps approval and health.</summary>
    public void Describe(string name, string slug, string? parentSlug, Uri baseUrl, Uri healthCheckUrl, IEnumerable<string> capabilities, string? version, int ttlSeconds, DateTimeOffset now)
    {
        Name = name;
        Slug = slug;
        ParentSlug = parentSlug;
        BaseUrl = baseUrl.ToString();
        HealthCheckUrl = healthCheckUrl.ToString();
        Capabilities = string.Join(' ', capabilities.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Version = version;
        HeartbeatTtlSeconds = ttlSeconds;
        UpdatedAt = now;
    }

    /// <summary>Records a heartbeat (status, version, details); the monitor evaluates it on its next pass.</summary>
    public void Heartbeat(string status, string? version, string? detailsJson, DateTimeOffset now)
    {
        LastHeartbeatAt = now;
        LastHeartbeatStatus = status;
        LastHeartbeatDetails = detailsJson;
        Version = version ?? Version;
    }

    /// <summary>True when the last heartbeat is younger than the TTL at <paramref name="now"/> (a new registration has one TTL of grace).</summary>
    public bool HeartbeatFresh(DateTimeOffset now) => now - (LastHeartbeatAt ?? CreatedAt) <= TimeSpan.FromSeconds(HeartbeatTtlSeconds);

    /// <summary>The operator's approval transitions: allowed moves per <see cref="RegistrationStatus"/>.</summary>
    /// <exception cref="DomainConflictException">The move is not allowed from the current status.</exception>
    public RegistrationStatus ChangeRegistration(string action, DateTimeOffset now)
    {
        var target = action switch
        {
            "approve" => RegistrationStatus.Approved,
            "suspend" => RegistrationStatus.Suspended,
            "retire" => RegistrationStatus.Retired,
            _ => throw new DomainValidationException("action", "action must be approve, suspend or retire."),
        };
        var allowed = AllowedActions(RegistrationStatus);
        if (!allowed.Contains(action))
        {
            throw new DomainConflictException($"A {WireName(RegistrationStatus)} service cannot be {target.ToString().ToLowerInvariant()}.", WireName(RegistrationStatus), allowed);
        }

        var before = RegistrationStatus;
        RegistrationStatus = target;
        UpdatedAt = now;
        return before;
    }

    /// <summary>The operator actions each registration status allows.</summary>
    public static IReadOnlyList<string> AllowedActions(RegistrationStatus status) => status switch
    {
        RegistrationStatus.Pending => ["approve", "retire"],
        RegistrationStatus.Approved => ["suspend", "retire"],
        RegistrationStatus.Suspended => ["approve", "retire"],
        _ => [],
    };

    /// <summary>
    /// Applies one observation with flap damping (Consul's success_before_passing / failures_before_critical): the
    /// status becomes healthy after <paramref name="successesBeforeHealthy"/> passing observations in a row, degraded
    /// after as many warnings in a row, unreachable after <paramref name="failuresBeforeUnreachable"/> failures in a
    /// row; anything shorter leaves it as it is, so a service alternating between answers never flaps it.
    /// Returns the previous status when it changed, else null.
    /// </summary>
    public HealthStatus? Observe(HealthObservation observation, string reason, int successesBeforeHealthy, int failuresBeforeUnreachable, DateTimeOffset now)
    {
        switch (observation)
        {
            case HealthObservation.Passing:
                PassingStreak++;
                WarningStreak = CriticalStreak = 0;
                break;
            case HealthObservation.Warning:
                WarningStreak++;
                PassingStreak = CriticalStreak = 0;
                break;
            default:
                CriticalStreak++;
                PassingStreak = WarningStreak = 0;
                break;
        }

        var target = HealthStatus;
        if (PassingStreak >= successesBeforeHealthy)
        {
            target = HealthStatus.Healthy;
        }
        else if (WarningStreak >= successesBeforeHealthy)
        {
            target = HealthStatus.Degraded;
        }
        else if (CriticalStreak >= failuresBeforeUnreachable)
        {
            target = HealthStatus.Unreachable;
        }

        if (target == HealthStatus)
        {
            return null;
        }

        var before = HealthStatus;
        HealthStatus = target;
        HealthReason = reason;
        HealthChangedAt = now;
        return before;
    }

    /// <summary>Records the probe's outcome and when to probe next.</summary>
    public void Probed(int? statusCode, string? error, DateTimeOffset now, DateTimeOffset next)
    {
        LastProbeAt = now;
        LastProbeStatusCode = statusCode;
        LastProbeError = error is { Length: > 1000 } ? error[..1000] : error;
        NextProbeAt = next;
    }

    /// <summary>The API's name of a registration status.</summary>
    public static string WireName(RegistrationStatus s) => s.ToString().ToLowerInvariant();

    /// <summary>The API's name of a health status.</summary>
    public static string WireName(HealthStatus s) => s.ToString().ToLowerInvariant();
}

/// <summary>One change of a service's health (every change is kept, spec 002 "derived continuously"), with why and from what source.</summary>
public sealed class ServiceHealthEvent : IPartnerOwned
{
    private ServiceHealthEvent() { }

    /// <summary>Records a change from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public ServiceHealthEvent(RegisteredService service, HealthStatus from, HealthStatus to, string reason, int? probeStatusCode, DateTimeOffset at)
    {
        Id = Ids.New("rshe");
        ServiceId = service.Id;
        PartnerId = service.PartnerId;
        From = from;
        To = to;
        Reason = reason is { Length: > 500 } ? reason[..500] : reason;
        ProbeStatusCode = probeStatusCode;
        At = at;
    }

    public string Id { get; private set; } = default!;
    public string ServiceId { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    public HealthStatus From { get; private set; }
    public HealthStatus To { get; private set; }
    public string Reason { get; private set; } = default!;
    public int? ProbeStatusCode { get; private set; }
    public DateTimeOffset At { get; private set; }
}
