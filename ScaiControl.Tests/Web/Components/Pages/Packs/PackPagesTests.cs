using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Web.Components.Pages.Admin.Packs;
using ScaiControl.Web.Components.Pages.Portal.Catalog;
using ScaiControl.Web.Components.Pages.Portal.Subscriptions;

namespace ScaiControl.Tests.Web.Components.Pages.Packs;

/// <summary>Service packs in the portal, rendered against the seeded demo data: the catalog's saving, the tenant's pack with its children, the admin page.</summary>
public sealed class PackPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private const string Sam = "sam@redwood-us.example";

    [Fact]
    public async Task Catalog_ShowsEachPackWithThePartsPriceThePackPriceAndTheSaving_AndASubscribeButton()
    {
        var html = await portal.RenderAsync<CatalogPage>(DemoUsers.Anna);

        Assert.Contains("data-testid=\"pack-sum-scaisuite-monthly\">€ 87,90<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pack-price-scaisuite-monthly\">€ 74,71 per month<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pack-saving-scaisuite-monthly\">€ 13,19<", html, StringComparison.Ordinal);
        Assert.Contains("15.00 % off", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pack-saving-web-presence-yearly\">€ 60,00<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"subscribe-pack-scaisuite-monthly\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"packs-error\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_ForTheOperator_ShowsThePacksWithoutSubscribeButtons()
    {
        var html = await portal.RenderAsync<CatalogPage>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"pack-scaisuite-monthly\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"subscribe-pack-", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MySubscriptions_ShowsThePackWithItsChildren_AndTheChildrenHaveNoActionsOfTheirOwn()
    {
        var sam = await portal.ActorAsync(Sam);
        var pack = Assert.Single(await portal.Services.GetRequiredService<PackSubscriptionService>().ListAsync(sam));

        var html = await portal.RenderAsync<MySubscriptionsPage>(Sam);

        var id = pack.Parent.Id;
        Assert.Contains($"data-testid=\"pack-status-{id}\">active<", html, StringComparison.Ordinal);
        Assert.Contains("Web presence (yearly)", html, StringComparison.Ordinal);
        Assert.Contains("€529.00 per year", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"pack-cancel-now-{id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"pack-cancel-at-end-{id}\"", html, StringComparison.Ordinal);
        Assert.Equal(2, pack.Children.Count);
        foreach (var child in pack.Children)
        {
            Assert.Contains($"data-testid=\"pack-child-{child.Subscription.Id}\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain($"data-testid=\"cancel-now-{child.Subscription.Id}\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain($"data-testid=\"status-{child.Subscription.Id}\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MySubscriptions_OfATenantWithoutPacks_ShowsNoPackSection()
    {
        var html = await portal.RenderAsync<MySubscriptionsPage>(DemoUsers.Jonas);

        Assert.DoesNotContain("data-testid=\"packs-title\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"pack-action-error\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminPacks_ListsEveryPackWithItsSaving_RetiredOnesMarked_AndTheComposeForm()
    {
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var packs = portal.Services.GetRequiredService<PackCatalogService>();
        var suite = (await packs.ListAsync(ops)).Single(p => p.Pack.Code == "scaisuite-monthly");
        var copy = await packs.CreateAsync(ops, new PackInput("old-duo", "Old duo", "", "fixed_price", 5000, null, "EUR", "month",
            suite.Items.Take(2).Select(i => new PackItemInput(i.Plan.Id, null)).ToArray()));
        await packs.RetireAsync(ops, copy.Pack.Id);

        var html = await portal.RenderAsync<AdminPacksPage>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"admin-pack-saving-scaisuite-monthly\">€ 13,19<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"admin-pack-saving-web-presence-yearly\">€ 60,00<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"admin-pack-saving-old-duo\">€ 28,00<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"admin-pack-status-old-duo\">retired<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"retire-pack-scaisuite-monthly\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"retire-pack-old-duo\"", html, StringComparison.Ordinal);
        Assert.Contains("ScaiCRM Team, ScaiCMS Pro, ScaiDrive Starter", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pack-form\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pack-item-add\"", html, StringComparison.Ordinal);

        var catalog = await portal.RenderAsync<CatalogPage>(DemoUsers.Anna);
        Assert.DoesNotContain("data-testid=\"pack-old-duo\"", catalog, StringComparison.Ordinal);
    }
}
