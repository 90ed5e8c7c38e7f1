using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>
/// An identity as a token (id_token, userinfo or access token) states it, with the claims already mapped to
/// ScaiControl's names (partner_id, tenant_id, roles, scope). Never authoritative for rights: see
/// <see cref="IdentitySignInService"/>.
/// </summary>
/// <param name="Subject">The token's "sub" at the identity provider.</param>
/// <param name="Email">The "email" claim, when present.</param>
/// <param name="Name">The "name" claim, when present.</param>
/// <param name="PartnerId">The partner claim.</param>
/// <param name="TenantId">The tenant claim; null for partner-level and operator users.</param>
/// <param name="Roles">The role names the token carries.</param>
/// <param name="Scopes">The "scope:action" permissions the token carries.</param>
public sealed record TokenIdentity(string Subject, string? Email, string? Name, string? PartnerId, string? TenantId, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

/// <summary>
/// The canonical identity and permission set from ScaiKey's /auth/me (contract: docs/identity.md, "/auth/me").
/// </summary>
/// <param name="Subject">"sub".</param>
/// <param name="Email">"email".</param>
/// <param name="Name">"name".</param>
/// <param name="PartnerId">"partner_id".</param>
/// <param name="TenantId">"tenant_id" (null for partner-level and operator users).</param>
/// <param name="Roles">"roles": the user's role names, directly or through groups.</param>
/// <param name="Scopes">"scopes": the effective "scope:action" permissions.</param>
public sealed record CanonicalIdentity(string Subject, string Email, string Name, string? PartnerId, string? TenantId, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

/// <summary>Where the rights of a <see cref="SessionIdentity"/> came from.</summary>
public enum IdentitySource
{
    /// <summary>ScaiKey's /auth/me answered: canonical.</summary>
    AuthMe,

    /// <summary>/auth/me could not answer: the rights stored on the local users row are kept (never the token's).</summary>
    Stored,

    /// <summary>No /auth/me is configured (a generic OIDC provider), or nothing is stored yet: the token's claims.</summary>
    Token,
}

/// <summary>What a portal session carries after a sign-in or a token refresh.</summary>
/// <param name="UserId">The local users row's id when there is one, else the provider's sub.</param>
/// <param name="Subject">The provider's sub.</param>
/// <param name="Email">E-mail.</param>
/// <param name="Name">Display name.</param>
/// <param name="PartnerId">Partner.</param>
/// <param name="TenantId">Tenant (null for partner-level and operator users).</param>
/// <param name="Roles">Role names.</param>
/// <param name="Scopes">Effective permissions: the given scopes and those of the roles (<see cref="Domain.Tenancy.Roles.ScopesOf"/>).</param>
/// <param name="Source">Where the rights came from.</param>
public sealed record SessionIdentity(string UserId, string Subject, string Email, string Name, string? PartnerId, string? TenantId, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, IdentitySource Source);

/// <summary>/auth/me refused the access token (401/403): the session must end.</summary>
public sealed class IdentityRejectedException(string message) : Exception(message);

/// <summary>The local users row of the identity is deactivated: no sign-in, and a session ends at its next refresh.</summary>
/// <param name="userId">The local user's id.</param>
public sealed class IdentityDeactivatedException(string userId) : Exception($"User {userId} is deactivated.")
{
    /// <summary>The local user's id.</summary>
    public string UserId { get; } = userId;
}

/// <summary>/auth/me could not be reached or answered something unusable (timeout, 5xx, bad JSON).</summary>
public sealed class IdentityUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Auth:MeEndpoint and its timeout.</summary>
public sealed class IdentityOptions
{
    /// <summary>ScaiKey's /auth/me URL (absolute); null when the provider has none (a generic OIDC provider).</summary>
    public string? MeEndpoint { get; set; }

    /// <summary>How long a /auth/me call may take (default 10 s).</summary>
    public TimeSpan MeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Reads the canonical identity for an access token.</summary>
public interface IScaiKeyMeClient
{
    /// <summary>True when an endpoint is configured.</summary>
    bool IsConfigured { get; }

    /// <summary>GET /auth/me with the user's access token.</summary>
    /// <exception cref="IdentityRejectedException">401 or 403.</exception>
    /// <exception cref="IdentityUnavailableException">Unreachable, timed out, another status, or a body that breaks the contract.</exception>
    Task<CanonicalIdentity> GetAsync(string accessToken, CancellationToken ct = default);
}

/// <summary>The HTTP client of ScaiKey's /auth/me (named client "scaikey-me").</summary>
public sealed class ScaiKeyMeClient(IHttpClientFactory http, IdentityOptions options) : IScaiKeyMeClient
{
    /// <summary>The named HttpClient.</summary>
    public const string HttpClientName = "scaikey-me";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <inheritdoc/>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.MeEndpoint);

    /// <inheritdoc/>
    public async Task<CanonicalIdentity> GetAsync(string accessToken, CancellationToken ct = default)
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException("Auth:MeEndpoint is not configured.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.MeTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, options.MeEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new IdentityUnavailableException("ScaiKey's /auth/me did not answer.", e);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new IdentityRejectedException($"ScaiKey's /auth/me refused the access token ({(int)response.StatusCode}).");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new IdentityUnavailableException($"ScaiKey's /auth/me answered {(int)response.StatusCode}.");
            }

            MeBody? body;
            try
            {
                body = await response.Content.ReadFromJsonAsync<MeBody>(Json, timeout.Token);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new IdentityUnavailableException("ScaiKey's /auth/me answered a body that is not the documented JSON.", e);
            }

            if (body is not { Sub.Length: > 0, Email.Length: > 0 } || body.Roles is null)
            {
                throw new IdentityUnavailableException("ScaiKey's /auth/me answered without sub, email or roles.");
            }

            return new CanonicalIdentity(body.Sub, body.Email, string.IsNullOrWhiteSpace(body.Name) ? body.Email : body.Name, Empty(body.PartnerId), Empty(body.TenantId),
                body.Roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.Ordinal).ToArray(),
                (body.Scopes ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).ToArray());
        }
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private sealed class MeBody
    {
        public string? Sub { get; set; }

        public string? Email { get; set; }

        public string? Name { get; set; }

        [JsonPropertyName("partner_id")]
        public string? PartnerId { get; set; }

        [JsonPropertyName("tenant_id")]
        public string? TenantId { get; set; }

        public List<string>? Roles { get; set; }

        public List<string>? Scopes { get; set; }
    }
}

