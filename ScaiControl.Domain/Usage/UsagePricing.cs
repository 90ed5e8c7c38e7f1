using System.Globalization;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>How a usage charge prices a period's billable quantity (issue 15, "Meters and pricing").</summary>
public enum UsagePriceModel
{
    /// <summary>Every billable unit at one unit price.</summary>
    PerUnit,

    /// <summary>Each tier's units at that tier's own unit price (plus each reached tier's flat fee).</summary>
    Graduated,

    /// <summary>All units at the unit price of the tier the total reaches (plus that tier's flat fee).</summary>
    Volume,

    /// <summary>Per started package of N units at the package price (rounded up).</summary>
    Package,

    /// <summary>Per unit at the unit cost recorded at ingestion plus a margin (spec 002 migration 007).</summary>
    CostPlus,
}

/// <summary>Wire names: per_unit | graduated | volume | package | cost_plus.</summary>
public static class UsagePriceModels
{
    /// <summary>The wire name.</summary>
    public static string WireName(this UsagePriceModel m) => m switch
    {
        UsagePriceModel.PerUnit => "per_unit",
        UsagePriceModel.Graduated => "graduated",
        UsagePriceModel.Volume => "volume",
        UsagePriceModel.Package => "package",
        UsagePriceModel.CostPlus => "cost_plus",
    };

    /// <summary>Parses a wire name.</summary>
    /// <exception cref="DomainValidationException">Any other value (field "model").</exception>
    public static UsagePriceModel Parse(string? value) => value switch
    {
        "per_unit" => UsagePriceModel.PerUnit,
        "graduated" => UsagePriceModel.Graduated,
        "volume" => UsagePriceModel.Volume,
        "package" => UsagePriceModel.Package,
        "cost_plus" => UsagePriceModel.CostPlus,
        _ => throw new DomainValidationException("model", "model must be per_unit, graduated, volume, package or cost_plus."),
    };
}

/// <summary>
/// A unit price in millionths of a minor unit (EUR 0.0015 per call = 0.15 cents = 150,000 micro-minor), so prices
/// below a cent stay exact. Parsed from decimal text in minor units ("0.15" cents).
/// </summary>
public static class UnitPrices
{
    /// <summary>Micro-minor units per minor unit.</summary>
    public const long PerMinor = 1_000_000;

    /// <summary>Parses a unit price given in minor units with up to 6 decimals ("0.15").</summary>
    /// <exception cref="DomainValidationException">Not such a number (field <paramref name="field"/>).</exception>
    public static long ParseMinor(string text, string field)
    {
        var q = UsageQuantity.TryParse(text, out _) ?? throw new DomainValidationException(field, $"{field} must be a price in minor units with up to 6 decimals, e.g. \"0.15\".");
        return q.Micro;
    }

    /// <summary>Formats micro-minor as minor-unit decimal text ("0.15").</summary>
    public static string FormatMinor(long microMinor) => new UsageQuantity(microMinor).ToString();
}

/// <summary>
/// One tier of a graduated or volume price: units up to <see cref="UpTo"/> (inclusive, whole units; null = no upper
/// bound, only the last tier), at <see cref="UnitPriceMicroMinor"/> per unit, plus <see cref="FlatMinor"/> once when
/// the tier is reached.
/// </summary>
public sealed record UsageTier(long? UpTo, long UnitPriceMicroMinor, long FlatMinor = 0);

/// <summary>Units billed at one unit cost recorded at ingestion (cost-plus charges).</summary>
public sealed record CostGroup(UsageQuantity Quantity, long UnitCostMicroMinor);

