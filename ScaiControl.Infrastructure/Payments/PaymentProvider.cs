using System.Collections.Concurrent;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Payments;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>The result of a charge at a provider. Amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="ProviderRef">The provider's payment id.</param>
/// <param name="Status">Succeeded, failed, or pending (asynchronous methods: not paid in our books until it succeeds).</param>
/// <param name="AmountMinor">What the provider says it charged.</param>
/// <param name="Currency">ISO 4217.</param>
/// <param name="DeclineCode">The provider's decline code when failed.</param>
/// <param name="HardDecline">True when retrying cannot help (card lost or stolen, mandate revoked, account closed).</param>
public sealed record ProviderChargeResult(string ProviderRef, ProviderPaymentStatus Status, long AmountMinor, string Currency, string? DeclineCode = null, bool HardDecline = false);

/// <summary>A customer set up at a provider, with the hosted page that stores a payment method / mandate (null: none needed).</summary>
public sealed record ProviderCustomerResult(string CustomerRef, string? SetupUrl);

/// <summary>A hosted payment page for one invoice.</summary>
public sealed record ProviderCheckoutResult(string ProviderRef, string RedirectUrl);

/// <summary>A verified provider webhook: its event id (processed once) and the object it names (re-fetched before anything changes).</summary>
public sealed record ProviderWebhook(string EventId, string EventType, string? ObjectRef);

/// <summary>Thrown when a provider webhook's signature does not verify (HTTP 400, nothing changes).</summary>
public sealed class WebhookSignatureException(string message) : DomainException(message);

/// <summary>
/// One payment provider (issue 16; one provider per partner, credentials by vault path): set up a customer and a
/// stored method or mandate, pay one invoice on a hosted page, charge off-session for recurring invoices, refund,
/// verify a webhook over its raw body, and fetch a payment again (the webhook is only a hint). Every create carries
/// <c>idempotencyKey</c>, so a retried call never charges twice. Amounts are minor units.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The provider name (<see cref="PaymentProviders"/>).</summary>
    string Name { get; }

    /// <summary>Creates the customer of a tenant.</summary>
    Task<ProviderCustomerResult> SetUpCustomerAsync(string tenantId, string email, string legalName, string idempotencyKey, CancellationToken ct);

    /// <summary>A hosted page on which the buyer pays <paramref name="amountMinor"/> for invoice <paramref name="invoiceId"/>.</summary>
    Task<ProviderCheckoutResult> CreateCheckoutAsync(string customerRef, string invoiceId, long amountMinor, string currency, string returnUrl, string idempotencyKey, CancellationToken ct);

    /// <summary>Charges the stored method <paramref name="methodRef"/> without the buyer present.</summary>
    Task<ProviderChargeResult> ChargeOffSessionAsync(string customerRef, string methodRef, string invoiceId, long amountMinor, string currency, string idempotencyKey, CancellationToken ct);

    /// <summary>Refunds <paramref name="amountMinor"/> of payment <paramref name="paymentRef"/> (against a credit note).</summary>
    Task<string> RefundAsync(string paymentRef, long amountMinor, string currency, string idempotencyKey, CancellationToken ct);

    /// <summary>Verifies <paramref name="rawBody"/> against its signature header(s) and reads the event id and object id.</summary>
    /// <exception cref="WebhookSignatureException">Missing, wrong or stale signature, or an unreadable body.</exception>
    Task<ProviderWebhook> VerifyWebhookAsync(string rawBody, IReadOnlyDictionary<string, string> headers, CancellationToken ct);

    /// <summary>Fetches payment <paramref name="providerRef"/> from the provider (its amount, currency and state as the provider holds them).</summary>
    Task<ProviderChargeResult> FetchPaymentAsync(string providerRef, CancellationToken ct);
}

/// <summary>
/// The test provider (issue 16): no account, no network; the outcome of a charge is chosen by the stored "payment
/// method", as test cards do — <c>test_succeed</c>, <c>test_decline_soft</c> (insufficient_funds, retried) or
/// <c>test_decline_hard</c> (card_lost, not retried). The operator sets it on the tenant
/// (<see cref="PaymentCollectionService.SetTestOutcomeAsync"/>), so the whole cash cycle can be shown and tested.
/// Charges are kept in memory and answered again by <see cref="FetchPaymentAsync"/>; one idempotency key is one charge.
/// </summary>
public sealed class TestPaymentProvider : IPaymentProvider
{
    /// <summary>The three methods (outcomes) the operator can choose.</summary>
    public static IReadOnlyList<string> Outcomes { get; } = ["test_succeed", "test_decline_soft", "test_decline_hard"];

    private readonly ConcurrentDictionary<string, ProviderChargeResult> _charges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => PaymentProviders.Test;

    /// <inheritdoc/>
    public Task<ProviderCustomerResult> SetUpCustomerAsync(string tenantId, string email, string legalName, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(new ProviderCustomerResult("tcus_" + tenantId, null));

    /// <inheritdoc/>
    public Task<ProviderCheckoutResult> CreateCheckoutAsync(string customerRef, string invoiceId, long amountMinor, string currency, string returnUrl, string idempotencyKey, CancellationToken ct)
    {
        var id = _byKey.GetOrAdd(idempotencyKey, _ => Ids.New("tpay"));
        _charges.TryAdd(id, new ProviderChargeResult(id, ProviderPaymentStatus.Pending, amountMinor, currency));
        return Task.FromResult(new ProviderCheckoutResult(id, returnUrl));
    }

    /// <inheritdoc/>
    public Task<ProviderChargeResult> ChargeOffSessionAsync(string customerRef, string methodRef, string invoiceId, long amountMinor, string currency, string idempotencyKey, CancellationToken ct)
    {
        var id = _byKey.GetOrAdd(idempotencyKey, _ => Ids.New("tpay"));
        var result = _charges.GetOrAdd(id, _ => methodRef switch
        {
            "test_succeed" => new ProviderChargeResult(id, ProviderPaymentStatus.Succeeded, amountMinor, currency),
            "test_decline_hard" => new ProviderChargeResult(id, ProviderPaymentStatus.Failed, amountMinor, currency, "card_lost", HardDecline: true),
            _ => new ProviderChargeResult(id, ProviderPaymentStatus.Failed, amountMinor, currency, "insufficient_funds"),
        });
        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public Task<string> RefundAsync(string paymentRef, long amountMinor, string currency, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(_byKey.GetOrAdd("refund:" + idempotencyKey, _ => Ids.New("tref")));

    /// <inheritdoc/>
    public Task<ProviderWebhook> VerifyWebhookAsync(string rawBody, IReadOnlyDictionary<string, string> headers, CancellationToken ct) =>
        throw new WebhookSignatureException("The test provider sends no webhooks.");

    /// <inheritdoc/>
    public Task<ProviderChargeResult> FetchPaymentAsync(string providerRef, CancellationToken ct) =>
        _charges.TryGetValue(providerRef, out var r) ? Task.FromResult(r) : throw new NotFoundException("test payment", providerRef);
}
