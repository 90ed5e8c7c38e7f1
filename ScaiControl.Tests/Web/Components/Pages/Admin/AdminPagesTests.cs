using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Web.Components.Pages.Admin.Catalog;
using ScaiControl.Web.Components.Pages.Admin.Invoices;
using ScaiControl.Web.Components.Pages.Admin.Partners;
using ScaiControl.Web.Components.Pages.Admin.Subscriptions;
using ScaiControl.Web.Components.Pages.Admin.Tenants;

namespace ScaiControl.Tests.Web.Components.Pages.Admin;

/// <summary>The admin pages for the operator and the partner admin, and what a tenant user would get from them.</summary>
public sealed class AdminPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task Invoices_ForTheOperator_ShowInvoicesOfSeveralTenantsAndTheBillingRunForm()
    {
        var html = await portal.RenderAsync<AdminInvoicesPage>(DemoUsers.Operator);

        Assert.Contains("Acme Hosting B.V.", html, StringComparison.Ordinal);
        Assert.Contains("Bergmann Software GmbH", html, StringComparison.Ordinal);
        Assert.Contains("Redwood Analytics Inc.", html, StringComparison.Ordinal);
        Assert.Contains("Fjord Analytics AS", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"billing-run-start\"", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{DateTimeOffset.UtcNow:yyyy-MM}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoices_ForATenantUser_ShowOnlyItsOwnInvoices()
    {
        var html = await portal.RenderAsync<AdminInvoicesPage>(DemoUsers.Anna);

        Assert.Contains("Acme Hosting B.V.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bergmann", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Redwood", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"billing-run-start\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoices_ForThePartnerAdmin_ShowOnlyItsPartnersTenantsWithoutTheBillingRun()
    {
        var html = await portal.RenderAsync<AdminInvoicesPage>(DemoUsers.PartnerAdmin);

        Assert.Contains("Fjord Analytics AS", html, StringComparison.Ordinal);
        Assert.Matches(@"NORD-\d{4}-\d{6}", html);
        Assert.DoesNotContain("Acme", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"billing-run-start\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_ForTheOperator_ListEveryTenantWithPartnerCountryAndProfile()
    {
        var html = await portal.RenderAsync<TenantsPage>(DemoUsers.Operator);

        foreach (var name in new[] { "Acme Hosting B.V.", "Bergmann Software GmbH", "Claire Martin", "Redwood Analytics Inc.", "Fjord Analytics AS" })
        {
            Assert.Contains(name, html, StringComparison.Ordinal);
        }

        Assert.Contains("Nordic Cloud AB", html, StringComparison.Ordinal);
        Assert.Contains(">NO<", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"tenant-has-profile\"[^>]*>(<[^>]+>)*yes<", html);
        Assert.Contains("data-testid=\"tenant-create\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_ForThePartnerAdmin_ListOnlyItsOwnTenants()
    {
        var html = await portal.RenderAsync<TenantsPage>(DemoUsers.PartnerAdmin);

        Assert.Contains("Fjord Analytics AS", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Acme", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bergmann", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partners_ForTheOperator_ListTheOperatorAndTheReseller()
    {
        var html = await portal.RenderAsync<PartnersPage>(DemoUsers.Operator);

        Assert.Contains("ScaiLabs B.V.", html, StringComparison.Ordinal);
        Assert.Contains("Nordic Cloud AB", html, StringComparison.Ordinal);
        Assert.Contains("Reseller", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"partner-create\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_ForTheOperator_ShowsServiceAndPlanFormsAndEveryPlan()
    {
        var html = await portal.RenderAsync<AdminCatalogPage>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"service-form\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"plan-form\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"admin-plan-crm-team-yearly\"", html, StringComparison.Ordinal);
        Assert.Contains("€ 290,00 per year", html, StringComparison.Ordinal);
        Assert.Contains("14-day free trial", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_ShowsACostPlusPlanWithItsCostAndMargin_AndAFixedTermWithItsTrialEnd()
    {
        var admin = portal.Services.GetRequiredService<ScaiControl.Infrastructure.Catalog.PlanAdminService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        // 19.99 at 25 % = 24.9875 → 24.99 (half away from zero); 12 monthly periods after a 7-day trial that expires unless converted.
        await admin.SaveAsync(ops, new ScaiControl.Infrastructure.Catalog.PlanInput("scaicrm", "crm-cost-page", "Metered", null, "EUR", "month", 7, "expire", 12, 1999, 2500));

        var html = await portal.RenderAsync<AdminCatalogPage>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"plan-pricing\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"plan-trial-end\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"plan-term\"", html, StringComparison.Ordinal);
        Assert.Contains("€ 24,99 per month (cost € 19,99 + 25 %)", html, StringComparison.Ordinal);
        Assert.Contains("7-day free trial, then expires", html, StringComparison.Ordinal);
        Assert.Contains("12 months", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_ForTheOperator_ShowEveryTenantsSubscriptions()
    {
        var html = await portal.RenderAsync<AdminSubscriptionsPage>(DemoUsers.Operator);

        Assert.Contains("Acme Hosting B.V.", html, StringComparison.Ordinal);
        Assert.Contains("Fjord Analytics AS", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"subscription-status\"[^>]*>(<[^>]+>)*cancelling<", html);
        Assert.Matches("data-testid=\"subscription-status\"[^>]*>(<[^>]+>)*trialing<", html);
        Assert.Matches("data-testid=\"subscription-status\"[^>]*>(<[^>]+>)*cancelled<", html);
    }
}
