using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>One problem of a billing run: the tenant it concerns (id and name; null for a run-wide failure) and what happened.</summary>
public sealed record RunProblem(string? TenantId, string? TenantName, string Message);

/// <summary>The problems of a run and who requested it (by name; null for the scheduler).</summary>
public sealed record RunDetails(IReadOnlyList<RunProblem> Problems, string? RequestedByName);

/// <summary>
/// The billing engine's one path (the on-time job every few minutes, the operator's monthly catch-up run from the API,
/// the portal and the CLI): every period of every billable subscription and pack (active, past_due, cancelling) that
/// has STARTED by the moment the run executes (and, for a run of a past month, before that month's end) and is not yet
/// invoiced becomes a line; one invoice per (tenant, currency). Then it finalises each invoice (VAT, snapshots,
/// gap-free number), renders and stores its PDF, and advances the periods. A period is never invoiced before it
/// starts. Idempotent: each subscription period carries a unique billing key, so a second run, or a second node
/// running at the same moment, invoices nothing twice. See docs/decisions/0009-invoice-each-period-when-it-starts.md.
/// </summary>
public sealed class BillingRunService(ScaiDbFactory factory, InvoiceService invoices, TimeProvider clock, Distributed.IProgressFeed progress, ILogger<BillingRunService> logger, NodeIdentity node, BillingRunOptions options)
{
    /// <summary>Queues a run for <paramref name="period"/> ("YYYY-MM").</summary>
    /// <exception cref="DomainValidationException">Malformed period, or a month that has not started yet.</exception>
    /// <exception cref="UnauthorizedAccessException">The actor lacks billing:run.</exception>
    public async Task<BillingRun> QueueAsync(Actor actor, string? period, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingRun);
        if (!actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator starts billing runs.");
        }

        var parsed = BillingPeriod.Parse(period);
        var now = clock.GetUtcNow();
        if (parsed.Start > now)
        {
            throw new DomainValidationException("period", $"{parsed} has not started yet; a billing run covers the current or a past month.");
        }

