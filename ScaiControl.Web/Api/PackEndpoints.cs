using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// Service packs (spec 002 migration 014): the catalog of packs with their saving, subscribing to a pack (parent and
/// children in one transaction), the pack lifecycle (which moves every child with it), and the operator's pack
/// administration. Errors are problem+json: 422 with the field, 404 for unknown or another tenant's ids, 409 with the
/// current state and the allowed actions.
/// </summary>
public static class PackEndpoints
{
    /// <summary>Maps the pack endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapPackApi(this RouteGroupBuilder api)
    {
        var catalog = api.MapGroup("/catalog/packs").WithTags("Catalog");
        catalog.MapGet("/", ListPacks).WithName("ListPacks").WithSummary("List the packs on sale with their items, price, catalog sum and saving (cents)")
            .RequireAuthorization(Permissions.CatalogRead);
        catalog.MapGet("/{id}", GetPack).WithName("GetPack").WithSummary("Read a pack").RequireAuthorization(Permissions.CatalogRead)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var admin = api.MapGroup("/admin/packs").WithTags("Admin").RequireAuthorization(Permissions.CatalogWrite);
        admin.MapPost("/", CreatePack).WithName("CreatePack").WithSummary("Operator: compose a pack (pricing fixed_price | percentage, items by plan)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPut("/{id}", UpdatePack).WithName("UpdatePack").WithSummary("Operator: replace a pack's terms and items (existing pack subscriptions keep theirs)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/{id}/retire", RetirePack).WithName("RetirePack").WithSummary("Operator: withdraw a pack from sale (its subscriptions continue)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var subscriptions = api.MapGroup("/pack-subscriptions").WithTags("Subscriptions");
        subscriptions.MapGet("/", ListPackSubscriptions).WithName("ListPackSubscriptions").WithSummary("List pack subscriptions with their children")
            .RequireAuthorization(Permissions.SubscriptionsRead);
        subscriptions.MapPost("/", CreatePackSubscription).WithIdempotency().WithName("CreatePackSubscription")
            .WithSummary("Subscribe a tenant to a pack: the parent and one child subscription per (service, plan), all or nothing")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subscriptions.MapGet("/{id}", GetPackSubscription).WithName("GetPackSubscription").WithSummary("Read a pack subscription with its children")
            .RequireAuthorization(Permissions.SubscriptionsRead).ProducesProblem(StatusCodes.Status404NotFound);
        subscriptions.MapPost("/{id}/cancel", CancelPackSubscription).WithName("CancelPackSubscription")
            .WithSummary("Cancel the pack and all its children now, or at the end of the period")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        subscriptions.MapPost("/{id}/resume", ResumePackSubscription).WithName("ResumePackSubscription").WithSummary("Withdraw a pack's scheduled cancellation")
            .RequireAuthorization(Permissions.SubscriptionsWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var adminSubscriptions = api.MapGroup("/admin/pack-subscriptions").WithTags("Admin").RequireAuthorization(Permissions.SubscriptionsWrite);
        adminSubscriptions.MapPost("/{id}/suspend", SuspendPackSubscription).WithName("SuspendPackSubscription").WithSummary("Operator: suspend a pack and its children")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        adminSubscriptions.MapPost("/{id}/unsuspend", UnsuspendPackSubscription).WithName("UnsuspendPackSubscription").WithSummary("Operator: lift a pack's suspension")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>GET /api/v1/catalog/packs.</summary>
    public static async Task<Ok<ListResponse<PackDto>>> ListPacks(HttpContext http, PackCatalogService packs, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<PackDto>((await packs.ListAsync(http.User.ToActor(), ct)).Select(PackDto.From).ToArray(), null));

    /// <summary>GET /api/v1/catalog/packs/{id}.</summary>
    public static async Task<Ok<PackDto>> GetPack(string id, HttpContext http, PackCatalogService packs, CancellationToken ct) =>
        TypedResults.Ok(PackDto.From(await packs.GetAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/admin/packs: 201 with the pack.</summary>
    public static async Task<Created<PackDto>> CreatePack(PackRequest? body, HttpContext http, PackCatalogService packs, CancellationToken ct)
    {
        var pack = await packs.CreateAsync(http.User.ToActor(), (body ?? throw new DomainValidationException("code", "A JSON body is required.")).ToInput(), ct);
        return TypedResults.Created($"/api/v1/catalog/packs/{pack.Pack.Id}", PackDto.From(pack));
    }

    /// <summary>PUT /api/v1/admin/packs/{id}.</summary>
    public static async Task<Ok<PackDto>> UpdatePack(string id, PackRequest? body, HttpContext http, PackCatalogService packs, CancellationToken ct) =>
        TypedResults.Ok(PackDto.From(await packs.UpdateAsync(http.User.ToActor(), id, (body ?? throw new DomainValidationException("name", "A JSON body is required.")).ToInput(), ct)));

    /// <summary>POST /api/v1/admin/packs/{id}/retire.</summary>
    public static async Task<Ok<PackDto>> RetirePack(string id, HttpContext http, PackCatalogService packs, CancellationToken ct) =>
        TypedResults.Ok(PackDto.From(await packs.RetireAsync(http.User.ToActor(), id, ct)));

    /// <summary>GET /api/v1/pack-subscriptions.</summary>
    public static async Task<Ok<ListResponse<PackSubscriptionDto>>> ListPackSubscriptions(HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<PackSubscriptionDto>((await service.ListAsync(http.User.ToActor(), ct)).Select(PackSubscriptionDto.From).ToArray(), null));

    /// <summary>POST /api/v1/pack-subscriptions {"pack_id"}: 201 with the parent and its children.</summary>
    public static async Task<Created<PackSubscriptionDto>> CreatePackSubscription(CreatePackSubscriptionRequest? body, HttpContext http, PackSubscriptionService service, CancellationToken ct)
    {
        var view = await service.SubscribeAsync(http.User.ToActor(), body?.PackId, body?.TenantId, ct);
        return TypedResults.Created($"/api/v1/pack-subscriptions/{view.Parent.Id}", PackSubscriptionDto.From(view));
    }

    /// <summary>GET /api/v1/pack-subscriptions/{id}.</summary>
    public static async Task<Ok<PackSubscriptionDto>> GetPackSubscription(string id, HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(PackSubscriptionDto.From(await service.GetAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/pack-subscriptions/{id}/cancel {"at_period_end", "reason"} (default: cancel now).</summary>
    public static async Task<Ok<PackSubscriptionDto>> CancelPackSubscription(string id, CancelSubscriptionRequest? body, HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(PackSubscriptionDto.From(await service.CancelAsync(http.User.ToActor(), id, body?.AtPeriodEnd ?? false, body?.Reason, ct)));

    /// <summary>POST /api/v1/pack-subscriptions/{id}/resume.</summary>
    public static async Task<Ok<PackSubscriptionDto>> ResumePackSubscription(string id, HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(PackSubscriptionDto.From(await service.ResumeAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/admin/pack-subscriptions/{id}/suspend {"reason"}.</summary>
    public static async Task<Ok<PackSubscriptionDto>> SuspendPackSubscription(string id, CancelSubscriptionRequest? body, HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(PackSubscriptionDto.From(await service.SuspendAsync(http.User.ToActor(), id, body?.Reason, ct)));

    /// <summary>POST /api/v1/admin/pack-subscriptions/{id}/unsuspend.</summary>
    public static async Task<Ok<PackSubscriptionDto>> UnsuspendPackSubscription(string id, HttpContext http, PackSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(PackSubscriptionDto.From(await service.UnsuspendAsync(http.User.ToActor(), id, ct)));
}
