using ScaiControl.Domain.Common;
using ScaiControl.Domain.Usage;

namespace ScaiControl.Tests.Domain.Usage;

/// <summary>
/// Usage pricing, hand-computed (issue 15: at least 20 cases over the four models, included units, tier boundaries and
/// cost-plus). Prices are in cents (minor units) with up to 6 decimals; amounts are whole cents, each part rounded half
/// away from zero and the line the sum of its parts.
/// </summary>
public sealed class UsageCalculatorTests
{
    private static long P(string cents) => UnitPrices.ParseMinor(cents, "price");

    private static UsageQuantity Q(string units) => UsageQuantity.Parse(units);

    private static readonly UsageTier[] ApiTiers = [new(10_000, P("0")), new(50_000, P("0.2")), new(null, P("0.1"))];
    private static readonly UsageTier[] FlatTiers = [new(100, P("5"), 100), new(null, P("2"), 50)];
    private static readonly UsageTier[] VolumeTiers = [new(1_000, P("1")), new(10_000, P("0.8")), new(null, P("0.5"))];

    public static TheoryData<string, UsageChargeTerms, string, long, int> Cases => new()
    {
        // name, terms, quantity, expected cents, expected parts
        { "per_unit: nothing used", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("0.15")), "0", 0, 0 },
        { "per_unit: 1000 calls at 0.15 c = 150 c", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("0.15")), "1000", 150, 1 },
        { "per_unit: 1 call at 0.15 c rounds to 0", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("0.15")), "1", 0, 1 },
        { "per_unit: 3 x 0.5 c = 1.5 c rounds half up to 2", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("0.5")), "3", 2, 1 },
        { "per_unit: 5 x 0.5 c = 2.5 c rounds to 3", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("0.5")), "5", 3, 1 },
        { "per_unit: 12000 with 10000 included at 0.1 c = 200 c", new(UsagePriceModel.PerUnit, IncludedUnits: 10_000, UnitPriceMicroMinor: P("0.1")), "12000", 200, 1 },
        { "per_unit: below the included units is free", new(UsagePriceModel.PerUnit, IncludedUnits: 10_000, UnitPriceMicroMinor: P("0.1")), "9000", 0, 0 },
        { "per_unit: 2.5 GB at 10 c = 25 c", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("10")), "2.5", 25, 1 },
        { "per_unit: 0.333333 GB at 100 c = 33.3333 c -> 33", new(UsagePriceModel.PerUnit, UnitPriceMicroMinor: P("100")), "0.333333", 33, 1 },
        { "graduated: exactly the free first tier", new(UsagePriceModel.Graduated, Tiers: ApiTiers), "10000", 0, 1 },
        { "graduated: one unit into tier 2 (0.2 c rounds to 0)", new(UsagePriceModel.Graduated, Tiers: ApiTiers), "10001", 0, 2 },
        { "graduated: tier 2 full = 40000 x 0.2 c", new(UsagePriceModel.Graduated, Tiers: ApiTiers), "50000", 8000, 2 },
        { "graduated: 8000 + 10000 x 0.1 c in tier 3", new(UsagePriceModel.Graduated, Tiers: ApiTiers), "60000", 9000, 3 },
        { "graduated: flat fees of both tiers reached: 600 + 150", new(UsagePriceModel.Graduated, Tiers: FlatTiers), "150", 750, 2 },
        { "graduated: at the boundary only tier 1 and its flat fee", new(UsagePriceModel.Graduated, Tiers: FlatTiers), "100", 600, 1 },
        { "graduated: included units come off before tier 1", new(UsagePriceModel.Graduated, IncludedUnits: 10_000, Tiers: [new(5_000, P("0.2")), new(null, P("0.1"))]), "17000", 1200, 2 },
        { "graduated: 10.5 units over a tier ending at 10 = 1000 + 25", new(UsagePriceModel.Graduated, Tiers: [new(10, P("100")), new(null, P("50"))]), "10.5", 1025, 2 },
        { "volume: 1000 at the first tier's 1 c", new(UsagePriceModel.Volume, Tiers: VolumeTiers), "1000", 1000, 1 },
        { "volume: 1001 all at 0.8 c = 800.8 -> 801", new(UsagePriceModel.Volume, Tiers: VolumeTiers), "1001", 801, 1 },
        { "volume: 20000 all at 0.5 c", new(UsagePriceModel.Volume, Tiers: VolumeTiers), "20000", 10000, 1 },
        { "volume: the reached tier's flat fee only", new(UsagePriceModel.Volume, Tiers: [new(10, 0, 500), new(null, 0, 2000)]), "11", 2000, 1 },
        { "volume: nothing used", new(UsagePriceModel.Volume, Tiers: VolumeTiers), "0", 0, 0 },
        { "package: 1 unit is one started package", new(UsagePriceModel.Package, PackageSize: 1000, PackagePriceMinor: 250), "1", 250, 1 },
        { "package: exactly one package", new(UsagePriceModel.Package, PackageSize: 1000, PackagePriceMinor: 250), "1000", 250, 1 },
        { "package: 1001 units are two packages", new(UsagePriceModel.Package, PackageSize: 1000, PackagePriceMinor: 250), "1001", 500, 1 },
        { "package: 1500 with 500 included is one package", new(UsagePriceModel.Package, IncludedUnits: 500, PackageSize: 1000, PackagePriceMinor: 250), "1500", 250, 1 },
        { "package: nothing used, no package", new(UsagePriceModel.Package, PackageSize: 1000, PackagePriceMinor: 250), "0", 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prices(string name, UsageChargeTerms terms, string quantity, long expectedMinor, int expectedParts)
    {
        var result = UsageCalculator.Price(terms, Q(quantity));
        Assert.True(expectedMinor == result.AmountMinor, $"{name}: expected {expectedMinor}, got {result.AmountMinor}");
        Assert.Equal(expectedParts, result.Parts.Count);
        Assert.Equal(result.AmountMinor, result.Parts.Sum(p => p.AmountMinor)); // the breakdown adds up to the line
    }

    public static TheoryData<string, int, long, string[], long> CostPlusCases => new()
    {
        // name, margin bp, included, groups "qty@cost", expected cents
        { "100 units at cost 10 c + 25 % = 1250", 2500, 0, ["100@10"], 1250 },
        { "two ingestion rates: 100 at 10 c and 50 at 12 c, +20 % = 1200 + 720", 2000, 0, ["100@10", "50@12"], 1920 },
        { "120 included take the first group and 20 of the second: 30 x 12 c", 0, 120, ["100@10", "50@12"], 360 },
        { "1 unit at 0.333333 c + 50 % = 0.4999995 -> 0", 5000, 0, ["1@0.333333"], 0 },
        { "3 units at 0.333333 c + 50 % = 1.4999985 -> 1", 5000, 0, ["3@0.333333"], 1 },
    };

    [Theory]
    [MemberData(nameof(CostPlusCases))]
    public void PricesCostPlus(string name, int margin, long included, string[] groups, long expectedMinor)
    {
        var costGroups = groups.Select(g => g.Split('@')).Select(g => new CostGroup(Q(g[0]), P(g[1]))).ToList();
        var total = costGroups.Aggregate(UsageQuantity.Zero, (s, g) => s + g.Quantity);
        var result = UsageCalculator.Price(new UsageChargeTerms(UsagePriceModel.CostPlus, IncludedUnits: included, MarginBasisPoints: margin), total, costGroups);
        Assert.True(expectedMinor == result.AmountMinor, $"{name}: expected {expectedMinor}, got {result.AmountMinor}");
        Assert.Equal(result.AmountMinor, result.Parts.Sum(p => p.AmountMinor));
    }

    [Fact]
    public void GraduatedBreakdown_NamesEachTierWithItsUnits()
    {
        var result = UsageCalculator.Price(new UsageChargeTerms(UsagePriceModel.Graduated, Tiers: ApiTiers), Q("60000"));
        Assert.Equal(["1 - 10000", "10001 - 50000", "above 50000"], result.Parts.Select(p => p.Description));
        Assert.Equal([Q("10000"), Q("40000"), Q("10000")], result.Parts.Select(p => p.Quantity));
    }

    [Theory]
    [InlineData("1.5e3", "exponent")]
    [InlineData("-1", "negative")]
    [InlineData("0.0000001", "6 decimal")]
    [InlineData("1000000001", "exceeds")]
    [InlineData("12,5", "decimal number")]
    [InlineData("", "decimal number")]
    public void BadQuantities_AreRefusedWithTheReason(string text, string reason)
    {
        Assert.Null(UsageQuantity.TryParse(text, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("12", 12_000_000)]
    [InlineData("0.5", 500_000)]
    [InlineData("1000000000", 1_000_000_000_000_000)]
    [InlineData("007.250000", 7_250_000)]
    public void Quantities_AreExact(string text, long micro) => Assert.Equal(micro, UsageQuantity.Parse(text).Micro);

    [Fact]
    public void TiersOutOfOrder_AreRefused() =>
        Assert.Throws<DomainValidationException>(() => UsageCalculator.Price(new UsageChargeTerms(UsagePriceModel.Graduated, Tiers: [new(100, 1), new(50, 1), new(null, 1)]), Q("1")));
}