        await using var db = await factory.ForOperatorAsync(actor, $"billing run {parsed}", ct);
        var run = new BillingRun(parsed, actor.UserId, now);
        db.BillingRuns.Add(run);
        await db.SaveChangesAsync(ct);
        return run;
    }

    /// <summary>A run by id (operator only).</summary>
    /// <exception cref="NotFoundException">Unknown run.</exception>
    public async Task<BillingRun> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingRun);
        await using var db = await factory.ForOperatorAsync(actor, "read billing run", ct);
        return await db.BillingRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("billing_run", id);
    }

    /// <summary>The latest runs, newest first.</summary>
    public async Task<IReadOnlyList<BillingRun>> RecentAsync(Actor actor, int limit = 20, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingRun);
        await using var db = await factory.ForOperatorAsync(actor, "list billing runs", ct);
        return await db.BillingRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>A page of runs, newest first (run ids are time-ordered; the cursor is the last id of the previous page). Runs are never deleted: this is the run history.</summary>
    /// <exception cref="DomainValidationException">limit outside 1..200, or a malformed cursor.</exception>
    public Task<Page<BillingRun>> ListAsync(Actor actor, string? cursor, int limit, CancellationToken ct = default) =>
        ListAsync(actor, null, null, null, cursor, limit, ct);

    /// <summary>The sort keys of the run history: period ("YYYY-MM", text order is month order) and created (id order).</summary>
    public static readonly SortKeys<BillingRun> Sorts = new SortKeys<BillingRun>().Text("period", r => r.Period).Text("created", r => r.Id);

    /// <summary>
    /// A page of the run history narrowed to a <paramref name="status"/> and to runs whose period starts with
    /// <paramref name="period"/> ("2026" or "2026-03"), in the order <paramref name="sort"/> names (<see cref="Sorts"/>;
    /// null: newest first). The same keyset paging as the overload without filters.
    /// </summary>
    /// <exception cref="DomainValidationException">limit outside 1..200, a malformed cursor or an unknown sort key.</exception>
    public async Task<Page<BillingRun>> ListAsync(Actor actor, BillingRunStatus? status, string? period, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingRun);
        await using var db = await factory.ForOperatorAsync(actor, "list billing runs", ct);
        var query = db.BillingRuns.AsNoTracking().Where(r => status == null || r.Status == status);
        if (period?.Trim() is { Length: > 0 } prefix)
        {
            query = query.Where(r => r.Period.StartsWith(prefix));
        }

        return await Paging.ReadAsync(query, r => r.Id, Sorts, sort, cursor, limit, ct);
    }

    /// <summary>
    /// What the run page shows beside the run: the problems it met, one per line, with the tenant each names
    /// ("tnt_…: …") resolved to its name (<see cref="RunProblem.TenantId"/> null for a run-wide failure), and the
    /// name of the person who requested it (null for the scheduler or an unknown user). Two queries.
    /// </summary>
    public async Task<RunDetails> DetailsAsync(Actor actor, BillingRun run, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingRun);
        var lines = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var parsed = lines.Select(l =>
        {
            var colon = l.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && l.StartsWith("tnt_", StringComparison.Ordinal) ? (TenantId: l[..colon], Message: l[(colon + 1)..].Trim()) : (TenantId: (string?)null, Message: l);
        }).ToList();
        var ids = parsed.Where(p => p.TenantId is not null).Select(p => p.TenantId!).Distinct().ToList();
        await using var db = await factory.ForOperatorAsync(actor, "read billing run problems", ct);
        var names = await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var requester = await db.Users.AsNoTracking().Where(u => u.Id == run.RequestedBy).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        return new RunDetails(parsed.Select(p => new RunProblem(p.TenantId, p.TenantId is null ? null : names.GetValueOrDefault(p.TenantId), p.Message)).ToList(), requester);
    }

    /// <summary>Queues and executes a run in the caller's thread (CLI); returns the finished run.</summary>
    public async Task<BillingRun> RunNowAsync(Actor actor, string? period, CancellationToken ct = default)
    {
        var run = await QueueAsync(actor, period, ct);
        await ExecuteAsync(run.Id, ct);
        return await GetAsync(actor, run.Id, ct);
    }

    /// <summary>Who requests the on-time job's runs (<see cref="InvoiceStartedAsync"/>); shown as the scheduler on the run page.</summary>
    public const string OnTimeRequester = "system:on-time";

    /// <summary>
    /// The instant before which a period must have started to be invoiced by a run of <paramref name="period"/>
    /// executing at <paramref name="now"/>: the run's moment (a period starting exactly then counts, so one microsecond
    /// after it, the clock's resolution) and never later than the month's end. Never a period that starts later.
    /// </summary>
    public static DateTimeOffset CutoffOf(BillingPeriod period, DateTimeOffset now)
    {
        var started = now.AddTicks(TimeSpan.TicksPerMicrosecond);
        return started < period.End ? started : period.End;
    }

    /// <summary>
    /// The on-time job (every Billing:OnTimeInterval, 5 minutes by default, on one node of a cluster; safe on several
    /// through the unique billing key): when some subscription or pack period has started and is not yet invoiced, it
    /// queues a run of the current month (requested by <see cref="OnTimeRequester"/>) and executes it, so each period
    /// is invoiced when it starts (or when the job catches up after downtime, never earlier). Finds nothing to do with
    /// one indexed query and writes nothing then. Returns the run, or null when nothing was due.
    /// </summary>
    public async Task<BillingRun?> InvoiceStartedAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var period = BillingPeriod.Of(now);
        var cutoff = CutoffOf(period, now);
        BillingRun run;
        await using (var db = await factory.ForSystemAsync("on-time billing", ct))
        {
            var candidates = await DueSubscriptions(db, cutoff).Take(100).ToListAsync(ct);
            var due = candidates.Any(s => s.NextUnbilledPeriod(cutoff) is not null) || (await Packs.PackBilling.DueGroupsAsync(db, cutoff, ct)).Count > 0;
            if (!due)
            {
                return null;
            }

            run = new BillingRun(period, OnTimeRequester, now);
            db.BillingRuns.Add(run);
            await db.SaveChangesAsync(ct);
        }

        await ExecuteAsync(run.Id, ct);
        await using var read = await factory.ForSystemAsync("on-time billing", ct);
        return await read.BillingRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id, ct);
    }

    /// <summary>
    /// Billable subscriptions (not pack children: those are billed through their pack's one line) whose next unbilled
    /// period starts before <paramref name="cutoff"/>: the SQL form of <see cref="Subscription.NextUnbilledPeriod"/>
    /// (which still has the last word), so the run reads only what it bills and an idle check reads nothing.
    /// </summary>
    private static IQueryable<Subscription> DueSubscriptions(ScaiDbContext db, DateTimeOffset cutoff) =>
        db.Subscriptions.AsNoTracking()
            .Where(s => s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue || s.Status == SubscriptionStatus.Cancelling)
            .Where(s => s.PackSubscriptionId == null)
            .Where(s => (s.BilledThrough ?? s.BillingAnchor) < cutoff)
            .Where(s => s.Status != SubscriptionStatus.Cancelling || (s.BilledThrough ?? s.BillingAnchor) < s.CurrentPeriodEnd)
            .Where(s => s.TermEnd == null || (s.BilledThrough ?? s.BillingAnchor) < s.TermEnd)
            .Where(s => s.ScheduledPlanId == null || s.ScheduledPlanAt == null || (s.BilledThrough ?? s.BillingAnchor) < s.ScheduledPlanAt);

    /// <summary>
    /// Executes a queued run, or takes over a running one whose node stopped renewing its lease (it died). The run is
    /// claimed with one conditional UPDATE (queued, or running with the lease passed → running, claimed by this node,
    /// leased for <see cref="BillingRunOptions.Lease"/>), so when several nodes pick it up only one works on it. The
    /// lease is renewed every third of its length while the run works; a node that finds its lease taken stops.
    /// Never throws for a tenant's problem: it is recorded on the run.
    /// </summary>
    public async Task ExecuteAsync(string runId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        string? previousNode;
        bool takeover;
        await using (var db = await factory.ForSystemAsync("billing-run", ct))
        {
            var before = await db.BillingRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Status, r.ClaimedBy }).SingleOrDefaultAsync(ct);
            if (before is null || before.Status is BillingRunStatus.Completed or BillingRunStatus.Failed)
            {
                return;
            }

            // One retriable unit: on Galera a claim colliding with another node's fails at COMMIT and runs again, then claims nothing.
            var claimed = await RetriableUnits.RunAsync(db, "billing-run-claim", (_, token) => db.BillingRuns
                .Where(r => r.Id == runId && (r.Status == BillingRunStatus.Queued || (r.Status == BillingRunStatus.Running && (r.LeaseUntil == null || r.LeaseUntil < now))))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, BillingRunStatus.Running)
                    .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now)
                    .SetProperty(r => r.ClaimedBy, node.Id)
                    .SetProperty(r => r.LeaseUntil, now + options.Lease), token), ct);
            if (claimed == 0)
            {
                return;
            }

            (previousNode, takeover) = (before.ClaimedBy, before.Status == BillingRunStatus.Running);
        }

        if (takeover)
        {
            logger.LogWarning("Billing run {RunId}: taking over from {PreviousNode}, whose lease expired", runId, previousNode);
        }

        using var work = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = RenewLeaseAsync(runId, work);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await ExecuteClaimedAsync(runId, takeover ? previousNode ?? "unknown" : null, work.Token);
            Observability.ScaiMetrics.BillingRunDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", "completed"));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Billing run {RunId}: this node ({Node}) lost its lease; another node carries on", runId, node.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Billing run {RunId} failed", runId);
            await UpdateRunAsync(runId, r => r.Fail(e.Message, clock.GetUtcNow()), ct);
            Observability.ScaiMetrics.BillingRunDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", "failed"));
        }
        finally
        {
            await work.CancelAsync();
            await renewal;
        }
    }

    /// <summary>Renews this node's lease every third of its length until <paramref name="work"/> ends; cancels the work when the lease was lost.</summary>
    private async Task RenewLeaseAsync(string runId, CancellationTokenSource work)
    {
        try
        {
            while (!work.IsCancellationRequested)
            {
                await Task.Delay(options.Lease / 3, clock, work.Token);
                var now = clock.GetUtcNow();
                await using var db = factory.ForPlatform("system:billing-run");
                var renewed = await db.BillingRuns.IgnoreQueryFilters()
                    .Where(r => r.Id == runId && r.Status == BillingRunStatus.Running && r.ClaimedBy == node.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, now + options.Lease), work.Token);
                if (renewed == 0)
                {
                    await work.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the run ended (or the lease was lost)
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            // A database hiccup: the next renewal (or another node, after the lease) carries on.
            logger.LogWarning(e, "Billing run {RunId}: renewing the lease failed", runId);
        }
    }

    private async Task ExecuteClaimedAsync(string runId, string? resumedFrom, CancellationToken ct)
    {
        BillingPeriod period;
        DateTimeOffset cutoff;
        bool periodsOnly;
        List<(string TenantId, string Currency)> groups;
        await using (var db = await factory.ForSystemAsync("billing-run", ct))
        {
            var run = await db.BillingRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
            period = BillingPeriod.Parse(run.Period);
            cutoff = CutoffOf(period, clock.GetUtcNow());
            periodsOnly = run.RequestedBy == OnTimeRequester;
            var due = await (from s in DueSubscriptions(db, cutoff)
                             join p in db.Plans.AsNoTracking() on s.PlanId equals p.Id
                             select new { Subscription = s, p.Currency }).ToListAsync(ct);
            // The on-time job bills charges with a period that starts; the operator's catch-up also bills charges alone.
            var charged = periodsOnly ? [] : await PendingChargeBilling.TenantsWithPendingChargesAsync(db, cutoff, ct);
            groups = due.Where(d => d.Subscription.NextUnbilledPeriod(cutoff) is not null)
                .Select(d => (d.Subscription.TenantId, d.Currency))
                .Concat(await Packs.PackBilling.DueGroupsAsync(db, cutoff, ct))
                .Concat(charged)
                .Distinct().OrderBy(g => g.TenantId, StringComparer.Ordinal).ToList();
        }

        if (resumedFrom is null)
        {
            await UpdateRunAsync(runId, r => r.StartFromClaim(groups.Count), ct);
        }
        else
        {
            await UpdateRunAsync(runId, r => r.ResumeFromClaim(groups.Count, node.Id, resumedFrom, clock.GetUtcNow()), ct);
        }

        foreach (var (tenantId, currency) in groups)
        {
            ct.ThrowIfCancellationRequested();
            var (created, finalised, error) = await BillTenantAsync(runId, cutoff, tenantId, currency, ct);
            await UpdateRunAsync(runId, r => r.TenantDone(created, finalised, error), ct);
        }

        await UpdateRunAsync(runId, r => r.Complete(clock.GetUtcNow()), ct);
    }

    private async Task<(int Created, int Finalised, string? Error)> BillTenantAsync(string runId, DateTimeOffset cutoff, string tenantId, string currency, CancellationToken ct)
    {
        string invoiceId;
        await using (var db = await factory.ForSystemAsync("billing-run", ct))
        {
            var now = clock.GetUtcNow();
            var rows = await (from s in db.Subscriptions
                              join p in db.Plans on s.PlanId equals p.Id
                              join v in db.Services on s.ServiceId equals v.Id
                              where s.TenantId == tenantId && p.Currency == currency
                                    && (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue || s.Status == SubscriptionStatus.Cancelling)
                                    && s.PackSubscriptionId == null
                              orderby s.Id
                              select new { Subscription = s, Plan = p, Service = v }).ToListAsync(ct);
            var packs = await Packs.PackBilling.DueAsync(db, tenantId, currency, ct);
            var charges = await PendingChargeBilling.PendingAsync(db, tenantId, currency, cutoff, ct);
            if (rows.Count == 0 && packs.Count == 0 && charges.Count == 0)
            {
                return (0, 0, null);
            }

            var partnerId = rows.Count > 0 ? rows[0].Subscription.PartnerId : packs.Count > 0 ? packs[0].PartnerId : charges[0].PartnerId;
            var seller = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == partnerId, ct);
            var buyer = await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
            // Provisional VAT for the draft; finalisation determines it again from the snapshots it freezes.
            var vat = seller is not null && buyer is not null
                ? VatDetermination.Determine(seller.Country, buyer.Country, buyer.VatId, DateOnly.FromDateTime(now.UtcDateTime))
                : new VatDecision(VatRule.Domestic, VatCategory.S, VatRate.Zero, null, null);

            var invoice = new Invoice(partnerId, tenantId, currency, runId, now);
            foreach (var row in rows)
            {
                while (row.Subscription.NextUnbilledPeriod(cutoff) is { } p)
                {
                    invoice.AddLine(
                        $"{row.Service.Name} – {row.Plan.Name}",
                        1, new Money(row.Subscription.RateMinor, row.Plan.Currency), vat, row.Subscription.Id, p.Start, p.End); // the rate in force (issue 4), not the plan's current price
                    row.Subscription.MarkBilled(p.Start, p.End, now);
                }
            }

            await Packs.PackBilling.AddLinesAsync(db, invoice, packs, cutoff, vat, now, ct);
            // Usage of the periods that ended, in arrears; adjustments of closed periods join the pending charges.
            charges.AddRange(await UsageBilling.AddLinesAsync(db, invoice, rows.Select(r => r.Subscription).ToList(), cutoff, vat, now, ct));
            foreach (var rest in PendingChargeBilling.AddLines(invoice, charges, vat, now))
            {
                db.SubscriptionCharges.Add(rest);
            }

            if (invoice.Lines.Count == 0)
            {
                return (0, 0, null);
            }

            db.Invoices.Add(invoice);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e)
            {
                // Another node billed these periods at the same moment (unique billing key or concurrency token).
                logger.LogInformation(e, "Tenant {TenantId} was billed concurrently; skipping", tenantId);
                return (0, 0, null);
            }

            invoiceId = invoice.Id;
        }

        try
        {
            await using var db = await factory.ForSystemAsync("billing-run", ct);
            await invoices.FinaliseAsync(db, invoiceId, ct);
        }
        catch (DomainException e)
        {
            return (1, 0, $"{tenantId}: invoice {invoiceId} stays draft: {e.Message}");
        }

        await invoices.TryRenderAsync(invoiceId, ct);
        return (1, 1, null);
    }

    /// <summary>The progress topic of a run (<see cref="Distributed.IProgressFeed"/>): a <see cref="BillingRunProgress"/> after each change.</summary>
    public static string ProgressTopic(string runId) => "billing-run:" + runId;

    /// <summary>Calls <paramref name="onUpdate"/> with each progress update of <paramref name="runId"/>, from whichever node executes it.</summary>
    public IDisposable WatchProgress(string runId, Action<BillingRunProgress> onUpdate) =>
        progress.Subscribe(ProgressTopic(runId), json =>
        {
            if (System.Text.Json.JsonSerializer.Deserialize<BillingRunProgress>(json) is { } update)
            {
                onUpdate(update);
            }
        });

    private async Task UpdateRunAsync(string runId, Action<BillingRun> change, CancellationToken ct)
    {
        BillingRun run;
        await using (var db = await factory.ForSystemAsync("billing-run", ct))
        {
            run = await db.BillingRuns.SingleAsync(r => r.Id == runId, ct);
            change(run);
            await db.SaveChangesAsync(ct);
        }

        // After the commit: the database is the record, the feed only tells watchers (on any node) to look now.
        var update = new BillingRunProgress(run.Id, run.Status.ToString().ToLowerInvariant(), run.TenantsTotal, run.TenantsProcessed, run.InvoicesCreated, run.InvoicesFinalised);
        await progress.PublishAsync(ProgressTopic(runId), System.Text.Json.JsonSerializer.Serialize(update), CancellationToken.None);
    }
}

/// <summary>Billing-run settings: Billing:RunLease (default 30 s), how long a node holds a claimed run without renewing it.</summary>
public sealed class BillingRunOptions
{
    /// <summary>The lease; renewed every third of it while the run works. A node dead for longer loses the run to another.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A billing run's progress as published after each change (counts of tenants and invoices so far).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Status">queued | running | completed | failed.</param>
/// <param name="TenantsTotal">Tenants to bill.</param>
/// <param name="TenantsProcessed">Tenants billed so far.</param>
/// <param name="InvoicesCreated">Invoices drafted so far.</param>
/// <param name="InvoicesFinalised">Invoices finalised so far.</param>
public sealed record BillingRunProgress(string RunId, string Status, int TenantsTotal, int TenantsProcessed, int InvoicesCreated, int InvoicesFinalised);
