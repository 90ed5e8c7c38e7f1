namespace ScaiControl.Benchmarks;

/// <summary>Small statistics helpers for the benchmark tables.</summary>
internal static class Stats
{
    /// <summary>The nearest-rank <paramref name="q"/> quantile (0..1) of <paramref name="xs"/> (not empty).</summary>
    public static double Percentile(IReadOnlyCollection<double> xs, double q)
    {
        var s = xs.Order().ToList();
        return s[(int)Math.Min(s.Count - 1, Math.Round(q * (s.Count - 1)))];
    }
}
