using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Web.Components.Pages.Admin.Invoices;
using ScaiControl.Web.Components.Pages.Portal.Invoices;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>The list page, the confirm dialog and the money display as a user meets them on the invoice pages.</summary>
public sealed class SharedComponentsTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task ListPage_WithAPrerenderedFirstPage_ShowsItWithoutReadingAgain()
    {
        var prerendered = new ListPage<InvoiceRow>.Snapshot([new InvoiceRow("inv_prerendered", "SCAI-2026-999999", false, new DateOnly(2026, 11, 1), "finalised", 12100, "EUR", "")], null);

        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna, prerendered: state => state.Persist("invoices", prerendered));

        Assert.Contains("SCAI-2026-999999", view.Markup, StringComparison.Ordinal);
        // The database's invoices (read by the prerender in the real app) are not read a second time.
        Assert.Single(view.Host.FindAll("[data-testid='invoice-link']"));
    }

    [Fact]
    public async Task ListPage_HandsItsFirstPageToTheInteractiveRender()
    {
        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna);
        var shown = view.Host.FindAll("[data-testid='invoice-link']").Select(a => a.TextContent.Trim()).ToList();

        view.Persisted.TriggerOnPersisting();

        Assert.True(view.Persisted.TryTake<ListPage<InvoiceRow>.Snapshot>("invoices", out var snapshot));
        Assert.NotEmpty(shown);
        Assert.Equal(shown, snapshot!.Rows.Select(r => r.Number ?? "Draft").ToList());
    }

    [Fact]
    public async Task ListPage_Search_NarrowsTheRowsOnTheServer()
    {
        await using var view = await portal.OpenAsync<AdminInvoicesPage>(DemoUsers.Operator);
        Assert.Contains("Acme Hosting B.V.", view.Markup, StringComparison.Ordinal);

        view.Fill("admin-invoices-grid-search", "bergmann");

        view.WaitFor(() =>
        {
            var tenants = view.Host.FindAll("[data-testid='invoice-tenant']").Select(t => t.TextContent.Trim()).ToList();
            Assert.NotEmpty(tenants);
            Assert.All(tenants, t => Assert.Equal("Bergmann Software GmbH", t));
        });
    }

    [Fact]
    public async Task ListPage_StatusChip_FiltersAndShowsTheEmptyState()
    {
        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna);

        view.Click("invoices-grid-status-draft");

        view.WaitFor(() => Assert.Equal("No invoices yet.", view.Text("invoices-grid-empty")));
    }

    [Fact]
    public async Task ListPage_CsvExport_WritesTheFilteredRowsWithAHeader()
    {
        var anna = await portal.ActorAsync(DemoUsers.Anna);
        var numbers = (await portal.Services.GetRequiredService<InvoiceService>().ListAsync(anna, null, null, null, 50)).Items.Select(i => i.Number).ToList();
        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna);

        view.Click("invoices-grid-csv");

        view.WaitFor(() =>
        {
            var csv = view.Downloaded() ?? throw new Xunit.Sdk.XunitException("no download yet");
            Assert.Equal("invoices.csv", csv.FileName);
            var lines = csv.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("number,type,issue_date,status,payment_status,gross_minor,currency", lines[0]);
            Assert.Equal(numbers.Count, lines.Length - 1);
            Assert.All(numbers, n => Assert.Contains(lines, l => l.StartsWith(n + ",", StringComparison.Ordinal)));
        });
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("Acme, Inc.", "\"Acme, Inc.\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(1)", "'=HYPERLINK(1)")]
    [InlineData("-605", "-605")]
    public void Csv_QuotesWhatNeedsItAndDefusesFormulas(string value, string expected) => Assert.Equal(expected, Csv.Cell(value));

    [Fact]
    public async Task BillingRun_WithABadPeriod_SaysSoNextToTheFieldAndAsksNothing()
    {
        await using var view = await portal.OpenAsync<AdminInvoicesPage>(DemoUsers.Operator);

        view.Fill("billing-period", "2026-13");
        view.Click("billing-run-start");

        view.WaitFor(() => Assert.Contains("month", view.ByTestId("billing-run-form").TextContent, StringComparison.OrdinalIgnoreCase));
        Assert.False(view.Has("confirm-dialog"));
        Assert.False(view.Has("billing-run"));
    }

    [Fact]
    public async Task BillingRun_AsksFirst_AndGoingBackQueuesNothing()
    {
        await using var view = await portal.OpenAsync<AdminInvoicesPage>(DemoUsers.Operator);

        view.Click("billing-run-start");

        var message = view.WaitForTestId("confirm-message");
        Assert.Contains("finalised at once", message.TextContent, StringComparison.Ordinal);
        Assert.True(view.Has("confirm-irreversible"));
        view.Click("confirm-cancel");
        view.WaitFor(() => Assert.False(view.Has("confirm-dialog")));
        Assert.False(view.Has("billing-run"));
    }

    [Fact]
    public async Task MoneyText_ShowsTheUsersCultureAndTheInvariantAmountAsTooltip()
    {
        await using var view = await portal.OpenAsync<InvoicesPage>(DemoUsers.Jonas);

        var amount = view.Host.FindAll("[data-testid='invoice-gross']")[0];

        Assert.Matches(@"^[0-9.]+,[0-9]{2} €$", amount.TextContent);
        Assert.Matches(@"^EUR [0-9]+\.[0-9]{2}$", amount.GetAttribute("title"));
    }
}
