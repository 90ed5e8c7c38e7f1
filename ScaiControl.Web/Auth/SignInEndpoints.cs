using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// Portal sign-in and sign-out. The development sign-in (POST /auth/dev-sign-in, and the dev key's JWKS at
/// /.well-known/jwks.json) is mapped only when <see cref="DevSignIn.IsEnabled"/>: in any other environment those
/// routes do not exist (404).
/// </summary>
public static class SignInEndpoints
{
    /// <summary>Maps the sign-in routes.</summary>
    public static void MapSignInEndpoints(this WebApplication app)
    {
        app.MapPost("/auth/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/sign-in");
        }).ExcludeFromDescription();

        if (!DevSignIn.IsEnabled(app.Environment, app.Configuration))
        {
            return;
        }

        app.MapPost("/auth/dev-sign-in", async ([FromForm] string email, [FromForm] string? returnUrl, HttpContext http, TenancyService tenancy, CancellationToken ct) =>
        {
            var user = await tenancy.FindUserAsync(email, ct);
            if (user is null)
            {
                return Results.LocalRedirect("/sign-in?error=unknown-user");
            }

            var (organisation, country) = await tenancy.SignInProfileAsync(user, ct);
            var (locale, zone) = Localization.PortalCulture.ForCountry(country);
            var identity = new ClaimsIdentity(ScaiClaims.For(user, organisation, locale, zone), CookieAuthenticationDefaults.AuthenticationScheme, ScaiClaims.Name, ScaiClaims.Roles);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(ReturnUrls.LocalOrHome(returnUrl));
        }).ExcludeFromDescription();

        app.MapGet("/.well-known/jwks.json", (DevSigningKey key) =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(key.Key);
            return TypedResults.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        }).ExcludeFromDescription();
    }
}
