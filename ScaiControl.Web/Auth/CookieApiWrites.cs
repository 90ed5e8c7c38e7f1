using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace ScaiControl.Web.Auth;

/// <summary>
/// CSRF protection for the API: a write under /api (any method but GET, HEAD, OPTIONS, TRACE) authenticated by the
/// portal's session cookie is refused with 403 problem+json before it reaches the endpoint. A browser attaches the
/// cookie to a cross-site form post on its own; it never attaches a bearer token or an API key, so API writes take
/// those only. Cookie-authenticated reads stay (the portal's PDF and e-invoice downloads are GETs under /api/v1);
/// the portal and the template designer write through their Blazor circuit and the application services, never
/// through /api.
/// </summary>
public static class CookieApiWrites
{
    /// <summary>Adds the check; call after UseAuthentication.</summary>
    public static IApplicationBuilder UseCookieApiWriteRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/api")
            && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                 || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
            && await IsCookieAuthenticatedAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Forbidden",
                    Detail = "API writes need a bearer token or an API key; the portal's session cookie is accepted for reads only.",
                },
            });
            return;
        }

        await next(context);
    });

    /// <summary>Whether the request's identity came from a cookie handler (whatever the scheme is named).</summary>
    private static async Task<bool> IsCookieAuthenticatedAsync(HttpContext context)
    {
        var scheme = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Ticket?.AuthenticationScheme;
        if (scheme is null)
        {
            return false;
        }

        var registered = await context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(scheme);
        return registered is not null && typeof(CookieAuthenticationHandler).IsAssignableFrom(registered.HandlerType);
    }
}
