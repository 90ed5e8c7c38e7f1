using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>The app with a test-provider webhook secret configured.</summary>
public sealed class WebhookSqliteApp : SqliteApp
{
    /// <summary>The configured Payments:Test:WebhookSecret.</summary>
    public const string Secret = "whsec-test-0123456789";

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Payments:Test:WebhookSecret", Secret), new("Jobs:Enabled", "false")];
}

/// <summary>
/// POST /api/v1/payments/webhooks/test (issue 16): a forged signature changes nothing (400), the payment is fetched
/// again so an out-of-order or lying event books what the provider holds, each event id is processed once, and a
/// payment taken from another tenant's customer is never booked on an invoice.
/// </summary>
public sealed class PaymentWebhookTests(WebhookSqliteApp app) : IClassFixture<WebhookSqliteApp>
{
    [Fact]
    public async Task ForgedRefused_OutOfOrderAndDuplicatedEvents_BookOnePaymentOfWhatTheProviderHolds()
    {
        var (invoiceId, account) = await OpenInvoiceAsync(Api.Claire);
        var claire = await app.ActorForAsync(Api.Claire);
        var collection = app.Services.GetRequiredService<PaymentCollectionService>();
        var provider = app.Services.GetRequiredService<TestPaymentProvider>();
        var checkout = await collection.StartCheckoutAsync(claire, invoiceId, "https://portal.example/invoices/" + invoiceId, DateTimeOffset.UtcNow);

        // Forged: signed with another secret, and unsigned.
        var forged = Body("evt_forged", "payment.succeeded", checkout.ProviderRef);
        var forgedSignature = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("not-the-secret"), Encoding.UTF8.GetBytes(forged)));
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(forged, forgedSignature)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(forged, null)).StatusCode);
        // A valid signature over a different body does not carry over.
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(forged.Replace("evt_forged", "evt_other", StringComparison.Ordinal), provider.Sign(forged))).StatusCode);
        Assert.Equal(0L, (await AccountAsync(invoiceId)).PaidMinor);

        // Out of order: "succeeded" arrives while the provider still holds the payment as pending: nothing is booked.
        var early = await SendAsync(provider, Body("evt_1", "payment.succeeded", checkout.ProviderRef));
        Assert.Equal("pending", early.Str("outcome"));
        Assert.Equal(0L, (await AccountAsync(invoiceId)).PaidMinor);

        // The buyer completes; an event claiming failure still books what the provider holds (succeeded), for the amount we asked.
        provider.Complete(checkout.ProviderRef, succeeded: true);
        var late = await SendAsync(provider, Body("evt_2", "payment.failed", checkout.ProviderRef));
        Assert.Equal("payment booked", late.Str("outcome"));
        var paid = await AccountAsync(invoiceId);
        Assert.Equal((InvoicePaymentStatus.Paid, account.AmountDueMinor), (paid.Status, paid.PaidMinor));

        // The same event again, and a later event for the same payment: nothing more is booked.
        var again = await SendAsync(provider, Body("evt_2", "payment.failed", checkout.ProviderRef));
        Assert.True(again["duplicate"]!.GetValue<bool>());
        var after = await SendAsync(provider, Body("evt_3", "payment.succeeded", checkout.ProviderRef));
        Assert.StartsWith("ignored: already", after.Str("outcome"), StringComparison.Ordinal);
        Assert.Equal(1, await PaymentsAsync(invoiceId));
        Assert.Equal(account.AmountDueMinor, (await AccountAsync(invoiceId)).PaidMinor);
    }

    [Fact]
    public async Task APaymentFromAnotherTenantsCustomer_IsRefused_AndTheInvoiceStaysUnpaid()
    {
        var (annaInvoice, annaAccount) = await OpenInvoiceAsync(Api.Anna);
        var eva = await app.ActorForAsync(Api.Eva);
        var ops = await app.ActorForAsync(Api.Ops);
        var collection = app.Services.GetRequiredService<PaymentCollectionService>();
        var eCustomer = await collection.SetTestOutcomeAsync(ops, eva.TenantId!, "test_succeed", DateTimeOffset.UtcNow);
        var provider = app.Services.GetRequiredService<TestPaymentProvider>();

        // A charge taken from Eva's customer, recorded (as if tampered) against Anna's invoice.
        var charge = await provider.CreateCheckoutAsync(eCustomer.CustomerRef, annaInvoice, annaAccount.AmountDueMinor, annaAccount.Currency, "https://x.example", "cross-tenant", default);
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == annaInvoice);
            db.Add(new ProviderPayment(account, PaymentProviders.Test, charge.ProviderRef, "checkout", account.AmountDueMinor, "cross-tenant", null, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        provider.Complete(charge.ProviderRef, succeeded: true);
        var outcome = await SendAsync(provider, Body("evt_cross", "payment.succeeded", charge.ProviderRef));
        Assert.Equal("refused: paid by another tenant's customer", outcome.Str("outcome"));
        Assert.Equal(0L, (await AccountAsync(annaInvoice)).PaidMinor);

        // A payment we never started is refused too.
        var unknown = await SendAsync(provider, Body("evt_unknown", "payment.succeeded", "tpay_unknown"));
        Assert.Equal("refused: not a payment we started", unknown.Str("outcome"));
    }

    private static string Body(string eventId, string type, string paymentRef) =>
        new JsonObject { ["id"] = eventId, ["type"] = type, ["data"] = new JsonObject { ["object_id"] = paymentRef } }.ToJsonString();

    private async Task<HttpResponseMessage> PostAsync(string body, string? signature)
    {
        var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/webhooks/test") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add(TestPaymentProvider.SignatureHeader, signature);
        }

        return await client.SendAsync(request);
    }

    private async Task<JsonNode> SendAsync(TestPaymentProvider provider, string body)
    {
        var response = await PostAsync(body, provider.Sign(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>A newly finalised invoice of <paramref name="email"/>'s tenant, its partner collecting through the test provider.</summary>
    private async Task<(string InvoiceId, InvoiceAccount Account)> OpenInvoiceAsync(string email)
    {
        var tenantId = (await app.ActorForAsync(email)).TenantId!;
        var id = (await app.CreateDraftInvoicesAsync(tenantId, 1, 1))[0];
        await (await app.ClientForAsync(Api.Ops)).PostJson($"/api/v1/invoices/{id}/finalize", null, HttpStatusCode.OK);
        var account = await AccountAsync(id);
        var ops = await app.ActorForAsync(Api.Ops);
        var collection = app.Services.GetRequiredService<PaymentCollectionService>();
        await collection.SetPartnerProviderAsync(ops, account.PartnerId, PaymentProviders.Test, null, DateTimeOffset.UtcNow);
        await collection.SetTestOutcomeAsync(ops, tenantId, "test_succeed", DateTimeOffset.UtcNow);
        return (id, account);
    }

    private async Task<InvoiceAccount> AccountAsync(string invoiceId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Set<InvoiceAccount>().AsNoTracking().SingleAsync(a => a.InvoiceId == invoiceId);
    }

    private async Task<int> PaymentsAsync(string invoiceId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Set<PaymentTransaction>().CountAsync(t => t.InvoiceId == invoiceId && t.Kind == PaymentKind.Payment);
    }
}
