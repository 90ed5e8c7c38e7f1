using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Dashboard;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Components.Pages.Admin.BillingRuns;
using ScaiControl.Web.Components.Pages.Dashboard;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Pages.Dashboard;

/// <summary>
/// The operator dashboard, the tenant overview and the billing-run history as each role sees them, on the demo data:
/// the figures shown are the service's (whose values are checked by hand in the integration tests), in the user's culture.
/// </summary>
public sealed class DashboardPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task OperatorDashboard_ShowsTheFiguresAsCards_TheRevenueChart_AndTheRuns()
    {
        var expected = await portal.Services.GetRequiredService<OperatorDashboardService>().GetAsync(await portal.ActorAsync(DemoUsers.Operator));
        await using var view = await portal.OpenAsync<OperatorDashboardPanel>(DemoUsers.Operator);

        var eur = expected.Recurring.Single(r => r.Currency == "EUR");
        var mrr = view.Text("mrr-EUR-value"); // (the view's helpers also put the test in the user's culture, nl-NL)
        Assert.Equal(Ui.Money(eur.Mrr, "EUR"), mrr);
        Assert.Contains(Ui.Money(eur.Arr, "EUR"), view.Text("mrr-EUR-hint"), StringComparison.Ordinal);
        Assert.Equal(expected.NewThisMonth.ToString(System.Globalization.CultureInfo.CurrentCulture), view.Text("new-this-month-value"));
        Assert.Contains("All partners and tenants", view.Text("dashboard-scope"), StringComparison.Ordinal);
        Assert.NotNull(view.ByTestId("revenue-chart").QuerySelector("svg"));
        var revenue = expected.RevenueByMonth.Single(s => s.Currency == "EUR").Months.Single(m => m.Net != 0);
        Assert.Contains(Ui.Money(revenue.Net, "EUR"), view.Text("revenue-table"), StringComparison.Ordinal);
        Assert.True(view.Has($"run-{expected.RecentBillingRuns[0].Period}"));
        Assert.True(view.Has("runs-history-link"));
        Assert.Equal(expected.SubscriptionsByState.Single(s => s.Status == "trialing").Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            view.ByTestId("state-trialing").QuerySelectorAll("td")[1].TextContent.Trim());
    }

    [Fact]
    public async Task PartnerAdminDashboard_IsScopedToItsPartner_WithoutTheRunHistoryLink()
    {
        var expected = await portal.Services.GetRequiredService<OperatorDashboardService>().GetAsync(await portal.ActorAsync(DemoUsers.PartnerAdmin));
        await using var view = await portal.OpenAsync<OperatorDashboardPanel>(DemoUsers.PartnerAdmin);

        Assert.Contains("Your partner's tenants", view.Text("dashboard-scope"), StringComparison.Ordinal);
        var mrr = view.Text("mrr-EUR-value");
        Assert.Equal(Ui.Money(expected.Recurring.Single().Mrr, "EUR"), mrr);
        Assert.DoesNotContain("Acme", view.Markup, StringComparison.Ordinal);
        Assert.False(view.Has("runs-history-link"));
    }

    [Fact]
    public async Task Dashboard_ForATenantUser_SaysItIsNotForThem()
    {
        await using var view = await portal.OpenAsync<OperatorDashboardPanel>(DemoUsers.Anna);

        Assert.Contains("operator and partner admins", view.Text("error"), StringComparison.Ordinal);
        Assert.False(view.Has("dashboard-cards"));
    }

    [Fact]
    public async Task TenantOverview_ShowsServicesRenewalsWithVatAndInvoices()
    {
        var anna = await portal.ActorAsync(DemoUsers.Anna);
        var expected = await portal.Services.GetRequiredService<TenantOverviewService>().GetAsync(anna, null);
        await using var view = await portal.OpenAsync<TenantOverviewPanel>(DemoUsers.Anna);

        Assert.Contains("ScaiCRM – Team", view.Text("live-services"), StringComparison.Ordinal);
        var renewal = expected.Renewals[0];
        var amount = view.Text($"renewal-{renewal.Id}-amount");
        Assert.Equal(Ui.Money(renewal.Gross!.Value, renewal.Currency), amount);
        Assert.Contains("+ VAT", view.Text($"renewal-{renewal.Id}"), StringComparison.Ordinal);
        Assert.Contains(expected.RecentInvoices[0].Number!, view.Text("recent-invoices"), StringComparison.Ordinal);
        Assert.Contains("credit note", view.Text("recent-invoices"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantOverview_OfATenantInTrial_ShowsTheDaysLeft()
    {
        await using var view = await portal.OpenAsync<TenantOverviewPanel>(DemoUsers.Claire);

        Assert.Matches(@"\d+ days? of trial left", view.Markup);
        Assert.Contains("ScaiDrive", view.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BillingRuns_ListTheKeptRuns_AndTheDetailShowsCountsProblemsAndDuration()
    {
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var runs = await portal.Services.GetRequiredService<BillingRunService>().ListAsync(ops, null, 10);
        var seeded = runs.Items[^1];
        await using (var view = await portal.OpenAsync<BillingRunsPage>(DemoUsers.Operator))
        {
            Assert.True(view.Has($"run-link-{seeded.Id}"));
            Assert.Equal("completed", view.Text($"run-status-{seeded.Id}"));
        }

        await using var detail = await portal.OpenAsync<BillingRunPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = seeded.Id });
        Assert.Equal($"{seeded.TenantsProcessed} of {seeded.TenantsTotal}", detail.Text("run-tenants"));
        Assert.Equal(seeded.InvoicesFinalised.ToString(System.Globalization.CultureInfo.InvariantCulture), detail.Text("run-finalised"));
        Assert.NotEqual("–", detail.Text("run-duration"));
        Assert.True(detail.Has("problems-none"));
    }

    [Fact]
    public async Task ABillingRun_InGerman_HasNoEnglishLeft()
    {
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var seeded = (await portal.Services.GetRequiredService<BillingRunService>().ListAsync(ops, null, 10)).Items[^1];
        await using var detail = await portal.OpenAsync<BillingRunPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = seeded.Id }, locale: "de-DE");
        var html = System.Net.WebUtility.HtmlDecode(detail.Markup);

        Assert.Equal("abgeschlossen", detail.Text("billing-run-status"));
        Assert.Equal($"{seeded.TenantsProcessed} von {seeded.TenantsTotal}", detail.Text("run-tenants"));
        foreach (var german in new[] { "Alle Abrechnungsläufe", "Erstellte Rechnungen", "Bisherige Fehler", "Verbleibende Zeit", "Probleme je Mandant", "dem Zeitplaner" })
        {
            Assert.Contains(german, html, StringComparison.Ordinal);
        }

        foreach (var english in new[] { "Invoices created", "Errors so far", "Time left", "Problems per tenant", " of " })
        {
            Assert.DoesNotContain(english, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartingABillingRun_AsksFirst_ValidatesTheMonth_AndTheRunIsInTheHistory()
    {
        await using var view = await portal.OpenAsync<BillingRunsPage>(DemoUsers.Operator);
        view.Fill("billing-period", "2026-13");
        view.Click("billing-run-start");
        view.WaitFor(() => Assert.Contains("YYYY-MM", view.Markup, StringComparison.Ordinal));

        view.Fill("billing-period", "2099-01");
        view.Click("billing-run-start");
        view.WaitFor(() => Assert.Contains("has not started yet", view.Markup, StringComparison.Ordinal));

        var before = (await portal.Services.GetRequiredService<BillingRunService>().ListAsync(await portal.ActorAsync(DemoUsers.Operator), null, 200)).Items.Count;
        view.Fill("billing-period", BillingPeriod.Of(DateTimeOffset.UtcNow).ToString());
        view.Click("billing-run-start");
        view.WaitFor(() => Assert.Contains("each taking the next number of its seller's series", view.Text("confirm-message"), StringComparison.Ordinal));
        // Going back starts nothing.
        view.Click("confirm-cancel");
        Assert.Equal(before, (await portal.Services.GetRequiredService<BillingRunService>().ListAsync(await portal.ActorAsync(DemoUsers.Operator), null, 200)).Items.Count);

        view.Click("billing-run-start");
        view.WaitForTestId("confirm-ok");
        view.Click("confirm-ok");
        var runs = portal.Services.GetRequiredService<BillingRunService>();
        view.WaitFor(() => Assert.Equal(before + 1, runs.ListAsync(Actor.System("test"), null, 200).GetAwaiter().GetResult().Items.Count));
    }

    [Fact]
    public async Task BillingRuns_ForAPartnerAdmin_AreRefused()
    {
        await using var view = await portal.OpenAsync<BillingRunsPage>(DemoUsers.PartnerAdmin);

        Assert.Contains("billing:run", view.Text("billing-runs-grid-error"), StringComparison.Ordinal);
    }
}
