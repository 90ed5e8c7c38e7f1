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
/// <param name="InvoiceId">The invoice the provider holds the payment for (its metadata), when it reports one.</param>
/// <param name="CustomerRef">The provider's customer the payment was taken from, when it reports one.</param>
public sealed record ProviderChargeResult(string ProviderRef, ProviderPaymentStatus Status, long AmountMinor, string Currency, string? DeclineCode = null, bool HardDecline = false,
    string? InvoiceId = null, string? CustomerRef = null);

/// <summary>A customer set up at a provider, with the hosted page that stores a payment method / mandate (null: none needed).</summary>
public sealed record ProviderCustomerResult(string CustomerRef, string? SetupUrl);

/// <summary>A payment method stored at the provider for a customer (the result of a completed setup page).</summary>
/// <param name="CustomerRef">The provider's customer.</param>
/// <param name="MethodRef">The stored method or mandate (charged off-session from now on).</param>
/// <param name="Label">What the buyer recognises it by ("visa •••• 4242 (12/2030)").</param>
public sealed record ProviderMethodSetup(string CustomerRef, string MethodRef, string Label);

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

    /// <summary>A hosted page on which the buyer stores a payment method for <paramref name="customerRef"/>; its address. The provider's webhook reports the method (<see cref="FetchMethodSetupAsync"/>).</summary>
    Task<string> CreateMethodSetupAsync(string customerRef, string returnUrl, string idempotencyKey, CancellationToken ct);

    /// <summary>The method a completed setup page stored (<paramref name="objectRef"/> named by a webhook), fetched from the provider; null when the object is not a completed setup.</summary>
    Task<ProviderMethodSetup?> FetchMethodSetupAsync(string objectRef, CancellationToken ct);

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
/// Webhooks: <c>X-Test-Signature: sha256=&lt;hex&gt;</c>, HMAC-SHA256 over the raw body with <c>Payments:Test:WebhookSecret</c>
/// (none configured: every webhook is refused); body <c>{"id": event id, "type": …, "data": {"object_id": payment id}}</c>.
/// </summary>
public sealed class TestPaymentProvider(string? webhookSecret = null) : IPaymentProvider
{
    /// <summary>The signature header of a test provider webhook.</summary>
    public const string SignatureHeader = "X-Test-Signature";

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
    /// <remarks>The test provider has no setup page: the operator chooses the outcome; the buyer returns at once.</remarks>
    public Task<string> CreateMethodSetupAsync(string customerRef, string returnUrl, string idempotencyKey, CancellationToken ct) => Task.FromResult(returnUrl);

    /// <inheritdoc/>
    public Task<ProviderMethodSetup?> FetchMethodSetupAsync(string objectRef, CancellationToken ct) => Task.FromResult<ProviderMethodSetup?>(null);

    /// <inheritdoc/>
    public Task<ProviderCheckoutResult> CreateCheckoutAsync(string customerRef, string invoiceId, long amountMinor, string currency, string returnUrl, string idempotencyKey, CancellationToken ct)
    {
        var id = _byKey.GetOrAdd(idempotencyKey, _ => Ids.New("tpay"));
        _charges.TryAdd(id, new ProviderChargeResult(id, ProviderPaymentStatus.Pending, amountMinor, currency, InvoiceId: invoiceId, CustomerRef: customerRef));
        return Task.FromResult(new ProviderCheckoutResult(id, returnUrl));
    }

    /// <inheritdoc/>
    public Task<ProviderChargeResult> ChargeOffSessionAsync(string customerRef, string methodRef, string invoiceId, long amountMinor, string currency, string idempotencyKey, CancellationToken ct)
    {
        var id = _byKey.GetOrAdd(idempotencyKey, _ => Ids.New("tpay"));
        var result = _charges.GetOrAdd(id, _ => methodRef switch
        {
            "test_succeed" => new ProviderChargeResult(id, ProviderPaymentStatus.Succeeded, amountMinor, currency, InvoiceId: invoiceId, CustomerRef: customerRef),
            "test_decline_hard" => new ProviderChargeResult(id, ProviderPaymentStatus.Failed, amountMinor, currency, "card_lost", HardDecline: true, InvoiceId: invoiceId, CustomerRef: customerRef),
            _ => new ProviderChargeResult(id, ProviderPaymentStatus.Failed, amountMinor, currency, "insufficient_funds", InvoiceId: invoiceId, CustomerRef: customerRef),
        });
        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public Task<string> RefundAsync(string paymentRef, long amountMinor, string currency, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(_byKey.GetOrAdd("refund:" + idempotencyKey, _ => Ids.New("tref")));

    /// <inheritdoc/>
    public Task<ProviderWebhook> VerifyWebhookAsync(string rawBody, IReadOnlyDictionary<string, string> headers, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(webhookSecret))
        {
            throw new WebhookSignatureException("The test provider has no webhook secret configured (Payments:Test:WebhookSecret): webhooks are refused.");
        }

        var header = headers.FirstOrDefault(h => string.Equals(h.Key, SignatureHeader, StringComparison.OrdinalIgnoreCase)).Value;
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal))
        {
            throw new WebhookSignatureException($"The {SignatureHeader} header (sha256=<hex>) is missing.");
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header["sha256=".Length..]);
        }
        catch (FormatException)
        {
            throw new WebhookSignatureException($"The {SignatureHeader} header is not hexadecimal.");
        }

        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, Mac(rawBody)))
        {
            throw new WebhookSignatureException("The webhook signature does not match its body.");
        }

        try
        {
            var body = System.Text.Json.Nodes.JsonNode.Parse(rawBody);
            var id = body?["id"]?.GetValue<string>();
            var type = body?["type"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type))
            {
                throw new WebhookSignatureException("The webhook has no event id or type.");
            }

            return Task.FromResult(new ProviderWebhook(id, type, body?["data"]?["object_id"]?.GetValue<string>()));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new WebhookSignatureException("The webhook body is not the test provider's JSON.");
        }
    }

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="rawBody"/> ("sha256=&lt;hex&gt;"), as the test provider signs its webhooks.</summary>
    public string Sign(string rawBody) => "sha256=" + Convert.ToHexStringLower(Mac(rawBody));

    /// <summary>
    /// The simulator's side of a hosted checkout: the buyer finished paying <paramref name="providerRef"/> (succeeded,
    /// or declined with <paramref name="declineCode"/>); what <see cref="FetchPaymentAsync"/> answers from now on.
    /// </summary>
    public void Complete(string providerRef, bool succeeded, string declineCode = "card_declined") =>
        _charges.AddOrUpdate(providerRef, _ => throw new NotFoundException("test payment", providerRef),
            (_, c) => succeeded ? c with { Status = ProviderPaymentStatus.Succeeded } : c with { Status = ProviderPaymentStatus.Failed, DeclineCode = declineCode });

    private byte[] Mac(string rawBody) =>
        System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(webhookSecret ?? string.Empty), System.Text.Encoding.UTF8.GetBytes(rawBody));

    /// <inheritdoc/>
    public Task<ProviderChargeResult> FetchPaymentAsync(string providerRef, CancellationToken ct) =>
        _charges.TryGetValue(providerRef, out var r) ? Task.FromResult(r) : throw new NotFoundException("test payment", providerRef);
}
