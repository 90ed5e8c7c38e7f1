using System.CommandLine;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `scaicontrol admin ...` (spec 000: operator commands, in-process against the database, no web server):
/// the operator commands listed in docs/cli.md (generated from <see cref="BuildRoot"/>). Exit codes (<see cref="ExitCodes"/>):
/// 0 ok, 1 failure, 2 usage, 3 not found, 4 conflict, each failure with a one-line reason on stderr.
/// </summary>
public static class AdminCli
{
    /// <summary>
    /// Runs the admin command in <paramref name="args"/> (without the leading "admin"). Tests pass configuration
    /// <paramref name="overrides"/> and an <paramref name="environment"/> name; by default both come from the process.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, IConfiguration? overrides = null, string? environment = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var root = BuildRoot(stdout, stderr, overrides, environment);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"error: {parsed.Errors[0].Message}");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>The whole `admin` command tree (docs/cli.md is generated from it by <see cref="CliDocs.ToMarkdown"/>); nothing runs until it is invoked.</summary>
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr, IConfiguration? overrides = null, string? environment = null)
    {
        var root = new RootCommand("ScaiControl operator commands (run in-process against the configured database).");

        var migrate = new Command("migrate", "Apply pending database migrations.");
        migrate.SetAction(async (_, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            await stdout.WriteLineAsync("Database is up to date.");
            return 0;
        }));

        var seed = new Command("seed-demo", "Create the demo partners, tenants, users, catalog, subscriptions and invoices (once).");
        seed.SetAction(async (_, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var created = await sp.GetRequiredService<DemoSeeder>().SeedAsync(ct);
            await stdout.WriteLineAsync(created ? "Demo data created." : "Demo data already present; nothing changed.");
            return 0;
        }));

        var period = new Option<string>("--period") { Description = "The month to bill, YYYY-MM.", Required = true };
        var run = new Command("run", "Run the billing run of a month now and wait for it.") { period };
        run.SetAction(async (parse, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<BillingRunService>();
            var actor = Actor.System("cli");
            var queued = await service.QueueAsync(actor, parse.GetValue(period), ct);
            if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
            {
                // On a terminal: a progress bar fed by the run's progress topic (tenant groups billed of the total).
                await Spectre.Console.AnsiConsole.Progress().StartAsync(async progress =>
                {
                    var bar = progress.AddTask($"Billing run {queued.Period}", maxValue: 1);
                    using var watch = service.WatchProgress(queued.Id, update =>
                    {
                        bar.MaxValue = Math.Max(1, update.TenantsTotal);
                        bar.Value = update.TenantsProcessed;
                        bar.Description = $"Billing run {queued.Period}: {update.TenantsProcessed}/{update.TenantsTotal} tenants, {update.InvoicesFinalised} invoices";
                    });
                    await service.ExecuteAsync(queued.Id, ct);
                    bar.Value = bar.MaxValue;
                });
            }
            else
            {
                await service.ExecuteAsync(queued.Id, ct);
            }

            var result = await service.GetAsync(actor, queued.Id, ct);
            await stdout.WriteLineAsync($"Billing run {result.Id} for {result.Period}: {result.Status.ToString().ToLowerInvariant()}, {result.InvoicesCreated} invoice(s) created, {result.InvoicesFinalised} finalised.");
            foreach (var error in result.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await stderr.WriteLineAsync(error);
            }

            return result.Status == Domain.Invoicing.BillingRunStatus.Completed ? 0 : 1;
        }));
        run.Subcommands.Add(OperationsCli.BillingRunShow(overrides, environment, stdout, stderr));
        var billing = new Command("billing", "Billing operations.") { run, OperationsCli.BillingRuns(overrides, environment, stdout, stderr) };

        var user = new Option<string>("--user") { Description = "The e-mail of the user to issue a token for.", Required = true };
        var token = new Command("token", "Print a signed JWT (development sign-in only) for API calls.") { user };
        token.SetAction(async (parse, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            if (!DevSignIn.IsEnabled(sp.GetRequiredService<IHostEnvironment>(), configuration))
            {
                await stderr.WriteLineAsync("error: admin token needs the development sign-in (Development environment with Auth:DevSignIn=true).");
                return 1;
            }

            var found = await sp.GetRequiredService<TenancyService>().FindUserAsync(parse.GetValue(user)!, ct);
            if (found is null)
            {
                await stderr.WriteLineAsync($"error: no user with e-mail '{parse.GetValue(user)}'.");
                return ExitCodes.NotFound;
            }

            var options = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
            var key = DevSigningKey.LoadOrCreate(options.KeyPath(configuration));
            await stdout.WriteLineAsync(key.Issue(found, options.Issuer, options.Audience, TimeSpan.FromHours(8), TimeProvider.System.GetUtcNow()));
            return 0;
        }));

        var validate = new Command("validate", "Check that every stored template version (drafts too) compiles and renders the sample document of its type.");
        validate.SetAction(async (_, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var checks = await sp.GetRequiredService<InvoiceTemplateService>().ValidateAllAsync(ct);
            var failures = checks.Where(c => c.Error is not null).ToList();
            foreach (var failure in failures)
            {
                await stderr.WriteLineAsync($"error: template {failure.Template.Id} ({failure.Template.Describe()}, {TemplateWireNames.Of(failure.Template.Status)}): {failure.Error}");
            }

            await stdout.WriteLineAsync(failures.Count == 0
                ? $"{checks.Count} template version(s) checked: all compile and render."
                : $"{checks.Count} template version(s) checked: {failures.Count} failed.");
            return failures.Count == 0 ? 0 : 1;
        }));
        var templates = new Command("templates", "Invoice and credit-note templates.") { validate };
        foreach (var command in OperationsCli.Templates(overrides, environment, stdout, stderr))
        {
            templates.Subcommands.Add(command);
        }


        var stateMachines = new Command("state-machines", "Print docs/state-machines.md, generated from the transition table.");
        stateMachines.SetAction(async (_, _) =>
        {
            await stdout.WriteAsync(SubscriptionStateMachine.ToMarkdown());
            return 0;
        });
        var cliDocs = new Command("cli", "Print docs/cli.md, generated from this command tree.");
        cliDocs.SetAction(async (_, _) =>
        {
            await stdout.WriteAsync(CliDocs.ToMarkdown());
            return 0;
        });
        var docs = new Command("docs", "Generated documentation.") { stateMachines, WebhookCli.DocsCommand(stdout), cliDocs };

        root.Subcommands.Add(migrate);
        root.Subcommands.Add(seed);
        root.Subcommands.Add(billing);
        root.Subcommands.Add(token);
        root.Subcommands.Add(templates);
        root.Subcommands.Add(docs);

        var jobName = new Argument<string>("job") { Description = "The job to run: reaper | trial-notifier." };
        var nowOption = new Option<string?>("--now") { Description = "The clock to run at, RFC 3339 (default: now)." };
        var runJob = new Command("run", "Run a background job once, in-process.") { jobName, nowOption };
        runJob.SetAction(async (parse, ct) => await WithServices(overrides, environment, stderr, async sp =>
        {
            var job = parse.GetValue(jobName);
            if (job is not ("reaper" or "trial-notifier"))
            {
                await stderr.WriteLineAsync($"error: unknown job '{job}'; known jobs: reaper, trial-notifier.");
                return ExitCodes.Usage;
            }

            var text = parse.GetValue(nowOption);
            if (!DateTimeOffset.TryParse(text ?? DateTimeOffset.UtcNow.ToString("O"), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var now))
            {
                await stderr.WriteLineAsync($"error: --now '{text}' is not an RFC 3339 time.");
                return ExitCodes.Usage;
            }

            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            if (job == "trial-notifier")
            {
                var notices = await sp.GetRequiredService<Infrastructure.Subscriptions.TrialEndingNotifier>().RunAsync(now.ToUniversalTime(), ct);
                await stdout.WriteLineAsync($"Trial notifier at {now.ToUniversalTime():O}: {notices.Notified} notified, {notices.Skipped} skipped.");
                return 0;
            }

            var result = await sp.GetRequiredService<Infrastructure.Subscriptions.SubscriptionReaper>().RunAsync(now.ToUniversalTime(), ct);
            await stdout.WriteLineAsync($"Reaper at {now.ToUniversalTime():O}: {result.Cancelled} cancelled, {result.Activated} activated, {result.Suspended} suspended, {result.Skipped} skipped, {result.Expired} expired, {result.Changed} plan change(s) applied.");
            return 0;
        }));
        root.Subcommands.Add(new Command("jobs", "Background jobs.") { runJob });
        root.Subcommands.Add(OperatorCli.Partners(overrides, environment, stdout, stderr));
        root.Subcommands.Add(OperatorCli.Tenants(overrides, environment, stdout, stderr));
        root.Subcommands.Add(OperatorCli.Subscriptions(overrides, environment, stdout, stderr));
        root.Subcommands.Add(CatalogCli.Command(overrides, environment, stdout, stderr));
        root.Subcommands.Add(InvoiceCli.Command(overrides, environment, stdout, stderr));
        root.Subcommands.Add(WebhookCli.Command(overrides, environment, stdout, stderr));
        root.Subcommands.Add(ApiKeyCli.Command(overrides, environment, stdout, stderr));
        root.Subcommands.Add(OperationsCli.Registry(overrides, environment, stdout, stderr));
        root.Subcommands.Add(OperationsCli.Users(overrides, environment, stdout, stderr));
        root.Subcommands.Add(IdentityCli.Command(overrides, environment, stdout, stderr));
        root.Subcommands.Add(McpCli.Command(overrides, environment, stderr));
        return root;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the app's services. An expected failure is a one-line "error: ..." on
    /// stderr and its exit code (<see cref="ExitCodes.Of"/>: 2 validation, 3 not found, 4 conflict, 1 otherwise).
    /// </summary>
    internal static async Task<int> WithServices(IConfiguration? overrides, string? environment, TextWriter stderr, Func<IServiceProvider, Task<int>> action)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        ScaiWebApp.AddRootDevelopmentSettings(builder.Configuration, builder.Environment);
        if (overrides is not null)
        {
            builder.Configuration.AddConfiguration(overrides);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddScaiInfrastructure(builder.Configuration);
        using var host = builder.Build();
        try
        {
            return await action(host.Services);
        }
        catch (Exception e) when (ExitCodes.Of(e) is not null)
        {
            await stderr.WriteLineAsync($"error: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Of(e)!.Value;
        }
    }
}
