using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Quartz;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Jobs;

/// <summary>
/// Executes queued billing runs (started from the API or the portal). Safe on several nodes: each run is claimed
/// with a conditional UPDATE, so exactly one node works on it. Also picks up runs left queued, and running runs whose
/// node stopped renewing its lease (it died mid-run; see <see cref="BillingRunService.ExecuteAsync"/>).
/// </summary>
public sealed class BillingRunWorkerJob(ScaiDbFactory factory, BillingRunService billing, TimeProvider clock) : IJob
{
    /// <summary>The job's key, for triggering it at once after a run is queued.</summary>
    public static readonly JobKey Key = new("billing-run-worker");

    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        List<string> queued;
        await using (var db = await factory.ForSystemAsync("billing-run-worker", cancellationToken))
        {
            var now = clock.GetUtcNow();
            queued = await db.BillingRuns.AsNoTracking()
                .Where(r => r.Status == BillingRunStatus.Queued || (r.Status == BillingRunStatus.Running && (r.LeaseUntil == null || r.LeaseUntil < now)))
                .OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in queued)
        {
            await billing.ExecuteAsync(id, cancellationToken);
        }
    }
}

/// <summary>
/// Every Billing:OnTimeInterval (5 minutes by default) invoices every subscription and pack period that has started
/// and is not yet invoiced (<see cref="BillingRunService.InvoiceStartedAsync"/>), so each period is invoiced when it
/// starts (docs/decisions/0009-invoice-each-period-when-it-starts.md). Clustered Quartz fires it on one node; a second
/// node running it at the same moment invoices nothing twice (unique billing key).
/// </summary>
public sealed class OnTimeBillingJob(BillingRunService billing) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await billing.InvoiceStartedAsync(cancellationToken);
}

/// <summary>
/// On the 1st of each month (02:00 UTC) queues the catch-up billing run of the month that starts and executes it: it
/// invoices only what has started by then (the on-time job has normally done so already; the run is the month's unit
/// the portal shows, docs/decisions/0009-invoice-each-period-when-it-starts.md). A second node firing at the same
/// moment queues a second run that invoices nothing: every subscription period has a unique billing key.
/// </summary>
public sealed class MonthlyBillingJob(ScaiDbFactory factory, BillingRunService billing, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var period = BillingPeriod.Of(clock.GetUtcNow());
        string runId;
        await using (var db = await factory.ForSystemAsync("monthly-billing", cancellationToken))
        {
            if (await db.BillingRuns.AnyAsync(r => r.Period == period.ToString() && r.RequestedBy == "system:scheduler", cancellationToken))
            {
                return;
            }

            var run = new BillingRun(period, "system:scheduler", clock.GetUtcNow());
            db.BillingRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
            runId = run.Id;
        }

        await billing.ExecuteAsync(runId, cancellationToken);
    }
}

/// <summary>The subscription reaper, every minute (safe on several nodes: see <see cref="Subscriptions.SubscriptionReaper"/>).</summary>
public sealed class SubscriptionReaperJob(Subscriptions.SubscriptionReaper reaper, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await reaper.RunAsync(clock.GetUtcNow(), cancellationToken);
}

/// <summary>The trial-ending notifier, every 10 minutes (safe on several nodes: see <see cref="Subscriptions.TrialEndingNotifier"/>).</summary>
public sealed class TrialEndingNotifierJob(Subscriptions.TrialEndingNotifier notifier, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await notifier.RunAsync(clock.GetUtcNow(), cancellationToken);
}

/// <summary>Renders the PDFs still pending (renderer installed later, or a transient failure). Idempotent.</summary>
public sealed class PdfRenderJob(InvoiceService invoices) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await invoices.RenderPendingAsync(cancellationToken);
}

/// <summary>
/// The webhook dispatcher on its schedule (every Webhooks:PollInterval, 2 s by default): passes run back to back
/// while they find work, up to Webhooks:DrainFor (30 s), so a backlog drains at the dispatcher's full rate instead of
/// one batch per run. Safe on several nodes (deliveries are claimed, see WebhookDispatcher).
/// </summary>
public sealed class WebhookDispatchJob(Webhooks.WebhookDispatcher dispatcher, Webhooks.WebhookOptions options, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow() + options.DrainFor;
        while (!cancellationToken.IsCancellationRequested)
        {
            var pass = await dispatcher.RunAsync(clock.GetUtcNow(), cancellationToken);
            if ((pass.FannedOut == 0 && pass.Attempted == 0) || clock.GetUtcNow() >= until)
            {
                return;
            }
        }
    }
}

/// <summary>Counts every job execution on this node (scai_job_runs_total{job, node, outcome}) and logs failures.</summary>
public sealed class JobRunsListener : IJobListener
{
    /// <inheritdoc/>
    public string Name => "scai-job-runs";

    /// <inheritdoc/>
    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        Observability.ScaiMetrics.JobRuns.Add(1,
            new KeyValuePair<string, object?>("job", context.JobDetail.Key.Name),
            new KeyValuePair<string, object?>("node", Observability.ScaiMetrics.NodeName),
            new KeyValuePair<string, object?>("outcome", jobException is null ? "succeeded" : "failed"));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Registers the Quartz scheduler and the jobs (Jobs:Enabled=false turns the scheduler off, e.g. in tests).</summary>
public static class JobsRegistration
{
    /// <summary>The scheduler name every node of a cluster shares.</summary>
    public const string SchedulerName = "scaicontrol";

