using System.Globalization;
using System.Resources;
using Bunit;
using ScaiControl.Web.Components.Pages.Dashboard;
using ScaiControl.Web.Components.Pages.Portal.BillingProfile;
using ScaiControl.Web.Components.Pages.Portal.Catalog;
using ScaiControl.Web.Components.Pages.Portal.Invoices;
using ScaiControl.Web.Components.Pages.Portal.Subscriptions;

namespace ScaiControl.Tests.Web.Components.Pages;

/// <summary>
/// The portal pages in German for a German tenant (Jonas, Bergmann Software GmbH, de-DE): the texts come from
/// Strings.de.resx, states are German words, and no English sentence of the page is left; every English key has a
/// German text.
/// </summary>
public sealed class GermanPagesTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public void EveryEnglishText_HasAGermanText()
    {
        var resources = new ResourceManager("ScaiControl.Web.Localization.Strings", typeof(ScaiControl.Web.Localization.Strings).Assembly);
        var english = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;
        var german = resources.GetResourceSet(new CultureInfo("de"), createIfNotExists: true, tryParents: false)!;
        var keys = english.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).ToList();

        Assert.True(keys.Count > 300);
        Assert.All(keys, k => Assert.False(string.IsNullOrWhiteSpace(german.GetString(k)), $"{k} has no German text"));
        // Placeholders match, so a German text never drops or invents a value.
        Assert.All(keys, k => Assert.Equal(Placeholders(english.GetString(k)!), Placeholders(german.GetString(k)!)));
    }

    [Fact]
    public async Task Overview_ForAGermanTenant_IsInGerman()
    {
        var html = await portal.RenderAsync<TenantOverviewPanel>(DemoUsers.Jonas);

        Assert.Contains("Ihre Dienste", html, StringComparison.Ordinal);
        Assert.Contains("Nächste Verlängerungen", html, StringComparison.Ordinal);
        Assert.Contains("Offene Rechnungen", html, StringComparison.Ordinal);
        Assert.Contains("Letzte Rechnungen und Gutschriften", html, StringComparison.Ordinal);
        Assert.Contains("pro Monat", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Your services", html, StringComparison.Ordinal);
        Assert.DoesNotContain("per month", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_ForAGermanTenant_ShowGermanColumnsStatesAndActions()
    {
        await using var view = await portal.OpenAsync<MySubscriptionsPage>(DemoUsers.Jonas);
        var html = System.Net.WebUtility.HtmlDecode(view.Markup);

        Assert.Contains(">Meine Abonnements</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Aktueller Zeitraum", html, StringComparison.Ordinal);
        Assert.Contains("Sofort kündigen", html, StringComparison.Ordinal);
        Assert.Contains(view.Host.FindAll("[data-testid^='status-']"), s => s.TextContent.Trim() == "aktiv");
        Assert.DoesNotContain("Cancel now", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvoicesAndAnInvoice_ForAGermanTenant_AreInGerman()
    {
        await using var list = await portal.OpenAsync<InvoicesPage>(DemoUsers.Jonas);
        Assert.Contains(">Rechnungen</h1>", list.Markup, StringComparison.Ordinal);
        Assert.Equal("Nach Rechnungsnummer suchen", list.ByTestId("invoices-grid-search").GetAttribute("placeholder") ?? list.ByTestId("invoices-grid-search").QuerySelector("input")!.GetAttribute("placeholder"));
        Assert.Equal("CSV exportieren", list.Text("invoices-grid-csv"));
        var id = list.ByTestId("invoice-link").GetAttribute("href")!.Split('/')[^1];

        var html = await portal.RenderAsync<InvoiceDetailPage>(DemoUsers.Jonas, new Dictionary<string, object?> { ["Id"] = id });

        foreach (var german in new[] { "Rechnungsdatum", "Fälligkeitsdatum", "Verkäufer", "Käufer", "Positionen", "Umsatzsteueraufschlüsselung", "Kategorie", "Zu zahlen" })
        {
            Assert.Contains(german, html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Total due", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheIdentityPages_InGerman_HaveNoEnglishLeft()
    {
        await using (var keys = await portal.OpenAsync<ScaiControl.Web.Components.Pages.Admin.Identity.ApiKeysPage>(DemoUsers.Operator, locale: "de-DE"))
        {
            var html = System.Net.WebUtility.HtmlDecode(keys.Markup);
            foreach (var german in new[] { ">API-Schlüssel</h1>", "Neuer Schlüssel", "Schlüssel anlegen", "Berechtigungen", "Benutzer", "Gruppen" })
            {
                Assert.Contains(german, html, StringComparison.Ordinal);
            }

            foreach (var english in new[] { "New key", "Create key", "copy the secret", "Last used", ">Users<" })
            {
                Assert.DoesNotContain(english, html, StringComparison.Ordinal);
            }
        }

        await using var users = await portal.OpenAsync<ScaiControl.Web.Components.Pages.Admin.Identity.IdentityUsersPage>(DemoUsers.Operator, locale: "de-DE");
        var list = System.Net.WebUtility.HtmlDecode(users.Markup);
        Assert.Contains("Letzte Anmeldung", list, StringComparison.Ordinal);
        Assert.Contains("Nach Name oder E-Mail suchen", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Last sign-in", list, StringComparison.Ordinal);
        Assert.Contains(users.Host.FindAll("[data-testid='user-status']"), s => s.TextContent.Trim() == "aktiv");
    }

    [Fact]
    public async Task CatalogAndBillingProfile_ForAGermanTenant_AreInGerman()
    {
        var catalog = await portal.RenderAsync<CatalogPage>(DemoUsers.Jonas);
        Assert.Contains("Alle Dienste von ScaiLabs mit ihren Tarifen.", catalog, StringComparison.Ordinal);
        Assert.Contains(">Abonnieren<", catalog, StringComparison.Ordinal);
        Assert.Contains("Dienstpakete", catalog, StringComparison.Ordinal);

        var profile = await portal.RenderAsync<BillingProfilePage>(DemoUsers.Jonas);
        foreach (var german in new[] { "Firmenname", "Adresszeile 1", "Postleitzahl", "Ort", "Rechnungs-E-Mail", "Speichern" })
        {
            Assert.Contains(german, profile, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Legal name", profile, StringComparison.Ordinal);
    }

    private static List<string> Placeholders(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Order(StringComparer.Ordinal).ToList();
}
