namespace ScaiControl.Web.Localization;

/// <summary>
/// The portal's UI texts (Strings.resx in English, Strings.de.resx in German), read with
/// <c>IStringLocalizer&lt;Strings&gt;</c>. Keys are "Area.Text" (Nav.Catalog, List.Search...); a key missing in
/// German falls back to English. Generated from tools/portal-strings.py (edit there, run it, commit both).
/// </summary>
public sealed class Strings;
