namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// A fact that needs Debian's Chromium (SCAI_CHROMIUM, default /usr/bin/chromium); skipped with the reason when the
/// executable does not exist. Nothing is ever downloaded.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The Chromium executable the browser tests drive.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("SCAI_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Sets <see cref="FactAttribute.Skip"/> when Chromium is missing.</summary>
    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"Chromium not found at {ChromiumPath}: install Debian's chromium package (scripts/test.sh does) or set SCAI_CHROMIUM.";
        }
    }
}
