using Microsoft.AspNetCore.Http.HttpResults;
using Quartz;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Jobs;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// The /api/v1 minimal API: one group per feature, named static handlers returning TypedResults, a named
/// "scope:action" policy on each, and problem+json for every error (see <see cref="ProblemExceptionHandler"/>).
/// </summary>
public static class Endpoints
{
    private const int DefaultLimit = 50;

    /// <summary>Maps every /api/v1 endpoint.</summary>
    public static void MapScaiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        var catalog = api.MapGroup("/catalog").WithTags("Catalog");
        catalog.MapGet("/services", ListServices).WithName("ListServices").WithSummary("List the catalog's services").RequireAuthorization(Permissions.CatalogRead);
        catalog.MapGet("/services/{slug}/plans", ListPlans).WithName("ListPlans").WithSummary("List the plans of a service").RequireAuthorization(Permissions.CatalogRead)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var subscriptions = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        subscriptions.MapGet("/", ListSubscriptions).WithName("ListSubscriptions").WithSummary("List subscriptions (cursor paging, optional status filter)")
            .RequireAuthorization(Permissions.SubscriptionsRead).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subscriptions.MapPost("/", CreateSubscription).WithIdempotency().WithName("CreateSubscription").WithSummary("Subscribe a tenant to a plan")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subscriptions.MapGet("/{id}", GetSubscription).WithName("GetSubscription").WithSummary("Read a subscription")
            .RequireAuthorization(Permissions.SubscriptionsRead).ProducesProblem(StatusCodes.Status404NotFound);
        subscriptions.MapPost("/{id}/cancel", CancelSubscription).WithName("CancelSubscription").WithSummary("Cancel now, or at the end of the period")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        subscriptions.MapPost("/{id}/resume", ResumeSubscription).WithName("ResumeSubscription").WithSummary("Withdraw a scheduled cancellation")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        subscriptions.MapGet("/{id}/history", SubscriptionHistory).WithName("SubscriptionHistory").WithSummary("Every status change with from, to, actor, occurred_at")
            .RequireAuthorization(Permissions.SubscriptionsRead).ProducesProblem(StatusCodes.Status404NotFound);