/// <summary>
/// Runs on every portal sign-in and every token refresh: fetches the canonical identity from ScaiKey's /auth/me,
/// updates (or creates) the local users row (matched by ScaiKey subject, then id, then e-mail), records the sign-in
/// time, and says what the session carries. A stale or partial token never lowers a user's rights (spec 002,
/// migration 013, the "super-admin downgrade after JWT refresh" incident): the rights come from /auth/me; when it
/// cannot answer, from the stored row; the token's roles only when no /auth/me is configured or nothing is stored yet.
/// A deactivated local user is refused (<see cref="IdentityDeactivatedException"/>). Also writes the sign-in audit rows
/// (<see cref="SignInAction"/>, <see cref="SignOutAction"/>, <see cref="SignInFailedAction"/>; never a token or secret).
/// </summary>
public sealed class IdentitySignInService(ScaiDbFactory factory, IScaiKeyMeClient me, EffectivePermissionService permissions, TimeProvider clock, ILogger<IdentitySignInService> logger)
{
    /// <summary>Audit action of a successful portal sign-in (OIDC or development).</summary>
    public const string SignInAction = "sign_in";

    /// <summary>Audit action of a portal sign-out.</summary>
    public const string SignOutAction = "sign_out";

    /// <summary>Audit action of a refused or failed sign-in (unknown user, deactivated, provider failure, forged callback).</summary>
    public const string SignInFailedAction = "sign_in_failed";

    /// <summary>The audit rows' entity type for sign-ins.</summary>
    public const string AuditEntity = "User";

