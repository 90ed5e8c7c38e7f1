using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>
/// VAT ids must carry correct check digits (<see cref="VatIdChecksums"/>): published valid numbers pass, the same
/// numbers with one digit changed are refused on vat_id.
/// </summary>
/// <remarks>
/// Sources of the valid numbers, unless a line says otherwise: the examples in the python-stdnum documentation
/// (https://arthurdejong.org/python-stdnum/doc/1.19/, module stdnum.&lt;country&gt;.&lt;vat module&gt;), which
/// checks them against the same VIES rules.
///
/// Hand-computed, DE136695976 (ISO 7064 MOD 11,10 over 1 3 6 6 9 5 9 7; product starts at 10; per digit
/// sum = (digit + product) mod 10, 0 read as 10, product = 2 * sum mod 11):
///   1: sum 1, product 2;  3: sum 5, product 10;  6: sum 6, product 1;  6: sum 7, product 3;
///   9: sum 2, product 4;  5: sum 9, product 7;   9: sum 6, product 1;  7: sum 8, product 5;
///   check digit = 11 - 5 = 6, the ninth digit; DE136695975 ends in 5, not 6, and fails.
///
/// Hand-computed, NL004495445B01 (elfproef): 9*0 + 8*0 + 7*4 + 6*4 + 5*9 + 4*5 + 3*4 + 2*4 = 0+0+28+24+45+20+12+8
///   = 137; 137 - 5 (the ninth digit) = 132 = 12 * 11, divisible by 11, so valid. NL004495446B01: 137 - 6 = 131, not.
///
/// Hand-computed, NL000099998B57 (btw-id since 2020, mod 97): "NL000099998B57" with N=23, L=21, B=11 reads
///   23210000999981157; 232100009 mod 97 = 58; 5899981157 mod 97 = 1, so valid. NL000099998B58 leaves 2.
/// </remarks>
public sealed class VatIdChecksumTests
{
    [Theory]
    [InlineData("AT", "ATU13585627")]     // stdnum.at.uid; also the worked example at tools.gera.services/austria-uid-validator
    [InlineData("BE", "BE0403019261")]    // stdnum.be.vat ("BE403019261")
    [InlineData("BE", "BE0440966354")]    // Oracle Fusion tax docs, Belgium "Good" example (docs.oracle.com .../faitx/belgium.html)
    [InlineData("BG", "BG175074752")]     // stdnum.bg.vat, legal entity
    [InlineData("BG", "BG7501020018")]    // python-stdnum tests/test_bg_vat.doctest, physical person (EGN)
    [InlineData("BG", "BG7111042925")]    // test_bg_vat.doctest, foreigner (PNF)
    [InlineData("BG", "BG7153849522")]    // test_bg_vat.doctest, others
    [InlineData("CY", "CY10259033P")]     // stdnum.cy.vat
    [InlineData("CZ", "CZ25123891")]      // stdnum.cz.dic, legal entity
    [InlineData("CZ", "CZ640903926")]     // stdnum.cz.dic, individual without birth number (starts with 6)
    [InlineData("CZ", "CZ7103192745")]    // stdnum.cz.dic, birth number (rodné číslo)
    [InlineData("DE", "DE136695976")]     // stdnum.de.vat (and stdnum-js de/vat.spec.ts); hand-computed above
    [InlineData("DE", "DE123456788")]     // sima.cat/nif.php & validari.ro/nif DE example; rechtlogisch/ust-id README
    [InlineData("DK", "DK13585628")]      // stdnum.dk.cvr
    [InlineData("EE", "EE100931558")]     // stdnum.ee.kmkr
    [InlineData("GR", "EL094259216")]     // stdnum.gr.vat
    [InlineData("ES", "ESA13585625")]     // stdnum.es.cif (split example), legal entity with a digit control
    [InlineData("ES", "ESJ99216582")]     // stdnum.es.cif
    [InlineData("ES", "ESM1234567L")]     // stdnum.es.nif, "M" natural person
    [InlineData("ES", "ESX2482300W")]     // stdnum.es.nie, foreigner
    [InlineData("ES", "ES54362315K")]     // stdnum.es.dni
    [InlineData("FI", "FI20774740")]      // stdnum.fi.alv
    [InlineData("FR", "FR40303265045")]   // stdnum.fr.tva
    [InlineData("FR", "FR23334175221")]   // stdnum.fr.tva
    [InlineData("FR", "FR83404833048")]   // en.wikipedia.org/wiki/VAT_identification_number (key example, after INSEE)
    [InlineData("HR", "HR33392005961")]   // stdnum.hr.oib
    [InlineData("HU", "HU12892312")]      // stdnum.hu.anum
    [InlineData("IE", "IE6433435F")]      // stdnum.ie.vat, pre-2013 format
    [InlineData("IE", "IE6433435OA")]     // stdnum.ie.vat, 2013 format
    [InlineData("IE", "IE8D79739I")]      // stdnum.ie.vat, old style (letter in second position)
    [InlineData("IT", "IT00743110157")]   // stdnum.it.iva
    [InlineData("LT", "LT119511515")]     // stdnum.lt.pvm, legal entity
    [InlineData("LT", "LT100001919017")]  // stdnum.lt.pvm, temporarily registered (12 digits)
    [InlineData("LU", "LU15027442")]      // stdnum.lu.tva
    [InlineData("LV", "LV40003521600")]   // stdnum.lv.pvn, legal entity
    [InlineData("MT", "MT11679112")]      // stdnum.mt.vat
    [InlineData("NL", "NL004495445B01")]  // stdnum.nl.btw; hand-computed above
    [InlineData("NL", "NL123456782B01")]  // AFAS Profit help, "VAT number checks for EU countries" (help.afas.nl)
    [InlineData("NL", "NL002455799B11")]  // stdnum.nl.btw, "valid since 2020-01-01"
    [InlineData("NL", "NL000099998B57")]  // business.gov.nl (RVO), "Using and checking VAT numbers"; hand-computed above
    [InlineData("PL", "PL8567346215")]    // stdnum.pl.nip
    [InlineData("PT", "PT501964843")]     // stdnum.pt.nif
    [InlineData("PT", "PT502757191")]     // SAP wiki, Portugal VAT sample (wiki.scn.sap.com/wiki/display/CRM/Portugal)
    [InlineData("RO", "RO18547290")]      // stdnum.ro.cf
    [InlineData("SE", "SE123456789701")]  // stdnum.se.vat
    [InlineData("SI", "SI50223054")]      // stdnum.si.ddv
    [InlineData("SK", "SK2022749619")]    // stdnum.sk.dph
    [InlineData("NO", "NO995525828MVA")]  // stdnum.no.mva
    [InlineData("NO", "NO974761076")]     // Skatteetaten's own organisation number (Brønnøysund register)
    public void Normalise_PublishedValidId_IsAccepted(string country, string vatId)
    {
        Assert.Equal(vatId, VatIds.Normalise(vatId, country));
        Assert.True(VatIdChecksums.IsValid(country, vatId));
    }

