using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Dashboard;

/// <summary>Recurring revenue in one currency: MRR and ARR in minor units, and how many live subscriptions and packs make it.</summary>
public sealed record RecurringRevenue(string Currency, long Mrr, long Arr, int Subscriptions);

/// <summary>How many subscriptions (standalone, plus each pack subscription counted once) are in <paramref name="Status"/> (wire name).</summary>
public sealed record StateCount(string Status, int Count);

/// <summary>Net revenue invoiced in month <paramref name="Month"/> ("YYYY-MM"), minor units.</summary>
public sealed record MonthAmount(string Month, long Net);

/// <summary>Net revenue per month in one currency, the 12 months oldest first (months without invoices are 0).</summary>
public sealed record RevenueSeries(string Currency, IReadOnlyList<MonthAmount> Months);

/// <summary>Net revenue of the last 12 months under one VAT treatment ("domestic" | "reverse_charge" | "oss" | "export") in one currency.</summary>
public sealed record TreatmentRevenue(string Treatment, string Currency, long Net);

/// <summary>A trialing subscription whose trial ends within the next 7 days.</summary>
public sealed record EndingTrial(string SubscriptionId, string TenantId, string TenantName, string ServiceName, string PlanName, DateTimeOffset TrialEnd, string TrialEndBehavior);

/// <summary>
/// A billing run and its outcome: "completed", "completed_with_errors", "failed", "running" or "queued"; the counts
/// (for a partner admin: its own tenants' invoices only), the problems met (a partner admin sees its tenants' only),
/// and how long it took (seconds, null until it ended).
/// </summary>
public sealed record RunOutcome(string Id, string Period, string Status, string Outcome, string RequestedBy, string RequestedByName, int TenantsTotal, int TenantsProcessed,
    int InvoicesCreated, int InvoicesFinalised, IReadOnlyList<string> Errors, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, double? DurationSeconds);

/// <summary>A webhook subscriber that is failing now (a run of failed attempts since <paramref name="FailingSince"/>) or was disabled automatically.</summary>
public sealed record FailingSubscriber(string Id, string Url, string? Description, bool Enabled, DateTimeOffset? FailingSince, string? DisabledReason, DateTimeOffset? DisabledAt);

/// <summary>
/// Webhook delivery health over the last <paramref name="WindowDays"/> days: delivery attempts (test events
/// excluded), those answered 2xx, the success rate (0..1, null without attempts), deliveries still pending now and
/// deliveries given up (failed) in the window, and the failing subscribers.
/// </summary>
public sealed record WebhookHealth(int WindowDays, int Attempts, int SuccessfulAttempts, double? SuccessRate, int PendingDeliveries, int FailedDeliveries, IReadOnlyList<FailingSubscriber> FailingSubscribers);

/// <summary>The operator dashboard (a partner admin's: the same figures over its own partner's tenants only), as of <paramref name="AsOf"/>.</summary>
public sealed record OperatorDashboard(
    DateTimeOffset AsOf, string Scope, string Month, IReadOnlyList<RecurringRevenue> Recurring, IReadOnlyList<StateCount> SubscriptionsByState,
    int NewThisMonth, int ChurnedThisMonth, IReadOnlyList<RevenueSeries> RevenueByMonth, IReadOnlyList<TreatmentRevenue> RevenueByVatTreatment,
    IReadOnlyList<EndingTrial> TrialsEndingSoon, IReadOnlyList<RunOutcome> RecentBillingRuns, WebhookHealth Webhooks);

