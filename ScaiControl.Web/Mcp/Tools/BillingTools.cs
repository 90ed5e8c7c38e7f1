using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Quartz;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Jobs;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Mcp.Tools;

/// <summary>A tenant as the tools list it: its partner, and whether it has a billing profile (and its country).</summary>
public sealed record TenantDto(string Id, string Name, string PartnerId, string PartnerName, bool HasBillingProfile, string? Country, DateTimeOffset CreatedAt)
{
    /// <summary>From the tenancy service's view.</summary>
    public static TenantDto From(TenantView v) => new(v.Tenant.Id, v.Tenant.Name, v.Tenant.PartnerId, v.PartnerName, v.HasBillingProfile, v.Country, v.Tenant.CreatedAt);
}

/// <summary>What manage_tenants does.</summary>
public enum TenantToolAction
{
    List,
    GetBillingProfile,
    UpdateBillingProfile,
}

/// <summary>What billing_runs does.</summary>
public enum BillingRunToolAction
{
    List,
    Get,
    Start,
}

/// <summary>Tenants and billing profiles, invoices and credit notes, webhooks and billing runs, through the REST API's services.</summary>
[McpServerToolType]
public static class BillingTools
{
    /// <summary>manage_tenants: tenants (tenants:read) and billing profiles (billing_profile:read / :write).</summary>
    [McpServerTool(Name = "manage_tenants", Title = "Tenants and billing profiles", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("action=list (tenants:read; search, cursor, limit), get_billing_profile (tenant_id: the buyer, EN 16931 BG-7), update_billing_profile "
        + "(tenant_id and the whole profile: legal_name, address_line1, address_line2, postal_code, city, country (ISO 3166-1 alpha-2), vat_id, email, "
        + "buyer_reference (BT-10); needs billing_profile:write; the VAT id is checked against VIES).")]
    [McpPermission(Permissions.BillingProfileRead)]
    public static Task<CallToolResult> ManageTenants(
        RequestContext<CallToolRequestParams> context,
        TenancyService tenancy,
        BillingProfileService profiles,
        [Description("What to do.")] TenantToolAction action,
        [Description("get_billing_profile / update_billing_profile: the tenant (tnt_...).")] string? tenant_id = null,
        [Description("list: only tenants whose name contains this.")] string? search = null,
        [Description("list: the next_cursor of the previous page.")] string? cursor = null,
        [Description("list: page size, 1-200 (default 50).")] int limit = 50,
        string? legal_name = null, string? address_line1 = null, string? address_line2 = null, string? postal_code = null, string? city = null,
        [Description("ISO 3166-1 alpha-2, e.g. NL.")] string? country = null,
        string? vat_id = null, string? email = null,
        [Description("BT-10 buyer reference (Leitweg-ID for XRechnung).")] string? buyer_reference = null,
        [Description("ubl | xrechnung-ubl | xrechnung-cii | cii | facturx.")] string? preferred_einvoice_format = null,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            switch (action)
            {
                case TenantToolAction.List:
                    var page = await tenancy.TenantsPageAsync(actor, search, cursor, limit, ct);
                    return new ListResponse<TenantDto>(page.Items.Select(TenantDto.From).ToArray(), page.NextCursor);
                case TenantToolAction.GetBillingProfile:
                    var id = McpToolResults.Required(tenant_id, "tenant_id");
                    return BillingProfileDto.From(await profiles.GetAsync(actor, id, ct) ?? throw new NotFoundException("billing_profile", id));
                default:
                    return BillingProfileDto.From(await profiles.SaveAsync(actor, McpToolResults.Required(tenant_id, "tenant_id"),
                        new BillingProfileInput(legal_name, address_line1, address_line2, postal_code, city, country, vat_id, email, buyer_reference, preferred_einvoice_format), ct));
            }
        });
    }

    /// <summary>list_invoices: invoices and credit notes, newest first.</summary>
    [McpServerTool(Name = "list_invoices", Title = "List invoices", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Invoices and credit notes the caller may see, newest first: status (draft | finalised), tenant_id, cursor, limit. Totals in integer cents.")]
    [McpPermission(Permissions.InvoicesRead)]
    public static Task<CallToolResult> ListInvoices(
        RequestContext<CallToolRequestParams> context,
        InvoiceService service,
        [Description("draft or finalised.")] string? status = null,
        [Description("Only this tenant's (tnt_...).")] string? tenant_id = null,
        [Description("The next_cursor of the previous page.")] string? cursor = null,
        [Description("Page size, 1-200 (default 50).")] int limit = 50,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(async () =>
        {
            var page = await service.ListAsync(actor, tenant_id, ParseStatus(status), cursor, limit, ct);
            return new ListResponse<InvoiceDto>(page.Items.Select(i => InvoiceDto.From(i)).ToArray(), page.NextCursor);
        });
    }

    /// <summary>get_invoice: one invoice with its lines, VAT breakdown, notes and PDF state.</summary>
    [McpServerTool(Name = "get_invoice", Title = "Read an invoice", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("One invoice or credit note (inv_...): number (BT-1), lines (BG-25), VAT breakdown (BG-23), seller (BG-4) and buyer (BG-7), totals in integer cents, PDF state.")]
    [McpPermission(Permissions.InvoicesRead)]
    public static Task<CallToolResult> GetInvoice(RequestContext<CallToolRequestParams> context, InvoiceService service,
        [Description("The invoice (inv_...).")] string invoice_id, CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(async () => InvoiceDto.From(await service.GetAsync(actor, invoice_id, ct), await service.GetDocumentAsync(actor, invoice_id, ct)));
    }

    /// <summary>finalise_invoice: a draft becomes final (VAT, snapshots, gap-free number); dry_run shows the draft and changes nothing.</summary>
    [McpServerTool(Name = "finalise_invoice", Title = "Finalise an invoice", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Finalise a draft invoice or credit note: VAT is fixed, seller and buyer are frozen and the next gap-free number (BT-1) is assigned; it "
        + "can't be changed afterwards. Money-moving: pass request_id and repeat it when retrying. dry_run=true returns the draft as it would be finalised and changes nothing.")]
    [McpPermission(Permissions.InvoicesWrite)]
    [McpMoneyMoving]
    public static Task<CallToolResult> FinaliseInvoice(RequestContext<CallToolRequestParams> context, InvoiceService service,
        [Description("The draft (inv_...).")] string invoice_id,
        [Description("Show the draft without finalising it.")] bool dry_run = false,
        [Description("The client's id of this call; a repeat with the same id returns the first result and finalises nothing.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id;
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            if (dry_run)
            {
                if (!actor.Can(Permissions.InvoicesWrite))
                {
                    throw new UnauthorizedAccessException($"The permission '{Permissions.InvoicesWrite}' is required.");
                }

                var draft = await service.GetAsync(actor, invoice_id, ct);
                if (draft.Status != InvoiceStatus.Draft)
                {
                    throw new DomainConflictException($"Invoice {invoice_id} is already finalised.", "finalised", []);
                }

                return new { dry_run = true, invoice = InvoiceDto.From(draft) };
            }

            var invoice = await service.FinaliseAsync(actor, invoice_id, ct);
            return InvoiceDto.From(invoice, await service.GetDocumentAsync(actor, invoice_id, ct));
        });
    }

    /// <summary>create_credit_note: a draft credit note against a finalised invoice.</summary>
    [McpServerTool(Name = "create_credit_note", Title = "Create a credit note", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Draft a credit note (BT-3 = 381, BT-25 = the invoice) for a finalised invoice: no lines = credit everything still uncredited; else each line "
        + "names invoice_line_id with quantity OR amount (integer cents). Money-moving: pass request_id and repeat it when retrying. Finalise it with finalise_invoice.")]
    [McpPermission(Permissions.InvoicesWrite)]
    [McpMoneyMoving]
    public static Task<CallToolResult> CreateCreditNote(RequestContext<CallToolRequestParams> context, InvoiceService service,
        [Description("The finalised invoice (inv_...).")] string invoice_id,
        [Description("Why (BT-22 note on the credit note).")] string? reason = null,
        [Description("Partial credit: [{invoice_line_id, quantity | amount}].")] IReadOnlyList<CreditLineRequest>? lines = null,
        [Description("The client's id of this call; a repeat with the same id and arguments returns the first credit note and creates nothing.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id;
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(async () =>
        {
            var credits = (lines ?? []).Select((l, i) => new CreditRequest(
                l?.InvoiceLineId ?? throw new DomainValidationException($"lines[{i}].invoice_line_id", "invoice_line_id is required."), l.Quantity, l.Amount)).ToArray();
            return InvoiceDto.From(await service.CreateCreditNoteAsync(actor, invoice_id, reason, credits, ct));
        });
    }

    /// <summary>list_webhooks: webhook subscribers, or one subscriber's deliveries with their attempts.</summary>
    [McpServerTool(Name = "list_webhooks", Title = "List webhooks", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Without subscription_id: the webhook subscribers (url, topics, status). With subscription_id (whs_...): its deliveries, newest first, with each "
        + "attempt (status, duration, error); filter by status (pending | succeeded | failed) and topic.")]
    [McpPermission(Permissions.WebhooksWrite)]
    public static Task<CallToolResult> ListWebhooks(RequestContext<CallToolRequestParams> context, WebhookSubscriptionService service,
        [Description("A subscriber: list its deliveries.")] string? subscription_id = null,
        [Description("Deliveries: pending, succeeded or failed.")] string? status = null,
        [Description("Deliveries: an exact topic or a wildcard such as subscription.*.")] string? topic = null,
        [Description("The next_cursor of the previous page.")] string? cursor = null,
        [Description("Page size, 1-200 (default 50).")] int limit = 50,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            if (subscription_id is null)
            {
                var subs = await service.ListAsync(actor, cursor, limit, ct);
                return new ListResponse<WebhookSubscriptionDto>(subs.Items.Select(WebhookSubscriptionDto.From).ToArray(), subs.NextCursor);
            }

            var page = await service.DeliveriesAsync(actor, subscription_id, status, topic, cursor, limit, ct);
            return new ListResponse<WebhookDeliveryDto>(page.Items.Select(WebhookDeliveryDto.From).ToArray(), page.NextCursor);
        });
    }

    /// <summary>replay_webhooks: one delivery, or a subscriber's deliveries by filter, are sent again.</summary>
    [McpServerTool(Name = "replay_webhooks", Title = "Replay webhook deliveries", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Send deliveries again (same event id and payload, so receivers dedupe): delivery_id (whd_...) for one, or subscription_id with optional since "
        + "(RFC 3339), topic and status (failed | succeeded) for many. Answers how many were queued.")]
    [McpPermission(Permissions.WebhooksWrite)]
    public static Task<CallToolResult> ReplayWebhooks(RequestContext<CallToolRequestParams> context, WebhookSubscriptionService service,
        [Description("One delivery to replay.")] string? delivery_id = null,
        [Description("A subscriber whose deliveries to replay.")] string? subscription_id = null,
        [Description("RFC 3339: deliveries created at or after it.")] string? since = null,
        [Description("An exact topic or a wildcard such as subscription.*.")] string? topic = null,
        [Description("failed or succeeded (default: both).")] string? status = null,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            if (delivery_id is not null)
            {
                return WebhookDeliveryDto.From(new WebhookDeliveryView(await service.ReplayDeliveryAsync(actor, delivery_id, ct), []));
            }

            return new WebhookReplayResultDto(await service.ReplayAsync(actor, McpToolResults.Required(subscription_id, "subscription_id"), since, topic, status, ct));
        });
    }

    /// <summary>billing_runs: list, read, start the billing run of a month.</summary>
    [McpServerTool(Name = "billing_runs", Title = "Billing runs", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("action=list (cursor, limit), get (billing_run_id: progress, invoices created and finalised, errors), start (period YYYY-MM: queues the "
        + "run of that month; a month is billed once. Money-moving: pass request_id and repeat it when retrying).")]
    [McpPermission(Permissions.BillingRun)]
    [McpMoneyMoving]
    public static Task<CallToolResult> BillingRuns(RequestContext<CallToolRequestParams> context, BillingRunService billing,
        [Description("What to do.")] BillingRunToolAction action,
        [Description("get: the run (brn_...).")] string? billing_run_id = null,
        [Description("start: the month, YYYY-MM.")] string? period = null,
        [Description("list: the next_cursor of the previous page.")] string? cursor = null,
        [Description("list: page size, 1-200 (default 50).")] int limit = 50,
        [Description("start: the client's id of this call; a repeat with the same id returns the first run and queues nothing.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id;
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            switch (action)
            {
                case BillingRunToolAction.List:
                    var page = await billing.ListAsync(actor, cursor, limit, ct);
                    return new ListResponse<BillingRunDto>(page.Items.Select(BillingRunDto.From).ToArray(), page.NextCursor);
                case BillingRunToolAction.Get:
                    return BillingRunDto.From(await billing.GetAsync(actor, McpToolResults.Required(billing_run_id, "billing_run_id"), ct));
                default:
                    var run = await billing.QueueAsync(actor, McpToolResults.Required(period, "period"), ct);
                    if (context.Services?.GetService<ISchedulerFactory>() is { } schedulers)
                    {
                        await (await schedulers.GetScheduler(ct)).TriggerJob(BillingRunWorkerJob.Key, ct);
                    }

                    return BillingRunDto.From(run);
            }
        });
    }

    private static InvoiceStatus? ParseStatus(string? status) => status switch
    {
        null => null,
        "draft" => InvoiceStatus.Draft,
        "finalised" => InvoiceStatus.Finalised,
        _ => throw new DomainValidationException("status", "status must be 'draft' or 'finalised'."),
    };
}
