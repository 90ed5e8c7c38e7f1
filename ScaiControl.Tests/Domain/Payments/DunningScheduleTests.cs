using ScaiControl.Domain.Common;
using ScaiControl.Domain.Payments;

namespace ScaiControl.Tests.Domain.Payments;

/// <summary>The dunning schedule as data: retries at +1/+3/+5/+7 days, reminders, suspension after the grace period, the final step; hard declines not retried.</summary>
public sealed class DunningScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void TheDefaultPolicy_RunsRetriesRemindersSuspensionAndTheEnd_InTimeOrder()
    {
        var c = new DunningCase("ptr_1", "tnt_1", "sub_1", "inv_1", hardDecline: false, "insufficient_funds", Start);
        var policy = DunningPolicy.Default;
        var seen = new List<(string, int)>();
        for (var guard = 0; guard < 20 && c.Next(policy) is { } next; guard++)
        {
            seen.Add((next.Step, (int)(next.At - Start).TotalDays));
            switch (next.Step)
            {
                case DunningSteps.Retry: c.RetryFailed(false, "insufficient_funds", next.At); break;
                case DunningSteps.Reminder: c.Reminded(next.At); break;
                case DunningSteps.Suspended: c.Suspended(next.At); break;
                default: c.End(next.At); break;
            }
        }

        Assert.Equal(
            [("retry", 1), ("retry", 3), ("reminder", 3), ("retry", 5), ("retry", 7), ("reminder", 10), ("suspended", 14), ("final", 30)],
            seen);
        Assert.Equal(5, c.Attempts);
        Assert.Null(c.Next(policy));
    }

    [Fact]
    public void AHardDecline_IsNotRetried_ButRemindersAndEscalationStillRun()
    {
        var c = new DunningCase("ptr_1", "tnt_1", "sub_1", "inv_1", hardDecline: true, "card_lost", Start);
        Assert.Equal(new DunningDue(DunningSteps.Reminder, Start.AddDays(3)), c.Next(DunningPolicy.Default));
        c.Reminded(Start.AddDays(3));
        c.Reminded(Start.AddDays(10));
        Assert.Equal(new DunningDue(DunningSteps.Suspended, Start.AddDays(14)), c.Next(DunningPolicy.Default));
    }

    [Fact]
    public void ASettledCase_HasNoNextStep()
    {
        var c = new DunningCase("ptr_1", "tnt_1", "sub_1", "inv_1", hardDecline: false, "insufficient_funds", Start);
        c.Settle(Start.AddDays(2));
        Assert.Equal(DunningStatus.Settled, c.Status);
        Assert.Null(c.Next(DunningPolicy.Default));
    }

    [Theory]
    [InlineData(new[] { 3, 1 }, "retry_days")]
    [InlineData(new[] { 0 }, "retry_days")]
    public void APolicyWithDaysOutOfOrder_IsRefusedNamingTheField(int[] retries, string field)
    {
        var error = Assert.Throws<DomainValidationException>(() => (DunningPolicy.Default with { RetryDays = retries }).Validate());
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void SuspensionAfterTheEnd_IsRefused() =>
        Assert.Equal("final_after_days", Assert.Throws<DomainValidationException>(() => (DunningPolicy.Default with { FinalAfterDays = 10 }).Validate()).Field);
}
