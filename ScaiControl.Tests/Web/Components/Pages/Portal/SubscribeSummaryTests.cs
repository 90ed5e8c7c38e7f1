using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Components.Pages.Portal.Catalog;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Pages.Portal;

/// <summary>Subscribing from the catalog shows the quote first: price, this buyer's VAT, the first invoice, services already held; going back writes nothing.</summary>
public sealed class SubscribeSummaryTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task TheSummary_ShowsTheQuote_WarnsAboutAServiceHeld_AndGoingBackSubscribesNothing()
    {
        var anna = await portal.ActorAsync(DemoUsers.Anna);
        var before = await CountAsync();
        await using var view = await portal.OpenAsync<CatalogPage>(DemoUsers.Anna);

        // Acme already has ScaiCRM Team (monthly): subscribing to the yearly plan warns.
        view.Click("subscribe-crm-team-yearly");
        view.WaitForTestId("subscribe-summary");
        var plan = (await portal.Services.GetRequiredService<ScaiControl.Infrastructure.Catalog.CatalogService>().PlansAsync(anna, "scaicrm")).Single(p => p.Code == "crm-team-yearly");
        var quote = await portal.Services.GetRequiredService<SubscribeQuoteService>().QuoteAsync(anna, plan.Id, null, null);
        var amount = view.Text("summary-first-amount");
        Assert.Equal($"{Ui.Money(quote.FirstInvoice!.Gross, "EUR")} ({Ui.Money(quote.FirstInvoice.Net, "EUR")} + VAT {Ui.Money(quote.FirstInvoice.Vat, "EUR")})", amount);
        Assert.Equal("21,00 %", view.Text("summary-vat")); // the rate in the user's culture (nl-NL)
        Assert.Contains("already has ScaiCRM", view.Text("summary-warning"), StringComparison.Ordinal);
        view.Click("summary-cancel");
        view.WaitFor(() => Assert.False(view.Has("subscribe-summary")));
        Assert.Equal(before, await CountAsync());
        Assert.False(view.Has("subscribe-result"));
    }

    [Fact]
    public async Task ConfirmingTheSummary_Subscribes_WithTheReverseChargeShownForAGermanBusiness_InGerman()
    {
        var before = await CountAsync();
        await using var view = await portal.OpenAsync<CatalogPage>(DemoUsers.Jonas);

        view.Click("subscribe-drive-starter-monthly");
        view.WaitForTestId("subscribe-summary");
        Assert.Contains("Steuerschuldnerschaft des Leistungsempfängers", view.Text("summary-vat"), StringComparison.Ordinal);
        Assert.Contains("14 Tage", view.Text("summary-trial"), StringComparison.Ordinal);
        Assert.Equal("Abonnieren", view.Text("summary-confirm"));
        view.Click("summary-confirm");
        view.WaitForTestId("subscribe-result");
        Assert.Equal("Testphase", view.Text("subscribe-status"));
        Assert.Equal(before + 1, await CountAsync());
    }

    private async Task<int> CountAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Subscriptions.CountAsync();
    }
}
