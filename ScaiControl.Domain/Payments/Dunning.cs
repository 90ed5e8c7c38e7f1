using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Payments;

/// <summary>A dunning case's state: running, settled by a payment, or ended (final action taken, or closed by the operator).</summary>
public enum DunningStatus
{
    Active,
    Settled,
    Ended,
}

/// <summary>The steps dunning.step.v1 reports.</summary>
public static class DunningSteps
{
    public const string Retry = "retry";
    public const string Reminder = "reminder";
    public const string PastDue = "past_due";
    public const string Suspended = "suspended";
    public const string Final = "final";
    public const string Settled = "settled";

    /// <summary>All step names.</summary>
    public static IReadOnlyList<string> All { get; } = [Retry, Reminder, PastDue, Suspended, Final, Settled];
}

/// <summary>The next thing a dunning case has to do, and when.</summary>
/// <param name="Step">retry, reminder, suspended or final.</param>
/// <param name="At">When it is due (UTC).</param>
public sealed record DunningDue(string Step, DateTimeOffset At);

/// <summary>
/// Dunning of one subscription for one unpaid invoice (table dunning_cases), per subscription not per account: a
/// subscription whose own invoices are paid is never blocked by another one's. The retry schedule lives here, apart
/// from the subscription state machine, which only sees mark_past_due, suspend, settle_payment / unsuspend and cancel.
/// Times are offsets from <see cref="StartedAt"/> (the first failure) per the partner's <see cref="DunningPolicy"/>.
/// </summary>
public sealed class DunningCase : ITenantOwned
{
    private DunningCase() { }

    /// <summary>Opens a case at the first failed charge.</summary>
    public DunningCase(string partnerId, string tenantId, string subscriptionId, string invoiceId, bool hardDecline, string declineCode, DateTimeOffset now)
    {
        Id = Ids.New("dun");
        PartnerId = partnerId;
        TenantId = tenantId;
        SubscriptionId = subscriptionId;
        InvoiceId = invoiceId;
        Status = DunningStatus.Active;
        StartedAt = now;
        Attempts = 1;
        HardDeclined = hardDecline;
        LastDeclineCode = declineCode;
        UpdatedAt = now;
        Version = 1;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string InvoiceId { get; private set; } = default!;
    public DunningStatus Status { get; private set; }

    /// <summary>The first failure (UTC): every offset of the policy counts from it.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Charge attempts made (the first failure included).</summary>
    public int Attempts { get; private set; }

    /// <summary>How many retries of the policy have been used (made or skipped).</summary>
    public int RetriesDone { get; private set; }

    /// <summary>How many reminders have been sent.</summary>
    public int RemindersDone { get; private set; }

    /// <summary>A hard decline (card lost, mandate revoked): no further retries, the rest of the schedule runs.</summary>
    public bool HardDeclined { get; private set; }
    public string? LastDeclineCode { get; private set; }
    public DateTimeOffset? SuspendedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Concurrency token: each step is taken once even when two nodes run dunning at the same moment.</summary>
    public long Version { get; private set; }

    /// <summary>The next step of <paramref name="policy"/> (earliest first; retries before reminders at the same time), or null when none is left.</summary>
    public DunningDue? Next(DunningPolicy policy)
    {
        if (Status != DunningStatus.Active)
        {
            return null;
        }

        var candidates = new List<DunningDue>();
        if (!HardDeclined && RetriesDone < policy.RetryDays.Count)
        {
            candidates.Add(new(DunningSteps.Retry, StartedAt.AddDays(policy.RetryDays[RetriesDone])));
        }

        if (RemindersDone < policy.ReminderDays.Count)
        {
            candidates.Add(new(DunningSteps.Reminder, StartedAt.AddDays(policy.ReminderDays[RemindersDone])));
        }

        if (SuspendedAt is null)
        {
            candidates.Add(new(DunningSteps.Suspended, StartedAt.AddDays(policy.SuspendAfterDays)));
        }

        candidates.Add(new(DunningSteps.Final, StartedAt.AddDays(policy.FinalAfterDays)));
        var order = new[] { DunningSteps.Retry, DunningSteps.Reminder, DunningSteps.Suspended, DunningSteps.Final };
        return candidates.OrderBy(c => c.At).ThenBy(c => Array.IndexOf(order, c.Step)).First();
    }

    /// <summary>A retry was made: succeeded (the case settles elsewhere) or failed with <paramref name="declineCode"/>.</summary>
    public void RetryFailed(bool hardDecline, string declineCode, DateTimeOffset now)
    {
        RetriesDone++;
        Attempts++;
        HardDeclined |= hardDecline;
        LastDeclineCode = declineCode;
        Touch(now);
    }

    /// <summary>A retry slot used by a successful attempt.</summary>
    public void RetrySucceeded(DateTimeOffset now)
    {
        RetriesDone++;
        Attempts++;
        Touch(now);
    }

    /// <summary>A reminder was sent.</summary>
    public void Reminded(DateTimeOffset now)
    {
        RemindersDone++;
        Touch(now);
    }

    /// <summary>The subscription was suspended by dunning.</summary>
    public void Suspended(DateTimeOffset now)
    {
        SuspendedAt = now;
        Touch(now);
    }

    /// <summary>The final action was taken, or the operator closed the case.</summary>
    public void End(DateTimeOffset now)
    {
        Status = DunningStatus.Ended;
        EndedAt = now;
        Touch(now);
    }

    /// <summary>The invoice was paid: dunning stops at once.</summary>
    public void Settle(DateTimeOffset now)
    {
        Status = DunningStatus.Settled;
        EndedAt = now;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>One step of a dunning case as it happened (table dunning_steps): the per-invoice dunning history.</summary>
public sealed class DunningStepRecord : ITenantOwned
{
    private DunningStepRecord() { }

    /// <summary>Records <paramref name="step"/> of <paramref name="c"/>.</summary>
    public DunningStepRecord(DunningCase c, string step, string? detail, DateTimeOffset now)
    {
        Id = Ids.New("dst");
        CaseId = c.Id;
        PartnerId = c.PartnerId;
        TenantId = c.TenantId;
        InvoiceId = c.InvoiceId;
        SubscriptionId = c.SubscriptionId;
        Step = step;
        Detail = detail is null ? null : (detail.Length > 300 ? detail[..300] : detail);
        At = now;
    }

    public string Id { get; private set; } = default!;
    public string CaseId { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string InvoiceId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;

    /// <summary>One of <see cref="DunningSteps.All"/>.</summary>
    public string Step { get; private set; } = default!;
    public string? Detail { get; private set; }
    public DateTimeOffset At { get; private set; }
}
