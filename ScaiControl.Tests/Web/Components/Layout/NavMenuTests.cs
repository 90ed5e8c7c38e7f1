using ScaiControl.Web.Components.Layout;

namespace ScaiControl.Tests.Web.Components.Layout;

/// <summary>The navigation shows only the links the user's permissions allow.</summary>
public sealed class NavMenuTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task ForATenantUser_ShowsThePortalLinksAndNoAdminLinks()
    {
        var html = await portal.RenderAsync<NavMenu>(DemoUsers.Anna);

        Assert.Contains("href=\"/catalog\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/subscriptions\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/invoices\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/billing-profile\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/admin/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"nav-admin\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForTheOperator_ShowsEveryAdminLink()
    {
        var html = await portal.RenderAsync<NavMenu>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"nav-admin\"", html, StringComparison.Ordinal);
        foreach (var link in new[] { "/admin/partners", "/admin/tenants", "/admin/catalog", "/admin/subscriptions", "/admin/invoices" })
        {
            Assert.Contains($"href=\"{link}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("href=\"/billing-profile\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForThePartnerAdmin_ShowsTenantAdminLinksButNotPartnersOrCatalogEditing()
    {
        var html = await portal.RenderAsync<NavMenu>(DemoUsers.PartnerAdmin);

        Assert.Contains("href=\"/admin/tenants\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/invoices\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/partners\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/catalog\"", html, StringComparison.Ordinal);
    }
}
