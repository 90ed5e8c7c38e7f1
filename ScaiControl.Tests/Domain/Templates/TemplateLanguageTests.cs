using ScaiControl.Domain.Common;
using ScaiControl.Domain.Templates;

namespace ScaiControl.Tests.Domain.Templates;

/// <summary>BCP 47 tags in canonical case and their fallback chains.</summary>
public sealed class TemplateLanguageTests
{
    [Theory]
    [InlineData("de-AT", "de-AT")]
    [InlineData("DE-at", "de-AT")]
    [InlineData(" en ", "en")]
    [InlineData("de_CH", "de-CH")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    [InlineData("sr-latn-rs", "sr-Latn-RS")]
    public void Normalise_GivesTheCanonicalCase(string tag, string expected) => Assert.Equal(expected, TemplateLanguage.Normalise(tag));

    [Theory]
    [InlineData("")]
    [InlineData("german")]
    [InlineData("d")]
    [InlineData("de--AT")]
    [InlineData("de-AT-")]
    [InlineData("de AT")]
    [InlineData("de-abcdefghi")]
    public void Normalise_RefusesMalformedTags(string tag)
    {
        var e = Assert.Throws<DomainValidationException>(() => TemplateLanguage.Normalise(tag));
        Assert.Equal("language", e.Field);
    }

    [Theory]
    [InlineData("de-AT", "de-AT,de,en")]
    [InlineData("de", "de,en")]
    [InlineData("en", "en")]
    [InlineData("en-GB", "en-GB,en")]
    [InlineData("zh-Hant-TW", "zh-Hant-TW,zh-Hant,zh,en")]
    [InlineData(null, "en")]
    public void Chain_IsTheTagItsParentsThenEnglish(string? tag, string expected) => Assert.Equal(expected.Split(','), TemplateLanguage.Chain(tag));
}
