using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Integration;

/// <summary>The app in Production with Auth:DevSignIn=true in its configuration: the development sign-in must stay off.</summary>
public sealed class ProductionApp : SqliteApp
{
    protected override string EnvironmentName => "Production";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Auth:DevSignIn", "true"),
        new("Demo:SeedOnFirstRun", "true"),
        new("Jobs:Enabled", "false"),
    ];
}

public sealed class ProductionTests(ProductionApp app) : IClassFixture<ProductionApp>
{
    [Fact]
    public async Task DevSignIn_CannotBeEnabledInProduction()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signIn = await client.PostAsync("/auth/dev-sign-in", new FormUrlEncodedContent([new("email", "ops@scailabs.example")]));
        Assert.True(signIn.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"got {(int)signIn.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/.well-known/jwks.json")).StatusCode);
        var page = await client.GetStringAsync("/sign-in");
        Assert.Contains("not available in this environment", page, StringComparison.Ordinal);
        Assert.DoesNotContain("ops@scailabs.example", page, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app.DataDirectory, "dev-key.pem")));
    }

    [Fact]
    public async Task ATokenSignedWithADevelopmentKey_IsRefusedInProduction()
    {
        var key = DevSigningKey.LoadOrCreate(Path.Combine(Path.GetTempPath(), $"attacker-{Guid.NewGuid():N}.pem"));
        var user = new User("ops@scailabs.example", "Mallory", "ptr_X", null, [Roles.SuperAdmin], DateTimeOffset.UtcNow);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Issue(user, "scaicontrol-dev", "scaicontrol", TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/invoices")).StatusCode);
    }
}
