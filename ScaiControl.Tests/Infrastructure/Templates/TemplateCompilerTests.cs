using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Infrastructure.Templates;

/// <summary>Compiling and rendering templates: the Handlebars error with the line it is on, and the sample documents.</summary>
public sealed class TemplateCompilerTests
{
    private static readonly Actor Operator = Actor.System("test");

    public static TheoryData<string, int, string> Broken => new()
    {
        // template, line, part of the message
        { "<p>a</p>\n<table>\n{{#each lines}}\n<tr></tr>\n</table>", 3, "'#each' was closed" },
        { "a\nb\n{{#if x}}y{{/each}}", 3, "without a matching open element" },
        { "a\n{{/if}}", 2, "closes no open block" },
        { "a\nb\nc {{number\nd", 3, "never closed with '}}'" },
        { "a\n\n{{}}", 3, "unparseable token" },
        { "<p>\n{{#each lines}}\n{{#unknown position}}x{{/unknown}}\n{{/each}}</p>", 3, "BlockHelper '#unknown'" },
        { "<p>\n\n{{format-money net_total}}</p>", 3, "Helper 'format-money'" },
        { "<p>\n{{> letterhead}}</p>", 2, "partial name 'letterhead'" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Preview_OfABrokenTemplate_GivesTheHandlebarsErrorAndItsLine(string template, int line, string message)
    {
        var e = Assert.Throws<TemplateValidationException>(() => InvoiceTemplateService.Preview(Operator, template, "invoice"));

        Assert.Equal("body", e.Field);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Preview_OfTheEncodedBuiltInTemplate_IsWhatFinalisationRenders()
    {
        var sample = TemplateSampleData.For(DocumentType.Invoice);
        var expected = InvoiceHtmlRenderer.Render(sample, TemplateCompiler.Compile(InvoiceHtmlRenderer.BuiltInSource));

        var preview = InvoiceTemplateService.Preview(Operator, TemplateEncoding.Encode(InvoiceHtmlRenderer.BuiltInSource), "invoice");

        Assert.Equal(expected, preview);
        Assert.Contains("SCAI-2026-000042", preview, StringComparison.Ordinal);
        Assert.Contains("Building C, 4th floor", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("HB:", preview, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleCreditNote_RefersToItsInvoice()
    {
        var preview = InvoiceTemplateService.Preview(Operator, "{{title}} {{number}} for {{referenced_invoice_number}}: {{#each notes}}{{this}}{{/each}} {{gross_total}}", "credit_note");

        Assert.StartsWith("Credit note SCAI-CN-2026-000007 for SCAI-2026-000042: Credit note for invoice SCAI-2026-000042", preview, StringComparison.Ordinal);
        Assert.EndsWith("EUR 145.20", preview, StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_NeedsTheTemplatesPermission()
    {
        var tenant = new Actor("usr_X", "ptr_X", "tnt_X", ["tenant_admin"], ["invoices:read"]);

        Assert.Throws<UnauthorizedAccessException>(() => InvoiceTemplateService.Preview(tenant, "<p></p>", "invoice"));
    }

    [Fact]
    public void StructureProblem_NamesTheOpenerOfAMismatchedClose()
    {
        var problem = TemplateCompiler.StructureProblem("{{#each lines}}\n{{#if x}}\n{{/each}}");

        Assert.Equal((3, "'{{/each}}' on line 3 does not close '{{#if x}}' opened on line 2"), problem);
        Assert.Null(TemplateCompiler.StructureProblem(InvoiceHtmlRenderer.BuiltInSource));
    }
}
