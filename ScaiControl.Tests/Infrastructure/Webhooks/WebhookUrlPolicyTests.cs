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
    [InlineData("https://[::127.0.0.1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[::ffff:0:10.0.0.1]/hook")]
    [InlineData("https://[64:ff9b::7f00:1]/hook")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest/meta-data")]
    [InlineData("https://[64:ff9b:1::5db8:d822]/hook")]
    [InlineData("https://[2002:7f00:1::]/hook")]
    [InlineData("https://[2002:c0a8:10a::1]/hook")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook")]
    [InlineData("https://[100::1]/hook")]
    [InlineData("https://[2001:db8::1]/hook")]
    [InlineData("https://[ff02::1]/hook")]
    [InlineData("https://[::]/hook")]
    public async Task PrivateLoopbackAndLinkLocalTargets_AreRefused(string url) =>
        Assert.Equal("url", (await Assert.ThrowsAsync<DomainValidationException>(() => Production().CheckAsync(url))).Field);

    [Fact]
    public async Task AHostnameResolvingToAPrivateAddress_IsRefused_EvenIfAnotherAddressIsPublic() =>
        await Assert.ThrowsAsync<DomainValidationException>(() => Production("93.184.216.34", "10.0.0.5").CheckAsync("https://hooks.example.com/x"));

    [Theory]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    [InlineData("::ffff:93.184.216.34", true)]
    [InlineData("64:ff9b::5db8:d822", true)]
    [InlineData("2002:5db8:d822::1", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.1.2.3", false)]
    [InlineData("::1", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("::ffff:7f00:1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("64:ff9b::c0a8:0101", false)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("2002:0a00:0001::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("100.64.1.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    public void EveryFormOfAnAddress_IsJudgedByTheAddressItStandsFor(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookUrlPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:7f00:1::")]
    public async Task AHostnameResolvingToAnIPv6FormOfLoopback_IsRefused(string address) =>
        await Assert.ThrowsAsync<DomainValidationException>(() => Production(address).CheckAsync("https://hooks.example.com/x"));

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
