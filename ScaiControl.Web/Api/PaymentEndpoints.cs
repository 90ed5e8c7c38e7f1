using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Payments;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>One row of an invoice's payment history: a payment, refund, credit allocation, write-off or failed attempt.</summary>
/// <param name="Id">pay_….</param>
/// <param name="Kind">payment | refund | credit_allocation | write_off | failed_attempt.</param>
/// <param name="Provider">bank_transfer, test, stripe, mollie, coinbase; credit_note / write_off for book entries.</param>
/// <param name="Reference">Bank reference, provider payment id, credit note number or write-off reason.</param>
/// <param name="Amount">Minor units (positive).</param>
/// <param name="Currency">ISO 4217.</param>
/// <param name="OccurredAt">When the money moved (RFC 3339 UTC).</param>
/// <param name="RecordedAt">When it was booked.</param>
/// <param name="RecordedBy">Who booked it.</param>
/// <param name="FailureCode">A failed attempt's decline code.</param>
public sealed record PaymentTransactionDto(string Id, string Kind, string Provider, string Reference, long Amount, string Currency, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string RecordedBy, string? FailureCode)
{
    /// <summary>From the ledger row.</summary>
    public static PaymentTransactionDto From(PaymentTransaction t) =>
        new(t.Id, t.Kind.WireName(), t.Provider, t.Reference, t.AmountMinor, t.Currency, t.OccurredAt, t.RecordedAt, t.RecordedBy, t.FailureCode);
}

/// <summary>An invoice's payment state: status, amounts in minor units of currency (BT-5), due date (BT-9) and history.</summary>
public sealed record InvoicePaymentDto(
    string InvoiceId, string Status, string Currency, long Total, long AmountCredited, long AmountPaid, long AmountWrittenOff, long AmountDue, long AmountRefundable,
    DateOnly IssueDate, DateOnly DueDate, int PaymentTermsDays, DateTimeOffset? PaidAt, DateTimeOffset? OverdueAt, DateTimeOffset? WrittenOffAt, IReadOnlyList<PaymentTransactionDto>? History)
{
    /// <summary>From the account, with or without the history.</summary>
    public static InvoicePaymentDto From(InvoiceAccount a, IReadOnlyList<PaymentTransaction>? history) => new(
        a.InvoiceId, a.Status.WireName(), a.Currency, a.GrossMinor, a.CreditedMinor, a.PaidMinor, a.WrittenOffMinor, a.AmountDueMinor, a.RefundableMinor,
        a.IssueDate, a.DueDate, a.PaymentTermsDays, a.PaidAt, a.OverdueAt, a.WrittenOffAt, history?.Select(PaymentTransactionDto.From).ToArray());
}

/// <summary>POST /api/v1/admin/invoices/{id}/payments and /refunds body; amount in minor units.</summary>
public sealed record RecordPaymentRequest(long? Amount, string? Currency, string? Reference, string? Method, DateTimeOffset? ReceivedAt, DateTimeOffset? RefundedAt);

/// <summary>One entry of the dunning queue: the case, its next step and when it is due (null: nothing left), and whether the tenant's dunning is paused.</summary>
public sealed record DunningQueueEntryDto(string Id, string SubscriptionId, string InvoiceId, string TenantId, string PartnerId, DateTimeOffset StartedAt, int Attempts,
    bool HardDeclined, string? LastDeclineCode, DateTimeOffset? SuspendedAt, string? NextStep, DateTimeOffset? NextStepAt, bool Paused);

/// <summary>One step of an invoice's dunning history.</summary>
public sealed record DunningStepDto(string Id, string DunningId, string SubscriptionId, string Step, string? Detail, DateTimeOffset At);

/// <summary>PUT /api/v1/admin/partners/{id}/payment-provider body.</summary>
public sealed record PaymentProviderRequest(string? Provider, string? CredentialsVaultPath);

/// <summary>PUT /api/v1/admin/tenants/{id}/test-payment-outcome body: test_succeed | test_decline_soft | test_decline_hard.</summary>
public sealed record TestOutcomeRequest(string? Outcome);

/// <summary>PUT /api/v1/admin/tenants/{id}/dunning body.</summary>
public sealed record DunningPauseRequest(bool? Paused);

/// <summary>POST /api/v1/admin/invoices/{id}/write-off body.</summary>
public sealed record WriteOffRequest(string? Reason);

