using System.CommandLine;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin catalog services|plans|packs ...` (issue 17): the admin catalog page's actions as commands, thin calls into
/// <see cref="CatalogService"/>, <see cref="PlanAdminService"/> and <see cref="PackCatalogService"/> (the services the
/// portal and /api/v1/admin call) as the system actor. Reads print a table, or the REST API's JSON with --json; money in
/// integer minor units (cents) of an ISO 4217 currency. Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class CatalogCli
{
    private static Actor Cli => Actor.System("cli");

    /// <summary>The `catalog` command group.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr) =>
        new("catalog", "The catalog: services, plans and packs (operator).")
        {
            Services(overrides, environment, stdout, stderr), Plans(overrides, environment, stdout, stderr), Packs(overrides, environment, stdout, stderr),
        };

    /// <summary>Runs <paramref name="action"/> with the app's services after migrating the database.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068", Justification = "The action lambda last keeps the command bodies readable.")]
    internal static Task<int> Run(IConfiguration? overrides, string? environment, TextWriter stderr, CancellationToken ct, Func<IServiceProvider, Task<int>> action) =>
        AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            return await action(sp);
        });

    private static Command Services(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var list = new Command("list", "List every service (on sale or not): slug, name, parent, active. Example: admin catalog services list --json") { json };
        list.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var items = (await sp.GetRequiredService<CatalogService>().ServicesAsync(Cli, ct)).Select(AdminServiceDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<AdminServiceDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["SLUG", "NAME", "PARENT", "ACTIVE", "ID"],
                items.Select(s => new[] { s.Slug, s.Name, s.ParentSlug, s.Active ? "yes" : "no", s.Id }), "service");
            return 0;
        }));

        var slug = new Argument<string>("slug") { Description = "The service slug (lower-case letters, digits, hyphens)." };
        var show = new Command("show", "Show one service. Example: admin catalog services show scaicrm") { slug, json };
        show.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            await WriteServiceAsync(stdout, AdminServiceDto.From(await sp.GetRequiredService<CatalogService>().GetServiceAsync(Cli, parse.GetValue(slug)!, ct)), parse.GetValue(json));
            return 0;
        }));

        var name = new Option<string>("--name") { Description = "The service's name (at most 200 characters).", Required = true };
        var description = new Option<string?>("--description") { Description = "What the service is (at most 2000 characters)." };
        var parent = new Option<string?>("--parent") { Description = "The parent service's slug (an add-on of it); \"\" removes it on edit." };
        var create = new Command("create", "Create a service; a slug in use is a conflict (exit 4). Example: admin catalog services create backup --name \"Backup\"") { slug, name, description, parent, json };
        create.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var s = await sp.GetRequiredService<CatalogService>().CreateServiceAsync(Cli, parse.GetValue(slug), parse.GetValue(name), parse.GetValue(description), parse.GetValue(parent), ct);
            await WriteServiceAsync(stdout, AdminServiceDto.From(s), parse.GetValue(json), $"Created service {s.Slug} ({s.Id}).");
            return 0;
        }));

        var newName = new Option<string?>("--name") { Description = "A new name." };
        var edit = new Command("edit", "Change a service's name, description or parent (only the options given). Example: admin catalog services edit backup --name \"Backup Pro\"") { slug, newName, description, parent, json };
        edit.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var s = await sp.GetRequiredService<CatalogService>().EditServiceAsync(Cli, parse.GetValue(slug)!, parse.GetValue(newName), parse.GetValue(description), parse.GetValue(parent), ct);
            await WriteServiceAsync(stdout, AdminServiceDto.From(s), parse.GetValue(json), $"Saved service {s.Slug}.");
            return 0;
        }));

        return new Command("services", "Catalog services.") { list, show, create, edit };
    }

    private static async Task WriteServiceAsync(TextWriter stdout, AdminServiceDto s, bool json, string? headline = null)
    {
        if (json)
        {
            await CliOutput.WriteJsonAsync(stdout, s);
            return;
        }

        if (headline is not null)
        {
            await stdout.WriteLineAsync(headline);
        }

        await CliOutput.WriteFieldsAsync(stdout, [("slug", s.Slug), ("name", s.Name), ("description", s.Description), ("parent", s.ParentSlug), ("active", s.Active ? "yes" : "no"), ("id", s.Id), ("created", CliOutput.Instant(s.CreatedAt))]);
    }

    private static Command Plans(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var search = new Option<string?>("--search") { Description = "Only plans whose code or name, or whose service's name, contains this (case-insensitive)." };
        var list = new Command("list", "List every plan (retired too): id, service, code, name, price, interval, trial, active. Example: admin catalog plans list --search crm") { search, json };
        list.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<PlanAdminService>();
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.PageAsync(Cli, parse.GetValue(search), null, cursor, limit, ct))).Select(AdminPlanDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<AdminPlanDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "SERVICE", "CODE", "NAME", "PRICE", "INTERVAL", "TRIAL", "ACTIVE"],
                items.Select(p => new[] { p.Plan.Id, p.ServiceSlug, p.Plan.Code, p.Plan.Name, CliOutput.Money(p.Plan.Price, p.Plan.Currency), p.Plan.Interval, $"{p.Plan.TrialDays} d", p.Plan.Active ? "yes" : "no" }),
                "plan");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The plan id (pln_...)." };
        var show = new Command("show", "Show one plan. Example: admin catalog plans show pln_...") { id, json };
        show.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            await WritePlanAsync(stdout, AdminPlanDto.From(await sp.GetRequiredService<PlanAdminService>().GetAsync(Cli, parse.GetValue(id)!, ct)), parse.GetValue(json));
            return 0;
        }));

        var service = new Option<string>("--service") { Description = "The service's slug.", Required = true };
        var code = new Option<string>("--code") { Description = "The plan code, unique within its service.", Required = true };
        var name = new Option<string?>("--name") { Description = "The plan's name." };
        var price = new Option<long?>("--price") { Description = "The price per interval in minor units (cents), e.g. 2900 for EUR 29.00." };
        var currency = new Option<string?>("--currency") { Description = "ISO 4217 currency (default on create: EUR)." };
        var interval = new Option<string?>("--interval") { Description = "month or year (default on create: month)." };
        var trialDays = new Option<int?>("--trial-days") { Description = "Trial length in days (default on create: 0)." };
        var trialEnd = new Option<string?>("--trial-end") { Description = "What the trial ends in: activate or expire." };
        var term = new Option<int?>("--term-periods") { Description = "A fixed term in periods (default: open-ended)." };
        var unitCost = new Option<long?>("--unit-cost") { Description = "Cost-plus: the unit cost in minor units (with --margin-bps)." };
        var margin = new Option<int?>("--margin-bps") { Description = "Cost-plus: the margin in basis points, 2500 = 25 % (with --unit-cost)." };
        var create = new Command("create", "Create a plan of a service (or update the one with that code). Example: admin catalog plans create --service scaicrm --code crm-pro --name Pro --price 4900")
        {
            service, code, name, price, currency, interval, trialDays, trialEnd, term, unitCost, margin, json,
        };
        create.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var plans = sp.GetRequiredService<PlanAdminService>();
            var plan = await plans.SaveAsync(Cli, new PlanInput(parse.GetValue(service), parse.GetValue(code), parse.GetValue(name), parse.GetValue(price),
                parse.GetValue(currency) ?? "EUR", parse.GetValue(interval) ?? "month", parse.GetValue(trialDays), parse.GetValue(trialEnd), parse.GetValue(term),
                parse.GetValue(unitCost), parse.GetValue(margin)), ct);
            await WritePlanAsync(stdout, AdminPlanDto.From(await plans.GetAsync(Cli, plan.Id, ct)), parse.GetValue(json), $"Saved plan {plan.Code} ({plan.Id}).");
            return 0;
        }));

        var edit = new Command("edit", "Change a plan's name, price, interval, trial or term (only the options given). Example: admin catalog plans edit pln_... --price 3400")
        {
            id, name, price, currency, interval, trialDays, trialEnd, term, unitCost, margin, json,
        };
        edit.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var plans = sp.GetRequiredService<PlanAdminService>();
            var plan = await plans.EditAsync(Cli, parse.GetValue(id)!, new PlanInput(null, null, parse.GetValue(name), parse.GetValue(price), parse.GetValue(currency),
                parse.GetValue(interval), parse.GetValue(trialDays), parse.GetValue(trialEnd), parse.GetValue(term), parse.GetValue(unitCost), parse.GetValue(margin)), ct);
            await WritePlanAsync(stdout, AdminPlanDto.From(await plans.GetAsync(Cli, plan.Id, ct)), parse.GetValue(json), $"Saved plan {plan.Code} ({plan.Id}).");
            return 0;
        }));

        var dryRun = new Option<bool>("--dry-run") { Description = "Check that the plan can be retired and show it as it would be; change nothing." };
        var retire = new Command("retire", "Withdraw a plan from sale; its subscriptions continue. A retired plan is a conflict (exit 4). Example: admin catalog plans retire pln_... --dry-run") { id, dryRun, json };
        retire.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var plans = sp.GetRequiredService<PlanAdminService>();
            var row = await plans.GetAsync(Cli, parse.GetValue(id)!, ct);
            var plan = await plans.RetireAsync(Cli, row.Plan.Id, parse.GetValue(dryRun), ct);
            await WritePlanAsync(stdout, AdminPlanDto.From(row with { Plan = plan }), parse.GetValue(json),
                parse.GetValue(dryRun) ? $"Dry run: plan {plan.Code} would be retired; nothing was changed." : $"Retired plan {plan.Code} ({plan.Id}).");
            return 0;
        }));

        return new Command("plans", "Plans of the catalog's services.") { list, show, create, edit, retire };
    }

    private static async Task WritePlanAsync(TextWriter stdout, AdminPlanDto row, bool json, string? headline = null)
    {
        if (json)
        {
            await CliOutput.WriteJsonAsync(stdout, row);
            return;
        }

        if (headline is not null)
        {
            await stdout.WriteLineAsync(headline);
        }

        var p = row.Plan;
        await CliOutput.WriteFieldsAsync(stdout,
        [
            ("id", p.Id), ("service", $"{row.ServiceName} ({row.ServiceSlug})"), ("code", p.Code), ("name", p.Name), ("price", $"{CliOutput.Money(p.Price, p.Currency)} per {p.Interval}"),
            ("pricing", p.PricingModel == "cost_plus" ? $"cost_plus: unit cost {CliOutput.Money(p.UnitCost ?? 0, p.Currency)}, margin {p.MarginBps} bps" : "fixed"),
            ("trial", $"{p.TrialDays} day(s), then {p.TrialEndBehavior}"), ("term", p.TermPeriods is { } t ? $"{t} period(s)" : "open-ended"), ("active", p.Active ? "yes" : "no (retired)"),
        ]);
    }

    private static Command Packs(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var list = new Command("list", "List every pack (retired too): id, code, name, price, catalog sum, saving, items, active. Example: admin catalog packs list --json") { json };
        list.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var items = (await sp.GetRequiredService<PackCatalogService>().ListAsync(Cli, ct)).Select(PackDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<PackDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "CODE", "NAME", "PRICE", "CATALOG SUM", "SAVING", "ITEMS", "ACTIVE"],
                items.Select(p => new[]
                {
                    p.Id, p.Code, p.Name, $"{CliOutput.Money(p.Price, p.Currency)} per {p.Interval}", CliOutput.Money(p.CatalogSum, p.Currency), CliOutput.Money(p.Saving, p.Currency),
                    string.Join(", ", p.Items.Select(i => i.PlanCode)), p.IsActive ? "yes" : "no",
                }), "pack");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The pack id (pck_...)." };
        var show = new Command("show", "Show one pack with its items. Example: admin catalog packs show pck_...") { id, json };
        show.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            await WritePackAsync(stdout, PackDto.From(await sp.GetRequiredService<PackCatalogService>().GetAsync(Cli, parse.GetValue(id)!, ct)), parse.GetValue(json));
            return 0;
        }));

        var code = new Option<string>("--code") { Description = "The pack code (a slug).", Required = true };
        var name = new Option<string>("--name") { Description = "The pack's name.", Required = true };
        var description = new Option<string?>("--description") { Description = "What the pack is." };
        var pricing = new Option<string>("--pricing") { Description = "fixed_price (with --fixed-price) or percentage (with --discount-bps).", Required = true };
        var fixedPrice = new Option<long?>("--fixed-price") { Description = "The pack's price per interval in minor units (cents)." };
        var discount = new Option<int?>("--discount-bps") { Description = "The discount on the parts' sum in basis points, 1500 = 15 %." };
        var currency = new Option<string?>("--currency") { Description = "ISO 4217 currency (default EUR)." };
        var interval = new Option<string?>("--interval") { Description = "month or year (default month)." };
        var item = new Option<string[]>("--plan") { Description = "A plan of the pack (pln_...); repeat for each service.", Required = true, AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Compose a pack of plans. Example: admin catalog packs create --code suite --name Suite --pricing percentage --discount-bps 1500 --plan pln_a --plan pln_b")
        {
            code, name, description, pricing, fixedPrice, discount, currency, interval, item, json,
        };
        create.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var pack = await sp.GetRequiredService<PackCatalogService>().CreateAsync(Cli, Input(parse, parse.GetValue(code)), ct);
            await WritePackAsync(stdout, PackDto.From(pack), parse.GetValue(json), $"Created pack {pack.Pack.Code} ({pack.Pack.Id}).");
            return 0;
        }));

        var edit = new Command("edit", "Replace a pack's terms and items (existing pack subscriptions keep theirs). Example: admin catalog packs edit pck_... --name Suite --pricing fixed_price --fixed-price 9900 --plan pln_a --plan pln_b")
        {
            id, name, description, pricing, fixedPrice, discount, currency, interval, item, json,
        };
        edit.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var packs = sp.GetRequiredService<PackCatalogService>();
            var current = await packs.GetAsync(Cli, parse.GetValue(id)!, ct);
            var pack = await packs.UpdateAsync(Cli, current.Pack.Id, Input(parse, current.Pack.Code), ct);
            await WritePackAsync(stdout, PackDto.From(pack), parse.GetValue(json), $"Saved pack {pack.Pack.Code}.");
            return 0;
        }));

        var dryRun = new Option<bool>("--dry-run") { Description = "Show the pack as it would be; change nothing." };
        var retire = new Command("retire", "Withdraw a pack from sale; its pack subscriptions continue. Example: admin catalog packs retire pck_... --dry-run") { id, dryRun, json };
        retire.SetAction((parse, ct) => Run(overrides, environment, stderr, ct, async sp =>
        {
            var packs = sp.GetRequiredService<PackCatalogService>();
            if (parse.GetValue(dryRun))
            {
                var current = PackDto.From(await packs.GetAsync(Cli, parse.GetValue(id)!, ct));
                await WritePackAsync(stdout, current with { IsActive = false }, parse.GetValue(json),
                    current.IsActive ? $"Dry run: pack {current.Code} would be retired; nothing was changed." : $"Dry run: pack {current.Code} is already retired; nothing would change.");
                return 0;
            }

            var pack = PackDto.From(await packs.RetireAsync(Cli, parse.GetValue(id)!, ct));
            await WritePackAsync(stdout, pack, parse.GetValue(json), $"Retired pack {pack.Code} ({pack.Id}).");
            return 0;
        }));

        return new Command("packs", "Service packs (bundles of plans at a fixed price or a discount).") { list, show, create, edit, retire };

        PackInput Input(ParseResult parse, string? packCode) => new(packCode, parse.GetValue(name), parse.GetValue(description) ?? string.Empty, parse.GetValue(pricing),
            parse.GetValue(fixedPrice), parse.GetValue(discount), parse.GetValue(currency) ?? "EUR", parse.GetValue(interval) ?? "month",
            (parse.GetValue(item) ?? []).Select(p => (PackItemInput?)new PackItemInput(p, null)).ToArray());
    }

    private static async Task WritePackAsync(TextWriter stdout, PackDto p, bool json, string? headline = null)
    {
        if (json)
        {
            await CliOutput.WriteJsonAsync(stdout, p);
            return;
        }

        if (headline is not null)
        {
            await stdout.WriteLineAsync(headline);
        }

        await CliOutput.WriteFieldsAsync(stdout,
        [
            ("id", p.Id), ("code", p.Code), ("name", p.Name), ("pricing", p.Pricing == "percentage" ? $"percentage: {p.DiscountBasisPoints} bps off" : "fixed_price"),
            ("price", $"{CliOutput.Money(p.Price, p.Currency)} per {p.Interval}"), ("catalog sum", CliOutput.Money(p.CatalogSum, p.Currency)),
            ("saving", CliOutput.Money(p.Saving, p.Currency)), ("items", string.Join(", ", p.Items.Select(i => $"{i.ServiceSlug}/{i.PlanCode}"))),
            ("active", p.IsActive ? "yes" : "no (retired)"), ("updated", CliOutput.Instant(p.UpdatedAt)),
        ]);
    }
}
