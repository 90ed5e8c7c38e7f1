using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ScaiControl.Tests.Integration;

/// <summary>A clock the test sets by hand (no sleeping): every service of the app reads it.</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = start;

    /// <summary>The current time (UTC).</summary>
    public DateTimeOffset Now
    {
        get { lock (_gate) { return _now; } }
        set { lock (_gate) { _now = value; } }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The app with a <see cref="TestClock"/> instead of the system clock and the Quartz scheduler off (the tests run
/// jobs and billing runs themselves, at the clock they set). Starts at 2026-01-01T00:00:00Z.
/// </summary>
public interface IClockedApp
{
    /// <summary>The app's clock.</summary>
    TestClock Clock { get; }
}

/// <summary><see cref="IClockedApp"/> on SQLite.</summary>
public sealed class ClockedSqliteApp : SqliteApp, IClockedApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Jobs:Enabled", "false")];

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary><see cref="IClockedApp"/> on PostgreSQL.</summary>
public sealed class ClockedPostgresApp : PostgresApp, IClockedApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Jobs:Enabled", "false")];

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary><see cref="IClockedApp"/> on MariaDB.</summary>
public sealed class ClockedMariaDbApp : MariaDbApp, IClockedApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Jobs:Enabled", "false")];

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}
