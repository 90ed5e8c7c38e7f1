using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>Invoice payment states (issue 16): issued open, bank transfers, refusals, credit notes, overdue, payment terms, events once.</summary>
public abstract class PaymentTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task AnIssuedInvoice_IsOpen_ThenPartiallyPaid_ThenPaid_WithEveryPaymentInItsHistory_AndEachEventOnce()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Anna);
        var id = invoice.Str("id");
        var gross = invoice.Long("gross_total");
        var payment = (await ops.GetJson($"/api/v1/invoices/{id}"))["payment"]!;
        Assert.Equal("open", payment.Str("status"));
        Assert.Equal(gross, payment.Long("amount_due"));
        Assert.Equal(DateOnly.Parse(invoice.Str("issue_date"), System.Globalization.CultureInfo.InvariantCulture).AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), payment.Str("due_date"));
        Assert.Equal(invoice.Str("due_date"), payment.Str("due_date"));

        var receivedAt = DateTimeOffset.UtcNow.AddHours(-2);
        var first = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/invoices/{id}/payments")
        {
            Content = JsonContent.Create(new { amount = 1000, currency = "EUR", reference = "NL-BANK-0001", method = "bank_transfer", received_at = receivedAt }),
        };
        first.Headers.Add("Idempotency-Key", "pay-" + id);
        var partial = await (await ops.SendAsync(first)).Json(HttpStatusCode.Created);
        Assert.Equal("partially_paid", partial.Str("status"));
        Assert.Equal(gross - 1000, partial.Long("amount_due"));

        // The same request again with the same key is replayed, not booked twice.
        var again = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/invoices/{id}/payments")
        {
            Content = JsonContent.Create(new { amount = 1000, currency = "EUR", reference = "NL-BANK-0001", method = "bank_transfer", received_at = receivedAt }),
        };
        again.Headers.Add("Idempotency-Key", "pay-" + id);
        var replay = await ops.SendAsync(again);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));

        // The same bank reference under another key is refused: it is already booked.
        await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 1000, currency = "EUR", reference = "NL-BANK-0001", method = "bank_transfer", received_at = receivedAt })).Problem(HttpStatusCode.Conflict);

        var paid = await ops.PostJson($"/api/v1/admin/invoices/{id}/payments",
            new { amount = gross - 1000, currency = "EUR", reference = "NL-BANK-0002", method = "bank_transfer", received_at = receivedAt.AddHours(1) }, HttpStatusCode.Created);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(0, paid.Long("amount_due"));
        var history = paid["history"]!.AsArray();
        Assert.Equal(["NL-BANK-0001", "NL-BANK-0002"], history.Select(h => h!.Str("reference")).ToArray());
        Assert.All(history, h => Assert.Equal("bank_transfer", h!.Str("provider")));
        Assert.Equal(gross, history.Sum(h => h!.Long("amount")));

        // The tenant sees the same state and history on its invoice.
        var anna = await app.ClientForAsync(Api.Anna);
        var seen = await anna.GetJson($"/api/v1/invoices/{id}/payments");
        Assert.Equal("paid", seen.Str("status"));
        Assert.Equal(2, seen["history"]!.AsArray().Count);
        var listed = (await anna.GetJson("/api/v1/invoices?limit=200")).Items().Single(i => i.Str("id") == id);
        Assert.Equal("paid", listed["payment"]!.Str("status"));

        Assert.Equal(1, await EventsAsync(id, "invoice.issued.v1"));
        Assert.Equal(1, await EventsAsync(id, "invoice.paid.v1"));
        Assert.Empty(await PayloadProblemsAsync(id));

        // Nothing is due any more.
        await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 1, currency = "EUR", reference = "NL-BANK-0003", method = "bank_transfer", received_at = receivedAt })).Problem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task BadPayments_AreRefusedWithProblemDetails_AndBookNothing()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Anna);
        var id = invoice.Str("id");
        var gross = invoice.Long("gross_total");
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);

        var currency = await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "USD", reference = "R1", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(currency["errors"]!["currency"]);
        var over = await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = gross + 1, currency = "EUR", reference = "R2", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.Conflict);
        Assert.Contains("Overpayment refused", over.Str("detail"), StringComparison.Ordinal);
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 0, currency = "EUR", reference = "R3", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["amount"]);
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "EUR", reference = "R4", method = "cash", received_at = at })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["method"]);
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "EUR", reference = "R5", method = "bank_transfer", received_at = DateTimeOffset.UtcNow.AddDays(2) })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["received_at"]);
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "EUR", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["reference"]);

        // A tenant cannot book on its own invoice; another partner's admin does not see it at all.
        var anna = await app.ClientForAsync(Api.Anna);
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "EUR", reference = "R6", method = "bank_transfer", received_at = at })).StatusCode);
        var lars = await app.ClientForAsync(Api.Lars);
        await (await lars.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/payments",
            new { amount = 100, currency = "EUR", reference = "R7", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.NotFound);
        await (await lars.GetAsync($"/api/v1/invoices/{id}/payments")).Problem(HttpStatusCode.NotFound);

        // A draft has no payment state.
        var draft = (await app.CreateDraftInvoicesAsync((await app.ActorForAsync(Api.Anna)).TenantId!))[0];
        await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{draft}/payments",
            new { amount = 100, currency = "EUR", reference = "R8", method = "bank_transfer", received_at = at })).Problem(HttpStatusCode.Conflict);

        var state = await ops.GetJson($"/api/v1/invoices/{id}/payments");
        Assert.Equal("open", state.Str("status"));
        Assert.Empty(state["history"]!.AsArray());
    }

    [Fact]
    public async Task CreditNotes_ReduceTheAmountDue_AFullCreditVoids_AndAPaidThenCreditedInvoiceCanBeRefunded()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Jonas);
        var id = invoice.Str("id");
        var gross = invoice.Long("gross_total");
        var line = invoice["lines"]!.AsArray()[0]!;
        var partial = await ops.PostJson($"/api/v1/invoices/{id}/credit-notes", new { reason = "Outage", lines = new[] { new { invoice_line_id = line.Str("id"), amount = 1000 } } }, HttpStatusCode.Created);
        var partialFinal = await ops.PostJson($"/api/v1/invoices/{partial.Str("id")}/finalize", null, HttpStatusCode.OK);
        var state = await ops.GetJson($"/api/v1/invoices/{id}/payments");
        Assert.Equal(partialFinal.Long("gross_total"), state.Long("amount_credited"));
        Assert.Equal(gross - partialFinal.Long("gross_total"), state.Long("amount_due"));
        Assert.Contains(state["history"]!.AsArray(), h => h!.Str("kind") == "credit_allocation" && h!.Str("reference") == partialFinal.Str("number"));

        // Pay what is due, then credit the rest: the invoice is void and the payment is refundable.
        var due = state.Long("amount_due");
        await ops.PostJson($"/api/v1/admin/invoices/{id}/payments",
            new { amount = due, currency = "EUR", reference = "DE-SEPA-1", method = "bank_transfer", received_at = DateTimeOffset.UtcNow.AddMinutes(-5) }, HttpStatusCode.Created);
        var full = await ops.PostJson($"/api/v1/invoices/{id}/credit-notes", new { reason = "Contract ended" }, HttpStatusCode.Created);
        await ops.PostJson($"/api/v1/invoices/{full.Str("id")}/finalize", null, HttpStatusCode.OK);
        state = await ops.GetJson($"/api/v1/invoices/{id}/payments");
        Assert.Equal("void", state.Str("status"));
        Assert.Equal(0, state.Long("amount_due"));
        Assert.Equal(due, state.Long("amount_refundable"));

        await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/refunds",
            new { amount = due + 1, currency = "EUR", reference = "DE-REFUND-1", method = "bank_transfer", refunded_at = DateTimeOffset.UtcNow })).Problem(HttpStatusCode.Conflict);
        var refunded = await ops.PostJson($"/api/v1/admin/invoices/{id}/refunds",
            new { amount = due, currency = "EUR", reference = "DE-REFUND-1", method = "bank_transfer", refunded_at = DateTimeOffset.UtcNow }, HttpStatusCode.Created);
        Assert.Equal(0, refunded.Long("amount_paid"));
        Assert.Equal(0, refunded.Long("amount_refundable"));
        Assert.Equal(["credit_allocation", "payment", "credit_allocation", "refund"], refunded["history"]!.AsArray().Select(h => h!.Str("kind")).ToArray());

        // A credit note has no payment state of its own.
        await (await ops.GetAsync($"/api/v1/invoices/{partial.Str("id")}/payments")).Problem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AnUnpaidInvoice_TurnsOverdueOnce_AfterItsDueDate_AndCanBeWrittenOff()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Claire);
        var id = invoice.Str("id");
        var dueDate = DateOnly.Parse(invoice.Str("due_date"), System.Globalization.CultureInfo.InvariantCulture);
        var marker = app.Services.GetRequiredService<OverdueMarker>();

        await marker.RunAsync(new DateTimeOffset(dueDate.ToDateTime(new TimeOnly(23, 0)), TimeSpan.Zero));
        Assert.Equal("open", (await ops.GetJson($"/api/v1/invoices/{id}/payments")).Str("status"));

        var dayAfter = new DateTimeOffset(dueDate.AddDays(1).ToDateTime(new TimeOnly(1, 0)), TimeSpan.Zero);
        await Task.WhenAll(marker.RunAsync(dayAfter), marker.RunAsync(dayAfter));
        await marker.RunAsync(dayAfter.AddDays(1));
        var state = await ops.GetJson($"/api/v1/invoices/{id}/payments");
        Assert.Equal("overdue", state.Str("status"));
        Assert.Equal(1, await EventsAsync(id, "invoice.overdue.v1"));

        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/write-off", new { })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["reason"]);
        var written = await ops.PostJson($"/api/v1/admin/invoices/{id}/write-off", new { reason = "Customer insolvent" }, HttpStatusCode.OK);
        Assert.Equal("uncollectible", written.Str("status"));
        Assert.Equal(0, written.Long("amount_due"));

        // Money arriving later still settles it.
        var paid = await ops.PostJson($"/api/v1/admin/invoices/{id}/payments",
            new { amount = invoice.Long("gross_total"), currency = "EUR", reference = "FR-LATE-1", method = "bank_transfer", received_at = DateTimeOffset.UtcNow }, HttpStatusCode.Created);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Empty(await PayloadProblemsAsync(id));
    }

    [Fact]
    public async Task PaymentTerms_ComeFromThePartner_WithATenantOverride_DefaultFourteenDays()
    {
        var sam = await app.ActorForAsync(Api.Sam);
        var eva = await app.ActorForAsync(Api.Eva);
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var partner = await db.Set<PartnerPaymentSettings>().SingleOrDefaultAsync(p => p.PartnerId == eva.PartnerId);
            if (partner is null)
            {
                partner = new PartnerPaymentSettings(eva.PartnerId!, DateTimeOffset.UtcNow);
                db.Add(partner);
            }

            partner.SetTerms(30, DateTimeOffset.UtcNow);
            var tenant = new TenantPaymentSettings(sam.PartnerId!, sam.TenantId!, DateTimeOffset.UtcNow);
            tenant.SetTerms(7, DateTimeOffset.UtcNow);
            db.Add(tenant);
            await db.SaveChangesAsync();
        }

        static int Days(JsonNode invoice) =>
            DateOnly.Parse(invoice.Str("due_date"), System.Globalization.CultureInfo.InvariantCulture).DayNumber
            - DateOnly.Parse(invoice.Str("issue_date"), System.Globalization.CultureInfo.InvariantCulture).DayNumber;

        var samInvoice = await NewInvoiceAsync(Api.Sam);
        var evaInvoice = await NewInvoiceAsync(Api.Eva);
        Assert.Equal(7, Days(samInvoice));
        Assert.Equal(30, Days(evaInvoice));
        var ops = await app.ClientForAsync(Api.Ops);
        Assert.Equal(7, (await ops.GetJson($"/api/v1/invoices/{samInvoice.Str("id")}/payments")).Long("payment_terms_days"));
        Assert.Equal(evaInvoice.Str("due_date"), (await ops.GetJson($"/api/v1/invoices/{evaInvoice.Str("id")}/payments")).Str("due_date"));
    }

    private async Task<JsonNode> NewInvoiceAsync(string email)
    {
        var id = (await app.CreateDraftInvoicesAsync((await app.ActorForAsync(email)).TenantId!, 1, 1))[0];
        return await (await app.ClientForAsync(Api.Ops)).PostJson($"/api/v1/invoices/{id}/finalize", null, HttpStatusCode.OK);
    }

    private async Task<int> EventsAsync(string invoiceId, string topic)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.CountAsync(e => e.AggregateId == invoiceId && e.Topic == topic);
    }

    private async Task<List<string>> PayloadProblemsAsync(string invoiceId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var events = await db.OutboxEvents.AsNoTracking().Where(e => e.AggregateId == invoiceId).ToListAsync();
        return events.SelectMany(e => ScaiControl.Domain.Webhooks.WebhookPayloads.Check(e.Topic, JsonNode.Parse(e.PayloadJson)!.AsObject())).ToList();
    }
}

public sealed class SqlitePaymentTests(SqliteApp app) : PaymentTests<SqliteApp>(app);

public sealed class PostgresPaymentTests(PostgresApp app) : PaymentTests<PostgresApp>(app);
