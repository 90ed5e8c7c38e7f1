using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Registry;
using ScaiControl.Web.Components.Pages.Admin.Registry;

namespace ScaiControl.Tests.Web.Components.Pages.Admin;

/// <summary>The registry admin pages: partner-scoped list with health chips, approval through the confirm dialog, the service page with capabilities and children.</summary>
public sealed class RegistryPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private static ServiceRegistration Registration(string appId, string? parent = null) =>
        new(appId, "Svc " + appId, appId, parent, "http://127.0.0.1:9/", "http://127.0.0.1:9/health", ["provision", "usage-export"], "3.1.4", 90);

    [Fact]
    public async Task TheOperator_ApprovesAPendingServiceThroughTheConfirmDialog_AndAPartnerSeesOnlyItsOwn()
    {
        var registry = portal.Services.GetRequiredService<RegistryService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var lars = await portal.ActorAsync(DemoUsers.PartnerAdmin);
        await registry.RegisterAsync(ops, Registration("ui-ops-svc"));
        await registry.RegisterAsync(lars, Registration("ui-lars-svc"));

        await using (var mine = await portal.OpenAsync<RegistryPage>(DemoUsers.PartnerAdmin))
        {
            mine.WaitFor(() => Assert.Contains("Svc ui-lars-svc", mine.Markup, StringComparison.Ordinal));
            Assert.DoesNotContain("Svc ui-ops-svc", mine.Markup, StringComparison.Ordinal);
            Assert.False(mine.Has("registry-approve")); // a partner admin cannot approve
        }

        var approvedBefore = (await registry.ListAsync(ops, "approved", null, null, 200)).Items.Count;
        await using var view = await portal.OpenAsync<RegistryPage>(DemoUsers.Operator);
        view.WaitFor(() => Assert.Contains("Svc ui-ops-svc", view.Markup, StringComparison.Ordinal));
        Assert.Contains("unknown", view.Markup, StringComparison.Ordinal);
        view.Click("registry-approve");
        view.WaitFor(() => Assert.Contains("will receive provisioning calls", view.Text("confirm-message"), StringComparison.Ordinal));
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Contains("approved", view.Markup, StringComparison.Ordinal));
        Assert.Equal(approvedBefore + 1, (await registry.ListAsync(ops, "approved", null, null, 200)).Items.Count);
    }

    [Fact]
    public async Task TheServicePage_ShowsVersionCapabilitiesAndChildren_AndAnotherPartnersServiceIsNotFound()
    {
        var registry = portal.Services.GetRequiredService<RegistryService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        await registry.RegisterAsync(ops, Registration("ui-parent"));
        await registry.RegisterAsync(ops, Registration("ui-child", parent: "ui-parent"));

        await using var view = await portal.OpenAsync<RegistryServicePage>(DemoUsers.Operator, new Dictionary<string, object?> { ["AppId"] = "ui-parent" });
        view.WaitFor(() => Assert.Contains("3.1.4", view.Markup, StringComparison.Ordinal));
        Assert.Contains("usage-export", view.Markup, StringComparison.Ordinal);
        Assert.Contains("Svc ui-child", view.Text("service-children"), StringComparison.Ordinal);

        await using var other = await portal.OpenAsync<RegistryServicePage>(DemoUsers.PartnerAdmin, new Dictionary<string, object?> { ["AppId"] = "ui-parent" });
        other.WaitFor(() => Assert.Contains("was not found", other.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("3.1.4", other.Markup, StringComparison.Ordinal);
    }
}
