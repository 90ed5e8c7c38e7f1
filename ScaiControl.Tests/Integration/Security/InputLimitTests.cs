using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>
/// The hostile probe's limit findings: a 10 MB body on a small JSON endpoint is a 413 problem+json (with or without
/// Content-Length), 10,000 topics on one subscriber and CR/LF or bidi controls in a name are a 422 on the field, and
/// nothing is written.
/// </summary>
public sealed class InputLimitTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Subs = "/api/v1/admin/webhook-subscriptions";

    private static string Huge => new('x', 10 * 1024 * 1024);

    [Fact]
    public async Task ATenMegabyteBody_OnASmallJsonEndpoint_Is413_AndNothingIsWritten()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var before = await CountSubscribersAsync();

        // With Content-Length (refused before the body is read).
        using var sized = new StringContent($$"""{"url":"http://127.0.0.1:9/hook","topics":["*"],"description":"{{Huge}}"}""", Encoding.UTF8, "application/json");
        var problem = await (await ops.PostAsync(Subs, sized)).Problem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", problem.Str("detail"), StringComparison.Ordinal);

        // Chunked, without Content-Length (refused once the read passes the limit).
        var chunked = await ops.PostAsJsonAsync(Subs, new { url = "http://127.0.0.1:9/hook", topics = new[] { "*" }, description = Huge });
        Assert.Null(chunked.RequestMessage!.Content!.Headers.ContentLength);
        await chunked.Problem(HttpStatusCode.RequestEntityTooLarge);

        var anna = await app.ClientForAsync(Api.Anna);
        var tenant = (await app.ActorForAsync(Api.Anna)).TenantId!;
        await (await anna.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new { legal_name = Huge })).Problem(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(before, await CountSubscribersAsync());
    }

    [Fact]
    public async Task AnOrdinaryBody_StillPasses_AndTheTemplateEndpointsTakeLargeTemplates()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        await ops.PostJson(Subs, new { url = "http://127.0.0.1:9/hook", topics = new[] { "subscription.*" }, description = "ok" }, HttpStatusCode.Created);

        // A 1 MB template body is over the default limit but within the template endpoints' own.
        var body = "<html><body><p>{{number}}</p>" + new string(' ', 1024 * 1024) + "</body></html>";
        var preview = await ops.PostAsJsonAsync("/api/v1/admin/templates/preview", new { document_type = "invoice", body });
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, preview.StatusCode);
        Assert.True(preview.IsSuccessStatusCode || (int)preview.StatusCode == 422, $"got {(int)preview.StatusCode}: {await preview.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task TenThousandTopics_AreRefusedOnTopics()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var before = await CountSubscribersAsync();
        var topics = Enumerable.Range(0, 10_000).Select(i => i % 2 == 0 ? "*" : "subscription.*").ToArray();
        var problem = await (await ops.PostAsJsonAsync(Subs, new { url = "http://127.0.0.1:9/hook", topics })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("at most 100", problem["errors"]!["topics"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await CountSubscribersAsync());
    }

    [Theory]
    [InlineData("Acme\r\nX-Injected: 1")]
    [InlineData("Acme\nLtd")]
    [InlineData("Invoice \u202Efdp.exe")]
    [InlineData("Acme \u2066evil\u2069")]
    [InlineData("Acme\u0000")]
    public async Task ControlCharactersInANameOrDescription_AreRefusedOnTheField(string name)
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var tenant = (await app.ActorForAsync(Api.Anna)).TenantId!;
        var profile = await anna.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        var problem = await (await anna.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new
        {
            legal_name = name, address_line1 = profile.Str("address_line1"), postal_code = profile.Str("postal_code"), city = profile.Str("city"),
            country = profile.Str("country"), email = profile.Str("email"),
        })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["legal_name"]);
        Assert.Equal(profile.Str("legal_name"), (await anna.GetJson($"/api/v1/tenants/{tenant}/billing-profile")).Str("legal_name"));

        var ops = await app.ClientForAsync(Api.Ops);
        var webhook = await (await ops.PostAsJsonAsync(Subs, new { url = "http://127.0.0.1:9/hook", topics = new[] { "*" }, description = name })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(webhook["errors"]!["description"]);
    }

    private async Task<int> CountSubscribersAsync()
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.WebhookSubscriptions.CountAsync();
    }
}
