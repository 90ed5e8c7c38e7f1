using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Demo;

/// <summary>
/// Realistic demo data (Development first run and `admin seed-demo`): the operator ScaiLabs B.V. (NL), tenants in
/// each VAT situation (NL domestic, DE reverse charge, FR consumer, US export), the Swedish reseller Nordic Cloud AB
/// with its own series and a Norwegian tenant, three services with monthly and yearly EUR plans (one with a 14-day
/// trial), two service packs (one percentage, one fixed price; Redwood subscribes to the yearly one), subscriptions
/// in several states (one trialing), two published invoice templates (Nordic Cloud AB's own, English, and the
/// platform's German one) and one finalised invoice per tenant (last month's billing run).
/// Sign-in e-mails are fixed: docs and acceptance checks use them. Idempotent: does nothing if the operator exists.
/// </summary>
public sealed class DemoSeeder(ScaiDbFactory factory, BillingRunService billing, InvoiceService invoices, TimeProvider clock)
{
    /// <summary>The operator's sign-in e-mail.</summary>
    public const string OperatorEmail = "ops@scailabs.example";

    /// <summary>The demo users the development sign-in offers first (one per role and VAT case, as in the README).</summary>
    public static readonly IReadOnlyList<string> DemoEmails =
    [
        OperatorEmail, "lars@nordiccloud-se.example", "anna@acme-nl.example", "jonas@bergmann-de.example",
        "claire@martin-fr.example", "sam@redwood-us.example", "eva@fjord-no.example",
    ];

