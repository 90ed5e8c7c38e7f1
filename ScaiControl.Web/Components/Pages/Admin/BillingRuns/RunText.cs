using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Web.Components.Pages.Admin.BillingRuns;

/// <summary>How the billing-run pages word a run: its outcome, the chip colour, the number of problems and the duration.</summary>
public static class RunText
{
    /// <summary>"queued", "running", "completed", "completed with problems" or "failed".</summary>
    public static string Outcome(BillingRun run) => run.Status switch
    {
        BillingRunStatus.Completed when run.Errors.Length > 0 => "completed with problems",
        _ => run.Status.ToString().ToLowerInvariant(),
    };

    /// <summary>The outcome as a key of the portal's strings ("Run.Outcome." + key): queued, running, completed, completed_with_problems or failed.</summary>
    public static string OutcomeKey(BillingRun run) => Outcome(run).Replace(' ', '_');

    /// <summary>The chip colour of <see cref="Outcome"/>.</summary>
    public static MudBlazor.Color Color(BillingRun run) => run.Status switch
    {
        BillingRunStatus.Completed when run.Errors.Length > 0 => MudBlazor.Color.Warning,
        BillingRunStatus.Completed => MudBlazor.Color.Success,
        BillingRunStatus.Failed => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Info,
    };

    /// <summary>How many problems the run recorded.</summary>
    public static int ProblemCount(BillingRun run) => run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>"1.2 s", "3 min 4 s", or "–" while it has not ended.</summary>
    public static string Duration(BillingRun run)
    {
        if (run is not { StartedAt: { } start, CompletedAt: { } end })
        {
            return "–";
        }

        var d = end - start;
        return d.TotalMinutes >= 1
            ? string.Create(System.Globalization.CultureInfo.CurrentCulture, $"{(int)d.TotalMinutes} min {d.Seconds} s")
            : string.Create(System.Globalization.CultureInfo.CurrentCulture, $"{d.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// The run's speed so far: invoices created per second of the run (from its start to its end, or to
    /// <paramref name="now"/> while it works), "–" before it has started or when nothing is done yet.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="now">The instant to measure a running run to (UTC).</param>
    /// <param name="format">A composite format with the rate as {0} (e.g. "{0:0.0} invoices/s", the default; the portal passes its language's).</param>
    public static string Rate(BillingRun run, DateTimeOffset now, string format = "{0:0.0} invoices/s")
    {
        if (Elapsed(run, now) is not { TotalSeconds: > 0 } elapsed || run.InvoicesCreated == 0)
        {
            return "–";
        }

        return string.Format(System.Globalization.CultureInfo.CurrentCulture, format, run.InvoicesCreated / elapsed.TotalSeconds);
    }

    /// <summary>
    /// Estimated time left while the run works: the tenant groups still to bill at the pace of those billed so far
    /// ("about 3 min 4 s"); "–" when the run has ended, not started, or billed nothing yet.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="now">The instant the estimate is made at (UTC).</param>
    /// <param name="minutesFormat">{0} minutes and {1} seconds left, for a minute or more.</param>
    /// <param name="secondsFormat">{0} seconds left, for less than a minute.</param>
    public static string Eta(BillingRun run, DateTimeOffset now, string minutesFormat = "about {0} min {1} s", string secondsFormat = "about {0:0} s")
    {
        if (run.Status != BillingRunStatus.Running || run.TenantsProcessed == 0 || Elapsed(run, now) is not { TotalSeconds: > 0 } elapsed)
        {
            return "–";
        }

        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds / run.TenantsProcessed * Math.Max(0, run.TenantsTotal - run.TenantsProcessed));
        return left.TotalMinutes >= 1
            ? string.Format(System.Globalization.CultureInfo.CurrentCulture, minutesFormat, (int)left.TotalMinutes, left.Seconds)
            : string.Format(System.Globalization.CultureInfo.CurrentCulture, secondsFormat, left.TotalSeconds);
    }

    private static TimeSpan? Elapsed(BillingRun run, DateTimeOffset now) => run.StartedAt is { } start ? (run.CompletedAt ?? now) - start : null;
}
