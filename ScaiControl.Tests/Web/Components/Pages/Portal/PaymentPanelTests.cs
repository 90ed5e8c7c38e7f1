using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Components.Pages.Admin.Invoices;
using ScaiControl.Web.Components.Pages.Portal.Invoices;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Pages.Portal;

/// <summary>
/// The payment panel of the invoice page (issue 16): state, amount due, due date and history for the tenant and the
/// operator; the operator's bank transfer (live field messages, the service's refusals at the field) and write-off
/// through the confirm dialog; the tenant's Pay button through the test provider; the payment-state column of the
/// lists; a German rendering.
/// </summary>
public sealed class PaymentPanelTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task Operator_RecordsABankTransfer_FieldsValidateLive_AndADuplicateReferenceIsRefusedAtTheField()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Jonas);
        var due = (await AccountAsync(invoice.Id)).AmountDueMinor;
        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        view.WaitForTestId("payment-panel");
        Assert.Contains("open", view.Text("payment-status"), StringComparison.Ordinal);
        Assert.True(view.Has("payment-history-empty"));
        Assert.False(view.Has("pay-now")); // the operator books; only the tenant pays

        view.Fill("payment-amount", "twelve");
        view.WaitFor(() => Assert.Contains("Enter the amount as a number", view.Markup, StringComparison.Ordinal));
        view.Fill("payment-amount", MoneyInput.ToText(due + 100, invoice.Currency));
        view.WaitFor(() => Assert.Contains("the amount due: record that and refund the rest", view.Markup, StringComparison.Ordinal));
        view.Fill("payment-received", "2999-01-01");
        view.WaitFor(() => Assert.Contains("The date lies in the future.", view.Markup, StringComparison.Ordinal));
        view.Click("payment-record");
        Assert.False(view.Has("confirm-dialog")); // refused before anything is asked
        Assert.Equal(0L, (await AccountAsync(invoice.Id)).PaidMinor);

        var half = due / 2;
        view.Fill("payment-amount", MoneyInput.ToText(half, invoice.Currency));
        view.Fill("payment-reference", "BANK-2026-001");
        view.Fill("payment-received", portal.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        view.Click("payment-record");
        view.WaitFor(() => Assert.Contains("BANK-2026-001", view.Text("confirm-message"), StringComparison.Ordinal));
        view.Click("confirm-ok");
        view.WaitForTestId("payment-row-payment");
        view.WaitFor(() => Assert.Contains("partially paid", view.Text("payment-status"), StringComparison.Ordinal));
        Assert.Contains("bank_transfer", view.Text("payment-history"), StringComparison.Ordinal);
        Assert.Equal((InvoicePaymentStatus.PartiallyPaid, half), ((await AccountAsync(invoice.Id)).Status, (await AccountAsync(invoice.Id)).PaidMinor));

        // The same bank reference again: the service refuses it, shown at the reference field; nothing is booked.
        view.Fill("payment-amount", MoneyInput.ToText(1, invoice.Currency));
        view.Fill("payment-reference", "BANK-2026-001");
        view.Click("payment-record");
        view.WaitForTestId("confirm-ok");
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Contains("is already recorded on this invoice", view.Markup, StringComparison.Ordinal));
        Assert.Equal(half, (await AccountAsync(invoice.Id)).PaidMinor);
    }

    [Fact]
    public async Task Operator_WritesOffWithAReason_GoingBackChangesNothing()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Sam);
        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = invoice.Id });

        view.Click("write-off");
        view.WaitForTestId("confirm-cancel");
        view.Click("confirm-cancel");
        Assert.Equal(InvoicePaymentStatus.Open, (await AccountAsync(invoice.Id)).Status);

        view.Click("write-off");
        view.WaitForTestId("confirm-input");
        Assert.Contains("uncollectible", view.Text("confirm-message"), StringComparison.Ordinal);
        view.Fill("confirm-input", "Customer insolvent");
        view.Click("confirm-ok");
        view.WaitFor(() => Assert.Equal(InvoicePaymentStatus.Uncollectible, AccountAsync(invoice.Id).GetAwaiter().GetResult().Status));
        view.WaitFor(() => Assert.Contains("uncollectible", view.Text("payment-status"), StringComparison.Ordinal));
        Assert.Contains("Customer insolvent", view.Text("payment-history"), StringComparison.Ordinal);
        Assert.False(view.Has("write-off"));
    }

    [Fact]
    public async Task Operator_RefundsWhatACreditNoteMadeRefundable_AtMostThat()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Eva);
        var op = await portal.ActorAsync(DemoUsers.Operator);
        var due = (await AccountAsync(invoice.Id)).AmountDueMinor;
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await portal.Services.GetRequiredService<PaymentService>().RecordPaymentAsync(op, invoice.Id, due, invoice.Currency, PaymentProviders.BankTransfer, "NO-BANK-1", now.AddHours(-1));
        var invoices = portal.Services.GetRequiredService<InvoiceService>();
        await invoices.FinaliseAsync(op, (await invoices.CreateCreditNoteAsync(op, invoice.Id, "Cancelled", [])).Id);
        var refundable = (await AccountAsync(invoice.Id)).RefundableMinor;
        Assert.True(refundable > 0);

        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = invoice.Id });
        view.WaitForTestId("refund-form");
        Assert.False(view.Has("record-payment-form")); // nothing is due
        view.Fill("refund-amount", MoneyInput.ToText(refundable + 1, invoice.Currency));
        view.WaitFor(() => Assert.Contains("is refundable.", view.Markup, StringComparison.Ordinal));
        view.Fill("refund-amount", MoneyInput.ToText(refundable, invoice.Currency));
        view.Fill("refund-reference", "NO-REFUND-1");
        view.Click("refund-record");
        view.WaitForTestId("confirm-ok");
        view.Click("confirm-ok");
        view.WaitForTestId("payment-row-refund");
        var account = await AccountAsync(invoice.Id);
        Assert.Equal((0L, due - refundable), (account.RefundableMinor, account.PaidMinor));
        Assert.True(view.Has("payment-row-credit_allocation"));
    }

    [Fact]
    public async Task Tenant_PaysThroughTheTestProvider_ADeclineIsShown_ThenASuccessMakesItPaid()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Claire);
        var account = await AccountAsync(invoice.Id);
        var collection = portal.Services.GetRequiredService<PaymentCollectionService>();
        var op = await portal.ActorAsync(DemoUsers.Operator);
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await collection.SetPartnerProviderAsync(op, account.PartnerId, PaymentProviders.Test, null, now);
        await collection.SetTestOutcomeAsync(op, account.TenantId, "test_decline_hard", now);

        await using var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Claire, new Dictionary<string, object?> { ["Id"] = invoice.Id });
        view.WaitForTestId("payment-panel");
        Assert.False(view.Has("record-payment-form"));
        Assert.False(view.Has("write-off"));
        Assert.Contains("decline hard", view.Text("payment-method"), StringComparison.Ordinal);

        view.Click("pay-now");
        view.WaitFor(() => Assert.Contains("declined (card_lost)", view.Text("pay-result"), StringComparison.Ordinal));
        Assert.True(view.Has("payment-row-failed_attempt"));
        Assert.Equal(0L, (await AccountAsync(invoice.Id)).PaidMinor);

        await collection.SetTestOutcomeAsync(op, account.TenantId, "test_succeed", now);
        view.Click("pay-now");
        view.WaitFor(() => Assert.Contains("succeeded. The invoice is now paid.", view.Text("pay-result"), StringComparison.Ordinal));
        Assert.Equal((InvoicePaymentStatus.Paid, account.AmountDueMinor), ((await AccountAsync(invoice.Id)).Status, (await AccountAsync(invoice.Id)).PaidMinor));
        Assert.False(view.Has("pay-now"));
        Assert.True(view.Has("payment-row-payment"));
    }

    [Fact]
    public async Task Tenant_CannotPayAnotherTenantsInvoice()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Anna);
        var eva = await portal.ActorAsync(DemoUsers.Eva);
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        await Assert.ThrowsAsync<ScaiControl.Domain.Common.NotFoundException>(() => portal.Services.GetRequiredService<PaymentCollectionService>().PayNowAsync(eva, invoice.Id, now));
        Assert.Equal(0L, (await AccountAsync(invoice.Id)).PaidMinor);
    }

    [Fact]
    public async Task InGerman_ThePanelAndTheListSpeakGerman()
    {
        var invoice = await InvoiceOfAsync(DemoUsers.Anna);
        await using (var view = await portal.OpenAsync<InvoiceDetailPage>(DemoUsers.Anna, new Dictionary<string, object?> { ["Id"] = invoice.Id }, locale: "de-DE"))
        {
            view.WaitForTestId("payment-panel");
            Assert.Contains("Zahlungsstand", view.Text("payment-panel"), StringComparison.Ordinal);
            Assert.Contains("Offener Betrag", view.Text("payment-panel"), StringComparison.Ordinal);
            Assert.Contains("offen", view.Text("payment-status"), StringComparison.Ordinal);
            Assert.Contains("Überweisung auf das Konto", view.Text("payment-method"), StringComparison.Ordinal);
        }

        await using var list = await portal.OpenAsync<InvoicesPage>(DemoUsers.Anna, locale: "de-DE");
        list.WaitForTestId("invoice-payment-status");
        Assert.Contains("Zahlungsstand", list.Markup, StringComparison.Ordinal);
        Assert.Contains("offen", list.Text("invoice-payment-status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminList_ShowsEachFinalisedInvoicesPaymentState()
    {
        await using var view = await portal.OpenAsync<AdminInvoicesPage>(DemoUsers.Operator);
        view.WaitForTestId("invoice-payment-status");
        Assert.Contains("Payment state", view.Markup, StringComparison.Ordinal);
        Assert.Contains(PaymentWireNames.Statuses, s => view.Text("invoice-payment-status").Contains(s.Replace('_', ' '), StringComparison.Ordinal));
    }

    private async Task<Invoice> InvoiceOfAsync(string email)
    {
        var actor = await portal.ActorAsync(email);
        return (await portal.Services.GetRequiredService<InvoiceService>().ListAsync(actor, null, InvoiceStatus.Finalised, null, 50)).Items.First(i => i.DocumentType == DocumentType.Invoice);
    }

    private async Task<InvoiceAccount> AccountAsync(string invoiceId)
    {
        await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Set<InvoiceAccount>().AsNoTracking().SingleAsync(a => a.InvoiceId == invoiceId);
    }
}
