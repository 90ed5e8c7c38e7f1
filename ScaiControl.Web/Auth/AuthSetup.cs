using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// Authentication and authorization: JWT bearer for the API (ScaiKey tokens via Authority/JWKS, or the dev key),
/// a cookie for the portal, a selector between them, and one named policy per "scope:action" permission with the
/// super_admin bypass (spec 001: require_permission("scope:action")).
/// </summary>
public static class AuthSetup
{
    /// <summary>The scheme that picks bearer or cookie per request.</summary>
    public const string Scheme = "scai";

    /// <summary>Registers schemes and policies. Returns the dev key when the development sign-in is on, else null.</summary>
    public static DevSigningKey? AddScaiAuth(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        var devKey = DevSignIn.IsEnabled(builder.Environment, builder.Configuration) ? DevSigningKey.LoadOrCreate(options.KeyPath(builder.Configuration)) : null;
        if (devKey is not null)
        {
            builder.Services.AddSingleton(devKey);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, bearer or cookie", o => o.ForwardDefaultSelector = ctx =>
                ApiKeyAuthenticationHandler.Presents(ctx.Request) ? ApiKeyAuthenticationHandler.SchemeName
                : ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    NameClaimType = ScaiClaims.Name,
                    RoleClaimType = ScaiClaims.Roles,
                    ClockSkew = TimeSpan.FromMinutes(1),
                };
                if (devKey is not null)
                {
                    o.TokenValidationParameters.IssuerSigningKey = devKey.Key;
                }
                else if (!string.IsNullOrEmpty(options.Authority))
                {
                    o.Authority = options.Authority;
                    o.RequireHttpsMetadata = options.RequireHttpsMetadata ?? !builder.Environment.IsDevelopment();
                }
                else if (!string.IsNullOrEmpty(options.JwksUrl))
                {
                    o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                        options.JwksUrl, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = options.RequireHttpsMetadata ?? !builder.Environment.IsDevelopment() });
                }
                else
                {
                    // No key source configured: every token is refused (fail closed).
                    o.TokenValidationParameters.IssuerSigningKeys = [];
                }
            })
            .AddCookie(o =>
            {
                o.LoginPath = "/sign-in";
                o.AccessDeniedPath = "/forbidden";
                o.Cookie.Name = "scai.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
            });

        if (devKey is null && (!string.IsNullOrEmpty(options.Authority) || !string.IsNullOrEmpty(options.JwksUrl)))
        {
            // The discovery and JWKS documents go through the shared cache (one fetch for all nodes with Redis).
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<Infrastructure.Distributed.ISharedCache>((o, cache) =>
            {
                var documents = new SharedDocumentRetriever(new HttpDocumentRetriever { RequireHttps = options.RequireHttpsMetadata ?? !builder.Environment.IsDevelopment() }, cache);
                o.ConfigurationManager = !string.IsNullOrEmpty(options.Authority)
                    ? new ConfigurationManager<OpenIdConnectConfiguration>(options.Authority.TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), documents)
                    : new ConfigurationManager<OpenIdConnectConfiguration>(options.JwksUrl, new JwksRetriever(), documents);
            });
        }

        builder.Services.AddAuthorization(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(ctx => ctx.User.ToActor().Can(permission)));
            }
        });
        builder.Services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, EffectivePermissionClaims>();
        builder.Services.AddCascadingAuthenticationState();
        return devKey;
    }

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
        }
        else
        {
            ctx.Response.Redirect(ctx.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Documents (OIDC discovery, JWKS) through <see cref="Infrastructure.Distributed.ISharedCache"/> for 5 minutes: every
    /// node reads what one fetched; a key rotation at the identity provider shows within that time.
    /// </summary>
    private sealed class SharedDocumentRetriever(IDocumentRetriever inner, Infrastructure.Distributed.ISharedCache cache) : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
            cache.GetOrCreateAsync("jwks:" + address, c => inner.GetDocumentAsync(address, c), TimeSpan.FromMinutes(5), ct: cancel);
    }

    /// <summary>Reads a bare JWKS document into an OIDC configuration (only its signing keys are used).</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var jwks = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in jwks.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
