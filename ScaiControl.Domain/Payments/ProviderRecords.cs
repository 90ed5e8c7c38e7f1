using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Payments;

/// <summary>
/// A tenant's customer at its partner's payment provider (table payment_customers): the provider's customer id and
/// the stored payment method or mandate used for off-session charges. One per (tenant, provider).
/// </summary>
public sealed class PaymentCustomer : ITenantOwned
{
    private PaymentCustomer() { }

    /// <summary>A customer created at <paramref name="provider"/>.</summary>
    public PaymentCustomer(string partnerId, string tenantId, string provider, string customerRef, DateTimeOffset now)
    {
        Id = Ids.New("pcu");
        PartnerId = partnerId;
        TenantId = tenantId;
        Provider = provider;
        CustomerRef = Guard.Text(customerRef, "customer_ref", 200);
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string Provider { get; private set; } = default!;

    /// <summary>The provider's customer id (cus_…, cst_…).</summary>
    public string CustomerRef { get; private set; } = default!;

    /// <summary>The stored payment method or mandate (pm_…, mdt_…); null until set up.</summary>
    public string? PaymentMethodRef { get; private set; }

    /// <summary>A display label of the method ("visa •••• 4242", "SEPA NL91…").</summary>
    public string? PaymentMethodLabel { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Stores (or with null removes) the method used for off-session charges.</summary>
    public void SetMethod(string? methodRef, string? label, DateTimeOffset now)
    {
        PaymentMethodRef = Guard.OptionalText(methodRef, "payment_method", 200);
        PaymentMethodLabel = Guard.OptionalText(label, "label", 100);
        UpdatedAt = now;
    }
}

/// <summary>State of a payment started at a provider.</summary>
public enum ProviderPaymentStatus
{
    /// <summary>Created, not yet paid (a hosted page the buyer has not finished; a Coinbase charge PENDING on chain is still pending: not paid in our books).</summary>
    Pending,
    Succeeded,
    Failed,
}

/// <summary>
/// A payment started at a provider for one invoice (table provider_payments): the provider's object id, the amount
/// WE asked for, and the idempotency key sent on create. A webhook only names the object; the provider is asked for
/// it again, and its amount and currency must equal these before anything is booked.
/// </summary>
public sealed class ProviderPayment : ITenantOwned
{
    private ProviderPayment() { }

    /// <summary>A payment of <paramref name="amountMinor"/> started at <paramref name="provider"/>.</summary>
    public ProviderPayment(InvoiceAccount account, string provider, string providerRef, string kind, long amountMinor, string idempotencyKey, string? redirectUrl, DateTimeOffset now)
    {
        Id = Ids.New("ppy");
        PartnerId = account.PartnerId;
        TenantId = account.TenantId;
        InvoiceId = account.InvoiceId;
        Provider = provider;
        ProviderRef = Guard.Text(providerRef, "provider_ref", 200);
        Kind = kind;
        AmountMinor = amountMinor;
        Currency = account.Currency;
        IdempotencyKey = idempotencyKey;
        RedirectUrl = redirectUrl;
        Status = ProviderPaymentStatus.Pending;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string InvoiceId { get; private set; } = default!;
    public string Provider { get; private set; } = default!;

    /// <summary>The provider's payment / checkout / charge id; unique per provider.</summary>
    public string ProviderRef { get; private set; } = default!;

    /// <summary>"checkout" (hosted page) or "off_session".</summary>
    public string Kind { get; private set; } = default!;
    public long AmountMinor { get; private set; }
    public string Currency { get; private set; } = default!;

    /// <summary>Sent as the provider's idempotency key on create.</summary>
    public string IdempotencyKey { get; private set; } = default!;

    /// <summary>The hosted page (checkout) the buyer is sent to.</summary>
    public string? RedirectUrl { get; private set; }
    public ProviderPaymentStatus Status { get; private set; }
    public string? FailureCode { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Marks it succeeded (once).</summary>
    public void Succeed(DateTimeOffset now)
    {
        Status = ProviderPaymentStatus.Succeeded;
        UpdatedAt = now;
    }

    /// <summary>Marks it failed with the provider's code.</summary>
    public void Fail(string code, DateTimeOffset now)
    {
        Status = ProviderPaymentStatus.Failed;
        FailureCode = code.Length > 100 ? code[..100] : code;
        UpdatedAt = now;
    }
}

/// <summary>
/// A provider webhook event already processed (table provider_events, key (provider, event id)): a second delivery
/// of the same event changes nothing. Written in the transaction that books its effect.
/// </summary>
public sealed class ProviderEvent
{
    private ProviderEvent() { }

    /// <summary>Event <paramref name="eventId"/> of <paramref name="provider"/>, processed with <paramref name="outcome"/>.</summary>
    public ProviderEvent(string provider, string eventId, string outcome, string? invoiceId, DateTimeOffset now)
    {
        Provider = provider;
        EventId = eventId.Length > 200 ? eventId[..200] : eventId;
        Outcome = outcome.Length > 200 ? outcome[..200] : outcome;
        InvoiceId = invoiceId;
        ReceivedAt = now;
    }

    public string Provider { get; private set; } = default!;
    public string EventId { get; private set; } = default!;

    /// <summary>What processing did ("payment_recorded", "ignored: …", "refused: …").</summary>
    public string Outcome { get; private set; } = default!;
    public string? InvoiceId { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
}
