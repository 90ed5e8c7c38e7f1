using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// A small billing world of its own (no demo data) built at a clock the test sets, whose dashboard figures are
/// computed by hand in <see cref="DashboardTests{TApp}"/>. Timeline (UTC):
/// <code>
/// 2026-04-01 00:00  Op B.V. (NL seller, operator) tenants: nl (NL, VIES-confirmed id, domestic 21 %), de (DE, confirmed id,
///                   reverse charge), fr (FR consumer, OSS 20 %), us (US, export), nop (no billing profile);
///                   Res AB (SE reseller) tenant no (NO, export). Plans: Alpha monthly EUR 10.00, Alpha yearly EUR 100.00,
///                   Beta monthly EUR 5.00 with a 14-day trial, Gamma monthly USD 20.00, Delta monthly EUR 4.00;
///                   pack Duo (Alpha + Delta monthly) at a fixed EUR 12.00.
///                   Subscribed: nl Alpha-m + pack Duo; de Alpha-y + Delta-m; fr Alpha-m; us Gamma-m; no Alpha-m; nop Alpha-m.
/// 2026-04-01 01:00  billing run 2026-04          2026-04-20 de's Delta suspended
///                   (every period is invoiced when it starts, docs/decisions/0009: anchored on the 1st, the runs on
///                   the 1st invoice the month that starts)
/// 2026-05-01 02:00  billing run 2026-05          2026-05-20 credit note EUR 5.00 on nl's May invoice (finalised)
/// 2026-06-01 02:00  billing run 2026-06          2026-06-02 no subscribes Delta-m, 06-03 schedules its cancellation
/// 2026-06-05 08:00  fr cancels Alpha-m now and starts a Beta trial (ends 06-19 08:00); 06-14 08:00 us starts a Beta trial (ends 06-28)
/// 2026-06-15 12:00  now. Webhooks: Op's subscriber 2 of 3 attempts in the last 7 days answered 2xx (one older failure and a
///                   test event not counted), failing since 10:00, one delivery pending, one given up; Res's subscriber disabled (410).
/// </code>
/// </summary>
public static class DashboardWorld
{
    /// <summary>"Now" of the world.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public const string OpsEmail = "ops@op.example";
    public const string ResAdminEmail = "admin@res.example";
    public const string NlEmail = "nl@nl.example";
    public const string DeEmail = "de@de.example";
    public const string FrEmail = "fr@fr.example";
    public const string UsEmail = "us@us.example";
    public const string NoEmail = "no@no.example";

