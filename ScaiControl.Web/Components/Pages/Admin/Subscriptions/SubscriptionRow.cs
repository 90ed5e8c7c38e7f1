using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Subscriptions;

namespace ScaiControl.Web.Components.Pages.Admin.Subscriptions;

/// <summary>A subscription as the admin list shows it (serialisable: carried from the prerender into the circuit).</summary>
/// <param name="Id">sub_...</param>
/// <param name="TenantName">The tenant's name.</param>
/// <param name="ServiceName">The service's name.</param>
/// <param name="PlanName">The plan's name.</param>
/// <param name="RateMinor">The price per interval the subscription pays, minor units.</param>
/// <param name="Currency">ISO 4217.</param>
/// <param name="Interval">"month" | "year".</param>
/// <param name="Status">The wire name ("active", "cancelling"...).</param>
/// <param name="PeriodStart">Start of the current period.</param>
/// <param name="PeriodEnd">End of the current period.</param>
/// <param name="TrialEnd">End of the trial, when there is one.</param>
/// <param name="InPack">True for a pack's child (acted on through its pack).</param>
public sealed record SubscriptionRow(string Id, string TenantName, string ServiceName, string PlanName, long RateMinor, string Currency, string Interval, string Status,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, DateTimeOffset? TrialEnd, bool InPack)
{
    /// <summary>The row of <paramref name="view"/>.</summary>
    public static SubscriptionRow From(SubscriptionView view)
    {
        var s = view.Subscription;
        return new(s.Id, view.TenantName, view.ServiceName, view.PlanName, s.RateMinor, view.Currency, s.Interval.WireName(), s.Status.WireName(),
            s.CurrentPeriodStart, s.CurrentPeriodEnd, s.TrialEnd, s.IsPackChild);
    }

    /// <summary>What the state machine allows now.</summary>
    public IReadOnlyList<SubscriptionAction> Allowed => SubscriptionStateMachine.AllowedActions(SubscriptionStateMachine.ParseStatus(Status) ?? SubscriptionStatus.Cancelled);
}
