using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Components.Pages.Admin.Webhooks;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Pages.Admin.Webhooks;

/// <summary>
/// The webhook admin pages and the operator notice, rendered against the seeded database with one enabled operator
/// subscriber (with a failed delivery and two logged attempts) and one reseller subscriber disabled by a 410.
/// </summary>
public sealed class WebhookPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    private const string OpsUrl = "https://ops-hooks.example.com/in";
    private const string NordicUrl = "https://nordic-hooks.example.com/in";
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly Dictionary<PortalRenderFixture, (string Ops, string Nordic)> Seeded = [];

    [Fact]
    public async Task List_ForTheOperator_ShowsEverySubscriber_TheDisabledOneWithReEnable()
    {
        await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionsPage>(DemoUsers.Operator);

        Assert.Contains(OpsUrl, html, StringComparison.Ordinal);
        Assert.Contains(NordicUrl, html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-state\">disabled<", html, StringComparison.Ordinal);
        Assert.Contains("The endpoint answered 410 Gone.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-enable\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-create-button\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-partner\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ForThePartnerAdmin_ShowsOnlyItsPartnersSubscribers()
    {
        await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionsPage>(DemoUsers.PartnerAdmin);

        Assert.Contains(NordicUrl, html, StringComparison.Ordinal);
        Assert.DoesNotContain(OpsUrl, html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"webhook-partner\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ForATenantUser_ShowsTheRefusalAndNoSubscriber()
    {
        await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionsPage>(DemoUsers.Anna);

        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(OpsUrl, html, StringComparison.Ordinal);
        Assert.DoesNotContain(NordicUrl, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_ShowsTheDeliveryLog_WithEachAttemptsHeadersStatusBodyAndDuration()
    {
        var (ops, _) = await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = ops });

        Assert.Contains(OpsUrl, html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"delivery-status\">failed<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"attempt-status\">500<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"attempt-status\">no answer<", html, StringComparison.Ordinal);
        Assert.Contains("upstream exploded", html, StringComparison.Ordinal);
        Assert.Contains("v1,c2lnbmF0dXJl", html, StringComparison.Ordinal);
        Assert.Contains("webhook-signature", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"attempt-duration\">42 ms<", html, StringComparison.Ordinal);
        Assert.Contains("Timed out after 15 s.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"delivery-replay\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-test\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-replay-failed\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-rotate\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_OfAnotherPartnersSubscriber_IsNotFoundForThePartnerAdmin()
    {
        var (ops, _) = await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionPage>(DemoUsers.PartnerAdmin, new Dictionary<string, object?> { ["Id"] = ops });

        Assert.DoesNotContain(OpsUrl, html, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream exploded", html, StringComparison.Ordinal);
        Assert.Contains("was not found", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_OfADisabledSubscriber_SaysWhyAndOffersReEnable()
    {
        var (_, nordic) = await SeedAsync();

        var html = await portal.RenderAsync<WebhookSubscriptionPage>(DemoUsers.PartnerAdmin, new Dictionary<string, object?> { ["Id"] = nordic });

        Assert.Contains("data-testid=\"webhook-disabled\"", html, StringComparison.Ordinal);
        Assert.Contains("The endpoint answered 410 Gone.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"webhook-enable\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_InGerman_HasNoEnglishCardLeft()
    {
        var (_, nordic) = await SeedAsync();

        await using var view = await portal.OpenAsync<WebhookSubscriptionPage>(DemoUsers.Operator, new Dictionary<string, object?> { ["Id"] = nordic }, locale: "de-DE");
        var html = System.Net.WebUtility.HtmlDecode(view.Markup);

        foreach (var german in new[] { "Deaktiviert am", "The endpoint answered 410 Gone.", "Wieder aktivieren", "Bearbeiten", "Werkzeuge", "Testereignis senden", "Geheimnis rotieren", "Alle fehlgeschlagenen erneut senden", "Zustellprotokoll" })
        {
            Assert.Contains(german, html, StringComparison.Ordinal);
        }

        foreach (var english in new[] { "Re-enable", ">Edit<", ">Tools<", "Send test event", "Rotate secret", "Replay all failed", "Nothing is delivered" })
        {
            Assert.DoesNotContain(english, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Notice_TellsTheOperatorAndThePartnerAdminAboutTheAutomaticallyDisabledSubscriber_NotTheTenant()
    {
        await SeedAsync();

        var forOperator = await portal.RenderAsync<WebhookDisabledNotice>(DemoUsers.Operator);
        var forPartner = await portal.RenderAsync<WebhookDisabledNotice>(DemoUsers.PartnerAdmin);
        var forTenant = await portal.RenderAsync<WebhookDisabledNotice>(DemoUsers.Anna);

        Assert.Contains("data-testid=\"webhook-disabled-notice\"", forOperator, StringComparison.Ordinal);
        Assert.Contains(NordicUrl, forOperator, StringComparison.Ordinal);
        Assert.DoesNotContain(OpsUrl, forOperator, StringComparison.Ordinal);
        Assert.Contains(NordicUrl, forPartner, StringComparison.Ordinal);
        Assert.DoesNotContain("webhook-disabled-notice", forTenant, StringComparison.Ordinal);
    }

    /// <summary>Writes the two subscribers once per fixture (database).</summary>
    private async Task<(string Ops, string Nordic)> SeedAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (Seeded.TryGetValue(portal, out var ids))
            {
                return ids;
            }

            var opsPartner = (await portal.ActorAsync(DemoUsers.Operator)).PartnerId!;
            var nordicPartner = (await portal.ActorAsync(DemoUsers.PartnerAdmin)).PartnerId!;
            await using var db = await portal.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
            var e = await db.OutboxEvents.OrderBy(x => x.Id).FirstAsync();
            var now = DateTimeOffset.UtcNow;
            var ops = new WebhookSubscription(opsPartner, OpsUrl, TopicFilter.Parse(["*"]), "ops sink", "test/ops", now);
            var nordic = new WebhookSubscription(nordicPartner, NordicUrl, TopicFilter.Parse(["subscription.*"]), "nordic sink", "test/nordic", now);
            nordic.Disable("The endpoint answered 410 Gone.", now);
            var delivery = new WebhookDelivery(ops.Id, e.Id, e.IdempotencyKey, e.Topic, now);
            delivery.AttemptFailed(500, "HTTP 500", now);
            delivery.Abandon(null, "Timed out after 15 s.", now, countAttempt: true);
            db.WebhookSubscriptions.AddRange(ops, nordic);
            db.WebhookDeliveries.Add(delivery);
            const string headers = """{"webhook-id":"evt_x","webhook-timestamp":"1764489600","webhook-signature":"v1,c2lnbmF0dXJl"}""";
            db.WebhookDeliveryAttempts.Add(new WebhookDeliveryAttempt(ops.Id, delivery.Id, e.Topic, 1, now, 42, headers, 500, "upstream exploded", "HTTP 500"));
            db.WebhookDeliveryAttempts.Add(new WebhookDeliveryAttempt(ops.Id, delivery.Id, e.Topic, 2, now.AddMinutes(1), 15000, headers, null, null, "Timed out after 15 s."));
            await db.SaveChangesAsync();
            Seeded[portal] = (ops.Id, nordic.Id);
            return (ops.Id, nordic.Id);
        }
        finally
        {
            Once.Release();
        }
    }
}
