using System.Globalization;
using System.Resources;

namespace ScaiControl.Web.Localization;

/// <summary>
/// The portal's UI texts (Strings.resx in English, Strings.de.resx in German), read with
/// <c>IStringLocalizer&lt;Strings&gt;</c>. Keys are "Area.Text" (Nav.Catalog, List.Search...); a key missing in
/// German falls back to English. Generated from tools/portal-strings.py (edit there, run it, commit both).
/// </summary>
public sealed class Strings
{
    private static readonly ResourceManager Resources = new("ScaiControl.Web.Localization.Strings", typeof(Strings).Assembly);

    /// <summary>
    /// The text of <paramref name="key"/> in the current UI culture, formatted with <paramref name="args"/> in the
    /// current culture; null when the key is unknown. For static helpers (Ui) that have no localizer injected.
    /// </summary>
    public static string? Text(string key, params object?[] args)
    {
        var text = Resources.GetString(key, CultureInfo.CurrentUICulture);
        return text is null || args.Length == 0 ? text : string.Format(CultureInfo.CurrentCulture, text, args);
    }
}