/// <summary>The definition of one usage charge of a plan, as the calculator needs it.</summary>
/// <param name="Model">The pricing model.</param>
/// <param name="IncludedUnits">Units included in the fixed price: subtracted from the period quantity before pricing.</param>
/// <param name="UnitPriceMicroMinor">per_unit: the unit price.</param>
/// <param name="Tiers">graduated and volume: tiers in ascending order, the last without upper bound.</param>
/// <param name="PackageSize">package: units per package.</param>
/// <param name="PackagePriceMinor">package: the price of one package.</param>
/// <param name="MarginBasisPoints">cost_plus: margin on cost (2500 = 25 %).</param>
public sealed record UsageChargeTerms(
    UsagePriceModel Model, long IncludedUnits = 0, long UnitPriceMicroMinor = 0, IReadOnlyList<UsageTier>? Tiers = null,
    long PackageSize = 0, long PackagePriceMinor = 0, int MarginBasisPoints = 0)
{
    /// <summary>Checks the terms.</summary>
    /// <exception cref="DomainValidationException">Negative amounts, tiers out of order or without an open last tier, package size below 1.</exception>
    public void Validate()
    {
        if (IncludedUnits < 0 || UnitPriceMicroMinor < 0 || PackagePriceMinor < 0 || MarginBasisPoints is < 0 or > 1_000_000)
        {
            throw new DomainValidationException("terms", "Included units, prices and margin must not be negative.");
        }

        switch (Model)
        {
            case UsagePriceModel.Graduated or UsagePriceModel.Volume:
                if (Tiers is not { Count: > 0 } || Tiers[^1].UpTo is not null)
                {
                    throw new DomainValidationException("tiers", "Tiers need at least one tier and the last one without up_to.");
                }

                long previous = 0;
                foreach (var t in Tiers.Take(Tiers.Count - 1))
                {
                    if (t.UpTo is not { } up || up <= previous)
                    {
                        throw new DomainValidationException("tiers", "Tier bounds (up_to) must rise strictly.");
                    }

                    previous = up;
                }

                if (Tiers.Any(t => t.UnitPriceMicroMinor < 0 || t.FlatMinor < 0))
                {
                    throw new DomainValidationException("tiers", "Tier prices must not be negative.");
                }

                break;
            case UsagePriceModel.Package when PackageSize < 1:
                throw new DomainValidationException("package_size", "package_size must be at least 1.");
        }
    }
}

/// <summary>One part of a charge's amount (a tier, the packages, a cost group), shown on the invoice line.</summary>
/// <param name="Description">e.g. "1 - 10000", "10001 - 50000", "3 packages of 1000", "cost 0.1 + 25 %".</param>
/// <param name="Quantity">Units priced in this part.</param>
/// <param name="UnitPriceMicroMinor">Price per unit (package: per package).</param>
/// <param name="FlatMinor">Flat fee of the tier.</param>
/// <param name="AmountMinor">This part's amount, rounded (see <see cref="UsageCalculator"/>).</param>
public sealed record UsageChargePart(string Description, UsageQuantity Quantity, long UnitPriceMicroMinor, long FlatMinor, long AmountMinor);

/// <summary>The result of pricing one charge for one period.</summary>
/// <param name="Quantity">The period's quantity (before included units).</param>
/// <param name="BillableQuantity">What is left after included units.</param>
/// <param name="Parts">The breakdown; their amounts add up to <paramref name="AmountMinor"/>.</param>
/// <param name="AmountMinor">The line's net amount in minor units (EN 16931 BT-131).</param>
public sealed record UsageChargeResult(UsageQuantity Quantity, UsageQuantity BillableQuantity, IReadOnlyList<UsageChargePart> Parts, long AmountMinor);

/// <summary>
/// Prices usage (issue 15): pure, integer arithmetic only. Quantities are <see cref="UsageQuantity"/> (millionths of a
/// unit), unit prices millionths of a minor unit, amounts minor units.
/// <para>Rounding rule: each part (a tier, the packages, a cost group) is computed exactly and rounded once, half away
/// from zero, to a whole minor unit (<see cref="Rounding"/>); the line amount is the sum of its rounded parts, so the
/// breakdown printed on the invoice always adds up to the line.</para>
/// <para>Included units are taken off first (the cheapest, lowest units: a graduated charge with 10,000 included and a
/// first tier up to 10,000 bills from tier 2 on). Graduated and volume tiers are counted on the billable quantity;
/// a fractional quantity belongs to the tier its units fall into (10,000.5 is above a tier up to 10,000). Package: the
/// number of packages is the billable quantity divided by the size, rounded up (a started package is a package); zero
/// billable units are zero packages.</para>
/// </summary>
public static class UsageCalculator
{
    private static readonly Int128 Denominator = (Int128)UsageQuantity.PerUnit * UnitPrices.PerMinor;