    /// <summary>Seeds the demo data; returns false when it was already there.</summary>
    public async Task<bool> SeedAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        string acmeId;
        var lastMonth = now.AddMonths(-1).AddDays(-3);
        await using (var db = await factory.ForSystemAsync("seed-demo", ct))
        {
            if (await db.Users.AnyAsync(u => u.Email == OperatorEmail, ct))
            {
                return false;
            }

            var scailabs = new Partner("ScaiLabs B.V.", isOperator: true, now);
            var nordic = new Partner("Nordic Cloud AB", isOperator: false, now);
            db.Partners.AddRange(scailabs, nordic);
            db.PartnerConfigurations.Add(new PartnerConfiguration(scailabs.Id, "ScaiLabs B.V.",
                PostalAddress.Create("Keizersgracht 123", null, "1015 CJ", "Amsterdam", "NL"), "NL862637223B01", "billing@scailabs.example",
                "NL91ABNA0417164300", "ABNANL2A", "SCAI", now));
            db.PartnerConfigurations.Add(new PartnerConfiguration(nordic.Id, "Nordic Cloud AB",
                PostalAddress.Create("Sveavägen 44", null, "111 34", "Stockholm", "SE"), "SE556677889901", "billing@nordiccloud-se.example",
                "SE4550000000058398257466", "ESSESESS", "NORD", now));
            foreach (var (partnerId, contact, phone, registration, scheme) in new[]
            {
                (scailabs.Id, "ScaiLabs Billing", "+31 20 555 0142", "12345678", "0106"),
                (nordic.Id, "Nordic Cloud Billing", "+46 8 555 014 20", "5566778899", "0007"),
            })
            {
                db.ChangeTracker.Entries<PartnerConfiguration>().Single(e => e.Entity.PartnerId == partnerId).Entity
                    .SetContactAndRegistration(contact, phone, registration, scheme, now);
            }

            var services = new[]
            {
                new Service("scaicrm", "ScaiCRM", "Customer relationship management for small teams.", null, now),
                new Service("scaicms", "ScaiCMS", "Headless content management with a visual editor.", null, now),
                new Service("scaidrive", "ScaiDrive", "Encrypted file storage and sharing.", null, now),
            };
            db.Services.AddRange(services);
            var crmMonthly = new Plan(services[0].Id, "crm-team-monthly", "Team", Money.Of(2900, "EUR"), BillingInterval.Month, 0, now);
            var crmYearly = new Plan(services[0].Id, "crm-team-yearly", "Team (yearly)", Money.Of(29000, "EUR"), BillingInterval.Year, 0, now);
            var cmsMonthly = new Plan(services[1].Id, "cms-pro-monthly", "Pro", Money.Of(4900, "EUR"), BillingInterval.Month, 0, now);
            var cmsYearly = new Plan(services[1].Id, "cms-pro-yearly", "Pro (yearly)", Money.Of(49000, "EUR"), BillingInterval.Year, 0, now);
            var driveMonthly = new Plan(services[2].Id, "drive-starter-monthly", "Starter", Money.Of(990, "EUR"), BillingInterval.Month, 14, now);
            var driveYearly = new Plan(services[2].Id, "drive-starter-yearly", "Starter (yearly)", Money.Of(9900, "EUR"), BillingInterval.Year, 0, now);
            db.Plans.AddRange(crmMonthly, crmYearly, cmsMonthly, cmsYearly, driveMonthly, driveYearly);
            var (suitePack, webPack) = DemoPacks(services, crmMonthly, cmsMonthly, driveMonthly, cmsYearly, driveYearly, now);
            db.ServicePacks.AddRange(suitePack, webPack);

            db.Users.Add(new User(OperatorEmail, "Olivia Operator", scailabs.Id, null, [Roles.SuperAdmin], now));
            db.Users.Add(new User("lars@nordiccloud-se.example", "Lars Lindqvist", nordic.Id, null, [Roles.PartnerAdmin], now));

            Tenant AddTenant(Partner partner, string name, string email, string person, string line1, string postal, string city, string country, string? vatId,
                string? buyerReference = null, string? einvoiceFormat = null, string? registrationId = null, string? registrationScheme = null)
            {
                var tenant = new Tenant(partner.Id, name, now);
                db.Tenants.Add(tenant);
                db.Users.Add(new User(email, person, partner.Id, tenant.Id, [Roles.TenantAdmin], now));
                var profile = new TenantBillingProfile(partner.Id, tenant.Id, name, PostalAddress.Create(line1, null, postal, city, country), vatId, email, now);
                if (vatId is not null)
                {
                    // Demo evidence: the live VIES is outside this network, so the seed records a confirmed consultation.
                    profile.RecordVatIdCheck(new VatIdCheck(VatIdStatus.Valid, now, $"DEMO-{tenant.Id[^8..]}", name, "seeded demo evidence"));
                }

                profile.SetEInvoicing(buyerReference, einvoiceFormat, Invoicing.EInvoicing.EInvoiceFormats.All, now);
                profile.SetDocuments(null, registrationId, registrationScheme, now);
                db.TenantBillingProfiles.Add(profile);
                return tenant;
            }

            var acme = AddTenant(scailabs, "Acme Hosting B.V.", "anna@acme-nl.example", "Anna de Vries", "Stationsplein 1", "3511 ED", "Utrecht", "NL", "NL853746333B01", "PO-ACME-2026", "ubl");
            acmeId = acme.Id;
            var bergmann = AddTenant(scailabs, "Bergmann Software GmbH", "jonas@bergmann-de.example", "Jonas Bergmann", "Friedrichstraße 68", "10117", "Berlin", "DE", "DE811907980", "04011000-12345-34", "xrechnung-ubl");
            var martin = AddTenant(scailabs, "Claire Martin", "claire@martin-fr.example", "Claire Martin", "12 rue de la République", "69002", "Lyon", "FR", null, "CM-PRIVATE");
            var redwood = AddTenant(scailabs, "Redwood Analytics Inc.", "sam@redwood-us.example", "Sam Carter", "500 Market Street", "94105", "San Francisco", "US", null, "REDWOOD-AP",
                registrationId: "123456789", registrationScheme: "0060"); // a fictional D-U-N-S number: the Peppol address of a US company
            // Demo VAT ids carry valid check digits (VatIdChecksums); NO987654325 is a fictional organisation number.
            var fjord = AddTenant(nordic, "Fjord Analytics AS", "eva@fjord-no.example", "Eva Nilsen", "Karl Johans gate 5", "0154", "Oslo", "NO", "NO987654325MVA",
                registrationId: "987654325"); // no buyer reference: its Peppol UBL quotes the customer number (BT-10); ICD 0192 by country

            Subscription Subscribe(Tenant tenant, Service service, Plan plan, DateTimeOffset at)
            {
                var s = Subscription.Start(tenant.PartnerId, tenant.Id, service, plan, at);
                db.Subscriptions.Add(s);
                return s;
            }

            Subscribe(acme, services[0], crmMonthly, lastMonth);
            Subscribe(acme, services[2], driveYearly, lastMonth);
            Subscribe(bergmann, services[1], cmsMonthly, lastMonth);
            Subscribe(martin, services[0], crmMonthly, lastMonth).ScheduleCancellation(now.AddDays(-1), "Switching to a spreadsheet.");
            Subscribe(martin, services[2], driveMonthly, now.AddDays(-3));
            Subscribe(redwood, services[0], crmYearly, lastMonth);
            Subscribe(fjord, services[1], cmsMonthly, lastMonth);
            Subscribe(fjord, services[0], crmMonthly, lastMonth.AddDays(-20)).Cancel(lastMonth.AddDays(-2), "Trial project ended.");
            // A pack subscription (parent + one child per service), billed below as one line on Redwood's invoice.
            var (redwoodPack, redwoodChildren) = PackSubscription.Start(redwood.PartnerId, redwood.Id, webPack,
                [(services[1], cmsYearly), (services[2], driveYearly)], lastMonth);
            db.PackSubscriptions.Add(redwoodPack);
            db.Subscriptions.AddRange(redwoodChildren);

            // Published before the billing run, so Nordic Cloud AB's invoices carry its own branding.
            db.InvoiceTemplates.Add(PublishedTemplate(nordic.Id, "en", "nordic-cloud-invoice-en.hbs", now));
            db.InvoiceTemplates.Add(PublishedTemplate(null, "de", "platform-invoice-de.hbs", now));
            await db.SaveChangesAsync(ct);
        }

