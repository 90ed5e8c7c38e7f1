using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Web.Components.Layout;
using ScaiControl.Web.Components.Pages.Admin.Templates;

namespace ScaiControl.Tests.Web.Components.Pages.Admin.Templates;

/// <summary>The template list and the designer page as the operator sees them, and the link only the operator gets.</summary>
public sealed class TemplatePagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task List_ForTheOperator_ShowsTheSeededTemplatesWithOwnerLanguageAndInForce()
    {
        var html = await portal.RenderAsync<TemplatesPage>(DemoUsers.Operator);

        Assert.Contains("data-testid=\"templates-grid\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-owner\">Nordic Cloud AB<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-owner\">Platform default<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-language\">de<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-language\">en<", html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "data-testid=\"template-status\">published<"));
        Assert.Equal(2, CountOf(html, "data-testid=\"template-in-force\""));
        Assert.Contains("href=\"/admin/templates/tpl_", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-new\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_ForAStoredTemplate_ShowsItsKeySourceAndAPreviewRenderedWithSampleData()
    {
        var operatorActor = await portal.ActorAsync(DemoUsers.Operator);
        var nordic = (await portal.Services.GetRequiredService<InvoiceTemplateService>().ListAsync(operatorActor, new TemplateFilter(Language: "en"), null, 50))
            .Items.Single(i => i.Template.PartnerId is not null).Template;

        var html = WebUtility.HtmlDecode(await portal.RenderAsync<TemplateDesignerPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = nordic.Id }));

        Assert.Contains("Template invoice, version 1", html, StringComparison.Ordinal);
        Assert.Contains("Version 1, published, in force", html, StringComparison.Ordinal);
        Assert.Contains("Nordic Cloud AB", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-designer\"", html, StringComparison.Ordinal);
        Assert.Contains("<!--HB:{{#each lines}}-->", html, StringComparison.Ordinal);
        // The preview is the Nordic template rendered with the sample invoice.
        Assert.Contains("data-brand=\"nordic-cloud\"", html, StringComparison.Ordinal);
        Assert.Contains("SCAI-2026-000042", html, StringComparison.Ordinal);
        Assert.Contains("\"gross_total\": \"EUR", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-publish\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"template-preview-error\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_ForANewTemplate_StartsFromTheBuiltInTemplate()
    {
        var html = WebUtility.HtmlDecode(await portal.RenderAsync<TemplateDesignerPage>(DemoUsers.Operator));

        Assert.Contains(">New template</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Platform default", html, StringComparison.Ordinal);
        Assert.Contains("<!--HB:{{#each vat_breakdown}}-->", html, StringComparison.Ordinal);
        Assert.Contains("Invoice SCAI-2026-000042", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_ForThePartnerAdmin_IsRefused()
    {
        var html = await portal.RenderAsync<TemplatesPage>(DemoUsers.PartnerAdmin);

        Assert.Contains("templates:write", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"templates-grid\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NavLink_IsShownOnlyToTheOperator()
    {
        Assert.Contains("href=\"/admin/templates\"", await portal.RenderAsync<NavMenu>(DemoUsers.Operator), StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/templates\"", await portal.RenderAsync<NavMenu>(DemoUsers.PartnerAdmin), StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/templates\"", await portal.RenderAsync<NavMenu>(DemoUsers.Anna), StringComparison.Ordinal);
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
}
