using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Components.Pages.Admin.BillingRuns;
using ScaiControl.Web.Components.Pages.Admin.Catalog;
using ScaiControl.Web.Components.Pages.Admin.Packs;
using ScaiControl.Web.Components.Pages.Admin.Templates;
using ScaiControl.Web.Components.Pages.Admin.Tenants;
using ScaiControl.Web.Components.Pages.Admin.Webhooks;

namespace ScaiControl.Tests.Web.Components.Pages;

/// <summary>
/// Per-field validation as the user types, with the message next to the field, on the admin forms that had it only on
/// submit: webhook subscriber (URL, topics), billing run month, new tenant. Refused submits write nothing.
/// </summary>
public sealed class LiveValidationTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task WebhookSubscriber_BadUrlAndUnknownTopic_AreSaidAsTyped_AndCreateWritesNothing()
    {
        var before = await CountSubscribersAsync();
        await using var view = await portal.OpenAsync<WebhookSubscriptionsPage>(DemoUsers.Operator);

        view.Fill("webhook-url", "not a url");
        view.WaitFor(() => Assert.Equal("Enter the endpoint's absolute https URL.", view.Text("error-url")));
        view.Fill("webhook-topics", "invoice.nonsense");
        view.WaitFor(() => Assert.Contains("'invoice.nonsense' matches no topic", view.Text("error-topics"), StringComparison.Ordinal));
        view.Fill("webhook-topics", "subscription.*");
        view.WaitFor(() => Assert.False(view.Has("error-topics")));

        view.Click("webhook-create-button");

        view.WaitFor(() => Assert.True(view.Has("error-url")));
        Assert.False(view.Has("webhook-secret"));
        Assert.Equal(before, await CountSubscribersAsync());
    }

    [Fact]
    public async Task BillingRunMonth_IsCheckedAsTyped_BeforeAnythingIsAsked()
    {
        await using var view = await portal.OpenAsync<BillingRunsPage>(DemoUsers.Operator);

        view.Fill("billing-period", "2026-13");
        view.WaitFor(() => Assert.Contains("YYYY-MM", view.Markup, StringComparison.Ordinal));
        view.Fill("billing-period", "2099-01");
        view.WaitFor(() => Assert.Contains("2099-01 has not started yet", view.Markup, StringComparison.Ordinal));

        view.Click("billing-run-start");
        Assert.False(view.Has("confirm-dialog"));
    }

    [Fact]
    public async Task NewTenant_WithoutAName_IsRefusedNextToTheField_AndNothingIsWritten()
    {
        var before = await CountTenantsAsync();
        await using var view = await portal.OpenAsync<TenantsPage>(DemoUsers.Operator);

        view.Fill("tenant-name", "x");
        view.Fill("tenant-name", "");
        view.WaitFor(() => Assert.Contains("Enter the tenant's name.", view.Markup, StringComparison.Ordinal));
        view.Click("tenant-create");

        Assert.False(view.Has("tenant-created"));
        Assert.Equal(before, await CountTenantsAsync());
    }

    [Fact]
    public async Task NewPlan_BadCodeEmptyNameAndAPriceThatIsNoNumber_AreSaidAsTyped_AndSaveWritesNothing()
    {
        var before = await CountPlansAsync();
        await using var view = await portal.OpenAsync<AdminCatalogPage>(DemoUsers.Operator);

        view.Fill("plan-code", "Not A Slug!");
        view.WaitFor(() => Assert.True(view.Has("error-plan-code")));
        view.Fill("plan-name", "x");
        view.Fill("plan-name", "");
        view.WaitFor(() => Assert.True(view.Has("error-plan-name")));
        view.Fill("plan-price", "twelve");
        view.WaitFor(() => Assert.True(view.Has("error-plan-price")));
        view.Fill("plan-code", "crm-new-monthly");
        view.WaitFor(() => Assert.False(view.Has("error-plan-code")));

        view.Click("plan-save");

        view.WaitFor(() => Assert.True(view.Has("error-plan-price") || view.Has("error-plan-name")));
        Assert.False(view.Has("catalog-saved"));
        Assert.Equal(before, await CountPlansAsync());
    }

    [Fact]
    public async Task NewPack_BadCodeAndEmptyName_AreSaidAsTyped_AndCleared_WhenCorrected()
    {
        await using var view = await portal.OpenAsync<AdminPacksPage>(DemoUsers.Operator);

        view.Fill("pack-code", "Bad Code!");
        view.WaitFor(() => Assert.True(view.Has("error-code")));
        view.Fill("pack-name", "x");
        view.Fill("pack-name", "");
        view.WaitFor(() => Assert.True(view.Has("error-name")));
        view.Fill("pack-code", "good-code");
        view.WaitFor(() => Assert.False(view.Has("error-code")));
        Assert.True(view.Has("error-name"));
    }

    [Fact]
    public async Task NewPlan_TrialAndTermOutOfRange_AreSaidAsTyped_ClearedWhenCorrected_AndSaveWritesNothing()
    {
        var before = await CountPlansAsync();
        await using var view = await portal.OpenAsync<AdminCatalogPage>(DemoUsers.Operator);
        view.Fill("plan-code", "crm-trial-check");
        view.Fill("plan-name", "Trial check");
        view.Fill("plan-price", "10.00");

        view.Fill("plan-trial", "400");
        view.WaitFor(() => Assert.Equal("Trial days must be between 0 and 365.", view.Text("error-plan-trial")));
        view.Fill("plan-term", "0");
        view.WaitFor(() => Assert.StartsWith("The fixed term must be between 1 and 120 periods", view.Text("error-plan-term"), StringComparison.Ordinal));

        view.Click("plan-save");

        Assert.True(view.Has("error-plan-trial"));
        Assert.True(view.Has("error-plan-term"));
        Assert.False(view.Has("catalog-saved"));
        Assert.Equal(before, await CountPlansAsync());

        view.Fill("plan-trial", "14");
        view.WaitFor(() => Assert.False(view.Has("error-plan-trial")));
        view.Fill("plan-term", "12");
        view.WaitFor(() => Assert.False(view.Has("error-plan-term")));
    }

    [Fact]
    public async Task NewPack_WithOnePlanRow_OrAnEmptyRow_IsRefusedAtTheRows_AsEdited_AndOnSave_AndNothingIsWritten()
    {
        var before = await CountPacksAsync();
        await using var view = await portal.OpenAsync<AdminPacksPage>(DemoUsers.Operator);
        view.Fill("pack-code", "check-items");
        view.Fill("pack-name", "Check items");

        view.Click("pack-item-remove-1");
        view.WaitFor(() => Assert.Equal("A pack needs at least 2 plans of different services.", view.Text("error-items")));

        view.Click("pack-save");

        view.WaitFor(() => Assert.Equal("Choose a plan for this row, or remove it.", view.Text("error-items[0].plan_id")));
        Assert.True(view.Has("error-items"));
        Assert.False(view.Has("pack-saved"));
        Assert.Equal(before, await CountPacksAsync());
    }

    [Fact]
    public async Task NewTemplate_BadLanguageAndName_AreSaidAsTyped_AndSaveWritesNothing()
    {
        var before = await CountTemplatesAsync();
        await using var view = await portal.OpenAsync<TemplateDesignerPage>(DemoUsers.Operator);

        view.Fill("template-language", "not a language!");
        view.WaitFor(() => Assert.True(view.Has("error-template-language")));
        view.Fill("template-name", "Not A Slug!");
        view.WaitFor(() => Assert.True(view.Has("error-template-name")));

        view.Click("template-save");

        Assert.True(view.Has("error-template-language"));
        Assert.False(view.Has("template-notice"));
        Assert.Equal(before, await CountTemplatesAsync());

        view.Fill("template-language", "de-AT");
        view.WaitFor(() => Assert.False(view.Has("error-template-language")));
        view.Fill("template-name", "invoice-short");
        view.WaitFor(() => Assert.False(view.Has("error-template-name")));
    }

    private async Task<int> CountPacksAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.ServicePacks.CountAsync();
    }

    private async Task<int> CountTemplatesAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.InvoiceTemplates.CountAsync();
    }

    private async Task<int> CountPlansAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Plans.CountAsync();
    }

    private async Task<int> CountSubscribersAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.WebhookSubscriptions.CountAsync();
    }

    private async Task<int> CountTenantsAsync()
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Tenants.CountAsync();
    }
}
