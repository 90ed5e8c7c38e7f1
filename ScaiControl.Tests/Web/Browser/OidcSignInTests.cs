using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Tests.Integration.Identity;
using Xunit.Abstractions;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// The portal against a real OpenID Connect provider (oidc-provider, standing in for ScaiKey) in Chromium: a tenant
/// user signs in on the provider's login page, uses the portal, keeps the session across an access-token refresh,
/// and signs out here and at the provider. The provider's tokens carry no roles (a stale token): the rights come from
/// its /auth/me, and the local users row keeps them.
/// </summary>
public sealed class OidcSignInTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Jonas = "jonas@bergmann-de.example";
    private TestOidcProvider? _provider;
    private PortalApp? _app;
    private HeadlessChromium? _chromium;

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [ChromiumFact]
    public async Task ATenantUserSignsInAtTheProvider_UsesThePortal_SurvivesATokenRefresh_AndSignsOut()
    {
        var port = PortalApp.FreePort();
        _provider = await TestOidcProvider.StartAsync($"http://127.0.0.1:{port}", new Dictionary<string, TestAccount>(), accessTokenTtlSeconds: 30);
        _app = await PortalApp.StartAsync(ChromiumFactAttribute.ChromiumPath, TimeSpan.FromSeconds(180), port, new Dictionary<string, string?>
        {
            ["Auth__DevSignIn"] = "false",
            ["Auth__Authority"] = _provider.Issuer,
            ["Auth__ClientId"] = TestOidcProvider.PortalClientId,
            ["Auth__ClientSecret"] = TestOidcProvider.PortalClientSecret,
            ["Auth__MeEndpoint"] = _provider.MeEndpoint,
            ["Auth__RequireHttpsMetadata"] = "false",
            ["Auth__RequestScopes"] = "openid profile email scaikey",
            // The provider's access tokens live 30 s; the portal refreshes when fewer than 25 s are left.
            ["Auth__RefreshBeforeExpiry"] = "00:00:25",
        });

        // The provider's account for Jonas: canonical tenant_admin at /auth/me, but tokens with no roles at all.
        var jonas = ReadUser(Jonas);
        _provider.SetAccounts(new Dictionary<string, TestAccount>
        {
            ["jonas"] = new(Jonas, "Jonas Bergmann", jonas.PartnerId, jonas.TenantId, [Roles.TenantAdmin], TokenRoles: []),
        });

        _chromium = await HeadlessChromium.LaunchAsync();
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseAddress.ToString() });
        // Loopback only: the provider's pages import a web font, which is never fetched.
        await context.RouteAsync("**/*", route => new Uri(route.Request.Url).Host == "127.0.0.1" ? route.ContinueAsync() : route.AbortAsync());
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        try
        {
            // 1. A protected page sends Jonas to sign in; he goes on to the provider's login page.
            await page.GotoAsync("/catalog");
            await page.GetByTestId("sign-in-provider").ClickAsync();
            await page.WaitForURLAsync(url => url.StartsWith(_provider.Issuer, StringComparison.Ordinal));
            await page.FillAsync("input[name='login']", "jonas");
            await page.FillAsync("input[name='password']", "any password");
            await page.ClickAsync("button[type='submit']");

            // 2. Back on the page he asked for, signed in as himself with his tenant's rights (from /auth/me).
            await page.WaitForURLAsync(url => url.StartsWith(_app.BaseAddress + "catalog", StringComparison.Ordinal));
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", Jonas);
            await Assertions.Expect(page.GetByTestId("service-scaicrm")).ToBeVisibleAsync();
            var afterSignIn = await _provider.StatsAsync();
            Assert.True(afterSignIn.Me >= 1, "the portal asked /auth/me at sign-in");

            // 3. Once the access token is within the refresh window, the next page load refreshes it: still signed in.
            await Task.Delay(TimeSpan.FromSeconds(6));
            await page.GotoAsync("/invoices");
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", Jonas);
            Assert.DoesNotContain("/sign-in", page.Url, StringComparison.Ordinal);
            var afterRefresh = await _provider.StatsAsync();
            Assert.True(afterRefresh.Refresh > afterSignIn.Refresh, "the refresh token was used");
            Assert.True(afterRefresh.Me > afterSignIn.Me, "/auth/me was asked again on refresh");
            await page.GotoAsync("/catalog");
            await Assertions.Expect(page.GetByTestId("service-scaicrm")).ToBeVisibleAsync();

            // The tokens carried no roles; the users row still has what ScaiKey's /auth/me says.
            Assert.Equal(Roles.TenantAdmin, ReadUser(Jonas).Roles);

            // 4. Sign-out ends the session here and at the provider (its end-session page confirms).
            await page.ClickAsync("[data-testid='sign-out']");
            await page.WaitForURLAsync(url => url.StartsWith(_provider.Issuer, StringComparison.Ordinal));
            await page.ClickAsync("button[name='logout']");
            await Assertions.Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
            Assert.Equal(1, (await _provider.StatsAsync()).EndSession);

            await page.GotoAsync("/catalog");
            await Assertions.Expect(page.GetByTestId("sign-in-provider")).ToBeVisibleAsync();
            await page.GetByTestId("sign-in-provider").ClickAsync();
            await Assertions.Expect(page.Locator("input[name='login']")).ToBeVisibleAsync(); // the provider asks again
        }
        catch
        {
            output.WriteLine("page: " + page.Url);
            output.WriteLine(_app.Log);
            output.WriteLine(_provider.Log);
            throw;
        }
    }

    private (string Id, string PartnerId, string? TenantId, string Roles) ReadUser(string email)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_app!.DataDirectory, "scaicontrol.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, PartnerId, TenantId, Roles FROM users WHERE Email = $email";
        command.Parameters.AddWithValue("$email", email);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"no user {email}");
        return (reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3));
    }
}
