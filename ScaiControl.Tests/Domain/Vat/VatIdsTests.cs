using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>
/// VAT ids are normalised and must match the format of the party's country. The well-formed ids here also pass
/// their check digits (most are published examples, see <see cref="VatIdChecksumTests"/>, where check digits are
/// tested; French ids with a letter in the key are checked for format only).
/// </summary>
public sealed class VatIdsTests
{
    [Theory]
    [InlineData("DE", "DE136695976")]
    [InlineData("NL", "NL004495445B01")]
    [InlineData("FR", "FR40303265045")]
    [InlineData("FR", "FRAB123456789")]
    [InlineData("FR", "FR1A123456789")]
    [InlineData("AT", "ATU13585627")]
    [InlineData("BE", "BE0403019261")]
    [InlineData("GR", "EL094259216")]
    [InlineData("ES", "ESA13585625")]
    [InlineData("ES", "ES12345678Z")]
    [InlineData("IE", "IE1234567T")]
    [InlineData("IE", "IE6433435OA")]
    [InlineData("IT", "IT00743110157")]
    [InlineData("SE", "SE123456789701")]
    [InlineData("PL", "PL8567346215")]
    [InlineData("NO", "NO995525828MVA")]
    [InlineData("CH", "CHE123456789MWST")]
    [InlineData("GB", "GB123456789")]
    public void Normalise_WellFormedId_ReturnsIt(string country, string vatId) =>
        Assert.Equal(vatId, VatIds.Normalise(vatId, country));

    [Theory]
    [InlineData("DE", "de 136.695-976", "DE136695976")]
    [InlineData("NL", "nl004495445b01", "NL004495445B01")]
    [InlineData("FR", "FR 40 303265045", "FR40303265045")]
    public void Normalise_SpacesDotsHyphensAndCase_AreCleanedUp(string country, string input, string expected) =>
        Assert.Equal(expected, VatIds.Normalise(input, country));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Normalise_Empty_IsNull(string? vatId) => Assert.Null(VatIds.Normalise(vatId, "DE"));

    [Theory]
    [InlineData("DE", "DE12345678")]      // 8 digits, DE needs 9
    [InlineData("DE", "DE1234567890")]    // 10 digits
    [InlineData("DE", "NL123456789B01")]  // another country's id
    [InlineData("NL", "NL123456789")]     // missing B01
    [InlineData("NL", "NL123456789X01")]
    [InlineData("FR", "FRIO123456789")]   // I and O are not used in the French key
    [InlineData("GR", "GR123456789")]     // Greece's VAT prefix is EL
    [InlineData("AT", "AT12345678")]      // missing U
    [InlineData("SE", "SE123456789012")]  // must end in 01
    [InlineData("BE", "BE2123456789")]    // first digit 0 or 1
    [InlineData("US", "AB1")]             // no pattern: 4-20 letters or digits
    [InlineData("US", "12/3456789")]
    public void Normalise_MalformedId_RefusesOnVatId(string country, string vatId)
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise(vatId, country));

        Assert.Equal("vat_id", error.Field);
        Assert.Contains(country, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_MalformedId_NamesTheGivenField()
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise("DE1", "DE", "buyer_vat_id"));

        Assert.Equal("buyer_vat_id", error.Field);
    }

    [Fact]
    public void Normalise_CountryWithoutPattern_AcceptsFourToTwentyAlphanumerics() =>
        Assert.Equal("US123456789", VatIds.Normalise("us12-3456789", "US"));

    [Theory]
    [InlineData("NE", "NL853746333B01", "Netherlands")] // "Netherlands" typed as NE (Niger): a Dutch id is refused, not stored
    [InlineData("US", "DE136695976", "Germany")]
    [InlineData("CA", "EL094259216", "Greece")]
    [InlineData("DE", "ATU13585627", "Austria")]
    public void Normalise_AnotherCountrysPrefix_IsRefusedForEveryCountry(string country, string vatId, string owner)
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise(vatId, country));

        Assert.Equal("vat_id", error.Field);
        Assert.Contains(owner, error.Message, StringComparison.Ordinal);
        Assert.Contains($"({country})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_GreekIdWithGrPrefix_SaysItStartsWithEl()
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise("GR094259216", "GR"));

        Assert.Contains("starts with EL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Countries_HaveNames_AndGreeceHasTheElPrefix()
    {
        Assert.Equal(249, Countries.Codes.Count);
        Assert.All(Countries.Codes, c => Assert.NotEqual(c, Countries.NameOf(c)));
        Assert.Equal(("Netherlands", "Niger", "EL"), (Countries.NameOf("NL"), Countries.NameOf("NE"), Countries.VatPrefixOf("GR")));
    }
}
