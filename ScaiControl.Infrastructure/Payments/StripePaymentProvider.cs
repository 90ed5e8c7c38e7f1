using System.Globalization;
using System.Text.Json.Nodes;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Payments;
using Stripe;
using Stripe.Checkout;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>
/// A partner's Stripe credentials, read from its vault path (<c>partner_payment_settings.CredentialsVaultPath</c>) as
/// JSON <c>{"secret_key": "sk_…", "webhook_secret": "whsec_…"}</c>.
/// </summary>
/// <param name="SecretKey">The secret API key (Authorization: Bearer).</param>
/// <param name="WebhookSecret">The endpoint's signing secret (Stripe-Signature verification); null: webhooks refused.</param>
public sealed record StripeCredentials(string SecretKey, string? WebhookSecret)
{
    /// <summary>Reads the vault value.</summary>
    /// <exception cref="DomainValidationException">Not JSON with a non-empty <c>secret_key</c>.</exception>
    public static StripeCredentials Parse(string json)
    {
        try
        {
            var node = JsonNode.Parse(json);
            var key = node?["secret_key"]?.GetValue<string>();
            if (!string.IsNullOrWhiteSpace(key))
            {
                return new StripeCredentials(key, node?["webhook_secret"]?.GetValue<string>());
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
        }

        throw new DomainValidationException("credentials_vault_path", "The Stripe credentials must be JSON {\"secret_key\": \"sk_…\", \"webhook_secret\": \"whsec_…\"}.");
    }
}

/// <summary>
/// Stripe through Stripe.net (issue 16), for one partner's account. Customers (metadata tenant_id), Checkout Sessions
/// in <c>setup</c> mode to store a card (the session's SetupIntent carries the PaymentMethod) and in <c>payment</c>
/// mode for one invoice (metadata invoice_id, the amount we ask for as one line), off-session PaymentIntents
/// (<c>confirm</c> + <c>off_session</c> with the stored PaymentMethod) for recurring invoices, Refunds, and webhooks
/// verified with <see cref="EventUtility.ValidateSignature(string, string, string, long)"/> (Stripe-Signature, HMAC-SHA256
/// of "t.body", 300 s tolerance). Every create sends our idempotency key as Stripe's Idempotency-Key, so a retried call
/// never creates a second object (docs.stripe.com/api/idempotent_requests). Amounts are Stripe's "smallest currency
/// unit", the same as our minor units; currencies are sent lower-case and read back upper-case (ISO 4217).
/// Payment references: <c>pi_…</c> for off-session charges, <c>cs_…</c> (the Checkout Session) for hosted payments.
/// </summary>
public sealed class StripePaymentProvider : IPaymentProvider
{
    /// <summary>The webhook signature header.</summary>
    public const string SignatureHeader = "Stripe-Signature";

    /// <summary>Stripe's default signature tolerance in seconds (a webhook signed longer ago is refused as a replay).</summary>
    public const long ToleranceSeconds = 300;

    /// <summary>
    /// Decline codes after which retrying the same method cannot succeed (docs.stripe.com/declines/codes; plus
    /// <c>authentication_required</c>: an off-session charge that needs the buyer present will not pass on a retry).
    /// </summary>
    public static readonly IReadOnlySet<string> HardDeclineCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "lost_card", "stolen_card", "pickup_card", "fraudulent", "restricted_card", "do_not_try_again", "merchant_blacklist",
        "invalid_account", "card_not_supported", "expired_card", "incorrect_number", "authentication_required", "revocation_of_authorization",
    };

    private readonly StripeClient _client;
    private readonly string? _webhookSecret;
    private readonly TimeProvider _clock;

    /// <summary>A provider for one Stripe account.</summary>
    /// <param name="credentials">The account's keys.</param>
    /// <param name="apiBase">Stripe's API base (null: https://api.stripe.com); tests point it at a local fake.</param>
    /// <param name="clock">The clock used for the signature tolerance.</param>
    /// <param name="http">The HttpClient to send through (null: Stripe.net's own).</param>
    public StripePaymentProvider(StripeCredentials credentials, string? apiBase, TimeProvider clock, HttpClient? http = null)
    {
        _client = new StripeClient(credentials.SecretKey, httpClient: http is null ? null : new SystemNetHttpClient(http), apiBase: apiBase);
        _webhookSecret = credentials.WebhookSecret;
        _clock = clock;
    }

