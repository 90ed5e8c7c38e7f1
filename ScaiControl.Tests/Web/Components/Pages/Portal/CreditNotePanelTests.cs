using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Components.Pages.Portal.Invoices;

namespace ScaiControl.Tests.Web.Components.Pages.Portal;

/// <summary>"Issue credit note" on the invoice page: operator only, full or per line, field messages, the confirm dialog, and the credit note it finalises.</summary>
public sealed class CreditNotePanelTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task PerLine_ValidatesEachField_ThenIssuesAFinalisedCreditNoteForTheAmount()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Jonas);
        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        var mode = view.Host.FindComponent<MudRadioGroup<bool>>(); // "Amounts per line"
        await mode.InvokeAsync(() => mode.Instance.ValueChanged.InvokeAsync(true));
        view.WaitForTestId("credit-amount-1");
        view.Fill("credit-amount-1", "100000");
        view.WaitFor(() => Assert.Contains("net amount.", view.Markup, StringComparison.Ordinal));
        view.Click("credit-issue");
        view.WaitFor(() => Assert.Contains("Give the reason", view.Markup, StringComparison.Ordinal));
        Assert.False(view.Has("confirm-dialog"));
        Assert.Equal(0, await CreditNotesOfAsync(invoice.Id));

        view.Fill("credit-amount-1", "10");
        view.Fill("credit-reason", "Outage on 3 days");
        view.Click("credit-issue");
        view.WaitFor(() => Assert.Contains("€", view.Text("confirm-message"), StringComparison.Ordinal));
        Assert.Contains("credit-note series", view.Text("confirm-message"), StringComparison.Ordinal);
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Equal(1, CreditNotesOfAsync(invoice.Id).GetAwaiter().GetResult()));

        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var note = await db.Invoices.SingleAsync(i => i.ReferencedInvoiceId == invoice.Id);
        Assert.Equal((InvoiceStatus.Finalised, 1000L), (note.Status, note.NetTotalMinor));
        Assert.Matches(@"^SCAI-CN-\d{4}-\d{6}$", note.Number);
    }

    [Fact]
    public async Task Full_GoingBackIssuesNothing_ConfirmingCreditsTheWholeInvoice()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Sam);
        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        view.Fill("credit-reason", "Contract cancelled");
        view.Click("credit-issue");
        view.WaitForTestId("confirm-cancel");
        Assert.Contains("everything still uncredited", view.Text("confirm-message"), StringComparison.Ordinal);
        view.Click("confirm-cancel");
        Assert.Equal(0, await CreditNotesOfAsync(invoice.Id));

        view.Click("credit-issue");
        view.WaitForTestId("confirm-ok");
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Equal(1, CreditNotesOfAsync(invoice.Id).GetAwaiter().GetResult()));
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        Assert.Equal(invoice.NetTotalMinor, (await db.Invoices.SingleAsync(i => i.ReferencedInvoiceId == invoice.Id)).NetTotalMinor);
    }

    [Fact]
    public async Task ATenantUser_DoesNotGetTheForm()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Sam);
        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Sam, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        Assert.True(view.Has("invoice-number"));
        Assert.False(view.Has("credit-note-form"));
    }

    private async Task<Invoice> InvoiceOfAsync(string email)
    {
        var actor = await portal.ActorAsync(email);
        return (await portal.Services.GetRequiredService<InvoiceService>().ListAsync(actor, null, InvoiceStatus.Finalised, null, 50)).Items.First(i => i.DocumentType == DocumentType.Invoice);
    }

    private async Task<int> CreditNotesOfAsync(string invoiceId)
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Invoices.CountAsync(i => i.ReferencedInvoiceId == invoiceId);
    }
}
