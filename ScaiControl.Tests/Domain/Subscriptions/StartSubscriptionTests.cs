using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Subscribing a tenant to a plan: trial or straight to active, and the plan must belong to the service.</summary>
public sealed class StartSubscriptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 15, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Start_WithTrialDays_IsTrialingUntilNowPlusDays()
    {
        var subscription = SubscriptionBuilder.Start(Now, trialDays: 14);

        var trialEnd = new DateTimeOffset(2026, 10, 29, 9, 30, 0, TimeSpan.Zero);
        Assert.Equal(SubscriptionStatus.Trialing, subscription.Status);
        Assert.Equal(trialEnd, subscription.TrialEnd);
        Assert.Equal(Now, subscription.CurrentPeriodStart);
        Assert.Equal(trialEnd, subscription.CurrentPeriodEnd);
        Assert.Equal(trialEnd, subscription.BillingAnchor);
        var raised = Assert.Single(subscription.PendingEvents);
        Assert.Equal("subscription.activated.v1", raised.Topic);
        Assert.Equal("pending", raised.Payload["previous_status"]);
        Assert.Equal("trialing", raised.Payload["status"]);
        Assert.Equal(trialEnd, raised.Payload["trial_end"]);
    }

    [Fact]
    public void Start_WithoutTrial_IsActiveForOneMonth()
    {
        var subscription = SubscriptionBuilder.Start(Now);

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Null(subscription.TrialEnd);
        Assert.Equal(Now, subscription.CurrentPeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 15, 9, 30, 0, TimeSpan.Zero), subscription.CurrentPeriodEnd);
        Assert.Equal(Now, subscription.BillingAnchor);
        Assert.StartsWith("sub_", subscription.Id, StringComparison.Ordinal);
        Assert.Equal(SubscriptionBuilder.TenantId, subscription.TenantId);
        var raised = Assert.Single(subscription.PendingEvents);
        Assert.Equal("subscription.activated.v1", raised.Topic);
        Assert.Equal("pending", raised.Payload["previous_status"]);
        Assert.Equal("active", raised.Payload["status"]);
    }

    [Fact]
    public void Start_WithYearlyPlan_RunsOneYear()
    {
        var subscription = SubscriptionBuilder.Start(Now, interval: BillingInterval.Year);

        Assert.Equal(new DateTimeOffset(2027, 10, 15, 9, 30, 0, TimeSpan.Zero), subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void Start_WithPlanOfAnotherService_RefusesOnPlanId()
    {
        var gateway = SubscriptionBuilder.NewService("llm-gateway");
        var storage = SubscriptionBuilder.NewService("object-storage");
        var storagePlan = SubscriptionBuilder.NewPlan(storage, trialDays: 0);

        var error = Assert.Throws<DomainValidationException>(
            () => Subscription.Start(SubscriptionBuilder.PartnerId, SubscriptionBuilder.TenantId, gateway, storagePlan, Now));

        Assert.Equal("plan_id", error.Field);
    }

    [Fact]
    public void Start_WithRetiredPlan_RefusesOnPlanId()
    {
        var service = SubscriptionBuilder.NewService();
        var plan = SubscriptionBuilder.NewPlan(service, trialDays: 0);
        plan.Retire();

        var error = Assert.Throws<DomainValidationException>(
            () => Subscription.Start(SubscriptionBuilder.PartnerId, SubscriptionBuilder.TenantId, service, plan, Now));

        Assert.Equal("plan_id", error.Field);
    }

    [Fact]
    public void Activate_FromTrial_StartsFirstPaidPeriodAtConversion()
    {
        var subscription = SubscriptionBuilder.Start(Now, trialDays: 14);
        var convertedAt = new DateTimeOffset(2026, 10, 20, 12, 0, 0, TimeSpan.Zero);

        subscription.Activate(convertedAt);

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(convertedAt, subscription.BillingAnchor);
        Assert.Equal(convertedAt, subscription.CurrentPeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void ScheduleCancellation_ThenResume_ClearsTheReason()
    {
        var subscription = SubscriptionBuilder.Start(Now);
        subscription.ScheduleCancellation(Now.AddDays(1), "  Too expensive  ");
        Assert.Equal("Too expensive", subscription.CancellationReason);
        Assert.Equal(subscription.CurrentPeriodEnd, subscription.PendingEvents[^1].Payload["cancel_at"]);

        subscription.Resume(Now.AddDays(2));

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Null(subscription.CancellationReason);
    }

    [Fact]
    public void Cancel_RecordsWhenAndWhy()
    {
        var subscription = SubscriptionBuilder.Start(Now);
        var at = Now.AddDays(3);

        subscription.Cancel(at, "No longer needed");

        Assert.Equal(at, subscription.CancelledAt);
        Assert.Equal("No longer needed", subscription.CancellationReason);
        Assert.Equal("No longer needed", subscription.PendingEvents[^1].Payload["reason"]);
    }
}
