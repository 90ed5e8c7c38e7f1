using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;
using ScaiControl.Web.Mcp.Tools;

namespace ScaiControl.Web.Api;

/// <summary>A partner: the operator itself (is_operator) or a reseller.</summary>
public sealed record PartnerDto(string Id, string Name, bool IsOperator, DateTimeOffset CreatedAt)
{
    public static PartnerDto From(Partner p) => new(p.Id, p.Name, p.IsOperator, p.CreatedAt);
}

/// <summary>POST /api/v1/admin/partners and PATCH /api/v1/admin/partners/{id} body.</summary>
public sealed record PartnerRequest(string? Name);

/// <summary>POST /api/v1/admin/tenants body (partner_id: default the caller's partner) and PATCH /api/v1/admin/tenants/{id} (name only).</summary>
public sealed record TenantRequest(string? PartnerId, string? Name);

/// <summary>
/// A partner's seller configuration (EN 16931 BG-4 seller: BT-27 legal_name, BG-5 address, BT-31 vat_id, BT-30
/// registration_id with its ISO 6523 scheme, BG-6 contact BT-41/42; BT-84 iban, BT-86 bic), the number prefix of its
/// series (PREFIX-YYYY-NNNNNN) and how cross-border B2C supplies are charged (oss_mode: union_scheme | threshold).
/// </summary>
public sealed record SellerDto(string PartnerId, string LegalName, string AddressLine1, string? AddressLine2, string PostalCode, string City, string Country,
    string VatId, string Email, string Iban, string Bic, string InvoicePrefix, string? ContactName, string? ContactPhone, string? RegistrationId,
    string? RegistrationScheme, string OssMode, DateTimeOffset UpdatedAt)
{
    public static SellerDto From(PartnerConfiguration c) => new(c.PartnerId, c.LegalName, c.AddressLine1, c.AddressLine2, c.PostalCode, c.City, c.Country,
        c.VatId, c.Email, c.Iban, c.Bic, c.InvoicePrefix, c.ContactName, c.ContactPhone, c.RegistrationId, c.RegistrationScheme,
        c.OssMode == Domain.Vat.OssMode.Threshold ? "threshold" : "union_scheme", c.UpdatedAt);
}

/// <summary>POST /api/v1/admin/services body, and PATCH /api/v1/admin/services/{slug} (only the fields given; parent_slug "" removes the parent).</summary>
public sealed record ServiceRequest(string? Slug, string? Name, string? Description, string? ParentSlug);

/// <summary>An operator's view of a catalog service: on sale (active) or not.</summary>
public sealed record AdminServiceDto(string Id, string Slug, string Name, string Description, string? ParentSlug, bool Active, DateTimeOffset CreatedAt)
{
    public static AdminServiceDto From(Domain.Catalog.Service s) => new(s.Id, s.Slug, s.Name, s.Description, s.ParentSlug, s.IsActive, s.CreatedAt);
}

/// <summary>An operator's view of a plan with its service's slug.</summary>
public sealed record AdminPlanDto(PlanDto Plan, string ServiceSlug, string ServiceName)
{
    public static AdminPlanDto From(PlanRow r) => new(PlanDto.From(r.Plan), r.Service.Slug, r.Service.Name);
}

/// <summary>
/// The operator surface of the admin UI under /api/v1/admin (issue 17, "the REST API serves both surfaces"):
/// partners and their seller configuration, tenants with their billing profiles, catalog services and plans. Each
/// handler is a thin call into the service the portal page calls (<see cref="TenancyService"/>,
/// <see cref="BillingProfileService"/>, <see cref="CatalogService"/>, <see cref="PlanAdminService"/>); the EF tenant
/// filter scopes a partner admin to its own partner (another partner's id is a 404). Lists are cursor-paged
/// (?cursor=&amp;limit=&amp;q=&amp;sort=key|-key); creates honour Idempotency-Key and answer 201 with Location.
/// </summary>
public static class AdminEndpoints
{
    private const int DefaultLimit = 50;