    private static DateTimeOffset At(int month, int day, int hour = 0) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Builds the world in <paramref name="app"/> and leaves its clock at <see cref="Now"/>.</summary>
    public static async Task BuildAsync(ScaiAppFactory app, TestClock clock)
    {
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();
        var billing = app.Services.GetRequiredService<BillingRunService>();
        var invoices = app.Services.GetRequiredService<InvoiceService>();
        var system = Actor.System("test");
        clock.Now = At(4, 1);
        var now = clock.Now;
        Dictionary<string, Tenant> t = [];
        Service alpha, beta, delta;
        Plan alphaM, alphaY, betaM, gammaM, deltaM;
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            var op = new Partner("Op B.V.", isOperator: true, now);
            var res = new Partner("Res AB", isOperator: false, now);
            db.Partners.AddRange(op, res);
            db.PartnerConfigurations.Add(new PartnerConfiguration(op.Id, "Op B.V.", PostalAddress.Create("Dam 1", null, "1012 JS", "Amsterdam", "NL"), "NL862637223B01",
                "billing@op.example", "NL91ABNA0417164300", "ABNANL2A", "OPS", now));
            db.PartnerConfigurations.Add(new PartnerConfiguration(res.Id, "Res AB", PostalAddress.Create("Sveavägen 1", null, "111 34", "Stockholm", "SE"), "SE556677889901",
                "billing@res.example", "SE4550000000058398257466", "ESSESESS", "RES", now));
            db.Users.Add(new User(OpsEmail, "Otto Operator", op.Id, null, [Roles.SuperAdmin], now));
            db.Users.Add(new User(ResAdminEmail, "Rita Reseller", res.Id, null, [Roles.PartnerAdmin], now));

            Tenant Add(string key, Partner partner, string name, string email, string country, string? vatId, bool profile = true)
            {
                var tenant = new Tenant(partner.Id, name, now);
                db.Tenants.Add(tenant);
                db.Users.Add(new User(email, $"{name} admin", partner.Id, tenant.Id, [Roles.TenantAdmin], now));
                if (profile)
                {
                    var p = new TenantBillingProfile(partner.Id, tenant.Id, name, PostalAddress.Create("Street 1", null, "1000", "City", country), vatId, email, now);
                    if (vatId is not null)
                    {
                        p.RecordVatIdCheck(new VatIdCheck(VatIdStatus.Valid, now, $"TEST-{key}", name, "test evidence"));
                    }

                    db.TenantBillingProfiles.Add(p);
                }

                t[key] = tenant;
                return tenant;
            }

            Add("nl", op, "Dutch B.V.", NlEmail, "NL", "NL853746333B01");
            Add("de", op, "German GmbH", DeEmail, "DE", "DE811907980");
            Add("fr", op, "French Consumer", FrEmail, "FR", null);
            Add("us", op, "US Inc.", UsEmail, "US", null);
            Add("nop", op, "No Profile Ltd", "nop@nop.example", "NL", null, profile: false);
            Add("no", res, "Norsk AS", NoEmail, "NO", "NO987654325MVA");

            alpha = new Service("alpha", "Alpha", "", null, now);
            beta = new Service("beta", "Beta", "", null, now);
            var gamma = new Service("gamma", "Gamma", "", null, now);
            delta = new Service("delta", "Delta", "", null, now);
            db.Services.AddRange(alpha, beta, gamma, delta);
            alphaM = new Plan(alpha.Id, "alpha-m", "Alpha monthly", Money.Of(1000, "EUR"), BillingInterval.Month, 0, now);
            alphaY = new Plan(alpha.Id, "alpha-y", "Alpha yearly", Money.Of(10000, "EUR"), BillingInterval.Year, 0, now);
            betaM = new Plan(beta.Id, "beta-m", "Beta monthly", Money.Of(500, "EUR"), BillingInterval.Month, 14, now);
            gammaM = new Plan(gamma.Id, "gamma-m", "Gamma monthly", Money.Of(2000, "USD"), BillingInterval.Month, 0, now);
            deltaM = new Plan(delta.Id, "delta-m", "Delta monthly", Money.Of(400, "EUR"), BillingInterval.Month, 0, now);
            db.Plans.AddRange(alphaM, alphaY, betaM, gammaM, deltaM);
            var duo = new ServicePack("duo", "Duo", "Alpha and Delta", PackPricing.FixedPrice, 1200, null, "EUR", BillingInterval.Month, now);
            duo.SetItems([(alpha, alphaM), (delta, deltaM)], now);
            db.ServicePacks.Add(duo);

            void Sub(string key, Service service, Plan plan) => db.Subscriptions.Add(Subscription.Start(t[key].PartnerId, t[key].Id, service, plan, now));
            Sub("nl", alpha, alphaM);
            Sub("de", alpha, alphaY);
            Sub("de", delta, deltaM);
            Sub("fr", alpha, alphaM);
            Sub("us", gamma, gammaM);
            Sub("no", alpha, alphaM);
            Sub("nop", alpha, alphaM);
            var (parent, children) = PackSubscription.Start(t["nl"].PartnerId, t["nl"].Id, duo, [(alpha, alphaM), (delta, deltaM)], now);
            db.PackSubscriptions.Add(parent);
            db.Subscriptions.AddRange(children);
            await db.SaveChangesAsync();
        }

        clock.Now = At(4, 1, 1);
        await billing.RunNowAsync(system, "2026-04");

        clock.Now = At(4, 20);
        await ChangeAsync(factory, db => db.Subscriptions.SingleAsync(s => s.TenantId == t["de"].Id && s.PlanId == deltaM.Id), s => s.Suspend(clock.Now, "test"));

        clock.Now = At(5, 1, 2);
        var may = await billing.RunNowAsync(system, "2026-05");