    /// <summary>Resolves the session identity for <paramref name="token"/> (and its <paramref name="accessToken"/> for /auth/me).</summary>
    /// <exception cref="IdentityRejectedException">/auth/me refused the access token.</exception>
    /// <exception cref="IdentityDeactivatedException">The local user is deactivated.</exception>
    public async Task<SessionIdentity> SignInAsync(TokenIdentity token, string? accessToken, CancellationToken ct = default)
    {
        CanonicalIdentity? canonical = null;
        var meFailed = false;
        if (me.IsConfigured)
        {
            if (string.IsNullOrEmpty(accessToken))
            {
                meFailed = true;
            }
            else
            {
                try
                {
                    canonical = await me.GetAsync(accessToken, ct);
                }
                catch (IdentityUnavailableException e)
                {
                    logger.LogWarning("ScaiKey /auth/me unavailable for {Subject}: {Reason}; keeping the stored rights", token.Subject, e.Message);
                    meFailed = true;
                }
            }
        }

        await using var db = await factory.ForSystemAsync("identity-sign-in", ct);
        var email = (canonical?.Email ?? token.Email)?.Trim().ToLowerInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.ExternalId == token.Subject, ct)
            ?? await db.Users.SingleOrDefaultAsync(u => u.Id == token.Subject, ct);
        if (user is null && email is { Length: > 0 })
        {
            // A row of the same person not yet linked to ScaiKey is adopted (its id kept); one linked to another
            // ScaiKey identity is not (as the identity sync does).
            var sameEmail = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
            user = sameEmail is not null && (sameEmail.ExternalId is null || sameEmail.ExternalId == token.Subject) ? sameEmail : null;
        }

        if (user is { IsActive: false })
        {
            throw new IdentityDeactivatedException(user.Id);
        }

