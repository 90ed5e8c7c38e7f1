using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Audit;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>What a new key is for: exactly one of partner, tenant or registered service (issue 11, "Service API keys").</summary>
/// <param name="Name">Display name, 1..200 characters.</param>
/// <param name="Scopes">"scope:action" permissions; each must be one the creator holds.</param>
/// <param name="PartnerId">A partner-level key.</param>
/// <param name="TenantId">A tenant's key (acts as that tenant).</param>
/// <param name="ServiceAppId">A registered service's key (belongs to the creator's partner).</param>
/// <param name="ExpiresAt">UTC expiry, in the future; null for none.</param>
/// <param name="Environment">"live" (default) or "test": the secret's prefix sck_live_ / sck_test_.</param>
public sealed record ApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes, string? PartnerId, string? TenantId, string? ServiceAppId, DateTimeOffset? ExpiresAt, string? Environment);

/// <summary>
/// Service API keys: created by operators and partner admins (permission users:write) for a partner, a tenant or a
/// registered service, shown once, stored as SHA-256 only; rotation with an overlap, revocation at once; and the
/// lookup that turns a presented key into the same <see cref="Actor"/> a token would be (partner, tenant, scopes),
/// so the tenant filter works unchanged. Keys never carry roles: no super_admin bypass through a key.
/// Secret format: <c>sck_live_</c> or <c>sck_test_</c> + 48 lowercase hex characters (192 random bits); the display
/// prefix is its first 15 characters. See docs/identity.md "API keys".
/// </summary>
public sealed class ApiKeyService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>The longest rotation overlap: 7 days.</summary>
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(7);

    /// <summary>The default rotation overlap: 24 hours.</summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    /// <summary>A key's last-use time and address are written at most this often (plus on an address change).</summary>
    public static readonly TimeSpan UseRecordInterval = TimeSpan.FromMinutes(1);

    private const int SecretHexLength = 48;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private const int DisplayPrefixLength = 15;

    /// <summary>The audit action of a key's first use from an address it has not used before.</summary>
    public const string FirstUseAction = "api_key_first_use_from_address";

    /// <summary>The actor id of a key: "apikey:&lt;key id&gt;" (in audit rows and logs).</summary>
    public static string ActorId(string keyId) => "apikey:" + keyId;

    /// <summary>Creates a key; returns it and its secret, which is never retrievable again.</summary>
    /// <exception cref="UnauthorizedAccessException">The actor lacks users:write.</exception>
    /// <exception cref="DomainValidationException">Field "name", "scopes", "partner_id", "tenant_id", "service_app_id", "expires_at" or "environment".</exception>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(Actor actor, ApiKeyRequest? request, CancellationToken ct = default)
    {
        Require(actor);
        if (request is null)
        {
            throw new DomainValidationException("name", "A body with name, scopes and one of partner_id, tenant_id, service_app_id is required.");
        }

        var environment = request.Environment?.Trim().ToLowerInvariant() switch
        {
            null or "" or "live" => ApiKeyEnvironment.Live,
            "test" => ApiKeyEnvironment.Test,
            _ => throw new DomainValidationException("environment", "environment must be \"live\" or \"test\"."),
        };
        var owners = new[] { request.PartnerId, request.TenantId, request.ServiceAppId }.Count(o => !string.IsNullOrWhiteSpace(o));
        if (owners != 1)
        {
            throw new DomainValidationException("partner_id", "Give exactly one of partner_id, tenant_id or service_app_id.");
        }

        var now = clock.GetUtcNow();
        await using var db = await factory.OpenAsync(actor, "create api key", ct);
        string partnerId;
        string? tenantId = null;
        if (!string.IsNullOrWhiteSpace(request.TenantId))
        {
            var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == request.TenantId, ct)
                ?? throw new DomainValidationException("tenant_id", $"Unknown tenant '{request.TenantId}'.");
            (partnerId, tenantId) = (tenant.PartnerId, tenant.Id);
        }
        else if (!string.IsNullOrWhiteSpace(request.PartnerId))
        {
            if (actor.TenantId is not null || (!actor.IsSuperAdmin && request.PartnerId != actor.PartnerId)
                || !await db.Partners.AnyAsync(p => p.Id == request.PartnerId, ct))
            {
                throw new DomainValidationException("partner_id", $"Unknown partner '{request.PartnerId}'.");
            }

            partnerId = request.PartnerId;
        }
        else
        {
            Guard.Text(request.ServiceAppId, "service_app_id", 100);
            // A service's key belongs to the creator's partner; for the system actor (the CLI) the operator's partner.
            partnerId = actor.PartnerId
                ?? await db.Partners.Where(p => p.IsOperator).Select(p => p.Id).FirstOrDefaultAsync(ct)
                ?? throw new DomainValidationException("service_app_id", "There is no operator partner to own a service key.");
        }

        var scopes = CheckScopes(actor, request.Scopes, tenantId is not null);
        var (secret, prefix, hash) = NewSecret(environment);
        var key = new ApiKey(request.Name ?? "", prefix, hash, environment, scopes, partnerId, tenantId,
            string.IsNullOrWhiteSpace(request.ServiceAppId) ? null : request.ServiceAppId.Trim(), actor.UserId, now, request.ExpiresAt);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (key, secret);
    }

    /// <summary>One page of the keys the actor may see (the operator: all; a partner admin: its partner's), newest first.</summary>
    /// <exception cref="DomainValidationException">limit outside 1..200 or a malformed cursor.</exception>
    public async Task<Page<ApiKey>> ListAsync(Actor actor, string? cursor, int limit, CancellationToken ct = default)
    {
        RequireRead(actor);
        await using var db = await factory.OpenAsync(actor, "list api keys", ct);
        return await Paging.ReadAsync(db.ApiKeys.AsNoTracking(), k => k.Id, cursor, limit, ct);
    }

    /// <summary>
    /// Rotates a key: a new key with the same owner, scopes and expiry (its secret returned once); the old one keeps
    /// working for <paramref name="overlap"/> (default 24 h, at most 7 days; zero ends it at once).
    /// </summary>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    /// <exception cref="DomainConflictException">Revoked, expired, or already rotated.</exception>
    /// <exception cref="DomainValidationException">Field "overlap_minutes" out of range.</exception>
    public async Task<(ApiKey Key, string Secret, ApiKey Previous)> RotateAsync(Actor actor, string id, TimeSpan? overlap, CancellationToken ct = default)
    {
        Require(actor);
        var window = overlap ?? DefaultOverlap;
        if (window < TimeSpan.Zero || window > MaxOverlap)
        {
            throw new DomainValidationException("overlap_minutes", $"overlap_minutes must lie between 0 and {(int)MaxOverlap.TotalMinutes}.");
        }

        var now = clock.GetUtcNow();
        await using var db = await factory.OpenAsync(actor, "rotate api key", ct);
        var old = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotFoundException("api_key", id);
        if (old.ReplacedBy is not null)
        {
            throw new DomainConflictException($"The key {id} was already rotated (to {old.ReplacedBy}).", "rotated");
        }

        if (!old.IsUsableAt(now))
        {
            throw new DomainConflictException($"The key {id} is revoked or expired: create a new key instead.", "unusable");
        }

        var (secret, prefix, hash) = NewSecret(old.Environment);
        var successor = new ApiKey(old.Name, prefix, hash, old.Environment, old.ScopeList, old.PartnerId, old.TenantId, old.ServiceAppId, actor.UserId, now,
            old.ExpiresAt is { } e && e > now ? e : null);
        old.RotateTo(successor, now + window);
        db.ApiKeys.Add(successor);
        await db.SaveChangesAsync(ct);
        return (successor, secret, old);
    }

    /// <summary>Revokes a key at once (the next request with it is a 401). Revoking a revoked key changes nothing.</summary>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<ApiKey> RevokeAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "revoke api key", ct);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotFoundException("api_key", id);
        key.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return key;
    }

    /// <summary>
    /// The actor a presented secret stands for, or null when it is malformed, unknown, revoked, expired or past its
    /// rotation overlap. One indexed lookup by hash; the last-use time and address are written at most once a minute
    /// (and at once on a change of address; an address the key never used before is audited as <see cref="FirstUseAction"/>).
    /// </summary>
    /// <param name="presented">The secret as sent (X-API-Key, or Authorization: ApiKey ...).</param>
    /// <param name="ip">The client address (text), or null.</param>
    /// <param name="ct">Cancels the lookup.</param>
    public async Task<(Actor Actor, ApiKey Key)?> AuthenticateAsync(string? presented, string? ip, CancellationToken ct = default)
    {
        if (!IsWellFormed(presented))
        {
            return null;
        }

        var hash = Hash(presented!);
        var now = clock.GetUtcNow();
        await using var db = factory.ForPlatform("api-key-auth");
        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash, ct);
        if (key is null || !key.IsUsableAt(now))
        {
            return null;
        }

        var newAddress = ip is not null && ip != key.LastUsedIp;
        if (newAddress || key.LastUsedAt is null || now - key.LastUsedAt >= UseRecordInterval)
        {
            // Not through the change tracker: a use is not an edit of the key (no "updated" audit row per minute).
            await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now).SetProperty(k => k.LastUsedIp, ip), ct);
            // An address this key has not used before (not just a change back to an earlier one) is audited once.
            var marker = $"\"ip\":\"{ip}\"";
            if (newAddress && !await db.AuditLog.IgnoreQueryFilters().AnyAsync(a => a.EntityId == key.Id && a.Action == FirstUseAction && a.AfterJson!.Contains(marker), ct))
            {
                db.AuditLog.Add(new AuditEntry(ActorId(key.Id), key.PartnerId, key.TenantId, FirstUseAction, "ApiKey", key.Id, null,
                    System.Text.Json.JsonSerializer.Serialize(new { ip, previous_ip = key.LastUsedIp }), now));
                await db.SaveChangesAsync(ct);
            }
        }

        return (new Actor(ActorId(key.Id), key.PartnerId, key.TenantId, [], key.ScopeList), key);
    }

    /// <summary>True for the shape sck_live_|sck_test_ + 48 lowercase hex characters.</summary>
    public static bool IsWellFormed(string? presented) =>
        presented is { Length: 9 + SecretHexLength }
        && (presented.StartsWith("sck_live_", StringComparison.Ordinal) || presented.StartsWith("sck_test_", StringComparison.Ordinal))
        && !presented.AsSpan(9).ContainsAnyExcept(LowerHex);

    /// <summary>Lowercase hex SHA-256 of the whole secret (what the table stores).</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static (string Secret, string Prefix, string Hash) NewSecret(ApiKeyEnvironment environment)
    {
        var secret = (environment == ApiKeyEnvironment.Live ? "sck_live_" : "sck_test_") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretHexLength / 2));
        return (secret, secret[..DisplayPrefixLength], Hash(secret));
    }

    private static string[] CheckScopes(Actor actor, IReadOnlyList<string>? requested, bool tenantKey)
    {
        var scopes = (requested ?? []).Select(s => s?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToArray();
        if (scopes.Length == 0)
        {
            throw new DomainValidationException("scopes", "Name at least one scope, e.g. \"catalog:read\".");
        }

        foreach (var scope in scopes)
        {
            if (!Permissions.All.Contains(scope))
            {
                throw new DomainValidationException("scopes", $"'{scope}' is not a permission; known: {string.Join(", ", Permissions.All)}.");
            }

            if (!actor.Can(scope))
            {
                throw new DomainValidationException("scopes", $"You can't grant '{scope}': you don't hold it yourself.");
            }

            if (tenantKey && !Roles.ScopesOf(Roles.TenantAdmin).Contains(scope))
            {
                throw new DomainValidationException("scopes", $"A tenant's key can't carry '{scope}'; a tenant key may hold: {string.Join(", ", Roles.ScopesOf(Roles.TenantAdmin))}.");
            }
        }

        return scopes;
    }

    private static void Require(Actor actor)
    {
        if (!actor.Can(Permissions.UsersWrite))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.UsersWrite}' is required.");
        }
    }

    private static void RequireRead(Actor actor)
    {
        if (!actor.Can(Permissions.UsersRead))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.UsersRead}' is required.");
        }
    }
}
