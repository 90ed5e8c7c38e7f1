using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Audit;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Tests.Integration.Security;

namespace ScaiControl.Tests.Integration.Identity;

/// <summary>
/// The development sign-in and the sign-out: sign-ins, sign-outs and failed sign-ins leave audit rows, a deactivated
/// user cannot sign in, and the sign-out needs the layout form's antiforgery token (a cross-site form cannot sign a
/// user out).
/// </summary>
public sealed partial class SignInAuditTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task AnUnknownUser_IsAuditedAsAFailedSignIn()
    {
        var email = $"nobody-{Guid.NewGuid():N}@example.test";
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await PortalSession.SignInResponseAsync(client, email, null);
        Assert.Equal("/sign-in?error=unknown-user", response.Headers.Location!.ToString());

        var row = Assert.Single(await AuditAsync(IdentitySignInService.SignInFailedAction, a => a.AfterJson!.Contains(email)));
        Assert.Equal(("anonymous", "unknown"), (row.Actor, row.EntityId));
        Assert.Contains("\"reason\":\"unknown_user\"", row.AfterJson, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestVerificationToken", row.AfterJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignIn_IsAuditedAndTimed_ASignOutWithoutTheFormToken_Is400_WithIt_EndsTheSessionAndIsAudited()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var browser = await PortalSession.SignInAsync(app, Api.Anna);
        var anna = await StoredAsync(Api.Anna);
        Assert.True(anna.LastSignInAt >= before, "the development sign-in records the sign-in time");
        var signIn = Assert.Single(await AuditAsync(IdentitySignInService.SignInAction, a => a.EntityId == anna.Id && a.OccurredAt >= before));
        Assert.Equal((anna.Id, anna.TenantId), (signIn.Actor, signIn.TenantId));

        // A cross-site form: the ambient cookie, no token (the attacker cannot read it). Refused; still signed in.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/auth/sign-out") { Content = new FormUrlEncodedContent([]) })
        {
            forged.Headers.Add("Origin", "https://evil.example");
            Assert.Equal(HttpStatusCode.BadRequest, (await browser.SendAsync(forged)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/invoices")).StatusCode);
        Assert.Empty(await AuditAsync(IdentitySignInService.SignOutAction, a => a.EntityId == anna.Id && a.OccurredAt >= before));

        // The layout's own form (its token): signed out, audited.
        var html = await browser.GetStringAsync("/");
        var token = WebUtility.HtmlDecode(SignOutToken().Match(html).Groups[1].Value);
        Assert.False(string.IsNullOrEmpty(token), "the layout's sign-out form carries an antiforgery token");
        var signOut = await browser.PostAsync("/auth/sign-out", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/invoices")).StatusCode);
        var row = Assert.Single(await AuditAsync(IdentitySignInService.SignOutAction, a => a.EntityId == anna.Id && a.OccurredAt >= before));
        Assert.Equal(anna.Id, row.Actor);
        Assert.DoesNotContain(token, row.AfterJson ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeactivatedUser_CannotSignIn_AndSeesWhy()
    {
        var email = $"off-{Guid.NewGuid():N}@acme-nl.example";
        var anna = await StoredAsync(Api.Anna);
        string id;
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var user = new User(email, "Switched Off", anna.PartnerId, anna.TenantId, [Roles.TenantAdmin], DateTimeOffset.UtcNow);
            user.Deactivate(DateTimeOffset.UtcNow);
            db.Users.Add(user);
            await db.SaveChangesAsync();
            id = user.Id;
        }

        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await PortalSession.SignInResponseAsync(client, email, null);
        Assert.Equal("/sign-in?error=deactivated", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/invoices")).StatusCode);
        Assert.Contains("data-testid=\"deactivated\"", await client.GetStringAsync("/sign-in?error=deactivated"), StringComparison.Ordinal);
        Assert.Null((await StoredAsync(email)).LastSignInAt);
        var row = Assert.Single(await AuditAsync(IdentitySignInService.SignInFailedAction, a => a.EntityId == id));
        Assert.Contains("\"reason\":\"deactivated\"", row.AfterJson, StringComparison.Ordinal);
    }

    private async Task<List<AuditEntry>> AuditAsync(string action, System.Linq.Expressions.Expression<Func<AuditEntry, bool>> where)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.AuditLog.IgnoreQueryFilters().AsNoTracking().Where(a => a.Action == action && a.EntityType == IdentitySignInService.AuditEntity).Where(where).ToListAsync();
    }

    private async Task<User> StoredAsync(string email)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Users.IgnoreQueryFilters().AsNoTracking().SingleAsync(u => u.Email == email);
    }

    [GeneratedRegex("action=\"/auth/sign-out\"[^>]*>\\s*<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex SignOutToken();
}

/// <summary>The app in Production with Auth:Authority on a closed port of 127.0.0.1: the identity provider is down.</summary>
public sealed class UnreachableProviderApp : SqliteApp
{
    private static readonly int ClosedPort = FreePort();

    protected override string EnvironmentName => "Production";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:Authority", $"http://127.0.0.1:{ClosedPort}"),
        new("Auth:ClientId", "scaicontrol-portal"),
        new("Auth:ClientSecret", "unused-secret"),
        new("Auth:RequireHttpsMetadata", "false"),
        new("Jobs:Enabled", "false"),
    ];

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // closed again: connections are refused
        return port;
    }
}

/// <summary>When the identity provider cannot be reached, the portal says so on the sign-in page instead of a 500.</summary>
public sealed class UnreachableProviderTests(UnreachableProviderApp app) : IClassFixture<UnreachableProviderApp>
{
    [Theory]
    [InlineData("/invoices", "/sign-in?error=unreachable&returnUrl=%2Finvoices")]
    [InlineData("/auth/sign-in?returnUrl=%2Fsubscriptions", "/sign-in?error=unreachable&returnUrl=%2Fsubscriptions")]
    public async Task TheChallenge_EndsOnTheSignInPage_WithTheProviderUnreachableMessage(string path, string expected)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.ToString());

        using var page = await browser.GetAsync(expected);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"provider-unreachable\"", html, StringComparison.Ordinal);
        Assert.Contains("The identity provider can", html, StringComparison.Ordinal);
    }
}
