using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Tenancy;

/// <summary>A partner: resells to its own tenants, or is the operator itself (spec 000, tenancy hierarchy).</summary>
public sealed class Partner
{
    private Partner() { }

    /// <summary>Creates a partner. <paramref name="isOperator"/> marks the platform operator's own partner.</summary>
    public Partner(string name, bool isOperator, DateTimeOffset now)
    {
        Id = Ids.New("ptr");
        Name = Guard.Text(name, "name", 200);
        IsOperator = isOperator;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public bool IsOperator { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Renames the partner.</summary>
    public void Rename(string name) => Name = Guard.Text(name, "name", 200);
}

/// <summary>A tenant: the billable entity, which has users (spec 000).</summary>
public sealed class Tenant : IPartnerOwned
{
    private Tenant() { }

    /// <summary>Creates a tenant of a partner.</summary>
    public Tenant(string partnerId, string name, DateTimeOffset now)
    {
        Id = Ids.New("tnt");
        PartnerId = partnerId;
        Name = Guard.Text(name, "name", 200);
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Renames the tenant.</summary>
    public void Rename(string name) => Name = Guard.Text(name, "name", 200);
}

/// <summary>
/// A user, a denormalised copy of the ScaiKey identity (spec 000: ScaiKey owns identity). A user belongs to a
/// partner, and to a tenant unless a partner-level or operator user.
/// </summary>
public sealed class User
{
    private User() { }

    /// <summary>Creates a user. <paramref name="roles"/> are role names from <see cref="Roles"/>.</summary>
    public User(string email, string displayName, string partnerId, string? tenantId, IEnumerable<string> roles, DateTimeOffset now)
    {
        Id = Ids.New("usr");
        Email = Guard.Email(email, "email");
        DisplayName = Guard.Text(displayName, "display_name", 200);
        PartnerId = partnerId;
        TenantId = tenantId;
        Roles = string.Join(' ', roles);
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string Email { get; private set; } = default!;
    public string DisplayName { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string? TenantId { get; private set; }

    /// <summary>Space-separated role names.</summary>
    public string Roles { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>ScaiKey's subject ("sub") for a user reflected from ScaiKey; unique when set; null for a local-only user.</summary>
    public string? ExternalId { get; private set; }

    /// <summary>Active, or deactivated (gone from ScaiKey or switched off); a deactivated user is never deleted (its audit trail stays).</summary>
    public UserStatus Status { get; private set; } = UserStatus.Active;

    /// <summary>Where the row comes from: created here, or reflected from ScaiKey by the identity sync or a sign-in.</summary>
    public UserSource Source { get; private set; } = UserSource.Local;

    /// <summary>The last successful sign-in (UTC), null before the first.</summary>
    public DateTimeOffset? LastSignInAt { get; private set; }

    /// <summary>The last change to the row's identity fields (UTC); the creation time until then.</summary>
    public DateTimeOffset? UpdatedAt { get; private set; }

    /// <summary>True unless deactivated.</summary>
    public bool IsActive => Status == UserStatus.Active;

    /// <summary>
    /// Creates a user reflected from ScaiKey (identity sync or first sign-in): <paramref name="externalId"/> is ScaiKey's
    /// subject, <paramref name="roles"/> the roles ScaiKey gives the user (local role assignments live apart, in role_assignments).
    /// </summary>
    public static User FromScaiKey(string externalId, string email, string displayName, string partnerId, string? tenantId, IEnumerable<string> roles, DateTimeOffset now)
    {
        var user = new User(email, displayName, partnerId, tenantId, roles, now)
        {
            ExternalId = Guard.Text(externalId, "external_id", 200),
            Source = UserSource.ScaiKey,
            UpdatedAt = now,
        };
        return user;
    }

    /// <summary>
    /// Applies ScaiKey's current view of the user (e-mail, name, tenancy, ScaiKey roles) and reactivates it when it was
    /// deactivated. Returns true when anything changed. Never touches local role assignments.
    /// </summary>
    public bool ApplyScaiKey(string externalId, string email, string displayName, string partnerId, string? tenantId, IEnumerable<string> roles, DateTimeOffset now)
    {
        var newEmail = Guard.Email(email, "email");
        var newName = Guard.Text(displayName, "display_name", 200);
        var newExternal = Guard.Text(externalId, "external_id", 200);
        var newRoles = string.Join(' ', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var changed = newEmail != Email || newName != DisplayName || partnerId != PartnerId || tenantId != TenantId
            || newRoles != string.Join(' ', RoleList.Order(StringComparer.Ordinal)) || newExternal != ExternalId
            || Status != UserStatus.Active || Source != UserSource.ScaiKey;
        if (!changed)
        {
            return false;
        }

        (Email, DisplayName, PartnerId, TenantId, Roles, ExternalId) = (newEmail, newName, partnerId, tenantId, newRoles, newExternal);
        Status = UserStatus.Active;
        Source = UserSource.ScaiKey;
        UpdatedAt = now;
        return true;
    }

    /// <summary>Deactivates the user (gone from ScaiKey, or switched off); returns false when it already was.</summary>
    public bool Deactivate(DateTimeOffset now)
    {
        if (Status == UserStatus.Deactivated)
        {
            return false;
        }

        Status = UserStatus.Deactivated;
        UpdatedAt = now;
        return true;
    }

    /// <summary>Records a successful sign-in (portal, or a token refresh) at <paramref name="now"/> (UTC).</summary>
    public void RecordSignIn(DateTimeOffset now) => LastSignInAt = now;

    /// <summary>The role names as a list.</summary>
    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The scopes the user's roles grant (see <see cref="Tenancy.Roles.ScopesOf"/>).</summary>
    public IReadOnlyList<string> Scopes => RoleList.SelectMany(Tenancy.Roles.ScopesOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>Whether a user (or group) may act: active, or deactivated (never deleted).</summary>
public enum UserStatus
{
    /// <summary>May sign in and act.</summary>
    Active,

    /// <summary>Switched off or gone from ScaiKey; kept for its audit trail.</summary>
    Deactivated,
}

/// <summary>Where a user row comes from.</summary>
public enum UserSource
{
    /// <summary>Created in ScaiControl (demo seed, development sign-in, CLI).</summary>
    Local,

    /// <summary>Reflected from ScaiKey (identity sync or sign-in); ScaiKey owns its identity fields.</summary>
    ScaiKey,
}
