using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Components.Layout;
using ScaiControl.Web.Components.Pages.Admin.Identity;

namespace ScaiControl.Tests.Web.Components.Pages.Admin;

/// <summary>The identity admin pages per role: who sees which users, the effective-permissions view, role changes through the confirm dialog, sync runs.</summary>
public sealed class IdentityPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private async Task<User> UserAsync(string email) =>
        await portal.Services.GetRequiredService<TenancyService>().FindUserAsync(email) ?? throw new InvalidOperationException(email);

    [Fact]
    public async Task Operator_SeesEveryPartnersUsers_AndTheNavLink()
    {
        await using var view = await portal.OpenAsync<IdentityUsersPage>(DemoUsers.Operator);
        var names = view.Host.FindAll("[data-testid='user-row']").Select(e => e.TextContent).ToList();
        Assert.Contains("Olivia Operator", names);
        Assert.Contains("Lars Lindqvist", names);
        Assert.Contains("tenant_admin", view.Markup, StringComparison.Ordinal);
        Assert.True(view.Has("tab-sync"));

        await using var nav = await portal.OpenAsync<NavMenu>(DemoUsers.Operator);
        Assert.True(nav.Has("nav-identity"));
    }

    [Fact]
    public async Task PartnerAdmin_SeesOnlyItsPartnersUsers_AndCannotHandOutSuperAdmin()
    {
        await using var view = await portal.OpenAsync<IdentityUsersPage>(DemoUsers.PartnerAdmin);
        var names = view.Host.FindAll("[data-testid='user-row']").Select(e => e.TextContent).ToList();
        Assert.Contains("Lars Lindqvist", names);
        Assert.DoesNotContain("Olivia Operator", names);
        Assert.False(view.Has("tab-sync"));

        var lars = await UserAsync(DemoUsers.PartnerAdmin);
        var assignable = await portal.Services.GetRequiredService<IdentityAdminService>().AssignableRolesAsync(await portal.ActorAsync(DemoUsers.PartnerAdmin));
        Assert.DoesNotContain(assignable, r => r.Name is Roles.SuperAdmin or Roles.Operator);
        Assert.Contains(assignable, r => r.Name == Roles.BillingViewer);
        var larsActor = await portal.ActorAsync(DemoUsers.PartnerAdmin);
        var admin = portal.Services.GetRequiredService<IdentityAdminService>();
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.AssignToUserAsync(larsActor, lars.Id, Roles.SuperAdmin));

        // Another partner's user does not exist for a partner admin.
        var olivia = await UserAsync(DemoUsers.Operator);
        await Assert.ThrowsAsync<ScaiControl.Domain.Common.NotFoundException>(() => admin.ExplainAsync(larsActor, olivia.Id));
        await Assert.ThrowsAsync<ScaiControl.Domain.Common.NotFoundException>(() => admin.AssignToUserAsync(larsActor, olivia.Id, Roles.BillingViewer));
    }

    [Fact]
    public async Task TenantAdmin_HasNoIdentityPages()
    {
        await using var nav = await portal.OpenAsync<NavMenu>(DemoUsers.Anna);
        Assert.False(nav.Has("nav-identity"));
        await using var view = await portal.OpenAsync<IdentityUsersPage>(DemoUsers.Anna);
        view.WaitFor(() => Assert.Contains("The permission 'users:read' is required.", view.Markup, StringComparison.Ordinal));
        Assert.False(view.Has("user-row"));
    }

    [Fact]
    public async Task Operator_AssignsAndRemovesARole_ThroughTheConfirmDialog_AndTheEffectiveViewSaysWhoGrantsWhat()
    {
        var jonas = await UserAsync(DemoUsers.Jonas);
        await using var view = await portal.OpenAsync<IdentityUserPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = jonas.Id });
        Assert.Contains("tenant_admin (ScaiKey (synced))", view.ByTestId($"scope-{Permissions.InvoicesRead}").TextContent, StringComparison.Ordinal);
        Assert.True(view.Has("user-no-assignments"));

        view.Click("assign");
        var title = view.WaitForTestId("confirm-title").TextContent;
        var role = title["Assign ".Length..];
        Assert.Contains($"gets the role {role}", view.ByTestId("confirm-message").TextContent, StringComparison.Ordinal);
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.True(view.Has($"remove-{role}")));
        view.WaitFor(() => Assert.Contains($"{role} (assigned here)", view.Markup, StringComparison.Ordinal));

        await using (var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var assignment = await db.RoleAssignments.AsNoTracking().SingleAsync(a => a.UserId == jonas.Id && a.Role == role);
            var op = await UserAsync(DemoUsers.Operator);
            Assert.True(await db.AuditLog.AnyAsync(e => e.EntityType == nameof(RoleAssignment) && e.EntityId == assignment.Id && e.Action == "added" && e.Actor == op.Id));
        }

        view.Click($"remove-{role}");
        view.WaitForTestId("confirm-message");
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.True(view.Has("user-no-assignments")));
        await using (var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            Assert.False(await db.RoleAssignments.AnyAsync(a => a.UserId == jonas.Id));
            Assert.True(await db.AuditLog.AnyAsync(e => e.EntityType == nameof(RoleAssignment) && e.Action == "deleted"));
        }
    }

    [Fact]
    public async Task ATenantsUser_IsNeverOfferedNorGivenAPartnerWideRole()
    {
        var jonas = await UserAsync(DemoUsers.Jonas);
        Assert.NotNull(jonas.TenantId);
        var admin = portal.Services.GetRequiredService<IdentityAdminService>();
        var operatorActor = await portal.ActorAsync(DemoUsers.Operator);
        var roles = (await admin.AssignableRolesAsync(operatorActor, jonas.PartnerId, jonas.TenantId)).Select(r => r.Name).ToList();
        Assert.Contains(Roles.BillingViewer, roles);
        Assert.DoesNotContain(Roles.PartnerAdmin, roles);
        Assert.DoesNotContain(Roles.Operator, roles);

        // The service refuses it too, with the field and a reason, and writes nothing.
        var refused = await Assert.ThrowsAsync<ScaiControl.Domain.Common.DomainValidationException>(
            () => admin.AssignToUserAsync(operatorActor, jonas.Id, Roles.PartnerAdmin));
        Assert.Equal("role", refused.Field);
        Assert.Contains("tenant roles only", refused.Message, StringComparison.Ordinal);
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        Assert.False(await db.RoleAssignments.AnyAsync(a => a.UserId == jonas.Id && a.Role == Roles.PartnerAdmin));

        // The page's picker shows the same list.
        await using var view = await portal.OpenAsync<IdentityUserPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = jonas.Id });
        view.Click("assign");
        Assert.DoesNotContain(Roles.PartnerAdmin, view.WaitForTestId("confirm-title").TextContent, StringComparison.Ordinal);
        view.Click("confirm-cancel");
    }

    [Fact]
    public async Task Operator_GoingBackInTheDialog_AssignsNothing()
    {
        var claire = await UserAsync(DemoUsers.Claire);
        await using var view = await portal.OpenAsync<IdentityUserPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = claire.Id });
        view.Click("assign");
        view.WaitForTestId("confirm-message");
        view.Click("confirm-cancel");
        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        Assert.False(await db.RoleAssignments.AnyAsync(a => a.UserId == claire.Id));
    }

    [Fact]
    public async Task Operator_SeesSyncRunsWithTheirCountsAndErrors_APartnerAdminDoesNot()
    {
        // No ScaiKey configured in the fixture: the run fails and says why.
        var run = await portal.Services.GetRequiredService<IdentitySyncService>().RunAsync(await portal.ActorAsync(DemoUsers.Operator));
        Assert.Equal(IdentitySyncStatus.Failed, run.Status);

        await using var view = await portal.OpenAsync<IdentitySyncRunsPage>(DemoUsers.Operator);
        Assert.Contains("failed", view.ByTestId("sync-run-status").TextContent, StringComparison.Ordinal);
        Assert.Contains("Identity:Sync:BaseUrl is not set", view.ByTestId("sync-run-errors").TextContent, StringComparison.Ordinal);
        Assert.False(view.Has("sync-now")); // nothing to sync with

        await using var partner = await portal.OpenAsync<IdentitySyncRunsPage>(DemoUsers.PartnerAdmin);
        partner.WaitFor(() => Assert.Contains("Only the operator sees identity sync runs.", partner.Markup, StringComparison.Ordinal));
        Assert.False(partner.Has("sync-run"));
    }

    [Fact]
    public async Task Operator_AssignsARoleToAGroup_AndItsMembersGetIt()
    {
        var eva = await UserAsync(DemoUsers.Eva);
        string groupId;
        await using (var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var group = new Group(eva.PartnerId, eva.TenantId, "Fjord finance", null, DateTimeOffset.UtcNow);
            db.Groups.Add(group);
            db.UserGroups.Add(new UserGroup(eva.Id, group.Id, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
            groupId = group.Id;
        }

        await using var view = await portal.OpenAsync<IdentityGroupsPage>(DemoUsers.Operator);
        Assert.Contains("Eva", view.Host.FindAll("[data-testid='group-members']").Single(e => e.ParentElement!.ParentElement!.TextContent.Contains("Fjord finance", StringComparison.Ordinal)).TextContent, StringComparison.Ordinal);
        view.Click($"assign-{groupId}");
        var role = view.WaitForTestId("confirm-title").TextContent["Assign ".Length..].Split(" to ")[0];
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.True(view.Has($"remove-{groupId}-{role}")));

        var effective = await portal.Services.GetRequiredService<EffectivePermissionService>().ForUserAsync(eva.Id);
        Assert.Contains(effective!.Grants, g => g.Role == role && g.Source == GrantSource.Group && g.GroupName == "Fjord finance");
    }
}
