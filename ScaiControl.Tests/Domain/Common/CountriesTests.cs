using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>Country codes are ISO 3166-1 alpha-2; EU membership decides the VAT rules.</summary>
public sealed class CountriesTests
{
    [Theory]
    [InlineData("nl", "NL")]
    [InlineData(" de ", "DE")]
    [InlineData("US", "US")]
    public void Require_KnownCode_ReturnsUpperCase(string input, string expected) => Assert.Equal(expected, Countries.Require(input));

    [Theory]
    [InlineData("XX")]
    [InlineData("EL")]
    [InlineData("UK")]
    [InlineData("NLD")]
    [InlineData("")]
    [InlineData(null)]
    public void Require_UnknownCode_RefusesOnCountry(string? code)
    {
        var error = Assert.Throws<DomainValidationException>(() => Countries.Require(code));

        Assert.Equal("country", error.Field);
    }

    [Fact]
    public void Require_UnknownCode_NamesTheGivenField() =>
        Assert.Equal("buyer_country", Assert.Throws<DomainValidationException>(() => Countries.Require("ZZ", "buyer_country")).Field);

    [Theory]
    [InlineData("NL", true)]
    [InlineData("GR", true)]
    [InlineData("HR", true)]
    [InlineData("GB", false)]
    [InlineData("NO", false)]
    [InlineData("CH", false)]
    [InlineData("EL", false)]
    public void IsEu_OnlyForTheTwentySeven(string code, bool eu) => Assert.Equal(eu, Countries.IsEu(code));
}
