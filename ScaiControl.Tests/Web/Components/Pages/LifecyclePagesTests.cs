using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Components.Pages.Admin.Subscriptions;
using ScaiControl.Web.Components.Pages.Portal.Subscriptions;

namespace ScaiControl.Tests.Web.Components.Pages;

/// <summary>The issue-4 portal views: trial days left, pending cancellation date, plan change preview, the admin lifecycle history.</summary>
public sealed class LifecyclePagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private async Task<SubscriptionView> SubscriptionOfAsync(string email, string planCode)
    {
        var actor = await portal.ActorAsync(email);
        return (await portal.Services.GetRequiredService<SubscriptionService>().ListAsync(actor, null, null, 50)).Items.Single(v => v.PlanCode == planCode);
    }

    /// <summary>A date as Claire (fr-FR, Europe/Paris) reads it.</summary>
    private static string ParisDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, ScaiControl.Web.Localization.PortalCulture.ZoneOf("Europe/Paris")).DateTime)
            .ToString("d", new System.Globalization.CultureInfo("fr-FR"));

    [Fact]
    public async Task MySubscriptions_ShowTrialDaysLeft_ThePendingCancellationDate_AndAChangePlanLinkWhereAllowed()
    {
        var trial = await SubscriptionOfAsync(DemoUsers.Claire, "drive-starter-monthly");
        var cancelling = await SubscriptionOfAsync(DemoUsers.Claire, "crm-team-monthly");

        var html = await portal.RenderAsync<MySubscriptionsPage>(DemoUsers.Claire);

        Assert.Matches($"data-testid=\"trial-{trial.Subscription.Id}\">ends [0-9/]+ \\(1[01] days left\\)", html); // a 14-day trial started 3 days ago
        Assert.Contains($"data-testid=\"cancels-on-{cancelling.Subscription.Id}\">Cancels on {ParisDate(cancelling.Subscription.CurrentPeriodEnd)}", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"change-plan-{trial.Subscription.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-testid=\"change-plan-{cancelling.Subscription.Id}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePlan_ShowsTheProratedPreviewBeforeConfirming_AndChangesNothing()
    {
        var monthly = await SubscriptionOfAsync(DemoUsers.Anna, "crm-team-monthly");
        var yearly = (await portal.Services.GetRequiredService<ScaiControl.Infrastructure.Catalog.CatalogService>()
            .PlansAsync(await portal.ActorAsync(DemoUsers.Anna), "scaicrm")).Single(p => p.Code == "crm-team-yearly");

        var html = await portal.RenderAsync<ChangePlanPage>(DemoUsers.Anna,
            new Dictionary<string, object?> { ["Id"] = monthly.Subscription.Id, ["PlanId"] = yearly.Id });

        Assert.Contains("data-testid=\"change-preview\"", html, StringComparison.Ordinal);
        // Monthly → yearly starts a new yearly period at the change: the yearly price is charged in full.
        Assert.Contains("data-testid=\"preview-charge\">€ 290,00<", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"preview-credit\">€ -[0-9.]+,[0-9]{2}<", html);
        Assert.Matches("data-testid=\"preview-net\"><strong>€ [0-9.]+,[0-9]{2}</strong>", html);
        Assert.Contains("a new billing period starts at the change", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"change-confirm\"", html, StringComparison.Ordinal);
        var after = await SubscriptionOfAsync(DemoUsers.Anna, "crm-team-monthly");
        Assert.Equal((monthly.Subscription.PlanId, monthly.Subscription.RateMinor, monthly.Subscription.UpdatedAt), (after.Subscription.PlanId, after.Subscription.RateMinor, after.Subscription.UpdatedAt));
    }

    [Fact]
    public async Task ChangePlan_OfACancellingSubscription_SaysItIsNotAllowed()
    {
        var cancelling = await SubscriptionOfAsync(DemoUsers.Claire, "crm-team-monthly");
        var html = await portal.RenderAsync<ChangePlanPage>(DemoUsers.Claire, new Dictionary<string, object?> { ["Id"] = cancelling.Subscription.Id });
        Assert.Contains("data-testid=\"change-not-allowed\">A cancelling subscription cannot change plan.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"change-confirm\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminHistory_ListsEveryTransitionWithActorAndTime()
    {
        var jonas = await portal.ActorAsync(DemoUsers.Jonas);
        var subscriptions = portal.Services.GetRequiredService<SubscriptionService>();
        var sub = await SubscriptionOfAsync(DemoUsers.Jonas, "cms-pro-monthly");
        await subscriptions.CancelAsync(jonas, sub.Subscription.Id, atPeriodEnd: true, "Evaluating alternatives");
        await subscriptions.ResumeAsync(jonas, sub.Subscription.Id);

        await using var view = await portal.OpenAsync<SubscriptionHistoryPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = sub.Subscription.Id });
        var html = System.Net.WebUtility.HtmlDecode(view.Markup);
        List<string> Texts(string testId) => view.Host.FindAll($"[data-testid='{testId}']").Select(e => e.TextContent.Trim()).ToList();

        // Oldest first: created active by the seed, then Jonas's cancellation and its withdrawal.
        Assert.Equal(3, Texts("history-row").Count);
        Assert.All(Texts("history-row"), when => Assert.Matches("^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4} [0-9]{2}:[0-9]{2} UTC", when));
        Assert.Equal(["active", "cancelling", "active"], Texts("history-to"));
        Assert.Equal(["System (seed-demo)", "Jonas Bergmann (jonas@bergmann-de.example)", "Jonas Bergmann (jonas@bergmann-de.example)"], Texts("history-actor"));
        Assert.DoesNotContain(jonas.UserId, html, StringComparison.Ordinal);

        // The "When" header reverses the order on the server (newest first).
        view.Click("sort-created");
        view.WaitFor(() => Assert.Equal(["active", "cancelling", "active"], Texts("history-to")));
        view.WaitFor(() => Assert.Equal("descending", view.ByTestId("sort-created").GetAttribute("aria-sort")));
        Assert.Equal("Jonas Bergmann (jonas@bergmann-de.example)", Texts("history-actor")[0]);
        Assert.Contains("data-testid=\"history-status\">active<", html, StringComparison.Ordinal);
    }
}
