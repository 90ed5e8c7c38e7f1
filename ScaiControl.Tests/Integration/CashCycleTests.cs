using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The cash cycle at a controlled clock (issue 16), through the test provider: invoice issued → off-session charge
/// declined → retries on the +1/+3/+5/+7 schedule → reminders → past_due → suspended → payment → paid and resumed,
/// with every event exactly once.
/// </summary>
public sealed class CashCycleTests(ClockedSqliteApp app) : IClassFixture<ClockedSqliteApp>
{
    [Fact]
    public async Task DeclinedCharges_RunTheDunningSchedule_AndAPaymentSettlesAndResumesAtOnce_EveryEventOnce()
    {
        var eva = await app.ActorForAsync(Api.Eva);
        var system = Actor.System("test");
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();
        var collection = app.Services.GetRequiredService<PaymentCollectionService>();
        var t0 = app.Clock.Now;
        await collection.SetPartnerProviderAsync(system, eva.PartnerId!, "test", null, t0);
        await collection.SetTestOutcomeAsync(system, eva.TenantId!, "test_decline_soft", t0);

        string subscriptionId, draftId;
        await using (var db = await factory.ForSystemAsync("test"))
        {
            var plan = await db.Plans.Where(p => p.IsActive).OrderBy(p => p.TrialDays).FirstAsync();
            var service = await db.Services.SingleAsync(s => s.Id == plan.ServiceId);
            var subscription = Subscription.Start(eva.PartnerId!, eva.TenantId!, service, plan, t0);
            if (subscription.Status == SubscriptionStatus.Trialing)
            {
                subscription.Activate(t0);
            }

            db.Subscriptions.Add(subscription);
            var draft = new Invoice(eva.PartnerId!, eva.TenantId!, "EUR", null, t0);
            draft.AddLine("ScaiDrive Starter, January", 1, Money.Of(4900, "EUR"), new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2500), null, null),
                subscription.Id, t0, t0.AddMonths(1));
            db.Invoices.Add(draft);
            await db.SaveChangesAsync();
            (subscriptionId, draftId) = (subscription.Id, draft.Id);
        }

        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await ops.PostJson($"/api/v1/invoices/{draftId}/finalize", null, HttpStatusCode.OK);
        var gross = invoice.Long("gross_total");

        // Day 0: the first off-session charge is declined: the subscription is past_due at once.
        var first = await collection.RunAsync(t0);
        Assert.True(first.Charged >= 1);
        Assert.Equal("past_due", await StatusAsync(subscriptionId));
        Assert.Equal("open", (await ops.GetJson($"/api/v1/invoices/{draftId}/payments")).Str("status"));

        // Days 1..14, each run twice (a second node, or a rerun): retries at +1/+3/+5/+7, reminders at +3/+10, suspended at +14.
        for (var day = 1; day <= 14; day++)
        {
            app.Clock.Now = t0.AddDays(day);
            await collection.RunAsync(app.Clock.Now);
            await collection.RunAsync(app.Clock.Now);
            if (day == 13)
            {
                Assert.Equal("past_due", await StatusAsync(subscriptionId));
            }
        }

        Assert.Equal("suspended", await StatusAsync(subscriptionId));
        var state = await ops.GetJson($"/api/v1/invoices/{draftId}/payments");
        Assert.Equal(5, state["history"]!.AsArray().Count(h => h!.Str("kind") == "failed_attempt"));
        Assert.All(state["history"]!.AsArray(), h => Assert.Equal("insufficient_funds", h!.Str("failure_code")));

        // Day 15: the money arrives by bank transfer: paid, dunning settled, the subscription active again at once.
        app.Clock.Now = t0.AddDays(15);
        var paid = await ops.PostJson($"/api/v1/admin/invoices/{draftId}/payments",
            new { amount = gross, currency = "EUR", reference = "NO-GIRO-77", method = "bank_transfer", received_at = app.Clock.Now }, HttpStatusCode.Created);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal("active", await StatusAsync(subscriptionId));
        // Later passes (the final step would be due at day 30) change nothing on the settled case.
        await collection.RunAsync(t0.AddDays(40));
        Assert.Equal("active", await StatusAsync(subscriptionId));

        await using var check = await factory.ForSystemAsync("test");
        var events = await check.OutboxEvents.AsNoTracking().Where(e => e.TenantId == eva.TenantId).ToListAsync();
        int Count(string topic, string? aggregate = null) => events.Count(e => e.Topic == topic && (aggregate is null || e.AggregateId == aggregate));
        Assert.Equal(1, Count("invoice.issued.v1", draftId));
        Assert.Equal(5, Count("invoice.payment_failed.v1", draftId));
        Assert.Equal(1, Count("invoice.paid.v1", draftId));
        Assert.Equal(0, Count("invoice.overdue.v1", draftId));
        Assert.Equal(1, Count("subscription.payment_failed.v1", subscriptionId));
        Assert.Equal(1, Count("subscription.suspended.v1", subscriptionId));
        Assert.Equal(1, Count("subscription.resumed.v1", subscriptionId));
        var steps = events.Where(e => e.Topic == "dunning.step.v1").OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => JsonNode.Parse(e.PayloadJson)!).Where(p => p.Str("invoice_id") == draftId).ToList();
        Assert.Equal(["past_due", "retry", "retry", "reminder", "retry", "retry", "reminder", "suspended", "settled"], steps.Select(s => s.Str("step")).ToArray());
        Assert.All(steps, s => Assert.Equal(subscriptionId, s.Str("subscription_id")));
        var failed = events.Where(e => e.Topic == "invoice.payment_failed.v1" && e.AggregateId == draftId).OrderBy(e => e.OccurredAt).Select(e => JsonNode.Parse(e.PayloadJson)!).ToList();
        Assert.Equal([1, 2, 3, 4, 5], failed.Select(f => (int)f.Long("attempt")).ToArray());
        Assert.Equal(
            [t0.AddDays(1), t0.AddDays(3), t0.AddDays(5), t0.AddDays(7), (DateTimeOffset?)null],
            failed.Select(f => f["next_retry_at"] is { } n ? DateTimeOffset.Parse(n.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : (DateTimeOffset?)null).ToArray());
        Assert.Empty(events.SelectMany(e => ScaiControl.Domain.Webhooks.WebhookPayloads.Check(e.Topic, JsonNode.Parse(e.PayloadJson)!.AsObject())
            .Where(_ => e.Topic.StartsWith("invoice.", StringComparison.Ordinal) || e.Topic.StartsWith("dunning.", StringComparison.Ordinal))));
    }

    private async Task<string> StatusAsync(string subscriptionId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return (await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == subscriptionId)).Status.WireName();
    }
}
