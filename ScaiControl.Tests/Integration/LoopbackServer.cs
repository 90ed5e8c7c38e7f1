using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ScaiControl.Tests.Integration;

/// <summary>A small real HTTP server on 127.0.0.1 and a free port, for stand-ins of outside services (ScaiKey, VIES).</summary>
public static class LoopbackServer
{
    /// <summary>Starts a server whose routes <paramref name="map"/> adds; returns it and its base URL (no trailing slash).</summary>
    public static async Task<(WebApplication Server, string BaseUrl)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = builder.Build();
        map(server);
        await server.StartAsync();
        return (server, server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}
