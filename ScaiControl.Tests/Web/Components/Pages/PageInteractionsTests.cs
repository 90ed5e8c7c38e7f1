using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Web.Components.Layout;
using ScaiControl.Web.Components.Pages.Admin.Packs;
using ScaiControl.Web.Components.Pages.Admin.Webhooks;
using ScaiControl.Web.Components.Pages.Portal.BillingProfile;
using ScaiControl.Web.Components.Pages.Portal.Catalog;

namespace ScaiControl.Tests.Web.Components.Pages;

/// <summary>Each page's main interaction as the role that uses it drives it: click, fill, submit, confirm; refusals next to the field.</summary>
public sealed class PageInteractionsTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task Catalog_TenantSubscribesToATrialPlan_AndSeesTheTrialEnd()
    {
        await using var view = await portal.OpenAsync<CatalogPage>(DemoUsers.Jonas);

        view.Click("subscribe-drive-starter-monthly");
        view.WaitForTestId("summary-confirm"); // the subscribe summary comes first
        view.Click("summary-confirm");

        view.WaitFor(() => Assert.Equal("Testphase", view.Text("subscribe-status"))); // "trialing" in German (Jonas)
        Assert.True(view.Has("subscribe-trial-end"));
        var jonas = await portal.ActorAsync(DemoUsers.Jonas);
        var mine = (await portal.Services.GetRequiredService<SubscriptionService>().ListAsync(jonas, null, null, 50)).Items;
        Assert.Contains(mine, v => v.PlanCode == "drive-starter-monthly" && v.Subscription.Status == SubscriptionStatus.Trialing);
    }

    [Fact]
    public async Task BillingProfile_AnInvalidEmail_IsRefusedNextToTheField_AndNothingIsSaved()
    {
        var anna = await portal.ActorAsync(DemoUsers.Anna);
        var profiles = portal.Services.GetRequiredService<BillingProfileService>();
        var before = await profiles.GetAsync(anna, anna.TenantId!);
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Anna);

        view.Fill("field-email", "not-an-email");
        view.Click("profile-save");

        view.WaitFor(() => Assert.True(view.Has("error-email")));
        Assert.False(view.Has("profile-saved"));
        var after = await profiles.GetAsync(anna, anna.TenantId!);
        Assert.Equal((before!.Email, before.UpdatedAt), (after!.Email, after.UpdatedAt));
    }

    [Fact]
    public async Task AdminPacks_Retire_AsksFirst_AndGoingBackKeepsThePackOnSale()
    {
        await using var view = await portal.OpenAsync<AdminPacksPage>(DemoUsers.Operator);

        view.Click("retire-pack-scaisuite-monthly");
        Assert.Contains("taken off sale", view.WaitForTestId("confirm-message").TextContent, StringComparison.Ordinal);
        view.Click("confirm-cancel");

        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        var packs = await portal.Services.GetRequiredService<PackCatalogService>().ListAsync(await portal.ActorAsync(DemoUsers.Operator));
        Assert.True(packs.Single(p => p.Pack.Code == "scaisuite-monthly").Pack.IsActive);
    }

    [Fact]
    public async Task Webhooks_ASubscriberWithABadUrl_IsRefusedNextToTheField_AndNothingIsCreated()
    {
        var service = portal.Services.GetRequiredService<WebhookSubscriptionService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var before = (await service.ListAsync(ops, null, 100)).Items.Count;
        await using var view = await portal.OpenAsync<WebhookSubscriptionsPage>(DemoUsers.Operator);

        view.Fill("webhook-url", "ftp://example.com/hook");
        view.Fill("webhook-topics", "subscription.*");
        view.Click("webhook-create-button");

        view.WaitFor(() => Assert.True(view.Has("error-url")));
        Assert.False(view.Has("webhook-secret"));
        Assert.Equal(before, (await service.ListAsync(ops, null, 100)).Items.Count);
    }

    [Fact]
    public async Task Navigation_ForAGermanTenant_IsInGerman()
    {
        await using var view = await portal.OpenAsync<NavMenu>(DemoUsers.Jonas);

        Assert.Contains("Rechnungen", view.Markup, StringComparison.Ordinal);
        Assert.Contains("Rechnungsprofil", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Billing profile", view.Markup, StringComparison.Ordinal);
    }
}
