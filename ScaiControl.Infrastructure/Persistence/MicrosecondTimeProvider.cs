namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// The application clock: UTC now truncated to whole microseconds, the precision of PostgreSQL's timestamptz, so a
/// time the API returns right after a write equals the time read back later on either provider.
/// </summary>
public sealed class MicrosecondTimeProvider(TimeProvider inner) : TimeProvider
{
    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }
}
