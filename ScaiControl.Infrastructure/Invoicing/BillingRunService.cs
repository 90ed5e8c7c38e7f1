using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Billing;
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

    /// <summary>One (tenant, currency) the run invoices: its seller (partner) and how many streamed subscriptions it has.</summary>
    private sealed record Group(string PartnerId, string TenantId, string Currency, int Subscriptions);

    /// <summary>What a batch did: invoices drafted and finalised, problems per tenant, subscriptions it held.</summary>
    private sealed record BatchOutcome(int Created, int Finalised, List<string> Errors, int SubscriptionsHeld)
    {
        public IReadOnlyList<string> FinalisedIds { get; init; } = [];
    }

    /// <summary>
    /// The streaming run (issue 12 "At scale", docs/decisions/0010): the due subscriptions are read in keyset pages of
    /// <see cref="BillingRunOptions.PageSize"/> ordered by (seller, tenant, currency, id); consecutive (tenant,
    /// currency) groups of one seller are billed in batches of up to <see cref="BillingRunOptions.BatchSize"/> invoices
    /// (and at most a page of subscriptions), each batch ONE transaction that takes its numbers from the counter once.
    /// Groups with only pack periods or pending charges (a small set read up front) are billed after the stream.
    /// Progress is saved once per batch.
    /// </summary>
    private async Task ExecuteClaimedAsync(string runId, string? resumedFrom, CancellationToken ct)
    {
        BillingPeriod period;
        DateTimeOffset cutoff;
        bool periodsOnly;
        int total;
        Dictionary<(string TenantId, string Currency), string> extras;
        await using (var db = await factory.ForSystemAsync("billing-run", ct))
        {
            var run = await db.BillingRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
            period = BillingPeriod.Parse(run.Period);
            cutoff = CutoffOf(period, clock.GetUtcNow());
            periodsOnly = run.RequestedBy == OnTimeRequester;
            // The on-time job bills charges with a period that starts; the operator's catch-up also bills charges alone.
            var charged = periodsOnly ? [] : await PendingChargeBilling.TenantsWithPendingChargesAsync(db, cutoff, ct);
            var other = (await Packs.PackBilling.DueGroupsAsync(db, cutoff, ct)).Concat(charged).Distinct().ToList();
            var otherTenants = other.Select(g => g.TenantId).Distinct().ToList();
            var partners = await db.Tenants.AsNoTracking().Where(t => otherTenants.Contains(t.Id)).Select(t => new { t.Id, t.PartnerId }).ToDictionaryAsync(t => t.Id, t => t.PartnerId, ct);
            extras = other.Where(g => partners.ContainsKey(g.TenantId)).ToDictionary(g => g, g => partners[g.TenantId]);
            var dueGroups = from s in DueSubscriptions(db, cutoff)
                            join p in db.Plans.AsNoTracking() on s.PlanId equals p.Id
                            select new { s.TenantId, p.Currency };
            var streamed = await dueGroups.Distinct().CountAsync(ct);
            var overlap = await dueGroups.Where(g => otherTenants.Contains(g.TenantId)).Distinct().ToListAsync(ct);
            total = streamed + extras.Keys.Count(k => !overlap.Any(o => o.TenantId == k.TenantId && o.Currency == k.Currency));
        }

        if (resumedFrom is null)
        {
            await UpdateRunAsync(runId, r => r.StartFromClaim(total), ct);
        }
        else
        {
            await UpdateRunAsync(runId, r => r.ResumeFromClaim(total, node.Id, resumedFrom, clock.GetUtcNow()), ct);
        }

        var cache = new RunCache();
        var batch = new List<Group>();
        var batchSubscriptions = 0;

        async Task AddAsync(Group group)
        {
            extras.Remove((group.TenantId, group.Currency));
            if (batch.Count > 0 && (batch[0].PartnerId != group.PartnerId || batch.Count >= options.BatchSize || batchSubscriptions + group.Subscriptions > options.PageSize))
            {
                await FlushAsync();
            }

            batch.Add(group);
            batchSubscriptions += group.Subscriptions;
        }

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var groups = batch.ToList();
            batch.Clear();
            batchSubscriptions = 0;
            ct.ThrowIfCancellationRequested();
            var outcome = await BillBatchOrEachAsync(runId, cutoff, groups, cache, ct);
            await UpdateRunAsync(runId, r => r.BatchDone(groups.Count, outcome.Created, outcome.Finalised, outcome.Errors), ct);
        }

        // The stream: keyset pages of due subscriptions; only the current page is held.
        (string PartnerId, string TenantId, string Currency, string Id)? cursor = null;
        Group? open = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            List<(Subscription Subscription, string Currency)> page;
            await using (var db = await factory.ForSystemAsync("billing-run", ct))
            {
                page = (await DuePage(db, cutoff, cursor).Take(options.PageSize).ToListAsync(ct)).Select(r => (r.Subscription, r.Currency)).ToList();
            }

            options.PageRead?.Invoke(page.Count);
            foreach (var (subscription, currency) in page.Where(r => r.Subscription.NextUnbilledPeriod(cutoff) is not null))
            {
                if (open is not null && open.TenantId == subscription.TenantId && open.Currency == currency && open.PartnerId == subscription.PartnerId)
                {
                    open = open with { Subscriptions = open.Subscriptions + 1 };
                    continue;
                }

                if (open is not null)
                {
                    await AddAsync(open);
                }

                open = new Group(subscription.PartnerId, subscription.TenantId, currency, 1);
            }

            if (page.Count < options.PageSize)
            {
                break;
            }

            var last = page[^1];
            cursor = (last.Subscription.PartnerId, last.Subscription.TenantId, last.Currency, last.Subscription.Id);
        }

        if (open is not null)
        {
            await AddAsync(open);
        }

        // Groups with only a pack period or pending charges.
        foreach (var ((tenantId, currency), partnerId) in extras.OrderBy(e => e.Value, StringComparer.Ordinal).ThenBy(e => e.Key.TenantId, StringComparer.Ordinal).ThenBy(e => e.Key.Currency, StringComparer.Ordinal).ToList())
        {
            await AddAsync(new Group(partnerId, tenantId, currency, 0));
        }

        await FlushAsync();
        await UpdateRunAsync(runId, r => r.Complete(clock.GetUtcNow()), ct);
    }

    /// <summary>The next keyset page of due subscriptions after <paramref name="cursor"/>, ordered by (seller, tenant, currency, id).</summary>
    private static IQueryable<DueRow> DuePage(ScaiDbContext db, DateTimeOffset cutoff, (string PartnerId, string TenantId, string Currency, string Id)? cursor)
    {
        var query = from s in DueSubscriptions(db, cutoff)
                    join p in db.Plans.AsNoTracking() on s.PlanId equals p.Id
                    select new DueRow { Subscription = s, Currency = p.Currency };
        if (cursor is { } c)
        {
            // string.Compare(a, b) > 0 is EF Core's translation of a > b on every provider (the StringComparison overload has none).
#pragma warning disable CA1309
            query = query.Where(r => string.Compare(r.Subscription.PartnerId, c.PartnerId) > 0
                                     || (r.Subscription.PartnerId == c.PartnerId && (string.Compare(r.Subscription.TenantId, c.TenantId) > 0
                                         || (r.Subscription.TenantId == c.TenantId && (string.Compare(r.Currency, c.Currency) > 0
                                             || (r.Currency == c.Currency && string.Compare(r.Subscription.Id, c.Id) > 0))))));
#pragma warning restore CA1309
        }

        return query.OrderBy(r => r.Subscription.PartnerId).ThenBy(r => r.Subscription.TenantId).ThenBy(r => r.Currency).ThenBy(r => r.Subscription.Id);
    }

    private sealed class DueRow
    {
        public Subscription Subscription { get; init; } = default!;

        public string Currency { get; init; } = default!;
    }

    /// <summary>
    /// Bills a batch in one transaction; when it fails as a whole (nothing of it stays: no invoice, no number), bills
    /// its groups one by one, so a bad tenant is recorded on the run as an error and the others are invoiced.
    /// </summary>
    private async Task<BatchOutcome> BillBatchOrEachAsync(string runId, DateTimeOffset cutoff, List<Group> groups, RunCache cache, CancellationToken ct)
    {
        try
        {
            return await BillBatchAsync(runId, cutoff, groups, cache, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (groups.Count == 1)
            {
                return Failed(groups[0], e);
            }

            logger.LogWarning(e, "Billing run {RunId}: a batch of {Count} invoices of {PartnerId} failed and was rolled back; billing its tenants one by one", runId, groups.Count, groups[0].PartnerId);
        }

        var (created, finalised, errors, held) = (0, 0, new List<string>(), 0);
        foreach (var group in groups)
        {
            ct.ThrowIfCancellationRequested();
            BatchOutcome one;
            try
            {
                one = await BillBatchAsync(runId, cutoff, [group], cache, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                one = Failed(group, e);
            }

            (created, finalised, held) = (created + one.Created, finalised + one.Finalised, Math.Max(held, one.SubscriptionsHeld));
            errors.AddRange(one.Errors);
        }

        return new BatchOutcome(created, finalised, errors, held);
    }

    private BatchOutcome Failed(Group group, Exception e)
    {
        if (e is DbUpdateException)
        {
            // Another node billed these periods at the same moment (unique billing key or concurrency token).
            logger.LogInformation(e, "Tenant {TenantId} was billed concurrently; skipping", group.TenantId);
            return new BatchOutcome(0, 0, [], 0);
        }

        logger.LogWarning(e, "Billing tenant {TenantId} failed", group.TenantId);
        return new BatchOutcome(0, 0, [$"{group.TenantId}: not invoiced: {e.Message}"], 0);
    }

    /// <summary>
    /// What a run reads once: the sellers' configurations (null when missing), the partners' payment terms, the
    /// compiled template per (seller, document type, language), and which services have meters (usage lines).
    /// </summary>
    private sealed class RunCache
    {
        public Dictionary<string, PartnerConfiguration?> Sellers { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int?> PartnerTerms { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string PartnerId, string? Language), Func<Invoice, string>> Renderers { get; } = new();
    }

    private async Task<BatchOutcome> BillBatchAsync(string runId, DateTimeOffset cutoff, List<Group> groups, RunCache cache, CancellationToken ct)
    {
        await using var db = await factory.ForSystemAsync("billing-run", ct);
        db.BillingRunAudit = true;
        var outcome = await RetriableUnits.RunAsync(db, "billing-batch", (_, token) => BillBatchOnceAsync(db, runId, cutoff, groups, cache, token), ct);
        if (invoices.PdfUnavailableReason is null)
        {
            // After the commit, as before: the PDFs of the batch (a failure is recorded on the document and retried by the pdf-render job).
            foreach (var id in outcome.FinalisedIds)
            {
                await invoices.TryRenderAsync(id, ct);
            }
        }

        options.BatchCommitted?.Invoke(new BillingBatchReport(groups[0].PartnerId, groups.Count, outcome.Created, outcome.Finalised, outcome.SubscriptionsHeld));
        return outcome;
    }

    private async Task<BatchOutcome> BillBatchOnceAsync(ScaiDbContext db, string runId, DateTimeOffset cutoff, List<Group> groups, RunCache cache, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var partnerId = groups[0].PartnerId;
        var tenantIds = groups.Select(g => g.TenantId).Distinct().ToList();
        var errors = new List<string>();

        // Reads: the batch's billable subscriptions (one statement), the buyers and their terms (one each), the seller once per run.
        var rows = await (from s in db.Subscriptions
                          join p in db.Plans on s.PlanId equals p.Id
                          join v in db.Services on s.ServiceId equals v.Id
                          where tenantIds.Contains(s.TenantId)
                                && (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue || s.Status == SubscriptionStatus.Cancelling)
                                && s.PackSubscriptionId == null
                          orderby s.Id
                          select new { Subscription = s, Plan = p, Service = v }).ToListAsync(ct);
        if (!cache.Sellers.TryGetValue(partnerId, out var seller))
        {
            seller = cache.Sellers[partnerId] = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == partnerId, ct);
            cache.PartnerTerms[partnerId] = await db.Set<Domain.Payments.PartnerPaymentSettings>().AsNoTracking().Where(p => p.PartnerId == partnerId).Select(p => (int?)p.PaymentTermsDays).FirstOrDefaultAsync(ct);
        }

        var buyers = await db.TenantBillingProfiles.AsNoTracking().Where(p => tenantIds.Contains(p.TenantId)).ToDictionaryAsync(p => p.TenantId, ct);
        var tenantTerms = await db.Set<Domain.Payments.TenantPaymentSettings>().AsNoTracking().Where(t => tenantIds.Contains(t.TenantId))
            .Select(t => new { t.TenantId, t.PaymentTermsDays }).ToDictionaryAsync(t => t.TenantId, t => t.PaymentTermsDays, ct);

        var drafts = new List<Invoice>();
        foreach (var group in groups)
        {
            options.TenantFault?.Invoke(group.TenantId);
            var mine = rows.Where(r => r.Subscription.TenantId == group.TenantId && r.Plan.Currency == group.Currency).ToList();
            var packs = await Packs.PackBilling.DueAsync(db, group.TenantId, group.Currency, ct);
            var charges = await PendingChargeBilling.PendingAsync(db, group.TenantId, group.Currency, cutoff, ct);
            if (mine.Count == 0 && packs.Count == 0 && charges.Count == 0)
            {
                continue;
            }

            var buyer = buyers.GetValueOrDefault(group.TenantId);
            // Provisional VAT for the draft; finalisation determines it again below.
            var vat = seller is not null && buyer is not null
                ? VatDetermination.Determine(seller.Country, buyer.Country, buyer.VatId, DateOnly.FromDateTime(now.UtcDateTime))
                : new VatDecision(VatRule.Domestic, VatCategory.S, VatRate.Zero, null, null);
            var invoice = new Invoice(group.PartnerId, group.TenantId, group.Currency, runId, now);
            foreach (var row in mine)
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
            charges.AddRange(await UsageBilling.AddLinesAsync(db, invoice, mine.Select(r => r.Subscription).ToList(), cutoff, vat, now, ct));
            foreach (var rest in PendingChargeBilling.AddLines(invoice, charges, vat, now))
            {
                db.SubscriptionCharges.Add(rest);
            }

            if (invoice.Lines.Count == 0)
            {
                continue;
            }

            db.Invoices.Add(invoice);
            drafts.Add(invoice);
        }

        // Finalisation of the batch: VAT from the frozen snapshots, the compiled template, then ONE number reservation.
        var issueDate = DateOnly.FromDateTime(now.UtcDateTime);
        var ready = new List<(Invoice Invoice, TenantBillingProfile Buyer, VatDecision Vat, Func<Invoice, string> Render, int Terms)>();
        long crossBorder = seller?.OssMode == OssMode.Threshold ? await InvoiceService.CrossBorderB2CEurAsync(db, partnerId, issueDate.Year, ct) : 0;
        foreach (var invoice in drafts)
        {
            if (seller is null)
            {
                errors.Add($"{invoice.TenantId}: invoice {invoice.Id} stays draft: The seller of invoice {invoice.Id} has no partner configuration (legal name, address, VAT id, bank); complete it, then finalise.");
                continue;
            }

            if (buyers.GetValueOrDefault(invoice.TenantId) is not { } buyer)
            {
                errors.Add($"{invoice.TenantId}: invoice {invoice.Id} stays draft: The buyer of invoice {invoice.Id} has no billing profile; the tenant must add one, then the invoice can be finalised.");
                continue;
            }

            var language = buyer.EffectiveDocumentLanguage;
            if (!cache.Renderers.TryGetValue((partnerId, language), out var render))
            {
                try
                {
                    render = cache.Renderers[(partnerId, language)] = await invoices.Html.ForAsync(db, partnerId, DocumentType.Invoice, language, ct);
                }
                catch (DomainException e)
                {
                    errors.Add($"{invoice.TenantId}: invoice {invoice.Id} stays draft: {e.Message}");
                    continue;
                }
            }

            var vat = VatDetermination.Determine(new VatContext(seller.Country, buyer.Country, buyer.VatId, buyer.HasValidatedVatId, issueDate, seller.OssMode, crossBorder));
            if (vat.Rule is VatRule.IntraEuB2C or VatRule.IntraEuB2CBelowThreshold && invoice.Currency == "EUR")
            {
                crossBorder += invoice.NetTotalMinor; // the batch's own cross-border supplies count towards the threshold
            }

            ready.Add((invoice, buyer, vat, render, Domain.Payments.PaymentTerms.Resolve(tenantTerms.GetValueOrDefault(invoice.TenantId), cache.PartnerTerms.GetValueOrDefault(partnerId))));
        }

        // One transaction: the drafts with their lines and the billed periods, then the numbers and the finalisation
        // (a finalised invoice's lines cannot be inserted: the immutability trigger refuses them).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (ready.Count > 0)
        {
            var series = InvoiceNumbers.Series(seller!.InvoicePrefix, DocumentType.Invoice);
            var first = await DocumentNumbering.ReserveAsync(db, partnerId, series, issueDate.Year, ready.Count, ct);
            var pdfReason = invoices.PdfUnavailableReason;
            var sellerSnapshot = seller.Snapshot();
            for (var i = 0; i < ready.Count; i++)
            {
                var (invoice, buyer, vat, render, terms) = ready[i];
                invoice.Finalise(InvoiceNumbers.Format(series, issueDate.Year, first + i), issueDate, buyer.Snapshot(), sellerSnapshot, vat, now, render, buyer.BuyerReference, terms);
                var document = new InvoiceDocument(invoice, now);
                if (pdfReason is not null)
                {
                    // Said once, on the new row: no update per invoice when this node has no renderer.
                    document.NotReady(pdfReason, permanent: false, now);
                }

                db.InvoiceDocuments.Add(document);
                await Payments.PaymentLedger.OnFinalisedAsync(db, invoice, terms, now, ct);
                if (vat.Remark is { } remark)
                {
                    db.AuditLog.Add(new Domain.Audit.AuditEntry(db.Scope.ActorId, invoice.PartnerId, invoice.TenantId, "vat_fallback", nameof(Invoice), invoice.Id, null,
                        System.Text.Json.JsonSerializer.Serialize(new { remark, rule = vat.Rule.WireName() }), now));
                }
            }
        }

        // The audit trail: one entry per invoice (who finalised which number, when, for how much), one summary per batch.
        foreach (var invoice in drafts)
        {
            db.AuditLog.Add(new Domain.Audit.AuditEntry(db.Scope.ActorId, invoice.PartnerId, invoice.TenantId, invoice.Status == InvoiceStatus.Finalised ? "finalised" : "drafted", nameof(Invoice), invoice.Id, null,
                System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["number"] = invoice.Number,
                    ["issue_date"] = invoice.IssueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    ["currency"] = invoice.Currency,
                    ["lines"] = invoice.Lines.Count,
                    ["net_total"] = invoice.NetTotalMinor,
                    ["gross_total"] = invoice.GrossTotalMinor,
                    ["vat_rule"] = invoice.VatRule?.WireName(),
                    ["billing_run_id"] = runId,
                }), now));
        }

        var numbered = ready.Select(r => r.Invoice.Number!).ToList();
        db.AuditLog.Add(new Domain.Audit.AuditEntry(db.Scope.ActorId, partnerId, null, "billing_batch", nameof(BillingRun), runId, null,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["tenants"] = groups.Count,
                ["invoices"] = drafts.Count,
                ["finalised"] = ready.Count,
                ["first_number"] = numbered.FirstOrDefault(),
                ["last_number"] = numbered.LastOrDefault(),
            }), now));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (ready.Count > 0)
        {
            Observability.ScaiMetrics.InvoicesFinalised.Add(ready.Count, new KeyValuePair<string, object?>("document_type", "invoice"));
        }

        return new BatchOutcome(drafts.Count, ready.Count, errors, rows.Count) { FinalisedIds = ready.Select(r => r.Invoice.Id).ToList() };
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

