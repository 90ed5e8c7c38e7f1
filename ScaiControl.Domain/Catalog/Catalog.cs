using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Catalog;

/// <summary>How often a plan bills: every calendar month or every year from the period start.</summary>
public enum BillingInterval
{
    Month,
    Year,
}

/// <summary>Period arithmetic for <see cref="BillingInterval"/> (anniversary periods, UTC).</summary>
public static class BillingIntervals
{
    /// <summary>The end of a period that starts at <paramref name="start"/> (exclusive), e.g. 2026-01-31 + 1 month = 2026-02-28.</summary>
    public static DateTimeOffset PeriodEnd(this BillingInterval interval, DateTimeOffset start) => interval switch
    {
        BillingInterval.Month => start.AddMonths(1),
        BillingInterval.Year => start.AddYears(1),
    };

    /// <summary>
    /// The end of the period that starts at <paramref name="start"/> on the anniversary schedule of
    /// <paramref name="anchor"/>: the first anchor + k intervals after <paramref name="start"/>. Counting from the
    /// anchor (not from the previous period) keeps a subscription started on the 31st on the 31st again after
    /// February: [01-31, 02-28), [02-28, 03-31).
    /// </summary>
    public static DateTimeOffset PeriodEnd(this BillingInterval interval, DateTimeOffset anchor, DateTimeOffset start)
    {
        var k = interval switch
        {
            BillingInterval.Month => Math.Max(1, (start.Year - anchor.Year) * 12 + start.Month - anchor.Month),
            BillingInterval.Year => Math.Max(1, start.Year - anchor.Year),
        };
        DateTimeOffset At(int n) => interval == BillingInterval.Month ? anchor.AddMonths(n) : anchor.AddYears(n);
        while (At(k) <= start)
        {
            k++;
        }

        while (k > 1 && At(k - 1) > start)
        {
            k--;
        }

        return At(k);
    }

    /// <summary>The spec's wire name ("month" | "year").</summary>
    public static string WireName(this BillingInterval interval) => interval switch
    {
        BillingInterval.Month => "month",
        BillingInterval.Year => "year",
    };

    /// <summary>Parses "month" | "year".</summary>
    /// <exception cref="DomainValidationException">Any other value.</exception>
    public static BillingInterval Parse(string? value) => value switch
    {
        "month" => BillingInterval.Month,
        "year" => BillingInterval.Year,
        _ => throw new DomainValidationException("interval", "interval must be 'month' or 'year'."),
    };
}

/// <summary>A service of the catalog (spec 002 migrations 002/006): slug, name, description, optional parent slug.</summary>
public sealed class Service
{
    private Service() { }

    /// <summary>Creates a service; the slug is lower-case letters, digits and hyphens.</summary>
    public Service(string slug, string name, string description, string? parentSlug, DateTimeOffset now)
    {
        Id = Ids.New("svc");
        Slug = Guard.Slug(slug, "slug");
        CreatedAt = now;
        Update(name, description, parentSlug);
    }

