using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>Why a <see cref="SubscriptionCharge"/> exists.</summary>
public enum SubscriptionChargeKind
{
    /// <summary>The prorated price of the new plan for the rest of the period (upgrade or downgrade).</summary>
    ProrationCharge,

    /// <summary>The unused part of the old plan, credited (negative amount).</summary>
    ProrationCredit,

    /// <summary>A whole period at the old rate that a plan change found not yet invoiced (billing key = the period's, so it is never billed twice).</summary>
    PeriodCharge,

    /// <summary>A usage correction after the grace of the period's invoice (issue 15): the re-priced difference, a charge or a credit.</summary>
    UsageCorrection,
}

/// <summary>
/// A one-off amount waiting for the tenant's next invoice (issue 4: plan-change proration): positive = charge,
/// negative = credit, integer minor units of <see cref="Currency"/>. <see cref="InvoiceId"/> is set in the same
/// transaction that puts it on an invoice, so it is billed exactly once.
/// </summary>
public sealed class SubscriptionCharge : ITenantOwned
{
    private SubscriptionCharge() { }

    /// <summary>A pending charge (or credit, when <paramref name="amountMinor"/> is negative).</summary>
    public SubscriptionCharge(Subscription subscription, SubscriptionChargeKind kind, string description, long amountMinor, string currency,
        DateTimeOffset periodStart, DateTimeOffset periodEnd, string? planChangeId, DateTimeOffset now)
    {
        Id = Ids.New("chg");
        PartnerId = subscription.PartnerId;
        TenantId = subscription.TenantId;
        SubscriptionId = subscription.Id;
        Kind = kind;
        Description = Guard.Text(description, "description", 500);
        AmountMinor = amountMinor;
        Currency = Currencies.Require(currency);
        PeriodStart = periodStart;
        PeriodEnd = periodEnd;
        PlanChangeId = planChangeId;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public SubscriptionChargeKind Kind { get; private set; }
    public string Description { get; private set; } = default!;

    /// <summary>Signed amount in minor units: positive charge, negative credit (VAT is added on the invoice).</summary>
    public long AmountMinor { get; private set; }
    public string Currency { get; private set; } = default!;

    /// <summary>The part of the period the amount covers [start, end), UTC (BT-134/BT-135 on the invoice line).</summary>
    public DateTimeOffset PeriodStart { get; private set; }
    public DateTimeOffset PeriodEnd { get; private set; }

    /// <summary>Groups the charge and credit of one plan change.</summary>
    public string? PlanChangeId { get; private set; }

    /// <summary>The invoice it went on; null while pending.</summary>
    public string? InvoiceId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The invoice line's unique billing key: the subscription period's key for a <see cref="SubscriptionChargeKind.PeriodCharge"/> (as the billing run would write it), else "charge:" + id.</summary>
    public string BillingKey => Kind == SubscriptionChargeKind.PeriodCharge ? $"{SubscriptionId}@{PeriodStart.UtcTicks}" : $"charge:{Id}";

    /// <summary>
    /// Credit rule (docs/lifecycle.md): an invoice never goes below zero. Keeps <paramref name="appliedMinor"/>
    /// (0 &lt; applied &lt; |amount|) of this credit on the invoice being made and returns the rest as a new pending credit.
    /// </summary>
    /// <exception cref="DomainConflictException">Not a pending credit, or the applied part is out of range.</exception>
    public SubscriptionCharge SplitCredit(long appliedMinor, DateTimeOffset now)
    {
        if (AmountMinor >= 0 || InvoiceId is not null || appliedMinor <= 0 || appliedMinor >= -AmountMinor)
        {
            throw new DomainConflictException($"Charge {Id} cannot be split at {appliedMinor}.");
        }

        var rest = (SubscriptionCharge)MemberwiseClone();
        rest.Id = Ids.New("chg");
        rest.AmountMinor = AmountMinor + appliedMinor;
        rest.Description = Guard.Text($"{Description} (remainder)", "description", 500);
        rest.CreatedAt = now;
        AmountMinor = -appliedMinor;
        return rest;
    }

    /// <summary>Records the invoice that carries this amount.</summary>
    /// <exception cref="DomainConflictException">Already invoiced.</exception>
    public void MarkInvoiced(string invoiceId)
    {
        if (InvoiceId is not null)
        {
            throw new DomainConflictException($"Charge {Id} is already on invoice {InvoiceId}.");
        }

        InvoiceId = invoiceId;
    }
}
