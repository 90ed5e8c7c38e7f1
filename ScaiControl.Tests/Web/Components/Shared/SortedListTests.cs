using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Components.Pages.Admin.Catalog;
using ScaiControl.Web.Components.Pages.Admin.Packs;
using ScaiControl.Web.Components.Pages.Admin.Partners;
using ScaiControl.Web.Components.Pages.Admin.Templates;
using ScaiControl.Web.Components.Pages.Admin.Tenants;
using ScaiControl.Web.Components.Pages.Portal.Invoices;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>
/// Server-side sorting and search of the shared list page on the lists that gained it (partners, plans, packs,
/// templates, tenants, invoices): the keyset order a column header asks for, walked page by page, and what each role sees.
/// </summary>
public sealed class SortedListTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task SortedKeyset_WalkedTwoRowsAtATime_GivesEveryTenantOnceInNameOrder_BothWays()
    {
        var tenancy = portal.Services.GetRequiredService<TenancyService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var expected = (await tenancy.TenantsAsync(ops)).Select(t => t.Tenant.Name).ToList();

        async Task<List<string>> WalkAsync(bool descending)
        {
            var names = new List<string>();
            string? cursor = null;
            do
            {
                var page = await tenancy.TenantsPageAsync(ops, null, new ListSort("name", descending), cursor, 2);
                Assert.True(page.Items.Count <= 2);
                names.AddRange(page.Items.Select(t => t.Tenant.Name));
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return names;
        }

        var ascending = await WalkAsync(descending: false);
        var descending = await WalkAsync(descending: true);

        Assert.True(expected.Count > 4);
        Assert.Equal(expected.OrderBy(n => n.ToLowerInvariant(), StringComparer.Ordinal), ascending);
        Assert.Equal(ascending.AsEnumerable().Reverse(), descending);
    }

    [Fact]
    public async Task SortedKeyset_RefusesAnUnknownKeyAndAForgedCursor()
    {
        var tenancy = portal.Services.GetRequiredService<TenancyService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);

        var key = await Assert.ThrowsAsync<DomainValidationException>(() => tenancy.PartnersPageAsync(ops, null, new ListSort("secret_column", false), null, 10));
        Assert.Equal("sort", key.Field);
        Assert.Contains("name, created", key.Message, StringComparison.Ordinal);
        foreach (var forged in new[] { "k00", "kzz", "x" + new string('0', 10), "k" + Convert.ToHexStringLower("no-separator"u8), "k" + Convert.ToHexStringLower("a\u001f'; drop"u8) })
        {
            var cursor = await Assert.ThrowsAsync<DomainValidationException>(() => tenancy.PartnersPageAsync(ops, null, new ListSort("name", false), forged, 10));
            Assert.Equal("cursor", cursor.Field);
        }
    }

    [Fact]
    public async Task Tenants_NameHeader_SortsAToZ_ThenZToA_OnTheServer()
    {
        await using var view = await portal.OpenAsync<TenantsPage>(DemoUsers.Operator);
        List<string> Names() => view.Host.FindAll("[data-testid='tenant-row']").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal("none", view.ByTestId("sort-name").GetAttribute("aria-sort"));

        view.Click("sort-name");
        view.WaitFor(() => Assert.Equal("ascending", view.ByTestId("sort-name").GetAttribute("aria-sort")));
        var ascending = Names();
        Assert.Equal(ascending.OrderBy(n => n.ToLowerInvariant(), StringComparer.Ordinal), ascending);
        Assert.True(ascending.Count > 3);

        view.Click("sort-name");
        view.WaitFor(() => Assert.Equal("descending", view.ByTestId("sort-name").GetAttribute("aria-sort")));
        Assert.Equal(ascending.AsEnumerable().Reverse(), Names());
    }

    [Fact]
    public async Task Invoices_TotalHeader_PutsTheLargestFirst_ForTheTenant()
    {
        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna);

        view.Click("sort-total");

        view.WaitFor(() => Assert.Equal("descending", view.ByTestId("sort-total").GetAttribute("aria-sort")));
        var totals = view.Host.FindAll("[data-testid='invoice-gross']").Select(e => e.GetAttribute("title")!).Select(t => decimal.Parse(t.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(totals.Count > 1);
        Assert.Equal(totals.OrderByDescending(t => t), totals);
    }

    [Fact]
    public async Task Partners_ForTheOperator_SearchNarrowsOnTheServer_AndCsvHasTheFilteredRows()
    {
        await using var view = await portal.OpenAsync<PartnersPage>(DemoUsers.Operator);
        Assert.True(view.Host.FindAll("[data-testid='partner-row']").Count >= 2);

        view.Fill("partners-grid-search", "nordic");

        view.WaitFor(() => Assert.Equal(["Nordic Cloud AB"], view.Host.FindAll("[data-testid='partner-row']").Select(e => e.TextContent.Trim())));
        view.Click("partners-grid-csv");
        view.WaitFor(() =>
        {
            var csv = view.Downloaded() ?? throw new Xunit.Sdk.XunitException("no download yet");
            var lines = csv.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("id,name,role,created_at", lines[0]);
            Assert.Single(lines, l => l.Contains(",Nordic Cloud AB,reseller,", StringComparison.Ordinal));
            Assert.Equal(2, lines.Length);
        });

        view.Fill("partners-grid-search", "no such partner");
        view.WaitFor(() => Assert.Equal("No partners match.", view.Text("partners-grid-empty")));
    }

    [Fact]
    public async Task Partners_NewPartnerWithoutAName_IsRefusedNextToTheField_AsTypedAndOnSubmit_AndNothingIsWritten()
    {
        var tenancy = portal.Services.GetRequiredService<TenancyService>();
        var ops = await portal.ActorAsync(DemoUsers.Operator);
        var before = (await tenancy.PartnersAsync(ops)).Count;
        await using var view = await portal.OpenAsync<PartnersPage>(DemoUsers.Operator);

        view.Fill("partner-name", "x");
        view.Fill("partner-name", "   ");
        view.WaitFor(() => Assert.Contains("Enter the partner's name.", view.Markup, StringComparison.Ordinal));
        view.Click("partner-create");

        view.WaitFor(() => Assert.Contains("Enter the partner's name.", view.Markup, StringComparison.Ordinal));
        Assert.Equal(before, (await tenancy.PartnersAsync(ops)).Count);
        Assert.False(view.Has("partner-created"));
    }

    [Fact]
    public async Task Partners_ForThePartnerAdmin_ShowOnlyItsOwnPartner_WithoutTheCreateForm()
    {
        var html = await portal.RenderAsync<PartnersPage>(DemoUsers.PartnerAdmin);

        Assert.Contains("data-testid=\"partner-row\">Nordic Cloud AB<", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "data-testid=\"partner-row\""));
        Assert.DoesNotContain("data-testid=\"create-partner\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plans_SearchAndPriceSort_ComeFromTheServer()
    {
        await using var view = await portal.OpenAsync<AdminCatalogPage>(DemoUsers.Operator);
        Assert.True(view.Has("admin-plan-crm-team-yearly"));

        view.Fill("admin-plans-search", "crm");
        view.WaitFor(() =>
        {
            var codes = view.Host.FindAll("[data-testid^='admin-plan-']").Select(e => e.TextContent.Trim()).ToList();
            Assert.NotEmpty(codes);
            Assert.All(codes, c => Assert.StartsWith("crm-", c, StringComparison.Ordinal));
        });

        view.Click("sort-price");
        view.WaitFor(() => Assert.Equal("descending", view.ByTestId("sort-price").GetAttribute("aria-sort")));
        var prices = view.Host.FindAll("[data-testid='admin-plans'] td.num .scai-money").Select(e => e.GetAttribute("title")!)
            .Where(t => t.Length > 0).Select(t => decimal.Parse(t.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(prices.Count > 1);
        Assert.Equal(prices.OrderByDescending(p => p), prices);
    }

    [Fact]
    public async Task Packs_Search_FindsByCode_AndShowsTheEmptyState()
    {
        await using var view = await portal.OpenAsync<AdminPacksPage>(DemoUsers.Operator);
        Assert.True(view.Has("admin-pack-scaisuite-monthly"));

        view.Fill("packs-table-search", "web-presence");
        view.WaitFor(() => Assert.False(view.Has("admin-pack-scaisuite-monthly")));
        Assert.True(view.Has("admin-pack-web-presence-yearly"));

        view.Fill("packs-table-search", "nothing like this");
        view.WaitFor(() => Assert.Equal("No packs yet: compose one above.", view.Text("packs-table-empty")));
    }

    [Fact]
    public async Task Templates_SearchAndStatusChip_NarrowTheVersions()
    {
        await using var view = await portal.OpenAsync<TemplatesPage>(DemoUsers.Operator);
        var all = view.Host.FindAll("[data-testid='template-link']").Count;
        Assert.True(all >= 2);

        view.Click("templates-grid-status-published");
        view.WaitFor(() => Assert.Equal(["published", "published"], view.Host.FindAll("[data-testid='template-status']").Select(s => s.TextContent.Trim())));

        view.Click("templates-grid-status-all");
        view.Fill("templates-grid-search", "no template is called this");
        view.WaitFor(() => Assert.True(view.Has("templates-grid-empty")));
    }
}
