using System.Globalization;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Invoicing;

/// <summary>Billing run states: queued → running → completed | failed.</summary>
public enum BillingRunStatus
{
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// One billing run for a calendar month (period "YYYY-MM"): invoices, in advance, every billable subscription period
/// that starts before the end of that month and is not yet invoiced, finalises and renders the invoices. Running a
/// period again invoices nothing twice. Progress counters are updated as tenants are processed.
/// </summary>
public sealed class BillingRun
{
    private BillingRun() { }

    /// <summary>Queues a run for <paramref name="period"/>.</summary>
    public BillingRun(BillingPeriod period, string requestedBy, DateTimeOffset now)
    {
        Id = Ids.New("run");
        Period = period.ToString();
        RequestedBy = requestedBy;
        Status = BillingRunStatus.Queued;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <summary>"YYYY-MM".</summary>
    public string Period { get; private set; } = default!;
    public string RequestedBy { get; private set; } = default!;
    public BillingRunStatus Status { get; private set; }
    public int TenantsTotal { get; private set; }
    public int TenantsProcessed { get; private set; }
    public int InvoicesCreated { get; private set; }
    public int InvoicesFinalised { get; private set; }

    /// <summary>Problems met (one per line), e.g. a tenant without a billing profile whose invoice stayed draft.</summary>
    public string Errors { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>The node (Node:Id) working on the run while it is running; kept afterwards as the node that finished it.</summary>
    public string? ClaimedBy { get; private set; }

    /// <summary>
    /// Until when the claiming node holds the run (UTC). The node renews it while it works; a running run whose lease
    /// has passed belongs to a node that died and is taken over by the next worker (the billing keys make resuming
    /// safe: a period already invoiced is never invoiced again).
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>Records the number of tenants to process once the run has been claimed (status running).</summary>
    public void StartFromClaim(int tenantsTotal)
    {
        if (Status != BillingRunStatus.Running)
        {
            throw new DomainConflictException($"Billing run {Id} is {Status}, not running.", Status.ToString().ToLowerInvariant());
        }

        TenantsTotal = tenantsTotal;
    }

    /// <summary>
    /// Records a takeover: <paramref name="node"/> resumes a run whose previous node (<paramref name="previousNode"/>)
    /// stopped renewing its lease; <paramref name="remaining"/> tenants are still to bill, so the total becomes the
    /// tenants already processed plus those. The takeover is noted on the run for the operator.
    /// </summary>
    public void ResumeFromClaim(int remaining, string node, string? previousNode, DateTimeOffset now)
    {
        if (Status != BillingRunStatus.Running)
        {
            throw new DomainConflictException($"Billing run {Id} is {Status}, not running.", Status.ToString().ToLowerInvariant());
        }

        TenantsTotal = TenantsProcessed + remaining;
        var note = string.Create(CultureInfo.InvariantCulture, $"resumed by {node} at {now:yyyy-MM-ddTHH:mm:ssZ}: {previousNode ?? "the previous node"} stopped renewing its lease");
        Errors = Errors.Length == 0 ? note : Errors + "\n" + note;
    }

    /// <summary>Counts one processed tenant and its invoices.</summary>
    public void TenantDone(int invoicesCreated, int invoicesFinalised, string? error)
    {
        TenantsProcessed++;
        InvoicesCreated += invoicesCreated;
        InvoicesFinalised += invoicesFinalised;
        if (error is not null)
        {
            Errors = Errors.Length == 0 ? error : Errors + "\n" + error;
        }
    }

    /// <summary>Counts a batch of processed (tenant, currency) groups, its invoices and its problems (one line each, "tnt_…: …").</summary>
    public void BatchDone(int groups, int invoicesCreated, int invoicesFinalised, IReadOnlyList<string> errors)
    {
        TenantsProcessed += groups;
        InvoicesCreated += invoicesCreated;
        InvoicesFinalised += invoicesFinalised;
        foreach (var error in errors)
        {
            Errors = Errors.Length == 0 ? error : Errors + "\n" + error;
        }
    }

    /// <summary>running → completed.</summary>
    public void Complete(DateTimeOffset now)
    {
        Status = BillingRunStatus.Completed;
        CompletedAt = now;
    }

    /// <summary>→ failed with the reason.</summary>
    public void Fail(string reason, DateTimeOffset now)
    {
        Status = BillingRunStatus.Failed;
        Errors = Errors.Length == 0 ? reason : Errors + "\n" + reason;
        CompletedAt = now;
    }
}

/// <summary>A calendar month "YYYY-MM" in UTC; <see cref="End"/> is the first instant of the next month.</summary>
public readonly record struct BillingPeriod(int Year, int Month)
{
    /// <summary>Parses "YYYY-MM".</summary>
    /// <exception cref="DomainValidationException">Malformed (field "period").</exception>
    public static BillingPeriod Parse(string? text)
    {
        if (text is { Length: 7 } && text[4] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && y is >= 2000 and <= 9999 && m is >= 1 and <= 12)
        {
            return new BillingPeriod(y, m);
        }

        throw new DomainValidationException("period", "period must be a month in the form YYYY-MM, e.g. 2026-11.");
    }

    /// <summary>First instant of the month (UTC).</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>First instant of the next month (UTC), the run's cutoff.</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    /// <summary>The period containing <paramref name="instant"/>.</summary>
    public static BillingPeriod Of(DateTimeOffset instant) => new(instant.UtcDateTime.Year, instant.UtcDateTime.Month);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}

/// <summary>PDF rendering state of a finalised invoice: pending (renderer missing or not yet run) → ready | failed.</summary>
public enum InvoiceDocumentStatus
{
    Pending,
    Ready,
    Failed,
}

/// <summary>
/// The rendered PDF of an invoice, kept apart from the (immutable) invoice: object-storage key, SHA-256, and why it
/// is not ready when it is not.
/// </summary>
public sealed class InvoiceDocument : ITenantOwned
{
    private InvoiceDocument() { }

    /// <summary>Starts as pending for a finalised invoice.</summary>
    public InvoiceDocument(Invoice invoice, DateTimeOffset now)
    {
        InvoiceId = invoice.Id;
        PartnerId = invoice.PartnerId;
        TenantId = invoice.TenantId;
        Status = InvoiceDocumentStatus.Pending;
        Reason = "Waiting for the PDF renderer.";
        UpdatedAt = now;
    }

    public string InvoiceId { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public InvoiceDocumentStatus Status { get; private set; }
    public string? ObjectKey { get; private set; }
    public string? Sha256 { get; private set; }
    public long? SizeBytes { get; private set; }

    /// <summary>Why the PDF is not ready (plain words for the user), null when ready.</summary>
    public string? Reason { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Records the stored PDF.</summary>
    public void Ready(string objectKey, string sha256, long size, DateTimeOffset now)
    {
        (Status, ObjectKey, Sha256, SizeBytes, Reason, UpdatedAt) = (InvoiceDocumentStatus.Ready, objectKey, sha256, size, null, now);
        Attempts++;
    }

    /// <summary>Records why rendering could not happen; <paramref name="permanent"/> marks it failed, else it stays pending for a retry.</summary>
    public void NotReady(string reason, bool permanent, DateTimeOffset now)
    {
        (Status, Reason, UpdatedAt) = (permanent ? InvoiceDocumentStatus.Failed : InvoiceDocumentStatus.Pending, reason, now);
        Attempts++;
    }
}
