using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Dashboard;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>A country of the ISO 3166-1 list: alpha-2 code, English short name, EU member state, and the prefix its VAT ids start with (Greece: EL).</summary>
public sealed record CountryDto(string Code, string Name, bool Eu, string VatPrefix);

/// <summary>POST /api/v1/subscriptions/quote body: plan_id or pack_id, and tenant_id for an operator or partner.</summary>
public sealed record QuoteRequest(string? PlanId, string? PackId, string? TenantId);

/// <summary>POST /api/v1/tenants/{tenantId}/billing-profile/vat-preview body: the proposed country and VAT id.</summary>
public sealed record VatPreviewRequest(string? Country, string? VatId);

/// <summary>
/// Issue 9's read models: the operator dashboard, the tenant overview, the subscribe quote, the VAT preview of a
/// billing-profile change, the ISO 3166 country list and the billing-run history. All read only; errors are
/// problem+json (422 with the field, 403, 404).
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Maps the endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapDashboardApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/dashboard", GetDashboard).WithTags("Admin").WithName("GetDashboard")
            .WithSummary("Operator dashboard (a partner admin: its own partner): MRR/ARR per currency, states, new and churned, revenue per month and by VAT treatment, trials ending, billing runs, webhook health")
            .RequireAuthorization(Permissions.TenantsRead);
        api.MapGet("/admin/billing-runs", ListBillingRuns).WithTags("Admin").WithName("ListBillingRuns")
            .WithSummary("Billing runs, newest first (cursor paging): counts, errors, start and end").RequireAuthorization(Permissions.BillingRun)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/overview", GetOverview).WithTags("Overview").WithName("GetOverview")
            .WithSummary("Tenant overview: live services, next renewals, open and recent invoices, trials (operator/partner: ?tenant_id=)")
            .RequireAuthorization(Permissions.SubscriptionsRead).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/subscriptions/quote", GetQuote).WithTags("Subscriptions").WithName("GetSubscribeQuote")
            .WithSummary("What subscribing to a plan or pack costs this buyer (VAT, first invoice) and whether it already has the service; writes nothing")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapPost("/subscriptions/quote", PostQuote).WithTags("Subscriptions").WithName("PostSubscribeQuote")
            .WithSummary("The subscribe quote with a JSON body; writes nothing").RequireAuthorization(Permissions.SubscriptionsWrite)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapPost("/tenants/{tenantId}/billing-profile/vat-preview", PreviewVat).WithTags("Billing profiles").WithName("PreviewBillingProfileVat")
            .WithSummary("Whether a proposed country / VAT id changes the VAT of the next invoice (validated as on save); writes nothing")
            .RequireAuthorization(Permissions.BillingProfileWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/countries", ListCountries).WithTags("Billing profiles").WithName("ListCountries")
            .WithSummary("The ISO 3166-1 countries with their English names, EU membership and VAT prefix, by name");
    }

    /// <summary>GET /api/v1/admin/dashboard.</summary>
    public static async Task<Ok<OperatorDashboard>> GetDashboard(HttpContext http, OperatorDashboardService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetAsync(http.User.ToActor(), ct));

    /// <summary>GET /api/v1/admin/billing-runs?cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<BillingRunDto>>> ListBillingRuns(HttpContext http, BillingRunService service, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await service.ListAsync(http.User.ToActor(), cursor, limit ?? 50, ct);
        return TypedResults.Ok(new ListResponse<BillingRunDto>(page.Items.Select(BillingRunDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/overview?tenant_id=.</summary>
    public static async Task<Ok<TenantOverview>> GetOverview(HttpContext http, TenantOverviewService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetAsync(http.User.ToActor(), http.Request.Query["tenant_id"].FirstOrDefault(), ct));

    /// <summary>GET /api/v1/subscriptions/quote?plan_id=|pack_id=&amp;tenant_id=.</summary>
    public static async Task<Ok<SubscribeQuote>> GetQuote(HttpContext http, SubscribeQuoteService service, CancellationToken ct)
    {
        var q = http.Request.Query;
        return TypedResults.Ok(await service.QuoteAsync(http.User.ToActor(), q["plan_id"].FirstOrDefault(), q["pack_id"].FirstOrDefault(), q["tenant_id"].FirstOrDefault(), ct));
    }

    /// <summary>POST /api/v1/subscriptions/quote.</summary>
    public static async Task<Ok<SubscribeQuote>> PostQuote(QuoteRequest? body, HttpContext http, SubscribeQuoteService service, CancellationToken ct) =>
        TypedResults.Ok(await service.QuoteAsync(http.User.ToActor(), body?.PlanId, body?.PackId, body?.TenantId, ct));

    /// <summary>POST /api/v1/tenants/{tenantId}/billing-profile/vat-preview.</summary>
    public static async Task<Ok<VatTreatmentPreview>> PreviewVat(string tenantId, VatPreviewRequest? body, HttpContext http, BillingProfileService service, CancellationToken ct) =>
        TypedResults.Ok(await service.PreviewVatChangeAsync(http.User.ToActor(), tenantId, body?.Country, body?.VatId, ct));

    /// <summary>GET /api/v1/countries.</summary>
    public static Ok<ListResponse<CountryDto>> ListCountries() =>
        TypedResults.Ok(new ListResponse<CountryDto>(CountryList.Value, null));

    private static readonly Lazy<CountryDto[]> CountryList = new(() => Countries.Codes
        .Select(c => new CountryDto(c, Countries.NameOf(c), Countries.IsEu(c), Countries.VatPrefixOf(c)))
        .OrderBy(c => c.Name, StringComparer.Create(System.Globalization.CultureInfo.InvariantCulture, System.Globalization.CompareOptions.IgnoreCase)).ToArray());
}
