using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Secrets;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The portal's session with the identity provider: builds the cookie identity after the OpenID Connect sign-in
/// (rights from ScaiKey's /auth/me through <see cref="IdentitySignInService"/>), and refreshes the access token with
/// the refresh token before it expires (Auth:RefreshBeforeExpiry), fetching /auth/me again each time. A refresh the
/// provider refuses ends the session.
/// </summary>
public sealed class OidcSession(AuthOptions options, IdentitySignInService identities, TenancyService tenancy, ISecretStore secrets,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions, TimeProvider clock, ILogger<OidcSession> logger)
{
    /// <summary>The OpenID Connect scheme's name.</summary>
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    // Two requests of one browser may find the same token near expiry at once: they share one refresh, so a
    // provider that rotates refresh tokens never sees the old one twice (which it would treat as a replay).
    private static readonly ConcurrentDictionary<string, Lazy<Task<Refreshed?>>> InFlight = new(StringComparer.Ordinal);

    /// <summary>The client secret: Auth:ClientSecretVaultPath through the secret store (read at use time), else Auth:ClientSecret.</summary>
    public async Task<string?> ClientSecretAsync(CancellationToken ct) =>
        !string.IsNullOrWhiteSpace(options.ClientSecretVaultPath) ? await secrets.ReadAsync(options.ClientSecretVaultPath, ct) : options.ClientSecret;