/// <summary>
/// Billing-run settings: Billing:RunLease (default 30 s), how long a node holds a claimed run without renewing it;
/// Billing:PageSize (default 500), the subscriptions read per keyset page and held at most per batch;
/// Billing:BatchSize (default 100), the invoices of one seller finalised per transaction.
/// </summary>
public sealed class BillingRunOptions
{
    /// <summary>The lease; renewed every third of it while the run works. A node dead for longer loses the run to another.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Subscriptions per keyset page (1..10,000); a batch holds at most this many too (unless one tenant alone has more).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Invoices per batch transaction (1..1,000), all of one seller's series.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Observes each page the run reads (its row count): for tests and benchmarks.</summary>
    public Action<int>? PageRead { get; init; }

    /// <summary>Observes each committed batch: for tests and benchmarks.</summary>
    public Action<BillingBatchReport>? BatchCommitted { get; init; }

    /// <summary>Fault injection for tests: called per tenant inside its batch's transaction; throwing fails that batch.</summary>
    public Action<string>? TenantFault { get; init; }
}

/// <summary>A committed batch of a billing run: the seller, the (tenant, currency) groups, invoices drafted and finalised, and the subscriptions it held.</summary>
public sealed record BillingBatchReport(string PartnerId, int Groups, int Invoices, int Finalised, int SubscriptionsHeld);

/// <summary>A billing run's progress as published after each change (counts of tenants and invoices so far).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Status">queued | running | completed | failed.</param>
/// <param name="TenantsTotal">Tenants to bill.</param>
/// <param name="TenantsProcessed">Tenants billed so far.</param>
/// <param name="InvoicesCreated">Invoices drafted so far.</param>
/// <param name="InvoicesFinalised">Invoices finalised so far.</param>
public sealed record BillingRunProgress(string RunId, string Status, int TenantsTotal, int TenantsProcessed, int InvoicesCreated, int InvoicesFinalised);
