using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>The app in Production behind a TLS proxy at billing.example.com.</summary>
public sealed class ProxiedProductionApp : SqliteApp
{
    protected override string EnvironmentName => "Production";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("AllowedHosts", "billing.example.com"),
        new("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8"),
        new("Jobs:Enabled", "false"),
    ];
}

/// <summary>
/// Security headers on every response, HSTS only over https (as the proxy reports it), a Host header that is not
/// allowed refused with 400, and the session cookie Secure-only outside Development.
/// </summary>
public sealed class HostSecurityTests(ProxiedProductionApp app) : IClassFixture<ProxiedProductionApp>
{
    private HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://billing.example.com"), AllowAutoRedirect = false });

    [Theory]
    [InlineData("/sign-in")]
    [InlineData("/api/v1/invoices")]
    [InlineData("/health/live")]
    [InlineData("/no-such-page.css")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        var response = await Client().GetAsync(path);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hsts_IsSentWhenTheProxySaysHttps_AndNotOverPlainHttp()
    {
        var plain = await Client().GetAsync("/sign-in");
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));

        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/sign-in");
        proxied.Headers.Add("X-Forwarded-Proto", "https");
        proxied.Headers.Add("X-Forwarded-For", "198.51.100.7");
        var response = await Client().SendAsync(proxied);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("localhost")]
    public async Task AHostThatIsNotAllowed_IsRefusedWith400(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sign-in");
        request.Headers.Host = host;
        Assert.Equal(HttpStatusCode.BadRequest, (await Client().SendAsync(request)).StatusCode);
    }

    [Fact]
    public void TheSessionAndAntiforgeryCookies_AreSecureOnly()
    {
        var cookie = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie;
        Assert.Equal(CookieSecurePolicy.Always, cookie.SecurePolicy);
        Assert.Equal(CookieSecurePolicy.Always, app.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>>().Value.Cookie.SecurePolicy);
    }
}
