using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;

namespace ScaiControl.Web;

/// <summary>
/// HTTP hardening of the host (docs/deployment.md, "Behind a TLS proxy"): forwarded headers from known proxies only
/// (ForwardedHeaders:KnownProxies, ForwardedHeaders:KnownNetworks; loopback is always known), so the scheme and the
/// client address are the proxy's view; the session and antiforgery cookies Secure-only outside Development; HSTS
/// outside Development; and on every response X-Content-Type-Options, Referrer-Policy and a Content-Security-Policy
/// under which Blazor Server, MudBlazor and the GrapesJS template designer run (Security:ContentSecurityPolicy
/// replaces it). The allowed Host names are ASP.NET Core's AllowedHosts (localhost only by default outside
/// Development).
/// </summary>
public static class HostSecurity
{
    /// <summary>
    /// The default policy: everything from this origin; inline styles (MudBlazor's theme and component styles, GrapesJS,
    /// the template preview) and data:/blob: images and fonts; no plugins; framing by this origin only (the designer's
    /// canvas and the preview are frames of the page itself). With Auth:Authority set, form-action also allows the
    /// identity provider's origin (the sign-out form ends at its end-session endpoint).
    /// </summary>
    public const string DefaultContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    /// <summary>Registers forwarded-header, HSTS and cookie options.</summary>
    /// <exception cref="InvalidOperationException">An entry of ForwardedHeaders:KnownProxies or :KnownNetworks is not an IP address or CIDR range.</exception>
    public static void AddScaiHostSecurity(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("ForwardedHeaders");
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The Host header is not taken from a proxy (AllowedHosts checks the one the client sent through it).
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = section.GetValue("ForwardLimit", 1);
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var range) ? range
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR range such as 10.0.0.0/8."));
            }
        });
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(builder.Configuration.GetValue("Security:HstsMaxAgeDays", 365));
            o.IncludeSubDomains = builder.Configuration.GetValue("Security:HstsIncludeSubDomains", false);
        });

        if (!builder.Environment.IsDevelopment())
        {
            // Behind a TLS proxy the request is http on the wire; the cookies must never go out without Secure.
            builder.Services.PostConfigureAll<CookieAuthenticationOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
            builder.Services.PostConfigure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        }
    }

    /// <summary>Adds the middleware; call first in the pipeline.</summary>
    public static void UseScaiHostSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        var policy = app.Configuration["Security:ContentSecurityPolicy"] is { Length: > 0 } configured ? configured
            : app.Environment.IsDevelopment()
                ? DefaultContentSecurityPolicy.Replace("connect-src 'self'", "connect-src 'self' ws://localhost:* wss://localhost:*", StringComparison.Ordinal) // dotnet watch's browser refresh
                : DefaultContentSecurityPolicy;
        if (app.Configuration["Security:ContentSecurityPolicy"] is not { Length: > 0 }
            && Uri.TryCreate(app.Configuration["Auth:Authority"], UriKind.Absolute, out var authority))
        {
            // Sign-out posts a form that redirects to the provider's end-session endpoint: Chromium applies
            // form-action to that redirect, so the provider's origin is allowed as a form target.
            policy = policy.Replace("form-action 'self'", $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal);
        }

        app.Use((context, next) =>
        {
            // On starting: the exception handler and the status code pages clear or replace the response first.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers.ContentSecurityPolicy = policy;
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
