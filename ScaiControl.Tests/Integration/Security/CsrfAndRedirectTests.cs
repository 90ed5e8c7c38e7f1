using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>
/// The hostile probe's CSRF and open-redirect findings: an API write carried by the portal's session cookie (a
/// cross-site form post) is refused and changes nothing, while the same write with a bearer token and cookie reads
/// (the portal's downloads) still work; a return URL that is not a local path sends the user home instead of a 500.
/// </summary>
public sealed class CsrfAndRedirectTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task ACookieAuthenticatedApiWrite_FromAForeignOrigin_IsRefusedAndChangesNothing()
    {
        var browser = await PortalSession.SignInAsync(app, Api.Ops);
        var ops = await app.ClientForAsync(Api.Ops);
        var jonas = await app.ClientForAsync(Api.Jonas);
        var sub = (await jonas.GetJson("/api/v1/subscriptions")).Items().First(s => s.Str("status") == "active");
        var id = sub.Str("id");

        // What an attacker's page makes the browser send: a body-less form post with the ambient cookie.
        foreach (var path in new[] { $"/api/v1/admin/subscriptions/{id}/suspend", $"/api/v1/subscriptions/{id}/cancel" })
        {
            using var forged = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([]) };
            forged.Headers.Add("Origin", "https://evil.example");
            var refused = await (await browser.SendAsync(forged)).Problem(HttpStatusCode.Forbidden);
            Assert.Contains("bearer token", refused.Str("detail"), StringComparison.Ordinal);
        }

        Assert.Equal("active", (await ops.GetJson($"/api/v1/subscriptions/{id}")).Str("status"));

        // The cookie still reads (the portal's PDF and e-invoice links are GETs under /api/v1).
        Assert.NotEmpty((await browser.GetJson("/api/v1/invoices")).Items());

        // The legitimate path: the same write with a bearer token is processed.
        Assert.Equal("suspended", (await (await ops.PostAsync($"/api/v1/admin/subscriptions/{id}/suspend", null)).Json(HttpStatusCode.OK)).Str("status"));
        Assert.Equal("active", (await (await ops.PostAsync($"/api/v1/admin/subscriptions/{id}/unsuspend", null)).Json(HttpStatusCode.OK)).Str("status"));
    }

    [Fact]
    public async Task ACookieWithABogusAuthorizationHeader_IsStillACookieWrite()
    {
        var browser = await PortalSession.SignInAsync(app, Api.Ops);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/billing-runs") { Content = JsonContent.Create(new { period = Api.CurrentPeriod }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "eDp4");
        await (await browser.SendAsync(request)).Problem(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/\\evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/x\r\nLocation: //evil.example")]
    public async Task ANonLocalReturnUrl_SendsTheUserHome(string returnUrl)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signIn = await PortalSession.SignInResponseAsync(client, Api.Anna, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);

        var culture = await client.GetAsync($"/culture?lang=de&returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, culture.StatusCode);
        Assert.Equal("/", culture.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ALocalReturnUrl_IsFollowed()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signIn = await PortalSession.SignInResponseAsync(client, Api.Anna, "/invoices?page=2");
        Assert.Equal("/invoices?page=2", signIn.Headers.Location?.OriginalString);
    }
}
