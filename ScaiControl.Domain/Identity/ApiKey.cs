using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Identity;

/// <summary>Which environment a service API key is for; part of the secret's format (sck_live_... / sck_test_...).</summary>
public enum ApiKeyEnvironment
{
    /// <summary>Production keys: "sck_live_...".</summary>
    Live,

    /// <summary>Test keys: "sck_test_...".</summary>
    Test,
}

/// <summary>
/// A service API key (issue 11; peer spec 003: API keys per organisation): created for a partner, a tenant or a
/// registered service, shown once, stored as the SHA-256 of the whole secret only, with a short display prefix. Resolves
/// to the same actor (partner, tenant, scopes) a token would. Rotation keeps the old key valid until
/// <see cref="OverlapUntil"/>; revocation takes effect at once. Owned by a partner (and tenant) like other owned rows.
/// </summary>
public sealed class ApiKey : IPartnerOwned
{
    /// <summary>Length of <see cref="Hash"/>: lowercase hex of SHA-256.</summary>
    public const int HashLength = 64;

    /// <summary>Longest display prefix, e.g. "sck_live_ab12".</summary>
    public const int MaxPrefixLength = 32;

    private ApiKey() { }

    /// <summary>
    /// Creates a key. <paramref name="hash"/> is the lowercase hex SHA-256 of the whole secret (the secret itself is
    /// never stored); <paramref name="prefix"/> its short display form; <paramref name="scopes"/> "scope:action" names.
    /// </summary>
    public ApiKey(string name, string prefix, string hash, ApiKeyEnvironment environment, IEnumerable<string> scopes, string partnerId,
        string? tenantId, string? serviceAppId, string createdBy, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        if (hash.Length != HashLength || !hash.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            throw new DomainValidationException("hash", "The key hash must be 64 lowercase hex characters (SHA-256).");
        }

        if (expiresAt is { } e && e <= now)
        {
            throw new DomainValidationException("expires_at", "expires_at must lie in the future.");
        }

        Id = Ids.New("key");
        Name = Guard.Text(name, "name", 200);
        Prefix = Guard.Text(prefix, "prefix", MaxPrefixLength);
        Hash = hash;
        Environment = environment;
        Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        PartnerId = partnerId;
        TenantId = tenantId;
        ServiceAppId = serviceAppId;
        CreatedBy = createdBy;
        CreatedAt = now;
        ExpiresAt = expiresAt;
    }

    public string Id { get; private set; } = default!;
    public string Name { get; private set; } = default!;

    /// <summary>Short display prefix of the secret, e.g. "sck_live_ab12"; safe to show.</summary>
    public string Prefix { get; private set; } = default!;

    /// <summary>Lowercase hex SHA-256 of the whole secret; unique.</summary>
    public string Hash { get; private set; } = default!;

    public ApiKeyEnvironment Environment { get; private set; }

    /// <summary>Space-separated "scope:action" permissions the key grants.</summary>
    public string Scopes { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The tenant the key acts for; null for a partner-level or service key.</summary>
    public string? TenantId { get; private set; }

    /// <summary>The registered service's app_id the key belongs to, if any.</summary>
    public string? ServiceAppId { get; private set; }

    /// <summary>Who created it (user id).</summary>
    public string CreatedBy { get; private set; } = default!;

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the key stops working; null for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>Last time the key authenticated a request.</summary>
    public DateTimeOffset? LastUsedAt { get; private set; }

    /// <summary>The client address of that request (IPv4 or IPv6 text).</summary>
    public string? LastUsedIp { get; private set; }

    /// <summary>When the key was revoked; a revoked key never works again.</summary>
    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>The key that replaced this one by rotation.</summary>
    public string? ReplacedBy { get; private set; }

    /// <summary>The key this one was rotated from.</summary>
    public string? RotatedFrom { get; private set; }

    /// <summary>After a rotation, the old key keeps working until this instant.</summary>
    public DateTimeOffset? OverlapUntil { get; private set; }

    /// <summary>The scopes as a list.</summary>
    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when the key authenticates at <paramref name="now"/>: not revoked, not expired, within any rotation overlap.</summary>
    public bool IsUsableAt(DateTimeOffset now) =>
        RevokedAt is null && (ExpiresAt is null || now < ExpiresAt) && (OverlapUntil is null || now < OverlapUntil);

    /// <summary>Records a use from <paramref name="ip"/>; returns true when the address is new for this key (audited as first use).</summary>
    public bool RecordUse(DateTimeOffset now, string? ip)
    {
        var newAddress = ip is not null && ip != LastUsedIp;
        LastUsedAt = now;
        LastUsedIp = ip is { Length: > 45 } ? ip[..45] : ip;
        return newAddress;
    }

    /// <summary>Revokes the key at once; a second revoke is a no-op.</summary>
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    /// <summary>Marks this key replaced by <paramref name="successor"/>, usable until <paramref name="overlapUntil"/>.</summary>
    public void RotateTo(ApiKey successor, DateTimeOffset overlapUntil)
    {
        if (RevokedAt is not null)
        {
            throw new DomainConflictException("A revoked key cannot be rotated.", "revoked");
        }

        ReplacedBy = successor.Id;
        OverlapUntil = overlapUntil;
        successor.RotatedFrom = Id;
    }
}
