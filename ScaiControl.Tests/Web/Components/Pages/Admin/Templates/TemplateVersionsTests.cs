using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Web.Components.Pages.Admin.Templates;

namespace ScaiControl.Tests.Web.Components.Pages.Admin.Templates;

/// <summary>
/// The designer's version list: every version of the key with a diff against the version in force, and "Publish
/// again" (rollback) through the confirm dialog, which saves the old body as the next version and publishes it.
/// </summary>
public sealed class TemplateVersionsTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task AnOlderVersion_ShowsItsDiff_AndPublishingItAgain_MakesItsBodyTheVersionInForce()
    {
        var templates = portal.Services.GetRequiredService<InvoiceTemplateService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var v1 = (await templates.ListAsync(ops, new TemplateFilter(Language: "en"), null, 50)).Items.Single(i => i.Template.PartnerId is not null).Template;
        Assert.Contains("</body>", v1.Source, StringComparison.Ordinal);
        var changed = v1.Source.Replace("</body>", "<p data-brand-note=\"v2\">Version two footer</p>\n</body>", StringComparison.Ordinal);
        var v2 = await templates.CreateDraftAsync(ops, new TemplateDraft(v1.Name, TemplateWireNames.Of(v1.DocumentType), v1.Language, v1.PartnerId, changed));
        await templates.PublishAsync(ops, v2.Id);

        await using var view = await portal.OpenAsync<TemplateDesignerPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = v2.Id });

        view.WaitFor(() => Assert.True(view.Has("version-1")));
        Assert.True(view.Has("version-2-in-force"));
        Assert.False(view.Has("version-1-in-force"));
        Assert.False(view.Has("version-2-republish"));
        var diff = view.ByTestId("version-1-diff");
        Assert.Contains("0 lines added, 1 removed", diff.TextContent, StringComparison.Ordinal);
        Assert.Contains("- ", diff.QuerySelector(".scai-diff-del")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Version two footer", diff.QuerySelector(".scai-diff-del")!.TextContent, StringComparison.Ordinal);

        // Going back changes nothing.
        view.Click("version-1-republish");
        view.WaitForTestId("confirm-message");
        view.Click("confirm-cancel");
        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        Assert.Equal(2, (await templates.VersionsAsync(ops, v1, null, 50)).Items.Count);

        view.Click("version-1-republish");
        Assert.Contains("saved as the next version and published", view.WaitForTestId("confirm-message").TextContent, StringComparison.Ordinal);
        view.Click("confirm-ok");

        view.WaitFor(() => Assert.True(view.Has("version-3-in-force")));
        var all = (await templates.VersionsAsync(ops, v1, null, 50)).Items;
        Assert.Equal([3, 2, 1], all.Select(i => i.Template.Version));
        var v3 = all[0];
        Assert.True(v3.InForce);
        Assert.Equal(TemplateStatus.Published, v3.Template.Status);
        Assert.Equal(v1.Source, v3.Template.Source);
        Assert.True(view.Has("version-1-same"));
    }

    [Fact]
    public async Task RepublishingABodyThatNoLongerRenders_IsRefused_AndWritesNothing()
    {
        var templates = portal.Services.GetRequiredService<InvoiceTemplateService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var broken = await templates.CreateDraftAsync(ops, new TemplateDraft("broken-demo", "invoice", "en", null, "<html>{{#each lines}}</html>"));

        await Assert.ThrowsAsync<TemplateValidationException>(() => templates.RepublishAsync(ops, broken.Id));

        Assert.Single((await templates.VersionsAsync(ops, broken, null, 50)).Items);
    }
}
