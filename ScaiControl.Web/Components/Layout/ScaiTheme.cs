using MudBlazor;

namespace ScaiControl.Web.Components.Layout;

/// <summary>The portal's one MudBlazor theme: ScaiLabs blue on a light and a dark palette.</summary>
public static class ScaiTheme
{
    /// <summary>The cookie (per user: the name ends with the user's id) remembering "dark" or "light".</summary>
    public const string CookiePrefix = "scai-theme-";

    /// <summary>The theme.</summary>
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8", Secondary = "#0f766e", AppbarBackground = "#102a43", AppbarText = "#ffffff",
            Background = "#f7f9fb", Surface = "#ffffff", DrawerBackground = "#ffffff", DrawerText = "#243b53",
            TextPrimary = "#1f2933", TextSecondary = "#52606d", Success = "#15803d", Error = "#b42318", Warning = "#b45309",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7cb3f0", Secondary = "#5eead4", AppbarBackground = "#0b1726", AppbarText = "#e6eef8",
            Background = "#0f1720", Surface = "#16212e", DrawerBackground = "#121c27", DrawerText = "#d9e2ec",
            TextPrimary = "#e6eef8", TextSecondary = "#9fb3c8", Success = "#4ade80", Error = "#f87171", Warning = "#fbbf24",
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "250px", DefaultBorderRadius = "6px" },
    };
}
