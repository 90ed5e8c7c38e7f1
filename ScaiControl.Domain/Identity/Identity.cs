using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Domain.Identity;

/// <summary>
/// A group of users, reflected from ScaiKey (spec 002, migrations 003-005: users, groups and user_groups populated by
/// the identity sync). Role bundles are assigned to groups locally (<see cref="RoleAssignment"/>); every member gets
/// the group's role scopes. Belongs to a partner and, optionally, to one of its tenants.
/// </summary>
public sealed class Group : IPartnerOwned
{
    private Group() { }

    /// <summary>Creates a group; <paramref name="externalId"/> is ScaiKey's group id (null for a local group).</summary>
    public Group(string partnerId, string? tenantId, string name, string? externalId, DateTimeOffset now)
    {
        Id = Ids.New("grp");
        PartnerId = partnerId;
        TenantId = tenantId;
        Name = Guard.Text(name, "name", 200);
        ExternalId = Guard.OptionalText(externalId, "external_id", 200);
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The tenant the group belongs to; null for a partner-level group.</summary>
    public string? TenantId { get; private set; }

    public string Name { get; private set; } = default!;

    /// <summary>ScaiKey's group id; unique when set.</summary>
    public string? ExternalId { get; private set; }

    /// <summary>Active, or deactivated (gone from ScaiKey): a deactivated group grants nothing.</summary>
    public UserStatus Status { get; private set; } = UserStatus.Active;

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Applies ScaiKey's view (name, tenancy) and reactivates the group; returns true when anything changed.</summary>
    public bool ApplyScaiKey(string name, string partnerId, string? tenantId, DateTimeOffset now)
    {
        var newName = Guard.Text(name, "name", 200);
        if (newName == Name && partnerId == PartnerId && tenantId == TenantId && Status == UserStatus.Active)
        {
            return false;
        }

        (Name, PartnerId, TenantId, Status, UpdatedAt) = (newName, partnerId, tenantId, UserStatus.Active, now);
        return true;
    }

    /// <summary>Deactivates the group; returns false when it already was.</summary>
    public bool Deactivate(DateTimeOffset now)
    {
        if (Status == UserStatus.Deactivated)
        {
            return false;
        }

        (Status, UpdatedAt) = (UserStatus.Deactivated, now);
        return true;
    }
}

/// <summary>Membership of a user in a group (table user_groups), as ScaiKey reports it.</summary>
public sealed class UserGroup
{
    private UserGroup() { }

    /// <summary>Makes <paramref name="userId"/> a member of <paramref name="groupId"/>.</summary>
    public UserGroup(string userId, string groupId, DateTimeOffset now)
    {
        UserId = userId;
        GroupId = groupId;
        AddedAt = now;
    }

    public string UserId { get; private set; } = default!;
    public string GroupId { get; private set; } = default!;
    public DateTimeOffset AddedAt { get; private set; }
}

/// <summary>
/// A role as data: a named bundle of "scope:action" permissions (spec 001: role + scope authorisation). Built-in roles
/// (<see cref="BuiltIn"/>) mirror <see cref="Tenancy.Roles"/> and are kept in step with it; others are defined locally.
/// </summary>
public sealed class Role
{
    /// <summary>Longest role name.</summary>
    public const int MaxNameLength = 64;

    private Role() { }

    /// <summary>Creates a role granting <paramref name="scopes"/>.</summary>
    public Role(string name, string description, IEnumerable<string> scopes, bool builtIn)
    {
        Name = Guard.Text(name, "name", MaxNameLength);
        Description = Guard.Text(description, "description", 500);
        Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        BuiltIn = builtIn;
    }

    /// <summary>The role's name, e.g. "tenant_admin" (primary key).</summary>
    public string Name { get; private set; } = default!;

    public string Description { get; private set; } = default!;

    /// <summary>Space-separated "scope:action" permissions.</summary>
    public string Scopes { get; private set; } = default!;

    /// <summary>True for the roles ScaiControl defines (<see cref="Tenancy.Roles"/>): not editable.</summary>
    public bool BuiltIn { get; private set; }

    /// <summary>The scopes as a list.</summary>
    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Replaces description and scopes; returns true when anything changed.</summary>
    public bool Redefine(string description, IEnumerable<string> scopes)
    {
        var newScopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var newDescription = Guard.Text(description, "description", 500);
        if (newScopes == Scopes && newDescription == Description)
        {
            return false;
        }

        (Scopes, Description) = (newScopes, newDescription);
        return true;
    }
}

/// <summary>
/// A role assigned locally to a user or to a group (exactly one of <see cref="UserId"/> and <see cref="GroupId"/>).
/// The identity sync never overwrites or removes these (spec 002 migration 013: the sync merges with local role
/// assignments). Carries the subject's partner and tenant so the tenant filter applies.
/// </summary>
public sealed class RoleAssignment : IPartnerOwned
{
    private RoleAssignment() { }