        var invoices = api.MapGroup("/invoices").WithTags("Invoices");
        invoices.MapGet("/", ListInvoices).WithName("ListInvoices").WithSummary("List invoices (cursor paging, optional status filter)")
            .RequireAuthorization(Permissions.InvoicesRead).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        invoices.MapGet("/{id}", GetInvoice).WithName("GetInvoice").WithSummary("Read an invoice with its lines, VAT breakdown and notes")
            .RequireAuthorization(Permissions.InvoicesRead).ProducesProblem(StatusCodes.Status404NotFound);
        invoices.MapGet("/{id}/pdf", GetInvoicePdf).WithName("GetInvoicePdf").WithSummary("Download the invoice PDF")
            .RequireAuthorization(Permissions.InvoicesRead).Produces(StatusCodes.Status200OK, contentType: "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        invoices.MapPost("/{id}/finalize", FinalizeInvoice).WithIdempotency().WithName("FinalizeInvoice").WithSummary("Finalise a draft: VAT, snapshots, gap-free number")
            .RequireAuthorization(Permissions.InvoicesWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        invoices.MapGet("/{id}/einvoice", GetEInvoice).WithName("GetEInvoice")
            .WithSummary("Download the e-invoice: format=ubl | xrechnung-ubl | xrechnung-cii | cii | facturx (Factur-X/ZUGFeRD PDF/A-3 with the CII embedded; default: the buyer's preferred format)")
            .RequireAuthorization(Permissions.InvoicesRead).Produces<byte[]>(StatusCodes.Status200OK, "application/xml", "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        invoices.MapPost("/{id}/credit-notes", CreateCreditNote).WithIdempotency().WithName("CreateCreditNote").WithSummary("Draft a credit note (BT-25 = the invoice); no lines = full credit")
            .RequireAuthorization(Permissions.InvoicesWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var tenants = api.MapGroup("/tenants").WithTags("Billing profiles");
        tenants.MapGet("/{tenantId}/billing-profile", GetBillingProfile).WithName("GetBillingProfile").WithSummary("Read a tenant's billing profile (buyer)")
            .RequireAuthorization(Permissions.BillingProfileRead).ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPut("/{tenantId}/billing-profile", PutBillingProfile).WithName("PutBillingProfile").WithSummary("Create or update a tenant's billing profile")
            .RequireAuthorization(Permissions.BillingProfileWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var admin = api.MapGroup("/admin").WithTags("Admin");
        admin.MapPost("/billing-runs", StartBillingRun).WithIdempotency().WithName("StartBillingRun").WithSummary("Start the billing run of a month (\"YYYY-MM\")")
            .RequireAuthorization(Permissions.BillingRun).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/subscriptions/{id}/suspend", SuspendSubscription).WithName("SuspendSubscription").WithSummary("Operator: suspend a subscription")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/subscriptions/{id}/unsuspend", UnsuspendSubscription).WithName("UnsuspendSubscription").WithSummary("Operator: lift a suspension")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/billing-runs/{id}", GetBillingRun).WithName("GetBillingRun").WithSummary("Read a billing run and its progress")
            .RequireAuthorization(Permissions.BillingRun).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapTemplateApi();
        api.MapLifecycleApi();
        api.MapPackApi();
        api.MapWebhookApi();
        api.MapApiKeyApi();
        api.MapRegistryApi();
        api.MapDashboardApi();
        api.MapUsageApi();
        api.MapPaymentApi();
        api.MapAdminApi();
    }

    /// <summary>GET /api/v1/catalog/services.</summary>
    public static async Task<Ok<ListResponse<ServiceDto>>> ListServices(HttpContext http, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<ServiceDto>((await catalog.ServicesAsync(http.User.ToActor(), ct)).Select(ServiceDto.From).ToArray(), null));

    /// <summary>GET /api/v1/catalog/services/{slug}/plans.</summary>
    public static async Task<Ok<ListResponse<PlanDto>>> ListPlans(string slug, HttpContext http, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<PlanDto>((await catalog.PlansAsync(http.User.ToActor(), slug, ct)).Select(PlanDto.From).ToArray(), null));

    /// <summary>GET /api/v1/subscriptions?status=&amp;cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<SubscriptionDto>>> ListSubscriptions(HttpContext http, SubscriptionService service, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        SubscriptionStatus? parsed = status is null ? null
            : SubscriptionStateMachine.ParseStatus(status) ?? throw new DomainValidationException("status", $"'{status}' is not a subscription status.");
        var page = await service.ListAsync(http.User.ToActor(), parsed, cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<SubscriptionDto>(page.Items.Select(SubscriptionDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>POST /api/v1/subscriptions.</summary>
    public static async Task<Created<SubscriptionDto>> CreateSubscription(CreateSubscriptionRequest? body, HttpContext http, SubscriptionService service, CancellationToken ct)
    {
        if (body is null)
        {
            throw new DomainValidationException("plan_id", "A JSON body with plan_id is required.");
        }

        var view = await service.SubscribeAsync(http.User.ToActor(), body.PlanId, body.TenantId, ct);
        return TypedResults.Created($"/api/v1/subscriptions/{view.Subscription.Id}", SubscriptionDto.From(view));
    }

    /// <summary>GET /api/v1/subscriptions/{id}.</summary>
    public static async Task<Ok<SubscriptionDto>> GetSubscription(string id, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionDto.From(await service.GetAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/subscriptions/{id}/cancel.</summary>
    public static async Task<Ok<SubscriptionDto>> CancelSubscription(string id, CancelSubscriptionRequest? body, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionDto.From(await service.CancelAsync(http.User.ToActor(), id, body?.AtPeriodEnd ?? false, body?.Reason, ct)));

    /// <summary>POST /api/v1/subscriptions/{id}/resume.</summary>
    public static async Task<Ok<SubscriptionDto>> ResumeSubscription(string id, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionDto.From(await service.ResumeAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/admin/subscriptions/{id}/suspend {"reason"}.</summary>
    public static async Task<Ok<SubscriptionDto>> SuspendSubscription(string id, CancelSubscriptionRequest? body, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionDto.From(await service.SuspendAsync(http.User.ToActor(), id, body?.Reason, ct)));

    /// <summary>POST /api/v1/admin/subscriptions/{id}/unsuspend.</summary>
    public static async Task<Ok<SubscriptionDto>> UnsuspendSubscription(string id, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionDto.From(await service.UnsuspendAsync(http.User.ToActor(), id, ct)));

    /// <summary>GET /api/v1/subscriptions/{id}/history.</summary>
    public static async Task<Ok<ListResponse<SubscriptionHistoryEntry>>> SubscriptionHistory(string id, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<SubscriptionHistoryEntry>(await service.HistoryAsync(http.User.ToActor(), id, ct), null));

    /// <summary>GET /api/v1/invoices?status=&amp;tenant_id=&amp;cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<InvoiceDto>>> ListInvoices(HttpContext http, InvoiceService service, Infrastructure.Payments.PaymentService payments, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        InvoiceStatus? parsed = status switch
        {
            null => null,
            "draft" => InvoiceStatus.Draft,
            "finalised" => InvoiceStatus.Finalised,
            _ => throw new DomainValidationException("status", "status must be 'draft' or 'finalised'."),
        };
        var tenantId = http.Request.Query["tenant_id"].FirstOrDefault();
        var page = await service.ListAsync(http.User.ToActor(), tenantId, parsed, cursor, limit ?? DefaultLimit, ct);
        var accounts = await payments.GetManyAsync(http.User.ToActor(), page.Items.Select(i => i.Id).ToArray(), ct);
        return TypedResults.Ok(new ListResponse<InvoiceDto>(page.Items.Select(i => InvoiceDto.From(i) with
        {
            Payment = accounts.TryGetValue(i.Id, out var a) ? InvoicePaymentDto.From(a, null) : null,
        }).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/invoices/{id}.</summary>
    public static async Task<Ok<InvoiceDto>> GetInvoice(string id, HttpContext http, InvoiceService service, CancellationToken ct)
    {
        var (invoice, document, payment) = await service.GetDetailAsync(http.User.ToActor(), id, ct);
        return TypedResults.Ok(InvoiceDto.From(invoice, document) with
        {
            Payment = payment is null ? null : InvoicePaymentDto.From(payment.Account, payment.History),
        });
    }

    /// <summary>GET /api/v1/invoices/{id}/pdf: the PDF, or 503 with the reason (and Retry-After) when it is not rendered yet.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetInvoicePdf(string id, HttpContext http, InvoiceService service, CancellationToken ct)
    {
        var pdf = await service.GetPdfAsync(http.User.ToActor(), id, ct);
        if (pdf.Content is not null)
        {
            return TypedResults.File(pdf.Content, "application/pdf", pdf.FileName);
        }

        http.Response.Headers.RetryAfter = "60";
        return TypedResults.Problem(pdf.NotReadyReason, statusCode: StatusCodes.Status503ServiceUnavailable, title: "PDF not ready yet");
    }

    /// <summary>POST /api/v1/invoices/{id}/finalize.</summary>
    public static async Task<Ok<InvoiceDto>> FinalizeInvoice(string id, HttpContext http, InvoiceService service, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var invoice = await service.FinaliseAsync(actor, id, ct);
        return TypedResults.Ok(InvoiceDto.From(invoice, await service.GetDocumentAsync(actor, id, ct)));
    }

    /// <summary>GET /api/v1/invoices/{id}/einvoice?format=: XML, or for facturx a PDF (503 with the reason while the invoice PDF is not ready or qpdf is missing).</summary>
    public static async Task<FileContentHttpResult> GetEInvoice(string id, string? format, HttpContext http, Infrastructure.Invoicing.EInvoicing.EInvoiceService service, CancellationToken ct)
    {
        var file = await service.ExportAsync(http.User.ToActor(), id, format, ct);
        return TypedResults.File(file.Content, file.ContentType, file.FileName);
    }

    /// <summary>POST /api/v1/invoices/{id}/credit-notes: 201 with the draft credit note.</summary>
    public static async Task<Created<InvoiceDto>> CreateCreditNote(string id, CreditNoteRequest? body, HttpContext http, InvoiceService service, CancellationToken ct)
    {
        var lines = (body?.Lines ?? []).Select((l, i) => new CreditRequest(
            l?.InvoiceLineId ?? throw new DomainValidationException($"lines[{i}].invoice_line_id", "invoice_line_id is required."), l.Quantity, l.Amount)).ToArray();
        var note = await service.CreateCreditNoteAsync(http.User.ToActor(), id, body?.Reason, lines, ct);
        return TypedResults.Created($"/api/v1/invoices/{note.Id}", InvoiceDto.From(note));
    }

    /// <summary>GET /api/v1/tenants/{tenantId}/billing-profile.</summary>
    public static async Task<Ok<BillingProfileDto>> GetBillingProfile(string tenantId, HttpContext http, BillingProfileService service, CancellationToken ct) =>
        TypedResults.Ok(BillingProfileDto.From(await service.GetAsync(http.User.ToActor(), tenantId, ct) ?? throw new NotFoundException("billing_profile", tenantId)));

    /// <summary>PUT /api/v1/tenants/{tenantId}/billing-profile.</summary>
    public static async Task<Ok<BillingProfileDto>> PutBillingProfile(string tenantId, BillingProfileInput? body, HttpContext http, BillingProfileService service, CancellationToken ct)
    {
        if (body is null)
        {
            throw new DomainValidationException("legal_name", "A JSON body is required.");
        }

        return TypedResults.Ok(BillingProfileDto.From(await service.SaveAsync(http.User.ToActor(), tenantId, body, ct)));
    }

    /// <summary>POST /api/v1/admin/billing-runs: queues the run and wakes the worker; 202 with the run to poll.</summary>
    public static async Task<Accepted<BillingRunDto>> StartBillingRun(BillingRunRequest? body, HttpContext http, BillingRunService billing, CancellationToken ct)
    {
        var run = await billing.QueueAsync(http.User.ToActor(), body?.Period, ct);
        if (http.RequestServices.GetService<ISchedulerFactory>() is { } schedulers)
        {
            var scheduler = await schedulers.GetScheduler(ct);
            await scheduler.TriggerJob(BillingRunWorkerJob.Key, ct);
        }

        return TypedResults.Accepted($"/api/v1/admin/billing-runs/{run.Id}", BillingRunDto.From(run));
    }

    /// <summary>GET /api/v1/admin/billing-runs/{id}.</summary>
    public static async Task<Ok<BillingRunDto>> GetBillingRun(string id, HttpContext http, BillingRunService billing, CancellationToken ct) =>
        TypedResults.Ok(BillingRunDto.From(await billing.GetAsync(http.User.ToActor(), id, ct)));
}
