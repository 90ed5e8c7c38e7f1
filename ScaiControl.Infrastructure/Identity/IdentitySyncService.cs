using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>
/// The identity sync (spec 002 migration 013: `scaicontrol sync` pulls users and groups from ScaiKey, merging with local
/// role assignments). Reads every page of ScaiKey's directory first; then creates, updates and deactivates users and
/// groups (never deletes them: their audit trail stays), sets memberships, and leaves local role assignments alone.
/// Idempotent (a second run with the same directory changes nothing), read-only towards ScaiKey, and records an
/// <see cref="IdentitySyncRun"/> with counts and errors. When the directory cannot be read the run fails and nothing
/// changes (in particular nobody is deactivated). A run is skipped while another one is running (several nodes).
/// </summary>
public sealed class IdentitySyncService(
    ScaiDbFactory factory, IScaiKeyDirectory directory, EffectivePermissionService permissions, IdentitySyncOptions options,
    NodeIdentity node, TimeProvider clock, ILogger<IdentitySyncService> logger)
{
    /// <summary>The actor recorded on the sync's writes.</summary>
    public const string SystemJob = "identity-sync";

    /// <summary>
    /// Runs the sync for <paramref name="actor"/> (the operator, or a system job). Returns the finished run, or the run
    /// already in progress (unchanged) when another node or command is running one.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The actor is not the operator.</exception>
    public async Task<IdentitySyncRun> RunAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator runs the identity sync.");
        }

        IdentitySyncRun run;
        await using (var db = await factory.ForSystemAsync(SystemJob, ct))
        {
            var now = clock.GetUtcNow();
            var since = now - options.RunLease;
            var running = await db.IdentitySyncRuns.AsNoTracking()
                .Where(r => r.Status == IdentitySyncStatus.Running && r.StartedAt > since).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
            if (running is not null)
            {
                return running;
            }

            run = new IdentitySyncRun(node.Id, actor.UserId, now);
            db.IdentitySyncRuns.Add(run);
            await db.SaveChangesAsync(ct);
        }

        var counts = new Counts();
        var failed = false;
        try
        {
            var groups = await directory.GroupsAsync(ct);
            var users = await directory.UsersAsync(ct);
            await ApplyAsync(groups, users, counts, ct);
        }
        catch (DirectoryUnavailableException e)
        {
            failed = true;
            counts.Errors.Add(e.Message);
            logger.LogWarning("Identity sync {RunId} failed: {Reason}", run.Id, e.Message);
        }
        catch (Exception e) when (e is DbUpdateException || e.InnerException is DbUpdateException)
        {
            // A concurrent write (another node's sync, a sign-in creating the same user; on PostgreSQL a deadlock that the
            // execution strategy gave up on arrives wrapped in InvalidOperationException): nothing of this pass was saved.
            failed = true;
            counts = new Counts();
            counts.Errors.Add("The changes could not be saved (a concurrent change); nothing was applied: " + e.GetBaseException().GetType().Name);
            logger.LogWarning(e, "Identity sync {RunId} could not save", run.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else still ends the run as failed with its reason, so no run is left "running" until its lease ends
            // (a later sync would return it instead of running).
            failed = true;
            counts = new Counts();
            counts.Errors.Add("The sync failed: " + e.GetBaseException().Message);
            logger.LogError(e, "Identity sync {RunId} failed", run.Id);
        }

        await using (var db = await factory.ForSystemAsync(SystemJob, CancellationToken.None))
        {
            var stored = await db.IdentitySyncRuns.SingleAsync(r => r.Id == run.Id, CancellationToken.None);
            stored.Finish(counts.Created, counts.Updated, counts.Deactivated, counts.Groups, counts.Errors, failed, clock.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            run = stored;
        }

        await permissions.InvalidateAllAsync(CancellationToken.None);
        return run;
    }

    /// <summary>The latest runs, newest first (operators and partner admins with users:read see them; counts are platform-wide).</summary>
    public async Task<IReadOnlyList<IdentitySyncRun>> RecentRunsAsync(Actor actor, int limit = 50, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.UsersRead);
        if (!actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator sees identity sync runs.");
        }

        await using var db = factory.ForPlatform(actor.UserId);
        return await db.IdentitySyncRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
    }

    private sealed class Counts
    {
        public int Created, Updated, Deactivated, Groups;
        public List<string> Errors { get; } = [];
    }

    private async Task ApplyAsync(IReadOnlyList<DirectoryGroup> remoteGroups, IReadOnlyList<DirectoryUser> remoteUsers, Counts counts, CancellationToken ct)
    {
        await using var db = await factory.ForSystemAsync(SystemJob, ct);
        var now = clock.GetUtcNow();
        var tenants = await db.Tenants.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.PartnerId, StringComparer.Ordinal, ct);
        var partners = (await db.Partners.AsNoTracking().Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        string? Tenancy(string kind, string id, string? partnerId, string? tenantId)
        {
            if (string.IsNullOrEmpty(partnerId) || !partners.Contains(partnerId))
            {
                return $"{kind} {id}: unknown partner_id '{partnerId}'";
            }

            return tenantId is not null && (!tenants.TryGetValue(tenantId, out var owner) || owner != partnerId)
                ? $"{kind} {id}: tenant_id '{tenantId}' is not a tenant of partner '{partnerId}'"
                : null;
        }

        // Groups.
        var groups = await db.Groups.Where(g => g.ExternalId != null).ToDictionaryAsync(g => g.ExternalId!, StringComparer.Ordinal, ct);
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        var listedGroups = remoteGroups.Select(g => g.Id).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var rg in remoteGroups)
        {
            if (string.IsNullOrWhiteSpace(rg.Id) || !seenGroups.Add(rg.Id))
            {
                counts.Errors.Add($"group '{rg.Id}': missing or repeated id");
                continue;
            }

            if (Tenancy("group", rg.Id, rg.PartnerId, Blank(rg.TenantId)) is { } error)
            {
                counts.Errors.Add(error);
                seenGroups.Remove(rg.Id);
                continue;
            }

            try
            {
                var deactivated = string.Equals(rg.Status, "deactivated", StringComparison.OrdinalIgnoreCase);
                if (!groups.TryGetValue(rg.Id, out var group))
                {
                    group = new Group(rg.PartnerId, Blank(rg.TenantId), rg.Name, rg.Id, now);
                    if (deactivated)
                    {
                        group.Deactivate(now);
                    }

                    db.Groups.Add(group);
                    groups[rg.Id] = group;
                    counts.Groups++;
                }
                else if (deactivated ? group.Deactivate(now) : group.ApplyScaiKey(rg.Name, rg.PartnerId, Blank(rg.TenantId), now))
                {
                    counts.Groups++;
                }
            }
            catch (DomainValidationException e)
            {
                counts.Errors.Add($"group {rg.Id}: {e.Field}: {e.Message}");
                seenGroups.Remove(rg.Id);
            }
        }

        foreach (var (externalId, group) in groups)
        {
            if (!listedGroups.Contains(externalId) && group.Deactivate(now))
            {
                counts.Groups++;
            }
        }

        // Users: matched by ScaiKey subject, else by e-mail (a local row of the same person is adopted, its id kept).
        var users = await db.Users.ToListAsync(ct);
        var byExternal = users.Where(u => u.ExternalId is not null).ToDictionary(u => u.ExternalId!, StringComparer.Ordinal);
        var byEmail = users.ToDictionary(u => u.Email, StringComparer.OrdinalIgnoreCase);
        var memberships = await db.UserGroups.ToListAsync(ct);
        var seenUsers = new HashSet<string>(StringComparer.Ordinal);
        var listedUsers = remoteUsers.Select(u => u.Id).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var ru in remoteUsers)
        {
            if (string.IsNullOrWhiteSpace(ru.Id) || !seenUsers.Add(ru.Id))
            {
                counts.Errors.Add($"user '{ru.Id}': missing or repeated id");
                continue;
            }

            var tenantId = Blank(ru.TenantId);
            if (Tenancy("user", ru.Id, ru.PartnerId, tenantId) is { } error)
            {
                counts.Errors.Add(error);
                // listed but not understood: neither changed nor deactivated
                continue;
            }

            var roles = (ru.Roles ?? []).Where(r => !string.IsNullOrWhiteSpace(r) && r.Length <= Role.MaxNameLength).ToArray();
            var name = string.IsNullOrWhiteSpace(ru.Name) ? ru.Email : ru.Name;
            try
            {
                byExternal.TryGetValue(ru.Id, out var user);
                if (user is null && ru.Email is not null && byEmail.TryGetValue(ru.Email, out var sameEmail) && (sameEmail.ExternalId is null || sameEmail.ExternalId == ru.Id))
                {
                    user = sameEmail;
                }
                else if (ru.Email is not null && byEmail.TryGetValue(ru.Email, out var other) && other != user)
                {
                    counts.Errors.Add($"user {ru.Id}: email '{ru.Email}' belongs to another user");
                    seenUsers.Remove(ru.Id);
                    continue;
                }

                var deactivated = string.Equals(ru.Status, "deactivated", StringComparison.OrdinalIgnoreCase);
                if (user is null)
                {
                    user = User.FromScaiKey(ru.Id, ru.Email!, name!, ru.PartnerId, tenantId, roles, now);
                    if (deactivated)
                    {
                        user.Deactivate(now);
                    }

                    db.Users.Add(user);
                    SetMemberships(db, user, ru.Groups ?? [], groups, seenGroups, memberships, now);
                    counts.Created++;
                }
                else if (deactivated)
                {
                    // Deactivated at ScaiKey: switched off here too; its other fields stay as last seen.
                    if (user.Deactivate(now))
                    {
                        counts.Deactivated++;
                    }
                }
                else
                {
                    byEmail.Remove(user.Email);
                    var changed = user.ApplyScaiKey(ru.Id, ru.Email!, name!, ru.PartnerId, tenantId, roles, now);
                    changed |= SetMemberships(db, user, ru.Groups ?? [], groups, seenGroups, memberships, now);
                    if (changed)
                    {
                        counts.Updated++;
                    }
                }

                byExternal[ru.Id] = user;
                byEmail[user.Email] = user;
            }
            catch (DomainValidationException e)
            {
                counts.Errors.Add($"user {ru.Id}: {e.Field}: {e.Message}");
                seenUsers.Remove(ru.Id);
            }
        }

        // Users ScaiKey no longer lists: deactivated, never deleted. Local-only users are not ScaiKey's to remove.
        foreach (var user in byExternal.Values.Distinct())
        {
            if (user.Source == UserSource.ScaiKey && !listedUsers.Contains(user.ExternalId!) && user.Deactivate(now))
            {
                counts.Deactivated++;
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private static bool SetMemberships(ScaiDbContext db, User user, IReadOnlyList<string> remote, Dictionary<string, Group> groups, HashSet<string> seenGroups,
        List<UserGroup> memberships, DateTimeOffset now)
    {
        var wanted = remote.Where(seenGroups.Contains).Select(id => groups[id].Id).ToHashSet(StringComparer.Ordinal);
        var syncedGroupIds = groups.Values.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var current = memberships.Where(m => m.UserId == user.Id).ToList();
        var changed = false;
        foreach (var m in current.Where(m => syncedGroupIds.Contains(m.GroupId) && !wanted.Contains(m.GroupId)))
        {
            db.UserGroups.Remove(m);
            memberships.Remove(m);
            changed = true;
        }

        foreach (var groupId in wanted.Where(id => current.All(m => m.GroupId != id)))
        {
            var m = new UserGroup(user.Id, groupId, now);
            db.UserGroups.Add(m);
            memberships.Add(m);
            changed = true;
        }

        return changed;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
