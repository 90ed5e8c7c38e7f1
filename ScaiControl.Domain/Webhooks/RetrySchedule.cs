namespace ScaiControl.Domain.Webhooks;

/// <summary>
/// The delivery retry schedule of the spec (002, migration 022): after failed attempt 1..6 wait 1 m, 5 m, 30 m,
/// 2 h, 12 h, 24 h; after the 7th failed attempt the delivery is exhausted. A Retry-After from a 429 or 503 answer is
/// honoured when it asks for longer than the schedule (capped at 24 h).
/// </summary>
public static class RetrySchedule
{
    /// <summary>The waits after failed attempts 1..6.</summary>
    public static IReadOnlyList<TimeSpan> Delays { get; } =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(12), TimeSpan.FromHours(24),
    ];

    /// <summary>Attempts in all: the first plus one per delay.</summary>
    public static int MaxAttempts => Delays.Count + 1;

    /// <summary>When to try again after <paramref name="failedAttempts"/> failures (1-based), or null when exhausted.</summary>
    public static DateTimeOffset? NextAttempt(int failedAttempts, DateTimeOffset now, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        if (failedAttempts > Delays.Count)
        {
            return null;
        }

        var wait = Delays[failedAttempts - 1];
        if (retryAfter is { } asked && asked > wait)
        {
            wait = asked < Delays[^1] ? asked : Delays[^1];
        }

        return now + wait;
    }
}
