using System.Text.Json;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>
/// A usage charge of a plan on one meter (issue 15): priced in arrears by <see cref="UsageCalculator"/> beside the
/// plan's fixed price, in the plan's currency, with the quotas of that plan and meter (soft: the tenant is told once per
/// period; hard: reported by the quota endpoint, optionally enforced at ingestion).
/// </summary>
public sealed class PlanUsageCharge
{
    private PlanUsageCharge() { }

    /// <summary>Creates a charge of <paramref name="planId"/> on <paramref name="meterId"/>.</summary>
    /// <exception cref="DomainValidationException">Invalid terms or quotas.</exception>
    public PlanUsageCharge(string planId, string meterId, UsageChargeTerms terms, long? unitCostMicroMinor, long? softLimitUnits, long? hardLimitUnits,
        bool rejectOverHardLimit, DateTimeOffset now)
    {
        Id = Ids.New("uch");
        PlanId = planId;
        MeterId = meterId;
        CreatedAt = now;
        Update(terms, unitCostMicroMinor, softLimitUnits, hardLimitUnits, rejectOverHardLimit);
    }

    public string Id { get; private set; } = default!;
    public string PlanId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;
    public UsagePriceModel Model { get; private set; }
    public long IncludedUnits { get; private set; }

    /// <summary>per_unit: price per unit, millionths of a minor unit.</summary>
    public long UnitPriceMicroMinor { get; private set; }

    /// <summary>graduated / volume: the tiers as JSON [{up_to, unit_price_micro_minor, flat_minor}].</summary>
    public string TiersJson { get; private set; } = "[]";
    public long PackageSize { get; private set; }
    public long PackagePriceMinor { get; private set; }
    public int MarginBasisPoints { get; private set; }

    /// <summary>cost_plus: the unit cost in force, millionths of a minor unit; recorded on each event at ingestion.</summary>
    public long? UnitCostMicroMinor { get; private set; }

    /// <summary>Soft quota in units per period: the tenant is told once per period (usage.quota_reached.v1).</summary>
    public long? SoftLimitUnits { get; private set; }

    /// <summary>Hard quota in units per period, reported by GET /api/v1/usage/quota.</summary>
    public long? HardLimitUnits { get; private set; }

    /// <summary>When true, events beyond <see cref="HardLimitUnits"/> are rejected at ingestion with the reason.</summary>
    public bool RejectOverHardLimit { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The pricing terms.</summary>
    public UsageChargeTerms Terms => new(Model, IncludedUnits, UnitPriceMicroMinor,
        JsonSerializer.Deserialize<List<UsageTier>>(TiersJson, Json) ?? [], PackageSize, PackagePriceMinor, MarginBasisPoints);

    /// <summary>Replaces terms and quotas.</summary>
    /// <exception cref="DomainValidationException">Invalid terms, a cost-plus charge without unit cost, or quotas below 1 / soft above hard.</exception>
    public void Update(UsageChargeTerms terms, long? unitCostMicroMinor, long? softLimitUnits, long? hardLimitUnits, bool rejectOverHardLimit)
    {
        terms.Validate();
        if (terms.Model == UsagePriceModel.CostPlus && unitCostMicroMinor is not >= 0)
        {
            throw new DomainValidationException("unit_cost", "A cost_plus charge needs its unit cost.");
        }

        if (softLimitUnits is < 1 || hardLimitUnits is < 1 || (softLimitUnits > hardLimitUnits))
        {
            throw new DomainValidationException("soft_limit", "Quotas are at least 1 unit and the soft quota is not above the hard one.");
        }

        if (rejectOverHardLimit && hardLimitUnits is null)
        {
            throw new DomainValidationException("reject_over_hard_limit", "Rejecting over the hard quota needs a hard quota.");
        }

        Model = terms.Model;
        IncludedUnits = terms.IncludedUnits;
        UnitPriceMicroMinor = terms.UnitPriceMicroMinor;
        TiersJson = JsonSerializer.Serialize(terms.Tiers ?? [], Json);
        PackageSize = terms.PackageSize;
        PackagePriceMinor = terms.PackagePriceMinor;
        MarginBasisPoints = terms.MarginBasisPoints;
        UnitCostMicroMinor = unitCostMicroMinor;
        SoftLimitUnits = softLimitUnits;
        HardLimitUnits = hardLimitUnits;
        RejectOverHardLimit = rejectOverHardLimit;
    }
}
