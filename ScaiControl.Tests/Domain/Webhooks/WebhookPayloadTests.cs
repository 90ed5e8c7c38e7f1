using System.Text.Json;
using System.Text.Json.Nodes;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence.Interceptors;
using ScaiControl.Tests.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Webhooks;

/// <summary>The payload registry behind docs/webhooks.md agrees with the code that raises the events.</summary>
public sealed class WebhookPayloadTests
{
    public static TheoryData<SubscriptionStatus, SubscriptionAction> EveryTransition()
    {
        var data = new TheoryData<SubscriptionStatus, SubscriptionAction>();
        foreach (var t in SubscriptionStateMachine.Transitions)
        {
            foreach (var from in t.From)
            {
                data.Add(from, t.Action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTransition))]
    public void EverySubscriptionTransition_RaisesAPayloadOfItsTopicsDocumentedShape(SubscriptionStatus from, SubscriptionAction action)
    {
        var subscription = SubscriptionBuilder.InStatus(from);
        subscription.ClearEvents();

        SubscriptionBuilder.Perform(subscription, action, SubscriptionBuilder.StartedAt.AddDays(2));

        var e = Assert.Single(subscription.PendingEvents);
        var payload = JsonNode.Parse(JsonSerializer.Serialize(e.Payload, AuditAndOutboxInterceptor.Json))!.AsObject();
        Assert.Empty(WebhookPayloads.Check(e.Topic, payload));
    }

    [Fact]
    public void EveryTopic_HasAShape_WhoseExampleConformsToItsOwnSchema()
    {
        Assert.Equal(EventTopics.All, WebhookPayloads.All.Select(s => s.Topic));
        foreach (var shape in WebhookPayloads.All)
        {
            Assert.Empty(WebhookPayloads.Check(shape.Topic, WebhookPayloads.Example(shape)));
            var schema = WebhookPayloads.Schema(shape);
            Assert.Equal(shape.Fields.Count, schema["properties"]!.AsObject().Count);
            Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        }
    }

    [Fact]
    public void Check_ReportsAMissingKey_AnUndocumentedKey_AWrongType_AndAnUnknownEnumValue()
    {
        var shape = WebhookPayloads.For(EventTopics.SubscriptionCancelled);
        var data = WebhookPayloads.Example(shape);
        data.Remove("plan_id");
        data["surprise"] = 1;
        data["current_period_end"] = 42;
        data["status"] = "exploded";

        var problems = WebhookPayloads.Check(shape.Topic, data);

        Assert.Contains(problems, p => p.Contains("'plan_id' is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'surprise' is not documented", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'current_period_end' is Number", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'exploded' is not one of", StringComparison.Ordinal));
        Assert.NotEmpty(WebhookPayloads.Check("invoice.exploded.v1", data));
    }
}

/// <summary>Replaying a delivery.</summary>
public sealed class WebhookDeliveryReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AFailedDelivery_IsPendingAndDueNow_WithAFreshRetrySchedule()
    {
        var d = new WebhookDelivery("whs_1", "evt_1", "evt_1", EventTopics.SubscriptionActivated, T0);
        for (var i = 0; i < RetrySchedule.MaxAttempts; i++)
        {
            d.AttemptFailed(500, "HTTP 500", T0.AddDays(i));
        }

        Assert.Equal(WebhookDeliveryStatus.Failed, d.Status);
        var now = T0.AddDays(10);

        d.Replay(now);

        Assert.Equal(WebhookDeliveryStatus.Pending, d.Status);
        Assert.Equal(now, d.NextAttemptAt);
        Assert.Equal(0, d.Attempts);
        d.AttemptFailed(500, "HTTP 500", now);
        Assert.Equal(now + RetrySchedule.Delays[0], d.NextAttemptAt); // retried, not exhausted at once
    }

    [Fact]
    public void APendingDelivery_IsNotReplayed()
    {
        var d = new WebhookDelivery("whs_1", "evt_1", "evt_1", EventTopics.SubscriptionActivated, T0);

        var e = Assert.Throws<DomainConflictException>(() => d.Replay(T0.AddHours(1)));

        Assert.Equal("pending", e.CurrentState);
        Assert.Equal(T0, d.NextAttemptAt);
    }

    [Fact]
    public void AnAttempt_KeepsAtMost2000CharactersOfTheResponseBody()
    {
        var a = new WebhookDeliveryAttempt("whs_1", "whd_1", EventTopics.SubscriptionActivated, 1, T0, 12, "{}", 500, new string('x', 5000), "HTTP 500");

        Assert.Equal(WebhookDeliveryAttempt.MaxExcerpt, a.ResponseExcerpt!.Length);
    }
}