    private RoleAssignment(string role, string? userId, string? groupId, string partnerId, string? tenantId, string assignedBy, DateTimeOffset now)
    {
        Id = Ids.New("ras");
        Role = role;
        UserId = userId;
        GroupId = groupId;
        PartnerId = partnerId;
        TenantId = tenantId;
        AssignedBy = assignedBy;
        AssignedAt = now;
    }

    /// <summary>Assigns <paramref name="role"/> to <paramref name="user"/>.</summary>
    public static RoleAssignment ToUser(string role, User user, string assignedBy, DateTimeOffset now) =>
        new(role, user.Id, null, user.PartnerId, user.TenantId, assignedBy, now);

    /// <summary>Assigns <paramref name="role"/> to every member of <paramref name="group"/>.</summary>
    public static RoleAssignment ToGroup(string role, Group group, string assignedBy, DateTimeOffset now) =>
        new(role, null, group.Id, group.PartnerId, group.TenantId, assignedBy, now);

    public string Id { get; private set; } = default!;

    /// <summary>The role's name (<see cref="Identity.Role.Name"/>).</summary>
    public string Role { get; private set; } = default!;

    /// <summary>The user holding the role, or null for a group assignment.</summary>
    public string? UserId { get; private set; }

    /// <summary>The group holding the role, or null for a user assignment.</summary>
    public string? GroupId { get; private set; }

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The subject's tenant; null for partner-level subjects.</summary>
    public string? TenantId { get; private set; }

    /// <summary>Who assigned it (user id, or "system:&lt;job&gt;").</summary>
    public string AssignedBy { get; private set; } = default!;

    public DateTimeOffset AssignedAt { get; private set; }
}

/// <summary>How an identity sync run ended.</summary>
public enum IdentitySyncStatus
{
    /// <summary>Still running (or the node died while running it).</summary>
    Running,

    /// <summary>Every page was read and applied.</summary>
    Succeeded,

    /// <summary>Applied, but some records were refused (see <see cref="IdentitySyncRun.Errors"/>).</summary>
    CompletedWithErrors,

    /// <summary>ScaiKey could not be read: nothing was deactivated.</summary>
    Failed,
}

/// <summary>
/// One run of the identity sync (spec 002 migration 013: `scaicontrol sync` pulls users and groups from ScaiKey), with
/// the counts of what it changed and the errors it met. Operator-only data.
/// </summary>
public sealed class IdentitySyncRun
{
    /// <summary>Longest stored error text.</summary>
    public const int MaxErrors = 8000;

    private IdentitySyncRun() { }

    /// <summary>Starts a run on <paramref name="node"/>, triggered by <paramref name="triggeredBy"/> (user id or "system:&lt;job&gt;").</summary>
    public IdentitySyncRun(string node, string triggeredBy, DateTimeOffset now)
    {
        Id = Ids.New("isr");
        Node = node;
        TriggeredBy = triggeredBy;
        StartedAt = now;
        Status = IdentitySyncStatus.Running;
    }

    public string Id { get; private set; } = default!;
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public IdentitySyncStatus Status { get; private set; }

    /// <summary>Users created.</summary>
    public int Created { get; private set; }

    /// <summary>Users updated (identity fields, roles or reactivation).</summary>
    public int Updated { get; private set; }

    /// <summary>Users deactivated (absent from ScaiKey or deactivated there).</summary>
    public int Deactivated { get; private set; }

    /// <summary>Groups created, updated or deactivated.</summary>
    public int Groups { get; private set; }

    /// <summary>One line per refused record or failure; null when none.</summary>
    public string? Errors { get; private set; }

    /// <summary>The node that ran it.</summary>
    public string Node { get; private set; } = default!;

    /// <summary>Who started it.</summary>
    public string TriggeredBy { get; private set; } = default!;

    /// <summary>Finishes the run with its counts; the status follows from <paramref name="errors"/> and <paramref name="failed"/>.</summary>
    public void Finish(int created, int updated, int deactivated, int groups, IReadOnlyList<string> errors, bool failed, DateTimeOffset now)
    {
        (Created, Updated, Deactivated, Groups, FinishedAt) = (created, updated, deactivated, groups, now);
        var text = errors.Count == 0 ? null : string.Join('\n', errors);
        Errors = text is { Length: > MaxErrors } ? text[..(MaxErrors - 1)] + "…" : text;
        Status = failed ? IdentitySyncStatus.Failed : errors.Count > 0 ? IdentitySyncStatus.CompletedWithErrors : IdentitySyncStatus.Succeeded;
    }
}
