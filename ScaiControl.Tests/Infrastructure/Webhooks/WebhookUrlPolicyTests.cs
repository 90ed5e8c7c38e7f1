using System.Net;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Infrastructure.Webhooks;

public sealed class WebhookUrlPolicyTests
{
    private static WebhookUrlPolicy Production(params string[] resolvesTo) =>
        new(allowHttp: false, ssrfProtection: true, (_, _) => Task.FromResult(resolvesTo.Select(IPAddress.Parse).ToArray()));

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://172.16.0.1/hook")]
    [InlineData("https://192.168.1.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://0.0.0.0/hook")]
    public async Task PrivateLoopbackAndLinkLocalTargets_AreRefused(string url) =>
        Assert.Equal("url", (await Assert.ThrowsAsync<DomainValidationException>(() => Production().CheckAsync(url))).Field);

    [Fact]
    public async Task AHostnameResolvingToAPrivateAddress_IsRefused_EvenIfAnotherAddressIsPublic() =>
        await Assert.ThrowsAsync<DomainValidationException>(() => Production("93.184.216.34", "10.0.0.5").CheckAsync("https://hooks.example.com/x"));

    [Fact]
    public async Task APublicHttpsTarget_IsAllowed() =>
        Assert.Equal("hooks.example.com", (await Production("93.184.216.34").CheckAsync("https://hooks.example.com/x")).Host);

    [Theory]
    [InlineData("http://hooks.example.com/x")]
    [InlineData("ftp://hooks.example.com/x")]
    [InlineData("https://user:pass@hooks.example.com/x")]
    [InlineData("/relative")]
    [InlineData(null)]
    public async Task NonHttpsOrMalformedUrls_AreRefused(string? url) =>
        await Assert.ThrowsAsync<DomainValidationException>(() => Production("93.184.216.34").CheckAsync(url));

    [Fact]
    public async Task InDevelopment_HttpToLoopbackIsAllowed() =>
        Assert.Equal(5001, (await new WebhookUrlPolicy(allowHttp: true, ssrfProtection: false).CheckAsync("http://127.0.0.1:5001/hook")).Port);
}
