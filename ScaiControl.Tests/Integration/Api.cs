using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaiControl.Tests.Integration;

/// <summary>Small helpers for calling /api/v1 and reading its snake_case JSON.</summary>
internal static class Api
{
    public const string Anna = "anna@acme-nl.example";
    public const string Jonas = "jonas@bergmann-de.example";
    public const string Claire = "claire@martin-fr.example";
    public const string Sam = "sam@redwood-us.example";
    public const string Eva = "eva@fjord-no.example";
    public const string Lars = "lars@nordiccloud-se.example";
    public const string Ops = "ops@scailabs.example";

    public static async Task<JsonNode> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body.Length == 0 ? "null" : body) ?? new JsonObject();
    }

    public static async Task<JsonNode> GetJson(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(url)).Json(expected);

    public static async Task<JsonNode> PostJson(this HttpClient client, string url, object? body, HttpStatusCode expected) =>
        await (await client.PostAsJsonAsync(url, body)).Json(expected);

    /// <summary>A problem+json response with the status; returns its body.</summary>
    public static async Task<JsonNode> Problem(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var json = await response.Json(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, json["status"]!.GetValue<int>());
        return json;
    }

    public static async Task<string> PlanId(this HttpClient client, string service, string code)
    {
        var plans = await client.GetJson($"/api/v1/catalog/services/{service}/plans");
        return plans["items"]!.AsArray().Single(p => p!["code"]!.GetValue<string>() == code)!["id"]!.GetValue<string>();
    }

    /// <summary>Starts the billing run of <paramref name="period"/> as the operator and waits until it ends.</summary>
    public static async Task<JsonNode> RunBillingAsync(this HttpClient ops, string period)
    {
        var run = await ops.PostJson("/api/v1/admin/billing-runs", new { period }, HttpStatusCode.Accepted);
        var id = run["id"]!.GetValue<string>();
        for (var i = 0; i < 600; i++)
        {
            run = await ops.GetJson($"/api/v1/admin/billing-runs/{id}");
            if (run["status"]!.GetValue<string>() is "completed" or "failed")
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Billing run {id} did not finish: {run.ToJsonString()}");
    }

    public static string CurrentPeriod => DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<JsonNode> Items(this JsonNode list) => list["items"]!.AsArray().Select(n => n!).ToArray();

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static long Long(this JsonNode node, string name) => node[name]!.GetValue<long>();

    public static JsonSerializerOptions Snake { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
