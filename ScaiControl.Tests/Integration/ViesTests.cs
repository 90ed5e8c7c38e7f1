using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// A local stand-in for the VIES REST API (POST /check-vat-number): ids ending in 0 are valid, ending in 9 make it
/// answer 503 (an outage), anything else is invalid. Records what it was asked.
/// </summary>
public sealed class FakeVies : IAsyncLifetime
{
    private WebApplication? _server;

    public List<JsonNode> Requests { get; } = [];

    public string BaseUrl { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        (_server, BaseUrl) = await LoopbackServer.StartAsync(server => server.MapPost("/check-vat-number", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!;
            lock (Requests)
            {
                Requests.Add(body);
            }

            var number = body["vatNumber"]!.GetValue<string>();
            return number[^1] switch
            {
                '9' => Results.StatusCode(503),
                '0' => Results.Json(new { countryCode = body["countryCode"]!.GetValue<string>(), vatNumber = number, valid = true, requestIdentifier = "WAPIAAAAW1234567", name = "REGISTERED GMBH" }),
                _ => Results.Json(new { countryCode = body["countryCode"]!.GetValue<string>(), vatNumber = number, valid = false, requestIdentifier = "WAPIAAAAW7654321", name = "---" }),
            };
        }));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The app with Vies:BaseUrl pointing at <see cref="FakeVies"/>.</summary>
public sealed class ViesApp : SqliteApp
{
    public FakeVies Vies { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Vies:BaseUrl", Vies.BaseUrl)];

    public override async Task InitializeAsync()
    {
        await Vies.InitializeAsync();
        await base.InitializeAsync();
    }
}

public sealed class ViesTests(ViesApp app) : IClassFixture<ViesApp>, IAsyncLifetime
{
    [Fact]
    public async Task AConfirmedId_GivesReverseCharge_AnUnconfirmedOne_FallsBackToB2CAndSaysSoInTheAuditLog()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var ops = await app.ClientForAsync(Api.Ops);
        var tenant = (await app.ActorForAsync(Api.Jonas)).TenantId!;

        var confirmed = await Save(jonas, tenant, "DE123456000");
        Assert.Equal("valid", confirmed.Str("vat_id_status"));
        Assert.Equal("WAPIAAAAW1234567", confirmed.Str("vat_id_consultation_number"));
        Assert.Contains(app.Vies.Requests, r => r["vatNumber"]!.GetValue<string>() == "123456000" && r["requesterMemberStateCode"]!.GetValue<string>() == "NL");
        var reverse = await FinalisedInvoiceFor(tenant, ops);
        Assert.Equal("intra_eu_reverse_charge", reverse.Str("vat_rule"));

        var outage = await Save(jonas, tenant, "DE123456059");
        Assert.Equal("unavailable", outage.Str("vat_id_status"));
        var fallback = await FinalisedInvoiceFor(tenant, ops);
        Assert.Equal("intra_eu_b2c", fallback.Str("vat_rule"));
        Assert.All(fallback["lines"]!.AsArray(), l => Assert.Equal("19.00", l!.Str("vat_rate")));

        await using var db = await app.Services.GetRequiredService<ScaiControl.Infrastructure.Persistence.ScaiDbFactory>().ForSystemAsync("test");
        var audit = await db.AuditLog.AsNoTracking().SingleAsync(a => a.Action == "vat_fallback" && a.EntityId == fallback.Str("id"));
        Assert.Contains("DE123456059", audit.AfterJson, StringComparison.Ordinal);

        var invalid = await Save(jonas, tenant, "DE123456018");
        Assert.Equal("invalid", invalid.Str("vat_id_status"));
    }

    private static async Task<JsonNode> Save(HttpClient client, string tenant, string vatId) =>
        await (await client.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new
        {
            legal_name = "Bergmann Software GmbH", address_line1 = "Friedrichstraße 68", postal_code = "10117", city = "Berlin", country = "DE",
            vat_id = vatId, email = "jonas@bergmann-de.example",
        })).Json(HttpStatusCode.OK);

    private async Task<JsonNode> FinalisedInvoiceFor(string tenantId, HttpClient ops) =>
        await ops.PostJson($"/api/v1/invoices/{(await app.CreateDraftInvoicesAsync(tenantId))[0]}/finalize", null, HttpStatusCode.OK);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => app.Vies.DisposeAsync();
}
