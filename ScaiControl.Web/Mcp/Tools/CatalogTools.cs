using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Mcp.Tools;

/// <summary>What browse_catalog lists.</summary>
public enum CatalogToolWhat
{
    Services,
    Plans,
    Packs,
    Pack,
}

/// <summary>What manage_packs does with pack subscriptions.</summary>
public enum PackToolAction
{
    List,
    Get,
    Subscribe,
    Cancel,
}

/// <summary>The catalog (services, plans, packs) and pack subscriptions, through the REST API's services.</summary>
[McpServerToolType]
public static class CatalogTools
{
    /// <summary>browse_catalog: services, a service's plans, the packs on sale, one pack.</summary>
    [McpServerTool(Name = "browse_catalog", Title = "Browse the catalog", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("The catalog as the caller may see it: what=services, plans (of service_slug), packs (on sale, with items, price, catalog sum and saving), "
        + "pack (pack_id). Prices are integer cents of the currency, per interval.")]
    [McpPermission(Permissions.CatalogRead)]
    public static Task<CallToolResult> BrowseCatalog(
        RequestContext<CallToolRequestParams> context,
        CatalogService catalog,
        PackCatalogService packs,
        [Description("What to list.")] CatalogToolWhat what,
        [Description("plans: the service's slug.")] string? service_slug = null,
        [Description("pack: the pack id (pck_...).")] string? pack_id = null,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () => what switch
        {
            CatalogToolWhat.Services => new ListResponse<ServiceDto>((await catalog.ServicesAsync(actor, ct)).Select(ServiceDto.From).ToArray(), null),
            CatalogToolWhat.Plans => new ListResponse<PlanDto>((await catalog.PlansAsync(actor, McpToolResults.Required(service_slug, "service_slug"), ct)).Select(PlanDto.From).ToArray(), null),
            CatalogToolWhat.Packs => new ListResponse<PackDto>((await packs.ListAsync(actor, ct)).Select(PackDto.From).ToArray(), null),
            _ => PackDto.From(await packs.GetAsync(actor, McpToolResults.Required(pack_id, "pack_id"), ct)),
        });
    }

    /// <summary>manage_packs: the caller's pack subscriptions: list, get, subscribe (money-moving), cancel (with dry run).</summary>
    [McpServerTool(Name = "manage_packs", Title = "Manage pack subscriptions", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Pack subscriptions (a pack's plans as one subscription with children): action=list, get (pack_subscription_id), subscribe (pack_id, "
        + "tenant_id for operators and partners; money-moving: pass request_id and repeat it when retrying), cancel (pack_subscription_id, "
        + "at_period_end, reason; dry_run=true shows the pack as it is and changes nothing). Writes need subscriptions:write.")]
    [McpPermission(Permissions.SubscriptionsRead)]
    [McpMoneyMoving]
    public static Task<CallToolResult> ManagePacks(
        RequestContext<CallToolRequestParams> context,
        PackSubscriptionService service,
        [Description("What to do.")] PackToolAction action,
        [Description("get / cancel: the pack subscription (psb_...).")] string? pack_subscription_id = null,
        [Description("subscribe: the pack (pck_...).")] string? pack_id = null,
        [Description("subscribe: the tenant (tnt_...) an operator or partner subscribes.")] string? tenant_id = null,
        [Description("cancel: at the end of the current period instead of now.")] bool at_period_end = false,
        [Description("cancel: why.")] string? reason = null,
        [Description("cancel: answer what would be cancelled without changing anything.")] bool dry_run = false,
        [Description("subscribe: the client's id of this call; a repeat with the same id and arguments returns the first result and creates nothing.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id;
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            switch (action)
            {
                case PackToolAction.List:
                    return new ListResponse<PackSubscriptionDto>((await service.ListAsync(actor, ct)).Select(PackSubscriptionDto.From).ToArray(), null);
                case PackToolAction.Get:
                    return PackSubscriptionDto.From(await service.GetAsync(actor, McpToolResults.Required(pack_subscription_id, "pack_subscription_id"), ct));
                case PackToolAction.Subscribe:
                    return PackSubscriptionDto.From(await service.SubscribeAsync(actor, McpToolResults.Required(pack_id, "pack_id"), tenant_id, ct));
                default:
                    var id = McpToolResults.Required(pack_subscription_id, "pack_subscription_id");
                    if (dry_run)
                    {
                        if (!actor.Can(Permissions.SubscriptionsWrite))
                        {
                            throw new UnauthorizedAccessException("Cancelling a pack needs subscriptions:write.");
                        }

                        return new { dry_run = true, action = at_period_end ? "schedule_cancellation" : "cancel", pack_subscription = PackSubscriptionDto.From(await service.GetAsync(actor, id, ct)) };
                    }

                    return PackSubscriptionDto.From(await service.CancelAsync(actor, id, at_period_end, reason, ct));
            }
        });
    }
}
