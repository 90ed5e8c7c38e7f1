using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>A local role assignment as the admin pages show it.</summary>
public sealed record AssignmentView(string Id, string Role, string AssignedBy, DateTimeOffset AssignedAt);

/// <summary>A user row of the admin list: the user, its ScaiKey roles, local assignments and groups (id → name).</summary>
public sealed record UserView(User User, IReadOnlyList<AssignmentView> Assignments, IReadOnlyList<KeyValuePair<string, string>> Groups);

/// <summary>A group row of the admin list: the group, its members (user id → display name) and its local role assignments.</summary>
public sealed record GroupView(Group Group, IReadOnlyList<KeyValuePair<string, string>> Members, IReadOnlyList<AssignmentView> Assignments);

/// <summary>
/// Users, groups and local role assignments for the admin pages (and the same calls for any other surface). Reading
/// needs users:read, changing users:write; both stay inside the actor's partner (or tenant) through the tenant filter,
/// the operator sees every partner. A role can only be assigned by an actor who holds every scope it grants (no
/// escalation), super_admin only by super_admin, and the platform roles (super_admin, operator) only to users and groups
/// of the operator's own partner. Every change is audited (the role_assignments row, created or deleted)
/// and drops the cached effective permissions.
/// </summary>
public sealed class IdentityAdminService(ScaiDbFactory factory, EffectivePermissionService permissions, TimeProvider clock)
{
    /// <summary>A page of the users the actor may see, newest first, optionally those whose e-mail or name contains <paramref name="search"/>.</summary>
    /// <exception cref="DomainValidationException">Bad limit or cursor.</exception>
    public async Task<Page<UserView>> UsersAsync(Actor actor, string? search, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        await using var db = await factory.OpenAsync(actor, "list users", ct);
        var query = db.Users.AsNoTracking();
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(...) LIKE on every provider
            query = query.Where(u => u.Email.ToLower().Contains(term) || u.DisplayName.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, u => u.Id, cursor, limit, ct);
        var ids = page.Items.Select(u => u.Id).ToList();
        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.UserId != null && ids.Contains(a.UserId)).OrderBy(a => a.Role).ToListAsync(ct);
        var groups = await (from m in db.UserGroups.AsNoTracking()
                            join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
                            where ids.Contains(m.UserId)
                            orderby g.Name
                            select new { m.UserId, g.Id, g.Name }).ToListAsync(ct);
        return new Page<UserView>(page.Items.Select(u => new UserView(
            u,
            assignments.Where(a => a.UserId == u.Id).Select(View).ToArray(),
            groups.Where(g => g.UserId == u.Id).Select(g => KeyValuePair.Create(g.Id, g.Name)).ToArray())).ToList(), page.NextCursor);
    }

    /// <summary>One user the actor may see, with local assignments and groups.</summary>
    /// <exception cref="NotFoundException">No such user in the actor's scope.</exception>
    public async Task<UserView> UserAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        await using var db = await factory.OpenAsync(actor, "read user", ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw new NotFoundException("user", userId);
        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.UserId == user.Id).OrderBy(a => a.Role).ToListAsync(ct);
        var groups = await (from m in db.UserGroups.AsNoTracking()
                            join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
                            where m.UserId == user.Id
                            orderby g.Name
                            select new { g.Id, g.Name }).ToListAsync(ct);
        return new UserView(user, assignments.Select(View).ToArray(), groups.Select(g => KeyValuePair.Create(g.Id, g.Name)).ToArray());
    }

    /// <summary>The groups the actor may see, by name, with members and role assignments.</summary>
    public async Task<IReadOnlyList<GroupView>> GroupsAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        await using var db = await factory.OpenAsync(actor, "list groups", ct);
        var groups = await db.Groups.AsNoTracking().OrderBy(g => g.Name).Take(1000).ToListAsync(ct);
        var ids = groups.Select(g => g.Id).ToList();
        var members = await (from m in db.UserGroups.AsNoTracking()
                             join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                             where ids.Contains(m.GroupId)
                             orderby u.DisplayName
                             select new { m.GroupId, u.Id, u.DisplayName }).ToListAsync(ct);
        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.GroupId != null && ids.Contains(a.GroupId)).OrderBy(a => a.Role).ToListAsync(ct);
        return groups.Select(g => new GroupView(
            g,
            members.Where(m => m.GroupId == g.Id).Select(m => KeyValuePair.Create(m.Id, m.DisplayName)).ToArray(),
            assignments.Where(a => a.GroupId == g.Id).Select(View).ToArray())).ToList();
    }

    /// <summary>Every role (built-in first), with the scopes it grants.</summary>
    public async Task<IReadOnlyList<Role>> RolesAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        await using var db = factory.ForPlatform(actor.UserId);
        var roles = await db.Roles.AsNoTracking().ToListAsync(ct);
        return roles.Select(r => r.BuiltIn && Roles.IsBuiltIn(r.Name) ? new Role(r.Name, Roles.DescriptionOf(r.Name), Roles.ScopesOf(r.Name), true) : r)
            .OrderBy(r => r.BuiltIn ? Roles.BuiltIn.ToList().IndexOf(r.Name) : int.MaxValue).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The roles the actor may hand out (it holds every scope of each; super_admin only for super_admin), to a subject of
    /// partner <paramref name="subjectPartnerId"/> when given (the platform roles only to the operator's own partner), and of
    /// tenant <paramref name="subjectTenantId"/> when given (no partner-wide role: see <see cref="PartnerWideRoles"/>).
    /// </summary>
    public async Task<IReadOnlyList<Role>> AssignableRolesAsync(Actor actor, string? subjectPartnerId = null, string? subjectTenantId = null, CancellationToken ct = default)
    {
        var operatorPartner = subjectPartnerId is not null && await IsOperatorPartnerAsync(subjectPartnerId, ct);
        return (await RolesAsync(actor, ct))
            .Where(r => MayAssign(actor, r) && (subjectPartnerId is null || operatorPartner || !PlatformRoles.Contains(r.Name)))
            .Where(r => subjectTenantId is null || !PartnerWideRoles.Contains(r.Name))
            .ToList();
    }

    /// <summary>
    /// Built-in roles that act for a whole partner or the platform: never for a user or group of one tenant, whose data scope
    /// is that tenant (a tenant user holding partner_admin would read as a partner administrator yet see one tenant).
    /// </summary>
    public static IReadOnlySet<string> PartnerWideRoles { get; } =
        new HashSet<string>(StringComparer.Ordinal) { Roles.SuperAdmin, Roles.Operator, Roles.PartnerAdmin, Roles.Service };

    /// <summary>Roles that act for the platform: only for users and groups of the operator's own partner.</summary>
    public static IReadOnlySet<string> PlatformRoles { get; } = new HashSet<string>(StringComparer.Ordinal) { Roles.SuperAdmin, Roles.Operator };

    private async Task<bool> IsOperatorPartnerAsync(string partnerId, CancellationToken ct)
    {
        await using var db = factory.ForPlatform("system:permissions");
        return await db.Partners.IgnoreQueryFilters().AsNoTracking().AnyAsync(p => p.Id == partnerId && p.IsOperator, ct);
    }

    /// <summary>The effective permissions of a user the actor may see, with the role or group behind each scope.</summary>
    /// <exception cref="NotFoundException">No such user in the actor's scope.</exception>
    public async Task<(User User, EffectivePermissions Permissions)> ExplainAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        await using var db = await factory.OpenAsync(actor, "explain permissions", ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw new NotFoundException("user", userId);
        var effective = await permissions.ForUserAsync(user.Id, ct) ?? throw new NotFoundException("user", userId);
        return (user, effective);
    }

    /// <summary>Assigns <paramref name="role"/> locally to user <paramref name="userId"/>; assigning a role it already holds changes nothing.</summary>
    /// <exception cref="NotFoundException">No such user in scope, or no such role.</exception>
    /// <exception cref="UnauthorizedAccessException">The actor may not hand out this role.</exception>
    public async Task<AssignmentView> AssignToUserAsync(Actor actor, string userId, string role, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersWrite);
        await using var db = await factory.OpenAsync(actor, "assign role", ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw new NotFoundException("user", userId);
        await CheckAssignableAsync(actor, db, role, ct);
        await CheckPlatformRoleAsync(role, user.PartnerId, user.TenantId, ct);
        var existing = await db.RoleAssignments.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == user.Id && a.Role == role, ct);
        if (existing is not null)
        {
            return View(existing);
        }

        var assignment = RoleAssignment.ToUser(role, user, actor.UserId, clock.GetUtcNow());
        db.RoleAssignments.Add(assignment);
        await db.SaveChangesAsync(ct);
        await permissions.InvalidateAllAsync(ct);
        return View(assignment);
    }

    /// <summary>Assigns <paramref name="role"/> locally to group <paramref name="groupId"/> (every member gets its scopes).</summary>
    /// <exception cref="NotFoundException">No such group in scope, or no such role.</exception>
    /// <exception cref="UnauthorizedAccessException">The actor may not hand out this role.</exception>
    public async Task<AssignmentView> AssignToGroupAsync(Actor actor, string groupId, string role, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersWrite);
        await using var db = await factory.OpenAsync(actor, "assign role", ct);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId, ct) ?? throw new NotFoundException("group", groupId);
        await CheckAssignableAsync(actor, db, role, ct);
        await CheckPlatformRoleAsync(role, group.PartnerId, group.TenantId, ct);
        var existing = await db.RoleAssignments.AsNoTracking().FirstOrDefaultAsync(a => a.GroupId == group.Id && a.Role == role, ct);
        if (existing is not null)
        {
            return View(existing);
        }

        var assignment = RoleAssignment.ToGroup(role, group, actor.UserId, clock.GetUtcNow());
        db.RoleAssignments.Add(assignment);
        await db.SaveChangesAsync(ct);
        await permissions.InvalidateAllAsync(ct);
        return View(assignment);
    }

    /// <summary>Removes a local role assignment (of a user or a group). ScaiKey's roles on a user are ScaiKey's and cannot be removed here.</summary>
    /// <exception cref="NotFoundException">No such assignment in scope.</exception>
    /// <exception cref="UnauthorizedAccessException">The actor may not hand out (so not take back) this role.</exception>
    public async Task RemoveAsync(Actor actor, string assignmentId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersWrite);
        await using var db = await factory.OpenAsync(actor, "remove role", ct);
        var assignment = await db.RoleAssignments.FirstOrDefaultAsync(a => a.Id == assignmentId, ct) ?? throw new NotFoundException("role_assignment", assignmentId);
        await CheckAssignableAsync(actor, db, assignment.Role, ct);
        db.RoleAssignments.Remove(assignment);
        await db.SaveChangesAsync(ct);
        await permissions.InvalidateAllAsync(ct);
    }

    private async Task CheckPlatformRoleAsync(string role, string partnerId, string? tenantId, CancellationToken ct)
    {
        if (tenantId is not null && PartnerWideRoles.Contains(role))
        {
            throw new DomainValidationException("role", $"'{role}' acts for a whole partner: a tenant's users and groups can hold tenant roles only (tenant_admin, billing_viewer or a custom role).");
        }

        if (PlatformRoles.Contains(role) && !await IsOperatorPartnerAsync(partnerId, ct))
        {
            throw new DomainValidationException("role", $"'{role}' acts for the whole platform: it can only be given to users and groups of the operator.");
        }
    }

    private static async Task CheckAssignableAsync(Actor actor, ScaiDbContext db, string role, CancellationToken ct)
    {
        var stored = await db.Roles.AsNoTracking().FirstOrDefaultAsync(r => r.Name == role, ct) ?? throw new NotFoundException("role", role);
        var effective = stored.BuiltIn && Roles.IsBuiltIn(role) ? new Role(role, Roles.DescriptionOf(role), Roles.ScopesOf(role), true) : stored;
        if (!MayAssign(actor, effective))
        {
            throw new UnauthorizedAccessException($"Assigning '{role}' needs every permission it grants.");
        }
    }

    private static bool MayAssign(Actor actor, Role role) =>
        actor.IsSuperAdmin || (role.Name != Roles.SuperAdmin && actor.Can(Permissions.UsersWrite) && role.ScopeList.All(actor.Can));

    private static AssignmentView View(RoleAssignment a) => new(a.Id, a.Role, a.AssignedBy, a.AssignedAt);
}
