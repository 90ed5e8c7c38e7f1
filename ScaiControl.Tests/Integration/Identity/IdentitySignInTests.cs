using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>
/// A small Kestrel fake of ScaiKey's /auth/me on 127.0.0.1: answers per access token what the test set (a body, a
/// status), 401 for an unknown token.
/// </summary>
public sealed class FakeAuthMe : IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>Access token -> (status, JSON body).</summary>
    public ConcurrentDictionary<string, (int Status, object? Body)> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>The endpoint's URL.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Starts it.</summary>
    public async Task StartAsync()
    {
        string baseUrl;
        (_server, baseUrl) = await LoopbackServer.StartAsync(app => app.MapGet("/auth/me", (HttpRequest request) =>
        {
            var header = request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : string.Empty;
            return Answers.TryGetValue(token, out var answer)
                ? answer.Body is null ? Results.StatusCode(answer.Status) : Results.Json(answer.Body, statusCode: answer.Status)
                : Results.StatusCode(StatusCodes.Status401Unauthorized);
        }));
        Url = baseUrl + "/auth/me";
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The app (Development, demo data) with Auth:MeEndpoint at <see cref="FakeAuthMe"/>.</summary>
public sealed class AuthMeApp : SqliteApp
{
    public FakeAuthMe Me { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:MeEndpoint", Me.Url),
        new("Demo:SeedOnFirstRun", "true"),
        new("Jobs:Enabled", "false"),
    ];

    public override async Task InitializeAsync()
    {
        await Me.StartAsync();
        await base.InitializeAsync();
    }

    protected override async Task DropAsync()
    {
        await base.DropAsync();
        await Me.DisposeAsync();
    }
}

/// <summary>
/// The sign-in identity service: rights come from ScaiKey's /auth/me on every sign-in and refresh, the local users
/// row follows it, and a stale or partial token never lowers a user's rights (spec 002, migration 013).
/// </summary>
public sealed class IdentitySignInTests(AuthMeApp app) : IClassFixture<AuthMeApp>
{
    private IdentitySignInService Service => app.Services.GetRequiredService<IdentitySignInService>();

    [Fact]
    public async Task SuperAdminDowngradeAfterJwtRefresh_APartialRefreshedTokenKeepsTheOperatorAnOperator()
    {
        var ops = (await app.Services.GetRequiredService<TenancyService>().FindUserAsync(DemoSeeder.OperatorEmail))!;
        Assert.Contains(Roles.SuperAdmin, ops.RoleList);
        var subject = "scaikey|" + Guid.NewGuid().ToString("N")[..12];
        var canonical = new { sub = subject, email = ops.Email, name = ops.DisplayName, partner_id = ops.PartnerId, tenant_id = (string?)null, roles = new[] { Roles.SuperAdmin }, scopes = Array.Empty<string>() };

        // Sign-in: the token and /auth/me agree.
        app.Me.Answers["at-1"] = (200, canonical);
        var signIn = await Service.SignInAsync(Token(subject, ops.Email, [Roles.SuperAdmin]), "at-1");
        Assert.Equal(IdentitySource.AuthMe, signIn.Source);
        Assert.Contains(Roles.SuperAdmin, signIn.Roles);
        Assert.Equal(ops.Id, signIn.UserId); // matched by e-mail: the existing row, not a second one

        // The incident: the refreshed JWT carries a partial role list (no super_admin). ScaiKey's /auth/me is asked
        // again and still says super_admin: the session and the row keep it.
        app.Me.Answers["at-2"] = (200, canonical);
        var refreshed = await Service.SignInAsync(Token(subject, ops.Email, [Roles.TenantAdmin]), "at-2");
        Assert.Equal(IdentitySource.AuthMe, refreshed.Source);
        Assert.Equal(new[] { Roles.SuperAdmin }, refreshed.Roles);
        Assert.Contains(Permissions.PartnersWrite, refreshed.Scopes);
        Assert.Equal(new[] { Roles.SuperAdmin }, (await StoredAsync(ops.Email)).RoleList);

        // The same refresh while /auth/me cannot answer (503): the stored rights stay, the token's are not taken.
        app.Me.Answers["at-3"] = (503, null);
        var offline = await Service.SignInAsync(Token(subject, ops.Email, []), "at-3");
        Assert.Equal(IdentitySource.Stored, offline.Source);
        Assert.Equal(new[] { Roles.SuperAdmin }, offline.Roles);
        Assert.Equal(new[] { Roles.SuperAdmin }, (await StoredAsync(ops.Email)).RoleList);
    }

    [Fact]
    public async Task WhatScaiKeySays_IsStored_ANewIdentityGetsARow_FoundAgainBySubAfterAnEmailChange()
    {
        var jonas = (await app.Services.GetRequiredService<TenancyService>().FindUserAsync("jonas@bergmann-de.example"))!;
        var subject = "sk_" + Guid.NewGuid().ToString("N")[..16];
        var email = $"new-{subject}@bergmann-de.example";
        app.Me.Answers["new-1"] = (200, new { sub = subject, email, name = "Neu Nutzer", partner_id = jonas.PartnerId, tenant_id = jonas.TenantId, roles = new[] { Roles.TenantAdmin }, scopes = new[] { Permissions.InvoicesRead } });
        var first = await Service.SignInAsync(Token(subject, email, []), "new-1");
        var created = await StoredAsync(email);
        Assert.Equal(created.Id, first.UserId);
        Assert.Equal((subject, "Neu Nutzer", jonas.TenantId, UserSource.ScaiKey), (created.ExternalId, created.DisplayName, created.TenantId, created.Source));
        Assert.Equal(new[] { Roles.TenantAdmin }, created.RoleList);
        Assert.NotNull(created.LastSignInAt);

        // ScaiKey changes the e-mail, the name and lowers the role: the canonical answer applies (to the same row).
        var changed = $"renamed-{subject}@bergmann-de.example";
        app.Me.Answers["new-2"] = (200, new { sub = subject, email = changed, name = "Neu Umbenannt", partner_id = jonas.PartnerId, tenant_id = jonas.TenantId, roles = Array.Empty<string>(), scopes = Array.Empty<string>() });
        var second = await Service.SignInAsync(Token(subject, email, [Roles.TenantAdmin]), "new-2");
        Assert.Empty(second.Roles);
        var updated = await StoredAsync(changed);
        Assert.Equal((created.Id, subject, "Neu Umbenannt"), (updated.Id, updated.ExternalId, updated.DisplayName));
        Assert.Empty(updated.RoleList);
        Assert.Null(await app.Services.GetRequiredService<TenancyService>().FindUserAsync(email));
    }

    [Fact]
    public async Task AnAccessTokenScaiKeyRefuses_IsRefused_AndNothingIsWritten()
    {
        var subject = "sk_" + Guid.NewGuid().ToString("N")[..16];
        var email = $"refused-{subject}@example.test";
        await Assert.ThrowsAsync<IdentityRejectedException>(() => Service.SignInAsync(Token(subject, email, [Roles.SuperAdmin]), "unknown-token"));
        Assert.Null(await app.Services.GetRequiredService<TenancyService>().FindUserAsync(email));
    }

    [Fact]
    public async Task ASignIn_LinksTheRowToTheProviderSubject_RecordsTheTime_AndKeepsALocalRoleAssignment()
    {
        var tenancy = app.Services.GetRequiredService<TenancyService>();
        var anna = (await tenancy.FindUserAsync("anna@acme-nl.example"))!;
        var operatorActor = await app.ActorForAsync(DemoSeeder.OperatorEmail);
        var admin = app.Services.GetRequiredService<IdentityAdminService>();
        var local = await admin.AssignToUserAsync(operatorActor, anna.Id, Roles.BillingViewer);
        var permissions = app.Services.GetRequiredService<EffectivePermissionService>();
        var subject = "sk_" + Guid.NewGuid().ToString("N")[..16];
        var token = new Actor(subject, anna.PartnerId, anna.TenantId, [], []);
        Assert.DoesNotContain(Roles.TenantAdmin, (await permissions.ForTokenAsync(token)).Roles); // not linked yet: nothing local (and cached)

        // ScaiKey's roles for Anna: tenant_admin only. Its sign-in overwrites users.roles, not role_assignments.
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        app.Me.Answers["anna-1"] = (200, new { sub = subject, email = anna.Email, name = anna.DisplayName, partner_id = anna.PartnerId, tenant_id = anna.TenantId, roles = new[] { Roles.TenantAdmin } });
        var session = await Service.SignInAsync(Token(subject, anna.Email, []), "anna-1");
        Assert.Equal(anna.Id, session.UserId);
        var stored = await StoredAsync(anna.Email);
        Assert.Equal(subject, stored.ExternalId);
        Assert.True(stored.LastSignInAt >= before, "the sign-in time is recorded");
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            Assert.True(await db.RoleAssignments.AnyAsync(a => a.Id == local.Id && a.UserId == anna.Id && a.Role == Roles.BillingViewer));
        }

        // The token's subject now finds the row at once (the sign-in dropped the cached "nothing local"): the
        // ScaiKey role and the local assignment both count.
        var effective = await permissions.ForTokenAsync(token);
        Assert.Contains(Roles.TenantAdmin, effective.Roles);
        Assert.Contains(Roles.BillingViewer, effective.Roles);
        await admin.RemoveAsync(operatorActor, local.Id);
    }

    [Fact]
    public async Task ADeactivatedUser_IsRefused_AndTheRowStaysDeactivated()
    {
        var jonas = (await app.Services.GetRequiredService<TenancyService>().FindUserAsync("jonas@bergmann-de.example"))!;
        var subject = "sk_" + Guid.NewGuid().ToString("N")[..16];
        var email = $"gone-{subject}@bergmann-de.example";
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var user = User.FromScaiKey(subject, email, "Gone", jonas.PartnerId, jonas.TenantId, [Roles.TenantAdmin], DateTimeOffset.UtcNow);
            user.Deactivate(DateTimeOffset.UtcNow);
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }

        // ScaiKey still says active and tenant_admin: the local deactivation wins, nothing is reactivated.
        app.Me.Answers["gone-1"] = (200, new { sub = subject, email, name = "Gone", partner_id = jonas.PartnerId, tenant_id = jonas.TenantId, roles = new[] { Roles.TenantAdmin } });
        await Assert.ThrowsAsync<IdentityDeactivatedException>(() => Service.SignInAsync(Token(subject, email, [Roles.TenantAdmin]), "gone-1"));
        var stored = await StoredAsync(email);
        Assert.Equal(UserStatus.Deactivated, stored.Status);
        Assert.Null(stored.LastSignInAt);
    }

    private static TokenIdentity Token(string subject, string email, string[] roles) => new(subject, email, null, null, null, roles, []);

    private async Task<User> StoredAsync(string email) =>
        await app.Services.GetRequiredService<TenancyService>().FindUserAsync(email) ?? throw new InvalidOperationException($"no row for {email}");
}
