using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Tests.Integration;

/// <summary>The app on SQLite with its logs captured.</summary>
public sealed class LoggedApp : SqliteApp
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>Logs of a request carry its request id, trace id and the caller's tenant.</summary>
public sealed class RequestLogTests(LoggedApp app) : IClassFixture<LoggedApp>
{
    [Fact]
    public async Task ARequestsLogLines_NameTheRequest_TheTrace_AndTheTenant()
    {
        var anna = await app.ActorForAsync(Api.Anna);
        var client = await app.ClientForAsync(Api.Anna);
        (await (await client.GetAsync("/api/v1/invoices/inv_does_not_exist")).Problem(HttpStatusCode.NotFound)).ToString();

        var entry = app.Logs.Entries.Last(e => e.Category.EndsWith("ProblemExceptionHandler", StringComparison.Ordinal) && e.Message.Contains("inv_does_not_exist", StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(entry.Scope["RequestId"]?.ToString()));
        Assert.Matches("^[0-9a-f]{32}$", entry.Scope["TraceId"]?.ToString() ?? string.Empty);
        Assert.Equal(anna.TenantId, entry.Scope["scai.tenant_id"]?.ToString());
        Assert.Equal(anna.UserId, entry.Scope["scai.user_id"]?.ToString());
    }
}
