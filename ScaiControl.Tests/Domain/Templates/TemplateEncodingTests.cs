using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Invoicing;

namespace ScaiControl.Tests.Domain.Templates;

/// <summary>
/// Handlebars blocks stored as HTML comments (<c>&lt;!--HB:{{#each lines}}--&gt;</c>) so the GrapesJS designer keeps
/// them: encoding wraps exactly the block tags in markup, decoding restores the source byte for byte.
/// </summary>
public sealed class TemplateEncodingTests
{
    [Fact]
    public void Encode_WrapsBlockTagsInMarkup_AndLeavesExpressionsAsText()
    {
        const string source = "<tbody>\n{{#each lines}}<tr><td>{{position}}</td></tr>{{else}}<tr><td>none</td></tr>{{/each}}\n</tbody>{{{raw}}}";

        Assert.Equal(
            "<tbody>\n<!--HB:{{#each lines}}--><tr><td>{{position}}</td></tr><!--HB:{{else}}--><tr><td>none</td></tr><!--HB:{{/each}}-->\n</tbody>{{{raw}}}",
            TemplateEncoding.Encode(source));
    }

    [Theory]
    [InlineData("{{#if a}}x{{/if}}", "<!--HB:{{#if a}}-->x<!--HB:{{/if}}-->")]
    [InlineData("{{~#each lines~}}{{/each}}", "<!--HB:{{~#each lines~}}--><!--HB:{{/each}}-->")]
    [InlineData("{{^if a}}x{{/if}}", "<!--HB:{{^if a}}-->x<!--HB:{{/if}}-->")]
    [InlineData("{{#if a}}x{{^}}y{{/if}}", "<!--HB:{{#if a}}-->x<!--HB:{{^}}-->y<!--HB:{{/if}}-->")]
    [InlineData("{{#if a}}x{{else if b}}y{{/if}}", "<!--HB:{{#if a}}-->x<!--HB:{{else if b}}-->y<!--HB:{{/if}}-->")]
    [InlineData("{{! note }}{{!-- long }} note --}}", "<!--HB:{{! note }}--><!--HB:{{!-- long }} note --}}-->")]
    [InlineData("{{> footer}}", "<!--HB:{{> footer}}-->")]
    [InlineData("{{elsewhere}}", "{{elsewhere}}")]
    [InlineData("{{else_date}}", "{{else_date}}")]
    [InlineData("\\{{#if a}}", "\\{{#if a}}")]
    public void Encode_KnowsWhichTagsAreBlocks(string source, string expected) => Assert.Equal(expected, TemplateEncoding.Encode(source));

    [Theory]
    [InlineData("<tr class=\"{{#if @odd}}odd{{/if}}\"><td>x</td></tr>")]
    [InlineData("<title>{{#if is_credit_note}}Credit note{{else}}Invoice{{/if}}</title>")]
    [InlineData("<style>/* {{#if x}} */ p { color: red }</style>")]
    [InlineData("<!-- {{#if a}} an author's comment -->")]
    [InlineData("<div data-x='{{#each a}}>{{/each}}'>")]
    [InlineData("{{!-- contains --> so it cannot be a comment --}}")]
    public void Encode_LeavesAttributesRawTextAndCommentsAlone(string source) => Assert.Equal(source, TemplateEncoding.Encode(source));

    [Fact]
    public void BuiltInTemplate_RoundTrips_AndIsIdempotent()
    {
        var source = InvoiceHtmlRenderer.BuiltInSource;
        var encoded = TemplateEncoding.Encode(source);

        Assert.NotEqual(source, encoded);
        Assert.Contains("<!--HB:{{#each lines}}-->", encoded, StringComparison.Ordinal);
        Assert.Equal(source, TemplateEncoding.Decode(encoded));
        Assert.Equal(encoded, TemplateEncoding.Encode(encoded));
        Assert.Equal(source.Count(c => c == '\n'), encoded.Count(c => c == '\n'));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("<p>{{a}}</p>{{#each x}}{{#if y}}<b>{{z}}</b>{{/if}}{{/each}}")]
    [InlineData("{{#if a}}<!-- kept -->{{/if}}<script>if (a < b) {}</script>")]
    [InlineData("unclosed {{#if a")]
    [InlineData("<p title='{{x}}'>{{#with y}}-->{{/with}}</p>")]
    [InlineData("<table>\n  {{#each rows}}\n  <tr>{{{cell}}}</tr>\n  {{/each}}\n</table>")]
    public void DecodeOfEncode_IsTheSource(string source)
    {
        var encoded = TemplateEncoding.Encode(source);
        Assert.Equal(source, TemplateEncoding.Decode(encoded));
        Assert.Equal(encoded, TemplateEncoding.Encode(encoded));
    }

    [Fact]
    public void Tags_GiveLinesAndColumns()
    {
        var tags = TemplateEncoding.Tags("a\n  {{#each lines}}\n{{x}} {{/each}}\n{{!-- a\nb --}}{{y");

        Assert.Equal(["{{#each lines}}", "{{x}}", "{{/each}}", "{{!-- a\nb --}}", "{{y"], tags.Select(t => t.Text));
        Assert.Equal([2, 3, 3, 4, 5], tags.Select(t => t.Line));
        Assert.Equal(3, tags[0].Column);
        Assert.Equal("each", tags[0].Word);
        Assert.Equal("each", tags[2].Word);
        Assert.False(tags[4].Closed);
    }
}
