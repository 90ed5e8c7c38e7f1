using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Mcp.Tools;

/// <summary>What manage_subscriptions does.</summary>
public enum SubscriptionToolAction
{
    List,
    Get,
    History,
    Create,
    Cancel,
    Resume,
    Suspend,
    Unsuspend,
}

/// <summary>A dry run's answer: the subscription as the action would leave it; nothing was changed.</summary>
public sealed record SubscriptionDryRunDto(bool DryRun, string Action, string FromStatus, SubscriptionDto Subscription);

/// <summary>manage_subscriptions (spec 000): the subscription lifecycle through <see cref="SubscriptionService"/>, as the REST API's /subscriptions.</summary>
[McpServerToolType]
public static class SubscriptionTools
{
    /// <summary>manage_subscriptions: list, get, history, create, cancel, resume, suspend, unsuspend.</summary>
    [McpServerTool(Name = "manage_subscriptions", Title = "Manage subscriptions", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Subscriptions of the caller's tenants. action=list (status, cursor, limit), get / history (subscription_id), create (plan_id, tenant_id for "
        + "operators and partners; money-moving: pass request_id and repeat it when retrying), cancel (subscription_id, at_period_end, reason), resume "
        + "(withdraw a scheduled cancellation), suspend / unsuspend (operator only, reason). cancel, resume, suspend and unsuspend take dry_run=true to "
        + "show the result without changing anything. Writes need subscriptions:write. Amounts are integer cents of the currency.")]
    [McpPermission(Permissions.SubscriptionsRead)]
    [McpMoneyMoving]
    public static Task<CallToolResult> ManageSubscriptions(
        RequestContext<CallToolRequestParams> context,
        SubscriptionService service,
        [Description("What to do.")] SubscriptionToolAction action,
        [Description("The subscription (sub_...), for get, history, cancel, resume, suspend, unsuspend.")] string? subscription_id = null,
        [Description("The plan to subscribe to (pln_...), for create.")] string? plan_id = null,
        [Description("The tenant (tnt_...) an operator or partner subscribes, for create; a tenant user's own tenant by default.")] string? tenant_id = null,
        [Description("list: only this status (pending, trialing, active, past_due, cancelling, cancelled, expired, suspended).")] string? status = null,
        [Description("cancel: at the end of the current period instead of now.")] bool at_period_end = false,
        [Description("cancel / suspend: why (kept on the subscription).")] string? reason = null,
        [Description("cancel, resume, suspend, unsuspend: show the result without changing anything.")] bool dry_run = false,
        [Description("list: the next_cursor of the previous page.")] string? cursor = null,
        [Description("list: page size, 1-200 (default 50).")] int limit = 50,
        [Description("create: the client's id of this call; a repeat with the same id and arguments returns the first result and creates nothing.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id; // read by McpIdempotency from the arguments
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync<object>(async () =>
        {
            switch (action)
            {
                case SubscriptionToolAction.List:
                    SubscriptionStatus? parsed = status is null ? null
                        : SubscriptionStateMachine.ParseStatus(status) ?? throw new DomainValidationException("status", $"'{status}' is not a subscription status.");
                    var page = await service.ListAsync(actor, parsed, cursor, limit, ct);
                    return new ListResponse<SubscriptionDto>(page.Items.Select(SubscriptionDto.From).ToArray(), page.NextCursor);
                case SubscriptionToolAction.Get:
                    return SubscriptionDto.From(await service.GetAsync(actor, McpToolResults.Required(subscription_id, "subscription_id"), ct));
                case SubscriptionToolAction.History:
                    return new ListResponse<SubscriptionHistoryEntry>(await service.HistoryAsync(actor, McpToolResults.Required(subscription_id, "subscription_id"), ct), null);
                case SubscriptionToolAction.Create:
                    return SubscriptionDto.From(await service.SubscribeAsync(actor, McpToolResults.Required(plan_id, "plan_id"), tenant_id, ct));
                default:
                    var id = McpToolResults.Required(subscription_id, "subscription_id");
                    var lifecycle = action switch
                    {
                        SubscriptionToolAction.Cancel => at_period_end ? SubscriptionAction.ScheduleCancellation : SubscriptionAction.Cancel,
                        SubscriptionToolAction.Resume => SubscriptionAction.Resume,
                        SubscriptionToolAction.Suspend => SubscriptionAction.Suspend,
                        _ => SubscriptionAction.Unsuspend,
                    };
                    if (dry_run)
                    {
                        var before = await service.GetAsync(actor, id, ct);
                        var after = await service.DryRunAsync(actor, id, lifecycle, reason, ct);
                        return new SubscriptionDryRunDto(true, lifecycle.WireName(), before.Subscription.Status.WireName(), SubscriptionDto.From(after));
                    }

                    return SubscriptionDto.From(lifecycle switch
                    {
                        SubscriptionAction.Cancel => await service.CancelAsync(actor, id, false, reason, ct),
                        SubscriptionAction.ScheduleCancellation => await service.CancelAsync(actor, id, true, reason, ct),
                        SubscriptionAction.Resume => await service.ResumeAsync(actor, id, ct),
                        SubscriptionAction.Suspend => await service.SuspendAsync(actor, id, reason, ct),
                        _ => await service.UnsuspendAsync(actor, id, ct),
                    });
            }
        });
    }

    /// <summary>preview_plan_change: the amounts of a plan change, through <see cref="PlanChangeService"/> with preview=true; changes nothing.</summary>
    [McpServerTool(Name = "preview_plan_change", Title = "Preview a plan change", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("What changing a subscription to another plan would cost, without changing it: credit for the unused old rate, charge at the new rate, "
        + "net, catch-up periods and total, in integer cents before VAT; effective now (prorated, default) or at period_end.")]
    [McpPermission(Permissions.SubscriptionsRead)]
    public static Task<CallToolResult> PreviewPlanChange(
        RequestContext<CallToolRequestParams> context,
        PlanChangeService service,
        [Description("The subscription (sub_...).")] string subscription_id,
        [Description("The target plan (pln_...).")] string plan_id,
        [Description("now (default, prorated) or period_end.")] string? effective = null,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(async () =>
        {
            if (!PlanChangeService.CanChangePlan(actor))
            {
                throw new UnauthorizedAccessException("A plan change (and its preview) needs subscriptions:write or scaicontrol:admin.");
            }

            return PlanChangeDto.From(await service.ChangeAsync(actor, subscription_id, plan_id, effective, preview: true, ct));
        });
    }
}
