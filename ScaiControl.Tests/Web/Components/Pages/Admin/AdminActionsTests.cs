using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Components.Pages;
using ScaiControl.Web.Components.Pages.Admin.Subscriptions;
using ScaiControl.Web.Components.Pages.Admin.Tenants;
using ScaiControl.Web.Components.Pages.Portal.Subscriptions;

namespace ScaiControl.Tests.Web.Components.Pages.Admin;

/// <summary>Operators and partner admins act on subscriptions from the admin page, through the confirm dialog; tenant pages are for tenants.</summary>
public sealed class AdminActionsTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private async Task<SubscriptionView> SubscriptionOfAsync(string email, string planCode)
    {
        var actor = await portal.ActorAsync(email);
        return (await portal.Services.GetRequiredService<SubscriptionService>().ListAsync(actor, null, null, 50)).Items.Single(v => v.PlanCode == planCode && !v.Subscription.IsPackChild);
    }

    [Fact]
    public async Task Operator_CancelsATenantsSubscriptionAtPeriodEnd_AfterTheDialogSaysWhatHappens()
    {
        var anna = await SubscriptionOfAsync(DemoUsers.Anna, "crm-team-monthly");
        await using var view = await portal.OpenAsync<AdminSubscriptionsPage>(DemoUsers.Operator);
        var tenants = view.Host.FindAll("[data-testid='subscription-tenant']").Select(t => t.TextContent).Distinct().ToList();
        Assert.Contains("Acme Hosting B.V.", tenants);
        Assert.Contains("Bergmann Software GmbH", tenants);

        view.Click($"admin-cancel-at-end-{anna.Subscription.Id}");
        var message = view.WaitForTestId("confirm-message").TextContent;
        Assert.Contains("Acme Hosting B.V.", message, StringComparison.Ordinal);
        Assert.Contains("keeps running until", message, StringComparison.Ordinal);
        view.Fill("confirm-input", "Moving to the annual plan");
        view.Click("confirm-ok");

        view.WaitFor(() => Assert.Contains("is cancelling", view.Markup, StringComparison.Ordinal)); // the snackbar
        var after = await SubscriptionOfAsync(DemoUsers.Anna, "crm-team-monthly");
        Assert.Equal(SubscriptionStatus.Cancelling, after.Subscription.Status);
        Assert.Equal("Moving to the annual plan", after.Subscription.CancellationReason);
        view.WaitFor(() => Assert.True(view.Has($"admin-resume-{anna.Subscription.Id}")));
    }

    [Fact]
    public async Task Operator_GoingBackInTheDialog_ChangesNothing()
    {
        var jonas = await SubscriptionOfAsync(DemoUsers.Jonas, "cms-pro-monthly");
        await using var view = await portal.OpenAsync<AdminSubscriptionsPage>(DemoUsers.Operator);

        view.Click($"admin-suspend-{jonas.Subscription.Id}");
        view.WaitForTestId("confirm-message");
        view.Click("confirm-cancel");

        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        var after = await SubscriptionOfAsync(DemoUsers.Jonas, "cms-pro-monthly");
        Assert.Equal(jonas.Subscription.Status, after.Subscription.Status);
        Assert.Equal(jonas.Subscription.UpdatedAt, after.Subscription.UpdatedAt);
    }

    [Fact]
    public async Task PartnerAdmin_SeesOnlyItsTenantsSubscriptions()
    {
        await using var view = await portal.OpenAsync<AdminSubscriptionsPage>(DemoUsers.PartnerAdmin);

        var tenants = view.Host.FindAll("[data-testid='subscription-tenant']").Select(t => t.TextContent).Distinct().ToList();
        Assert.Equal(["Fjord Analytics AS"], tenants);
    }

    [Fact]
    public async Task MySubscriptions_ForTheOperator_PointsToTheAdminPageInsteadOfListingEveryTenant()
    {
        await using var view = await portal.OpenAsync<MySubscriptionsPage>(DemoUsers.Operator);

        Assert.True(view.Has("tenant-only"));
        Assert.DoesNotContain("Acme Hosting", view.Markup, StringComparison.Ordinal);
        Assert.Empty(view.Host.FindAll("[data-testid^='cancel-now-']"));
    }

    [Fact]
    public async Task Tenant_CancelNow_AsksFirst_AndKeepingItChangesNothing()
    {
        var sub = await SubscriptionOfAsync(DemoUsers.Jonas, "cms-pro-monthly");
        await using var view = await portal.OpenAsync<MySubscriptionsPage>(DemoUsers.Jonas);

        view.Click($"cancel-now-{sub.Subscription.Id}");
        Assert.Contains("endet sofort", view.WaitForTestId("confirm-message").TextContent, StringComparison.Ordinal); // Jonas reads German
        Assert.True(view.Has("confirm-irreversible"));
        view.Click("confirm-cancel");

        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionOfAsync(DemoUsers.Jonas, "cms-pro-monthly")).Subscription.Status);
    }

    [Fact]
    public async Task NewTenant_WithoutAName_IsRefusedNextToTheField_AndNothingIsWritten()
    {
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var tenancy = portal.Services.GetRequiredService<TenancyService>();
        var before = (await tenancy.TenantsAsync(ops)).Count;
        await using var view = await portal.OpenAsync<TenantsPage>(DemoUsers.Operator);

        view.Fill("tenant-name", "   ");
        view.Click("tenant-create");

        view.WaitFor(() => Assert.Contains("Enter the tenant's name.", view.ByTestId("create-tenant").TextContent, StringComparison.Ordinal));
        Assert.Equal(before, (await tenancy.TenantsAsync(ops)).Count);
    }

    [Fact]
    public async Task NewTenant_WithAName_IsCreatedAndListed()
    {
        await using var view = await portal.OpenAsync<TenantsPage>(DemoUsers.PartnerAdmin);

        view.Fill("tenant-name", "Bunit Test AS");
        view.Click("tenant-create");

        view.WaitFor(() => Assert.Contains(view.Host.FindAll("[data-testid='tenant-row']"), r => r.TextContent == "Bunit Test AS"));
    }

    [Fact]
    public async Task SignIn_OffersTheDemoUsers_AndFindsOthersBySearch_NeverEveryUser()
    {
        await using var view = await portal.OpenAsync<SignIn>(null);

        Assert.True(view.Has("sign-in-ops@scailabs.example"));
        Assert.True(view.Has("sign-in-anna@acme-nl.example"));
        view.Fill("user-search", "fjord");

        view.WaitFor(() =>
        {
            var buttons = view.Host.FindAll("[data-testid^='sign-in-']");
            Assert.Single(buttons);
            Assert.Equal("sign-in-eva@fjord-no.example", buttons[0].GetAttribute("data-testid"));
        });
        view.Fill("user-search", "nobody-here");
        view.WaitFor(() => Assert.True(view.Has("no-user")));
    }
}