    /// <inheritdoc/>
    public string Name => PaymentProviders.Stripe;

    private static RequestOptions Key(string idempotencyKey) => new() { IdempotencyKey = idempotencyKey };

    /// <inheritdoc/>
    public async Task<ProviderCustomerResult> SetUpCustomerAsync(string tenantId, string email, string legalName, string idempotencyKey, CancellationToken ct)
    {
        var customer = await new CustomerService(_client).CreateAsync(new CustomerCreateOptions
        {
            Email = string.IsNullOrWhiteSpace(email) ? null : email,
            Name = legalName,
            Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId },
        }, Key(idempotencyKey), ct);
        return new ProviderCustomerResult(customer.Id, null);
    }

    /// <inheritdoc/>
    public async Task<string> CreateMethodSetupAsync(string customerRef, string returnUrl, string idempotencyKey, CancellationToken ct)
    {
        var session = await new SessionService(_client).CreateAsync(new SessionCreateOptions
        {
            Mode = "setup",
            Customer = customerRef,
            Currency = "eur",
            SuccessUrl = returnUrl,
            CancelUrl = returnUrl,
            Metadata = new Dictionary<string, string> { ["purpose"] = "payment_method" },
        }, Key(idempotencyKey), ct);
        return session.Url;
    }

    /// <inheritdoc/>
    public async Task<ProviderCheckoutResult> CreateCheckoutAsync(string customerRef, string invoiceId, long amountMinor, string currency, string returnUrl, string idempotencyKey, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string> { ["invoice_id"] = invoiceId };
        var session = await new SessionService(_client).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            Customer = customerRef,
            ClientReferenceId = invoiceId,
            SuccessUrl = returnUrl,
            CancelUrl = returnUrl,
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = metadata, SetupFutureUsage = "off_session" },
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = currency.ToLowerInvariant(),
                        UnitAmount = amountMinor,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Invoice " + invoiceId },
                    },
                },
            ],
        }, Key(idempotencyKey), ct);
        return new ProviderCheckoutResult(session.Id, session.Url);
    }

    /// <inheritdoc/>
    public async Task<ProviderChargeResult> ChargeOffSessionAsync(string customerRef, string methodRef, string invoiceId, long amountMinor, string currency, string idempotencyKey, CancellationToken ct)
    {
        try
        {
            var intent = await new PaymentIntentService(_client).CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = amountMinor,
                Currency = currency.ToLowerInvariant(),
                Customer = customerRef,
                PaymentMethod = methodRef,
                OffSession = true,
                Confirm = true,
                Metadata = new Dictionary<string, string> { ["invoice_id"] = invoiceId },
            }, Key(idempotencyKey), ct);
            return Map(intent);
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error")
        {
            // A decline is an answer, not an error: Stripe returns 402 with the failed PaymentIntent (if it created one).
            var code = e.StripeError.DeclineCode ?? e.StripeError.Code ?? "card_declined";
            var reference = e.StripeError.PaymentIntent?.Id ?? "pi_declined_" + idempotencyKey;
            return new ProviderChargeResult(reference, ProviderPaymentStatus.Failed, amountMinor, currency.ToUpperInvariant(), code, HardDeclineCodes.Contains(code) || HardDeclineCodes.Contains(e.StripeError.Code ?? ""),
                invoiceId, customerRef);
        }
    }

    /// <inheritdoc/>
    public async Task<string> RefundAsync(string paymentRef, long amountMinor, string currency, string idempotencyKey, CancellationToken ct)
    {
        var intentId = paymentRef;
        if (paymentRef.StartsWith("cs_", StringComparison.Ordinal))
        {
            var session = await new SessionService(_client).GetAsync(paymentRef, cancellationToken: ct);
            intentId = session.PaymentIntentId ?? throw new DomainConflictException($"Checkout {paymentRef} has no payment to refund.", "no_payment", []);
        }

        var refund = await new RefundService(_client).CreateAsync(new RefundCreateOptions { PaymentIntent = intentId, Amount = amountMinor }, Key(idempotencyKey), ct);
        return refund.Id;
    }

    /// <inheritdoc/>
    public Task<ProviderWebhook> VerifyWebhookAsync(string rawBody, IReadOnlyDictionary<string, string> headers, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(_webhookSecret))
        {
            throw new WebhookSignatureException("No Stripe webhook secret is configured for this account: webhooks are refused.");
        }

        var header = headers.FirstOrDefault(h => string.Equals(h.Key, SignatureHeader, StringComparison.OrdinalIgnoreCase)).Value;
        if (string.IsNullOrEmpty(header))
        {
            throw new WebhookSignatureException($"The {SignatureHeader} header is missing.");
        }

        try
        {
            EventUtility.ValidateSignature(rawBody, header, _webhookSecret, ToleranceSeconds, _clock.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException e)
        {
            throw new WebhookSignatureException("The Stripe signature does not verify: " + e.Message);
        }

        try
        {
            // Read only what decides which object to fetch again: the event's id, type and its object's id.
            var body = JsonNode.Parse(rawBody);
            var id = body?["id"]?.GetValue<string>();
            var type = body?["type"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type))
            {
                throw new WebhookSignatureException("The Stripe event has no id or type.");
            }

            return Task.FromResult(new ProviderWebhook(id, type, body?["data"]?["object"]?["id"]?.GetValue<string>()));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new WebhookSignatureException("The Stripe event is not JSON.");
        }
    }

    /// <inheritdoc/>
    public async Task<ProviderChargeResult> FetchPaymentAsync(string providerRef, CancellationToken ct)
    {
        try
        {
            if (providerRef.StartsWith("cs_", StringComparison.Ordinal))
            {
                var session = await new SessionService(_client).GetAsync(providerRef, cancellationToken: ct);
                var status = session.PaymentStatus switch
                {
                    "paid" or "no_payment_required" => ProviderPaymentStatus.Succeeded,
                    _ when session.Status == "expired" => ProviderPaymentStatus.Failed,
                    _ => ProviderPaymentStatus.Pending,
                };
                return new ProviderChargeResult(session.Id, status, session.AmountTotal ?? 0, (session.Currency ?? "").ToUpperInvariant(),
                    status == ProviderPaymentStatus.Failed ? "expired" : null, InvoiceId: session.Metadata?.GetValueOrDefault("invoice_id"), CustomerRef: session.CustomerId);
            }

            return Map(await new PaymentIntentService(_client).GetAsync(providerRef, cancellationToken: ct));
        }
        catch (StripeException e) when (e.StripeError?.Code == "resource_missing" || e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new NotFoundException("stripe payment", providerRef);
        }
    }

    /// <inheritdoc/>
    public async Task<ProviderMethodSetup?> FetchMethodSetupAsync(string objectRef, CancellationToken ct)
    {
        if (!objectRef.StartsWith("cs_", StringComparison.Ordinal))
        {
            return null;
        }

        Session session;
        try
        {
            session = await new SessionService(_client).GetAsync(objectRef, new SessionGetOptions { Expand = ["setup_intent.payment_method"] }, cancellationToken: ct);
        }
        catch (StripeException e) when (e.StripeError?.Code == "resource_missing" || e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        if (session.Mode != "setup" || session.Status != "complete" || session.SetupIntent?.PaymentMethod is not { } method || session.CustomerId is null)
        {
            return null;
        }

        var label = method.Card is { } card
            ? string.Create(CultureInfo.InvariantCulture, $"{card.Brand} •••• {card.Last4} ({card.ExpMonth:00}/{card.ExpYear})")
            : method.SepaDebit is { } sepa ? "SEPA Direct Debit •••• " + sepa.Last4 : method.Type;
        return new ProviderMethodSetup(session.CustomerId, method.Id, label);
    }

    private static ProviderChargeResult Map(PaymentIntent intent)
    {
        var status = intent.Status switch
        {
            "succeeded" => ProviderPaymentStatus.Succeeded,
            "requires_payment_method" or "canceled" => ProviderPaymentStatus.Failed,
            _ => ProviderPaymentStatus.Pending, // processing, requires_action, requires_confirmation, requires_capture: not paid in our books yet
        };
        var code = status == ProviderPaymentStatus.Failed ? intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? intent.Status : null;
        var amount = status == ProviderPaymentStatus.Succeeded && intent.AmountReceived > 0 ? intent.AmountReceived : intent.Amount;
        return new ProviderChargeResult(intent.Id, status, amount, (intent.Currency ?? "").ToUpperInvariant(), code, code is not null && HardDeclineCodes.Contains(code),
            intent.Metadata?.GetValueOrDefault("invoice_id"), intent.CustomerId);
    }
}
