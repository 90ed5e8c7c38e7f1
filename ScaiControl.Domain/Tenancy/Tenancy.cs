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

    /// <summary>
    /// Creates the local copy of an identity first seen at sign-in: the id is the identity provider's "sub" (so a
    /// token's sub finds it again), or a new usr_ id when the sub does not fit an id column.
    /// </summary>
    public static User FromIdentity(string subject, string email, string displayName, string partnerId, string? tenantId, IEnumerable<string> roles, DateTimeOffset now)
    {
        var user = new User(email, displayName, partnerId, tenantId, roles, now);
        if (!string.IsNullOrWhiteSpace(subject) && subject.Length <= Ids.MaxLength)
        {
            user.Id = subject;
        }

        return user;
    }

    /// <summary>
    /// Takes the canonical profile from the identity provider (ScaiKey's /auth/me): e-mail, display name and roles.
    /// Returns true when anything changed.
    /// </summary>
    public bool ApplyIdentity(string email, string displayName, IEnumerable<string> roles)
    {
        var newEmail = Guard.Email(email, "email");
        var newName = Guard.Text(displayName, "display_name", 200);
        var newRoles = string.Join(' ', roles.Distinct(StringComparer.Ordinal));
        var changed = newEmail != Email || newName != DisplayName || newRoles != Roles;
        (Email, DisplayName, Roles) = (newEmail, newName, newRoles);
        return changed;
    }

    public string Id { get; private set; } = default!;
    public string Email { get; private set; } = default!;
    public string DisplayName { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string? TenantId { get; private set; }

    /// <summary>Space-separated role names.</summary>
    public string Roles { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The role names as a list.</summary>
    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The scopes the user's roles grant (see <see cref="Tenancy.Roles.ScopesOf"/>).</summary>
    public IReadOnlyList<string> Scopes => RoleList.SelectMany(Tenancy.Roles.ScopesOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
