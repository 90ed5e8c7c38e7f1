using System.Net;

namespace ScaiControl.Tests.Integration;

/// <summary>The embedded default (SQLite, filesystem store, no Redis) as a load balancer probes it.</summary>
public sealed class HealthTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Live_AnswersWithoutAskingAnyDependency_AndReady_ListsEachCheck()
    {
        var client = app.CreateClient();
        var live = await client.GetJson("/health/live");
        Assert.Equal("healthy", live["status"]!.GetValue<string>());
        Assert.Empty(live["checks"]!.AsObject());

        var response = await client.GetAsync("/health/ready");
        var ready = await response.Json(HttpStatusCode.OK);
        var checks = ready["checks"]!.AsObject();
        Assert.Equal("healthy", checks["database"]!["status"]!.GetValue<string>());
        Assert.Equal("sqlite", checks["database"]!["description"]!.GetValue<string>());
        Assert.Equal("healthy", checks["object_storage"]!["status"]!.GetValue<string>());
        Assert.True(checks.ContainsKey("pdf_renderer"));
        Assert.False(checks.ContainsKey("redis"), "no Redis check without Redis:Configuration");
        Assert.Equal(checks["pdf_renderer"]!["status"]!.GetValue<string>() == "healthy" ? "healthy" : "degraded", ready["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ready_IsUnhealthyWith503_WhenTheObjectStoreCannotBeWritten()
    {
        var root = Path.Combine(app.DataDirectory, "objects");
        Directory.CreateDirectory(Path.GetDirectoryName(root)!);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        await File.WriteAllTextAsync(root, "a file where the store's folder should be");
        try
        {
            var response = await app.CreateClient().GetAsync("/health/ready");
            var ready = await response.Json(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", ready["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", ready["checks"]!["object_storage"]!["status"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            File.Delete(root);
        }
    }
}
