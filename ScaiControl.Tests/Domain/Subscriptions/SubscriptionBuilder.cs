using System.Reflection;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Builds real subscriptions through the public API and drives them into a given status.</summary>
internal static class SubscriptionBuilder
{
    public const string PartnerId = "ptr_01TESTPARTNER";
    public const string TenantId = "tnt_01TESTTENANT";

    public static readonly DateTimeOffset StartedAt = new(2026, 10, 15, 9, 30, 0, TimeSpan.Zero);

    public static Service NewService(string slug = "llm-gateway") =>
        new(slug, "LLM Gateway", "Hosted model access", null, StartedAt);

    public static Plan NewPlan(Service service, int trialDays, BillingInterval interval = BillingInterval.Month) =>
        new(service.Id, "pro", "Pro", Money.Of(2900, "EUR"), interval, trialDays, StartedAt);

    /// <summary>Subscribes through <see cref="Subscription.Start"/>.</summary>
    public static Subscription Start(DateTimeOffset at, int trialDays = 0, BillingInterval interval = BillingInterval.Month)
    {
        var service = NewService();
        return Subscription.Start(PartnerId, TenantId, service, NewPlan(service, trialDays, interval), at);
    }

    /// <summary>
    /// A subscription still in <c>pending</c>. <see cref="Subscription.Start"/> leaves pending at once, so no public
    /// method ends in pending; this calls the same private constructor Start uses, and nothing else.
    /// </summary>
    public static Subscription Pending(DateTimeOffset at)
    {
        var service = NewService();
        var plan = NewPlan(service, 0);
        var ctor = typeof(Subscription).GetConstructor(
            BindingFlags.Instance | BindingFlags.NonPublic,
            [typeof(string), typeof(string), typeof(Service), typeof(Plan), typeof(DateTimeOffset)])
            ?? throw new InvalidOperationException("Subscription's (partner, tenant, service, plan, now) constructor is gone.");
        return (Subscription)ctor.Invoke([PartnerId, TenantId, service, plan, at]);
    }

    /// <summary>A subscription in <paramref name="status"/>, reached from Start by public transitions one hour apart.</summary>
    public static Subscription InStatus(SubscriptionStatus status)
    {
        var later = StartedAt.AddHours(1);
        switch (status)
        {
            case SubscriptionStatus.Pending:
                return Pending(StartedAt);
            case SubscriptionStatus.Trialing:
                return Start(StartedAt, trialDays: 14);
            case SubscriptionStatus.Active:
                return Start(StartedAt);
            case SubscriptionStatus.PastDue:
                var pastDue = Start(StartedAt);
                pastDue.MarkPastDue(later);
                return pastDue;
            case SubscriptionStatus.Cancelling:
                var cancelling = Start(StartedAt);
                cancelling.ScheduleCancellation(later, "Budget cut");
                return cancelling;
            case SubscriptionStatus.Cancelled:
                var cancelled = Start(StartedAt);
                cancelled.Cancel(later, "Budget cut");
                return cancelled;
            case SubscriptionStatus.Expired:
                var expired = Start(StartedAt);
                expired.Expire(later);
                return expired;
            case SubscriptionStatus.Suspended:
                var suspended = Start(StartedAt);
                suspended.Suspend(later, "Fraud check");
                return suspended;
            default:
                throw new ArgumentOutOfRangeException(nameof(status), status, "No path to this status.");
        }
    }

    /// <summary>Calls the method of <paramref name="action"/> on <paramref name="subscription"/>.</summary>
    public static void Perform(Subscription subscription, SubscriptionAction action, DateTimeOffset now)
    {
        switch (action)
        {
            case SubscriptionAction.StartTrial:
                subscription.StartTrial(now, 14);
                break;
            case SubscriptionAction.Activate:
                subscription.Activate(now);
                break;
            case SubscriptionAction.MarkPastDue:
                subscription.MarkPastDue(now);
                break;
            case SubscriptionAction.SettlePayment:
                subscription.SettlePayment(now);
                break;
            case SubscriptionAction.ScheduleCancellation:
                subscription.ScheduleCancellation(now, "Switching provider");
                break;
            case SubscriptionAction.Resume:
                subscription.Resume(now);
                break;
            case SubscriptionAction.Cancel:
                subscription.Cancel(now, "Switching provider");
                break;
            case SubscriptionAction.Expire:
                subscription.Expire(now);
                break;
            case SubscriptionAction.Suspend:
                subscription.Suspend(now, "Operator hold");
                break;
            case SubscriptionAction.Unsuspend:
                subscription.Unsuspend(now);
                break;
            case SubscriptionAction.ChangePlan:
                var current = new Plan(subscription.ServiceId, "pro", "Pro", Money.Of(subscription.RateMinor, "EUR"), subscription.Interval, 0, StartedAt);
                var team = new Plan(subscription.ServiceId, "team", "Team", Money.Of(4900, "EUR"), subscription.Interval, 0, StartedAt);
                typeof(Plan).GetProperty(nameof(Plan.Id))!.SetValue(current, subscription.PlanId);
                var quote = subscription.QuotePlanChange(current, team, PlanChangeEffective.Now, now);
                subscription.ApplyPlanChange(quote, current, team, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown action.");
        }
    }
}