    /// <summary>
    /// After the provider's callback: replaces the ticket's principal with the session identity and audits the sign-in;
    /// a token ScaiKey refuses or a deactivated user ends on /sign-in with a message (audited as a failed sign-in).
    /// </summary>
    public async Task OnTicketReceivedAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        var ip = http.Connection.RemoteIpAddress?.ToString();
        TokenIdentity? token = null;
        try
        {
            var principal = ScaiClaims.Normalise(context.Principal!, options.Claims);
            token = principal.ToTokenIdentity();
            var session = await identities.SignInAsync(token, context.Properties?.GetTokenValue(OpenIdConnectParameterNames.AccessToken), http.RequestAborted);
            context.Principal = await PrincipalAsync(session, http.RequestAborted);
            await identities.AuditAsync(IdentitySignInService.SignInAction, session.UserId, session.PartnerId, session.TenantId, session.UserId,
                new { method = "oidc", rights = session.Source.ToString(), ip }, http.RequestAborted);
        }
        catch (IdentityRejectedException e)
        {
            logger.LogWarning("Sign-in refused: {Reason}", e.Message);
            await identities.AuditAsync(IdentitySignInService.SignInFailedAction, Actor.Anonymous.UserId, token?.PartnerId, token?.TenantId, null,
                new { method = "oidc", reason = "rejected_by_scaikey", subject = token?.Subject, ip }, http.RequestAborted);
            context.Response.Redirect("/sign-in?error=provider");
            context.HandleResponse();
        }
        catch (IdentityDeactivatedException e)
        {
            logger.LogWarning("Sign-in refused: user {User} is deactivated", e.UserId);
            await identities.AuditAsync(IdentitySignInService.SignInFailedAction, e.UserId, token?.PartnerId, token?.TenantId, e.UserId,
                new { method = "oidc", reason = "deactivated", ip }, http.RequestAborted);
            context.Response.Redirect("/sign-in?error=deactivated");
            context.HandleResponse();
        }
    }

    /// <summary>
    /// Challenges the provider's sign-in (<paramref name="returnUrl"/> a local path). When the provider cannot be reached
    /// (discovery, keys or the pushed authorization request fail), the browser goes to /sign-in with the
    /// "identity provider can't be reached" message instead of a 500.
    /// </summary>
    public static async Task ChallengeAsync(HttpContext http, string returnUrl)
    {
        try
        {
            await http.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = returnUrl });
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted
            && e is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException or Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectProtocolException)
        {
            http.RequestServices.GetRequiredService<ILogger<OidcSession>>().LogError(e, "The identity provider {Authority} cannot be reached", http.RequestServices.GetRequiredService<AuthOptions>().Authority);
            http.Response.Clear();
            http.Response.Redirect("/sign-in?error=unreachable&returnUrl=" + Uri.EscapeDataString(returnUrl));
        }
    }

    /// <summary>
    /// On every request with a session cookie: when the access token expires within Auth:RefreshBeforeExpiry,
    /// redeems the refresh token, stores the new tokens in the cookie and takes the identity again (/auth/me).
    /// Without a refresh token the session lasts until its access token has expired.
    /// </summary>
    public async Task OnValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var properties = context.Properties;
        if (properties.GetTokenValue(OpenIdConnectParameterNames.IdToken) is null
            || !DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            return; // A development sign-in: nothing to refresh.
        }

        var now = clock.GetUtcNow();
        if (expiresAt - now > options.RefreshBeforeExpiry)
        {
            return;
        }

        var refreshToken = properties.GetTokenValue(OpenIdConnectParameterNames.RefreshToken);
        Refreshed? refreshed = null;
        if (!string.IsNullOrEmpty(refreshToken))
        {
            var work = InFlight.GetOrAdd(refreshToken, t => new Lazy<Task<Refreshed?>>(() => RefreshAsync(t, context.Principal!, CancellationToken.None)));
            try
            {
                refreshed = await work.Value;
            }
            finally
            {
                // Keep the result a moment for requests that read the same cookie; then forget it.
                _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => InFlight.TryRemove(refreshToken, out var __), TaskScheduler.Default);
            }
        }

        if (refreshed is null)
        {
            if (expiresAt <= now)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }

            return;
        }

        properties.UpdateTokenValue(OpenIdConnectParameterNames.AccessToken, refreshed.AccessToken);
        properties.UpdateTokenValue("expires_at", refreshed.ExpiresAt.ToString("o", CultureInfo.InvariantCulture));
        if (refreshed.RefreshToken is not null)
        {
            properties.UpdateTokenValue(OpenIdConnectParameterNames.RefreshToken, refreshed.RefreshToken);
        }

        if (refreshed.IdToken is not null)
        {
            properties.UpdateTokenValue(OpenIdConnectParameterNames.IdToken, refreshed.IdToken);
        }

        context.ReplacePrincipal(refreshed.Principal);
        context.ShouldRenew = true;
    }

    private async Task<Refreshed?> RefreshAsync(string refreshToken, ClaimsPrincipal current, CancellationToken ct)
    {
        try
        {
            var oidc = oidcOptions.Get(Scheme);
            var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(ct);
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = options.ClientId!,
            };
            if (await ClientSecretAsync(ct) is { Length: > 0 } secret)
            {
                form["client_secret"] = secret;
            }

            using var response = await oidc.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(form), ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogInformation("The identity provider refused the refresh token ({Status}): the session ends", (int)response.StatusCode);
                return null;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = body.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var accessToken = Text("access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                return null;
            }

            var expiresIn = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 300;
            var idToken = Text("id_token");

            // Who the token is for: the refreshed id_token (received straight from the token endpoint over the
            // provider's TLS, OIDC Core 3.1.3.7), else the session's own subject. Its roles decide nothing while
            // /auth/me answers (IdentitySignInService).
            var token = idToken is not null
                ? ScaiClaims.Normalise(new ClaimsPrincipal(new ClaimsIdentity(new JsonWebToken(idToken).Claims, Scheme)), options.Claims).ToTokenIdentity()
                : new TokenIdentity(current.FindFirst(ScaiClaims.ProviderSubject)?.Value ?? current.FindFirst(ScaiClaims.Subject)?.Value ?? string.Empty,
                    current.FindFirst(ScaiClaims.Email)?.Value, current.FindFirst(ScaiClaims.Name)?.Value, null, null, [], []);
            if (token.Email is null)
            {
                token = token with { Email = current.FindFirst(ScaiClaims.Email)?.Value };
            }

            var session = await identities.SignInAsync(token, accessToken, ct);
            return new Refreshed(accessToken, Text("refresh_token"), idToken, clock.GetUtcNow().AddSeconds(expiresIn), await PrincipalAsync(session, ct));
        }
        catch (IdentityRejectedException e)
        {
            logger.LogInformation("ScaiKey refused the refreshed token ({Reason}): the session ends", e.Message);
            return null;
        }
        catch (IdentityDeactivatedException e)
        {
            logger.LogInformation("User {User} is deactivated: the session is not refreshed", e.UserId);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or ArgumentException or TaskCanceledException)
        {
            logger.LogWarning(e, "Could not refresh the access token");
            return null;
        }
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(SessionIdentity session, CancellationToken ct)
    {
        string? organisation = null, country = null;
        if (await tenancy.FindUserAsync(session.Email, ct) is { } user)
        {
            (organisation, country) = await tenancy.SignInProfileAsync(user, ct);
        }

        var (locale, zone) = Localization.PortalCulture.ForCountry(country);
        return new ClaimsPrincipal(new ClaimsIdentity(ScaiClaims.For(session, organisation, locale, zone), Scheme, ScaiClaims.Name, ScaiClaims.Roles));
    }

    private sealed record Refreshed(string AccessToken, string? RefreshToken, string? IdToken, DateTimeOffset ExpiresAt, ClaimsPrincipal Principal);
}
