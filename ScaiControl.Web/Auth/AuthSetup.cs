using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Identity;

namespace ScaiControl.Web.Auth;

/// <summary>
/// Authentication and authorization: JWT bearer for the API (ScaiKey tokens via Authority/JWKS with
/// <see cref="SigningKeySource"/>, or the dev key), a cookie for the portal with the OpenID Connect sign-in at the
/// provider (<see cref="OidcSession"/>) when Auth:Authority and Auth:ClientId are set, a selector between them, and one named policy per "scope:action" permission with the
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
        builder.Services.AddScaiIdentitySignIn(builder.Configuration);
        var requireHttps = options.RequireHttpsMetadata ?? !builder.Environment.IsDevelopment();
        var providerKeys = devKey is null && (!string.IsNullOrEmpty(options.Authority) || !string.IsNullOrEmpty(options.JwksUrl));
        if (providerKeys)
        {
            builder.Services.AddSingleton(sp => new SigningKeySource(
                !string.IsNullOrEmpty(options.Authority) ? options.Authority.TrimEnd('/') + "/.well-known/openid-configuration" : options.JwksUrl!,
                discovery: !string.IsNullOrEmpty(options.Authority),
                new HttpDocumentRetriever { RequireHttps = requireHttps },
                sp.GetRequiredService<Infrastructure.Distributed.ISharedCache>(),
                sp.GetRequiredService<TimeProvider>(),
                options.KeyCacheLifetime,
                options.KeyRefetchInterval,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<SigningKeySource>()));
        }

        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, bearer or cookie", o => o.ForwardDefaultSelector = ctx =>
                ApiKeyAuthenticationHandler.Presents(ctx.Request) ? ApiKeyAuthenticationHandler.SchemeName
                : ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.IncludeErrorDetails = false; // 401 says nothing about why (no error_description in WWW-Authenticate)
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    // With discovery, the provider's own issuer (added per request by the handler) is the only one.
                    ValidIssuer = devKey is not null || string.IsNullOrEmpty(options.Authority) ? options.Issuer : null,
                    ValidateIssuer = true,
                    ValidAudience = options.Audience,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidAlgorithms = AllowedAlgorithms,
                    NameClaimType = ScaiClaims.Name,
                    RoleClaimType = ScaiClaims.Roles,
                    ClockSkew = options.ClockSkew,
                };
                o.Events = new JwtBearerEvents();
                if (devKey is not null)
                {
                    o.TokenValidationParameters.IssuerSigningKey = devKey.Key;
                }
                else if (!providerKeys)
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
                o.ExpireTimeSpan = options.SessionLifetime;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ChallengeAsync(ctx, options, builder.Environment);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
                if (options.PortalOidc)
                {
                    o.Events.OnValidatePrincipal = ctx => ctx.HttpContext.RequestServices.GetRequiredService<OidcSession>().OnValidatePrincipalAsync(ctx);
                }
            });

        if (providerKeys)
        {
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<SigningKeySource>((o, keys) =>
            {
                o.ConfigurationManager = keys;
                o.Events.OnMessageReceived = ctx =>
                {
                    var header = ctx.Request.Headers.Authorization.ToString();
                    return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? keys.EnsureKeyAsync(header["Bearer ".Length..].Trim(), ctx.HttpContext.RequestAborted) : Task.CompletedTask;
                };
                o.Events.OnTokenValidated = ctx =>
                {
                    ctx.Principal = ScaiClaims.Normalise(ctx.Principal!, options.Claims);
                    return Task.CompletedTask;
                };
            });
        }

        if (options.PortalOidc && devKey is null)
        {
            builder.Services.AddSingleton<OidcSession>();
            authentication.AddOpenIdConnect(OidcSession.Scheme, "ScaiKey", o =>
            {
                o.Authority = options.Authority;
                o.ClientId = options.ClientId;
                // With a vault path the secret is read at each use (events below), never kept in the options.
                o.ClientSecret = string.IsNullOrWhiteSpace(options.ClientSecretVaultPath) ? options.ClientSecret : null;
                o.RequireHttpsMetadata = requireHttps;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.SignedOutRedirectUri = "/sign-in?signed-out=1";
                o.Scope.Clear();
                foreach (var scope in options.RequestScopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    o.Scope.Add(scope);
                }

                o.ClaimActions.MapUniqueJsonKey(options.Claims.PartnerId, options.Claims.PartnerId);
                o.ClaimActions.MapUniqueJsonKey(options.Claims.TenantId, options.Claims.TenantId);
                o.ClaimActions.MapJsonKey(options.Claims.Roles, options.Claims.Roles);
                o.ClaimActions.MapJsonKey(options.Claims.Scopes, options.Claims.Scopes);
                o.TokenValidationParameters.NameClaimType = ScaiClaims.Name;
                o.TokenValidationParameters.RoleClaimType = ScaiClaims.Roles;
                o.TokenValidationParameters.ValidAlgorithms = AllowedAlgorithms;
                o.TokenValidationParameters.ClockSkew = options.ClockSkew;

                // Correlation and nonce cookies: Lax works for the provider's top-level redirect back (query response
                // mode); Secure follows the request, so behind TLS they are Secure.
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnAuthorizationCodeReceived = async ctx =>
                {
                    if (ctx.TokenEndpointRequest is not null && await ctx.HttpContext.RequestServices.GetRequiredService<OidcSession>().ClientSecretAsync(ctx.HttpContext.RequestAborted) is { Length: > 0 } secret)
                    {
                        ctx.TokenEndpointRequest.ClientSecret = secret;
                    }
                };
                o.Events.OnPushAuthorization = async ctx =>
                {
                    // A pushed authorization request (RFC 9126) authenticates the client too: the vault's secret
                    // (the handler itself adds Options.ClientSecret when that is set).
                    if (!string.IsNullOrWhiteSpace(options.ClientSecretVaultPath) && await ctx.HttpContext.RequestServices.GetRequiredService<OidcSession>().ClientSecretAsync(ctx.HttpContext.RequestAborted) is { Length: > 0 } secret)
                    {
                        ctx.ProtocolMessage.ClientSecret = secret;
                    }
                };
                o.Events.OnTicketReceived = ctx => ctx.HttpContext.RequestServices.GetRequiredService<OidcSession>().OnTicketReceivedAsync(ctx);
                o.Events.OnRemoteFailure = ctx =>
                {
                    // A tampered or replayed callback (state, nonce, code), or the user cancelled at the provider.
                    ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ScaiControl.Web.Auth").LogWarning("OpenID Connect sign-in failed: {Reason}", ctx.Failure?.Message);
                    ctx.Response.Redirect("/sign-in?error=provider");
                    ctx.HandleResponse();
                    // Audited by kind only: the failure's message may quote the callback's parameters.
                    return ctx.HttpContext.RequestServices.GetRequiredService<IdentitySignInService>().AuditAsync(IdentitySignInService.SignInFailedAction, Infrastructure.Tenancy.Actor.Anonymous.UserId, null, null, null,
                        new { method = "oidc", reason = "remote_failure", failure = ctx.Failure?.GetType().Name, ip = ctx.HttpContext.Connection.RemoteIpAddress?.ToString() }, ctx.HttpContext.RequestAborted);
                };
            });

            // The ISharedCache-backed discovery for the portal's handler too (same documents as the API's).
            builder.Services.AddOptions<OpenIdConnectOptions>(OidcSession.Scheme).Configure<SigningKeySource>((o, keys) =>
            {
                o.ConfigurationManager = keys;
                // An id_token signed by a key rotated in since the last fetch: refetch (throttled) before validating it.
                o.Events.OnTokenResponseReceived = ctx => keys.EnsureKeyAsync(ctx.TokenEndpointResponse.IdToken, ctx.HttpContext.RequestAborted);
            });
        }

        builder.Services.AddAuthorization(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(ctx => ctx.User.ToActor().Can(permission)));
            }

            o.AddPolicy(ChangePlanPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(ctx => Infrastructure.Subscriptions.PlanChangeService.CanChangePlan(ctx.User.ToActor())));
        });
        builder.Services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, EffectivePermissionClaims>();
        builder.Services.AddCascadingAuthenticationState();
        return devKey;
    }

    /// <summary>The plan-change endpoint's policy: subscriptions:write, or scaicontrol:admin (plan-change service tokens).</summary>
    public const string ChangePlanPolicy = "subscriptions:change-plan";

    /// <summary>The signature algorithms accepted on tokens: RS256, PS256, ES256 (never none or an HMAC).</summary>
    public static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>
    /// An unauthenticated request: 401 under /api; outside Development with the provider configured, straight to the
    /// provider's sign-in (the return URL is the request's own local path); else the sign-in page.
    /// </summary>
    private static Task ChallengeAsync(RedirectContext<CookieAuthenticationOptions> ctx, AuthOptions options, IHostEnvironment environment)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        if (options.PortalOidc && !environment.IsDevelopment())
        {
            var returnUrl = SignInEndpoints.LocalOrRoot(ctx.Request.PathBase + ctx.Request.Path + ctx.Request.QueryString);
            return OidcSession.ChallengeAsync(ctx.HttpContext, returnUrl);
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
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
}
