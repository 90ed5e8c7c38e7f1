using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Components.Pages.Admin.Identity;

namespace ScaiControl.Tests.Web.Components.Pages.Admin;

/// <summary>The API keys admin page: per-partner lists, field messages on a refused create, revocation through the confirm dialog.</summary>
public sealed class ApiKeysPageTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private async Task<int> KeyCountAsync()
    {
        await using var db = portal.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        return await db.ApiKeys.IgnoreQueryFilters().CountAsync();
    }

    [Fact]
    public async Task CreatingWithNothingFilledIn_ShowsAMessageNextToEachField_AndCreatesNoKey()
    {
        var before = await KeyCountAsync();
        await using var view = await portal.OpenAsync<ApiKeysPage>(DemoUsers.Operator);
        view.WaitUntilLoaded();
        view.Click("key-create");

        view.WaitFor(() => Assert.Contains("Choose the tenant the key acts for.", view.Markup, StringComparison.Ordinal));
        Assert.Contains("Choose at least one scope.", view.Markup, StringComparison.Ordinal);
        Assert.Contains("name is required", view.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.False(view.Has("key-secret"));
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task APartnerAdmin_SeesOnlyItsPartnersKeys_AndRevokesOneThroughTheConfirmDialog()
    {
        var keys = portal.Services.GetRequiredService<ApiKeyService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var lars = await portal.ActorAsync(DemoUsers.PartnerAdmin);
        var (mine, _) = await keys.CreateAsync(lars, new ApiKeyRequest("nordic export", ["invoices:read"], lars.PartnerId, null, null, null, null));
        var (theirs, _) = await keys.CreateAsync(ops, new ApiKeyRequest("operator export", ["invoices:read"], ops.PartnerId, null, null, null, null));

        await using var view = await portal.OpenAsync<ApiKeysPage>(DemoUsers.PartnerAdmin);
        view.WaitFor(() => Assert.Contains("nordic export", view.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("operator export", view.Markup, StringComparison.Ordinal);

        view.Click("key-revoke");
        view.WaitFor(() => Assert.Contains("stops working at once", view.Text("confirm-message"), StringComparison.Ordinal));
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Equal("revoked", view.Text("key-status")));

        await using var db = portal.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        Assert.NotNull((await db.ApiKeys.IgnoreQueryFilters().SingleAsync(k => k.Id == mine.Id)).RevokedAt);
        Assert.Null((await db.ApiKeys.IgnoreQueryFilters().SingleAsync(k => k.Id == theirs.Id)).RevokedAt);
    }
}