        clock.Now = At(5, 20);
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            var mayInvoice = await db.Invoices.Include(i => i.Lines).SingleAsync(i => i.TenantId == t["nl"].Id && i.BillingRunId == may.Id);
            var note = await invoices.CreateCreditNoteAsync(system, mayInvoice.Id, "Outage", [new CreditRequest(mayInvoice.Lines.Single(l => l.Position == 1).Id, null, 500)]);
            await invoices.FinaliseAsync(system, note.Id);
        }

        clock.Now = At(6, 1, 2);
        await billing.RunNowAsync(system, "2026-06");

        clock.Now = At(6, 2);
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            db.Subscriptions.Add(Subscription.Start(t["no"].PartnerId, t["no"].Id, delta, deltaM, clock.Now));
            await db.SaveChangesAsync();
        }

        clock.Now = At(6, 3);
        await ChangeAsync(factory, db => db.Subscriptions.SingleAsync(s => s.TenantId == t["no"].Id && s.PlanId == deltaM.Id), s => s.ScheduleCancellation(clock.Now, "test"));

        clock.Now = At(6, 5, 8);
        await ChangeAsync(factory, db => db.Subscriptions.SingleAsync(s => s.TenantId == t["fr"].Id && s.PlanId == alphaM.Id), s => s.Cancel(clock.Now, "test"));
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            db.Subscriptions.Add(Subscription.Start(t["fr"].PartnerId, t["fr"].Id, beta, betaM, clock.Now));
            await db.SaveChangesAsync();
        }

        clock.Now = At(6, 14, 8);
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            db.Subscriptions.Add(Subscription.Start(t["us"].PartnerId, t["us"].Id, beta, betaM, clock.Now));
            await db.SaveChangesAsync();
        }

        clock.Now = Now;
        await using (var db = await factory.ForSystemAsync("test world"))
        {
            var eventId = await db.OutboxEvents.OrderBy(e => e.Id).Select(e => e.Id).FirstAsync();
            var opHook = new WebhookSubscription(t["nl"].PartnerId, "https://crm.op.example/hook", TopicFilter.Parse(["subscription.*"]), "CRM", "webhooks/test/op", At(6, 1));
            var resHook = new WebhookSubscription(t["no"].PartnerId, "https://erp.res.example/hook", TopicFilter.Parse(["subscription.*"]), "ERP", "webhooks/test/res", At(6, 1));
            db.WebhookSubscriptions.AddRange(opHook, resHook);
            var delivered = new WebhookDelivery(opHook.Id, eventId, "k1", "subscription.activated.v1", At(6, 14));
            var pending = new WebhookDelivery(opHook.Id, eventId, "k2", "subscription.activated.v1", At(6, 15, 9));
            var givenUp = new WebhookDelivery(opHook.Id, eventId, "k3", "subscription.activated.v1", At(6, 14));
            delivered.Succeeded(204, At(6, 14, 1));
            givenUp.Abandon(500, "gave up", At(6, 14, 1), countAttempt: false);
            db.WebhookDeliveries.AddRange(delivered, pending, givenUp);
            WebhookDeliveryAttempt Attempt(string? delivery, DateTimeOffset at, int? status) =>
                new(opHook.Id, delivery, "subscription.activated.v1", 1, at, 20, "{}", status, null, status is >= 200 and < 300 ? null : "failed");
            db.WebhookDeliveryAttempts.AddRange(
                Attempt(delivered.Id, At(6, 14), 200),
                Attempt(delivered.Id, At(6, 14, 1), 204),
                Attempt(pending.Id, At(6, 15, 10), 500),
                Attempt(givenUp.Id, At(6, 5), 500),   // older than 7 days: not counted
                Attempt(null, At(6, 14), 500));      // a test event: not counted
            opHook.RecordFailure(At(6, 15, 10));
            resHook.Disable("The endpoint answered 410 Gone.", At(6, 12));
            await db.SaveChangesAsync();
        }
    }

    private static async Task ChangeAsync(ScaiDbFactory factory, Func<ScaiDbContext, Task<Subscription>> find, Action<Subscription> change)
    {
        await using var db = await factory.ForSystemAsync("test world");
        change(await find(db));
        await db.SaveChangesAsync();
    }
}

/// <summary>The app with a <see cref="TestClock"/>, no scheduler, no demo data, no PDF renderer, holding <see cref="DashboardWorld"/>.</summary>
public interface IDashboardApp : IClockedApp;

/// <summary><see cref="IDashboardApp"/> on SQLite.</summary>
public sealed class DashboardSqliteApp : SqliteApp, IDashboardApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(DashboardWorld.Now);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Jobs:Enabled", "false"), new("Demo:SeedOnFirstRun", "false"), new("Pdf:ChromiumPath", "/nonexistent/chromium")];

    /// <inheritdoc/>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await DashboardWorld.BuildAsync(this, Clock);
    }

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary><see cref="IDashboardApp"/> on PostgreSQL.</summary>
public sealed class DashboardPostgresApp : PostgresApp, IDashboardApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(DashboardWorld.Now);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Jobs:Enabled", "false"), new("Demo:SeedOnFirstRun", "false"), new("Pdf:ChromiumPath", "/nonexistent/chromium")];

    /// <inheritdoc/>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await DashboardWorld.BuildAsync(this, Clock);
    }

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}
