using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Tests.Domain.Webhooks;

public sealed class StandardWebhooksTests
{
    // The example of the Standard Webhooks specification's reference libraries: this secret, id, timestamp and body
    // sign to this value (also checked independently with Python's hmac module while writing the test).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = "{\"test\": 2432232314}";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Sign_MatchesTheSpecificationsKnownVector() => Assert.Equal(Expected, StandardWebhooks.Sign(Secret, Id, Timestamp, Body));

    [Fact]
    public void Verify_AcceptsTheVectorWithinTolerance_AndRefusesTamperingOrStaleness()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
        Assert.True(StandardWebhooks.Verify(Secret, Id, "1614265330", Expected, Body, at.AddMinutes(4)));
        Assert.False(StandardWebhooks.Verify(Secret, Id, "1614265330", Expected, Body + " ", at));
        Assert.False(StandardWebhooks.Verify(Secret, "msg_other", "1614265330", Expected, Body, at));
        Assert.False(StandardWebhooks.Verify(Secret, Id, "1614265330", Expected, Body, at.AddMinutes(6)));
        Assert.False(StandardWebhooks.Verify(Secret, Id, "not-a-number", Expected, Body, at));
    }

    [Fact]
    public void Headers_DuringRotation_CarryBothSignatures_EachVerifiableWithItsSecret()
    {
        var next = StandardWebhooks.NewSecret();
        var now = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
        var headers = StandardWebhooks.Headers([next, Secret], Id, now, Body);
        Assert.Equal(Id, headers["webhook-id"]);
        Assert.Equal("1614265330", headers["webhook-timestamp"]);
        Assert.Equal(2, headers["webhook-signature"].Split(' ').Length);
        Assert.EndsWith(" " + Expected, headers["webhook-signature"], StringComparison.Ordinal);
        Assert.True(StandardWebhooks.Verify(next, Id, headers["webhook-timestamp"], headers["webhook-signature"], Body, now));
        Assert.True(StandardWebhooks.Verify(Secret, Id, headers["webhook-timestamp"], headers["webhook-signature"], Body, now));
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    public void KeyOf_RefusesMalformedSecrets(string secret) =>
        Assert.Equal("secret", Assert.Throws<DomainValidationException>(() => StandardWebhooks.KeyOf(secret)).Field);

    [Fact]
    public void NewSecret_IsWhsecWith32RandomBytes()
    {
        var a = StandardWebhooks.NewSecret();
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.Equal(32, StandardWebhooks.KeyOf(a).Length);
        Assert.NotEqual(a, StandardWebhooks.NewSecret());
    }
}

public sealed class RetryScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 30)]
    [InlineData(4, 120)]
    [InlineData(5, 720)]
    [InlineData(6, 1440)]
    public void NextAttempt_FollowsTheSpecsBackoff(int failedAttempts, int minutes) =>
        Assert.Equal(Now.AddMinutes(minutes), RetrySchedule.NextAttempt(failedAttempts, Now));

    [Fact]
    public void AfterTheSeventhFailure_TheDeliveryIsExhausted()
    {
        Assert.Equal(7, RetrySchedule.MaxAttempts);
        Assert.Null(RetrySchedule.NextAttempt(7, Now));
    }

    [Fact]
    public void RetryAfter_IsHonouredWhenLonger_AndCappedAt24Hours()
    {
        Assert.Equal(Now.AddMinutes(10), RetrySchedule.NextAttempt(1, Now, TimeSpan.FromMinutes(10)));
        Assert.Equal(Now.AddMinutes(5), RetrySchedule.NextAttempt(2, Now, TimeSpan.FromSeconds(30)));
        Assert.Equal(Now.AddHours(24), RetrySchedule.NextAttempt(1, Now, TimeSpan.FromDays(3)));
    }
}

public sealed class TopicFilterTests
{
    [Fact]
    public void Wildcards_MatchTheirFamilyOnly()
    {
        var filter = TopicFilter.Parse(["subscription.*", "tenant.billing_linked.v1"]);
        Assert.True(filter.Matches("subscription.activated.v1"));
        Assert.True(filter.Matches("subscription.trial_ending.v1"));
        Assert.True(filter.Matches("tenant.billing_linked.v1"));
        Assert.False(filter.Matches("tenant.billing_updated.v1"));
        Assert.False(filter.Matches("pack_subscription.activated.v1"));
    }

    [Fact]
    public void Star_MatchesEveryTopic() => Assert.All(ScaiControl.Domain.Events.EventTopics.All, t => Assert.True(TopicFilter.Parse(["*"]).Matches(t)));

    [Theory]
    [InlineData("invoice.issued")]
    [InlineData("subscription.activated.v2")]
    [InlineData("nothing.*")]
    [InlineData("")]
    public void UnknownTopics_AreRefusedNamingTopics(string pattern) =>
        Assert.Equal("topics", Assert.Throws<DomainValidationException>(() => TopicFilter.Parse([pattern])).Field);

    [Fact]
    public void AnEmptyFilter_IsRefused() => Assert.Throws<DomainValidationException>(() => TopicFilter.Parse([]));
}
