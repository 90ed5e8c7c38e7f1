using System.Globalization;
using Microsoft.AspNetCore.Localization;
using ScaiControl.Web.Auth;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Web.Localization;

/// <summary>
/// The portal's request culture and time zone. MudBlazor and <see cref="Ui"/> format numbers, money and dates with
/// <see cref="CultureInfo.CurrentCulture"/> (under the invariant culture money would show "¤"), so every request gets
/// a supported culture:
/// <list type="bullet">
/// <item>formatting (<see cref="CultureInfo.CurrentCulture"/>): the user's "locale" claim (set at sign-in from the
/// country of the tenant's billing profile or the partner's seller profile), else the browser's Accept-Language,
/// else en-GB;</item>
/// <item>language of the texts (<see cref="CultureInfo.CurrentUICulture"/>, English or German): the language cookie
/// set by the app bar's switch (<see cref="LanguageCookie"/>), else the locale's language when it is German, else
/// English;</item>
/// <item>time zone (<see cref="Ui.Zone"/>): the user's "zoneinfo" claim (IANA id), else UTC.</item>
/// </list>
/// The culture and zone of the request that opens the Blazor circuit flow into it.
/// </summary>
public static class PortalCulture
{
    /// <summary>The culture of a request no provider decided on.</summary>
    public const string Default = "en-GB";

    /// <summary>The cookie holding the chosen language ("en" or "de").</summary>
    public const string LanguageCookie = "scai-lang";

    /// <summary>The languages of the portal's texts.</summary>
    public static readonly string[] Languages = ["en", "de"];

    /// <summary>Formatting cultures the portal accepts (the demo tenants' countries and the resource languages).</summary>
    public static readonly string[] Supported = ["en-GB", "en-US", "en-IE", "de-DE", "de-AT", "de-CH", "nl-NL", "nl-BE", "fr-FR", "fr-BE", "sv-SE", "nb-NO", "da-DK", "fi-FI", "es-ES", "it-IT", "pl-PL", "en", "de"];

    private static readonly Dictionary<string, (string Locale, string Zone)> Countries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NL"] = ("nl-NL", "Europe/Amsterdam"), ["BE"] = ("nl-BE", "Europe/Brussels"), ["DE"] = ("de-DE", "Europe/Berlin"),
        ["AT"] = ("de-AT", "Europe/Vienna"), ["CH"] = ("de-CH", "Europe/Zurich"), ["FR"] = ("fr-FR", "Europe/Paris"),
        ["SE"] = ("sv-SE", "Europe/Stockholm"), ["NO"] = ("nb-NO", "Europe/Oslo"), ["DK"] = ("da-DK", "Europe/Copenhagen"),
        ["FI"] = ("fi-FI", "Europe/Helsinki"), ["ES"] = ("es-ES", "Europe/Madrid"), ["IT"] = ("it-IT", "Europe/Rome"),
        ["PL"] = ("pl-PL", "Europe/Warsaw"), ["IE"] = ("en-IE", "Europe/Dublin"), ["GB"] = ("en-GB", "Europe/London"),
        ["US"] = ("en-US", "America/New_York"),
    };

    /// <summary>The locale and IANA time zone of a country (ISO 3166-1 alpha-2); en-GB and UTC when unknown or null.</summary>
    public static (string Locale, string Zone) ForCountry(string? country) =>
        country is not null && Countries.TryGetValue(country, out var found) ? found : (Default, "Etc/UTC");

    /// <summary>"de" for a German locale, else "en".</summary>
    public static string LanguageOf(string? locale) => locale?.StartsWith("de", StringComparison.OrdinalIgnoreCase) == true ? "de" : "en";

    /// <summary>Registers localisation (the resources in Localization/).</summary>
    public static IServiceCollection AddPortalCulture(this IServiceCollection services)
    {
        services.AddLocalization();
        return services;
    }

    /// <summary>Sets the request culture and the user's zone (see the class summary). Call after authentication.</summary>
    public static IApplicationBuilder UsePortalCulture(this IApplicationBuilder app)
    {
        app.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture(Default).AddSupportedCultures(Supported).AddSupportedUICultures(Supported);
            o.FallBackToParentUICultures = true;
            o.FallBackToParentCultures = true;
            o.RequestCultureProviders = [new UserCultureProvider(), new AcceptLanguageWithLanguageCookie()];
        });
        return app.Use(async (context, next) =>
        {
            Ui.Zone = ZoneOf(context.User.FindFirst(ScaiClaims.ZoneInfo)?.Value);
            await next(context);
        });
    }

    /// <summary>GET /culture?lang=de&amp;returnUrl=/invoices: stores the language choice (one year) and goes back.</summary>
    public static void MapPortalCulture(this WebApplication app) =>
        app.MapGet("/culture", (string? lang, string? returnUrl, HttpContext http) =>
        {
            var language = Languages.Contains(lang, StringComparer.Ordinal) ? lang! : "en";
            http.Response.Cookies.Append(LanguageCookie, language, new CookieOptions
            {
                Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, Path = "/",
            });
            var target = Auth.ReturnUrls.LocalOrHome(returnUrl);
            return Results.LocalRedirect(target);
        }).ExcludeFromDescription();

    /// <summary>The zone of an IANA id; UTC when missing or unknown.</summary>
    public static TimeZoneInfo ZoneOf(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return TimeZoneInfo.Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    private static string? ChosenLanguage(HttpContext context) =>
        context.Request.Cookies.TryGetValue(LanguageCookie, out var value) && Languages.Contains(value, StringComparer.Ordinal) ? value : null;

    /// <summary>The signed-in user's "locale" claim for formatting; the language cookie (or the locale's language) for texts.</summary>
    private sealed class UserCultureProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            if (httpContext.User.FindFirst(ScaiClaims.Locale)?.Value is not { Length: > 0 } locale)
            {
                return NullProviderCultureResult;
            }

            return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(locale, ChosenLanguage(httpContext) ?? LanguageOf(locale)));
        }
    }

    /// <summary>Anonymous requests: Accept-Language for formatting, the language cookie (or the browser's language) for texts.</summary>
    private sealed class AcceptLanguageWithLanguageCookie : RequestCultureProvider
    {
        private readonly AcceptLanguageHeaderRequestCultureProvider _header = new();

        public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            _header.Options = Options;
            var result = await _header.DetermineProviderCultureResult(httpContext);
            var culture = result?.Cultures.FirstOrDefault().Value ?? Default;
            return new ProviderCultureResult(culture, ChosenLanguage(httpContext) ?? LanguageOf(culture));
        }
    }
}
