using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Issue 12, on time (docs/decisions/0009), at a clock the test sets: a period is invoiced when it starts and never
/// before, by the on-time job (<see cref="BillingRunService.InvoiceStartedAsync"/>) and by the operator's monthly run
/// alike; after downtime the job catches up with every started period, issued at the moment it caught up; an idle
/// job writes nothing; a run for a malformed month or one that has not started is refused and writes nothing.
/// </summary>
public abstract class OnTimeBillingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IClockedApp
{
    private static DateTimeOffset At(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture);

    private BillingRunService Billing => app.Services.GetRequiredService<BillingRunService>();

    [Fact]
    public async Task APeriodIsInvoicedWhenItStarts_NeverBefore_AndTheJobCatchesUpAfterDowntime()
    {
        app.Clock.Now = At("2026-05-10T09:00:00Z");
        var claire = await app.ClientForAsync(Api.Claire);
        var id = (await claire.PostJson("/api/v1/subscriptions", new { plan_id = await claire.PlanId("scaicrm", "crm-team-monthly") }, HttpStatusCode.Created)).Str("id");

        // The job a few minutes later: the first period, issued on the day it started.
        app.Clock.Now = At("2026-05-10T09:04:00Z");
        Assert.NotNull(await Billing.InvoiceStartedAsync());
        var first = Assert.Single(await LinesAsync(id));
        Assert.Equal((At("2026-05-10T09:00:00Z"), At("2026-06-10T09:00:00Z")), (first.Line.PeriodStart, first.Line.PeriodEnd));
        Assert.Equal((InvoiceStatus.Finalised, new DateOnly(2026, 5, 10)), (first.Invoice.Status, first.Invoice.IssueDate));

        // One minute before the next period starts: neither the job nor the operator's run of June invoices it.
        app.Clock.Now = At("2026-06-10T08:59:00Z");
        await Billing.InvoiceStartedAsync();
        var june = await Billing.RunNowAsync(await app.ActorForAsync(Api.Ops), "2026-06");
        Assert.Equal(BillingRunStatus.Completed, june.Status);
        Assert.Single(await LinesAsync(id));

        // The job was down from then until 12 August: it catches up with June, July and August, all started, on one
        // invoice issued when it caught up; September (starting 10 September) is not invoiced.
        app.Clock.Now = At("2026-08-12T00:00:00Z");
        Assert.NotNull(await Billing.InvoiceStartedAsync());
        var lines = await LinesAsync(id);
        Assert.Equal([At("2026-05-10T09:00:00Z"), At("2026-06-10T09:00:00Z"), At("2026-07-10T09:00:00Z"), At("2026-08-10T09:00:00Z")], lines.Select(l => l.Line.PeriodStart!.Value));
        Assert.Single(lines.Skip(1).Select(l => l.Invoice.Id).Distinct());
        Assert.Equal(new DateOnly(2026, 8, 12), lines[^1].Invoice.IssueDate);
        Assert.All(lines, l => Assert.True(l.Line.PeriodStart <= At("2026-08-12T00:00:00Z")));

        // Nothing left that has started: the job finds nothing, queues no run and writes nothing.
        var runs = await RunCountAsync();
        Assert.Null(await Billing.InvoiceStartedAsync());
        Assert.Equal(runs, await RunCountAsync());
        Assert.Equal(4, (await LinesAsync(id)).Count);
    }

    [Fact]
    public async Task TheOperatorsRunForAPastMonth_IsACatchUpThatInvoicesOnlyWhatStartedInThatMonth()
    {
        app.Clock.Now = At("2026-09-20T12:00:00Z");
        var sam = await app.ClientForAsync(Api.Sam);
        var id = (await sam.PostJson("/api/v1/subscriptions", new { plan_id = await sam.PlanId("scaicrm", "crm-team-monthly") }, HttpStatusCode.Created)).Str("id");

        // No job ran. On 25 November the operator runs September: only the period that started in September.
        app.Clock.Now = At("2026-11-25T00:00:00Z");
        var run = await Billing.RunNowAsync(await app.ActorForAsync(Api.Ops), "2026-09");
        Assert.Equal(BillingRunStatus.Completed, run.Status);
        Assert.Equal([At("2026-09-20T12:00:00Z")], (await LinesAsync(id)).Select(l => l.Line.PeriodStart!.Value));

        // November's run: October and November (20 November has passed); 20 December has not.
        await Billing.RunNowAsync(await app.ActorForAsync(Api.Ops), "2026-11");
        Assert.Equal([At("2026-09-20T12:00:00Z"), At("2026-10-20T12:00:00Z"), At("2026-11-20T12:00:00Z")], (await LinesAsync(id)).Select(l => l.Line.PeriodStart!.Value));
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("26-11")]
    [InlineData("2027-01")] // at the test's clock (December 2026) January has not started
    public async Task ARunForAMalformedMonthOrOneNotStarted_Is422_AndWritesNothing(string period)
    {
        app.Clock.Now = At("2026-12-15T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var runs = await RunCountAsync();
        var problem = await (await ops.PostAsJsonAsync("/api/v1/admin/billing-runs", new { period })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["period"]);
        Assert.Equal(runs, await RunCountAsync());
    }

    private async Task<int> RunCountAsync()
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.BillingRuns.CountAsync();
    }

    private async Task<List<(InvoiceLine Line, Invoice Invoice)>> LinesAsync(string subscriptionId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var lines = await db.Set<InvoiceLine>().AsNoTracking().Where(l => l.SubscriptionId == subscriptionId).ToListAsync();
        var ids = lines.Select(l => l.InvoiceId).Distinct().ToList();
        var invoices = await db.Invoices.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id);
        return lines.Select(l => (l, invoices[l.InvoiceId])).OrderBy(x => x.l.PeriodStart).ToList();
    }
}

/// <summary>On SQLite.</summary>
public sealed class SqliteOnTimeBillingTests(ClockedSqliteApp app) : OnTimeBillingTests<ClockedSqliteApp>(app);

/// <summary>On PostgreSQL.</summary>
public sealed class PostgresOnTimeBillingTests(ClockedPostgresApp app) : OnTimeBillingTests<ClockedPostgresApp>(app);
