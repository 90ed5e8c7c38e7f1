using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>One billing period [Start, End) in UTC.</summary>
public sealed record PeriodSpan(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// The VAT treatment an invoice gets, as a person reads it: the rule (wire name, e.g. "intra_eu_reverse_charge"),
/// the treatment bucket the dashboard uses ("domestic" | "reverse_charge" | "oss" | "export"), the EN 16931 category
/// (BT-151), the rate in basis points (BT-152; 2100 = 21 %), the legal note the invoice carries (BT-120/BT-22) and,
/// when reverse charge did not apply although the buyer has a VAT id, why.
/// </summary>
public sealed record VatTreatment(string Rule, string Treatment, string Category, int RateBasisPoints, string? LegalNote, string? Remark)
{
    /// <summary>From a decision of <see cref="VatDetermination"/>.</summary>
    public static VatTreatment From(VatDecision d) => new(d.Rule.WireName(), BillingSchedule.TreatmentOf(d.Rule), d.Category.ToString(), d.Rate.BasisPoints, d.LegalNote, d.Remark);

    /// <summary>True when <paramref name="other"/> charges differently (another rule, category or rate).</summary>
    public bool DiffersFrom(VatTreatment other) => Rule != other.Rule || Category != other.Category || RateBasisPoints != other.RateBasisPoints;
}

/// <summary>
/// When the billing engine invoices what, as pure rules shared by the subscribe quote, the tenant overview and the
/// profile-change preview (docs/decisions/0009-invoice-each-period-when-it-starts.md; <see cref="BillingRunService"/>,
/// Jobs.OnTimeBillingJob): each anniversary period is invoiced when it starts (the on-time job runs every few
/// minutes), never before; the catch-up run on the 1st of each month at 02:00 UTC invoices only what has started by
/// then. The VAT of an invoice is decided at its finalisation (issue date) by <see cref="VatDetermination"/>.
/// </summary>
public static class BillingSchedule
{
    /// <summary>Hour (UTC) of the 1st at which the scheduled catch-up run fires ("0 0 2 1 * ?").</summary>
    public const int RunHourUtc = 2;

    /// <summary>The first scheduled catch-up billing run at or after <paramref name="notBefore"/>: the 1st of a month at 02:00 UTC.</summary>
    public static DateTimeOffset NextScheduledRun(DateTimeOffset notBefore)
    {
        var utc = notBefore.ToUniversalTime();
        var candidate = new DateTimeOffset(utc.Year, utc.Month, 1, RunHourUtc, 0, 0, TimeSpan.Zero);
        return candidate >= utc ? candidate : candidate.AddMonths(1);
    }

    /// <summary>
    /// The periods a run at <paramref name="run"/> puts on the invoice for a subscription billed from
    /// <paramref name="anchor"/> (first paid period start) with nothing invoiced yet: every anniversary period that
    /// has started by then (start ≤ run; one period when the run is at the anchor), stopping at
    /// <paramref name="termEnd"/> (fixed terms). Never a period that starts after the run.
    /// </summary>
    public static IReadOnlyList<PeriodSpan> PeriodsOfFirstInvoice(BillingInterval interval, DateTimeOffset anchor, DateTimeOffset run, DateTimeOffset? termEnd)
    {
        var cutoff = BillingRunService.CutoffOf(BillingPeriod.Of(run), run);
        var periods = new List<PeriodSpan>();
        var start = anchor;
        while (start < cutoff && (termEnd is null || start < termEnd) && periods.Count < 1000)
        {
            var end = interval.PeriodEnd(anchor, start);
            periods.Add(new PeriodSpan(start, end));
            start = end;
        }

        return periods;
    }

    /// <summary>
    /// The dashboard's treatment bucket of a VAT rule: domestic (incl. intra-EU B2C below the Art. 59c threshold,
    /// whose place of supply is the seller's member state), reverse_charge (Art. 196), oss (intra-EU B2C at the
    /// customer's rate, declared through the One-Stop Shop) and export (outside the scope of EU VAT).
    /// </summary>
    public static string TreatmentOf(VatRule rule) => rule switch
    {
        VatRule.Domestic or VatRule.IntraEuB2CBelowThreshold => "domestic",
        VatRule.IntraEuReverseCharge => "reverse_charge",
        VatRule.IntraEuB2C => "oss",
        VatRule.NonEu => "export",
    };

    /// <summary>The four treatment buckets, in display order.</summary>
    public static IReadOnlyList<string> Treatments { get; } = ["domestic", "reverse_charge", "oss", "export"];

    /// <summary>
    /// The VAT decision finalisation would take for an invoice of <paramref name="seller"/> to the buyer with
    /// <paramref name="buyerCountry"/> / <paramref name="buyerVatId"/> issued on <paramref name="issueDate"/>:
    /// the same inputs as <see cref="InvoiceService.FinaliseAsync(ScaiDbContext, string, CancellationToken, string?)"/>
    /// (VIES evidence, the seller's OSS mode and, in threshold mode, its cross-border B2C turnover over all its
    /// buyers, read on the audited system path because the caller's scope sees only its own invoices).
    /// </summary>
    public static async Task<VatDecision> DecideAsync(ScaiDbFactory factory, PartnerConfiguration seller, string buyerCountry, string? buyerVatId, bool vatIdConfirmed, DateOnly issueDate, CancellationToken ct)
    {
        long crossBorder = 0;
        if (seller.OssMode == OssMode.Threshold)
        {
            await using var system = await factory.ForSystemAsync("oss threshold for a vat preview", ct);
            crossBorder = await InvoiceService.CrossBorderB2CEurAsync(system, seller.PartnerId, issueDate.Year, ct);
        }

        return VatDetermination.Determine(new VatContext(seller.Country, buyerCountry, buyerVatId, vatIdConfirmed, issueDate, seller.OssMode, crossBorder));
    }
}