    /// <summary>Maps the endpoints under /api/v1.</summary>
    public static void MapAdminApi(this RouteGroupBuilder api)
    {
        var partners = api.MapGroup("/admin/partners").WithTags("Admin: partners");
        partners.MapGet("/", ListPartners).WithName("AdminListPartners").WithSummary("List partners (a partner admin: its own), cursor paging, q= name search, sort=name|created")
            .RequireAuthorization(Permissions.TenantsRead).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        partners.MapPost("/", CreatePartner).WithIdempotency().WithName("AdminCreatePartner").WithSummary("Operator: create a reseller partner {name}")
            .RequireAuthorization(Permissions.PartnersWrite).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        partners.MapGet("/{id}", GetPartner).WithName("AdminGetPartner").WithSummary("Read a partner")
            .RequireAuthorization(Permissions.TenantsRead).ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPatch("/{id}", RenamePartner).WithName("AdminEditPartner").WithSummary("Operator: rename a partner {name}")
            .RequireAuthorization(Permissions.PartnersWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        partners.MapGet("/{id}/seller", GetSeller).WithName("AdminGetSeller").WithSummary("Read a partner's seller configuration (BG-4); 404 when it has none yet")
            .RequireAuthorization(Permissions.TenantsRead).ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPut("/{id}/seller", PutSeller).WithName("AdminPutSeller").WithSummary("Create or replace a partner's seller configuration (operator, or the partner's admin)")
            .RequireAuthorization(Permissions.TenantsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var tenants = api.MapGroup("/admin/tenants").WithTags("Admin: tenants");
        tenants.MapGet("/", ListTenants).WithName("AdminListTenants").WithSummary("List tenants (a partner admin: its own partner's), cursor paging, q= name search, sort=name|created")
            .RequireAuthorization(Permissions.TenantsRead).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tenants.MapPost("/", CreateTenant).WithIdempotency().WithName("AdminCreateTenant").WithSummary("Create a tenant {partner_id, name} (a partner admin: of its own partner)")
            .RequireAuthorization(Permissions.TenantsWrite).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tenants.MapGet("/{id}", GetTenant).WithName("AdminGetTenant").WithSummary("Read a tenant with its partner and billing-profile state")
            .RequireAuthorization(Permissions.TenantsRead).ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPatch("/{id}", RenameTenant).WithName("AdminEditTenant").WithSummary("Rename a tenant {name}")
            .RequireAuthorization(Permissions.TenantsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tenants.MapGet("/{id}/billing-profile", (string id, HttpContext http, BillingProfileService service, CancellationToken ct) => Endpoints.GetBillingProfile(id, http, service, ct))
            .WithName("AdminGetBillingProfile").WithSummary("Read a tenant's billing profile (buyer, BG-7)")
            .RequireAuthorization(Permissions.BillingProfileRead).ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPut("/{id}/billing-profile", (string id, BillingProfileInput? body, HttpContext http, BillingProfileService service, CancellationToken ct) => Endpoints.PutBillingProfile(id, body, http, service, ct))
            .WithName("AdminPutBillingProfile").WithSummary("Create or update a tenant's billing profile")
            .RequireAuthorization(Permissions.BillingProfileWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var services = api.MapGroup("/admin/services").WithTags("Admin: catalog");
        services.MapGet("/", ListServices).WithName("AdminListServices").WithSummary("Operator: every catalog service, on sale or not")
            .RequireAuthorization(Permissions.CatalogWrite);
        services.MapPost("/", CreateService).WithIdempotency().WithName("AdminCreateService").WithSummary("Operator: create a service {slug, name, description, parent_slug}")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        services.MapGet("/{slug}", GetService).WithName("AdminGetService").WithSummary("Operator: read a service")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound);
        services.MapPatch("/{slug}", EditService).WithName("AdminEditService").WithSummary("Operator: change a service's name, description or parent")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var plans = api.MapGroup("/admin/plans").WithTags("Admin: catalog");
        plans.MapGet("/", ListPlans).WithName("AdminListPlans").WithSummary("Operator: every plan (retired too) with its service, cursor paging, q= search, sort=code|name|price|created")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        plans.MapGet("/{id}", GetPlan).WithName("AdminGetPlan").WithSummary("Operator: read a plan")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound);
        plans.MapPatch("/{id}", EditPlan).WithName("AdminEditPlan").WithSummary("Operator: change a plan's name, price, interval, trial or term (only the fields given)")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        plans.MapPost("/{id}/retire", RetirePlan).WithName("AdminRetirePlan").WithSummary("Operator: withdraw a plan from sale (its subscriptions continue); ?dry_run=true changes nothing")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Parses sort=key or sort=-key (descending); null when absent.</summary>
    internal static ListSort? Sort(string? sort) => string.IsNullOrWhiteSpace(sort) ? null
        : sort.StartsWith('-') ? new ListSort(sort[1..], true) : new ListSort(sort, false);

    /// <summary>GET /api/v1/admin/partners.</summary>
    public static async Task<Ok<ListResponse<PartnerDto>>> ListPartners(HttpContext http, TenancyService tenancy, string? q, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await tenancy.PartnersPageAsync(http.User.ToActor(), q, Sort(sort), cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<PartnerDto>(page.Items.Select(PartnerDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>POST /api/v1/admin/partners: 201.</summary>
    public static async Task<Created<PartnerDto>> CreatePartner(PartnerRequest? body, HttpContext http, TenancyService tenancy, CancellationToken ct)
    {
        var partner = await tenancy.CreatePartnerAsync(http.User.ToActor(), body?.Name ?? string.Empty, ct);
        return TypedResults.Created($"/api/v1/admin/partners/{partner.Id}", PartnerDto.From(partner));
    }

    /// <summary>GET /api/v1/admin/partners/{id}.</summary>
    public static async Task<Ok<PartnerDto>> GetPartner(string id, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        TypedResults.Ok(PartnerDto.From(await tenancy.GetPartnerAsync(http.User.ToActor(), id, ct)));

    /// <summary>PATCH /api/v1/admin/partners/{id}.</summary>
    public static async Task<Ok<PartnerDto>> RenamePartner(string id, PartnerRequest? body, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        TypedResults.Ok(PartnerDto.From(await tenancy.RenamePartnerAsync(http.User.ToActor(), id, body?.Name, ct)));

    /// <summary>GET /api/v1/admin/partners/{id}/seller.</summary>
    public static async Task<Ok<SellerDto>> GetSeller(string id, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        TypedResults.Ok(SellerDto.From(await tenancy.GetSellerAsync(http.User.ToActor(), id, ct) ?? throw new NotFoundException("seller configuration", id)));

    /// <summary>PUT /api/v1/admin/partners/{id}/seller.</summary>
    public static async Task<Ok<SellerDto>> PutSeller(string id, SellerInput? body, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        TypedResults.Ok(SellerDto.From(await tenancy.SaveSellerAsync(http.User.ToActor(), id,
            body ?? throw new DomainValidationException("legal_name", "A JSON body is required."), ct)));

    /// <summary>GET /api/v1/admin/tenants.</summary>
    public static async Task<Ok<ListResponse<TenantDto>>> ListTenants(HttpContext http, TenancyService tenancy, string? q, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await tenancy.TenantsPageAsync(http.User.ToActor(), q, Sort(sort), cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<TenantDto>(page.Items.Select(TenantDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>POST /api/v1/admin/tenants: 201.</summary>
    public static async Task<Created<TenantDto>> CreateTenant(TenantRequest? body, HttpContext http, TenancyService tenancy, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var tenant = await tenancy.CreateTenantAsync(actor, body?.PartnerId ?? actor.PartnerId ?? throw new DomainValidationException("partner_id", "partner_id is required."), body?.Name ?? string.Empty, ct);
        return TypedResults.Created($"/api/v1/admin/tenants/{tenant.Id}", TenantDto.From(await tenancy.GetTenantAsync(actor, tenant.Id, ct)));
    }

    /// <summary>GET /api/v1/admin/tenants/{id}.</summary>
    public static async Task<Ok<TenantDto>> GetTenant(string id, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        TypedResults.Ok(TenantDto.From(await tenancy.GetTenantAsync(http.User.ToActor(), id, ct)));

    /// <summary>PATCH /api/v1/admin/tenants/{id}.</summary>
    public static async Task<Ok<TenantDto>> RenameTenant(string id, TenantRequest? body, HttpContext http, TenancyService tenancy, CancellationToken ct)
    {
        if (body?.PartnerId is { } partnerId)
        {
            throw new DomainValidationException("partner_id", "A tenant can't move to another partner.");
        }

        return TypedResults.Ok(TenantDto.From(await tenancy.RenameTenantAsync(http.User.ToActor(), id, body?.Name, ct)));
    }

    /// <summary>GET /api/v1/admin/services.</summary>
    public static async Task<Ok<ListResponse<AdminServiceDto>>> ListServices(HttpContext http, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<AdminServiceDto>((await catalog.ServicesAsync(http.User.ToActor(), ct)).Select(AdminServiceDto.From).ToArray(), null));

    /// <summary>POST /api/v1/admin/services: 201.</summary>
    public static async Task<Created<AdminServiceDto>> CreateService(ServiceRequest? body, HttpContext http, CatalogService catalog, CancellationToken ct)
    {
        var service = await catalog.CreateServiceAsync(http.User.ToActor(), body?.Slug, body?.Name, body?.Description, body?.ParentSlug, ct);
        return TypedResults.Created($"/api/v1/admin/services/{service.Slug}", AdminServiceDto.From(service));
    }

    /// <summary>GET /api/v1/admin/services/{slug}.</summary>
    public static async Task<Ok<AdminServiceDto>> GetService(string slug, HttpContext http, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(AdminServiceDto.From(await catalog.GetServiceAsync(http.User.ToActor(), slug, ct)));

    /// <summary>PATCH /api/v1/admin/services/{slug}.</summary>
    public static async Task<Ok<AdminServiceDto>> EditService(string slug, ServiceRequest? body, HttpContext http, CatalogService catalog, CancellationToken ct)
    {
        if (body?.Slug is { } newSlug && newSlug != slug)
        {
            throw new DomainValidationException("slug", "A service's slug can't change.");
        }

        return TypedResults.Ok(AdminServiceDto.From(await catalog.EditServiceAsync(http.User.ToActor(), slug, body?.Name, body?.Description, body?.ParentSlug, ct)));
    }

    /// <summary>GET /api/v1/admin/plans.</summary>
    public static async Task<Ok<ListResponse<AdminPlanDto>>> ListPlans(HttpContext http, PlanAdminService plans, string? q, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await plans.PageAsync(http.User.ToActor(), q, Sort(sort), cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<AdminPlanDto>(page.Items.Select(AdminPlanDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/admin/plans/{id}.</summary>
    public static async Task<Ok<AdminPlanDto>> GetPlan(string id, HttpContext http, PlanAdminService plans, CancellationToken ct) =>
        TypedResults.Ok(AdminPlanDto.From(await plans.GetAsync(http.User.ToActor(), id, ct)));

    /// <summary>PATCH /api/v1/admin/plans/{id}.</summary>
    public static async Task<Ok<AdminPlanDto>> EditPlan(string id, SavePlanRequest? body, HttpContext http, PlanAdminService plans, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var b = body ?? new SavePlanRequest(null, null, null, null, null, null, null, null, null, null, null);
        await plans.EditAsync(actor, id, new PlanInput(b.ServiceSlug, b.Code, b.Name, b.Price, b.Currency, b.Interval, b.TrialDays, b.TrialEndBehavior, b.TermPeriods, b.UnitCost, b.MarginBps), ct);
        return TypedResults.Ok(AdminPlanDto.From(await plans.GetAsync(actor, id, ct)));
    }

    /// <summary>POST /api/v1/admin/plans/{id}/retire[?dry_run=true].</summary>
    public static async Task<Ok<AdminPlanDto>> RetirePlan(string id, HttpContext http, PlanAdminService plans, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var dryRun = string.Equals(http.Request.Query["dry_run"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        var row = await plans.GetAsync(actor, id, ct);
        var plan = await plans.RetireAsync(actor, id, dryRun, ct);
        return TypedResults.Ok(AdminPlanDto.From(row with { Plan = plan }));
    }
}
