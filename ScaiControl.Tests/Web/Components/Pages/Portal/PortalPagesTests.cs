using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Components.Pages.Portal.BillingProfile;
using ScaiControl.Web.Components.Pages.Portal.Catalog;
using ScaiControl.Web.Components.Pages.Portal.Invoices;
using ScaiControl.Web.Components.Pages.Portal.Subscriptions;

namespace ScaiControl.Tests.Web.Components.Pages.Portal;

/// <summary>The tenant portal pages as a tenant user sees them, rendered against the seeded demo data.</summary>
public sealed partial class PortalPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task Catalog_ListsTheThreeServicesWithPricesTrialAndSubscribeButtons()
    {
        var html = await portal.RenderAsync<CatalogPage>(DemoUsers.Anna);

        Assert.Contains("ScaiCRM", html, StringComparison.Ordinal);
        Assert.Contains("ScaiCMS", html, StringComparison.Ordinal);
        Assert.Contains("ScaiDrive", html, StringComparison.Ordinal);
        Assert.Contains("14-day free trial", html, StringComparison.Ordinal);
        Assert.Contains("€ 29,00 per month", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"subscribe-drive-starter-monthly\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"loading\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"error\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_ForTheOperator_IsReadOnly()
    {
        var html = await portal.RenderAsync<CatalogPage>(DemoUsers.Operator);

        Assert.Contains("ScaiDrive", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"subscribe-hint\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"subscribe-", html.Replace("data-testid=\"subscribe-hint\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoices_ListsTheTenantsNumberedInvoice()
    {
        var html = await portal.RenderAsync<InvoicesPage>(DemoUsers.Anna);

        Assert.Matches(InvoiceNumber(), html);
        Assert.Contains("finalised", html, StringComparison.Ordinal);
        Assert.Contains("€", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvoiceDetail_OfAGermanBusiness_ShowsTheReverseChargeNoteAndWhyThePdfIsNotReady()
    {
        var jonas = await portal.ActorAsync(DemoUsers.Jonas);
        var invoice = (await portal.Services.GetRequiredService<InvoiceService>().ListAsync(jonas, null, null, null, 10)).Items[0];

        var html = await portal.RenderAsync<InvoiceDetailPage>(DemoUsers.Jonas, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        Assert.Contains($"data-testid=\"invoice-number\">{invoice.Number}<", html, StringComparison.Ordinal);
        Assert.Contains("Reverse charge", html, StringComparison.Ordinal);
        Assert.Contains("Art. 196", html, StringComparison.Ordinal);
        Assert.Contains($"/api/v1/invoices/{invoice.Id}/einvoice?format=xrechnung-ubl", html, StringComparison.Ordinal);
        Assert.Contains($"/api/v1/invoices/{invoice.Id}/einvoice?format=ubl", html, StringComparison.Ordinal);
        Assert.Contains("Bergmann Software GmbH", html, StringComparison.Ordinal);
        Assert.Contains("ScaiLabs B.V.", html, StringComparison.Ordinal);
        Assert.Contains("DE811907980", html, StringComparison.Ordinal);
        // Component tests run without Chromium: the page gives the renderer's reason instead of a broken link.
        Assert.Contains("data-testid=\"pdf-not-ready\"", html, StringComparison.Ordinal);
        Assert.Contains("Chromium was not found", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"download-pdf\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvoiceDetail_OfAnotherTenantsInvoice_ShowsNotFound()
    {
        var jonas = await portal.ActorAsync(DemoUsers.Jonas);
        var invoice = (await portal.Services.GetRequiredService<InvoiceService>().ListAsync(jonas, null, null, null, 10)).Items[0];

        var html = await portal.RenderAsync<InvoiceDetailPage>(DemoUsers.Anna, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        Assert.Contains("data-testid=\"error\"", html, StringComparison.Ordinal);
        Assert.Contains("was not found", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bergmann", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_ShowTheActiveSubscriptionsWithTheCancelActionsTheStateAllows()
    {
        var anna = await portal.ActorAsync(DemoUsers.Anna);
        var mine = (await portal.Services.GetRequiredService<SubscriptionService>().ListAsync(anna, null, null, 50)).Items;

        var html = await portal.RenderAsync<MySubscriptionsPage>(DemoUsers.Anna);

        Assert.NotEmpty(mine);
        foreach (var view in mine)
        {
            var id = view.Subscription.Id;
            Assert.Contains($"data-testid=\"status-{id}\">active<", html, StringComparison.Ordinal);
            Assert.Contains($"data-testid=\"cancel-now-{id}\"", html, StringComparison.Ordinal);
            Assert.Contains($"data-testid=\"cancel-at-end-{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("ScaiCRM", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bergmann", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_InCancellingOrCancelledState_OfferOnlyWhatTheStateMachineAllows()
    {
        var claire = await portal.ActorAsync(DemoUsers.Claire);
        var mine = (await portal.Services.GetRequiredService<SubscriptionService>().ListAsync(claire, null, null, 50)).Items;
        var cancelling = Assert.Single(mine, v => v.Subscription.Status == SubscriptionStatus.Cancelling).Subscription;
        var trialing = Assert.Single(mine, v => v.Subscription.Status == SubscriptionStatus.Trialing).Subscription;

        var html = await portal.RenderAsync<MySubscriptionsPage>(DemoUsers.Claire);

        Assert.Contains($"data-testid=\"status-{cancelling.Id}\">cancelling<", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"cancel-now-{cancelling.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-testid=\"cancel-at-end-{cancelling.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"resume-{cancelling.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"cancels-on-{cancelling.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-testid=\"resume-{trialing.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("Switching to a spreadsheet.", html, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"trial-{trialing.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("days left", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BillingProfile_ShowsTheStoredValuesInTheForm()
    {
        var html = await portal.RenderAsync<BillingProfilePage>(DemoUsers.Anna);

        Assert.Contains("value=\"Acme Hosting B.V.\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Stationsplein 1\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"3511 ED\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Utrecht\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Netherlands\"", html, StringComparison.Ordinal); // the country by name (ISO 3166 list)
        Assert.Contains("value=\"NL853746333B01\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"anna@acme-nl.example\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"PO-ACME-2026\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"field-preferred_einvoice_format\"", html, StringComparison.Ordinal);
        Assert.Contains("UBL (Peppol BIS 3.0)", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"profile-save\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BillingProfile_ForAnAccountWithoutATenant_ExplainsInsteadOfShowingAForm()
    {
        var html = await portal.RenderAsync<BillingProfilePage>(DemoUsers.PartnerAdmin);

        Assert.Contains("users have a billing profile", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"billing-profile-form\"", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"SCAI-\d{4}-\d{6}")]
    private static partial Regex InvoiceNumber();
}
