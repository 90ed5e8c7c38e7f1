using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Registry;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Registry;

namespace ScaiControl.Tests.Integration.Registry;

/// <summary>The app on SQLite with the scheduled heartbeat monitor off (the tests run its passes at chosen instants) and a 1 s probe timeout.</summary>
public sealed class RegistrySqliteApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Registry:MonitorEnabled", "false"), new("Registry:ProbeTimeout", "00:00:01")];
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class RegistryPostgresApp : PostgresApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Registry:MonitorEnabled", "false"), new("Registry:ProbeTimeout", "00:00:01")];
}

public sealed class SqliteRegistryTests(RegistrySqliteApp app) : RegistryTests<RegistrySqliteApp>(app);

public sealed class PostgresRegistryTests(RegistryPostgresApp app) : RegistryTests<RegistryPostgresApp>(app);

/// <summary>
/// The service registry (issue 14): idempotent registration by app_id, heartbeats, approval, partner scoping, and the
/// heartbeat monitor against real HTTP fake services (Kestrel on 127.0.0.1): heartbeat TTL, active probe with a
/// timeout, flap damping (2 passes before healthy, 3 failures before unreachable; an alternating service never flaps).
/// </summary>
public abstract class RegistryTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private const string Services = "/api/v1/registry/services";

    // Monitor passes at chosen instants, ten minutes apart (longer than the probe interval and the largest backoff).
    private static readonly DateTimeOffset T0 = new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Pass(int i) => T0 + TimeSpan.FromMinutes(10 * i);

    /// <summary>A fake service whose /health answers as <see cref="Answer"/> says; counts the probes it got.</summary>
    private sealed class FakeService : IAsyncDisposable
    {
        private WebApplication _server = default!;

        public string BaseUrl { get; private set; } = "";

        public Func<int, int> Answer { get; set; } = _ => 200;

        public int Probes;

        public static async Task<FakeService> StartAsync()
        {
            var fake = new FakeService();
            (fake._server, fake.BaseUrl) = await LoopbackServer.StartAsync(s => s.MapGet("/health", async (HttpContext c) =>
            {
                var n = Interlocked.Increment(ref fake.Probes);
                var status = fake.Answer(n);
                if (status == 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), c.RequestAborted); // longer than the 1 s probe timeout
                    return;
                }

                c.Response.StatusCode = status;
                await c.Response.WriteAsJsonAsync(new { status = status == 200 ? "ok" : "down" });
            }));
            return fake;
        }

        public async ValueTask DisposeAsync() => await _server.DisposeAsync();
    }

    private static string NewAppId(string stem) => $"{stem}-{Guid.NewGuid():N}"[..30];

    private static object Registration(string appId, string baseUrl, int ttl = 86_400, string? parent = null, string? healthUrl = null) => new
    {
        app_id = appId,
        name = "Test " + appId,
        slug = appId,
        parent_slug = parent,
        base_url = baseUrl,
        health_check_url = healthUrl ?? baseUrl + "/health",
        capabilities = new[] { "provision", "usage" },
        version = "1.0.0",
        heartbeat_ttl_seconds = ttl,
    };

    private static async Task<List<string>> HistoryAsync(HttpClient ops, string appId) =>
        (await ops.GetJson($"{Services}/{appId}"))["history"]!.AsArray().Reverse().Select(e => $"{e!["from"]}->{e!["to"]}").ToList();

    private static async Task<string> HealthAsync(HttpClient ops, string appId) => (await ops.GetJson($"{Services}/{appId}"))["service"]!.Str("health_status");

    private HeartbeatMonitor Monitor => app.Services.GetRequiredService<HeartbeatMonitor>();

    [Fact]
    public async Task Registration_IsIdempotentByAppId_AndKeepsApproval()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("crm");
        var created = await ops.PostJson(Services, Registration(appId, fake.BaseUrl), HttpStatusCode.Created);
        Assert.Equal("pending", created.Str("registration_status"));
        Assert.Equal("unknown", created.Str("health_status"));
        await ops.PostJson($"/api/v1/admin/registry/services/{appId}/approve", null, HttpStatusCode.OK);

        var again = await ops.PostJson(Services, new { app_id = appId, name = "Renamed", slug = appId, base_url = fake.BaseUrl, health_check_url = fake.BaseUrl + "/health", version = "1.1.0" }, HttpStatusCode.OK);
        Assert.Equal("Renamed", again.Str("name"));
        Assert.Equal("1.1.0", again.Str("version"));
        Assert.Equal("approved", again.Str("registration_status"));

        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        Assert.Equal(1, await db.RegisteredServices.IgnoreQueryFilters().CountAsync(s => s.AppId == appId));

        // A child lists under its parent.
        var child = NewAppId("crmchild");
        await ops.PostJson(Services, Registration(child, fake.BaseUrl, parent: appId), HttpStatusCode.Created);
        var detail = await ops.GetJson($"{Services}/{appId}");
        Assert.Equal([child], detail["children"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray());
    }

    [Theory]
    [InlineData("base_url", "ftp://example.com")]
    [InlineData("base_url", "not a url")]
    [InlineData("health_check_url", "/health")]
    [InlineData("slug", "Bad Slug")]
    [InlineData("heartbeat_ttl_seconds", 1)]
    public async Task BadRegistration_Is422NamingTheField_AndWritesNothing(string field, object value)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("bad");
        var body = new Dictionary<string, object?>
        {
            ["app_id"] = appId, ["name"] = "Bad", ["slug"] = appId, ["base_url"] = "http://127.0.0.1:9/", ["health_check_url"] = "http://127.0.0.1:9/health",
        };
        body[field] = value;
        var problem = await (await ops.PostAsJsonAsync(Services, body)).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]![field]);
        await (await ops.GetAsync($"{Services}/{appId}")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Partners_SeeAndChangeOnlyTheirOwnServices_AndAServiceKeyOnlyItsOwnApp()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var lars = await app.ClientForAsync(Api.Lars);
        var opsApp = NewAppId("opsapp");
        var larsApp = NewAppId("larsapp");
        await ops.PostJson(Services, Registration(opsApp, fake.BaseUrl), HttpStatusCode.Created);
        await lars.PostJson(Services, Registration(larsApp, fake.BaseUrl), HttpStatusCode.Created);

        var larsList = (await lars.GetJson(Services + "?limit=200")).Items().Select(s => s.Str("app_id")).ToList();
        Assert.Contains(larsApp, larsList);
        Assert.DoesNotContain(opsApp, larsList);
        Assert.Contains(larsApp, (await ops.GetJson(Services + "?limit=200")).Items().Select(s => s.Str("app_id")));

        // Another partner's service: taking over its app_id is refused, its heartbeat and page are not found, nothing changes.
        await (await lars.PostAsJsonAsync(Services, Registration(opsApp, "http://127.0.0.1:9"))).Problem(HttpStatusCode.Conflict);
        await (await lars.PostAsJsonAsync($"{Services}/{opsApp}/heartbeat", new { status = "healthy" })).Problem(HttpStatusCode.NotFound);
        await (await lars.GetAsync($"{Services}/{opsApp}")).Problem(HttpStatusCode.NotFound);
        await (await lars.PostAsync($"/api/v1/admin/registry/services/{larsApp}/approve", null)).Problem(HttpStatusCode.Forbidden);
        var opsRow = (await ops.GetJson($"{Services}/{opsApp}"))["service"]!;
        Assert.Equal(fake.BaseUrl + "/", opsRow.Str("base_url"));
        Assert.Null(opsRow["last_heartbeat_at"]);

        // A service key acts for its own app_id only.
        var key = await ops.PostJson("/api/v1/admin/api-keys", new { name = "svc", scopes = new[] { "registry:read", "registry:write" }, service_app_id = opsApp }, HttpStatusCode.Created);
        var svc = app.CreateClient();
        svc.DefaultRequestHeaders.Add("X-API-Key", key.Str("secret"));
        var beat = await svc.PostJson($"{Services}/{opsApp}/heartbeat", new { status = "degraded", version = "1.0.1", details = new { queue = 12 } }, HttpStatusCode.OK);
        Assert.Equal("degraded", beat.Str("last_heartbeat_status"));
        Assert.Equal("1.0.1", beat.Str("version"));
        var other = NewAppId("other");
        await (await svc.PostAsJsonAsync(Services, Registration(other, fake.BaseUrl))).Problem(HttpStatusCode.Forbidden);
        await (await svc.PostAsJsonAsync($"{Services}/{opsApp}/heartbeat", new { status = "sleepy" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await ops.GetAsync($"{Services}/{other}")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlyApprovedServices_PassTheProvisioningGate_AndARetiredOneIsNoLongerProbed()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var registry = app.Services.GetRequiredService<RegistryService>();
        var appId = NewAppId("gate");
        await ops.PostJson(Services, Registration(appId, fake.BaseUrl), HttpStatusCode.Created);
        await Assert.ThrowsAsync<DomainConflictException>(() => registry.RequireApprovedAsync(appId));

        await ops.PostJson($"/api/v1/admin/registry/services/{appId}/approve", null, HttpStatusCode.OK);
        Assert.Equal(appId, (await registry.RequireApprovedAsync(appId)).AppId);
        var twice = await (await ops.PostAsync($"/api/v1/admin/registry/services/{appId}/approve", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("approved", twice.Str("current_state"));

        await ops.PostJson($"/api/v1/admin/registry/services/{appId}/suspend", null, HttpStatusCode.OK);
        await Assert.ThrowsAsync<DomainConflictException>(() => registry.RequireApprovedAsync(appId));

        await ops.PostJson($"/api/v1/admin/registry/services/{appId}/retire", null, HttpStatusCode.OK);
        var probes = fake.Probes;
        await Monitor.RunOnceAsync(Pass(1));
        Assert.Equal(probes, fake.Probes);
        await (await ops.PostAsJsonAsync($"{Services}/{appId}/heartbeat", new { status = "healthy" })).Problem(HttpStatusCode.Conflict);
        await (await ops.PostAsync($"/api/v1/admin/registry/services/{appId}/approve", null)).Problem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Probe_IsDamped_HealthyAfterTwoPasses_UnreachableAfterThreeFailures_AndBackAfterTwo()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("damp");
        await ops.PostJson(Services, Registration(appId, fake.BaseUrl), HttpStatusCode.Created);
        await ops.PostJson($"{Services}/{appId}/heartbeat", new { status = "healthy" }, HttpStatusCode.OK);

        var script = new[] { 200, 200, 500, 500, 0, 200, 200 }; // 0: no answer within the probe timeout
        fake.Answer = n => n <= script.Length ? script[n - 1] : 200;
        var seen = new List<string>();
        for (var i = 1; i <= script.Length; i++)
        {
            await Monitor.RunOnceAsync(Pass(i));
            seen.Add(await HealthAsync(ops, appId));
        }

        Assert.Equal(["unknown", "healthy", "healthy", "healthy", "unreachable", "unreachable", "healthy"], seen);
        Assert.Equal(["unknown->healthy", "healthy->unreachable", "unreachable->healthy"], await HistoryAsync(ops, appId));
        var events = (await ops.GetJson($"{Services}/{appId}"))["history"]!.AsArray();
        Assert.Contains("no answer within 1 s", events[1]!.Str("reason"));
    }

    [Fact]
    public async Task AnAlternatingService_NeverFlapsTheStatus()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("flap");
        await ops.PostJson(Services, Registration(appId, fake.BaseUrl), HttpStatusCode.Created);
        await ops.PostJson($"{Services}/{appId}/heartbeat", new { status = "healthy" }, HttpStatusCode.OK);
        fake.Answer = n => n <= 2 || n % 2 == 1 ? 200 : 503;
        for (var i = 1; i <= 12; i++)
        {
            await Monitor.RunOnceAsync(Pass(i));
        }

        Assert.Equal(12, fake.Probes);
        Assert.Equal("healthy", await HealthAsync(ops, appId));
        Assert.Equal(["unknown->healthy"], await HistoryAsync(ops, appId));
    }

    [Fact]
    public async Task AnOverdueHeartbeat_DegradesAServiceWhoseProbeStillAnswers_AndAFreshOneRestoresIt()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("ttl");
        await ops.PostJson(Services, Registration(appId, fake.BaseUrl, ttl: 3600), HttpStatusCode.Created);
        await ops.PostJson($"{Services}/{appId}/heartbeat", new { status = "healthy" }, HttpStatusCode.OK);
        await Monitor.RunOnceAsync(Pass(1));
        await Monitor.RunOnceAsync(Pass(2));
        Assert.Equal("healthy", await HealthAsync(ops, appId));

        // 70 and 80 minutes after the last heartbeat: older than its 3600 s TTL.
        await Monitor.RunOnceAsync(Pass(7));
        Assert.Equal("healthy", await HealthAsync(ops, appId));
        await Monitor.RunOnceAsync(Pass(8));
        var row = (await ops.GetJson($"{Services}/{appId}"))["service"]!;
        Assert.Equal("degraded", row.Str("health_status"));
        Assert.Contains("heartbeat overdue", row.Str("health_reason"));
        Assert.Equal(["unknown->healthy", "healthy->degraded"], await HistoryAsync(ops, appId));
    }

    [Fact]
    public async Task TwoMonitorsRunningTheSamePass_ProbeEachServiceOnce()
    {
        await using var fake = await FakeService.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var appId = NewAppId("twice");
        await ops.PostJson(Services, Registration(appId, fake.BaseUrl), HttpStatusCode.Created);
        var before = fake.Probes;
        await Task.WhenAll(Monitor.RunOnceAsync(Pass(3)), Monitor.RunOnceAsync(Pass(3)), Monitor.RunOnceAsync(Pass(3)));
        Assert.Equal(before + 1, fake.Probes);
    }
}