    public string Id { get; private set; } = default!;
    public string Slug { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public string Description { get; private set; } = default!;
    public string? ParentSlug { get; private set; }
    public bool IsActive { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Changes name, description and parent.</summary>
    public void Update(string name, string description, string? parentSlug)
    {
        Name = Guard.Text(name, "name", 200);
        Description = Guard.OptionalText(description, "description", 2000, multiline: true) ?? string.Empty;
        ParentSlug = parentSlug is null or "" ? null : Guard.Slug(parentSlug, "parent_slug");
        if (ParentSlug == Slug)
        {
            throw new DomainValidationException("parent_slug", "A service cannot be its own parent.");
        }
    }
}

/// <summary>
/// A plan of a service: a price in integer minor units of an ISO 4217 currency per interval, with optional trial days.
/// </summary>
public sealed class Plan
{
    /// <summary>Largest accepted trial length.</summary>
    public const int MaxTrialDays = 365;

    /// <summary>Largest accepted price in minor units (10 billion in a two-decimal currency): keeps every VAT product inside 64 bits.</summary>
    public const long MaxPriceMinor = 1_000_000_000_000;

    private Plan() { }

    /// <summary>Creates a plan of <paramref name="serviceId"/>.</summary>
    /// <exception cref="DomainValidationException">Bad code, name, negative price, unknown currency or trial days out of 0..365.</exception>
    public Plan(string serviceId, string code, string name, Money price, BillingInterval interval, int trialDays, DateTimeOffset now)
    {
        Id = Ids.New("pln");
        ServiceId = serviceId;
        Code = Guard.Slug(code, "code");
        CreatedAt = now;
        Update(name, price, interval, trialDays);
    }

    public string Id { get; private set; } = default!;
    public string ServiceId { get; private set; } = default!;
    public string Code { get; private set; } = default!;
    public string Name { get; private set; } = default!;

    /// <summary>Price per interval in minor units (cents).</summary>
    public long PriceMinor { get; private set; }

    /// <summary>ISO 4217 code of the price.</summary>
    public string Currency { get; private set; } = default!;
    public BillingInterval Interval { get; private set; }
    public int TrialDays { get; private set; }

    /// <summary>What happens when a trial ends without the tenant acting: activate (and bill) or expire (issue 4).</summary>
    public TrialEndBehavior TrialEndBehavior { get; private set; } = TrialEndBehavior.Activate;

    /// <summary>Fixed term in billing periods (e.g. 12 monthly periods); null = open-ended. At the end the reaper expires the subscription.</summary>
    public int? TermPeriods { get; private set; }

    /// <summary>How <see cref="PriceMinor"/> is set: a fixed price, or per-unit cost plus margin (spec 002 migration 007).</summary>
    public PricingModel PricingModel { get; private set; } = PricingModel.Fixed;

    /// <summary>Cost-based plans: the per-unit cost in minor units of <see cref="Currency"/>; null for fixed plans.</summary>
    public long? UnitCostMinor { get; private set; }

    /// <summary>Cost-based plans: the margin on cost in basis points (2500 = 25.00 %); null for fixed plans.</summary>
    public int? MarginBasisPoints { get; private set; }

    /// <summary>When a cost-based price was last computed (UTC); null for fixed plans.</summary>
    public DateTimeOffset? PriceRefreshedAt { get; private set; }
    public bool IsActive { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The price as money.</summary>
    public Money Price => new(PriceMinor, Currency);

    /// <summary>Changes the commercial terms (existing subscriptions keep their periods).</summary>
    public void Update(string name, Money price, BillingInterval interval, int trialDays)
    {
        Name = Guard.Text(name, "name", 200);
        if (price.MinorUnits is < 0 or > MaxPriceMinor)
        {
            throw new DomainValidationException("price", $"price must be between 0 and {MaxPriceMinor} minor units.");
        }

        if (trialDays is < 0 or > MaxTrialDays)
        {
            throw new DomainValidationException("trial_days", $"trial_days must be between 0 and {MaxTrialDays}.");
        }

        PriceMinor = price.MinorUnits;
        Currency = Currencies.Require(price.Currency);
        Interval = interval;
        TrialDays = trialDays;
    }

    /// <summary>Largest accepted margin: 100000 basis points (1000 %).</summary>
    public const int MaxMarginBasisPoints = 100_000;

    /// <summary>Largest accepted fixed term, in periods.</summary>
    public const int MaxTermPeriods = 120;

    /// <summary>Sets what a trial ends in and the fixed term (null = open-ended; 1..120 periods).</summary>
    /// <exception cref="DomainValidationException">Term out of range.</exception>
    public void SetLifecycle(TrialEndBehavior trialEndBehavior, int? termPeriods)
    {
        if (termPeriods is < 1 or > MaxTermPeriods)
        {
            throw new DomainValidationException("term_periods", $"term_periods must be between 1 and {MaxTermPeriods}, or null for open-ended.");
        }

        TrialEndBehavior = trialEndBehavior;
        TermPeriods = termPeriods;
    }

    /// <summary>
    /// Makes this a cost-based plan (spec 002 migration 007) and computes its price: unit cost × (1 + margin / 10000),
    /// rounded half away from zero to a whole minor unit (<see cref="Rounding.DivideHalfAwayFromZero"/>), e.g. cost
    /// 1999 at 2500 bp = 2498.75 → 2499. Sets <see cref="PriceRefreshedAt"/>.
    /// </summary>
    /// <exception cref="DomainValidationException">Negative or too large cost, margin out of 0..100000, or a price over the maximum.</exception>
    public void RefreshCostPrice(long unitCostMinor, int marginBasisPoints, DateTimeOffset now)
    {
        if (unitCostMinor is < 0 or > MaxPriceMinor)
        {
            throw new DomainValidationException("unit_cost", $"unit_cost must be between 0 and {MaxPriceMinor} minor units.");
        }

        if (marginBasisPoints is < 0 or > MaxMarginBasisPoints)
        {
            throw new DomainValidationException("margin_bps", $"margin_bps must be between 0 and {MaxMarginBasisPoints}.");
        }

        var price = Rounding.DivideHalfAwayFromZero(unitCostMinor * (10_000L + marginBasisPoints), 10_000);
        if (price > MaxPriceMinor)
        {
            throw new DomainValidationException("unit_cost", $"The resulting price exceeds {MaxPriceMinor} minor units.");
        }

        PricingModel = PricingModel.CostPlus;
        UnitCostMinor = unitCostMinor;
        MarginBasisPoints = marginBasisPoints;
        PriceMinor = price;
        PriceRefreshedAt = now;
    }

    /// <summary>Withdraws the plan from sale (existing subscriptions continue).</summary>
    public void Retire() => IsActive = false;
}

/// <summary>What a trial turns into at its end (issue 4): "activate" (billed from then) or "expire".</summary>
public enum TrialEndBehavior
{
    Activate,
    Expire,
}

/// <summary>Wire names of <see cref="TrialEndBehavior"/> and <see cref="PricingModel"/>.</summary>
public static class PlanWireNames
{
    /// <summary>"activate" | "expire".</summary>
    public static string WireName(this TrialEndBehavior value) => value == TrialEndBehavior.Expire ? "expire" : "activate";

    /// <summary>"fixed" | "cost_plus".</summary>
    public static string WireName(this PricingModel value) => value == PricingModel.CostPlus ? "cost_plus" : "fixed";

    /// <summary>Parses "activate" | "expire"; null means "activate".</summary>
    /// <exception cref="DomainValidationException">Any other value.</exception>
    public static TrialEndBehavior ParseTrialEndBehavior(string? value) => value switch
    {
        null or "activate" => TrialEndBehavior.Activate,
        "expire" => TrialEndBehavior.Expire,
        _ => throw new DomainValidationException("trial_end_behavior", "trial_end_behavior must be 'activate' or 'expire'."),
    };
}

/// <summary>How a plan's price is set (spec 002 migration 007): "fixed", or "cost_plus" (per-unit cost + margin).</summary>
public enum PricingModel
{
    Fixed,
    CostPlus,
}
