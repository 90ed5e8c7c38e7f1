using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The operator surface under /api/v1/admin (issue 17): partners and their seller configuration, tenants with their
/// billing profiles, catalog services and plans. Each group: the happy path, the 4xx a caller can cause (422 with the
/// field, 404, 409, 403), and a partner admin (Lars of Nordic Cloud) scoped to its own partner.
/// </summary>
public abstract class AdminApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private static readonly object NordicSeller = new
    {
        legal_name = "Nordic Cloud AB", address_line1 = "Sveavägen 44", postal_code = "111 34", city = "Stockholm", country = "SE",
        vat_id = "SE556677889901", email = "billing@nordiccloud-se.example", iban = "SE4550000000058398257466", bic = "ESSESESS", invoice_prefix = "NCAB",
    };

    [Fact]
    public async Task Partners_CreateOnceWithAnIdempotencyKey_ReadRenameAndList_BadNameIs422_UnknownIs404()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var name = $"Reseller {Guid.NewGuid():N}"[..20];
        var key = "ptr-" + Guid.NewGuid().ToString("N");
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/partners") { Content = JsonContent.Create(new { name }) };
        first.Headers.Add("Idempotency-Key", key);
        var created = await (await ops.SendAsync(first)).Json(HttpStatusCode.Created);
        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/partners") { Content = JsonContent.Create(new { name }) };
        again.Headers.Add("Idempotency-Key", key);
        var replayed = await ops.SendAsync(again);
        Assert.Equal(created.Str("id"), (await replayed.Json(HttpStatusCode.Created)).Str("id"));
        Assert.Equal($"/api/v1/admin/partners/{created.Str("id")}", replayed.Headers.Location?.OriginalString);

        var id = created.Str("id");
        Assert.False(created["is_operator"]!.GetValue<bool>());
        Assert.Equal(name, (await ops.GetJson($"/api/v1/admin/partners/{id}")).Str("name"));
        var renamed = await (await ops.PatchAsJsonAsync($"/api/v1/admin/partners/{id}", new { name = name + " B.V." })).Json(HttpStatusCode.OK);
        Assert.Equal(name + " B.V.", renamed.Str("name"));
        var found = await ops.GetJson($"/api/v1/admin/partners?q={Uri.EscapeDataString(name)}");
        Assert.Equal(id, Assert.Single(found.Items()).Str("id"));

        // Paging: one per page, following next_cursor, reaches every partner exactly once.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ops.GetJson("/api/v1/admin/partners?limit=1&sort=name" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.Items().Select(p => p.Str("id")));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        Assert.Contains(id, seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        var blank = await (await ops.PatchAsJsonAsync($"/api/v1/admin/partners/{id}", new { name = "" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("name", blank.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(name + " B.V.", (await ops.GetJson($"/api/v1/admin/partners/{id}")).Str("name"));
        await (await ops.GetAsync("/api/v1/admin/partners/ptr_nope")).Problem(HttpStatusCode.NotFound);
        await (await ops.PostAsJsonAsync("/api/v1/admin/partners", new { name = new string('x', 201) })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await ops.GetAsync("/api/v1/admin/partners?sort=colour")).Problem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task PartnerAdmin_SeesAndEditsOnlyItsOwnPartnerAndTenants()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var lars = await app.ClientForAsync(Api.Lars);
        var anna = await app.ClientForAsync(Api.Anna);
        var partners = await lars.GetJson("/api/v1/admin/partners");
        var nordic = Assert.Single(partners.Items());
        var scailabs = (await ops.GetJson("/api/v1/admin/partners")).Items().Single(p => p["is_operator"]!.GetValue<bool>());
        await (await lars.GetAsync($"/api/v1/admin/partners/{scailabs.Str("id")}")).Problem(HttpStatusCode.NotFound);
        await (await lars.GetAsync($"/api/v1/admin/partners/{scailabs.Str("id")}/seller")).Problem(HttpStatusCode.NotFound);
        await (await lars.PostAsJsonAsync("/api/v1/admin/partners", new { name = "Not mine" })).Problem(HttpStatusCode.Forbidden);
        await (await lars.PatchAsJsonAsync($"/api/v1/admin/partners/{nordic.Str("id")}", new { name = "Renamed" })).Problem(HttpStatusCode.Forbidden);

        // Its own seller configuration: read and replace.
        var seller = await (await lars.PutAsJsonAsync($"/api/v1/admin/partners/{nordic.Str("id")}/seller", NordicSeller)).Json(HttpStatusCode.OK);
        Assert.Equal("NCAB", seller.Str("invoice_prefix"));
        Assert.Equal("NCAB", (await lars.GetJson($"/api/v1/admin/partners/{nordic.Str("id")}/seller")).Str("invoice_prefix"));
        await (await lars.PutAsJsonAsync($"/api/v1/admin/partners/{scailabs.Str("id")}/seller", NordicSeller)).Problem(HttpStatusCode.NotFound);

        // Tenants: only Nordic's; another partner's tenant is not found; a tenant for another partner is refused.
        var tenants = await lars.GetJson("/api/v1/admin/tenants");
        Assert.NotEmpty(tenants.Items());
        Assert.All(tenants.Items(), t => Assert.Equal(nordic.Str("id"), t.Str("partner_id")));
        var acme = (await ops.GetJson("/api/v1/admin/tenants?q=acme")).Items()[0];
        await (await lars.GetAsync($"/api/v1/admin/tenants/{acme.Str("id")}")).Problem(HttpStatusCode.NotFound);
        await (await lars.PatchAsJsonAsync($"/api/v1/admin/tenants/{acme.Str("id")}", new { name = "Taken" })).Problem(HttpStatusCode.NotFound);
        await (await lars.GetAsync($"/api/v1/admin/tenants/{acme.Str("id")}/billing-profile")).Problem(HttpStatusCode.NotFound);
        var refused = await (await lars.PostAsJsonAsync("/api/v1/admin/tenants", new { partner_id = scailabs.Str("id"), name = "Sneaky AB" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("partner_id", refused.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await ops.GetJson("/api/v1/admin/tenants?q=sneaky")).Items(), t => t.Str("name") == "Sneaky AB");

        // The default partner of a partner admin's new tenant is its own.
        var mine = await lars.PostJson("/api/v1/admin/tenants", new { name = $"Nordic {Guid.NewGuid():N}"[..16] }, HttpStatusCode.Created);
        Assert.Equal(nordic.Str("id"), mine.Str("partner_id"));

        // A tenant user has none of this.
        await (await anna.GetAsync("/api/v1/admin/partners")).Problem(HttpStatusCode.Forbidden);
        await (await anna.GetAsync("/api/v1/admin/tenants")).Problem(HttpStatusCode.Forbidden);
        await (await anna.GetAsync("/api/v1/admin/plans")).Problem(HttpStatusCode.Forbidden);
        await (await lars.GetAsync("/api/v1/admin/plans")).Problem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Seller_CreatedForANewPartner_BadIbanIs422AndSavesNothing()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var partner = await ops.PostJson("/api/v1/admin/partners", new { name = $"Seller {Guid.NewGuid():N}"[..18] }, HttpStatusCode.Created);
        var url = $"/api/v1/admin/partners/{partner.Str("id")}/seller";
        await (await ops.GetAsync(url)).Problem(HttpStatusCode.NotFound);

        var bad = await (await ops.PutAsJsonAsync(url, new
        {
            legal_name = "Seller B.V.", address_line1 = "Damrak 1", postal_code = "1012 LG", city = "Amsterdam", country = "NL", vat_id = "NL862637223B01",
            email = "billing@seller.example", iban = "NL00BANK0000000000", bic = "INGBNL2A",
        })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("iban", bad.ToJsonString(), StringComparison.Ordinal);
        await (await ops.GetAsync(url)).Problem(HttpStatusCode.NotFound);

        var saved = await (await ops.PutAsJsonAsync(url, new
        {
            legal_name = "Seller B.V.", address_line1 = "Damrak 1", postal_code = "1012 LG", city = "Amsterdam", country = "NL", vat_id = "NL862637223B01",
            email = "billing@seller.example", iban = "NL91ABNA0417164300", bic = "ABNANL2A", oss_mode = "threshold", contact_phone = "+31 20 123 4567",
        })).Json(HttpStatusCode.OK);
        Assert.Equal("SCAI", saved.Str("invoice_prefix"));
        Assert.Equal("threshold", saved.Str("oss_mode"));
        Assert.Equal("NL91ABNA0417164300", (await ops.GetJson(url)).Str("iban"));
        await (await ops.PutAsJsonAsync("/api/v1/admin/partners/ptr_nope/seller", NordicSeller)).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Tenants_CreateReadRename_AndTheirBillingProfile()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var partner = await ops.PostJson("/api/v1/admin/partners", new { name = $"Tenancy {Guid.NewGuid():N}"[..18] }, HttpStatusCode.Created);
        var tenant = await ops.PostJson("/api/v1/admin/tenants", new { partner_id = partner.Str("id"), name = "Polder Data B.V." }, HttpStatusCode.Created);
        var id = tenant.Str("id");
        Assert.Equal(partner.Str("name"), tenant.Str("partner_name"));
        Assert.False(tenant["has_billing_profile"]!.GetValue<bool>());

        var renamed = await (await ops.PatchAsJsonAsync($"/api/v1/admin/tenants/{id}", new { name = "Polder Data Holding B.V." })).Json(HttpStatusCode.OK);
        Assert.Equal("Polder Data Holding B.V.", renamed.Str("name"));
        await (await ops.PatchAsJsonAsync($"/api/v1/admin/tenants/{id}", new { partner_id = "ptr_other" })).Problem(HttpStatusCode.UnprocessableEntity);

        await (await ops.GetAsync($"/api/v1/admin/tenants/{id}/billing-profile")).Problem(HttpStatusCode.NotFound);
        var profile = await (await ops.PutAsJsonAsync($"/api/v1/admin/tenants/{id}/billing-profile", new
        {
            legal_name = "Polder Data Holding B.V.", address_line1 = "Coolsingel 40", postal_code = "3011 AD", city = "Rotterdam", country = "NL", email = "ap@polder.example",
        })).Json(HttpStatusCode.OK);
        Assert.Equal("NL", profile.Str("country"));
        var read = await ops.GetJson($"/api/v1/admin/tenants/{id}");
        Assert.True(read["has_billing_profile"]!.GetValue<bool>());
        Assert.Equal("NL", read.Str("country"));
        await (await ops.PutAsJsonAsync($"/api/v1/admin/tenants/{id}/billing-profile", new { legal_name = "X", country = "XX" })).Problem(HttpStatusCode.UnprocessableEntity);

        await (await ops.PostAsJsonAsync("/api/v1/admin/tenants", new { partner_id = partner.Str("id"), name = "" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await ops.PostAsJsonAsync("/api/v1/admin/tenants", new { partner_id = "ptr_nope", name = "Orphan" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await ops.GetAsync("/api/v1/admin/tenants/tnt_nope")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Catalog_ServicesAndPlans_CreateEditRetire_With409And422()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var slug = $"svc-{Guid.NewGuid():N}"[..12];
        var service = await ops.PostJson("/api/v1/admin/services", new { slug, name = "Backup", description = "Nightly backups" }, HttpStatusCode.Created);
        Assert.True(service["active"]!.GetValue<bool>());
        await (await ops.PostAsJsonAsync("/api/v1/admin/services", new { slug, name = "Again" })).Problem(HttpStatusCode.Conflict);
        await (await ops.PostAsJsonAsync("/api/v1/admin/services", new { slug = "Not A Slug", name = "Bad" })).Problem(HttpStatusCode.UnprocessableEntity);
        var edited = await (await ops.PatchAsJsonAsync($"/api/v1/admin/services/{slug}", new { name = "Backup Pro" })).Json(HttpStatusCode.OK);
        Assert.Equal("Backup Pro", edited.Str("name"));
        Assert.Equal("Nightly backups", edited.Str("description"));
        Assert.Contains((await ops.GetJson("/api/v1/admin/services")).Items(), s => s.Str("slug") == slug);
        Assert.Equal("Backup Pro", (await ops.GetJson($"/api/v1/admin/services/{slug}")).Str("name"));
        await (await ops.PatchAsJsonAsync("/api/v1/admin/services/no-such-service", new { name = "X" })).Problem(HttpStatusCode.NotFound);

        var plan = await ops.PostJson("/api/v1/admin/plans", new { service_slug = slug, code = slug + "-m", name = "Monthly", price = 1500, currency = "EUR", interval = "month" }, HttpStatusCode.OK);
        var id = plan.Str("id");
        var patched = await (await ops.PatchAsJsonAsync($"/api/v1/admin/plans/{id}", new { price = 1900, trial_days = 14 })).Json(HttpStatusCode.OK);
        Assert.Equal(1900, patched["plan"]!.Long("price"));
        Assert.Equal(14, patched["plan"]!["trial_days"]!.GetValue<int>());
        Assert.Equal("Monthly", patched["plan"]!.Str("name"));
        Assert.Equal(slug, patched.Str("service_slug"));
        await (await ops.PatchAsJsonAsync($"/api/v1/admin/plans/{id}", new { code = "renamed" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await ops.PatchAsJsonAsync($"/api/v1/admin/plans/{id}", new { interval = "fortnight" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1900, (await ops.GetJson($"/api/v1/admin/plans/{id}"))["plan"]!.Long("price"));
        Assert.Contains((await ops.GetJson($"/api/v1/admin/plans?q={slug}")).Items(), p => p["plan"]!.Str("id") == id);

        var dry = await ops.PostJson($"/api/v1/admin/plans/{id}/retire?dry_run=true", null, HttpStatusCode.OK);
        Assert.False(dry["plan"]!["active"]!.GetValue<bool>());
        Assert.True((await ops.GetJson($"/api/v1/admin/plans/{id}"))["plan"]!["active"]!.GetValue<bool>());
        var retired = await ops.PostJson($"/api/v1/admin/plans/{id}/retire", null, HttpStatusCode.OK);
        Assert.False(retired["plan"]!["active"]!.GetValue<bool>());
        await (await ops.PostAsync($"/api/v1/admin/plans/{id}/retire", null)).Problem(HttpStatusCode.Conflict);
        await (await ops.PostAsync("/api/v1/admin/plans/pln_nope/retire", null)).Problem(HttpStatusCode.NotFound);
        await (await ops.GetAsync("/api/v1/admin/plans/pln_nope")).Problem(HttpStatusCode.NotFound);

        // A retired plan is no longer on sale to tenants.
        var anna = await app.ClientForAsync(Api.Anna);
        Assert.DoesNotContain((await anna.GetJson($"/api/v1/catalog/services/{slug}/plans")).Items(), p => p.Str("id") == id);
    }
}

/// <summary>The admin API on SQLite.</summary>
public sealed class SqliteAdminApiTests(SqliteApp app) : AdminApiTests<SqliteApp>(app);

/// <summary>The admin API on PostgreSQL.</summary>
public sealed class PostgresAdminApiTests(PostgresApp app) : AdminApiTests<PostgresApp>(app);
