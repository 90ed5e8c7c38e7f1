using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// Portal sign-in and sign-out. With Auth:Authority and Auth:ClientId, GET /auth/sign-in?returnUrl= starts the
/// provider's sign-in and POST /auth/sign-out (antiforgery token required) ends the session here and at the provider.
/// Sign-ins, sign-outs and failed sign-ins are audited (<see cref="IdentitySignInService.AuditAsync"/>). The development sign-in (POST /auth/dev-sign-in, and the dev key's JWKS at
/// /.well-known/jwks.json) is mapped only when <see cref="DevSignIn.IsEnabled"/>: in any other environment those
/// routes do not exist (404).
/// </summary>
public static class SignInEndpoints
{
    /// <summary>Maps the sign-in routes.</summary>
    public static void MapSignInEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<AuthOptions>();
        if (options.PortalOidc && !DevSignIn.IsEnabled(app.Environment, app.Configuration))
        {
            // The provider's sign-in (authorization code + PKCE, state and nonce): back to a local path only.
            app.MapGet("/auth/sign-in", (string? returnUrl, HttpContext http) => OidcSession.ChallengeAsync(http, LocalOrRoot(returnUrl))).ExcludeFromDescription();
        }

        app.MapPost("/auth/sign-out", async (HttpContext http, IAntiforgery antiforgery, IdentitySignInService identities) =>
        {
            // The layout's form carries an antiforgery token: a cross-site form cannot sign a user out.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form is missing a valid antiforgery token.");
            }

            var session = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (session.Principal?.FindFirst(ScaiClaims.Subject)?.Value is { Length: > 0 } sub)
            {
                await identities.AuditAsync(IdentitySignInService.SignOutAction, sub, session.Principal.FindFirst(ScaiClaims.PartnerId)?.Value,
                    session.Principal.FindFirst(ScaiClaims.TenantId)?.Value, sub, new { ip = http.Connection.RemoteIpAddress?.ToString() }, http.RequestAborted);
            }

            if (options.PortalOidc && session.Properties?.GetTokenValue("id_token") is not null)
            {
                // Signs out at the provider too (its end_session_endpoint with id_token_hint), then back to /sign-in.
                return Results.SignOut(new AuthenticationProperties { RedirectUri = "/sign-in?signed-out=1" }, [OidcSession.Scheme, CookieAuthenticationDefaults.AuthenticationScheme]);
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/sign-in");
        }).ExcludeFromDescription();

        if (!DevSignIn.IsEnabled(app.Environment, app.Configuration))
        {
            return;
        }

        app.MapPost("/auth/dev-sign-in", async ([FromForm] string email, [FromForm] string? returnUrl, HttpContext http, TenancyService tenancy, IdentitySignInService identities, CancellationToken ct) =>
        {
            var user = await tenancy.FindUserAsync(email, ct);
            var ip = http.Connection.RemoteIpAddress?.ToString();
            if (user is null)
            {
                await identities.AuditAsync(IdentitySignInService.SignInFailedAction, Actor.Anonymous.UserId, null, null, null, new { method = "dev", reason = "unknown_user", email, ip }, ct);
                return Results.LocalRedirect("/sign-in?error=unknown-user");
            }

            if (!await identities.LocalSignInAsync(user.Id, ct))
            {
                await identities.AuditAsync(IdentitySignInService.SignInFailedAction, user.Id, user.PartnerId, user.TenantId, user.Id, new { method = "dev", reason = "deactivated", ip }, ct);
                return Results.LocalRedirect("/sign-in?error=deactivated");
            }

            await identities.AuditAsync(IdentitySignInService.SignInAction, user.Id, user.PartnerId, user.TenantId, user.Id, new { method = "dev", ip }, ct);

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

    /// <summary>
    /// <paramref name="url"/> when it is a local path ("/x", not "//host", "/\host" or anything with a scheme or
    /// control characters), else "/". Keeps every sign-in and sign-out redirect on this site.
    /// </summary>
    public static string LocalOrRoot(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/' || url.Any(char.IsControl))
        {
            return "/";
        }

        return url.Length > 1 && (url[1] == '/' || url[1] == '\\') ? "/" : url;
    }
}
