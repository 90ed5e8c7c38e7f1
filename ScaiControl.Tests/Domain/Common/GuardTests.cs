using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>Input checks trim, normalise and name the offending field.</summary>
public sealed class GuardTests
{
    [Fact]
    public void Text_TrimsSurroundingSpace() => Assert.Equal("Acme B.V.", Guard.Text("  Acme B.V. ", "legal_name", 200));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Text_Missing_RefusesNamingField(string? value) =>
        Assert.Equal("legal_name", Assert.Throws<DomainValidationException>(() => Guard.Text(value, "legal_name", 200)).Field);

    [Fact]
    public void Text_TooLong_Refuses()
    {
        Assert.Equal("abcde", Guard.Text("abcde", "code", 5));
        Assert.Equal("code", Assert.Throws<DomainValidationException>(() => Guard.Text("abcdef", "code", 5)).Field);
    }

    [Fact]
    public void OptionalText_Blank_IsNull() => Assert.Null(Guard.OptionalText("  ", "reason", 500));

    [Fact]
    public void Email_IsLowerCased() => Assert.Equal("billing@acme.example", Guard.Email(" Billing@ACME.example ", "email"));

    [Theory]
    [InlineData("billing")]
    [InlineData("billing@acme")]
    [InlineData("a@b@acme.example")]
    [InlineData("bill ing@acme.example")]
    public void Email_Malformed_RefusesOnField(string email) =>
        Assert.Equal("email", Assert.Throws<DomainValidationException>(() => Guard.Email(email, "email")).Field);

    [Theory]
    [InlineData("llm-gateway", true)]
    [InlineData("s3", true)]
    [InlineData("a", false)]
    [InlineData("LLM-gateway", false)]
    [InlineData("-gateway", false)]
    [InlineData("llm_gateway", false)]
    public void Slug_AcceptsLowerCaseLettersDigitsHyphens(string slug, bool valid)
    {
        if (valid)
        {
            Assert.Equal(slug, Guard.Slug(slug, "slug"));
        }
        else
        {
            Assert.Equal("slug", Assert.Throws<DomainValidationException>(() => Guard.Slug(slug, "slug")).Field);
        }
    }

    [Theory]
    [InlineData("Acme\r\nBcc: x", false)]
    [InlineData("Acme\tB.V.", false)]
    [InlineData("\u202Eevil", false)]
    [InlineData("a\u202Ab", false)]
    [InlineData("a\u2066b\u2069", false)]
    [InlineData("a\u0085b", false)]
    [InlineData("Ærø Ålesund — «café» 株式会社 شركة", true)]
    public void Text_RefusesControlAndBidiCharacters_InSingleLineFields(string value, bool valid)
    {
        if (valid)
        {
            Assert.Equal(value, Guard.Text(value, "name", 200));
        }
        else
        {
            Assert.Equal("name", Assert.Throws<DomainValidationException>(() => Guard.Text(value, "name", 200)).Field);
        }
    }

    [Fact]
    public void MultilineText_KeepsLineBreaks_ButNotBidiControls()
    {
        Assert.Equal("line one\nline two", Guard.Text("line one\nline two", "reason", 500, multiline: true));
        Assert.Throws<DomainValidationException>(() => Guard.Text("line one\n\u202Eowt enil", "reason", 500, multiline: true));
        Assert.Throws<DomainValidationException>(() => Guard.Text("bell\u0007", "reason", 500, multiline: true));
    }
}
