using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace ScaiControl.Web.Localization;

/// <summary>
/// The portal's request culture. MudBlazor and the portal format numbers, money and dates with
/// <see cref="CultureInfo.CurrentCulture"/>; under the invariant culture money would show "¤", so every request gets
/// a supported culture: the culture cookie (set by the language switch), else the browser's Accept-Language, else
/// en-GB. <see cref="CultureInfo.CurrentUICulture"/> picks the resource language (English or German).
/// </summary>
public static class PortalCulture
{
    /// <summary>The culture of a request no provider decided on.</summary>
    public const string Default = "en-GB";

    /// <summary>Formatting cultures the portal accepts (the demo tenants' countries and the resource languages).</summary>
    public static readonly string[] Supported = ["en-GB", "en-US", "de-DE", "de-AT", "de-CH", "nl-NL", "nl-BE", "fr-FR", "sv-SE", "nb-NO", "en-IE"];

    /// <summary>Registers localisation (resources under Resources/).</summary>
    public static IServiceCollection AddPortalCulture(this IServiceCollection services)
    {
        services.AddLocalization();
        return services;
    }

    /// <summary>Sets the request culture (see the class summary).</summary>
    public static IApplicationBuilder UsePortalCulture(this IApplicationBuilder app) =>
        app.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture(Default).AddSupportedCultures(Supported).AddSupportedUICultures(Supported);
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
}