    /// <summary>Prices <paramref name="quantity"/> (cost-plus: <paramref name="costGroups"/>, whose sum is the quantity) under <paramref name="terms"/>.</summary>
    /// <exception cref="DomainValidationException">Invalid terms, or a negative quantity.</exception>
    public static UsageChargeResult Price(UsageChargeTerms terms, UsageQuantity quantity, IReadOnlyList<CostGroup>? costGroups = null)
    {
        terms.Validate();
        if (quantity.Micro < 0)
        {
            throw new DomainValidationException("quantity", "A period's quantity cannot be negative.");
        }

        var included = UsageQuantity.Units(terms.IncludedUnits);
        var billable = quantity > included ? quantity - included : UsageQuantity.Zero;
        var parts = new List<UsageChargePart>();
        switch (terms.Model)
        {
            case UsagePriceModel.PerUnit:
                if (billable.Micro > 0)
                {
                    parts.Add(new UsageChargePart("per unit", billable, terms.UnitPriceMicroMinor, 0, Amount(billable, terms.UnitPriceMicroMinor)));
                }

                break;
            case UsagePriceModel.Graduated:
                {
                    long lower = 0;
                    foreach (var tier in terms.Tiers!)
                    {
                        if (billable.Micro <= lower * UsageQuantity.PerUnit)
                        {
                            break;
                        }

                        var upperMicro = tier.UpTo is { } up ? Math.Min(billable.Micro, up * UsageQuantity.PerUnit) : billable.Micro;
                        var inTier = new UsageQuantity(upperMicro - lower * UsageQuantity.PerUnit);
                        parts.Add(new UsageChargePart(TierName(lower, tier.UpTo), inTier, tier.UnitPriceMicroMinor, tier.FlatMinor,
                            checked(Amount(inTier, tier.UnitPriceMicroMinor) + tier.FlatMinor)));
                        lower = tier.UpTo ?? lower;
                    }

                    break;
                }

            case UsagePriceModel.Volume:
                if (billable.Micro > 0)
                {
                    long lower = 0;
                    var reached = terms.Tiers![^1];
                    foreach (var tier in terms.Tiers)
                    {
                        if (tier.UpTo is not { } up || billable.Micro <= up * UsageQuantity.PerUnit)
                        {
                            reached = tier;
                            break;
                        }

                        lower = up;
                    }

                    parts.Add(new UsageChargePart(TierName(lower, reached.UpTo), billable, reached.UnitPriceMicroMinor, reached.FlatMinor,
                        checked(Amount(billable, reached.UnitPriceMicroMinor) + reached.FlatMinor)));
                }

                break;
            case UsagePriceModel.Package:
                {
                    var size = terms.PackageSize * UsageQuantity.PerUnit;
                    var packages = (billable.Micro + size - 1) / size;
                    if (packages > 0)
                    {
                        parts.Add(new UsageChargePart(string.Create(CultureInfo.InvariantCulture, $"{packages} x {terms.PackageSize} units"), billable,
                            checked(terms.PackagePriceMinor * UnitPrices.PerMinor), 0, checked(packages * terms.PackagePriceMinor)));
                    }

                    break;
                }

            case UsagePriceModel.CostPlus:
                {
                    // Included units come off the groups in the order given (the earliest rates first).
                    var groups = costGroups ?? [];
                    if (groups.Aggregate(UsageQuantity.Zero, (s, g) => s + g.Quantity) != quantity)
                    {
                        throw new DomainValidationException("quantity", "The cost groups must add up to the period's quantity.");
                    }

                    var free = included.Micro;
                    foreach (var g in groups)
                    {
                        var take = Math.Min(free, g.Quantity.Micro);
                        free -= take;
                        var q = new UsageQuantity(g.Quantity.Micro - take);
                        if (q.Micro == 0)
                        {
                            continue;
                        }

                        var price = Rounding128(checked((Int128)g.UnitCostMicroMinor * (10_000 + terms.MarginBasisPoints)), 10_000);
                        parts.Add(new UsageChargePart(string.Create(CultureInfo.InvariantCulture,
                            $"cost {UnitPrices.FormatMinor(g.UnitCostMicroMinor)} + {terms.MarginBasisPoints / 100m:0.##} %"), q, (long)price, 0,
                            (long)Rounding128((Int128)q.Micro * g.UnitCostMicroMinor * (10_000 + terms.MarginBasisPoints), Denominator * 10_000)));
                    }

                    break;
                }
        }

        return new UsageChargeResult(quantity, billable, parts, parts.Sum(p => p.AmountMinor));
    }

    /// <summary>quantity × unit price, rounded half away from zero to a minor unit.</summary>
    public static long Amount(UsageQuantity quantity, long unitPriceMicroMinor) =>
        (long)Rounding128(checked((Int128)quantity.Micro * unitPriceMicroMinor), Denominator);

    private static Int128 Rounding128(Int128 numerator, Int128 denominator)
    {
        var quotient = Int128.DivRem(numerator, denominator);
        var abs = Int128.Abs(quotient.Remainder);
        return abs >= denominator - abs ? quotient.Quotient + Int128.Sign(numerator) : quotient.Quotient;
    }

    private static string TierName(long lower, long? upTo) => upTo is { } up
        ? string.Create(CultureInfo.InvariantCulture, $"{lower + 1} - {up}")
        : string.Create(CultureInfo.InvariantCulture, $"above {lower}");
}