        // Last month's billing run gives every tenant a finalised invoice.
        string runId;
        await using (var db = await factory.ForSystemAsync("seed-demo", ct))
        {
            var run = new BillingRun(BillingPeriod.Of(lastMonth), "system:seed-demo", now);
            db.BillingRuns.Add(run);
            await db.SaveChangesAsync(ct);
            runId = run.Id;
        }

        await billing.ExecuteAsync(runId, ct);

        // One credit note in the demo data: a goodwill credit on Acme's invoice, in the SCAI-CN series.
        string noteId;
        await using (var db = await factory.ForSystemAsync("seed-demo", ct))
        {
            var original = await db.Invoices.AsNoTracking().Include(i => i.Lines)
                .Where(i => i.TenantId == acmeId && i.Status == InvoiceStatus.Finalised).OrderBy(i => i.Id).FirstAsync(ct);
            var note = Invoice.CreditNoteFor(original, [new CreditRequest(original.Lines[0].Id, null, 500)],
                "Goodwill credit for a service outage", new Dictionary<string, long>(), now);
            db.Invoices.Add(note);
            await db.SaveChangesAsync(ct);
            noteId = note.Id;
        }

        await using (var db = await factory.ForSystemAsync("seed-demo", ct))
        {
            await invoices.FinaliseAsync(db, noteId, ct);
        }

        await invoices.TryRenderAsync(noteId, ct);
        return true;
    }

    /// <summary>
    /// The demo's service packs (spec 002 migration 014): "ScaiSuite" (the three monthly plans at 15 % off: EUR 87.90
    /// → discount 13.185 rounded half away from zero to 13.19, price EUR 74.71) and "Web presence (yearly)" (CMS Pro
    /// and Drive Starter yearly at a fixed EUR 529.00 instead of EUR 589.00).
    /// </summary>
    private static (ServicePack Suite, ServicePack Web) DemoPacks(Service[] services, Plan crmMonthly, Plan cmsMonthly, Plan driveMonthly, Plan cmsYearly, Plan driveYearly, DateTimeOffset now)
    {
        var suite = new ServicePack("scaisuite-monthly", "ScaiSuite", "CRM, CMS and Drive together, 15 % below the parts.", PackPricing.Percentage, null, 1500, "EUR", BillingInterval.Month, now);
        suite.SetItems([(services[0], crmMonthly), (services[1], cmsMonthly), (services[2], driveMonthly)], now);
        var web = new ServicePack("web-presence-yearly", "Web presence (yearly)", "A website with its file storage, billed once a year.", PackPricing.FixedPrice, 52900, null, "EUR", BillingInterval.Year, now);
        web.SetItems([(services[1], cmsYearly), (services[2], driveYearly)], now);
        return (suite, web);
    }

    /// <summary>Version 1 of an invoice template from Demo/Templates/<paramref name="file"/>, published.</summary>
    private static InvoiceTemplate PublishedTemplate(string? partnerId, string language, string file, DateTimeOffset now)
    {
        using var stream = typeof(DemoSeeder).Assembly.GetManifestResourceStream($"ScaiControl.Infrastructure.Demo.Templates.{file}")
            ?? throw new InvalidOperationException($"The demo template {file} is not embedded.");
        using var reader = new StreamReader(stream);
        var template = new InvoiceTemplate(InvoiceTemplate.InvoiceName, DocumentType.Invoice, language, partnerId, 1, reader.ReadToEnd(), "system:seed-demo", now);
        template.Publish(null, now);
        return template;
    }
}
