using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Tests.Integration;

namespace ScaiControl.Tests.Infrastructure.Webhooks;

/// <summary>
/// The delivery connection is checked on the address actually connected: a name that passed the policy with a public
/// address and then resolves to loopback (DNS rebinding) never reaches the loopback server.
/// </summary>
public sealed class WebhookConnectorTests : IAsyncLifetime
{
    private WebApplication _server = default!;
    private string _baseUrl = default!;
    private int _hits;

    public async Task InitializeAsync() =>
        (_server, _baseUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/hook", () =>
        {
            Interlocked.Increment(ref _hits);
            return Results.Ok();
        }));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private int Port => new Uri(_baseUrl).Port;

    [Fact]
    public async Task ANameThatRebindsToLoopbackAfterThePolicyCheck_IsRefusedAtConnect()
    {
        // First answer (the policy check): a public address; every later answer (the connection): loopback.
        var answers = 0;
        Task<IPAddress[]> Rebinding(string host, CancellationToken ct) =>
            Task.FromResult(new[] { Interlocked.Increment(ref answers) == 1 ? IPAddress.Parse("93.184.216.34") : IPAddress.Loopback });

        var url = $"http://rebind.example:{Port}/hook";
        Assert.Equal("rebind.example", (await new WebhookUrlPolicy(allowHttp: true, ssrfProtection: true, Rebinding).CheckAsync(url)).Host);

        using var client = new HttpClient(WebhookConnector.CreateHandler(ssrfProtection: true, Rebinding));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(url, new StringContent("{}")));
        Assert.Contains("non-public", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(0, _hits);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task ALoopbackTarget_IsRefusedAtConnect_WithTheRealResolver(string host)
    {
        using var client = new HttpClient(WebhookConnector.CreateHandler(ssrfProtection: true));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://{host}:{Port}/hook", new StringContent("{}")));
        Assert.Equal(0, _hits);
    }

    [Fact]
    public async Task WithoutSsrfProtection_TheSameRequestArrives()
    {
        // The control: the refusals above come from the connect check, not from an unreachable server.
        using var client = new HttpClient(WebhookConnector.CreateHandler(ssrfProtection: false));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"http://localhost:{Port}/hook", new StringContent("{}"))).StatusCode);
        Assert.Equal(1, _hits);
    }
}
