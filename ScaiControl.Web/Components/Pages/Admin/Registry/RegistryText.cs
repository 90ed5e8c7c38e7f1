using Microsoft.Extensions.Localization;
using ScaiControl.Web.Localization;

namespace ScaiControl.Web.Components.Pages.Admin.Registry;

/// <summary>Texts of the registry pages.</summary>
public static class RegistryText
{
    /// <summary>How long ago <paramref name="at"/> was ("12 s ago", "5 min ago", "3 h ago", "2 d ago"), or "never".</summary>
    public static string Age(IStringLocalizer<Strings> l, DateTimeOffset now, DateTimeOffset? at)
    {
        if (at is not { } a)
        {
            return l["Registry.Never"];
        }

        var age = now - a;
        var text = age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)} s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes} min"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h"
            : $"{(int)age.TotalDays} d";
        return string.Format(System.Globalization.CultureInfo.CurrentCulture, l["Registry.Ago"], text);
    }
}