    [Theory]
    [InlineData("AT", "ATU13585626")]
    [InlineData("BE", "BE0403019262")]
    [InlineData("BG", "BG175074751")]
    [InlineData("BG", "BG7501020019")]
    [InlineData("BG", "BG7111042926")]
    [InlineData("BG", "BG7153849523")]
    [InlineData("CY", "CY10259043P")]
    [InlineData("CZ", "CZ25123890")]
    [InlineData("CZ", "CZ640903927")]
    [InlineData("CZ", "CZ7103192746")]
    [InlineData("DE", "DE136695975")]
    [InlineData("DE", "DE123456789")]
    [InlineData("DK", "DK13585627")]
    [InlineData("EE", "EE100931559")]
    [InlineData("GR", "EL094259217")]
    [InlineData("ES", "ESA13585626")]
    [InlineData("ES", "ESJ99216583")]
    [InlineData("ES", "ESM1234568L")]
    [InlineData("ES", "ESX2482301W")]
    [InlineData("ES", "ES54362316K")]
    [InlineData("FI", "FI20774741")]
    [InlineData("FR", "FR40303265046")]
    [InlineData("HR", "HR33392005962")]
    [InlineData("HU", "HU12892313")]
    [InlineData("IE", "IE6433436F")]
    [InlineData("IE", "IE6433436OA")]
    [InlineData("IE", "IE8D79738I")]
    [InlineData("IT", "IT00743110158")]
    [InlineData("LT", "LT119511516")]
    [InlineData("LT", "LT100001919018")]
    [InlineData("LU", "LU15027443")]
    [InlineData("LV", "LV40003521601")]
    [InlineData("MT", "MT11679113")]
    [InlineData("NL", "NL004495446B01")]
    [InlineData("NL", "NL000099998B58")]
    [InlineData("NL", "NL123456789B01")]
    [InlineData("PL", "PL8567346216")]
    [InlineData("PT", "PT501964844")]
    [InlineData("RO", "RO18547291")]
    [InlineData("SE", "SE123456789801")]
    [InlineData("SI", "SI50223055")]
    [InlineData("SK", "SK2022749618")]
    [InlineData("NO", "NO995525829MVA")]
    [InlineData("NO", "NO987654321MVA")]
    public void Normalise_OneDigitChanged_RefusesOnVatIdNamingTheCheckDigit(string country, string vatId)
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise(vatId, country));

        Assert.Equal("vat_id", error.Field);
        Assert.Equal($"'{vatId}' fails the {country} VAT number check digit.", error.Message);
        Assert.False(VatIdChecksums.IsValid(country, vatId));
    }

    [Fact]
    public void Normalise_FailedCheckDigit_NamesTheGivenFieldAndTheInputAsTyped()
    {
        var error = Assert.Throws<DomainValidationException>(() => VatIds.Normalise("de 136 695 975", "DE", "buyer_vat_id"));

        Assert.Equal("buyer_vat_id", error.Field);
        Assert.Equal("'de 136 695 975' fails the DE VAT number check digit.", error.Message);
    }

    [Theory]
    [InlineData("FR", "FRK7399859412")]   // alphanumeric French key: format only
    [InlineData("FR", "FR4Z123456789")]
    [InlineData("CZ", "CZ530101123")]     // 9-digit birth number (born before 1954): no check digit
    [InlineData("LV", "LV16117519997")]   // natural person's code: format only
    [InlineData("GB", "GB123456789")]     // outside the EU: format only
    [InlineData("CH", "CHE123456789MWST")]
    public void Normalise_FormWithoutVerifiedCheckDigit_KeepsTheFormatCheckOnly(string country, string vatId) =>
        Assert.Equal(vatId, VatIds.Normalise(vatId, country));

    [Fact]
    public void Countries_AreTheEuMemberStatesAndNorway() =>
        Assert.Equal(
            ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"],
            VatIdChecksums.Countries.Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("DE", "")]
    [InlineData("DE", "DE")]
    [InlineData("DE", "DE12345678")]
    [InlineData("NL", "NL004495445X01")]
    [InlineData("ES", "ESI1234567A")]
    public void IsValid_WrongShape_IsFalseRatherThanAnException(string country, string vatId) =>
        Assert.False(VatIdChecksums.IsValid(country, vatId));
}