    /// <summary>
    /// Adds Quartz and its hosted service: a clustered AdoJobStore in the app's database on PostgreSQL and MariaDB
    /// (each trigger fires on one node; a node that stops checking in has its jobs taken over), the in-memory store on
    /// SQLite (one process). Every job is also safe to run on several nodes by its own claims.
    /// </summary>
    public static IHostApplicationBuilder AddScaiJobs(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue("Jobs:Enabled", true))
        {
            return builder;
        }

        builder.AddQuartz(q =>
        {
            UseScaiJobStore(q, builder.Configuration);
            q.AddJobListener<JobRunsListener>();
            q.ScheduleJob<BillingRunWorkerJob>(
                t => t.WithIdentity("billing-run-worker-trigger").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(15)).RepeatForever()),
                j => j.WithIdentity(BillingRunWorkerJob.Key).DisallowConcurrentExecution().StoreDurably());
            q.ScheduleJob<MonthlyBillingJob>(
                t => t.WithIdentity("monthly-billing").WithCronSchedule("0 0 2 1 * ?", c => c.InTimeZone(TimeZoneInfo.Utc)),
                j => j.DisallowConcurrentExecution());
            if (builder.Configuration.GetValue("Billing:OnTimeEnabled", true))
            {
                q.ScheduleJob<OnTimeBillingJob>(
                    t => t.WithIdentity("on-time-billing").StartNow().WithSimpleSchedule(s => s.WithInterval(builder.Configuration.GetValue("Billing:OnTimeInterval", TimeSpan.FromMinutes(5))).RepeatForever()),
                    j => j.DisallowConcurrentExecution());
            }

            q.ScheduleJob<SubscriptionReaperJob>(
                t => t.WithIdentity("subscription-reaper").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()),
                j => j.DisallowConcurrentExecution());
            q.ScheduleJob<TrialEndingNotifierJob>(
                t => t.WithIdentity("trial-ending-notifier").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(10)).RepeatForever()),
                j => j.DisallowConcurrentExecution());
            q.ScheduleJob<PdfRenderJob>(
                t => t.WithIdentity("pdf-render").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()),
                j => j.DisallowConcurrentExecution());
            Identity.IdentityRegistration.ScheduleIdentitySync(q, builder.Configuration);
            Registry.RegistryRegistration.ScheduleHeartbeatMonitor(q, builder.Configuration);
            Payments.PaymentsRegistration.SchedulePaymentJobs(q);
            if (builder.Configuration.GetValue("Webhooks:DispatcherEnabled", true))
            {
                q.ScheduleJob<WebhookDispatchJob>(
                    t => t.WithIdentity("webhook-dispatch").StartNow().WithSimpleSchedule(s => s.WithInterval(builder.Configuration.GetValue("Webhooks:PollInterval", TimeSpan.FromSeconds(2))).RepeatForever()),
                    j => j.DisallowConcurrentExecution());
            }
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>
    /// The job store for Database:Provider: "PostgreSQL" → Quartz's PostgreSQL delegate on ConnectionStrings:PostgreSQL,
    /// "MariaDB" → Quartz's MySQL delegate through MySqlConnector on ConnectionStrings:MariaDB; both clustered
    /// (Jobs:ConnectionString overrides the database the scheduler uses: on Galera, one node for every scheduler;
    /// Jobs:CheckinInterval, default 7.5 s; Jobs:CheckinMisfireThreshold, default 20 s: how long a silent node keeps its
    /// jobs), with the qrtz_ tables created at start-up when missing. Anything else (SQLite): the in-memory store.
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL or MariaDB without its connection string.</exception>
    public static void UseScaiJobStore(IQuartzBuilder q, IConfiguration configuration)
    {
        var provider = configuration["Database:Provider"] ?? "Sqlite";
        string? connectionString;
        Action<IPersistentStoreBuilder> database;
        if (provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase) || provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            connectionString = configuration["Jobs:ConnectionString"] is { Length: > 0 } jobs ? jobs : configuration.GetConnectionString("PostgreSQL");
            database = s => s.UsePostgres(connectionString!);
        }
        else if (provider.Equals("MariaDB", StringComparison.OrdinalIgnoreCase) || provider.Equals("MySQL", StringComparison.OrdinalIgnoreCase))
        {
            // On Galera, Jobs:ConnectionString points every node's scheduler at ONE Galera node (or a single-writer
            // proxy address): Quartz's cluster lock is a row lock on qrtz_locks, and Galera's row locks are local to a
            // node, so schedulers writing through different nodes meet as deadlocks (1213) at commit instead of waiting.
            connectionString = configuration["Jobs:ConnectionString"] is { Length: > 0 } jobs ? jobs : configuration.GetConnectionString("MariaDB");
            database = s => s.UseMySqlConnector(connectionString!);
        }
        else
        {
            return; // the in-memory store (Quartz's default)
        }

        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException($"Database:Provider is {provider} but its connection string is not set.");
        }

        var checkin = configuration.GetValue("Jobs:CheckinInterval", TimeSpan.FromSeconds(7.5));
        var misfire = configuration.GetValue("Jobs:CheckinMisfireThreshold", TimeSpan.FromSeconds(20));
        q.ConfigureScheduler(o =>
        {
            o.InstanceName = SchedulerName;
            o.GenerateInstanceId = true; // host name + time: unique per node
        });
        q.UsePersistentStore(s =>
        {
            database(s);
            s.UseClustering(c =>
            {
                c.Enabled = true;
                c.CheckinInterval = checkin;
                c.CheckinMisfireThreshold = misfire;
            });
            s.ProvisionSchema();
            s.ConfigureStore(o => o.StoreJobDataAsStrings = true);
        });
    }
}