/// <summary>
/// Invoice payments (issue 16): GET /api/v1/invoices/{id}/payments (the payment state and history; a tenant reads its
/// own), and the operator's bookings under /api/v1/admin/invoices/{id}: payments (bank transfer), refunds and
/// write-offs, each honouring Idempotency-Key like the other money POSTs. Bad input is a 422 naming the field; an
/// overpayment, a duplicate reference or nothing due is a 409; a tenant user gets 403; another partner's invoice 404.
/// </summary>
public static class PaymentEndpoints
{
    /// <summary>Maps the payment endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapPaymentApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/invoices").WithTags("Payments").MapGet("/{id}/payments", Get).WithName("GetInvoicePayments")
            .WithSummary("An invoice's payment state (status, amount due, due date) and every payment, refund, credit allocation and write-off")
            .RequireAuthorization(Permissions.InvoicesRead).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var admin = api.MapGroup("/admin/invoices").WithTags("Payments").RequireAuthorization(Permissions.InvoicesWrite);
        admin.MapPost("/{id}/payments", RecordPayment).WithIdempotency().WithName("RecordInvoicePayment")
            .WithSummary("Record a received bank transfer {amount, currency, reference, method: \"bank_transfer\", received_at}")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/{id}/refunds", RecordRefund).WithIdempotency().WithName("RecordInvoiceRefund")
            .WithSummary("Record a refund paid back {amount, currency, reference, method: \"bank_transfer\", refunded_at}")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/{id}/write-off", WriteOff).WithIdempotency().WithName("WriteOffInvoice")
            .WithSummary("Write off what is still due {reason}: the invoice becomes uncollectible")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapDunningApi();
        api.MapPost("/payments/webhooks/{provider}", Webhook).WithTags("Payments").AllowAnonymous().WithName("PaymentProviderWebhook")
            .WithSummary("A payment provider's webhook: signature over the raw body, each event once, the payment re-fetched from the provider")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>POST /api/v1/payments/webhooks/{provider}: 200 {event_id, outcome, invoice_id, duplicate}; 400 for a bad signature (nothing changes).</summary>
    public static async Task<Results<Ok<WebhookOutcome>, ProblemHttpResult>> Webhook(string provider, HttpContext http, PaymentWebhookService service, CancellationToken ct)
    {
        using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(ct);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        try
        {
            return TypedResults.Ok(await service.HandleAsync(provider, raw, headers, ct));
        }
        catch (WebhookSignatureException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Webhook signature not verified");
        }
    }

    /// <summary>Maps the collection and dunning admin endpoints under <paramref name="api"/>.</summary>
    public static void MapDunningApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/invoices").WithTags("Payments").MapGet("/{id}/dunning", DunningHistory).WithName("GetInvoiceDunning")
            .WithSummary("An invoice's dunning history (every step of every subscription's case)").RequireAuthorization(Permissions.InvoicesRead).ProducesProblem(StatusCodes.Status404NotFound);
        var admin = api.MapGroup("/admin").WithTags("Payments").RequireAuthorization(Permissions.InvoicesWrite);
        admin.MapGet("/dunning", DunningQueue).WithName("GetDunningQueue").WithSummary("The dunning queue: active cases with their next step and when it is due");
        admin.MapPut("/partners/{id}/payment-provider", SetProvider).WithName("SetPaymentProvider")
            .WithSummary("The provider a partner's tenants pay through (bank_transfer, test, stripe, mollie, coinbase) and its credentials' vault path")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPut("/tenants/{id}/test-payment-outcome", SetTestOutcome).WithName("SetTestPaymentOutcome")
            .WithSummary("The test provider's outcome for a tenant's charges: test_succeed, test_decline_soft, test_decline_hard")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPut("/tenants/{id}/dunning", PauseDunning).WithName("PauseDunning").WithSummary("Pause or resume dunning for a tenant {paused}")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>GET /api/v1/admin/dunning.</summary>
    public static async Task<Ok<ListResponse<DunningQueueEntryDto>>> DunningQueue(HttpContext http, PaymentCollectionService service, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<DunningQueueEntryDto>((await service.QueueAsync(http.User.ToActor(), ct)).Select(x => new DunningQueueEntryDto(
            x.Case.Id, x.Case.SubscriptionId, x.Case.InvoiceId, x.Case.TenantId, x.Case.PartnerId, x.Case.StartedAt, x.Case.Attempts, x.Case.HardDeclined, x.Case.LastDeclineCode,
            x.Case.SuspendedAt, x.Next?.Step, x.Next?.At, x.Paused)).ToArray(), null));