/// <summary>
/// The figures of the operator dashboard (issue 9), each from ONE aggregate query in the database (never a table
/// in memory), within the actor's scope: the operator sees every partner (audited cross-tenant path), a partner admin
/// its own tenants (the ORM tenant filter). Definitions (all instants UTC; "this month" is the calendar month of now):
/// <list type="bullet">
/// <item><b>Live</b>: a standalone subscription or a pack subscription in a billed state (active, past_due,
/// cancelling), the states the billing run invoices; trialing, pending, suspended, cancelled and expired are not
/// revenue. Pack children are never counted (their pack is the billable line).</item>
/// <item><b>MRR</b> per currency: the sum of the monthly-normalised rate in force of every live subscription and
/// pack: a monthly rate as it is, a yearly one divided by 12 (the yearly sum of a currency is divided once and
/// rounded half away from zero, so cents are not lost per row). <b>ARR</b>: 12 × the monthly sum + the yearly sum
/// (exact, not 12 × the rounded MRR). BillingInterval has only month and year today; a new interval must add its factor here.</item>
/// <item><b>Subscriptions by state</b>: standalone subscriptions and pack subscriptions (a pack counted once, its children not).</item>
/// <item><b>New this month</b>: standalone and pack subscriptions created this month. <b>Churned this month</b>:
/// those now cancelled or expired whose cancellation (or, for an expiry, last change) falls in this month.</item>
/// <item><b>Revenue per month</b>: finalised invoices by issue date (BT-2), net (BT-106) per currency, finalised
/// credit notes subtracted, for this month and the 11 before.</item>
/// <item><b>Revenue by VAT treatment</b>: the same documents over the same 12 months by the VAT rule frozen at
/// finalisation, bucketed by <see cref="BillingSchedule.TreatmentOf"/>.</item>
/// <item><b>Trials ending</b>: trialing subscriptions whose trial ends in [now, now + 7 days).</item>
/// <item><b>Billing runs</b>: the 10 latest; <b>webhooks</b>: attempts of the last 7 days.</item>
/// </list>
/// </summary>
public sealed class OperatorDashboardService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>How many billing runs the dashboard lists.</summary>
    public const int RunsShown = 10;

    /// <summary>The window of the webhook health figures, in days.</summary>
    public const int WebhookWindowDays = 7;

    /// <summary>The dashboard of the operator or of a partner admin.</summary>
    /// <exception cref="UnauthorizedAccessException">A tenant user, or an actor without tenants:read and invoices:read.</exception>
    public async Task<OperatorDashboard> GetAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.TenantId is not null || actor.PartnerId is null && !actor.IsSuperAdmin || !actor.Can(Permissions.TenantsRead) || !actor.Can(Permissions.InvoicesRead))
        {
            throw new UnauthorizedAccessException("The dashboard is for the operator and partner admins.");
        }

        var now = clock.GetUtcNow();
        var month = BillingPeriod.Of(now);
        await using var db = await factory.OpenAsync(actor, "operator dashboard", ct);
        return new OperatorDashboard(
            now, actor.IsSuperAdmin ? "platform" : "partner", month.ToString(),
            await RecurringAsync(db, ct),
            await ByStateAsync(db, ct),
            await NewAsync(db, month, ct),
            await ChurnedAsync(db, month, ct),
            await RevenueByMonthAsync(db, month, ct),
            await RevenueByTreatmentAsync(db, month, ct),
            await TrialsEndingAsync(db, now, ct),
            await RunsAsync(db, actor, ct),
            await WebhooksAsync(db, now, ct));
    }

    private static async Task<IReadOnlyList<RecurringRevenue>> RecurringAsync(ScaiDbContext db, CancellationToken ct)
    {
        var standalone = from s in db.Subscriptions
                         join p in db.Plans on s.PlanId equals p.Id
                         where s.PackSubscriptionId == null
                               && (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue || s.Status == SubscriptionStatus.Cancelling)
                         select new { p.Currency, s.Interval, Amount = s.RateMinor };
        var packs = from p in db.PackSubscriptions
                    where p.Status == SubscriptionStatus.Active || p.Status == SubscriptionStatus.PastDue || p.Status == SubscriptionStatus.Cancelling
                    select new { p.Currency, p.Interval, Amount = p.PriceMinor };
        var rows = await standalone.Concat(packs)
            .GroupBy(x => new { x.Currency, x.Interval })
            .Select(g => new { g.Key.Currency, g.Key.Interval, Total = g.Sum(x => x.Amount), Count = g.Count() })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var monthly = g.Where(r => r.Interval == BillingInterval.Month).Sum(r => r.Total);
            var yearly = g.Where(r => r.Interval == BillingInterval.Year).Sum(r => r.Total);
            return new RecurringRevenue(g.Key, monthly + Rounding.DivideHalfAwayFromZero(yearly, 12), checked(monthly * 12 + yearly), g.Sum(r => r.Count));
        }).ToList();
    }

    private static async Task<IReadOnlyList<StateCount>> ByStateAsync(ScaiDbContext db, CancellationToken ct)
    {
        var rows = await db.Subscriptions.Where(s => s.PackSubscriptionId == null).Select(s => new { s.Status })
            .Concat(db.PackSubscriptions.Select(p => new { p.Status }))
            .GroupBy(x => x.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        return Enum.GetValues<SubscriptionStatus>().Select(s => new StateCount(s.WireName(), rows.Where(r => r.Status == s).Sum(r => r.Count))).ToList();
    }

    private static Task<int> NewAsync(ScaiDbContext db, BillingPeriod month, CancellationToken ct)
    {
        var (start, end) = (month.Start, month.End);
        return db.Subscriptions.Where(s => s.PackSubscriptionId == null && s.CreatedAt >= start && s.CreatedAt < end).Select(s => s.Id)
            .Concat(db.PackSubscriptions.Where(p => p.CreatedAt >= start && p.CreatedAt < end).Select(p => p.Id))
            .CountAsync(ct);
    }

    private static Task<int> ChurnedAsync(ScaiDbContext db, BillingPeriod month, CancellationToken ct)
    {
        var (start, end) = (month.Start, month.End);
        return db.Subscriptions.Where(s => s.PackSubscriptionId == null && (s.Status == SubscriptionStatus.Cancelled || s.Status == SubscriptionStatus.Expired))
            .Select(s => new { s.Id, At = s.CancelledAt ?? s.UpdatedAt })
            .Concat(db.PackSubscriptions.Where(p => p.Status == SubscriptionStatus.Cancelled || p.Status == SubscriptionStatus.Expired)
                .Select(p => new { p.Id, At = p.CancelledAt ?? p.UpdatedAt }))
            .Where(x => x.At >= start && x.At < end)
            .CountAsync(ct);
    }

    /// <summary>Finalised documents issued in the 12 months ending with <paramref name="month"/>.</summary>
    private static IQueryable<Invoice> Last12Months(ScaiDbContext db, BillingPeriod month)
    {
        var from = DateOnly.FromDateTime(month.Start.AddMonths(-11).UtcDateTime);
        var to = DateOnly.FromDateTime(month.End.UtcDateTime);
        return db.Invoices.Where(i => i.Status == InvoiceStatus.Finalised && i.IssueDate >= from && i.IssueDate < to);
    }

    private static async Task<IReadOnlyList<RevenueSeries>> RevenueByMonthAsync(ScaiDbContext db, BillingPeriod month, CancellationToken ct)
    {
        var rows = await Last12Months(db, month)
            .GroupBy(i => new { i.IssueDate!.Value.Year, i.IssueDate!.Value.Month, i.Currency })
            .Select(g => new { g.Key.Year, g.Key.Month, g.Key.Currency, Net = g.Sum(i => i.DocumentType == DocumentType.CreditNote ? -i.NetTotalMinor : i.NetTotalMinor) })
            .ToListAsync(ct);
        var months = Enumerable.Range(0, 12).Select(k => BillingPeriod.Of(month.Start.AddMonths(k - 11))).ToList();
        return rows.Select(r => r.Currency).Distinct().OrderBy(c => c, StringComparer.Ordinal)
            .Select(c => new RevenueSeries(c, months.Select(m => new MonthAmount(m.ToString(),
                rows.Where(r => r.Currency == c && r.Year == m.Year && r.Month == m.Month).Sum(r => r.Net))).ToList()))
            .ToList();
    }

    private static async Task<IReadOnlyList<TreatmentRevenue>> RevenueByTreatmentAsync(ScaiDbContext db, BillingPeriod month, CancellationToken ct)
    {
        var rows = await Last12Months(db, month)
            .GroupBy(i => new { i.VatRule, i.Currency })
            .Select(g => new { g.Key.VatRule, g.Key.Currency, Net = g.Sum(i => i.DocumentType == DocumentType.CreditNote ? -i.NetTotalMinor : i.NetTotalMinor) })
            .ToListAsync(ct);
        return rows.Select(r => r.Currency).Distinct().OrderBy(c => c, StringComparer.Ordinal)
            .SelectMany(c => BillingSchedule.Treatments.Select(t => new TreatmentRevenue(t, c,
                rows.Where(r => r.Currency == c && BillingSchedule.TreatmentOf(r.VatRule ?? VatRule.Domestic) == t).Sum(r => r.Net))))
            .ToList();
    }

    private static async Task<IReadOnlyList<EndingTrial>> TrialsEndingAsync(ScaiDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var until = now.AddDays(7);
        var rows = await (from s in db.Subscriptions
                          join p in db.Plans on s.PlanId equals p.Id
                          join v in db.Services on s.ServiceId equals v.Id
                          join t in db.Tenants on s.TenantId equals t.Id
                          where s.Status == SubscriptionStatus.Trialing && s.TrialEnd >= now && s.TrialEnd < until
                          orderby s.TrialEnd, s.Id
                          select new { s.Id, s.TenantId, TenantName = t.Name, ServiceName = v.Name, PlanName = p.Name, s.TrialEnd, p.TrialEndBehavior })
            .Take(100).ToListAsync(ct);
        return rows.Select(r => new EndingTrial(r.Id, r.TenantId, r.TenantName, r.ServiceName, r.PlanName, r.TrialEnd!.Value, r.TrialEndBehavior.WireName())).ToList();
    }

    private static async Task<IReadOnlyList<RunOutcome>> RunsAsync(ScaiDbContext db, Actor actor, CancellationToken ct)
    {
        var runs = await db.BillingRuns.AsNoTracking().OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(RunsShown).ToListAsync(ct);
        var requesters = runs.Select(r => r.RequestedBy).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => requesters.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var runIds = runs.Select(r => r.Id).ToList();

        // A partner admin sees its own invoices of each run and the problems of its own tenants only.
        Dictionary<string, (int Created, int Finalised)> own = [];
        HashSet<string> ownTenants = [];
        if (!actor.IsSuperAdmin)
        {
            own = (await db.Invoices.Where(i => i.BillingRunId != null && runIds.Contains(i.BillingRunId))
                    .GroupBy(i => i.BillingRunId).Select(g => new { Run = g.Key!, Created = g.Count(), Finalised = g.Count(i => i.Status == InvoiceStatus.Finalised) })
                    .ToListAsync(ct))
                .ToDictionary(x => x.Run, x => (x.Created, x.Finalised));
            var mentioned = runs.SelectMany(r => ErrorLines(r)).Select(TenantOf).Where(t => t is not null).Distinct().ToList();
            ownTenants = (await db.Tenants.AsNoTracking().Where(t => mentioned.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct)).ToHashSet();
        }

        return runs.Select(r =>
        {
            var errors = actor.IsSuperAdmin ? ErrorLines(r) : ErrorLines(r).Where(e => TenantOf(e) is { } t && ownTenants.Contains(t)).ToList();
            var (created, finalised) = actor.IsSuperAdmin ? (r.InvoicesCreated, r.InvoicesFinalised) : own.GetValueOrDefault(r.Id);
            var outcome = r.Status switch
            {
                BillingRunStatus.Completed when errors.Count > 0 => "completed_with_errors",
                _ => r.Status.ToString().ToLowerInvariant(),
            };
            double? duration = r is { StartedAt: { } s, CompletedAt: { } c } ? Math.Round((c - s).TotalSeconds, 3) : null;
            var by = names.GetValueOrDefault(r.RequestedBy) ?? (r.RequestedBy.StartsWith("system:", StringComparison.Ordinal) ? "Scheduler" : r.RequestedBy);
            return new RunOutcome(r.Id, r.Period, r.Status.ToString().ToLowerInvariant(), outcome, r.RequestedBy, by,
                actor.IsSuperAdmin ? r.TenantsTotal : 0, actor.IsSuperAdmin ? r.TenantsProcessed : 0, created, finalised, errors, r.CreatedAt, r.StartedAt, r.CompletedAt, duration);
        }).ToList();
    }

    private static List<string> ErrorLines(BillingRun run) => run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>The tenant id an error line of the billing run starts with ("tnt_…: invoice … stays draft: …"), or null.</summary>
    private static string? TenantOf(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && line.StartsWith("tnt_", StringComparison.Ordinal) ? line[..colon] : null;
    }

    private static async Task<WebhookHealth> WebhooksAsync(ScaiDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddDays(-WebhookWindowDays);
        // Joined to the subscribers so the partner filter applies (a partner admin: its own subscribers only).
        var attempts = await (from a in db.WebhookDeliveryAttempts
                              join w in db.WebhookSubscriptions on a.SubscriptionId equals w.Id
                              where a.DeliveryId != null && a.StartedAt >= since
                              group a by a.StatusCode >= 200 && a.StatusCode < 300 into g
                              select new { Ok = g.Key, Count = g.Count() }).ToListAsync(ct);
        var deliveries = await (from d in db.WebhookDeliveries
                                join w in db.WebhookSubscriptions on d.SubscriptionId equals w.Id
                                where d.Status == Domain.Webhooks.WebhookDeliveryStatus.Pending
                                      || (d.Status == Domain.Webhooks.WebhookDeliveryStatus.Failed && d.CreatedAt >= since)
                                group d by d.Status into g
                                select new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        var failing = await db.WebhookSubscriptions.AsNoTracking()
            .Where(w => w.ConsecutiveFailureSince != null || (!w.Enabled && w.DisabledReason != null))
            .OrderBy(w => w.Id).Take(50)
            .Select(w => new FailingSubscriber(w.Id, w.Url, w.Description, w.Enabled, w.ConsecutiveFailureSince, w.DisabledReason, w.DisabledAt))
            .ToListAsync(ct);
        var total = attempts.Sum(a => a.Count);
        var ok = attempts.Where(a => a.Ok).Sum(a => a.Count);
        return new WebhookHealth(WebhookWindowDays, total, ok, total == 0 ? null : Math.Round((double)ok / total, 4),
            deliveries.Where(d => d.Status == Domain.Webhooks.WebhookDeliveryStatus.Pending).Sum(d => d.Count),
            deliveries.Where(d => d.Status == Domain.Webhooks.WebhookDeliveryStatus.Failed).Sum(d => d.Count),
            failing);
    }
}