        try
        {
            if (canonical is not null)
            {
                var stored = await UpsertAsync(db, user, token.Subject, canonical.Email, canonical.Name, canonical.PartnerId, canonical.TenantId, canonical.Roles, ct);
                return Session(stored?.Id ?? token.Subject, token.Subject, canonical.Email, canonical.Name, canonical.PartnerId, canonical.TenantId, canonical.Roles, canonical.Scopes, IdentitySource.AuthMe);
            }

            if (meFailed && user is not null)
            {
                // The incident's fix: a refreshed token with fewer roles changes nothing while ScaiKey cannot confirm it.
                await RecordSignInAsync(db, user, ct);
                return Session(user.Id, token.Subject, user.Email, user.DisplayName, user.PartnerId, user.TenantId, user.RoleList, [], IdentitySource.Stored);
            }

            var name = string.IsNullOrWhiteSpace(token.Name) ? email ?? token.Subject : token.Name;
            if (!meFailed && email is { Length: > 0 })
            {
                // No /auth/me (a generic OIDC provider): the token is the only source there is.
                user = await UpsertAsync(db, user, token.Subject, email, name, token.PartnerId, token.TenantId, token.Roles, ct) ?? user;
            }

            return Session(user?.Id ?? token.Subject, token.Subject, email ?? string.Empty, name, token.PartnerId, token.TenantId, token.Roles, token.Scopes, IdentitySource.Token);
        }
        finally
        {
            // The users row may have changed (roles, tenancy, a new row): every node reads the local grants again.
            await permissions.InvalidateUserAsync(token.Subject, ct);
            if (user is not null && user.Id != token.Subject)
            {
                await permissions.InvalidateUserAsync(user.Id, ct);
            }
        }
    }

    /// <summary>
    /// A development sign-in of local user <paramref name="userId"/>: records the sign-in time and drops its cached
    /// grants. Returns false (and changes nothing) when the user does not exist or is deactivated.
    /// </summary>
    public async Task<bool> LocalSignInAsync(string userId, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("system:identity-sign-in");
        var updated = await db.Users.IgnoreQueryFilters().Where(u => u.Id == userId && u.Status == UserStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSignInAt, clock.GetUtcNow()), ct);
        await permissions.InvalidateUserAsync(userId, ct);
        return updated == 1;
    }

    /// <summary>
    /// Writes one sign-in audit row: <paramref name="action"/> (<see cref="SignInAction"/>, <see cref="SignOutAction"/> or
    /// <see cref="SignInFailedAction"/>) by <paramref name="actor"/> (the user id; "anonymous" when unknown) on user
    /// <paramref name="userId"/> ("unknown" when none), with <paramref name="details"/> as JSON (method, reason, e-mail:
    /// never a token, code or secret). An audit write that fails is logged and does not stop the sign-in.
    /// </summary>
    public async Task AuditAsync(string action, string actor, string? partnerId, string? tenantId, string? userId, object details, CancellationToken ct = default)
    {
        try
        {
            await using var db = factory.ForPlatform("system:identity-sign-in");
            db.AuditLog.Add(new Domain.Audit.AuditEntry(actor, partnerId, tenantId, action, AuditEntity, userId ?? "unknown", null,
                JsonSerializer.Serialize(details, Persistence.Interceptors.AuditAndOutboxInterceptor.Json), clock.GetUtcNow()));
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            logger.LogError(e, "Could not write the {Action} audit row of {User}", action, userId);
        }
    }

    private static SessionIdentity Session(string userId, string subject, string email, string name, string? partnerId, string? tenantId, IReadOnlyList<string> roles, IReadOnlyList<string> scopes, IdentitySource source) =>
        new(userId, subject, email, name, partnerId, tenantId, roles,
            scopes.Concat(roles.SelectMany(Roles.ScopesOf)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(), source);

    /// <summary>The sign-in time, written past the change tracker: a sign-in or refresh is not an edit of the row (no "updated" audit row each time).</summary>
    private async Task RecordSignInAsync(ScaiDbContext db, User user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.Users.IgnoreQueryFilters().Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSignInAt, now), ct);
    }

    /// <summary>
    /// Applies ScaiKey's view to the row (<see cref="User.ApplyScaiKey"/>: e-mail, name, ScaiKey roles, the subject in
    /// external_id; partner and tenant only when both exist here, else the row keeps its own), or creates the row
    /// (<see cref="User.FromScaiKey"/>) when its partner (and tenant) exist here; records the sign-in time. Returns the row or null.
    /// Local role assignments (role_assignments) are never touched.
    /// </summary>
    private async Task<User?> UpsertAsync(ScaiDbContext db, User? user, string subject, string email, string name, string? partnerId, string? tenantId, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var known = partnerId is not null && await db.Partners.AnyAsync(p => p.Id == partnerId, ct)
            && (tenantId is null || await db.Tenants.AnyAsync(t => t.Id == tenantId && t.PartnerId == partnerId, ct));
        var now = clock.GetUtcNow();
        try
        {
            if (user is not null)
            {
                if (user.ApplyScaiKey(subject, email, name, known ? partnerId! : user.PartnerId, known ? tenantId : user.TenantId, roles, now))
                {
                    await db.SaveChangesAsync(ct);
                }

                await RecordSignInAsync(db, user, ct);
                return user;
            }

            if (!known)
            {
                logger.LogWarning("Identity {Subject} names a partner or tenant ScaiControl does not have; no local user row written", subject);
                return null;
            }

            var created = User.FromScaiKey(subject, email, name, partnerId!, tenantId, roles, now);
            created.RecordSignIn(now);
            db.Users.Add(created);
            await db.SaveChangesAsync(ct);
            return created;
        }
        catch (DomainValidationException e)
        {
            logger.LogWarning("Identity {Subject} has an unusable profile ({Field}); no local user row written", subject, e.Message);
            return user;
        }
        catch (DbUpdateException e)
        {
            // E.g. an e-mail already taken by another row: the session still gets the canonical rights.
            logger.LogWarning(e, "Could not store the local user row of {Subject}", subject);
            return user;
        }
    }
}

/// <summary>Registration of the sign-in identity services.</summary>
public static class IdentitySignInRegistration
{
    /// <summary>Adds <see cref="IdentitySignInService"/> and the /auth/me client from Auth:MeEndpoint / Auth:MeTimeout.</summary>
    public static IServiceCollection AddScaiIdentitySignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new IdentityOptions
        {
            MeEndpoint = configuration["Auth:MeEndpoint"],
            MeTimeout = configuration.GetValue("Auth:MeTimeout", TimeSpan.FromSeconds(10)),
        };
        services.AddSingleton(options);
        services.AddHttpClient(ScaiKeyMeClient.HttpClientName);
        services.AddSingleton<IScaiKeyMeClient, ScaiKeyMeClient>();
        services.AddSingleton<IdentitySignInService>();
        return services;
    }
}