    /// <summary>GET /api/v1/invoices/{id}/dunning.</summary>
    public static async Task<Ok<ListResponse<DunningStepDto>>> DunningHistory(string id, HttpContext http, PaymentCollectionService service, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<DunningStepDto>((await service.HistoryAsync(http.User.ToActor(), id, ct))
            .Select(s => new DunningStepDto(s.Id, s.CaseId, s.SubscriptionId, s.Step, s.Detail, s.At)).ToArray(), null));

    /// <summary>PUT /api/v1/admin/partners/{id}/payment-provider.</summary>
    public static async Task<Ok<PaymentProviderRequest>> SetProvider(string id, PaymentProviderRequest? body, HttpContext http, PaymentCollectionService service, TimeProvider clock, CancellationToken ct)
    {
        var s = await service.SetPartnerProviderAsync(http.User.ToActor(), id, body?.Provider, body?.CredentialsVaultPath, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new PaymentProviderRequest(s.Provider, s.CredentialsVaultPath));
    }

    /// <summary>PUT /api/v1/admin/tenants/{id}/test-payment-outcome.</summary>
    public static async Task<Ok<TestOutcomeRequest>> SetTestOutcome(string id, TestOutcomeRequest? body, HttpContext http, PaymentCollectionService service, TimeProvider clock, CancellationToken ct)
    {
        var c = await service.SetTestOutcomeAsync(http.User.ToActor(), id, body?.Outcome, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new TestOutcomeRequest(c.PaymentMethodRef));
    }

    /// <summary>PUT /api/v1/admin/tenants/{id}/dunning.</summary>
    public static async Task<Ok<DunningPauseRequest>> PauseDunning(string id, DunningPauseRequest? body, HttpContext http, PaymentCollectionService service, TimeProvider clock, CancellationToken ct)
    {
        var paused = body?.Paused ?? throw new Domain.Common.DomainValidationException("paused", "paused (true or false) is required.");
        var s = await service.SetDunningPausedAsync(http.User.ToActor(), id, paused, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new DunningPauseRequest(s.DunningPaused));
    }

    /// <summary>GET /api/v1/invoices/{id}/payments: 409 for a draft or credit note (they have no payment state).</summary>
    public static async Task<Ok<InvoicePaymentDto>> Get(string id, HttpContext http, PaymentService service, CancellationToken ct)
    {
        var view = await service.GetAsync(http.User.ToActor(), id, ct)
            ?? throw new Domain.Common.DomainConflictException($"Invoice {id} has no payment state (a draft, a credit note, or finalised before payment states existed).");
        return TypedResults.Ok(InvoicePaymentDto.From(view.Account, view.History));
    }

    /// <summary>POST /api/v1/admin/invoices/{id}/payments: 201 with the payment state and history.</summary>
    public static async Task<Created<InvoicePaymentDto>> RecordPayment(string id, RecordPaymentRequest? body, HttpContext http, PaymentService service, CancellationToken ct)
    {
        var view = await service.RecordPaymentAsync(http.User.ToActor(), id, body?.Amount, body?.Currency, body?.Method, body?.Reference, body?.ReceivedAt, ct);
        return TypedResults.Created($"/api/v1/invoices/{id}/payments", InvoicePaymentDto.From(view.Account, view.History));
    }

    /// <summary>POST /api/v1/admin/invoices/{id}/refunds: 201 with the payment state and history.</summary>
    public static async Task<Created<InvoicePaymentDto>> RecordRefund(string id, RecordPaymentRequest? body, HttpContext http, PaymentService service, CancellationToken ct)
    {
        var view = await service.RecordRefundAsync(http.User.ToActor(), id, body?.Amount, body?.Currency, body?.Method, body?.Reference, body?.RefundedAt, ct);
        return TypedResults.Created($"/api/v1/invoices/{id}/payments", InvoicePaymentDto.From(view.Account, view.History));
    }

    /// <summary>POST /api/v1/admin/invoices/{id}/write-off: 200 with the payment state and history.</summary>
    public static async Task<Ok<InvoicePaymentDto>> WriteOff(string id, WriteOffRequest? body, HttpContext http, PaymentService service, CancellationToken ct)
    {
        var view = await service.WriteOffAsync(http.User.ToActor(), id, body?.Reason, ct);
        return TypedResults.Ok(InvoicePaymentDto.From(view.Account, view.History));
    }
}
