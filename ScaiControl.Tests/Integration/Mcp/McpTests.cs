using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using ScaiControl.Tests.Web.Browser;
using ScaiControl.Web.Cli;
using Xunit;

namespace ScaiControl.Tests.Integration.Mcp;

/// <summary>
/// The real app as a child process (SQLite, demo data) and its MCP server reached with the official MCP TypeScript
/// client (@modelcontextprotocol/sdk, tools/test-servers/mcp-client.mjs, installed by scripts/test.sh's npm ci): over
/// streamable HTTP with each role's bearer token, and over stdio through `admin mcp --user`.
/// </summary>
public sealed class McpFixture : IAsyncLifetime
{
    public const string Operator = "ops@scailabs.example";
    public const string Partner = "lars@nordiccloud-se.example";
    public const string Tenant = "anna@acme-nl.example";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public PortalApp App { get; private set; } = default!;

    /// <summary>Settings that point the in-process CLI at the child's database.</summary>
    public IConfiguration CliConfig => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["DataDirectory"] = App.DataDirectory,
        ["Database:Provider"] = "Sqlite",
        ["Auth:DevSignIn"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
    }).Build();

    public async Task InitializeAsync()
    {
        App = await PortalApp.StartAsync("/usr/bin/chromium", TimeSpan.FromMinutes(3));
        foreach (var email in new[] { Operator, Partner, Tenant })
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await AdminCli.RunAsync(["token", "--user", email], output, error, CliConfig, "Development");
            Assert.True(code == 0, error.ToString());
            _tokens[email] = output.ToString().Trim();
        }
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>The bearer token of a demo user.</summary>
    public string TokenOf(string email) => _tokens[email];

    /// <summary>An API client with the user's token.</summary>
    public HttpClient Api(string email)
    {
        var client = new HttpClient { BaseAddress = App.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenOf(email));
        return client;
    }

    /// <summary>Runs the TypeScript client over HTTP as <paramref name="email"/>: tools/list, then each call in order.</summary>
    public Task<JsonObject> HttpAsync(string email, params object[] calls) =>
        RunClientAsync(new JsonObject
        {
            ["http"] = new JsonObject { ["url"] = new Uri(App.BaseAddress, "mcp").ToString(), ["headers"] = new JsonObject { ["Authorization"] = $"Bearer {TokenOf(email)}" } },
            ["calls"] = JsonSerializer.SerializeToNode(calls),
        });

    /// <summary>Runs the TypeScript client against `admin mcp --user <paramref name="email"/>` (a child process on the same database).</summary>
    public Task<JsonObject> StdioAsync(string email, params object[] calls) =>
        RunClientAsync(new JsonObject
        {
            ["stdio"] = new JsonObject
            {
                ["command"] = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
                ["args"] = new JsonArray(Path.Combine(AppContext.BaseDirectory, "ScaiControl.Web.dll"), "admin", "mcp", "--user", email),
                ["cwd"] = AppContext.BaseDirectory,
                ["env"] = new JsonObject
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["DOTNET_ENVIRONMENT"] = "Development",
                    ["DataDirectory"] = App.DataDirectory,
                    ["Database__Provider"] = "Sqlite",
                    ["Logging__LogLevel__Default"] = "Warning",
                },
            },
            ["calls"] = JsonSerializer.SerializeToNode(calls),
        });

    private static async Task<JsonObject> RunClientAsync(JsonObject plan)
    {
        var script = Environment.GetEnvironmentVariable("SCAI_MCP_CLIENT");
        if (string.IsNullOrEmpty(script) || !File.Exists(script))
        {
            throw new InvalidOperationException("SCAI_MCP_CLIENT is not set to tools/test-servers/mcp-client.mjs: run the tests through scripts/test.sh (npm ci installs @modelcontextprotocol/sdk).");
        }

        var file = Path.Combine(Path.GetTempPath(), $"scai-mcp-plan-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, plan.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            var text = await stdout;
            Assert.True(process.ExitCode == 0 && text.Length > 0, $"mcp-client exited {process.ExitCode}: {text}\n{await stderr}");
            var result = JsonNode.Parse(text)!.AsObject();
            Assert.False(result.ContainsKey("connect_error"), $"{result["connect_error"]}\n{await stderr}");
            return result;
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>The MCP server's tools, permissions, errors, dry runs and idempotency, as an agent sees them.</summary>
[Trait("Category", "Mcp")]
public sealed class McpTests(McpFixture fx) : IClassFixture<McpFixture>
{
    private static readonly string[] TenantTools = ["manage_subscriptions", "preview_plan_change", "browse_catalog", "manage_packs", "manage_tenants", "list_invoices", "get_invoice", "report_usage", "usage_summary"];

    private static readonly string[] AllTools =
        [.. TenantTools, "finalise_invoice", "create_credit_note", "list_webhooks", "replay_webhooks", "billing_runs"];

    private static object Call(string name, object arguments, object? meta = null) => new { name, arguments, meta };

    private static List<string> Names(JsonObject run) => run["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    private static JsonObject Result(JsonObject run, int index) => run["results"]![index]!.AsObject();

    private static bool IsError(JsonObject result) => result["isError"]?.GetValue<bool>() == true;

    private static string Text(JsonObject result) => result["content"]![0]!["text"]!.GetValue<string>();

    private static JsonNode Body(JsonObject result)
    {
        Assert.False(IsError(result), result.ToJsonString());
        return JsonNode.Parse(Text(result))!;
    }

    [Fact]
    public async Task ToolsList_ShowsEachRoleOnlyTheToolsItsPermissionsAllow_WithAnnotations()
    {
        var ops = await fx.HttpAsync(McpFixture.Operator);
        var tenant = await fx.HttpAsync(McpFixture.Tenant);
        var partner = await fx.HttpAsync(McpFixture.Partner);

        Assert.Equal(AllTools.Order(StringComparer.Ordinal), Names(ops));
        Assert.Equal(TenantTools.Order(StringComparer.Ordinal), Names(tenant));
        // The partner admin has invoices:write and webhooks:write but no billing:run.
        Assert.Contains("finalise_invoice", Names(partner));
        Assert.Contains("list_webhooks", Names(partner));
        Assert.DoesNotContain("billing_runs", Names(partner));

        var tools = ops["tools"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!.AsObject());
        Assert.True(tools["list_invoices"]["annotations"]!["readOnlyHint"]!.GetValue<bool>());
        Assert.True(tools["finalise_invoice"]["annotations"]!["destructiveHint"]!.GetValue<bool>());
        Assert.True(tools["preview_plan_change"]["annotations"]!["idempotentHint"]!.GetValue<bool>());
        Assert.Contains("invoice_id", tools["get_invoice"]["inputSchema"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("string", tools["get_invoice"]["inputSchema"]!["properties"]!["invoice_id"]!["type"]!.GetValue<string>());
        Assert.Equal("scaicontrol", ops["server"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Http_WithoutToken_Is401PointingAtTheProtectedResourceMetadata()
    {
        using var http = new HttpClient { BaseAddress = fx.App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        Assert.Contains("resource_metadata=", challenge, StringComparison.Ordinal);

        var metadata = JsonNode.Parse(await http.GetStringAsync(".well-known/oauth-protected-resource/mcp"))!;
        Assert.Equal(new Uri(fx.App.BaseAddress, "mcp").ToString(), metadata["resource"]!.GetValue<string>());
        Assert.Contains("invoices:read", metadata["scopes_supported"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task EveryTool_CalledAsTheOperator_AnswersWithTheSameDataAsTheRestApi()
    {
        using var api = fx.Api(McpFixture.Operator);
        var subscriptions = JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?status=active&limit=200"))!["items"]!.AsArray();
        var active = subscriptions.First(s => s!["pack_subscription_id"] is null && s["status"]!.GetValue<string>() == "active")!;
        var plans = JsonNode.Parse(await api.GetStringAsync($"api/v1/catalog/services/{active["service_slug"]}/plans"))!["items"]!.AsArray();
        var otherPlan = plans.First(p => p!["id"]!.GetValue<string>() != active["plan_id"]!.GetValue<string>())!["id"]!.GetValue<string>();
        var invoices = JsonNode.Parse(await api.GetStringAsync("api/v1/invoices?status=finalised&limit=5"))!["items"]!.AsArray();
        var invoiceId = invoices[0]!["id"]!.GetValue<string>();
        var tenantId = active["tenant_id"]!.GetValue<string>();

        var run = await fx.HttpAsync(McpFixture.Operator,
            Call("manage_subscriptions", new { action = "get", subscription_id = active["id"]!.GetValue<string>() }),
            Call("preview_plan_change", new { subscription_id = active["id"]!.GetValue<string>(), plan_id = otherPlan }),
            Call("browse_catalog", new { what = "services" }),
            Call("manage_packs", new { action = "list" }),
            Call("manage_tenants", new { action = "get_billing_profile", tenant_id = tenantId }),
            Call("list_invoices", new { status = "finalised", limit = 5 }),
            Call("get_invoice", new { invoice_id = invoiceId }),
            Call("list_webhooks", new { }),
            Call("billing_runs", new { action = "list" }),
            Call("manage_tenants", new { action = "list", limit = 200 }));

        Assert.Equal(active["status"]!.GetValue<string>(), Body(Result(run, 0))["status"]!.GetValue<string>());
        var preview = Body(Result(run, 1));
        Assert.True(preview["preview"]!.GetValue<bool>());
        Assert.Equal(otherPlan, preview["new_plan"]!["id"]!.GetValue<string>());
        Assert.NotEmpty(Body(Result(run, 2))["items"]!.AsArray());
        Assert.NotNull(Body(Result(run, 3))["items"]);
        Assert.Equal(tenantId, Body(Result(run, 4))["tenant_id"]!.GetValue<string>());
        Assert.Equal(invoices.Select(i => i!["id"]!.GetValue<string>()), Body(Result(run, 5))["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(invoices[0]!["number"]!.GetValue<string>(), Body(Result(run, 6))["number"]!.GetValue<string>());
        Assert.NotNull(Body(Result(run, 7))["items"]);
        Assert.NotNull(Body(Result(run, 8))["items"]);
        Assert.Contains(tenantId, Body(Result(run, 9))["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));

        // The plan change was only previewed: the subscription still has its plan.
        var after = JsonNode.Parse(await api.GetStringAsync($"api/v1/subscriptions/{active["id"]}"))!;
        Assert.Equal(active["plan_id"]!.GetValue<string>(), after["plan_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task MoneyMovingAndWriteTools_CreateFinaliseCreditReplayBill_ThroughTheServices()
    {
        using var api = fx.Api(McpFixture.Operator);
        var acme = JsonNode.Parse(await api.GetStringAsync("api/v1/invoices?status=finalised&limit=200"))!["items"]!.AsArray()
            .First(i => i!["document_type"]!.GetValue<string>() == "invoice")!;
        var hooks = JsonNode.Parse(await api.GetStringAsync("api/v1/admin/webhook-subscriptions"))!["items"]!.AsArray();

        var run = await fx.HttpAsync(McpFixture.Operator,
            Call("create_credit_note", new { invoice_id = acme["id"]!.GetValue<string>(), reason = "MCP test credit", request_id = "credit-1" }),
            Call("billing_runs", new { action = "start", period = "2019-01", request_id = "run-2019-01" }),
            Call("replay_webhooks", hooks.Count > 0 ? new { subscription_id = hooks[0]!["id"]!.GetValue<string>(), status = "failed" } : new { subscription_id = "whs_missing", status = "failed" }));

        var note = Body(Result(run, 0));
        Assert.Equal("credit_note", note["document_type"]!.GetValue<string>());
        Assert.Equal("draft", note["status"]!.GetValue<string>());
        Assert.Equal(acme["id"]!.GetValue<string>(), note["referenced_invoice_id"]!.GetValue<string>());
        Assert.Equal("2019-01", Body(Result(run, 1))["period"]!.GetValue<string>());
        if (hooks.Count > 0)
        {
            Assert.True(Body(Result(run, 2))["replayed"]!.GetValue<int>() >= 0);
        }
        else
        {
            Assert.Contains("404", Text(Result(run, 2)), StringComparison.Ordinal);
        }

        // Finalise the credit note: a dry run first changes nothing, then the real call numbers it.
        var noteId = note["id"]!.GetValue<string>();
        var finalise = await fx.HttpAsync(McpFixture.Operator,
            Call("finalise_invoice", new { invoice_id = noteId, dry_run = true }),
            Call("get_invoice", new { invoice_id = noteId }),
            Call("finalise_invoice", new { invoice_id = noteId, request_id = "fin-1" }));
        Assert.True(Body(Result(finalise, 0))["dry_run"]!.GetValue<bool>());
        Assert.Equal("draft", Body(Result(finalise, 1))["status"]!.GetValue<string>());
        var final = Body(Result(finalise, 2));
        Assert.Equal("finalised", final["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(final["number"]?.GetValue<string>()));
    }

    [Fact]
    public async Task RepeatedCreate_WithTheSameRequestId_IsAppliedOnce_OverHttpAndStdio()
    {
        using var api = fx.Api(McpFixture.Tenant);
        var services = JsonNode.Parse(await api.GetStringAsync("api/v1/catalog/services"))!["items"]!.AsArray();
        var plan = JsonNode.Parse(await api.GetStringAsync($"api/v1/catalog/services/{services[0]!["slug"]}/plans"))!["items"]!.AsArray()[0]!["id"]!.GetValue<string>();
        async Task<int> CountAsync() => JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?limit=200"))!["items"]!.AsArray().Count;

        var before = await CountAsync();
        var create = Call("manage_subscriptions", new { action = "create", plan_id = plan, request_id = "agent-call-7" });
        var run = await fx.HttpAsync(McpFixture.Tenant, create, create);
        var first = Body(Result(run, 0));
        var second = Body(Result(run, 1));
        Assert.Equal(first["id"]!.GetValue<string>(), second["id"]!.GetValue<string>());
        Assert.True(Result(run, 1)["_meta"]!["replayed"]!.GetValue<bool>());
        Assert.Equal(before + 1, await CountAsync());

        // A retry in a new connection with the same request id is still the same call; a new request id is a new one.
        var retry = await fx.HttpAsync(McpFixture.Tenant, create, Call("manage_subscriptions", new { action = "create", plan_id = plan, request_id = "agent-call-8" }));
        Assert.Equal(first["id"]!.GetValue<string>(), Body(Result(retry, 0))["id"]!.GetValue<string>());
        Assert.NotEqual(first["id"]!.GetValue<string>(), Body(Result(retry, 1))["id"]!.GetValue<string>());
        Assert.Equal(before + 2, await CountAsync());

        // Over stdio (one server process for the session): the same rule.
        var stdioCreate = Call("manage_subscriptions", new { action = "create", plan_id = plan, request_id = "stdio-call-1" });
        var stdio = await fx.StdioAsync(McpFixture.Tenant, stdioCreate, stdioCreate);
        Assert.Equal(Body(Result(stdio, 0))["id"]!.GetValue<string>(), Body(Result(stdio, 1))["id"]!.GetValue<string>());
        Assert.Equal(before + 3, await CountAsync());
    }

    [Fact]
    public async Task Permissions_And_TenantScope_AreEnforced_AsToolErrorsWithTheReason()
    {
        using var ops = fx.Api(McpFixture.Operator);
        using var tenantApi = fx.Api(McpFixture.Tenant);
        var own = JsonNode.Parse(await tenantApi.GetStringAsync("api/v1/invoices?limit=200"))!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToHashSet();
        var foreign = JsonNode.Parse(await ops.GetStringAsync("api/v1/invoices?limit=200"))!["items"]!.AsArray()
            .Select(i => i!["id"]!.GetValue<string>()).First(id => !own.Contains(id));
        var drafts = JsonNode.Parse(await ops.GetStringAsync("api/v1/invoices?status=draft&limit=1"))!["items"]!.AsArray();

        var run = await fx.HttpAsync(McpFixture.Tenant,
            Call("finalise_invoice", new { invoice_id = drafts.Count > 0 ? drafts[0]!["id"]!.GetValue<string>() : foreign }),
            Call("get_invoice", new { invoice_id = foreign }),
            Call("billing_runs", new { action = "start", period = "2019-02" }),
            Call("manage_subscriptions", new { action = "suspend", subscription_id = "sub_unknown" }),
            Call("manage_tenants", new { action = "list" }));

        Assert.True(IsError(Result(run, 0)));
        Assert.Contains("403 Forbidden", Text(Result(run, 0)), StringComparison.Ordinal);
        Assert.Contains("invoices:write", Text(Result(run, 0)), StringComparison.Ordinal);
        Assert.True(IsError(Result(run, 1)));
        Assert.StartsWith("404", Text(Result(run, 1)), StringComparison.Ordinal);
        Assert.Contains("billing:run", Text(Result(run, 2)), StringComparison.Ordinal);
        Assert.True(IsError(Result(run, 3)));
        Assert.True(IsError(Result(run, 4)));
        Assert.Contains("tenants:read", Text(Result(run, 4)), StringComparison.Ordinal);
        if (drafts.Count > 0)
        {
            var still = JsonNode.Parse(await ops.GetStringAsync($"api/v1/invoices/{drafts[0]!["id"]}"))!;
            Assert.Equal("draft", still["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task BadArguments_AreToolErrorsNamingTheField_AndChangeNothing()
    {
        using var api = fx.Api(McpFixture.Tenant);
        var before = JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?limit=200"))!["items"]!.AsArray().Count;
        var run = await fx.HttpAsync(McpFixture.Tenant,
            Call("manage_subscriptions", new { action = "explode" }),
            Call("manage_subscriptions", new { action = "list", limit = "ten" }),
            Call("get_invoice", new { }),
            Call("manage_subscriptions", new { action = "create" }),
            Call("manage_subscriptions", new { action = "list", colour = "blue" }),
            Call("manage_subscriptions", new { action = "list", status = "sleeping" }));

        Assert.All(Enumerable.Range(0, 6), i => Assert.True(IsError(Result(run, i)), Result(run, i).ToJsonString()));
        Assert.Contains("action must be one of", Text(Result(run, 0)), StringComparison.Ordinal);
        Assert.Contains("limit must be an integer", Text(Result(run, 1)), StringComparison.Ordinal);
        Assert.Contains("invoice_id is required", Text(Result(run, 2)), StringComparison.Ordinal);
        Assert.Contains("plan_id is required", Text(Result(run, 3)), StringComparison.Ordinal);
        Assert.Contains("colour is not an argument", Text(Result(run, 4)), StringComparison.Ordinal);
        Assert.Contains("'sleeping' is not a subscription status", Text(Result(run, 5)), StringComparison.Ordinal);
        Assert.Equal(before, JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?limit=200"))!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Cancel_DryRun_ShowsTheResult_AndChangesNothing_ThenCancelsForReal()
    {
        using var api = fx.Api(McpFixture.Tenant);
        var active = JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?status=active&limit=200"))!["items"]!.AsArray()
            .First(s => s!["pack_subscription_id"] is null)!;
        var id = active["id"]!.GetValue<string>();

        var run = await fx.HttpAsync(McpFixture.Tenant,
            Call("manage_subscriptions", new { action = "cancel", subscription_id = id, at_period_end = true, dry_run = true, reason = "trying" }),
            Call("manage_subscriptions", new { action = "get", subscription_id = id }),
            Call("manage_subscriptions", new { action = "suspend", subscription_id = id, dry_run = true }));
        var dry = Body(Result(run, 0));
        Assert.True(dry["dry_run"]!.GetValue<bool>());
        Assert.Equal("active", dry["from_status"]!.GetValue<string>());
        Assert.Equal("cancelling", dry["subscription"]!["status"]!.GetValue<string>());
        Assert.Equal("active", Body(Result(run, 1))["status"]!.GetValue<string>());
        // Suspending is the operator's: the dry run refuses it as the action would.
        Assert.StartsWith("403", Text(Result(run, 2)), StringComparison.Ordinal);

        var real = await fx.HttpAsync(McpFixture.Tenant, Call("manage_subscriptions", new { action = "cancel", subscription_id = id, at_period_end = true }));
        Assert.Equal("cancelling", Body(Result(real, 0))["status"]!.GetValue<string>());
        Assert.Equal("cancelling", JsonNode.Parse(await api.GetStringAsync($"api/v1/subscriptions/{id}"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stdio_ActsAsTheNamedUser_WithTheSameToolsAndScope()
    {
        var stdio = await fx.StdioAsync(McpFixture.Tenant, Call("list_invoices", new { limit = 200 }), Call("billing_runs", new { action = "list" }));
        Assert.Equal(TenantTools.Order(StringComparer.Ordinal), Names(stdio));
        using var api = fx.Api(McpFixture.Tenant);
        var rest = JsonNode.Parse(await api.GetStringAsync("api/v1/invoices?limit=200"))!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>());
        Assert.Equal(rest, Body(Result(stdio, 0))["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Contains("403", Text(Result(stdio, 1)), StringComparison.Ordinal);

        var ops = await fx.StdioAsync(McpFixture.Operator);
        Assert.Equal(AllTools.Order(StringComparer.Ordinal), Names(ops));
    }

    [Fact]
    public async Task AdminMcp_WithAnUnknownUser_ExitsNonZeroWithTheReason()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCli.RunAsync(["mcp", "--user", "nobody@example.invalid"], output, error, fx.CliConfig, "Development");
        Assert.NotEqual(0, code);
        Assert.Contains("no user with e-mail 'nobody@example.invalid'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageTools_ReportPerEvent_SummariseOwnSubscriptions_AndRefuseOthers()
    {
        using var api = fx.Api(McpFixture.Tenant);
        var own = JsonNode.Parse(await api.GetStringAsync("api/v1/subscriptions?status=active&limit=200"))!["items"]!.AsArray()[0]!["id"]!.GetValue<string>();
        var ownTenant = JsonNode.Parse(await api.GetStringAsync($"api/v1/subscriptions/{own}"))!["tenant_id"]!.GetValue<string>();
        using var ops = fx.Api(McpFixture.Operator);
        var other = JsonNode.Parse(await ops.GetStringAsync("api/v1/subscriptions?status=active&limit=200"))!["items"]!.AsArray()
            .First(s => s!["tenant_id"]!.GetValue<string>() != ownTenant)!["id"]!.GetValue<string>();
        var report = Call("report_usage", new { events = new[] { new { event_id = "mcp-1", meter = "no_such_meter", quantity = "1", timestamp = DateTimeOffset.UtcNow.ToString("O") } }, request_id = "usage-1" });
        var run = await fx.HttpAsync(McpFixture.Tenant, report, report,
            Call("usage_summary", new { subscription_id = own, granularity = "period" }),
            Call("usage_summary", new { subscription_id = other }),
            Call("usage_summary", new { subscription_id = own, granularity = "week" }));

        var answer = Body(Result(run, 0));
        Assert.Equal("rejected", answer["results"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("unknown_meter", answer["results"]![0]!["code"]!.GetValue<string>());
        Assert.True(Result(run, 1)["_meta"]!["replayed"]!.GetValue<bool>());
        Assert.Equal(own, Body(Result(run, 2))["subscription_id"]!.GetValue<string>());
        Assert.StartsWith("404", Text(Result(run, 3)), StringComparison.Ordinal);
        Assert.StartsWith("422", Text(Result(run, 4)), StringComparison.Ordinal);
    }
}
